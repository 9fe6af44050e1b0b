"""Mesure de la synthèse PDF d'une convention (voir bench/README.md) : le temps de worker
d'une synthèse (tâche `generer_synthese_convention` exécutée dans le processus : calcul du
réalisé par le catalogue, rendu WeasyPrint, rangement du fichier), en rapport à une
référence mesurée dans la même exécution : le rendu WeasyPrint seul du rapport mensuel
figé du même département (un PDF que le reporting produit déjà).

Base : `BENCH_SYNTHESE_DATABASE_URL` (par défaut
postgres://postgres@127.0.0.1:5432/acc_bench_synthese, une copie de la base de 100 000
demandeurs de `bench_data`), jamais celle du développement ni des tests. Tout se fait dans
une transaction annulée : une convention de 14 mois (qui couvre les parcours de
bench_data) est créée, mesurée, puis effacée ; les fichiers rangés sont supprimés.

    python -m bench.synthese [--repetitions 3]

Résultat : bench/resultats/synthese.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats" / "synthese.json"
URL = os.environ.get(
    "BENCH_SYNTHESE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/acc_bench_synthese"
)
OBJECTIF_SECONDES = 2.0


class Annuler(Exception):
    pass


def preparer_django():
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accompagnement.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def mesurer(fonction) -> tuple[float, float]:
    """(durée réelle, temps processeur du processus), en secondes."""
    debut, cpu = time.perf_counter(), time.process_time()
    fonction()
    return time.perf_counter() - debut, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    preparer_django()

    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.utils import timezone

    from accompagnement.models import Departement, Membership, Role
    from accompagnement.pdf import rendre_pdf
    from bench.preparer import creer_convention_signee
    from dossiers.models import Demandeur
    from reporting import mensuel, services, tasks
    from reporting.catalogue import Mois, Perimetre
    from reporting.models import SyntheseConvention

    departement = Departement.objects.filter(
        pk__in=Demandeur.objects.values("departement_id")[:1]
    ).first()
    animatrice = Membership.objects.filter(
        role=Role.ANIMATRICE, structure__departement=departement, actif=True
    ).first()
    demandeurs = Demandeur.objects.filter(departement=departement).count()
    aujourd_hui = timezone.localdate()
    mesures, references, cpu, cpu_ref, requetes, sql = [], [], [], [], [], []
    resultat = {}
    try:
        with transaction.atomic():
            convention = creer_convention_signee(
                departement, "Convention de mesure (bench)", jours_restants=365
            )
            # Référence : le rendu seul d'un rapport mensuel figé du même département.
            mois = Mois.de(aujourd_hui).precedent
            chiffres_mois = mensuel.figer(Perimetre(departement), mois)

            def reference():
                rendre_pdf(
                    "pdf/rapport_mensuel.html",
                    {"chiffres": chiffres_mois, "rapport": None, "vue": mensuel.presentation(chiffres_mois)},
                    base_url=settings.BASE_DIR / "static",
                )  # fmt: skip

            reference()  # tour à blanc (import de WeasyPrint, polices)
            chemins = []
            for _ in range(args.repetitions):
                synthese, _ = services.demander_synthese(
                    convention=convention, par=animatrice, aujourd_hui=aujourd_hui
                )
                connection.queries_log.clear()
                avant = 0
                connection.force_debug_cursor = True
                duree, temps_cpu = mesurer(
                    lambda s=synthese: tasks.generer_synthese_convention.apply(args=(s.pk,)).get()
                )
                nouvelles = list(connection.queries_log)[avant:]
                requetes.append(len(nouvelles))
                sql.append(sum(float(q["time"]) for q in nouvelles))
                connection.force_debug_cursor = False
                synthese.refresh_from_db()
                assert synthese.etat == "prete", synthese.erreur
                chemins.append(synthese.chemin)
                mesures.append(duree)
                cpu.append(temps_cpu)
                duree_ref, cpu_reference = mesurer(reference)
                references.append(duree_ref)
                cpu_ref.append(cpu_reference)
            resultat = {
                "mesure": "synthèse PDF d'une convention (tâche dans le processus)",
                "date": timezone.now().isoformat(timespec="seconds"),
                "machine": f"{platform.node()} — {platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}",
                "demandeurs": demandeurs,
                "periode_jours": (aujourd_hui - convention.date_effet).days,
                "repetitions": args.repetitions,
                "synthese_secondes_mediane": round(statistics.median(mesures), 3),
                "synthese_cpu_secondes_mediane": round(statistics.median(cpu), 3),
                "synthese_secondes": [round(m, 3) for m in mesures],
                "requetes_sql": requetes,
                "sql_secondes_mediane": round(statistics.median(sql), 3),
                # Temps de worker hors attente du processeur (machine partagée) : le
                # processeur du processus plus l'attente des réponses SQL.
                "worker_cpu_plus_sql_secondes_mediane": round(
                    statistics.median(c + q for c, q in zip(cpu, sql, strict=True)), 3
                ),
                "reference_cpu_secondes_mediane": round(statistics.median(cpu_ref), 3),
                "reference": "rendu WeasyPrint seul du rapport mensuel figé du département",
                "reference_secondes_mediane": round(statistics.median(references), 3),
                "rapport_a_la_reference": round(
                    statistics.median(mesures) / statistics.median(references), 2
                ),
                "rapport_cpu_a_la_reference": round(
                    statistics.median(cpu) / statistics.median(cpu_ref), 2
                ),
                "taille_pdf_octets": synthese.taille,
                "objectif": f"< {OBJECTIF_SECONDES} s de temps worker",
                "objectif_atteint_duree_reelle": statistics.median(mesures) < OBJECTIF_SECONDES,
                "objectif_atteint_cpu_plus_sql": statistics.median(
                    c + q for c, q in zip(cpu, sql, strict=True)
                )
                < OBJECTIF_SECONDES,
            }
            for chemin in chemins:
                default_storage.delete(chemin)
            assert (
                SyntheseConvention.objects.filter(convention=convention).count() == args.repetitions
            )
            raise Annuler
    except Annuler:
        pass
    RESULTATS.write_text(json.dumps(resultat, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(resultat, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
