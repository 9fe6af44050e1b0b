"""Propriété : aucune querystring, si hostile soit-elle, ne fait répondre 500 une page, et
rien de ce qu'elle porte n'est rendu sans échappement. Toutes les pages sans paramètre
d'URL (listes, files, recherches, exports, audit…) sont visitées par chaque rôle, avec les
paramètres de tous les filtres du projet (django-filter et formulaires de filtre) et des
noms au hasard."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accompagnement.forms import FiltreAuditForm
from conventions.filters import RessourceFilter
from dossiers.portefeuilles.filters import ChargesFilter, DossierFilter
from dossiers.sollicitations.forms import FileFilter
from tests.matrice import toutes_les_routes, url_d_exemple
from tests.proprietes.strategies import MARQUEUR, texte_hostile

# (nom, URL d'exemple) de chaque route : les paramètres ne désignent rien.
ROUTES = [(r.nom, url_d_exemple(r)) for r in toutes_les_routes()]

pytestmark = pytest.mark.django_db

# La déconnexion agit (ce n'est pas une page) ; l'administration a ses propres tests.
EXCLUES = re.compile(r"^admin:|deconnexion|logout")
PARAMETRE_D_URL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|/exemple|/1(/|$)")
PAGES = sorted(
    url for nom, url in ROUTES if not EXCLUES.search(nom) and not PARAMETRE_D_URL.search(url)
)

PARAMETRES = sorted(
    {
        *RessourceFilter.base_filters,
        *DossierFilter.base_filters,
        *ChargesFilter.base_filters,
        *FileFilter.base_filters,
        *FiltreAuditForm.base_fields,
        "q",
        "page",
        "tri",
        "o",
        "ordre",
        "periode",
        "format",
    }
)

querystring = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETRES), st.text(min_size=1, max_size=12)),
    texte_hostile,
    min_size=1,
    max_size=4,
)


def test_l_enumeration_des_pages_trouve_les_listes():
    attendues = {"/annuaire/", "/conventions/ressources/", "/dossiers/portefeuille/", "/audit/"}
    assert attendues <= set(PAGES), PAGES
    assert {"q", "page", "statut"} <= set(PARAMETRES)


@pytest.mark.parametrize("role", ["animatrice", "conseiller", "ts", "correspondant"])
def test_querystring_hostile_jamais_de_500_ni_de_html_non_echappe(client_de, equipe, role):
    client = client_de(getattr(equipe, role))

    @settings(max_examples=40)
    @given(page=st.sampled_from(PAGES), parametres=querystring)
    def propriete(page, parametres):
        reponse = client.get(page, parametres)
        assert reponse.status_code < 500, (page, parametres)
        if reponse.get("Content-Type", "").startswith("text/html"):
            assert MARQUEUR not in reponse.content.decode(errors="replace"), (page, parametres)
        client_de(getattr(equipe, role))  # une page a pu changer la structure courante

    propriete()
