"""Reporting dans le navigateur : l'animatrice ouvre le tableau de bord par le menu,
filtre sur mars 2026, suit une tuile jusqu'à sa liste (même nombre), ouvre les rapports
figés et télécharge le PDF ; le correspondant insertion ne voit que son territoire.
Captures (1366 px) copiées dans docs/captures/."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reporting import services
from reporting.catalogue import Mois, Perimetre
from tests.conftest import MOT_DE_PASSE
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter
from tests.reporting.fixture_mensuelle import construire
from tests.reporting.test_tableau import _ajouter_dossiers

DOCS = Path(__file__).resolve().parents[2] / "docs" / "captures"


@pytest.fixture
def f(transactional_db):
    return construire()


def _copier(nom):
    DOCS.mkdir(exist_ok=True)
    shutil.copy(CAPTURES / f"{nom}.png", DOCS / f"{nom}.png")


def test_tableau_de_bord_rapports_et_pdf(page, live_server, f, capture):
    page.set_viewport_size({"width": 1366, "height": 900})
    for p in [
        Perimetre(f.departement),
        Perimetre(f.departement, f.t1),
        Perimetre(f.departement, f.t2),
    ]:
        services.generer_rapport(perimetre=p, mois=Mois(2026, 3))
    se_connecter(page, live_server, f.animatrice.user.email, MOT_DE_PASSE)
    page.locator("#menu").get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Tableau de bord"))).to_be_visible()
    page.get_by_label("Mois").select_option("2026-03")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("heading", name="Tableau de bord — mars 2026")).to_be_visible()
    tuile = page.locator(".ag-tuile").filter(has_text="File active en fin de mois")
    expect(tuile).to_contain_text("3")
    expect(page.locator("svg.graphique")).to_have_count(3)
    # Mars est figé : ses chiffres sont ceux du rapport publié, et la page le dit.
    expect(page.locator("#source-chiffres")).to_contain_text("Chiffres publiés")
    capture("reporting-tableau-de-bord")
    _copier("reporting-tableau-de-bord")

    tuile.click()
    expect(
        page.get_by_role("heading", name="File active en fin de mois — mars 2026")
    ).to_be_visible()
    expect(page.locator("#nombre-liste")).to_have_text("3")
    expect(page.locator("tbody tr")).to_have_count(3)
    capture("reporting-liste-tuile")
    _copier("reporting-liste-tuile")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Exporter (XLSX, pseudonymisé)").click()
    assert telechargement.value.suggested_filename == "file_active-2026-03.xlsx"

    page.locator("#menu").get_by_role("link", name="Rapports").click()
    expect(page.get_by_role("heading", name="Rapports mensuels")).to_be_visible()
    expect(page.get_by_text("version courante")).to_have_count(3)
    capture("reporting-rapports")
    _copier("reporting-rapports")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name=re.compile("^PDF")).first.click()
    chemin = CAPTURES / "reporting-rapport-mensuel.pdf"
    telechargement.value.save_as(chemin)
    assert chemin.read_bytes().startswith(b"%PDF")

    # Une entrée saisie après le rapport : la tuile garde le chiffre publié, la liste est à
    # l'instant et dit d'où vient l'écart.
    _ajouter_dossiers(f, 2)
    page.goto(f"{live_server.url}/reporting/tableau-de-bord/?mois=2026-03")
    expect(tuile).to_contain_text("3")
    tuile.click()
    expect(page.locator("#nombre-liste")).to_have_text("5")
    expect(page.locator("#ecart-publie")).to_contain_text("chiffre publié")
    capture("reporting-liste-ecart-publie")
    _copier("reporting-liste-ecart-publie")
    se_deconnecter(page)

    se_connecter(page, live_server, f.correspondant_t1.user.email, MOT_DE_PASSE)
    page.locator("#menu").get_by_role("link", name="Rapports").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Territoire 1")
    expect(page.get_by_role("link", name="Régénérer")).to_have_count(0)
    expect(page.locator("#menu").get_by_role("link", name="Tableau de bord")).to_have_count(0)


def test_gros_export_en_tache_avec_progression(
    page, live_server, f, capture, settings, taches_immediates
):
    """Au-delà du seuil, l'export de la liste part en tâche (mode immédiat sans broker) ;
    la page de l'export montre sa progression puis le lien de téléchargement ; une autre
    animatrice n'y a pas accès (404)."""
    from accompagnement.models import Role
    from reporting.models import ExportDiffere
    from tests.accompagnement.factories import MembershipFactory

    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 2
    page.set_viewport_size({"width": 1366, "height": 900})
    se_connecter(page, live_server, f.animatrice.user.email, MOT_DE_PASSE)
    page.goto(
        f"{live_server.url}/reporting/tableau-de-bord/liste/?mois=2026-03&indicateur=file_active"
    )
    expect(page.get_by_text("préparé en arrière-plan")).to_be_visible()
    page.get_by_role("link", name="Exporter (XLSX, pseudonymisé)").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Export"))).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("préparé en arrière-plan")
    expect(page.locator("#etat-export-texte")).to_contain_text("Prêt")
    expect(page.get_by_role("progressbar", name="Progression de l'export")).to_have_attribute(
        "aria-valuenow", "100"
    )
    capture("reporting-export-differe")
    _copier("reporting-export-differe")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name=re.compile("^Télécharger")).click()
    assert telechargement.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="Mes exports").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("File active en fin de mois")
    capture("reporting-mes-exports")
    _copier("reporting-mes-exports")
    export = ExportDiffere.objects.get()
    se_deconnecter(page)

    autre = MembershipFactory(role=Role.ANIMATRICE, structure=f.animatrice.structure)
    se_connecter(page, live_server, autre.user.email, MOT_DE_PASSE)
    reponse = page.goto(f"{live_server.url}/reporting/exports/{export.uuid}/")
    assert reponse.status == 404


