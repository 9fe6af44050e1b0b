"""Routes de l'application diagnostics (espace de noms « diagnostics »). Dossiers et
diagnostics apparaissent dans les URL par leur UUID."""

from django.urls import path

from . import views

app_name = "diagnostics"

urlpatterns: list = [
    path("dossier/<uuid:uuid>/", views.ouvrir, name="ouvrir"),
    path("<uuid:uuid>/", views.diagnostic, name="diagnostic"),
    path("<uuid:uuid>/emploi/", views.emploi, name="emploi"),
    path("<uuid:uuid>/social/", views.social, name="social"),
    path("<uuid:uuid>/information/", views.information, name="information"),
    path(
        "<uuid:uuid>/valider/emploi/",
        views.valider,
        {"volet": "emploi"},
        name="valider_emploi",
    ),
    path(
        "<uuid:uuid>/valider/social/",
        views.valider,
        {"volet": "social"},
        name="valider_social",
    ),
    path("<uuid:uuid>/nouvelle-version/", views.nouvelle_version, name="nouvelle_version"),
    path("<uuid:uuid>/decision/", views.decision, name="decision"),
    path("<uuid:uuid>/comparaison/", views.comparaison, name="comparaison"),
    path("<uuid:uuid>/pdf/", views.pdf, name="pdf"),
]
