"""Routes de l'application reporting (espace de noms « reporting »)."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("bilan/<uuid:uuid>/", views.bilan, name="bilan"),
    path("bilan/<uuid:uuid>/pdf/", views.bilan_pdf, name="bilan_pdf"),
]