def test_page_d_un_rapport_fige_et_index_de_l_administration(page, live_server, f, capture):
    """L'animatrice ouvre un rapport figé depuis la liste (chiffres, info-bulle de
    définition au clavier, graphiques, ventilations d'un autre indicateur), puis l'index de
    l'administration avec les tuiles du mois et les files de travail."""
    page.set_viewport_size({"width": 1366, "height": 900})
    services.generer_rapport(perimetre=Perimetre(f.departement), mois=Mois(2026, 3))
    f.animatrice.user.is_staff = True
    f.animatrice.user.save()
    se_connecter(page, live_server, f.animatrice.user.email, MOT_DE_PASSE)
    page.locator("#menu").get_by_role("link", name="Rapports").click()
    page.get_by_role("link", name=re.compile("^Département")).click()
    expect(page.get_by_role("heading", level=1, name="Rapport mensuel — mars 2026")).to_be_visible()
    expect(page.get_by_text("version courante")).to_be_visible()
    expect(page.locator("svg.graphique")).to_have_count(3)
    bouton = page.locator('button[aria-describedby="def-file_active"]')
    bouton.focus()
    expect(page.locator("#def-file_active")).to_be_visible()
    expect(page.locator("#def-file_active")).to_contain_text("Personnes sur une période")
    capture("reporting-rapport-fige")
    _copier("reporting-rapport-fige")
    page.get_by_label("Indicateur ventilé").select_option("sorties")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="Ventilations — Sorties du dispositif")).to_be_visible()
    expect(page.get_by_role("table", name="Motif de sortie")).to_be_visible()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le PDF").click()
    assert telechargement.value.suggested_filename == "rapport-2026-03-v1.pdf"

    page.goto(f"{live_server.url}/admin/")
    encart = page.locator("#tableau-de-bord-admin")
    expect(encart.get_by_role("heading", name=re.compile("^Tableau de bord —"))).to_be_visible()
    expect(encart.get_by_role("link", name="File active en fin de mois")).to_be_visible()
    capture("reporting-admin-index")
    _copier("reporting-admin-index")
