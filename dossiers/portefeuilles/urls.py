"""Routes : listes et portefeuilles (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("portefeuille/", views.portefeuille, name="portefeuille"),
    path("departement/", views.liste, name="liste"),
    path("charges/", views.charges, name="charges"),
]
