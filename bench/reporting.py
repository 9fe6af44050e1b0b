"""Mesure du reporting (voir bench/README.md) : `generate_monthly_reports` pour un
département et chaque indicateur du catalogue, comparé à un SQL équivalent écrit à la main.

Données : par défaut celles de `manage.py bench_data` (bench/donnees.py : demandeurs,
dossiers, périodes, affectations, prescriptions, diagnostics, suivi, journal…), sur une
base recréée ; le mois mesuré est le mois précédent (les dates de bench_data suivent
« aujourd'hui »). `--source interne` garde le petit générateur de ce module (`bulk_create`,
mars 2026), écrit avant que bench_data n'arrive sur main.

Base : `BENCH_DATABASE_URL` (par défaut postgres://postgres@127.0.0.1:5432/acc_reporting_bench),
jamais celle du développement ni des tests ; avec `--source bench_data`, elle est
supprimée et recréée.

    python -m bench.reporting [--demandeurs 100000] [--repetitions 3] [--source interne]
    BENCH_DATABASE_URL=postgres://…/acc_bench_copie python -m bench.reporting --base-existante 25

`--base-existante CODE` mesure sur une base déjà chargée par `bench_data` (une copie de la
base modèle, migrée) sans la recréer ni la recharger : département CODE, mois précédent.
Les rapports mensuels de la base de mesure sont vidés (TRUNCATE) avant chaque mesure, puis
le mois est mesuré deux fois : à froid (aucun rapport figé : mois précédent, an dernier et
séries recalculés) et en régime établi (le mois précédent figé juste avant, comme le 1er
de chaque mois en service).

Résultat : bench/resultats/reporting.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats" / "reporting.json"
MOIS = "2026-03"


URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/acc_reporting_bench")


def recreer_base():
    import psycopg

    base = URL.rsplit("/", 1)
    with psycopg.connect(base[0] + "/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{base[1]}"')
        c.execute(f'CREATE DATABASE "{base[1]}"')


def preparer_django():
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accompagnement.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generer(n: int):
    """Le département 95 et n dossiers ; rend le département."""
    from django.db import connection

    from accompagnement.models import Departement, Membership, Role, Structure, User
    from dossiers.models import (
        Affectation,
        Demandeur,
        Dossier,
        PeriodeOrientation,
        Prescription,
    )

    rnd = random.Random(42)  # noqa: S311 — données de mesure déterministes, pas de secret
    ancien = Departement.objects.filter(code_insee="95").first()
    if ancien:
        with connection.cursor() as c:  # tout le département, sans passer par l'ORM
            c.execute(
                "TRUNCATE reporting_rapportmensuel, dossiers_demandeur, dossiers_dossier CASCADE"
            )
    dep, _ = Departement.objects.get_or_create(code_insee="95", defaults={"nom": "Bench"})
    agences = [
        Structure.objects.get_or_create(
            departement=dep, nom=f"Agence {i}", defaults={"type": "agence_ft"}
        )[0]
        for i in range(4)
    ]
    territoires = [
        Structure.objects.get_or_create(
            departement=dep, nom=f"Territoire {i}", defaults={"type": "territoire_social"}
        )[0]
        for i in range(3)
    ]

    def membre(role, structure, i):
        u, _ = User.objects.get_or_create(
            email=f"{role}{i}@bench.test", defaults={"prenom": "B", "nom": f"{role} {i}"}
        )
        Membership.objects.get_or_create(user=u, structure=structure, role=role)
        return u

    cds = [membre(Role.CONSEILLER_DEDIE, agences[i % 4], i) for i in range(40)]
    tss = [membre(Role.TRAVAILLEUR_SOCIAL, territoires[i % 3], i) for i in range(40)]
    auteur = cds[0]
    fin = dt.date(2026, 3, 31)
    demandeurs = []
    for i in range(n):
        demandeurs.append(
            Demandeur(
                departement=dep,
                civilite=rnd.choice(["mme", "m"]),
                nom=f"Bench{i}",
                prenom="P",
                date_naissance=dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(16000)),
                rsa_allocataire=rnd.random() < 0.6,
                niveau_qualification=rnd.choice(["", "sans", "3", "4", "5"]),
            ).preparer()
        )
    Demandeur.objects.bulk_create(demandeurs, batch_size=5000)
    dossiers, plans = [], []
    for d in demandeurs:
        debut = fin - dt.timedelta(days=rnd.randrange(720))
        axes = rnd.choice([["1"], ["2"], ["3"], ["1", "2"], ["2", "2"], ["2", "3"]])
        periodes, jour = [], debut
        for j, axe in enumerate(axes):
            duree = rnd.randrange(30, 400)
            fin_p = jour + dt.timedelta(days=duree)
            dernier = j == len(axes) - 1
            periodes.append((axe, jour, None if dernier and fin_p > fin else min(fin_p, fin)))
            jour = fin_p
            if fin_p > fin:
                break
        clos = periodes[-1][2] is not None
        dossiers.append(
            Dossier(
                departement=dep,
                demandeur=d,
                origine="conseiller_ft",
                agence=rnd.choice(agences),
                territoire=rnd.choice(territoires),
                statut="clos" if clos else "accompagnement",
                axe_courant=periodes[-1][0],
                date_orientation=debut,
                date_cloture=periodes[-1][2] if clos else None,
                motif_sortie=rnd.choice(
                    [
                        "emploi_durable",
                        "emploi_court",
                        "abandon",
                        "formation_qualifiante",
                        "demenagement",
                    ]
                )
                if clos
                else "",
            )
        )
        plans.append(periodes)
    Dossier.objects.bulk_create(dossiers, batch_size=5000)
    periodes, affectations, prescriptions = [], [], []
    for d, plan in zip(dossiers, plans, strict=True):
        for j, (axe, debut, fin_p) in enumerate(plan):
            periodes.append(
                PeriodeOrientation(
                    dossier=d,
                    axe=axe,
                    date_debut=debut,
                    date_fin=fin_p,
                    motif="Bench",
                    decide_par=auteur,
                    renouvellement=j > 0 and plan[j - 1][0] == axe,
                )
            )
        if "2" in [a for a, _, _ in plan]:
            debut = plan[0][1]
            for role, pro, structure in (
                ("conseiller_dedie", rnd.choice(cds), d.agence),
                ("travailleur_social", rnd.choice(tss), d.territoire),
            ):
                affectations.append(
                    Affectation(
                        dossier=d,
                        role=role,
                        professionnel=pro,
                        structure=structure,
                        date_debut=debut,
                        date_fin=d.date_cloture,
                        affecte_par=auteur,
                    )
                )
            prescrite = debut - dt.timedelta(days=rnd.randrange(10, 40))
            prescriptions.append(
                Prescription(
                    dossier=d,
                    axe="2",
                    motif="Bench",
                    accord_le=prescrite,
                    accord_mode="entretien",
                    prescripteur=auteur,
                    structure=d.agence,
                    prescrite_le=prescrite,
                    diagnostic_le=prescrite + dt.timedelta(days=rnd.randrange(3, 15)),
                    decision_le=debut,
                    statut="terminee",
                )
            )
    PeriodeOrientation.objects.bulk_create(periodes, batch_size=5000)
    Affectation.objects.bulk_create(affectations, batch_size=5000)
    Prescription.objects.bulk_create(prescriptions, batch_size=5000)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return dep, {
        "demandeurs": n,
        "periodes": len(periodes),
        "affectations": len(affectations),
        "prescriptions": len(prescriptions),
    }


# SQL écrit à la main, même définition que le catalogue (docs/reporting.md), département entier.
SQL_MAIN = {
    "file_active": """SELECT count(*) FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        WHERE d.departement_id = %(dep)s AND p.date_debut <= %(fin)s AND (p.date_fin IS NULL OR p.date_fin > %(fin)s)""",
    "stock_debut": """SELECT count(*) FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        WHERE d.departement_id = %(dep)s AND p.date_debut <= %(veille)s AND (p.date_fin IS NULL OR p.date_fin > %(veille)s)""",
    "entrees": """SELECT count(*) FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        WHERE d.departement_id = %(dep)s AND p.date_debut BETWEEN %(debut)s AND %(fin)s""",
    "sorties_axe": """SELECT count(*) FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        WHERE d.departement_id = %(dep)s AND p.date_fin BETWEEN %(debut)s AND %(fin)s""",
    "sorties": """SELECT count(*) FROM dossiers_dossier WHERE departement_id = %(dep)s
        AND date_cloture BETWEEN %(debut)s AND %(fin)s""",
    "taux_sorties_positives": """SELECT round(100.0 * count(*) FILTER (WHERE motif_sortie IN
        ('emploi_durable','emploi_court','creation_activite','formation_qualifiante','iae')) / nullif(count(*), 0), 1)
        FROM dossiers_dossier WHERE departement_id = %(dep)s AND date_cloture BETWEEN %(debut)s AND %(fin)s""",
    "renouvellements": """SELECT count(*) FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        WHERE d.departement_id = %(dep)s AND p.renouvellement AND p.date_debut BETWEEN %(debut)s AND %(fin)s""",
    "part_entree_21_jours": """SELECT round(100.0 * count(*) FILTER (WHERE decision_le IS NOT NULL
        AND decision_le <= prescrite_le + 21) / nullif(count(*), 0), 1)
        FROM dossiers_prescription x JOIN dossiers_dossier d ON d.id = x.dossier_id
        WHERE d.departement_id = %(dep)s AND x.prescrite_le BETWEEN %(debut)s::date - 21 AND %(fin)s::date - 21""",
    "delai_prescription_entree_median": """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decision_le - prescrite_le)
        FROM dossiers_prescription x JOIN dossiers_dossier d ON d.id = x.dossier_id
        WHERE d.departement_id = %(dep)s AND x.statut = 'terminee' AND x.decision_le BETWEEN %(debut)s AND %(fin)s""",
    "charge_conseiller_dedie": """SELECT round(count(*)::numeric / nullif(count(DISTINCT a.professionnel_id), 0), 1)
        FROM dossiers_affectation a JOIN dossiers_dossier d ON d.id = a.dossier_id
        WHERE d.departement_id = %(dep)s AND a.role = 'conseiller_dedie' AND a.date_debut <= %(fin)s
        AND (a.date_fin IS NULL OR a.date_fin > %(fin)s)""",
    "entrants_rsa": """SELECT round(100.0 * count(*) FILTER (WHERE m.rsa_allocataire) / nullif(count(*), 0), 1)
        FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        JOIN dossiers_demandeur m ON m.id = d.demandeur_id
        WHERE d.departement_id = %(dep)s AND p.date_debut BETWEEN %(debut)s AND %(fin)s""",
}


# Requêtes groupées écrites à la main (tous les périmètres, toutes les ventilations, en
# GROUPING SETS), à comparer à la requête groupée du rapport (reporting/groupe.py).
_PLACE = """(SELECT x.professionnel_id FROM dossiers_affectation x WHERE x.dossier_id = {d}
    AND x.role = '{role}' AND x.date_debut <= %(fin)s ORDER BY x.date_debut DESC, x.id DESC LIMIT 1)"""
_AGE = """CASE WHEN m.date_naissance > %(a25)s THEN 'moins_25' WHEN m.date_naissance > %(a35)s
    THEN '25_34' WHEN m.date_naissance > %(a45)s THEN '35_44' WHEN m.date_naissance > %(a55)s
    THEN '45_54' ELSE '55_plus' END"""
_COLONNES = ["t", "a", "axe", "rsa", "civilite", "age", "cd", "ts"]


def _ensembles(colonnes):
    ensembles = []
    for portee in ([], ["t"], ["a"]):
        ensembles.append(portee)
        ensembles += [[*portee, c] for c in colonnes]  # (t, t) : comme le rapport, en double
    return ", ".join("(" + ", ".join(e) + ")" for e in ensembles)


# Constantes du module, sans donnée extérieure (S608).
SQL_GROUPE_MAIN = {
    "file_active": f"""WITH e AS (SELECT d.territoire_id t, d.agence_id a, p.axe, m.rsa_allocataire rsa,
        m.civilite, {_AGE} age, {_PLACE.format(d="p.dossier_id", role="conseiller_dedie")} cd,
        {_PLACE.format(d="p.dossier_id", role="travailleur_social")} ts
        FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
        JOIN dossiers_demandeur m ON m.id = d.demandeur_id
        WHERE d.departement_id = %(dep)s AND p.date_debut <= %(fin)s
        AND (p.date_fin IS NULL OR p.date_fin > %(fin)s))
        SELECT t, a, axe, rsa, civilite, age, cd, ts, count(*) FROM e
        GROUP BY GROUPING SETS ({_ensembles(_COLONNES)})""",  # noqa: S608 (fragments constants du module, valeurs en paramètres)
    "sorties": f"""WITH e AS (SELECT d.territoire_id t, d.agence_id a, d.axe_courant axe,
        m.rsa_allocataire rsa, m.civilite, {_AGE} age,
        {_PLACE.format(d="d.id", role="conseiller_dedie")} cd,
        {_PLACE.format(d="d.id", role="travailleur_social")} ts, d.motif_sortie motif
        FROM dossiers_dossier d JOIN dossiers_demandeur m ON m.id = d.demandeur_id
        WHERE d.departement_id = %(dep)s AND d.date_cloture BETWEEN %(debut)s AND %(fin)s)
        SELECT t, a, axe, rsa, civilite, age, cd, ts, motif, count(*) FROM e
        GROUP BY GROUPING SETS ({_ensembles([*_COLONNES, "motif"])})""",  # noqa: S608 (fragments constants du module, valeurs en paramètres)
}


def chrono(fonction, repetitions):
    durees, resultat = [], None
    for _ in range(repetitions):
        t = time.perf_counter()
        resultat = fonction()
        durees.append(time.perf_counter() - t)
    return statistics.median(durees), resultat


def charge_machine() -> float:
    return round(os.getloadavg()[0], 1)


def mesurer_indicateurs(dep, mois, repetitions):
    """Chaque indicateur : la requête groupée du rapport (tous les périmètres, toutes les
    ventilations), sa valeur seule (`calculer`), et le SQL écrit à la main quand il existe,
    en alternance dans la même exécution."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting import groupe
    from reporting.catalogue import CATALOGUE, Perimetre, _ans_avant

    p = Perimetre(dep)
    params = {"dep": dep.pk, "debut": mois.debut, "fin": mois.fin, "veille": mois.veille}
    params |= {f"a{n}": _ans_avant(mois.fin, n) for n in (25, 35, 45, 55)}
    indicateurs = {}
    for ind in CATALOGUE:
        duree, valeur = chrono(lambda ind=ind: ind.calculer(p, mois), repetitions)
        duree_g, _r = chrono(
            lambda ind=ind: groupe.calculer(ind, p, mois, ("territoire", "agence")),
            repetitions if ind.cle in SQL_GROUPE_MAIN else 1,
        )
        ligne = {
            "catalogue_ms": round(1000 * duree, 2),
            "groupe_tous_perimetres_ms": round(1000 * duree_g, 2),
            "valeur": valeur,
        }
        if ind.cle in SQL_MAIN:

            def a_la_main(cle=ind.cle):
                with connection.cursor() as c:
                    c.execute(SQL_MAIN[cle], params)
                    return c.fetchone()[0]

            # Le SQL que l'ORM envoie pour l'indicateur, rejoué tel quel : la requête seule,
            # sans la construction Python de l'ORM (~3 ms fixes, qui dominent sous 1 ms).
            with CaptureQueriesContext(connection) as envoyees:
                ind.calculer(p, mois)
            textes = [q["sql"] for q in envoyees.captured_queries]

            def sql_du_catalogue(textes=textes):
                with connection.cursor() as c:
                    for texte in textes:
                        c.execute(texte)
                        c.fetchall()

            duree_sql, valeur_sql = chrono(a_la_main, repetitions)
            duree_cat_sql, _r = chrono(sql_du_catalogue, repetitions)
            valeur_sql = float(valeur_sql) if valeur_sql is not None else None
            ligne |= {
                "sql_main_ms": round(1000 * duree_sql, 2),
                "sql_catalogue_ms": round(1000 * duree_cat_sql, 2),
                "valeur_sql": valeur_sql,
                "ratio": round(duree / duree_sql, 2) if duree_sql else None,
                "ratio_sql": round(duree_cat_sql / duree_sql, 2) if duree_sql else None,
                "identiques": valeur_sql == (float(valeur) if valeur is not None else None),
            }
        if ind.cle in SQL_GROUPE_MAIN:

            def groupe_a_la_main(cle=ind.cle):
                with connection.cursor() as c:
                    c.execute(SQL_GROUPE_MAIN[cle], params)
                    return c.fetchall()

            duree_gm, lignes = chrono(groupe_a_la_main, repetitions)
            ligne |= {
                "groupe_sql_main_ms": round(1000 * duree_gm, 2),
                "groupe_ratio": round(duree_g / duree_gm, 2) if duree_gm else None,
                "groupe_total_identique": max(r[-1] for r in lignes) == valeur,
            }
        indicateurs[ind.cle] = ligne
    return indicateurs


