"""Broker injoignable dans le navigateur (ticket 14, point 4) : l'animatrice demande un gros
export ; la page répond, dit que l'export est enregistré « en attente » et qu'il partira
au retour du service de calcul. Capture copiée dans docs/captures/."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as reglages
from playwright.sync_api import expect

from tests.conftest import MOT_DE_PASSE
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.reporting.fixture_mensuelle import construire
from tests.reporting.test_pannes import broker_injoignable  # noqa: F401 — fixture

DOCS = Path(__file__).resolve().parents[2] / "docs" / "captures"

pytestmark = pytest.mark.skipif(
    reglages.CELERY_TASK_ALWAYS_EAGER, reason="CELERY_BROKER_URL non défini"
)


def test_export_en_attente_sans_broker(
    page, live_server, transactional_db, capture, settings, broker_injoignable
):
    from reporting.models import EtatExport, ExportDiffere

    f = construire()
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 2
    page.set_viewport_size({"width": 1366, "height": 900})
    se_connecter(page, live_server, f.animatrice.user.email, MOT_DE_PASSE)
    page.goto(
        f"{live_server.url}/reporting/tableau-de-bord/liste/?mois=2026-03&indicateur=file_active"
    )
    page.get_by_role("link", name="Exporter (XLSX, pseudonymisé)").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Export"))).to_be_visible()
    expect(page.get_by_text("momentanément injoignable")).to_be_visible()
    expect(page.locator("#etat-export-texte")).to_contain_text("En attente")
    assert ExportDiffere.objects.get().etat == EtatExport.EN_ATTENTE
    capture("pannes-export-en-attente")
    DOCS.mkdir(exist_ok=True)
    shutil.copy(CAPTURES / "pannes-export-en-attente.png", DOCS / "pannes-export-en-attente.png")
