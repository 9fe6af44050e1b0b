"""`make bench` : toutes les mesures du ticket #14 à l'échelle d'un département, de bout
en bout, sur une base PostgreSQL dédiée (jamais celle du développement ni des tests).

    python -m bench.tout [--demandeurs 100000] [--seed 1] [--sans-charge]

1. la base d'échelle (`BENCH_ECHELLE_DATABASE_URL`, par défaut
   postgres://postgres@127.0.0.1:5432/acc_bench_grand) : créée, migrée et chargée par
   `manage.py bench_data` si elle n'existe pas (durée notée dans
   bench/resultats/bench_data.json), sinon seulement migrée ;
2. `bench.preparer` : le gros dossier du ticket, une convention, une séance de comité ;
3. les mesures, chacune dans son processus : reporting (27 périmètres), pages et listes de
   tous les rôles avec tâches et indicateurs, tâches seules (3 exécutions), sélecteurs et
   aperçu d'import, synthèse PDF d'une convention, charge de 50 utilisateurs (gunicorn,
   locust), import de la base de ressources (base embarquée `bench_ressources`) ;
4. `bench.objectifs` : le tableau des objectifs, tenus ou non, dans bench/README.md.

Chaque mesure écrit son fichier de bench/resultats/ et sa section de bench/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
RESULTATS = RACINE / "bench" / "resultats"
URL_DEFAUT = "postgres://postgres@127.0.0.1:5432/acc_bench_grand"


def base_existe(url: str) -> bool:
    import psycopg

    serveur, nom = url.rsplit("/", 1)
    with psycopg.connect(serveur + "/postgres", autocommit=True) as c:
        return (
            c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone() is not None
        )


def executer(etape: str, commande: list[str], env: dict[str, str]) -> float:
    print(f"\n=== {etape} : {' '.join(commande)}", flush=True)
    debut = time.perf_counter()
    subprocess.run(commande, cwd=RACINE, env=env, check=True)  # noqa: S603 (commandes fixes du dépôt)
    duree = time.perf_counter() - debut
    print(f"=== {etape} : {duree:.0f} s", flush=True)
    return duree


def charger_base(url: str, demandeurs: int, seed: int, env: dict[str, str]) -> None:
    import psycopg

    serveur, nom = url.rsplit("/", 1)
    with psycopg.connect(serveur + "/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nom}"')
    python = sys.executable
    env_base = {**env, "DATABASE_URL": url}
    executer("migrations", [python, "manage.py", "migrate", "-v0"], env_base)
    charge = os.getloadavg()[0]
    duree = executer(
        "bench_data",
        [python, "manage.py", "bench_data", "--demandeurs", str(demandeurs), "--seed", str(seed)],
        env_base,
    )
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    (RESULTATS / "bench_data.json").write_text(
        json.dumps(
            {
                "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "demandeurs": demandeurs,
                "seed": seed,
                "duree_s": round(duree, 1),
                "machine": {
                    "processeurs": os.cpu_count(),
                    "charge_debut": round(charge, 1),
                    "charge_fin": round(os.getloadavg()[0], 1),
                },
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        "utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demandeurs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sans-charge", action="store_true", help="sans la charge de 50 utilisateurs"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_ECHELLE_DATABASE_URL", URL_DEFAUT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.pop("CELERY_BROKER_URL", None)  # tâches en eager : la mesure ne dépend d'aucun worker
    env["PYTHONUNBUFFERED"] = "1"
    python = sys.executable
    debut = time.perf_counter()
    if base_existe(url):
        executer(
            "migrations", [python, "manage.py", "migrate", "-v0"], {**env, "DATABASE_URL": url}
        )
    else:
        charger_base(url, args.demandeurs, args.seed, env)
    echelle = {**env, "BENCH_ECHELLE_DATABASE_URL": url}
    executer("préparation", [python, "-m", "bench.preparer"], echelle)
    executer(
        "reporting",
        [python, "-m", "bench.reporting", "--base-existante", "25", "--processus", "2"],
        {**env, "BENCH_DATABASE_URL": url},
    )
    executer("pages", [python, "-m", "bench.pages"], echelle)
    executer("tâches", [python, "-m", "bench.taches"], echelle)
    # Le gros dossier est déjà aux volumes du ticket (bench.preparer) : comparé à « avant_gros ».
    executer("sélecteurs", [python, "-m", "bench.selecteurs", "--etiquette", "apres_gros"], echelle)
    executer("sélecteurs (tableau)", [python, "-m", "bench.selecteurs", "--tableau"], echelle)
    executer(
        "synthèse", [python, "-m", "bench.synthese"], {**env, "BENCH_SYNTHESE_DATABASE_URL": url}
    )
    if not args.sans_charge:
        executer("charge", [python, "-m", "bench.charge"], echelle)
    executer("import des ressources", [python, "-m", "bench.import_ressources"], env)
    executer("objectifs", [python, "-m", "bench.objectifs"], env)
    print(f"\nmake bench : {(time.perf_counter() - debut) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
