"""Routes : suivi du parcours (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:uuid>/plan/", views.plan, name="suivi_plan"),
    path("<uuid:uuid>/plan/objectif/", views.objectif_ajouter, name="suivi_objectif_ajouter"),
    path(
        "<uuid:uuid>/plan/objectif/<uuid:objectif>/action/",
        views.action_ajouter,
        name="suivi_action_ajouter",
    ),
    path(
        "<uuid:uuid>/plan/objectif/<uuid:objectif>/ressources/",
        views.ressources_action,
        name="suivi_ressources_action",
    ),
    path(
        "<uuid:uuid>/plan/action/<uuid:action>/",
        views.action_modifier,
        name="suivi_action_modifier",
    ),
    path(
        "<uuid:uuid>/plan/action/<uuid:action>/statut/",
        views.action_statut,
        name="suivi_action_statut",
    ),
    path("<uuid:uuid>/notes/", views.notes, name="suivi_notes"),
    path("<uuid:uuid>/rendez-vous/", views.rendez_vous, name="suivi_rendez_vous"),
    path(
        "<uuid:uuid>/rendez-vous/nouveau/",
        views.rendez_vous_ajouter,
        name="suivi_rendez_vous_ajouter",
    ),
    path(
        "<uuid:uuid>/rendez-vous/<uuid:rendez_vous>/presence/",
        views.rendez_vous_presence,
        name="suivi_rendez_vous_presence",
    ),
    path("<uuid:uuid>/documents/", views.documents, name="suivi_documents"),
    path(
        "<uuid:uuid>/documents/deposer/",
        views.document_deposer,
        name="suivi_document_deposer",
    ),
    path(
        "<uuid:uuid>/documents/<uuid:document>/telecharger/",
        views.document_telecharger,
        name="suivi_document_telecharger",
    ),
    path(
        "<uuid:uuid>/documents/<uuid:document>/supprimer/",
        views.document_supprimer,
        name="suivi_document_supprimer",
    ),
    path("<uuid:uuid>/aides/", views.aides, name="suivi_aides"),
    path("<uuid:uuid>/aides/ponctuelle/", views.aide_demander, name="suivi_aide_demander"),
    path(
        "<uuid:uuid>/aides/ponctuelle/<uuid:aide>/decision/",
        views.aide_decider,
        name="suivi_aide_decider",
    ),
    path(
        "<uuid:uuid>/aides/demande/",
        views.demande_importante_creer,
        name="suivi_demande_importante_creer",
    ),
    path(
        "<uuid:uuid>/aides/demande/<uuid:demande>/statut/",
        views.demande_importante_statut,
        name="suivi_demande_importante_statut",
    ),
]
