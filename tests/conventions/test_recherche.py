"""Recherche et filtres de l'annuaire : plein texte sans accents et classé, domaine,
thématique, commune ou territoire, public, mode d'accueil, tri, états vides."""

import pytest
from django.urls import reverse

from accompagnement.models import Role
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.conventions.factories import ServiceRessourceFactory, StructureRessourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("conventions:annuaire")


@pytest.fixture
def dep():
    return DepartementFactory(code_insee="25", nom="Doubs")


@pytest.fixture
def client_conseiller(client_de, dep):
    return client_de(MembershipFactory(role=Role.CONSEILLER, structure__departement=dep))


@pytest.fixture
def ccas(dep):
    return StructureRessourceFactory(
        departement=dep, nom="CCAS de Pontarlier", commune="Pontarlier"
    )


def noms(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [s.nom for s in response.context["page"].object_list]


def test_la_recherche_ignore_les_accents_et_la_casse(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Aide contre la précarité énergétique")
    ServiceRessourceFactory(structure=ccas, nom="Épicerie sociale")
    attendu = ["Aide contre la précarité énergétique"]
    assert noms(client_conseiller, q="precarite energetique") == attendu
    assert noms(client_conseiller, q="PRÉCARITÉ Énergétique") == attendu
    assert noms(client_conseiller, q="epicerie") == ["Épicerie sociale"]


def test_la_recherche_trouve_les_formes_voisines_et_la_structure(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Accès au logement", description="Logements.")
    assert noms(client_conseiller, q="logements") == ["Accès au logement"]
    assert noms(client_conseiller, q="ccas pontarlier") == ["Accès au logement"]
    assert noms(client_conseiller, q="garde d'enfant") == []


def test_le_nom_qui_correspond_passe_devant_la_description(client_conseiller, ccas):
    # Par ordre alphabétique, la description seule viendrait en premier.
    ServiceRessourceFactory(
        structure=ccas,
        nom="Accompagnement budgétaire",
        description="Aides aux impayés, notamment en cas de précarité énergétique.",
    )
    ServiceRessourceFactory(
        structure=ccas,
        nom="Précarité énergétique : aide aux factures",
        description="Prise en charge partielle des factures.",
    )
    assert noms(client_conseiller, q="précarité énergétique") == [
        "Précarité énergétique : aide aux factures",
        "Accompagnement budgétaire",
    ]
    # Un tri explicite l'emporte sur la pertinence.
    assert noms(client_conseiller, q="précarité énergétique", o="nom")[0] == (
        "Accompagnement budgétaire"
    )


def test_la_recherche_supporte_la_syntaxe_web_sans_erreur(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Permis de conduire")
    ServiceRessourceFactory(structure=ccas, nom="Location de voiture")
    assert noms(client_conseiller, q='permis or "voiture"') == [
        "Location de voiture",
        "Permis de conduire",
    ]
    assert noms(client_conseiller, q="& | ! :* ' \\") == noms(client_conseiller)


def test_filtre_par_domaine_de_frein(client_conseiller, ccas):
    ServiceRessourceFactory(
        structure=ccas,
        nom="Garage solidaire",
        thematiques=["mobilite--entretenir-reparer-son-vehicule"],
    )
    ServiceRessourceFactory(
        structure=ccas,
        nom="Colis alimentaires",
        thematiques=["equipement-et-alimentation--alimentation"],
    )
    ServiceRessourceFactory(
        structure=ccas,
        nom="Microcrédit",
        thematiques=[
            "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
            "mobilite--financer-ma-mobilite",
        ],
    )
    assert noms(client_conseiller, domaine="mobilite") == ["Garage solidaire", "Microcrédit"]
    assert noms(client_conseiller, domaine="finances") == ["Colis alimentaires", "Microcrédit"]
    assert noms(client_conseiller, domaine="sante") == []


def test_filtre_par_thematique_ou_categorie(client_conseiller, ccas):
    ServiceRessourceFactory(
        structure=ccas, nom="Permis", thematiques=["mobilite--preparer-un-permis"]
    )
    ServiceRessourceFactory(
        structure=ccas, nom="Vélo", thematiques=["mobilite--mobilite-douce-partagee-collective"]
    )
    assert noms(client_conseiller, thematique="mobilite--preparer-un-permis") == ["Permis"]
    assert noms(client_conseiller, thematique="mobilite") == ["Permis", "Vélo"]


@pytest.fixture
def zones(dep, ccas):
    besancon = StructureRessourceFactory(departement=dep, commune="Besançon", code_insee="25056")
    ServiceRessourceFactory(
        structure=ccas, nom="A — Pontarlier seulement", zone_eligibilite=["25462"]
    )
    ServiceRessourceFactory(structure=besancon, nom="B — tout le Doubs", zone_eligibilite=["25"])
    ServiceRessourceFactory(
        structure=besancon, nom="C — France entière", zone_eligibilite=["france"]
    )
    ServiceRessourceFactory(
        structure=besancon, nom="D — Besançon seulement", zone_eligibilite=["25056"]
    )
    ServiceRessourceFactory(structure=besancon, nom="E — Jura", zone_eligibilite=["39"])
    ServiceRessourceFactory(
        structure=ccas,
        nom="F — sans zone, à Pontarlier",
        zone_eligibilite=[],
        commune="Pontarlier",
        code_insee="25462",
    )


def test_filtre_par_commune_code_insee(client_conseiller, zones):
    assert noms(client_conseiller, lieu="25462") == [
        "A — Pontarlier seulement",
        "B — tout le Doubs",
        "C — France entière",
        "F — sans zone, à Pontarlier",
    ]
    assert noms(client_conseiller, lieu="25056") == [
        "B — tout le Doubs",
        "C — France entière",
        "D — Besançon seulement",
    ]


def test_filtre_par_nom_de_commune_connue(client_conseiller, zones):
    attendu = noms(client_conseiller, lieu="25462")
    assert noms(client_conseiller, lieu="pontarlier") == attendu
    assert noms(client_conseiller, lieu="Pontarlier (25462)") == attendu
    response = client_conseiller.get(URL, {"lieu": "Trifouilly"})
    assert response.context["page"].paginator.count == 0
    assert "Commune « Trifouilly » inconnue dans la base" in response.content.decode()


def test_filtre_par_territoire(client_conseiller, zones):
    assert noms(client_conseiller, lieu="39") == ["C — France entière", "E — Jura"]


def test_filtre_par_public_compte_les_services_tous_publics(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Jeunes", publics=["jeunes"])
    ServiceRessourceFactory(structure=ccas, nom="Tous", publics=["tous-publics"])
    ServiceRessourceFactory(structure=ccas, nom="Seniors", publics=["seniors"])
    assert noms(client_conseiller, public="jeunes") == ["Jeunes", "Tous"]


def test_filtre_en_presentiel_ou_a_distance(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Guichet", modes_accueil=["en-presentiel"])
    ServiceRessourceFactory(structure=ccas, nom="Ligne", modes_accueil=["a-distance"])
    ServiceRessourceFactory(
        structure=ccas, nom="Mixte", modes_accueil=["a-distance", "en-presentiel"]
    )
    assert noms(client_conseiller, accueil="a-distance") == ["Ligne", "Mixte"]
    assert noms(client_conseiller, accueil="en-presentiel") == ["Guichet", "Mixte"]


def test_seule_la_base_du_departement_courant_est_cherchee(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Chez nous")
    ServiceRessourceFactory(
        structure__departement=DepartementFactory(code_insee="39"), nom="Chez les voisins"
    )
    ServiceRessourceFactory(structure=ccas, nom="Inactif", actif=False)
    assert noms(client_conseiller) == ["Chez nous"]
    assert noms(client_conseiller, q="voisins") == []


def test_compteur_pagination_et_etats_vides(client_conseiller, ccas):
    response = client_conseiller.get(URL)
    assert "La base de ressources du département est vide" in response.content.decode()
    for i in range(25):
        ServiceRessourceFactory(structure=ccas, nom=f"Service {i:02d}")
    response = client_conseiller.get(URL)
    contenu = response.content.decode()
    assert "25 services" in contenu and "page 1 sur 2" in contenu
    assert len(response.context["page"].object_list) == 20
    response = client_conseiller.get(URL, {"q": "introuvable"})
    assert "Aucun service ne correspond à ces critères." in response.content.decode()


def test_une_requete_htmx_recoit_le_partiel(client_conseiller, ccas):
    ServiceRessourceFactory(structure=ccas, nom="Épicerie")
    response = client_conseiller.get(URL, {"q": "epicerie"}, HTTP_HX_REQUEST="true")
    contenu = response.content.decode()
    assert "<html" not in contenu and "Épicerie" in contenu
    assert "HX-Request" in response["Vary"]
