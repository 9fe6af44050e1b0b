"""Tâches Celery des dossiers : minces, idempotentes ; les plannings sont dans
accompagnement/celery.py."""

from celery import shared_task

from dossiers.parcours import renouvellement
from dossiers.sollicitations import services as sollicitations
from dossiers.suivi import echeances


@shared_task(soft_time_limit=9 * 60, time_limit=10 * 60)
def expirer_sollicitations() -> dict[str, int]:
    """Chaque jour : relance à mi-délai, puis expiration des sollicitations restées sans
    réponse. Rejouée le même jour, elle ne trouve plus rien à faire."""
    return {
        "relancees": sollicitations.relancer_a_mi_delai(),
        "expirees": sollicitations.expirer_sollicitations(),
    }


@shared_task(soft_time_limit=9 * 60, time_limit=10 * 60)
def signaler_echeances() -> dict[str, int]:
    """Chaque jour : renouvellements à décider (12 mois en axe 2 ou 3) et actions du plan
    à échéance. Idempotente : une échéance n'est signalée qu'une fois."""
    return {
        "renouvellements": renouvellement.signaler_renouvellements(),
        "actions": echeances.signaler_actions_echues(),
    }
