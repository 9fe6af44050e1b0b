"""Captures de chaque page « Aujourd'hui » sur la démonstration complète (1366 px), copiées
dans docs/captures/. À part de test_coordination.py : c'est le parcours le plus long (la
démonstration complète est chargée dans la base transactionnelle) ; seul dans son fichier,
il part en premier sur un worker pendant que l'autre prend les parcours de coordination
(`--dist loadfile`, décision sur l'ordre des fichiers)."""

from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_coordination import LARGEUR, capture_aujourdhui
from tests.e2e.test_dossiers import se_deconnecter


def test_captures_des_pages_aujourdhui(page, live_server, demo):
    """La démonstration complète (parcours, demandes d'entrée), puis chaque rôle."""
    call_command("seed_demo", force=True)
    for email, role in (
        ("conseiller@demo.test", "conseiller"),
        ("conseiller.dedie@demo.test", "conseiller-dedie"),
        ("travailleur.social@demo.test", "travailleur-social"),
        ("correspondant@demo.test", "correspondant"),
        ("animatrice@demo.test", "animatrice"),
    ):
        se_connecter(page, live_server, email, demo)
        capture_aujourdhui(page, role)
        se_deconnecter(page)
    # L'administrateur n'a pas de files : son accueil reste celui des structures.
    se_connecter(page, live_server, "administrateur@demo.test", demo)
    page.set_viewport_size(LARGEUR)
    expect(page.get_by_text("Structures et effectifs du département")).to_be_visible()
    expect(page.locator("#menu").get_by_role("link", name="Aujourd'hui")).to_have_count(0)
    page.screenshot(path=str(CAPTURES / "aujourdhui-administrateur.png"), full_page=True)
    se_deconnecter(page)
