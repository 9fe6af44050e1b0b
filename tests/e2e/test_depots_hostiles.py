"""Parcours : un professionnel dépose un PDF piégé (JavaScript), puis un fichier trop gros
(corps refusé avant lecture, 413) ; rien n'est déposé, les pages le disent en français."""

import pytest
from playwright.sync_api import expect

from tests.accompagnement import pdfs
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_suivi import dossier_en_axe_2

pytestmark = pytest.mark.e2e


def test_depot_d_un_pdf_piege_puis_d_un_fichier_trop_gros(
    page, live_server, demo, capture, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    dossier = dossier_en_axe_2()
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/documents/")
    page.get_by_role("link", name="Déposer un document").click()
    formulaire = page.url

    page.get_by_label("Fichier").set_input_files(
        files=[
            {"name": "releve.pdf", "mimeType": "application/pdf", "buffer": pdfs.pdf_javascript()}
        ]
    )
    page.get_by_label("Catégorie").select_option(label="Justificatif")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Ce PDF contient du JavaScript")).to_be_visible()
    capture("depot-pdf-javascript-refuse")

    page.goto(formulaire)
    page.get_by_label("Fichier").set_input_files(
        files=[
            {
                "name": "scan.pdf",
                "mimeType": "application/pdf",
                "buffer": pdfs.pdf_rembourre(12 * 1024 * 1024),
            }
        ]
    )
    page.get_by_label("Catégorie").select_option(label="Justificatif")
    with page.expect_response(lambda r: r.request.method == "POST") as attente:
        page.get_by_role("button", name="Déposer").click()
    assert attente.value.status == 413
    expect(page.get_by_role("heading", name="Fichier trop volumineux")).to_be_visible()
    capture("depot-trop-gros-413")
    assert not dossier.documents.exists()
