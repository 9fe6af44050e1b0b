"""Routes des prescriptions (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:uuid>/prescrire/", views.prescrire, name="prescrire"),
    path("<uuid:uuid>/territoire/", views.definir_territoire, name="definir_territoire"),
    path("prescriptions/<uuid:uuid>/", views.detail, name="prescription"),
    path("prescriptions/<uuid:uuid>/prendre/", views.prendre, name="prescription_prendre"),
    path("prescriptions/<uuid:uuid>/designer/", views.designer, name="prescription_designer"),
    path("prescriptions/<uuid:uuid>/refuser/", views.refuser, name="prescription_refuser"),
]
