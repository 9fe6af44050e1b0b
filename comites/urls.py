"""Routes des comités techniques (espace de noms « comites ») : séances et points par
leur UUID."""

from django.urls import path

from . import views

app_name = "comites"

urlpatterns = [
    path("", views.seances, name="seances"),
    path("nouvelle/", views.creer, name="creer"),
    path("<uuid:uuid>/", views.seance, name="seance"),
    path("<uuid:uuid>/ordre-du-jour/composer/", views.composer, name="composer"),
    path("<uuid:uuid>/ordre-du-jour/ajouter/", views.ajouter_point, name="ajouter_point"),
    path("<uuid:uuid>/participants/", views.participants, name="participants"),
    path("<uuid:uuid>/envoyer/", views.envoyer, name="envoyer"),
    path("<uuid:uuid>/presences/", views.presences, name="presences"),
    path("<uuid:uuid>/compte-rendu/diffuser/", views.diffuser, name="diffuser"),
    path("<uuid:uuid>/compte-rendu.pdf", views.compte_rendu, name="compte_rendu"),
    path("points/<uuid:uuid>/decision/", views.decision, name="decision"),
    path("points/<uuid:uuid>/retirer/", views.retirer_point, name="retirer_point"),
    path("points/<uuid:uuid>/deplacer/", views.deplacer_point, name="deplacer_point"),
    path("signaler/<uuid:uuid>/", views.signaler, name="signaler"),
]
