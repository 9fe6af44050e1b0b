"""Charge de 50 utilisateurs contre un vrai serveur (ticket 14, point 2) : gunicorn,
4 workers, `DEBUG=false`, sur le département à l'échelle (`manage.py bench_data`), et
locust sans interface (`bench/locustfile.py`), borné en durée.

    BENCH_ECHELLE_DATABASE_URL=postgres://…/acc_bench_grand python -m bench.charge [--duree 60]

Les acteurs et les pages sont ceux de `bench.pages` (professionnel de charge médiane de
chaque rôle, dossier typique et plus gros dossier) ; les PDF en sont exclus (WeasyPrint,
mesurés à part). Les sessions sont ouvertes d'avance dans la base (pas de connexion pendant
la mesure). locust est une dépendance de développement (décision 81) ; `--locust` désigne
un autre exécutable. Résultat : débit et p95 par page dans bench/resultats/charge.json et
le tableau de bench/README.md entre `<!-- charge:debut -->` et `<!-- charge:fin -->`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import pages as bench_pages

RACINE = Path(__file__).resolve().parents[1]
RESULTATS = Path(__file__).resolve().parent / "resultats" / "charge.json"
OBJECTIF_P95_MS = 300


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def preparer(departement: str) -> dict:
    """Les pages de la mesure et une session ouverte par rôle (cookie de session)."""
    from django.conf import settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    choix = bench_pages.choisir(departement)
    sessions = {}
    for role, membership in choix["acteurs"].items():
        if membership is not None:
            client = bench_pages.client_de(membership)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    liste = [
        {"nom": p["nom"], "role": p["role"], "url": p["url"]}
        for p in bench_pages.pages(choix)
        if "PDF" not in p["nom"] and p["role"] in sessions
    ]
    return {"cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions, "pages": liste}


def demarrer_gunicorn(port: int, workers: int, journal) -> subprocess.Popen:
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    processus = subprocess.Popen(  # noqa: S603 (gunicorn du virtualenv, arguments fixes)
        [str(gunicorn), "accompagnement.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120", "--access-logfile", "-"],
        cwd=RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    fin = time.monotonic() + 120
    while time.monotonic() < fin:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=10) as r:
                if r.status == 200:
                    return processus
        except OSError:
            time.sleep(1)
        if processus.poll() is not None:
            break
    arreter(processus)
    raise SystemExit("gunicorn n'a pas démarré (voir son journal).")


def arreter(processus: subprocess.Popen) -> None:
    if processus.poll() is None:
        os.killpg(processus.pid, signal.SIGTERM)
        try:
            processus.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(processus.pid, signal.SIGKILL)
            processus.wait(10)


def lire_statistiques(prefixe: str) -> list[dict]:
    with open(f"{prefixe}_stats.csv", encoding="utf-8") as fichier:
        lignes = list(csv.DictReader(fichier))

    def nombre(valeur):
        return float(valeur) if valeur not in ("", "N/A", None) else None

    return [
        {
            "page": ligne["Name"],
            "requetes": int(ligne["Request Count"]),
            "echecs": int(ligne["Failure Count"]),
            "debit_par_s": round(nombre(ligne["Requests/s"]) or 0, 2),
            "mediane_ms": nombre(ligne["50%"]),
            "p95_ms": nombre(ligne["95%"]),
            "max_ms": round(nombre(ligne["Max Response Time"]) or 0),
        }
        for ligne in lignes
    ]


def tableau(resultat: dict) -> str:
    m = resultat["machine"]
    lignes = [
        f"Mesure du {resultat['date']} — {resultat['utilisateurs']} utilisateurs pendant "
        f"{resultat['duree_s']} s, gunicorn {resultat['workers']} workers (`DEBUG=false`), "
        f"{resultat['demandeurs']} demandeurs ; machine : {m['processeurs']} cœurs, charge "
        f"{m['charge_debut']} au début, {m['charge_fin']} à la fin. Objectif : p95 ≤ "
        f"{OBJECTIF_P95_MS} ms.",
        "",
        "| page | requêtes | échecs | débit (req/s) | médiane | p95 |",
        "|---|---|---|---|---|---|",
    ]
    for s in resultat["pages"]:
        nom = "**total**" if s["page"] == "Aggregated" else s["page"]
        lignes.append(
            f"| {nom} | {s['requetes']} | {s['echecs']} | {s['debit_par_s']} | "
            f"{s['mediane_ms']:.0f} ms | {s['p95_ms']:.0f} ms |"
            if s["mediane_ms"] is not None
            else f"| {nom} | {s['requetes']} | {s['echecs']} | {s['debit_par_s']} | | |"
        )
    return "\n".join(lignes)


def main() -> None:
    parser = argparse.ArgumentParser(description="Charge de 50 utilisateurs contre gunicorn.")
    parser.add_argument("--departement", default="25")
    parser.add_argument("--utilisateurs", type=int, default=50)
    parser.add_argument("--arrivees-par-s", type=float, default=10)
    parser.add_argument("--duree", type=int, default=60, help="secondes de charge")
    parser.add_argument("--workers", type=int, default=4)
    # Celui du virtualenv (à côté de python, comme gunicorn), sinon celui du PATH.
    du_venv = Path(sys.executable).with_name("locust")
    parser.add_argument(
        "--locust", default=str(du_venv) if du_venv.exists() else shutil.which("locust") or "locust"
    )
    parser.add_argument("--sortie", type=Path, default=RESULTATS)
    parser.add_argument("--sans-readme", action="store_true")
    args = parser.parse_args()
    bench_pages.preparer_django()
    preparation = preparer(args.departement)
    from dossiers.models import Demandeur

    demandeurs = Demandeur.objects.count()
    port = _port_libre()
    with tempfile.TemporaryDirectory(prefix="bench-charge-") as dossier:
        fichier_pages = Path(dossier) / "pages.json"
        fichier_pages.write_text(json.dumps(preparation, ensure_ascii=False), "utf-8")
        charge_debut = os.getloadavg()[0]
        with open(Path(dossier) / "gunicorn.log", "w") as journal:
            serveur = demarrer_gunicorn(port, args.workers, journal)
            try:
                prefixe = str(Path(dossier) / "locust")
                subprocess.run(  # noqa: S603 (locust désigné par le banc, arguments fixes)
                    [args.locust, "-f", str(RACINE / "bench" / "locustfile.py"), "--headless",
                     "--users", str(args.utilisateurs), "--spawn-rate", str(args.arrivees_par_s),
                     "--run-time", f"{args.duree}s", "--stop-timeout", "30",
                     "--host", f"http://127.0.0.1:{port}", "--csv", prefixe, "--only-summary"],
                    env={**os.environ, "BENCH_CHARGE_PAGES": str(fichier_pages)},
                    check=False, timeout=args.duree + 180,
                )  # fmt: skip
                statistiques = lire_statistiques(prefixe)
            finally:
                arreter(serveur)
    resultat = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "utilisateurs": args.utilisateurs,
        "duree_s": args.duree,
        "workers": args.workers,
        "demandeurs": demandeurs,
        "objectif_p95_ms": OBJECTIF_P95_MS,
        "pages": sorted(statistiques, key=lambda s: (s["page"] == "Aggregated", s["page"])),
        "machine": {
            "python": platform.python_version(),
            "systeme": platform.platform(),
            "processeurs": os.cpu_count(),
            "charge_debut": round(charge_debut, 1),
            "charge_fin": round(os.getloadavg()[0], 1),
        },
    }
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(resultat, ensure_ascii=False, indent=2) + "\n", "utf-8")
    texte = tableau(resultat)
    print(texte)
    if not args.sans_readme:
        bench_pages.ecrire_readme(texte, "charge")


if __name__ == "__main__":
    main()
