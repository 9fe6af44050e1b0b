"""Pages des conventions : liste et fiche (version en vigueur à une date), département
courant seulement, nombre de requêtes constant."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import Role
from conventions import services
from conventions.models import Moyen, NatureMoyen
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.conventions.test_conventions import nouvelle_convention

pytestmark = pytest.mark.django_db


@pytest.fixture
def convention(equipe):
    c = nouvelle_convention(equipe.departement, intitule="Convention du Doubs")
    services.signer_convention(convention=c, par=equipe.animatrice)
    services.ajouter_avenant(
        convention=c,
        par=equipe.animatrice,
        numero=1,
        objet="Prolongation",
        date_signature=dt.date(2016, 11, 15),
        date_effet=dt.date(2017, 1, 1),
        nouvelles_valeurs={"date_echeance": dt.date(2018, 12, 31)},
    )
    return c


@pytest.mark.parametrize("qui", ["conseiller", "dedie", "ts", "correspondant", "animatrice"])
def test_chaque_role_du_departement_lit(client_de, equipe, convention, qui):
    client = client_de(getattr(equipe, qui))
    liste = client.get(reverse("conventions:conventions"))
    assert liste.status_code == 200
    assert "Convention du Doubs" in liste.content.decode()
    fiche = client.get(reverse("conventions:convention", args=[convention.uuid]))
    assert fiche.status_code == 200
    assert "Claude Jeannerot, Président" in fiche.content.decode()


def test_convention_d_un_autre_departement_introuvable(client_de, equipe, convention):
    ailleurs = MembershipFactory(role=Role.ANIMATRICE, structure__departement=DepartementFactory())
    client = client_de(ailleurs)
    assert client.get(reverse("conventions:convention", args=[convention.uuid])).status_code == 404
    assert (
        "Convention du Doubs" not in client.get(reverse("conventions:conventions")).content.decode()
    )


def test_version_a_une_date(client_de, equipe, convention):
    client = client_de(equipe.conseiller)
    url = reverse("conventions:convention", args=[convention.uuid])
    avant = client.get(url, {"date": "31/12/2016"}).content.decode()
    assert "échéance le 31/12/2016" in avant
    assert "texte signé, sans avenant" in avant
    assert "pas encore en vigueur à cette date" in avant
    apres = client.get(url, {"date": "01/01/2017"}).content.decode()
    assert "échéance le 31/12/2018" in apres
    assert "modifié par l'avenant n° 1" in apres
    assert "Modifie : date d&#x27;échéance" in apres
    assert "400\u202f000,00\u202f€" in apres


def test_date_invalide(client_de, equipe, convention):
    reponse = client_de(equipe.conseiller).get(
        reverse("conventions:convention", args=[convention.uuid]), {"date": "32/13/2016"}
    )
    assert reponse.status_code == 200
    assert "Saisissez une date au format jj/mm/aaaa." in reponse.content.decode()


def _requetes(client, url):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_nombre_de_requetes_constant(client_de, equipe, convention):
    client = client_de(equipe.conseiller)
    url = reverse("conventions:convention", args=[convention.uuid])

    def ajouter(n, debut):
        for i in range(n):
            Moyen.objects.create(
                convention=convention,
                nature=NatureMoyen.FINANCEMENT,
                libelle=f"Financement {debut + i}",
                montant=Decimal("1000"),
                financeur="FSE",
            )
            services.ajouter_avenant(
                convention=convention,
                par=equipe.animatrice,
                numero=debut + i,
                objet=f"Objectif {debut + i}",
                date_signature=dt.date(2015, 1, 1),
                date_effet=dt.date(2015, 1, 1) + dt.timedelta(days=debut + i),
                nouvelles_valeurs={"objectif_personnes_par_an": 100 + debut + i},
            )

    ajouter(4, 2)  # 5 avenants, 5 moyens
    a_5 = _requetes(client, url)
    ajouter(45, 6)  # 50 avenants, 50 moyens
    a_50 = _requetes(client, url)
    assert a_5 == a_50
    liste = reverse("conventions:conventions")
    assert _requetes(client, liste) == _requetes(client, liste)
