"""Routes : import des demandeurs (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.depot, name="import"),
    path("import/colonnes/", views.correspondance, name="import_correspondance"),
    path("import/apercu/", views.apercu, name="import_apercu"),
    path("import/appliquer/", views.appliquer, name="import_appliquer"),
    path("import/resultat/", views.resultat, name="import_resultat"),
    path("import/abandonner/", views.abandonner, name="import_abandonner"),
]
