"""Complète la base d'échelle de `manage.py bench_data` avec ce que `bench_data` ne fait
pas et que les mesures doivent trouver (étape de `make bench`, idempotente) :

- le « gros dossier » du ticket #14 : le dossier de l'axe 2 au plus long journal porté à
  150 actions, 200 rendez-vous et 2 900 événements (`bench.selecteurs.grossir`) ;
- une convention signée de trois ans (liste et fiche des conventions) ;
- une séance de comité technique départementale, son ordre du jour composé depuis les
  files de l'animatrice (`comites.services.composer_ordre_du_jour`, la vraie fonction :
  une composition, donc `POINTS_PAR_COMPOSITION` points, décision 89) ;
- les statistiques du planificateur des tables sans statistiques (`ANALYZE`) : ce que
  l'autovacuum ferait en service, coupé sur le PostgreSQL des mesures.

    BENCH_ECHELLE_DATABASE_URL=postgres://…/acc_bench_grand python -m bench.preparer
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench import pages

LIEU_COMITE = "Salle du comité (mesure)"
INTITULE_CONVENTION = "Convention d'accompagnement global (mesure)"


def creer_convention_signee(departement, intitule: str, *, jours_restants: int):
    """Une convention signée, en vigueur depuis 425 jours (toute la fenêtre des parcours de
    `bench_data`), deux parties et leurs signataires ; aussi celle de `bench.synthese`."""
    from django.utils import timezone

    from conventions import services as conventions
    from conventions.models import Convention, Partie, Signataire, TypePartie

    aujourd_hui = timezone.localdate()
    objet = Convention.objects.create(
        departement=departement,
        intitule=intitule,
        date_signature=aujourd_hui - dt.timedelta(days=430),
        date_effet=aujourd_hui - dt.timedelta(days=425),
        date_echeance=aujourd_hui + dt.timedelta(days=jours_restants),
        objectif_personnes_par_an=4000,
        objectif_delai_entree_jours=30,
        axes=["axe_1", "axe_2", "axe_3"],
    )
    for ordre, (type_, nom) in enumerate(
        [(TypePartie.DEPARTEMENT, "Département"), (TypePartie.FRANCE_TRAVAIL, "France Travail")]
    ):
        partie = Partie.objects.create(convention=objet, type=type_, nom=nom, ordre=ordre)
        Signataire.objects.create(
            partie=partie,
            nom=f"Signataire {ordre + 1}",
            qualite="Directeur",
            date_signature=objet.date_signature,
        )
    conventions.signer_convention(convention=objet, par=None)
    return objet


def convention(departement) -> str:
    from conventions.models import Convention

    if Convention.objects.filter(departement=departement, intitule=INTITULE_CONVENTION).exists():
        return "convention déjà là"
    creer_convention_signee(departement, INTITULE_CONVENTION, jours_restants=670)
    return "convention signée créée"


def comite(departement, animatrice) -> str:
    from django.utils import timezone

    from comites import services
    from comites.models import EtatSeance, Seance, TypeSeance

    seance = Seance.objects.filter(
        departement=departement, lieu=LIEU_COMITE, etat=EtatSeance.PREPAREE
    ).first()
    if seance is not None:
        return f"séance déjà là ({seance.points.count()} points)"
    seance = services.creer_seance(
        par=animatrice,
        type=TypeSeance.ORIENTATIONS,
        debut=timezone.now() + dt.timedelta(days=7),
        lieu=LIEU_COMITE,
    )
    debut = time.perf_counter()
    composition = services.composer_ordre_du_jour(seance=seance, par=animatrice)
    duree = time.perf_counter() - debut
    return (
        f"séance créée, ordre du jour composé : {len(composition.points)} points en "
        f"{duree:.1f} s ({composition.en_attente} autres dossiers au moins restent dans les "
        "files, compte borné)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departement", default="25")
    args = parser.parse_args()
    pages.preparer_django()
    from django.db import transaction

    from bench.selecteurs import GROS, grossir

    choix = pages.choisir(args.departement)
    with transaction.atomic():
        grossir(choix["gros"])
        print(f"gros dossier {choix['gros'].uuid} : {GROS}", flush=True)
        print(convention(choix["departement"]), flush=True)
        print(comite(choix["departement"], choix["acteurs"]["animatrice"]), flush=True)
    print(analyser(), flush=True)


def analyser() -> str:
    """`ANALYZE` des tables que le planificateur croit vides (`reltuples` ≤ 0 : jamais
    analysées, ou analysées avant d'être remplies — les historiques des comités, remplis
    ici après le `VACUUM ANALYZE` de `bench.tout`). Sans cela, la branche des points de
    comité du journal d'audit (10 717 lignes estimées à 8) trie tout le département au lieu
    de lire l'index par date : 1 s au lieu de 1 ms. Les tables vides coûtent ~0."""
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.reltuples <= 0"
        )
        tables = [ligne[0] for ligne in curseur.fetchall()]
        for table in tables:
            curseur.execute(f'ANALYZE "{table}"')
    return f"statistiques calculées pour {len(tables)} tables sans statistiques"


if __name__ == "__main__":
    main()
