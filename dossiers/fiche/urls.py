"""Route de la fiche du dossier."""

from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:uuid>/", views.fiche, name="dossier"),
]
