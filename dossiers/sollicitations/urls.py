"""Routes : sollicitations de ressources (espace de noms « dossiers », assemblé par dossiers/urls.py)."""

from django.urls import path

from . import views
from .etapes import ETAPES

urlpatterns = [
    path("<uuid:uuid>/sollicitations/", views.choisir, name="sollicitation_choisir"),
    path(
        "<uuid:uuid>/sollicitations/<uuid:service>/",
        views.nouvelle,
        name="sollicitation_nouvelle",
    ),
    path("sollicitations/", views.a_traiter, name="sollicitations_a_traiter"),
    # Page publique (lien signé envoyé au partenaire sans compte).
    path(
        "sollicitations/reponse/<str:jeton>/",
        views.reponse_partenaire,
        name="sollicitation_reponse",
    ),
    *[
        path(
            f"sollicitations/<uuid:uuid>/{cle}/",
            views.etape,
            {"etape": cle},
            name=f"sollicitation_{cle}",
        )
        for cle in ETAPES
    ],
]
