"""Routes de l'application dossiers (espace de noms « dossiers »). Les personnes et les
dossiers apparaissent dans les URL par leur UUID."""

from django.urls import path

app_name = "dossiers"

urlpatterns: list = []

# --- fiches et parcours (dossiers/views/dossier.py) ---
from .views import dossier as vues_dossier  # noqa: E402

urlpatterns += [
    path("nouveau/", vues_dossier.creer, name="creer"),
    path("<uuid:uuid>/", vues_dossier.fiche, name="dossier"),
    path("<uuid:uuid>/personne/", vues_dossier.modifier_personne, name="modifier_personne"),
    path("<uuid:uuid>/diagnostic/", vues_dossier.demarrer_diagnostic, name="demarrer_diagnostic"),
    path("<uuid:uuid>/orienter/", vues_dossier.orienter, name="orienter"),
    path("<uuid:uuid>/affecter/", vues_dossier.affecter, name="affecter"),
    path(
        "<uuid:uuid>/changement-axe/", vues_dossier.demander_changement, name="demander_changement"
    ),
    path(
        "<uuid:uuid>/changement-axe/<uuid:demande>/",
        vues_dossier.decider_changement,
        name="decider_changement",
    ),
    path("<uuid:uuid>/cloturer/", vues_dossier.cloturer, name="cloturer"),
    path("<uuid:uuid>/rouvrir/", vues_dossier.rouvrir, name="rouvrir"),
    path("<uuid:uuid>/journal/", vues_dossier.journal, name="journal"),
]
# --- fin fiches et parcours ---

# --- listes et portefeuilles (dossiers/views/listes.py) ---
from .views import listes as vues_listes  # noqa: E402

urlpatterns += [
    path("portefeuille/", vues_listes.portefeuille, name="portefeuille"),
    path("departement/", vues_listes.liste, name="liste"),
    path("charges/", vues_listes.charges, name="charges"),
]
# --- fin listes et portefeuilles ---

# --- import des demandeurs (dossiers/views/imports.py) ---
from .views import imports as vues_imports  # noqa: E402

urlpatterns += [
    path("import/", vues_imports.depot, name="import"),
    path("import/colonnes/", vues_imports.correspondance, name="import_correspondance"),
    path("import/apercu/", vues_imports.apercu, name="import_apercu"),
    path("import/appliquer/", vues_imports.appliquer, name="import_appliquer"),
    path("import/resultat/", vues_imports.resultat, name="import_resultat"),
    path("import/abandonner/", vues_imports.abandonner, name="import_abandonner"),
]
# --- fin import des demandeurs ---

__all__ = ["app_name", "path", "urlpatterns"]
