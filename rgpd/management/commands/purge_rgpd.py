"""`python manage.py purge_rgpd [--wet-run] [--departement 25]` : essai à blanc par
défaut (rien n'est écrit, la liste de ce qui serait fait s'affiche) ; `--wet-run`
anonymise les personnes échues (refusé si RGPD_PURGE_ACTIVE est à faux)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accompagnement.models import Departement
from rgpd.purge import anonymiser


class Command(BaseCommand):
    help = "Anonymise les personnes dont la durée de conservation est échue (essai à blanc par défaut)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help="Anonymiser pour de bon (sans cette option : essai à blanc, rien n'est écrit).",
        )
        parser.add_argument("--departement", help="Code INSEE d'un seul département.")

    def handle(self, *args, wet_run=False, departement=None, **options):
        dep = None
        if departement:
            dep = Departement.objects.filter(code_insee=departement).first()
            if dep is None:
                raise CommandError(f"Département inconnu : {departement}.")
        if wet_run and not settings.RGPD_PURGE_ACTIVE:
            raise CommandError(
                "La purge est désactivée (RGPD_PURGE_ACTIVE=false) : rien n'a été anonymisé."
            )
        rapport = anonymiser(executer=wet_run, departement=dep)
        for ligne in rapport.lignes_du_rapport():
            self.stdout.write(ligne)
        if not wet_run:
            self.stdout.write(
                "Essai à blanc : rien n'a été modifié. Relancez avec --wet-run pour agir."
            )
