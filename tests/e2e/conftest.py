"""Parcours dans un vrai navigateur : Playwright pilote le Chromium de Debian."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as ErreurPlaywright

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


# Impacts axe-core qui font échouer un parcours (RGAA : 0 violation critique ou sérieuse).
IMPACTS_BLOQUANTS = ("critical", "serious")
_AXE = Axe()
# Empreinte du DOM rendu (chemin, longueur et deux hachages FNV-1a du HTML sérialisé),
# jetons CSRF et nonces effacés : ce sont les seules parties qui changent d'un rendu à
# l'autre d'un même état de page.
_FONCTION_EMPREINTE = """() => {
  const html = document.documentElement.outerHTML.replace(
    /(csrfmiddlewaretoken" value="|X-CSRFToken&quot;: &quot;|nonce=")[^"&]*/g, "$1");
  let a = 0x811c9dc5, b = 0x01000193;
  for (let i = 0; i < html.length; i++) {
    const c = html.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 2246822519);
  }
  return location.pathname + location.search + ":" + html.length + ":"
    + (a >>> 0).toString(16) + (b >>> 0).toString(16);
}"""
# axe injecté et lancé en un seul aller-retour, seules les violations détaillées ; avec
# l'empreinte du DOM avant et après : un résultat n'est gardé que si la page n'a pas
# changé pendant l'analyse.
_ANALYSE_AXE = (
    _AXE.axe_script
    + ";\n(async () => { const empreinte = "
    + _FONCTION_EMPREINTE
    + '; const avant = empreinte(); const r = await axe.run({"resultTypes": ["violations"]});'
    + " return {avant, apres: empreinte(), violations: r.violations}; })()"
)
# Empreinte → violations bloquantes trouvées, pour tout le processus : un état de page
# identique (même HTML, mêmes feuilles de style, même fenêtre) donne le même résultat
# d'axe ; il n'est analysé qu'une fois, et ses violations sont reportées à chaque visite
# (décision 100). Un tiers des analyses d'une suite complète étaient de tels doublons.
_DEJA_ANALYSEES: dict[str, list[dict]] = {}


class Accessibilite:
    """Analyse axe-core (embarqué par axe-playwright-python, aucun CDN) des pages visitées.

    Chaque page chargée (événement « load ») est analysée automatiquement ; `analyser()`
    relance l'analyse sur l'état courant (après un échange htmx, une boîte ouverte…).
    Les violations critiques ou sérieuses sont accumulées et font échouer le test à la fin
    (ou tout de suite avec `verifier()`), avec la règle, la page et les éléments en cause.
    Un état de page déjà analysé dans ce processus (même empreinte du DOM) n'est pas
    réanalysé : ses violations sont reprises telles quelles.
    """

    def __init__(self, page):
        self.page = page
        self.violations: dict[tuple[str, str], dict] = {}
        self.pages_analysees: list[str] = []

    def analyser(self) -> list[dict]:
        try:
            if self.page.is_closed() or self.page.url in ("", "about:blank"):
                return []
            url = self.page.url
            trouvees = _DEJA_ANALYSEES.get(self.page.evaluate(_FONCTION_EMPREINTE))
            if trouvees is None:
                resultats = self.page.evaluate(_ANALYSE_AXE)
                trouvees = [v for v in resultats["violations"] if v["impact"] in IMPACTS_BLOQUANTS]
                if resultats["avant"] == resultats["apres"]:
                    _DEJA_ANALYSEES[resultats["avant"]] = trouvees
        except ErreurPlaywright:
            # La page a changé pendant l'analyse : la suivante sera analysée à son chargement.
            return []
        self.pages_analysees.append(url)
        for violation in trouvees:
            cle = (url.split("?")[0], violation["id"])
            self.violations.setdefault(cle, {**violation, "url": url})
        return trouvees

    def rapport(self) -> str:
        lignes = [
            f"{len(self.violations)} violation(s) d'accessibilité critique(s) ou sérieuse(s) :"
        ]
        for violation in self.violations.values():
            lignes.append(
                f"- [{violation['impact']}] {violation['id']} : {violation['help']}"
                f" ({violation['url']})"
            )
            for noeud in violation["nodes"][:5]:
                cible = " ".join(str(t) for t in noeud["target"])
                lignes.append(f"    cible : {cible}")
                resume = (noeud.get("failureSummary") or "").replace("\n", " ; ")
                if resume:
                    lignes.append(f"      {resume[:300]}")
            if len(violation["nodes"]) > 5:
                lignes.append(f"    … et {len(violation['nodes']) - 5} autre(s) élément(s)")
        return "\n".join(lignes)

    def verifier(self) -> None:
        self.analyser()
        if self.violations:
            pytest.fail(self.rapport(), pytrace=False)


@pytest.fixture(autouse=True)
def accessibilite(request):
    """Branchée sur tout parcours qui utilise `page` : 0 violation critique ou sérieuse."""
    if "page" not in request.fixturenames:
        yield None
        return
    page = request.getfixturevalue("page")
    analyse = Accessibilite(page)
    page.on("load", lambda _page: analyse.analyser())
    yield analyse
    analyse.verifier()


@pytest.fixture
def capture(page, accessibilite):
    """capture("nom") : analyse l'accessibilité de la page et l'enregistre dans var/captures/."""
    CAPTURES.mkdir(parents=True, exist_ok=True)

    def _capture(nom: str) -> Path:
        accessibilite.analyser()
        chemin = CAPTURES / f"{nom}.png"
        page.screenshot(path=str(chemin), full_page=True)
        return chemin

    return _capture


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    call_command("seed_demo", force=True, minimal=True)
    return settings.DEMO_MOT_DE_PASSE
