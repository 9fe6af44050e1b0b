"""Le serveur de démonstration de `make run` : `runserver`, précédé de ce qui manque
(migrations, données de démonstration) et suivi de l'arrêt du PostgreSQL embarqué.

- Préparation, dans le processus principal seulement (pas dans le processus relancé à
  chaque modification du code) : `migrate` s'il reste des migrations à appliquer,
  `seed_demo --si-necessaire` (rien si la démonstration de cette version est chargée).
  Un second démarrage ne coûte qu'une lecture du plan de migrations et de la version.
- À la sortie (Ctrl-C, arrêt du serveur) : le PostgreSQL embarqué est arrêté si plus
  aucun autre processus ne l'utilise (accompagnement.embedded_postgres.liberer).

Réglages : ceux de l'environnement ; `make run` fixe ceux de la démonstration (ENV_RUN).
"""

import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.runserver import Command as RunserverCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import autoreload

from accompagnement import embedded_postgres


class Command(RunserverCommand):
    help = (
        "Applique les migrations et charge la démonstration si besoin, puis sert "
        "l'application (runserver) ; arrête le PostgreSQL embarqué à la sortie."
    )

    def handle(self, *args, **options):
        if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
            return super().handle(*args, **options)  # processus relancé par l'autoreloader
        # Terminal fermé, `kill` : sortie normale, pour que la base soit arrêtée.
        for signum in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(signum, lambda *_: sys.exit(0))
        try:
            self.preparer()
            super().handle(*args, **options)
        finally:
            self.liberer_base()

    def preparer(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(f"{len(plan)} migration(s) à appliquer.")
            call_command("migrate", interactive=False)
        else:
            self.stdout.write("Base à jour : aucune migration à appliquer.")
        if settings.DEMO_AUTORISEE:
            call_command("seed_demo", si_necessaire=True)
        else:
            self.stdout.write("Démonstration non chargée : DEMO_AUTORISEE est faux.")
        connections.close_all()  # le processus relancé ouvre les siennes

    def liberer_base(self) -> None:
        reglages = settings.DATABASES[DEFAULT_DB_ALIAS]
        if reglages["ENGINE"] != "accompagnement.db_embedded":
            return
        connections.close_all()
        if embedded_postgres.liberer(reglages["PGDATA"]):
            self.stdout.write(f"PostgreSQL embarqué arrêté ({reglages['PGDATA']}).")
        elif embedded_postgres.en_marche(reglages["PGDATA"]):
            self.stdout.write(
                "PostgreSQL embarqué laissé en marche : un autre processus l'utilise "
                "(`make stop` l'arrête)."
            )
