"""Routes de l'application conventions (espace de noms « conventions »). Les ressources
apparaissent dans les URL par leur UUID."""

from django.urls import path

from . import views

app_name = "conventions"

urlpatterns = [
    # --- base de ressources sociales (conventions/views.py) ---
    path("ressources/", views.annuaire, name="annuaire"),
    path("ressources/a-verifier/", views.a_verifier, name="a_verifier"),
    path("ressources/services/nouveau/", views.service_creer, name="service_creer"),
    path("ressources/services/<uuid:uuid>/", views.service, name="service"),
    path(
        "ressources/services/<uuid:uuid>/modifier/", views.service_modifier, name="service_modifier"
    ),
    path(
        "ressources/services/<uuid:uuid>/verifie/",
        views.service_confirmer,
        name="service_confirmer",
    ),
    path("ressources/structures/nouvelle/", views.structure_creer, name="structure_creer"),
    path("ressources/structures/<uuid:uuid>/", views.structure, name="structure"),
    path(
        "ressources/structures/<uuid:uuid>/modifier/",
        views.structure_modifier,
        name="structure_modifier",
    ),
    path("ressources/import/", views.import_depot, name="import"),
    path("ressources/import/rapport/", views.import_rapport, name="import_rapport"),
    # --- fin base de ressources sociales ---
    # --- conventions de partenariat ---
    path("", views.conventions_liste, name="conventions"),
    path("<uuid:uuid>/", views.convention, name="convention"),
    path(
        "<uuid:uuid>/documents/<uuid:document>/",
        views.document_signe,
        name="document_signe",
    ),
]
