"""python manage.py generate_monthly_reports --month 2026-03 [--departement 25]

Fige les rapports du mois (département, territoires, agences) comme la tâche du 1er du
mois, dans le processus, avec une barre de progression. Idempotente : un rapport déjà figé
(version 1) est laissé tel quel."""

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from accompagnement.models import Departement
from reporting import mensuel, services
from reporting.catalogue import Mois
from reporting.models import RapportMensuel


def _pdf(niveau: str, chiffres: dict, genere_le) -> bytes:
    """Dans un processus fils : le PDF d'un rapport de version 1, de ses seuls chiffres."""
    rapport = RapportMensuel(niveau=niveau, version=1, chiffres=chiffres, genere_le=genere_le)
    return services.pdf_du_rapport(rapport)


def rendre_les_pdf(travaux: list[tuple], processus: int):
    """Les PDF de plusieurs rapports (niveau, chiffres, date), rendus par `processus`
    processus (WeasyPrint : ~1 s de CPU par rapport, un cœur chacun). Les connexions à la
    base sont fermées avant le fork : un fils n'hérite d'aucune d'elles ; dans une
    transaction (tests), on ne les ferme pas et le rendu reste dans ce processus."""
    if processus <= 1 or len(travaux) <= 1 or connections["default"].in_atomic_block:
        for t in travaux:
            yield _pdf(*t)
        return
    import weasyprint  # noqa: F401 — chargé une fois, hérité par les fils

    connections.close_all()
    contexte = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processus, mp_context=contexte) as pool:
        # Dans l'ordre, au fil de l'eau : le père enregistre un rapport pendant que les
        # fils rendent les suivants (les fils sont tous créés ici, avant qu'il ne rouvre
        # sa connexion).
        yield from pool.map(_pdf, *zip(*travaux, strict=True))


def barre(fait: int, total: int, largeur: int = 30) -> str:
    plein = largeur * fait // total if total else largeur
    return f"[{'#' * plein}{'.' * (largeur - plein)}] {fait}/{total}"


class Command(BaseCommand):
    help = "Fige les rapports mensuels d'un mois (département, territoires et agences)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="Mois au format AAAA-MM (ex. 2026-03).")
        parser.add_argument(
            "--departement", help="Code du département (ex. 25) ; tous les départements sinon."
        )
        parser.add_argument(
            "--processus",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processus qui rendent les PDF en parallèle (défaut : les cœurs, 4 au plus).",
        )

    @staticmethod
    def cle(p) -> str:
        return services.RapportMensuel.cle_de(p.departement.pk, p.structure and p.structure.pk)

    def handle(self, *args, month, departement=None, processus=1, **options):
        try:
            mois = Mois.depuis_texte(month)
        except ValueError as e:
            raise CommandError(str(e)) from e
        departements = Departement.objects.order_by("code_insee")
        if departement:
            departements = departements.filter(code_insee=departement)
            if not departements:
                raise CommandError(f"Aucun département de code « {departement} ».")
        par_departement = [(d, mensuel.perimetres(d)) for d in departements]
        total = sum(len(ps) for _d, ps in par_departement)
        debut, crees, i, calcul = time.monotonic(), 0, 0, 0.0
        interactif = sys.stderr.isatty()
        for _departement, perimetres in par_departement:
            figes = set(
                services.RapportMensuel.objects.filter(
                    cle_perimetre__in=[self.cle(p) for p in perimetres],
                    mois=mois.debut,
                    version=1,
                ).values_list("cle_perimetre", flat=True)
            )
            a_faire = [p for p in perimetres if self.cle(p) not in figes]
            # Tous les périmètres du département d'un coup : une requête par indicateur.
            t = time.monotonic()
            chiffres = mensuel.figer_plusieurs(a_faire, mois) if a_faire else {}
            calcul += time.monotonic() - t
            maintenant = timezone.now()
            travaux = [
                (p.niveau, chiffres[p.structure.pk if p.structure else None], maintenant)
                for p in a_faire
            ]
            pdfs = rendre_les_pdf(travaux, processus)
            for p in perimetres:
                i += 1
                if p in a_faire:
                    services.generer_rapport(
                        perimetre=p,
                        mois=mois,
                        chiffres=chiffres[p.structure.pk if p.structure else None],
                        pdf=(maintenant, next(pdfs)),
                    )
                    crees += 1
                ligne = f"{barre(i, total)} {p.libelle}"
                if interactif:
                    self.stderr.write(f"\r{ligne[:100]:<100}", ending="")
                else:
                    self.stderr.write(ligne)
        if interactif:
            self.stderr.write("")
        duree = time.monotonic() - debut
        self.stdout.write(
            self.style.SUCCESS(
                f"{mois.libelle} : {crees} rapport(s) figé(s), {total - crees} déjà présent(s), "
                f"en {duree:.1f} s (chiffres : {calcul:.1f} s ; PDF et enregistrement : "
                f"{duree - calcul:.1f} s)."
            )
        )
