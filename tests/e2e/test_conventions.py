"""La fiche d'une convention dans un vrai navigateur : menu, version en vigueur à une date
(avant et après l'avenant) ; capture dans var/captures/."""

import pytest
from playwright.sync_api import expect

from accompagnement.models import Role
from conventions import demo_conventions
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.e2e.test_ressources import se_connecter

pytestmark = pytest.mark.e2e


@pytest.fixture
def doubs(transactional_db):
    dep = DepartementFactory(code_insee="25", nom="Doubs")
    direction = StructureFactory(departement=dep, direction=True, nom="Direction de l'insertion")
    MembershipFactory(
        role=Role.ANIMATRICE,
        structure=direction,
        user__email="animatrice@e2e.test",
        user__prenom="Claire",
        user__nom="Martin",
    )
    demo_conventions.charger(departement=dep)
    return dep


def test_l_animatrice_lit_la_convention_a_une_date(page, live_server, doubs, capture):
    se_connecter(page, live_server, "animatrice@e2e.test")
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Convention pour l'approche globale").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Département du Doubs")
    page.get_by_label("Version en vigueur le").fill("31/12/2014")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("status")).to_contain_text("texte signé, sans avenant")
    expect(page.get_by_text("échéance non fixée")).to_be_visible()
    page.get_by_label("Version en vigueur le").fill("01/01/2015")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("status")).to_contain_text("modifié par l'avenant n° 1")
    expect(page.get_by_text("échéance le 31/12/2017")).to_be_visible()
    expect(page.get_by_text("Claude Jeannerot, Président du Département")).to_be_visible()
    capture("convention_doubs")


def test_l_animatrice_genere_la_synthese_pdf(
    page, live_server, doubs, capture, taches_immediates, settings, tmp_path
):
    """Génération depuis la fiche (bloc chargé par htmx), état puis lien, téléchargement
    d'un vrai PDF ; la régénération ajoute la version 2 et garde la 1."""
    settings.MEDIA_ROOT = tmp_path / "media"
    se_connecter(page, live_server, "animatrice@e2e.test")
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.get_by_role("link", name="Convention pour l'approche globale").click()
    bloc = page.locator("#syntheses-convention")
    expect(bloc).to_contain_text("Aucune synthèse générée")
    bloc.get_by_role("button", name="Générer la synthèse PDF").click()
    lien = bloc.get_by_role("link", name="Télécharger la version 1")
    expect(lien).to_be_visible(timeout=60_000)
    with page.expect_download() as telechargement:
        lien.click()
    chemin = telechargement.value.path()
    with open(chemin, "rb") as fichier:
        assert fichier.read(5) == b"%PDF-"
    bloc.get_by_role("button", name="Régénérer la synthèse (nouvelle version)").click()
    expect(bloc.get_by_role("link", name="Télécharger la version 2")).to_be_visible(timeout=60_000)
    expect(bloc.get_by_role("link", name="Télécharger la version 1")).to_be_visible()
    capture("convention_synthese")
