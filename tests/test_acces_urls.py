"""Le test d'accès qui ne peut oublier aucune page. Toutes les routes du projet
(administration comprise) sont énumérées et confrontées à la matrice des droits de
`docs/permissions.md` (tests/matrice.py la lit) :

- une route sans ligne dans la matrice, ou une ligne sans route, fait échouer le test ;
- un anonyme est renvoyé vers la connexion (sauf les pages publiques de la matrice) ;
- chaque rôle, sur les objets de son département, reçoit le code de sa case ; un rôle
  refusé à une page l'est aussi quand il envoie son formulaire (POST) ;
- chaque rôle, sur les objets de l'autre département, reçoit 404 (l'administration :
  l'objet est « introuvable », renvoi vers son accueil).

Le monde (deux départements, un objet de chaque sorte dans chacun : fixture
`deux_departements` de tests/conftest.py) est construit une seule fois pour le module."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import client_de_session
from tests.matrice import (
    MatriceInvalide,
    lire_matrice,
    toutes_les_routes,
    url_d_exemple,
    url_dans,
)

ROUTES = toutes_les_routes()
MATRICE = lire_matrice()
# Les paramètres qui ne désignent pas un objet d'un département (aucun 404 à attendre).
HORS_DEPARTEMENT = {"pk_groupe"}


def ecarts_de_couverture(routes, matrice) -> list[str]:
    """Les routes sans règle et les règles sans route (une page supprimée ou renommée)."""
    noms = {r.nom for r in routes}
    ecarts = [f"route sans règle dans la matrice : {nom}" for nom in sorted(noms - set(matrice))]
    ecarts += [f"règle sans route : {nom}" for nom in sorted(set(matrice) - noms)]
    for route in routes:
        regle = matrice.get(route.nom)
        if regle is None:
            continue
        from tests.matrice import RESOLVEURS, arguments

        for argument in arguments(route.gabarit):
            resolveur = regle.parametres.get(argument)
            if resolveur is None:
                ecarts.append(f"{route.nom} : paramètre « {argument} » sans résolveur")
            elif resolveur not in RESOLVEURS:
                ecarts.append(f"{route.nom} : résolveur inconnu « {resolveur} »")
        if (
            regle.anonyme == "connexion"
            and regle.methode == "GET"
            and not {"200", "302", "—"} & set(regle.attendus.values())
        ):
            ecarts.append(f"{route.nom} : aucun rôle n'obtient la page (200, 302 ou « — »)")
    return ecarts


def test_l_enumeration_trouve_les_routes():
    noms = {r.nom for r in ROUTES}
    assert {"accueil", "annuaire", "choisir_structure", "admin:index"} <= noms
    assert {"admin:accompagnement_user_change", "admin:auth_user_password_change"} <= noms
    assert len(ROUTES) > 100


def test_chaque_route_a_sa_regle_et_chaque_regle_sa_route():
    assert ecarts_de_couverture(ROUTES, MATRICE) == []


@override_settings(ROOT_URLCONF="tests.urls_route_sans_regle")
def test_du_test_une_vue_ajoutee_sans_regle_fait_echouer():
    """Le test du test : la même énumération, sur un urlconf qui ajoute une vue sans ligne
    dans la matrice, rend un écart qui la nomme (et donc ferait échouer le test)."""
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        ecarts = ecarts_de_couverture(toutes_les_routes(), MATRICE)
    finally:
        clear_url_caches()
    assert ecarts == ["route sans règle dans la matrice : page_oubliee"]


def test_du_test_une_matrice_mal_formee_est_refusee():
    entete = (
        "| Route | Méthode | Paramètres | Anonyme | Conseiller | Conseiller dédié | "
        "Travailleur social | Correspondant | Animatrice | Administrateur |\n|---|\n"
    )
    texte = "<!-- matrice-des-routes:debut -->\n{}<!-- matrice-des-routes:fin -->"
    bonne = "| `x` | GET | — | connexion | 200 | 403 | 403 | 403 | 403 | 404 |\n"
    assert lire_matrice(texte.format(entete + bonne))["x"].attendus["conseiller"] == "200"
    with pytest.raises(MatriceInvalide, match="codes inconnus"):
        lire_matrice(texte.format(entete + bonne.replace("200", "ok")))
    with pytest.raises(MatriceInvalide, match="en double"):
        lire_matrice(texte.format(entete + bonne + bonne))
    with pytest.raises(MatriceInvalide, match="délimitée"):
        lire_matrice("rien")


# --- Anonyme ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[r.nom for r in ROUTES])
def test_une_requete_anonyme_est_renvoyee_vers_la_connexion(client, route):
    regle = MATRICE.get(route.nom)
    url = url_d_exemple(route)
    response = client.get(url)
    if regle is not None and regle.anonyme == "publique":
        assert response.status_code in {200, 302, 404}
        return
    assert response.status_code == 302, f"{url} répond {response.status_code} à un anonyme"
    # L'administration renvoie vers sa propre page de connexion.
    connexion = ("/connexion/?next=", "/admin/login/?next=")
    assert response.url.startswith(connexion), f"{url} redirige vers {response.url}"


# --- Chaque rôle, deux départements --------------------------------------------------------


def envoyer(client, methode, url):
    return client.post(url, {}) if methode == "POST" else client.get(url)


def introuvable_dans_l_admin(reponse) -> bool:
    """L'administration répond, pour un objet hors de son périmètre, comme pour un objet
    qui n'existe pas : renvoi vers son accueil (fiche), 404 ou 403 ailleurs ; un compte
    non « staff » est renvoyé vers la connexion de l'administration."""
    if reponse.status_code == 302:
        return reponse.url == reverse("admin:index") or reponse.url.startswith("/admin/login/")
    return reponse.status_code in {403, 404}


