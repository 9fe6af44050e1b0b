"""Parcours dans un vrai navigateur : Playwright pilote le Chromium de Debian."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Hors de test-results/, que pytest-playwright vide à chaque session.
CAPTURES = Path(__file__).resolve().parents[2] / "var" / "captures"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} manquant : apt-get install chromium (fait par `make test`).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--lang=fr-FR",  # champs date affichés jj/mm/aaaa
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def capture(page):
    """capture("nom") : enregistre une capture de la page dans var/captures/."""
    CAPTURES.mkdir(parents=True, exist_ok=True)

    def _capture(nom: str) -> Path:
        chemin = CAPTURES / f"{nom}.png"
        page.screenshot(path=str(chemin), full_page=True)
        return chemin

    return _capture


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    call_command("seed_demo", force=True, minimal=True)
    return settings.DEMO_MOT_DE_PASSE
