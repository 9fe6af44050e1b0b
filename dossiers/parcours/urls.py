"""Routes : fiches et parcours (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("nouveau/", views.creer, name="creer"),
    path("<uuid:uuid>/personne/", views.modifier_personne, name="modifier_personne"),
    path("<uuid:uuid>/information/", views.information, name="information_personne"),
    path("<uuid:uuid>/diagnostic/", views.demarrer_diagnostic, name="demarrer_diagnostic"),
    path("<uuid:uuid>/orienter/", views.orienter, name="orienter"),
    path("<uuid:uuid>/affecter/", views.affecter, name="affecter"),
    path("<uuid:uuid>/changement-axe/", views.demander_changement, name="demander_changement"),
    path(
        "<uuid:uuid>/changement-axe/<uuid:demande>/",
        views.decider_changement,
        name="decider_changement",
    ),
    path("<uuid:uuid>/cloturer/", views.cloturer, name="cloturer"),
    path("<uuid:uuid>/rouvrir/", views.rouvrir, name="rouvrir"),
    path("<uuid:uuid>/journal/", views.journal, name="journal"),
    path("<uuid:uuid>/renouveler/", views.renouveler, name="renouveler"),
]
