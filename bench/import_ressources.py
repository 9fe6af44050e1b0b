"""Mesure de l'import de la base de ressources : 10 000 services data·inclusion v1 valides,
importés par la vraie commande (`manage.py import_ressources … --wet-run`) sur une base
dédiée, puis réimportés (aucun changement attendu), puis réimportés avec 10 % de services
modifiés. Résultat : bench/resultats/import_ressources.json. Objectif : moins de 60 s pour
le premier import.

    python -m bench.import_ressources            # ou : make bench
    python -m bench.import_ressources --services 20000

Base dédiée : la base PostgreSQL embarquée `bench_ressources` (jamais celle du
développement ni des tests), ou BENCH_DATABASE_URL si elle est définie. Les ressources du
département 25 de cette base sont effacées avant la mesure."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generateur_ressources import ecrire, generer

RACINE = Path(__file__).resolve().parents[1]
RESULTATS = Path(__file__).resolve().parent / "resultats" / "import_ressources.json"
OBJECTIF_S = 60
DEPARTEMENT = "25"
PREPARER = f"""
from accompagnement.models import Departement
from conventions.models import ServiceRessource, StructureRessource
dep, _ = Departement.objects.get_or_create(code_insee="{DEPARTEMENT}", defaults={{"nom": "Doubs"}})
ServiceRessource.objects.filter(departement=dep).delete()
StructureRessource.objects.filter(departement=dep).delete()
"""
COMPTER = f"""
from conventions.models import ServiceRessource
print(ServiceRessource.objects.filter(departement__code_insee="{DEPARTEMENT}").count())
"""


def environnement() -> dict[str, str]:
    env = {**os.environ, "DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    env.setdefault("SECRET_KEY", "bench-ressources-" + "x" * 40)
    env.setdefault("ALLOWED_HOSTS", "localhost")
    if url := os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
        env["EMBEDDED_DB_NAME"] = "bench_ressources"
    return env


def manage(*arguments: str, env: dict[str, str]) -> tuple[float, str]:
    debut = time.perf_counter()
    resultat = subprocess.run(  # noqa: S603 (notre propre manage.py, arguments maîtrisés)
        [sys.executable, "manage.py", *arguments],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    duree = time.perf_counter() - debut
    if resultat.returncode != 0:
        sys.stderr.write(resultat.stdout + resultat.stderr)
        raise SystemExit(f"manage.py {' '.join(arguments[:2])} a échoué ({resultat.returncode}).")
    return duree, resultat.stdout


def modifier(donnees: dict, part: float = 0.1) -> dict:
    """Les mêmes données, avec un service sur dix renommé et redaté (mise à jour)."""
    pas = round(1 / part)
    services = [
        {**s, "nom": s["nom"] + " (mis à jour)", "description": s["description"] + " Modifié."}
        if i % pas == 0
        else s
        for i, s in enumerate(donnees["services"])
    ]
    return {**donnees, "services": services}


def derniere_ligne(sortie: str) -> str:
    lignes = [ligne for ligne in sortie.splitlines() if ligne.strip()]
    return lignes[-1] if lignes else ""


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure de l'import de 10 000 services.")
    parser.add_argument("--services", type=int, default=10_000)
    args = parser.parse_args()
    env = environnement()

    debut = time.perf_counter()
    donnees = generer(services_min=args.services)
    generation = time.perf_counter() - debut
    with tempfile.TemporaryDirectory() as dossier:
        fichier = Path(dossier) / "ressources.json"
        ecrire(donnees, fichier)
        modifie = Path(dossier) / "ressources_modifiees.json"
        ecrire(modifier(donnees), modifie)
        taille_mo = fichier.stat().st_size / 2**20
        print(
            f"{len(donnees['services'])} services, {len(donnees['structures'])} structures "
            f"({taille_mo:.1f} Mo) générés en {generation:.1f} s"
        )
        manage("migrate", "--noinput", env=env)
        manage("shell", "-c", PREPARER, env=env)
        commande = ("import_ressources", "--departement", DEPARTEMENT, "--wet-run")
        mesures = {}
        for nom, chemin in [
            ("premier_import", fichier),
            ("reimport_identique", fichier),
            ("reimport_10_pourcent_modifies", modifie),
        ]:
            duree, sortie = manage(commande[0], str(chemin), *commande[1:], env=env)
            mesures[nom] = {"duree_s": round(duree, 2), "resultat": derniere_ligne(sortie)}
            print(f"{nom:<32} {duree:6.1f} s — {derniere_ligne(sortie)}")
        _, compte = manage("shell", "-c", COMPTER, env=env)

    resultat = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commande": "python manage.py import_ressources FICHIER --departement 25 --wet-run",
        "services": len(donnees["services"]),
        "structures": len(donnees["structures"]),
        "taille_fichier_mo": round(taille_mo, 1),
        "services_en_base_apres": int(compte.strip().splitlines()[-1]),
        "mesures": mesures,
        "objectif_premier_import_s": OBJECTIF_S,
        "objectif_atteint": mesures["premier_import"]["duree_s"] < OBJECTIF_S,
        "machine": {
            "python": platform.python_version(),
            "systeme": platform.platform(),
            "processeurs": os.cpu_count(),
            "base": "BENCH_DATABASE_URL"
            if "BENCH_DATABASE_URL" in os.environ
            else "PostgreSQL embarqué (pgserver), base bench_ressources",
        },
        "note": "Durées de bout en bout de la commande (démarrage de Django compris).",
    }
    RESULTATS.parent.mkdir(parents=True, exist_ok=True)
    RESULTATS.write_text(
        json.dumps(resultat, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    etat = "atteint" if resultat["objectif_atteint"] else "MANQUÉ"
    print(f"Objectif (< {OBJECTIF_S} s) {etat}. Résultat : {RESULTATS.relative_to(RACINE)}")


if __name__ == "__main__":
    main()
