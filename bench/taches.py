"""Mesure des tâches quotidiennes et des indicateurs seuls, sur un département à l'échelle
(`manage.py bench_data`) : la partie « traitements » de `bench.pages`, sans les pages (une
exécution de quelques minutes au lieu d'une heure sous charge).

    BENCH_ECHELLE_DATABASE_URL=postgres://…/acc_bench_grand python -m bench.taches [--repetitions-taches 3]

Chaque tâche s'exécute dans une transaction annulée (la base reste telle quelle), contre
son UPDATE … RETURNING + INSERT écrit à la main (`SQL_*` de bench/pages.py), mesuré dans
la même exécution. Résultat : bench/resultats/taches.json et le tableau de bench/README.md
entre `<!-- taches:debut -->` et `<!-- taches:fin -->`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

from bench import pages

RESULTATS = Path(__file__).resolve().parent / "resultats" / "taches.json"


def tableau(resultat: dict) -> str:
    lignes = [
        f"Mesure du {resultat['date']} — {resultat['volumes']['dossiers_demandeur']} demandeurs, "
        f"{resultat['volumes']['dossiers_action']} actions ; machine : "
        f"{resultat['machine']['processeurs']} cœurs, charge {resultat['machine']['charge_debut']}"
        f" au début, {resultat['machine']['charge_fin']} à la fin.",
        "",
        "| tâche ou indicateur | médiane | SQL à la main | × | requêtes | exécutions |",
        "|---|---|---|---|---|---|",
    ]
    for t in resultat["traitements"]:
        lignes.append(
            f"| {t['traitement']} | {t['mediane_ms']} ms | {t['sql_main_ms']} ms | ×{t['ratio']} "
            f"| {t['requetes']} | {t['repetitions']} |"
        )
    return "\n".join(lignes)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure des tâches quotidiennes à l'échelle.")
    parser.add_argument("--departement", default="25")
    parser.add_argument("--repetitions-taches", type=int, default=3)
    parser.add_argument("--sortie", type=Path, default=RESULTATS)
    parser.add_argument("--sans-readme", action="store_true")
    args = parser.parse_args()
    pages.preparer_django()
    from accompagnement.models import Departement

    charge_debut = os.getloadavg()[0]
    choix = {"departement": Departement.objects.get(code_insee=args.departement)}
    traitements = pages.mesurer_traitements(choix, args.repetitions_taches)
    resultat = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "volumes": pages.volumes(),
        "traitements": traitements,
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
        pages.ecrire_readme(texte, "taches")


if __name__ == "__main__":
    main()
