"""python manage.py generate_monthly_reports --month 2026-03 [--departement 25]

Fige les rapports du mois (département, territoires, agences) comme la tâche du 1er du
mois, dans le processus, avec une barre de progression. Idempotente : un rapport déjà figé
(version 1) est laissé tel quel."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from accompagnement.models import Departement
from reporting import mensuel, services
from reporting.catalogue import Mois


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

    def handle(self, *args, month, departement=None, **options):
        try:
            mois = Mois.depuis_texte(month)
        except ValueError as e:
            raise CommandError(str(e)) from e
        departements = Departement.objects.order_by("code_insee")
        if departement:
            departements = departements.filter(code_insee=departement)
            if not departements:
                raise CommandError(f"Aucun département de code « {departement} ».")
        perimetres = [p for d in departements for p in mensuel.perimetres(d)]
        total, debut, crees = len(perimetres), time.monotonic(), 0
        interactif = sys.stderr.isatty()
        for i, p in enumerate(perimetres, 1):
            avant = services._rapport_existant(
                services.RapportMensuel.cle_de(p.departement.pk, p.structure and p.structure.pk),
                mois,
                1,
            )
            services.generer_rapport(perimetre=p, mois=mois)
            crees += avant is None
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
                f"en {duree:.1f} s."
            )
        )
