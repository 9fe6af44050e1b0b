"""Tâches Celery du noyau : minces, idempotentes, relancées en cas d'échec transitoire."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
    soft_time_limit=50,
    time_limit=60,
)
def envoyer_courriel(
    sujet: str, texte: str, destinataires: list[str], html: str | None = None
) -> int:
    """Envoie un courriel hors du cycle de la requête (la page ne dépend pas du SMTP)."""
    message = EmailMultiAlternatives(sujet, texte, to=destinataires)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
def envoyer_resumes_quotidiens() -> int:
    """Résumé quotidien des notifications (planifié dans accompagnement/celery.py)."""
    from .notifications import envoyer_resumes

    return envoyer_resumes()


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def purger_journaux_audit() -> dict[str, int]:
    """Purge quotidienne des traces d'audit au-delà de AUDIT_CONSERVATION_MOIS
    (planifiée dans accompagnement/celery.py)."""
    from .audit import purger

    return purger()


@shared_task(soft_time_limit=50, time_limit=60)
def relancer_envois_en_attente() -> int:
    """Chaque minute : renvoie au broker les demandes des pages restées en attente."""
    from .taches import relancer_envois_en_attente as relancer

    return relancer()
