"""RGPD dans le navigateur : le conseiller dédié note l'information et l'accord de la
personne sur sa fiche ; l'administrateur du département la retrouve et exporte ses
données (droit d'accès) en JSON puis en PDF, après confirmation."""

import json
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import ActionAudit, EvenementAudit
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter
from tests.e2e.test_suivi import dossier_en_axe_2


def test_information_accord_puis_droit_d_acces(page, live_server, demo, capture):
    dossier = dossier_en_axe_2()
    aujourdhui = timezone.localdate()

    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/")
    expect(page.locator("#accord-transmission")).to_contain_text("Pas d'accord enregistré")
    page.locator("#accord-transmission").get_by_role("link", name="Information et accord").click()
    expect(page.get_by_role("heading", name="Information et accord de la personne")).to_be_visible()
    page.get_by_label("Personne informée du traitement de ses données le").fill(
        aujourdhui.isoformat()
    )
    page.get_by_label("Informée comment").select_option("oral")
    page.get_by_label(re.compile("La personne accepte que ses coordonnées")).check()
    page.get_by_label("Accord recueilli le").fill(aujourdhui.isoformat())
    page.get_by_label("Accord recueilli comment").select_option("signe")
    capture("rgpd-information-accord")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Information et accord de la personne enregistrés.")).to_be_visible()
    expect(page.locator("#accord-transmission")).to_contain_text(
        f"Accord du {aujourdhui:%d/%m/%Y} (document signé par la personne)"
    )
    expect(page.locator("#information-personne")).to_contain_text(
        f"Informée le {aujourdhui:%d/%m/%Y}"
    )
    se_deconnecter(page)

    se_connecter(page, live_server, "administrateur@demo.test", demo)
    page.locator("#menu").get_by_role("button", name=re.compile(".+")).last.click()
    page.get_by_role("link", name="Droits des personnes").click()
    expect(page.get_by_role("heading", name=re.compile("Droits des personnes"))).to_be_visible()
    expect(page.get_by_text("aucune liste n'est affichée sans recherche")).to_be_visible()
    page.get_by_label("Nom, prénom ou identifiant France Travail").fill("Perrin-Semaine")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=re.compile("Droit d'accès")).first.click()
    expect(
        page.get_by_role("heading", name=re.compile("Droit d'accès — Madame Maëlys"))
    ).to_be_visible()
    expect(page.get_by_text("Notes :")).to_have_count(0)  # aucune note encore
    expect(page.get_by_text(re.compile("Périodes sur les axes : 1"))).to_be_visible()
    # Sans confirmation : refusé, message clair.
    page.get_by_role("button", name="Exporter les données").click()
    expect(page.get_by_text("Cochez la case pour confirmer la demande.")).to_be_visible()
    page.get_by_label("JSON (format structuré, portable)").check()
    page.get_by_label("Référence de la demande").fill("Courrier reçu le 30/11")
    page.get_by_label(re.compile("Je confirme que la demande vient de la personne")).check()
    capture("rgpd-droit-acces")
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Exporter les données").click()
    donnees = json.loads(Path(telechargement.value.path()).read_text(encoding="utf-8"))
    assert donnees["personne"]["Nom d'usage"] == "Perrin-Semaine"
    assert donnees["personne"]["Accord recueilli comment"] == "Document signé par la personne"
    assert donnees["rubriques"]["Périodes sur les axes"][0]["Axe"].startswith("Axe 2")

    page.get_by_label("PDF (à remettre ou envoyer à la personne)").check()
    page.get_by_label(re.compile("Je confirme que la demande vient de la personne")).check()
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Exporter les données").click()
    pdf = CAPTURES / "droit-acces.pdf"
    telechargement.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    formats = EvenementAudit.objects.filter(
        action=ActionAudit.EXPORT, details__document="droit_acces"
    ).values_list("details__format", flat=True)
    assert sorted(formats) == ["json", "pdf"]