def mesurer_base_existante(args):
    global URL
    URL = os.environ.get("BENCH_DATABASE_URL", URL)
    preparer_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from accompagnement.models import Departement
    from dossiers.models import Demandeur, EvenementJournal, PeriodeOrientation
    from reporting import mensuel
    from reporting.models import RapportMensuel
    from reporting.tasks import mois_precedent

    dep = Departement.objects.get(code_insee=args.base_existante)
    mois = mois_precedent()
    charge_debut = charge_machine()
    volumes = {
        "source": "base existante (copie de la base modèle bench_data)",
        "demandeurs": Demandeur.objects.filter(departement=dep).count(),
        "periodes": PeriodeOrientation.objects.count(),
        "evenements_journal": EvenementJournal.objects.count(),
        "structures": dict(dep.structures.values_list("type").annotate(n=Count("pk")).order_by()),
    }

    def vider():
        with connection.cursor() as c:
            c.execute("TRUNCATE reporting_rapportmensuel")

    def commande(m):
        import resource

        avant = [resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        t = time.perf_counter()
        call_command(
            "generate_monthly_reports",
            "--month",
            str(m),
            "--departement",
            dep.code_insee,
            "--processus",
            str(args.processus),
        )
        duree = round(time.perf_counter() - t, 1)
        apres = [resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        cpu = sum(
            b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime
            for a, b in zip(avant, apres, strict=True)
        )
        return {"duree_s": duree, "cpu_python_s": round(cpu, 1), "charge": charge_machine()}

    indicateurs = mesurer_indicateurs(dep, mois, args.repetitions)
    vider()
    froid = commande(mois)
    vider()
    precedent = commande(mois.precedent)
    vider_mois = RapportMensuel.objects.filter(mois=mois.debut).count()
    assert vider_mois == 0
    etabli = commande(mois)
    nb = len(mensuel.perimetres(dep))
    assert RapportMensuel.objects.filter(mois=mois.debut, departement=dep).count() == nb
    ratios = [v["ratio"] for v in indicateurs.values() if v.get("ratio")]
    ratios_groupes = [v["groupe_ratio"] for v in indicateurs.values() if v.get("groupe_ratio")]
    ratios_sql = [v["ratio_sql"] for v in indicateurs.values() if v.get("ratio_sql")]
    resultat = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "ratio_groupe_max": max(ratios_groupes) if ratios_groupes else None,
        "ratio_sql_max": max(ratios_sql) if ratios_sql else None,
        "machine": {
            "plateforme": platform.platform(),
            "processeurs": os.cpu_count(),
            "charge_debut": charge_debut,
            "charge_fin": charge_machine(),
        },
        "donnees": volumes,
        "mois": str(mois),
        "perimetres": nb,
        "processus_pdf": args.processus,
        "generate_monthly_reports_s": {
            "a_froid": froid,
            "mois_precedent_a_froid": precedent,
            "regime_etabli": etabli,
        },
        "objectif_s": 30,
        "indicateurs": indicateurs,
        "ratio_max": max(ratios) if ratios else None,
        "valeurs_identiques": all(v.get("identiques", True) for v in indicateurs.values()),
        "note": "Médiane de --repetitions exécutions ; « ratio » = catalogue (ORM compris) / SQL "
        "écrit à la main ; « ratio_sql » = le SQL envoyé par le catalogue, rejoué tel quel / SQL "
        "écrit à la main ; « groupe_tous_perimetres_ms » : la requête GROUPING SETS du rapport (tous les "
        "périmètres, toutes les ventilations), une exécution.",
    }
    RESULTATS.write_text(json.dumps(resultat, ensure_ascii=False, indent=2, default=str) + "\n")
    print(
        json.dumps(
            {
                k: resultat[k]
                for k in (
                    "generate_monthly_reports_s",
                    "ratio_max",
                    "ratio_sql_max",
                    "ratio_groupe_max",
                    "machine",
                )
            },
            ensure_ascii=False,
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demandeurs", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--source", choices=["bench_data", "interne"], default="bench_data")
    parser.add_argument("--base-existante", metavar="CODE", help="département d'une base chargée")
    parser.add_argument("--processus", type=int, default=min(4, os.cpu_count() or 1))
    args = parser.parse_args()
    if args.base_existante:
        return mesurer_base_existante(args)
    if args.source == "bench_data":
        recreer_base()
    preparer_django()
    from django.core.management import call_command
    from django.db import connection

    from accompagnement.models import Departement
    from reporting.catalogue import CATALOGUE, Mois, Perimetre
    from reporting.tasks import mois_precedent

    t = time.perf_counter()
    if args.source == "bench_data":
        from django.db.models import Count

        call_command("bench_data", "--demandeurs", str(args.demandeurs), "--departement", "95")
        dep = Departement.objects.get(code_insee="95")
        volumes = {"demandeurs": args.demandeurs, "source": "manage.py bench_data"}
        from dossiers.models import EvenementJournal, PeriodeOrientation

        volumes["periodes"] = PeriodeOrientation.objects.count()
        volumes["evenements_journal"] = EvenementJournal.objects.count()
        volumes["structures"] = dict(
            dep.structures.values_list("type").annotate(n=Count("pk")).order_by()
        )
        mois = mois_precedent()
    else:
        dep, volumes = generer(args.demandeurs)
        volumes["source"] = "générées par bench/reporting.py (bulk_create)"
        mois = Mois.depuis_texte(MOIS)
    generation = time.perf_counter() - t
    p = Perimetre(dep)
    params = {"dep": dep.pk, "debut": mois.debut, "fin": mois.fin, "veille": mois.veille}
    indicateurs = {}
    for ind in CATALOGUE:
        duree, valeur = chrono(lambda ind=ind: ind.calculer(p, mois), args.repetitions)
        ligne = {"catalogue_ms": round(1000 * duree, 2), "valeur": valeur}
        if ind.cle in SQL_MAIN:

            def a_la_main(cle=ind.cle):
                with connection.cursor() as c:
                    c.execute(SQL_MAIN[cle], params)
                    return c.fetchone()[0]

            duree_sql, valeur_sql = chrono(a_la_main, args.repetitions)
            valeur_sql = float(valeur_sql) if valeur_sql is not None else None
            ligne |= {
                "sql_main_ms": round(1000 * duree_sql, 2),
                "valeur_sql": valeur_sql,
                "ratio": round(duree / duree_sql, 2) if duree_sql else None,
                "identiques": valeur_sql == (float(valeur) if valeur is not None else None),
            }
        indicateurs[ind.cle] = ligne
    t = time.perf_counter()
    call_command("generate_monthly_reports", "--month", str(mois), "--departement", "95")
    from reporting import mensuel

    nb_perimetres = len(mensuel.perimetres(dep))
    commande = time.perf_counter() - t
    ratios = [v["ratio"] for v in indicateurs.values() if v.get("ratio")]
    resultat = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"plateforme": platform.platform(), "processeurs": os.cpu_count()},
        "donnees": volumes,
        "mois": str(mois),
        "generation_donnees_s": round(generation, 1),
        "generate_monthly_reports_s": round(commande, 1),
        "perimetres": nb_perimetres,
        "objectif_s": 30,
        "indicateurs": indicateurs,
        "ratio_max": max(ratios) if ratios else None,
        "valeurs_identiques": all(v.get("identiques", True) for v in indicateurs.values()),
        "note": "Médiane de --repetitions exécutions ; « ratio » = catalogue / SQL écrit à la main.",
    }
    RESULTATS.parent.mkdir(parents=True, exist_ok=True)
    RESULTATS.write_text(json.dumps(resultat, ensure_ascii=False, indent=2, default=str) + "\n")
    print(
        json.dumps(
            {
                k: resultat[k]
                for k in (
                    "donnees",
                    "generate_monthly_reports_s",
                    "ratio_max",
                    "valeurs_identiques",
                )
            },
            ensure_ascii=False,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
