"""Envoi fiable des tâches demandées depuis une page, et échecs des tâches enregistrés
(décision 80).

- `envoyer_apres_commit(tache, *args)` : la demande est écrite dans la transaction de la
  page (`EnvoiTache`) et part au broker après la validation. Broker injoignable : la page
  répond quand même, la demande reste « en attente » et `relancer_envois_en_attente`
  (Celery beat, chaque minute) la renvoie à son retour. Rien n'est perdu ; les tâches ainsi
  envoyées sont idempotentes (un envoi en double ne produit rien deux fois).
- `envoyer_ou_journaliser(tache, *args)` : pour ce qui ne mérite pas d'être gardé (un
  courriel d'information) : broker injoignable, l'échec est journalisé et la page répond.
- Signal `task_failure` : chaque tâche qui échoue pour de bon (après ses reprises) laisse
  une ligne `EchecTache`, lisible par l'administrateur dans l'administration.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from celery import current_app
from celery.signals import task_failure
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as ErreurBroker

from .models import EchecTache, EnvoiTache

logger = logging.getLogger(__name__)

# Au-delà de ce délai sans envoi réussi, la tâche planifiée renvoie la demande (en deçà,
# l'envoi après validation est peut-être en cours).
DELAI_AVANT_RELANCE = dt.timedelta(seconds=30)
# Les envois réussis sont gardés une semaine (lecture dans l'administration), puis supprimés.
CONSERVATION_ENVOIS = dt.timedelta(days=7)
PAQUET_RELANCE = 500


def _erreurs_broker() -> tuple[type[BaseException], ...]:
    erreurs: tuple[type[BaseException], ...] = (ErreurBroker, OSError)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # broker AMQP sans client Redis
        return erreurs
    return (*erreurs, RedisError)


def _publier(nom: str, arguments: list) -> None:
    current_app.tasks[nom].apply_async(arguments, retry=False)


def envoyer(envoi: EnvoiTache) -> bool:
    """Publie la tâche d'une demande ; rend vrai si le broker l'a prise."""
    try:
        _publier(envoi.tache, envoi.arguments)
    except _erreurs_broker() as e:
        EnvoiTache.objects.filter(pk=envoi.pk).update(
            tentatives=F("tentatives") + 1, erreur=f"{type(e).__name__} : {e}"[:300]
        )
        logger.warning(
            "Broker injoignable : %s (demande %s) reste en attente (%s)", envoi.tache, envoi.pk, e
        )
        return False
    EnvoiTache.objects.filter(pk=envoi.pk).update(
        envoyee_le=timezone.now(), tentatives=F("tentatives") + 1, erreur=""
    )
    return True


def envoyer_apres_commit(tache, *arguments) -> EnvoiTache:
    """Enregistre la demande dans la transaction en cours et la publie après la
    validation (voir le module). Les arguments doivent être sérialisables en JSON."""
    envoi = EnvoiTache.objects.create(tache=tache.name, arguments=list(arguments))
    transaction.on_commit(lambda: envoyer(envoi))
    return envoi


def en_attente(envoi: EnvoiTache) -> bool:
    """La demande n'a pas encore été prise par le broker (relue en base)."""
    return EnvoiTache.objects.filter(pk=envoi.pk, envoyee_le__isnull=True).exists()


def envoyer_ou_journaliser(tache, *arguments) -> bool:
    """Publie une tâche dont la perte est acceptable : broker injoignable, l'échec est
    journalisé (niveau ERROR) et l'appelant continue."""
    try:
        tache.apply_async(arguments, retry=False)
    except _erreurs_broker() as e:
        logger.error("Broker injoignable : %s non envoyée (%s)", tache.name, e)
        return False
    return True


def relancer_envois_en_attente(maintenant: dt.datetime | None = None) -> int:
    """Renvoie les demandes restées en attente (broker revenu), les plus anciennes
    d'abord, et supprime les envois réussis de plus d'une semaine. Rend le nombre de
    demandes envoyées."""
    maintenant = maintenant or timezone.now()
    EnvoiTache.objects.filter(envoyee_le__lt=maintenant - CONSERVATION_ENVOIS).delete()
    en_attente = EnvoiTache.objects.filter(
        envoyee_le__isnull=True, cree_le__lte=maintenant - DELAI_AVANT_RELANCE
    ).order_by("cree_le", "pk")[:PAQUET_RELANCE]
    return sum(envoyer(envoi) for envoi in en_attente)


@task_failure.connect
def _enregistrer_echec(sender=None, task_id=None, exception=None, einfo=None, **kwargs):
    """Une ligne par échec définitif. Jamais d'exception d'ici : un échec qu'on ne peut pas
    enregistrer (base elle-même en panne) reste dans le journal du worker."""
    try:
        trace = (
            str(einfo.traceback)
            if einfo is not None
            else "".join(traceback.format_exception(exception))
        )
        EchecTache.objects.create(
            task_id=task_id or "",
            tache=getattr(sender, "name", str(sender))[:200],
            exception=type(exception).__name__[:200],
            message=str(exception)[:2000],
            trace=trace[-20000:],
            worker=(getattr(getattr(sender, "request", None), "hostname", "") or "")[:200],
        )
    except DatabaseError:
        logger.exception("Échec de la tâche %s non enregistré en base", task_id)
