"""Le serveur de démonstration de `make run` : `runserver`, précédé de ce qui manque
(migrations, données de démonstration) et suivi de l'arrêt du PostgreSQL embarqué.

- Préparation, dans le processus principal seulement (pas dans le processus relancé à
  chaque modification du code) : `migrate` s'il reste des migrations à appliquer, puis
  rien si la démonstration de cette version est chargée ; sinon les comptes
  (`seed_demo --minimal`) avant de servir et le reste (`seed_demo --sans-comptes`) dans
  un processus en arrière-plan (journal var/seed_demo.log), arrêté avec le serveur.
  Un second démarrage ne coûte qu'une lecture du plan de migrations et de la version.
- À la sortie (Ctrl-C, arrêt du serveur) : le PostgreSQL embarqué est arrêté si plus
  aucun autre processus ne l'utilise (accompagnement.embedded_postgres.liberer).

Réglages : ceux de l'environnement ; `make run` fixe ceux de la démonstration (ENV_RUN).
"""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.runserver import Command as RunserverCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import autoreload

from accompagnement import embedded_postgres
from accompagnement.management.commands import seed_demo


class Command(RunserverCommand):
    chargement: subprocess.Popen | None = None
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
            self.arreter_chargement()
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
        if not settings.DEMO_AUTORISEE:
            self.stdout.write("Démonstration non chargée : DEMO_AUTORISEE est faux.")
        elif seed_demo.version_chargee() == seed_demo.version_demo(minimal=False):
            call_command("seed_demo", si_necessaire=True)
        else:
            # En deux temps (décision 72) : les comptes avant de servir, les dossiers en
            # arrière-plan, dans une seule transaction : ils apparaissent d'un coup.
            call_command("seed_demo", minimal=True, stdout=io.StringIO())
            self.charger_en_arriere_plan()
        connections.close_all()  # le processus relancé ouvre les siennes

    def charger_en_arriere_plan(self) -> None:
        journal = Path(settings.VAR_DIR) / "seed_demo.log"
        journal.parent.mkdir(parents=True, exist_ok=True)
        with journal.open("w") as sortie:
            self.chargement = subprocess.Popen(  # noqa: S603 (ce même manage.py, arguments fixes)
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "seed_demo",
                    "--sans-comptes",
                    "--si-necessaire",
                ],
                stdout=sortie,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.stdout.write(
            "Comptes de démonstration prêts (on peut se connecter). Dossiers, suivis et "
            "historique en cours de chargement en arrière-plan : ils apparaîtront d'un coup "
            f"dans quelques minutes (journal : {journal})."
        )

    def arreter_chargement(self) -> None:
        """Un chargement interrompu est annulé en entier (une transaction) : le prochain
        démarrage le reprend."""
        if self.chargement is None:
            return
        if self.chargement.poll() is not None:
            if self.chargement.returncode != 0:
                self.stderr.write(
                    "Le chargement de la démonstration a échoué : voir var/seed_demo.log."
                )
            return
        self.chargement.terminate()
        try:
            self.chargement.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.chargement.kill()
            self.chargement.wait()
        self.stdout.write("Chargement de la démonstration interrompu : il reprendra au démarrage.")

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