def envoyer_dans_l_admin(client, methode, url):
    """Les anciennes adresses d'objet (/admin/app/modele/<id>/) renvoient vers la fiche :
    on suit ce renvoi, c'est la fiche qui doit être introuvable."""
    reponse = envoyer(client, methode, url)
    if reponse.status_code == 302 and urlsplit(reponse.url).path.endswith("/change/"):
        reponse = client.get(reponse.url)
    return reponse


ROUTES_REGLEES = [r for r in ROUTES if r.nom in MATRICE]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES_REGLEES, ids=[r.nom for r in ROUTES_REGLEES])
def test_matrice_des_droits(deux_departements, route):
    a, b, sessions = deux_departements
    clients = {role: client_de_session(cle) for role, cle in sessions.items()}
    regle = MATRICE[route.nom]
    url_a = url_dans(route, regle, a)
    autre = bool(regle.parametres) and not set(regle.parametres.values()) <= HORS_DEPARTEMENT
    url_b = url_dans(route, regle, b) if autre else None
    ecarts = []
    for role, attendu in regle.attendus.items():
        client = clients[role]
        if attendu != "—":
            reponse = envoyer(client, regle.methode, url_a)
            if reponse.status_code != int(attendu):
                ecarts.append(f"{role} : {reponse.status_code} au lieu de {attendu}")
        if regle.methode == "GET" and attendu in {"403", "404"} and regle.anonyme == "connexion":
            # Refusé à la page, refusé à l'envoi du formulaire : un POST n'atteint jamais
            # le service (ni 200, ni renvoi, ni erreur de saisie).
            reponse = client.post(url_a, {})
            if reponse.status_code not in {403, 404, 405}:
                ecarts.append(f"{role}, POST : {reponse.status_code} au lieu du refus")
        # Un rôle refusé (403) quel que soit l'objet peut l'être aussi sur celui de l'autre
        # département : le refus ne dit rien de l'objet. Tout autre cas : 404.
        hors_departement = {404, 403} if attendu == "403" else {404}
        if url_b is None or regle.anonyme == "publique":
            continue
        if route.nom.startswith("admin"):
            reponse = envoyer_dans_l_admin(client, regle.methode, url_b)
            if not introuvable_dans_l_admin(reponse):
                ecarts.append(f"{role}, autre département : {reponse.status_code}")
            continue
        reponse = envoyer(client, regle.methode, url_b)
        if reponse.status_code not in hors_departement:
            ecarts.append(f"{role}, autre département : {reponse.status_code} au lieu de 404")
    assert not ecarts, f"{regle.methode} {url_a} : " + " ; ".join(ecarts)
