from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Noyau (départements, structures, comptes)"

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401 — traces de connexion dans l'audit
            taches,  # noqa: F401 — échecs des tâches Celery enregistrés (task_failure)
        )
