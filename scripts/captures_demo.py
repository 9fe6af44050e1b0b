"""Captures de la page « Aujourd'hui » de chaque compte de démonstration (docs/captures/),
à 1 366 px de large, contre un serveur de démonstration en marche (`make run`).

    make run PORT=8766 &            # attendre la fin du chargement (var/seed_demo.log)
    .venv/bin/python scripts/captures_demo.py --url http://127.0.0.1:8766

Chromium de Debian (/usr/bin/chromium) par Playwright, comme les parcours navigateur."""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

MOT_DE_PASSE = "Demo-Accompagnement-2026"  # public : celui de la démonstration (README)
COMPTES = {
    "conseiller": "conseiller@demo.test",
    "conseiller-dedie": "conseiller.dedie@demo.test",
    "travailleur-social": "travailleur.social@demo.test",
    "correspondant": "correspondant@demo.test",
    "animatrice": "animatrice@demo.test",
    "administrateur": "administrateur@demo.test",
}
CAPTURES = Path(__file__).resolve().parent.parent / "docs" / "captures"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--largeur", type=int, default=1366)
    args = parser.parse_args()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        navigateur = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        for nom, email in COMPTES.items():
            contexte = navigateur.new_context(
                locale="fr-FR", viewport={"width": args.largeur, "height": 900}
            )
            page = contexte.new_page()
            page.goto(f"{args.url}/connexion/")
            page.get_by_label("Courriel professionnel").fill(email)
            page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_load_state("networkidle")
            largeur = page.evaluate("document.documentElement.scrollWidth")
            chemin = CAPTURES / f"aujourdhui-{nom}.png"
            page.screenshot(path=str(chemin), full_page=True)
            print(f"{chemin.name} : largeur du document {largeur} px")
            contexte.close()
        navigateur.close()


if __name__ == "__main__":
    main()
