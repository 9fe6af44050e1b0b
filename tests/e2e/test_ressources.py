"""L'annuaire des ressources dans un vrai navigateur : recherche rafraîchie par htmx (sous
la politique de sécurité stricte), filtres, fiche d'un service ; captures d'écran dans
var/captures/."""

import re

import pytest
from playwright.sync_api import expect

from accompagnement.models import Role
from conventions import demo
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.e2e


@pytest.fixture
def doubs(transactional_db):
    dep = DepartementFactory(code_insee="25", nom="Doubs")
    agence = StructureFactory(departement=dep, agence=True, nom="Agence Pontarlier")
    territoire = StructureFactory(departement=dep, territoire=True, nom="Territoire Haut-Doubs")
    MembershipFactory(
        role=Role.CONSEILLER,
        structure=agence,
        user__email="conseiller@e2e.test",
        user__prenom="Camille",
        user__nom="Roussel",
    )
    MembershipFactory(
        role=Role.CORRESPONDANT_INSERTION,
        structure=territoire,
        user__email="correspondant@e2e.test",
        user__prenom="Sophie",
        user__nom="Girard",
    )
    demo.charger(departement=dep)
    return dep


def se_connecter(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Courriel professionnel").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_le_conseiller_cherche_une_ressource_et_ouvre_sa_fiche(page, live_server, doubs, capture):
    se_connecter(page, live_server, "conseiller@e2e.test")
    page.get_by_role("link", name="Ressources", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Ressources sociales"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d{3} services"))).to_be_visible()
    capture("ressources-annuaire")
    # Recherche sans accents : htmx rafraîchit la liste et l'adresse.
    page.get_by_role("searchbox", name="Rechercher").fill("precarite energetique")
    expect(page).to_have_url(re.compile(r"q=precarite"))
    premier = page.locator("#resultats h2 a").first
    expect(premier).to_have_text("Aide aux factures d'énergie (précarité énergétique)")
    page.get_by_label("Commune de la personne").fill("25462")
    page.get_by_label("Commune de la personne").press("Enter")
    expect(page.get_by_text("1 service", exact=True)).to_be_visible()
    capture("ressources-recherche")
    premier.click()
    expect(page.get_by_role("heading", name=re.compile("précarité énergétique"))).to_be_visible()
    expect(page.get_by_role("heading", name="Comment mobiliser ce service")).to_be_visible()
    expect(page.get_by_text("CCAS de Pontarlier").first).to_be_visible()
    capture("ressources-fiche-service")


def test_le_correspondant_voit_les_fiches_a_verifier(page, live_server, doubs, capture):
    se_connecter(page, live_server, "correspondant@e2e.test")
    page.get_by_role("link", name="Ressources", exact=True).click()
    page.get_by_role("link", name="Services à vérifier").click()
    expect(page.get_by_role("heading", name="Services à vérifier")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ services? à vérifier"))).to_be_visible()
    capture("ressources-a-verifier")


def test_le_correspondant_saisit_un_service_local(page, live_server, doubs, capture):
    se_connecter(page, live_server, "correspondant@e2e.test")
    page.get_by_role("link", name="Ressources", exact=True).click()
    page.get_by_role("link", name="Ajouter un service").click()
    page.get_by_label("Structure porteuse").select_option(label="CCAS de Pontarlier")
    page.get_by_label("Nom").first.fill("Permanence énergie du jeudi")
    page.get_by_label("Zone d'éligibilité (codes INSEE)").fill("25462, Pontarlier")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Choisissez au moins une thématique.")).to_be_visible()
    expect(page.get_by_text("Codes non reconnus : PONTARLIER.")).to_be_visible()
    capture("ressources-saisie-erreurs")
    page.get_by_label("Description").fill("Conseils pour réduire ses factures d'énergie.")
    page.get_by_label("Thématiques").select_option(
        "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"
    )
    page.get_by_label("Zone d'éligibilité (codes INSEE)").fill("25462")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Permanence énergie du jeudi")).to_be_visible()
    expect(page.get_by_text("source : locale")).to_be_visible()
    capture("ressources-service-local")
