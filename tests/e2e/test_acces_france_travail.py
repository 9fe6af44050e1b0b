"""Ticket 11 dans le navigateur : le conseiller de l'agence ne voit que le statut d'un
dossier en axe 2 (sa place a été relayée à l'entrée), et deux saisies concurrentes de la
fiche d'une personne : la seconde est arrêtée (409) sans rien effacer ni perdre."""

import re

from playwright.sync_api import expect

from dossiers.models import RoleAffectation
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_suivi import dossier_en_axe_2


def test_le_conseiller_ne_voit_que_le_statut_en_axe_2(page, live_server, demo, capture):
    dossier = dossier_en_axe_2()  # ouvert par conseiller@demo.test, puis orienté en axe 2
    assert dossier.affectations.filter(
        role=RoleAffectation.CONSEILLER, professionnel__email="conseiller@demo.test"
    ).exists()
    assert not dossier.affectations.filter(
        role=RoleAffectation.CONSEILLER, date_fin__isnull=True
    ).exists()  # relayée à l'entrée en axe 2
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/")
    expect(page.get_by_text("Vous voyez le statut de ce dossier")).to_be_visible()
    expect(page.get_by_text("En accompagnement", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Clôturer")).to_have_count(0)
    expect(page.get_by_role("link", name="Ajouter une note")).to_have_count(0)
    capture("acces-ft-conseiller-statut-axe-2")
    for page_suivi in ("notes", "plan", "aides", "documents", "journal"):
        reponse = page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/{page_suivi}/")
        assert reponse.status in (403, 404), page_suivi


def test_deux_saisies_concurrentes_de_la_fiche(page, context, live_server, demo):
    dossier = dossier_en_axe_2()
    se_connecter(page, live_server, "animatrice@demo.test", demo)
    expect(page).not_to_have_url(re.compile("/connexion/"))
    adresse = f"{live_server.url}/dossiers/{dossier.uuid}/personne/"
    autre = context.new_page()  # même compte, second onglet ouvert sur la même fiche
    page.goto(adresse)
    autre.goto(adresse)
    page.get_by_label("Téléphone").fill("06 01 02 03 04")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Fiche mise à jour.")).to_be_visible()

    autre.get_by_label("Commune", exact=True).fill("Pontarlier")
    autre.get_by_role("button", name="Enregistrer").click()
    expect(autre.get_by_text("modifiée par quelqu'un d'autre pendant votre saisie")).to_be_visible()
    expect(autre.get_by_label("Commune", exact=True)).to_have_value("Pontarlier")
    CAPTURES.mkdir(parents=True, exist_ok=True)
    autre.screenshot(path=str(CAPTURES / "acces-ft-fiche-conflit.png"), full_page=True)
    dossier.demandeur.refresh_from_db()
    assert dossier.demandeur.telephone.replace(" ", "") == "0601020304"
