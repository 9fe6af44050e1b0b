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
    path("<uuid:uuid>/renouveler/", vues_dossier.renouveler, name="renouveler"),
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

# --- sollicitations de ressources (dossiers/views/sollicitations.py) ---
from .views import sollicitations as vues_sollicitations  # noqa: E402

urlpatterns += [
    path("<uuid:uuid>/sollicitations/", vues_sollicitations.choisir, name="sollicitation_choisir"),
    path(
        "<uuid:uuid>/sollicitations/<uuid:service>/",
        vues_sollicitations.nouvelle,
        name="sollicitation_nouvelle",
    ),
    path("sollicitations/", vues_sollicitations.a_traiter, name="sollicitations_a_traiter"),
    # Page publique (lien signé envoyé au partenaire sans compte).
    path(
        "sollicitations/reponse/<str:jeton>/",
        vues_sollicitations.reponse_partenaire,
        name="sollicitation_reponse",
    ),
    *[
        path(
            f"sollicitations/<uuid:uuid>/{cle}/",
            vues_sollicitations.etape,
            {"etape": cle},
            name=f"sollicitation_{cle}",
        )
        for cle in vues_sollicitations.ETAPES
    ],
]
# --- fin sollicitations de ressources ---

# --- suivi du parcours (dossiers/views/suivi.py) ---
from .views import suivi as vues_suivi  # noqa: E402

urlpatterns += [
    path("<uuid:uuid>/plan/", vues_suivi.plan, name="suivi_plan"),
    path("<uuid:uuid>/plan/objectif/", vues_suivi.objectif_ajouter, name="suivi_objectif_ajouter"),
    path(
        "<uuid:uuid>/plan/objectif/<uuid:objectif>/action/",
        vues_suivi.action_ajouter,
        name="suivi_action_ajouter",
    ),
    path(
        "<uuid:uuid>/plan/action/<uuid:action>/",
        vues_suivi.action_modifier,
        name="suivi_action_modifier",
    ),
    path(
        "<uuid:uuid>/plan/action/<uuid:action>/statut/",
        vues_suivi.action_statut,
        name="suivi_action_statut",
    ),
    path("<uuid:uuid>/notes/", vues_suivi.notes, name="suivi_notes"),
    path("<uuid:uuid>/rendez-vous/", vues_suivi.rendez_vous, name="suivi_rendez_vous"),
    path(
        "<uuid:uuid>/rendez-vous/nouveau/",
        vues_suivi.rendez_vous_ajouter,
        name="suivi_rendez_vous_ajouter",
    ),
    path(
        "<uuid:uuid>/rendez-vous/<uuid:rendez_vous>/presence/",
        vues_suivi.rendez_vous_presence,
        name="suivi_rendez_vous_presence",
    ),
    path("<uuid:uuid>/documents/", vues_suivi.documents, name="suivi_documents"),
    path(
        "<uuid:uuid>/documents/deposer/",
        vues_suivi.document_deposer,
        name="suivi_document_deposer",
    ),
    path(
        "<uuid:uuid>/documents/<uuid:document>/telecharger/",
        vues_suivi.document_telecharger,
        name="suivi_document_telecharger",
    ),
    path(
        "<uuid:uuid>/documents/<uuid:document>/supprimer/",
        vues_suivi.document_supprimer,
        name="suivi_document_supprimer",
    ),
    path("<uuid:uuid>/aides/", vues_suivi.aides, name="suivi_aides"),
    path("<uuid:uuid>/aides/ponctuelle/", vues_suivi.aide_demander, name="suivi_aide_demander"),
    path(
        "<uuid:uuid>/aides/ponctuelle/<uuid:aide>/decision/",
        vues_suivi.aide_decider,
        name="suivi_aide_decider",
    ),
    path(
        "<uuid:uuid>/aides/demande/",
        vues_suivi.demande_importante_creer,
        name="suivi_demande_importante_creer",
    ),
    path(
        "<uuid:uuid>/aides/demande/<uuid:demande>/statut/",
        vues_suivi.demande_importante_statut,
        name="suivi_demande_importante_statut",
    ),
]
# --- fin suivi du parcours ---

__all__ = ["app_name", "path", "urlpatterns"]
