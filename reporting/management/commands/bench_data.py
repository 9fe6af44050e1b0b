"""`manage.py bench_data --demandeurs N [--seed S]` : un département à l'échelle réelle pour
les mesures de `bench/` (générateur : `bench/donnees.py`). La commande est dans `reporting`,
la couche la plus haute (contrats import-linter) : elle écrit dans les tables de toutes les
applications."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench import donnees


class Command(BaseCommand):
    help = "Génère un département réaliste de N demandeurs (COPY en masse, déterministe)."

    def add_arguments(self, parser):
        parser.add_argument("--demandeurs", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1, help="graine (défaut : 1)")
        parser.add_argument(
            "--departement", default="25", help="code INSEE du département créé (défaut : 25)"
        )
        parser.add_argument(
            "--sans-journal", action="store_true", help="ne pas écrire le journal des dossiers"
        )

    def handle(self, *args, demandeurs, seed, departement, sans_journal, **options):
        if demandeurs < 1:
            raise CommandError("--demandeurs doit être au moins 1.")
        debut = time.monotonic()
        sortie = self.stdout.write if options["verbosity"] > 1 else None
        try:
            comptes = donnees.charger(
                demandeurs, graine=seed, code=departement, journal=not sans_journal, sortie=sortie
            )
        except ValueError as erreur:
            raise CommandError(str(erreur)) from erreur
        for table, nombre in sorted(comptes.items()):
            self.stdout.write(f"  {table:40} {nombre:>10}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{demandeurs} demandeurs générés en {time.monotonic() - debut:.1f} s "
                f"({sum(comptes.values())} lignes)."
            )
        )
