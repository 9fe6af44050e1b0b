"""Tâche quotidienne de conservation (planifiée dans accompagnement/celery.py)."""

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def purger_conservation() -> dict:
    """Préavis aux référents puis anonymisation des personnes échues. Ne fait rien si le
    coupe-circuit `RGPD_PURGE_ACTIVE` est à faux."""
    if not settings.RGPD_PURGE_ACTIVE:
        logger.warning("Purge RGPD désactivée (RGPD_PURGE_ACTIVE=false) : rien n'est fait.")
        return {"active": False}
    from .preavis import envoyer_preavis
    from .purge import anonymiser

    preavis = envoyer_preavis()
    rapport = anonymiser(executer=True)
    return {"active": True, "preavis": preavis, "anonymisees": len(rapport.personnes)}
