"""Sélecteur de professionnels à recherche (ticket #14) : la recherche htmx, les homonymes
distingués par leur structure, le périmètre du département, l'usage sans JavaScript et le
nombre de requêtes constant — au lieu d'un `<select>` de tous les professionnels."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import Role
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("recherche_professionnels")
URL_LISTE = reverse("dossiers:liste")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _pro(role, structure, nom, prenom):
    return MembershipFactory(role=role, structure=structure, user__nom=nom, user__prenom=prenom)


@pytest.fixture
def dep():
    departement = DepartementFactory(code_insee="25")
    planoise = StructureFactory(departement=departement, agence=True, nom="Agence Planoise")
    morteau = StructureFactory(departement=departement, agence=True, nom="Agence Morteau")
    territoire = StructureFactory(departement=departement, territoire=True, nom="Territoire Doubs")
    direction = StructureFactory(departement=departement, direction=True, nom="Direction")
    orne = StructureFactory(departement=DepartementFactory(code_insee="61"), agence=True)
    return {
        "animatrice": _pro(Role.ANIMATRICE, direction, "Vuillemin", "Claire"),
        "marchand_planoise": _pro(Role.CONSEILLER_DEDIE, planoise, "Marchand", "Julien"),
        "marchand_morteau": _pro(Role.CONSEILLER, morteau, "Marchand", "Julien"),
        "benali": _pro(Role.TRAVAILLEUR_SOCIAL, territoire, "Benali", "Nadia"),
        "etranger": _pro(Role.CONSEILLER, orne, "Marchand", "Horsdep"),
        "planoise": planoise,
    }


def _valeurs(html: str) -> list[str]:
    return re.findall(r'type="radio" name="professionnel" id="[^"]+" value="([^"]*)"', html)


def test_la_recherche_trouve_par_nom_et_distingue_les_homonymes_par_leur_structure(client_de, dep):
    client = client_de(dep["animatrice"])
    response = client.get(URL, {"name": "professionnel", "professionnel_q": "julien marchand"})
    html = response.content.decode()
    assert response.status_code == 200
    assert set(_valeurs(html)) == {
        str(dep["marchand_planoise"].uuid),
        str(dep["marchand_morteau"].uuid),
    }
    assert "Julien Marchand — Conseiller dédié (accompagnement global), Agence Planoise" in html
    assert "Julien Marchand — Conseiller France Travail, Agence Morteau" in html
    # Le Marchand d'un autre département n'est jamais proposé.
    assert "Horsdep" not in html and str(dep["etranger"].uuid) not in html
    # Un mot de la structure suffit à départager.
    response = client.get(URL, {"name": "professionnel", "professionnel_q": "marchand morteau"})
    assert _valeurs(response.content.decode()) == [str(dep["marchand_morteau"].uuid)]


def test_la_recherche_respecte_les_roles_demandes_et_garde_le_choix_en_cours(client_de, dep):
    client = client_de(dep["animatrice"])
    choisi = str(dep["benali"].uuid)
    response = client.get(
        URL,
        {
            "name": "professionnel",
            "roles": "conseiller,travailleur_social,inconnu",
            "vide": "Tous les professionnels",
            "professionnel_q": "marchand",
            "professionnel": choisi,
        },
    )
    html = response.content.decode()
    # Le choix en cours reste coché en tête ; le conseiller dédié n'a pas le rôle demandé.
    assert _valeurs(html) == ["", choisi, str(dep["marchand_morteau"].uuid)]
    assert f'value="{choisi}" checked' in html
    assert "Tous les professionnels" in html
    aucun = client.get(URL, {"name": "professionnel", "professionnel_q": "zzz"}).content.decode()
    assert _valeurs(aucun) == []
    assert "Personne ne correspond à « zzz »" in aucun


def test_la_recherche_n_est_pas_ouverte_sans_connexion(client):
    response = client.get(URL, {"professionnel_q": "marchand"})
    assert response.status_code == 302


def test_la_recherche_propose_au_plus_dix_personnes_en_requetes_constantes(client_de, dep):
    client = client_de(dep["animatrice"])

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            response = client.get(URL, {"name": "professionnel", "professionnel_q": "dupont"})
        return len(capture), response

    for i in range(3):
        _pro(Role.CONSEILLER, dep["planoise"], "Dupont", f"Prénom{i}")
    petit, response = requetes()
    assert len(_valeurs(response.content.decode())) == 3
    for i in range(3, 30):
        _pro(Role.CONSEILLER, dep["planoise"], "Dupont", f"Prénom{i}")
    grand, response = requetes()
    html = response.content.decode()
    assert grand == petit
    assert len(_valeurs(html)) == 10
    assert "les 10 premières : précisez la recherche" in html


def test_le_filtre_de_la_liste_ne_rend_plus_tous_les_professionnels(client_de, dep):
    for i in range(30):
        _pro(Role.CONSEILLER, dep["planoise"], "Dupont", f"Prénom{i}")
    html = client_de(dep["animatrice"]).get(URL_LISTE).content.decode()
    # Plus de <select> : un champ de recherche, le choix « tous » et dix propositions.
    assert '<select name="professionnel"' not in html
    assert 'name="professionnel_q"' in html
    assert f'hx-get="{URL}?name=professionnel' in html
    assert len(_valeurs(html)) == 11
    assert "Dupont" in html and "Horsdep" not in html


def test_sans_javascript_la_recherche_part_avec_le_formulaire(client_de, dep):
    """Sans JavaScript : « Filtrer » envoie le texte, la page revient avec les personnes
    trouvées ; le choix envoyé ensuite filtre la liste, et reste affiché coché."""
    client = client_de(dep["animatrice"])
    html = client.get(URL_LISTE, {"professionnel_q": "marchand"}).content.decode()
    assert set(_valeurs(html)) == {
        "",
        str(dep["marchand_planoise"].uuid),
        str(dep["marchand_morteau"].uuid),
    }
    assert 'value="marchand"' in html
    choisi = str(dep["marchand_morteau"].uuid)
    response = client.get(URL_LISTE, {"professionnel_q": "marchand", "professionnel": choisi})
    assert response.context["filtre"].form.is_valid()
    assert f'value="{choisi}" checked' in response.content.decode()


def test_un_professionnel_hors_perimetre_est_refuse_par_la_validation(client_de, dep):
    client = client_de(dep["animatrice"])
    for valeur in [str(dep["etranger"].uuid), "pas-un-uuid"]:
        response = client.get(URL_LISTE, {"professionnel": valeur})
        assert response.status_code == 200
        assert "professionnel" in response.context["filtre"].form.errors
        assert "Horsdep" not in response.content.decode()
