"""Routes de l'application reporting (espace de noms « reporting »)."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("bilan/<uuid:uuid>/", views.bilan, name="bilan"),
    path("bilan/<uuid:uuid>/pdf/", views.bilan_pdf, name="bilan_pdf"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path("tableau-de-bord/liste/", views.liste_tuile, name="liste"),
    path("tableau-de-bord/liste/export/", views.export_liste, name="export_liste"),
    path("exports/", views.mes_exports, name="mes_exports"),
    path("exports/<uuid:uuid>/", views.export_differe, name="export_differe"),
    path("exports/<uuid:uuid>/telecharger/", views.telecharger_export, name="telecharger_export"),
    path("rapports/", views.rapports, name="rapports"),
    path("rapports/<uuid:uuid>/", views.rapport, name="rapport"),
    path("rapports/<uuid:uuid>/pdf/", views.rapport_pdf, name="rapport_pdf"),
    path("rapports/<uuid:uuid>/export/", views.export_rapport, name="export_rapport"),
    path("rapports/<uuid:uuid>/regenerer/", views.regenerer_rapport, name="regenerer"),
    path(
        "conventions/<uuid:uuid>/syntheses/",
        views.syntheses_convention,
        name="syntheses_convention",
    ),
    path(
        "conventions/<uuid:uuid>/syntheses/generer/",
        views.synthese_generer,
        name="synthese_generer",
    ),
    path(
        "syntheses/<uuid:uuid>/telecharger/",
        views.synthese_telecharger,
        name="synthese_telecharger",
    ),
]
