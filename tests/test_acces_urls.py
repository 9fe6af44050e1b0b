"""Test d'accès qui ne peut oublier aucune page : toutes les routes du projet sont
énumérées ; une requête anonyme doit être renvoyée vers la connexion, sauf pour la
courte liste des pages publiques. Toute vue ajoutée plus tard est couverte d'office."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

PUBLIQUES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "dossiers:sollicitation_reponse",  # réponse du partenaire sans compte, par lien signé
    # L'administration a sa propre page de connexion, publique par nature.
    "admin:login",
}
# Une page publique dont l'URL porte un secret : l'exemple (jeton au hasard) n'est pas valide.
STATUTS_PUBLICS = {"dossiers:sollicitation_reponse": {404}}
EXEMPLES = {"int": "1", "str": "exemple", "slug": "exemple", "path": "exemple/1"}


def exemple_regex(regex: str) -> str:
    """Une URL concrète pour une route en expression régulière (celles de l'admin)."""
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    regex = re.sub(r"\(\?P<\w+>([\w|]+)\)", lambda m: m.group(1).split("|")[0], regex)
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    return regex.replace("\\", "")


def exemple_route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        return re.sub(
            r"<(?:(\w+):)?\w+>",
            lambda m: (
                str(uuid.uuid4())
                if m.group(1) == "uuid"
                else EXEMPLES.get(m.group(1) or "str", "1")
            ),
            route,
        )
    return exemple_regex(pattern.regex.pattern)


def toutes_les_routes(resolver=None, prefixe="", espace=""):
    resolver = resolver or get_resolver()
    for entree in resolver.url_patterns:
        morceau = prefixe + exemple_route(entree.pattern)
        if isinstance(entree, URLResolver):
            ns = f"{espace}{entree.namespace}:" if entree.namespace else espace
            yield from toutes_les_routes(entree, morceau, ns)
        elif isinstance(entree, URLPattern):
            yield f"{espace}{entree.name}" if entree.name else morceau, "/" + morceau


ROUTES = sorted(set(toutes_les_routes()))


def test_l_enumeration_trouve_les_routes():
    noms = {nom for nom, _ in ROUTES}
    assert {"accueil", "annuaire", "choisir_structure", "admin:index"} <= noms
    assert len(ROUTES) > 30


@pytest.mark.django_db
@pytest.mark.parametrize(("nom", "url"), ROUTES, ids=[nom for nom, _ in ROUTES])
def test_une_requete_anonyme_est_renvoyee_vers_la_connexion(client, nom, url):
    response = client.get(url)
    if nom in PUBLIQUES:
        assert response.status_code in STATUTS_PUBLICS.get(nom, {200, 302})
        return
    assert response.status_code == 302, f"{url} répond {response.status_code} à un anonyme"
    # L'administration renvoie parfois vers sa propre page de connexion.
    connexion = ("/connexion/?next=", "/admin/login/?next=")
    assert response.url.startswith(connexion), f"{url} redirige vers {response.url}"
