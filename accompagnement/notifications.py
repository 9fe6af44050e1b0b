"""Notifications aux professionnels. Pour l'instant par courriel, envoyé par Celery après
la validation de la transaction (rien ne part si l'écriture échoue)."""

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction

_suspendues: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_suspendues", default=False
)


@contextlib.contextmanager
def suspendues() -> Iterator[None]:
    """Aucune notification dans ce bloc : chargements de démonstration, reprises de données
    (des centaines d'événements passés qui ne concernent plus personne aujourd'hui)."""
    jeton = _suspendues.set(True)
    try:
        yield
    finally:
        _suspendues.reset(jeton)


def envoyer(*, destinataires: Iterable, sujet: str, texte: str) -> None:
    if _suspendues.get():
        return
    adresses = sorted({u.email for u in destinataires if u is not None and u.is_active and u.email})
    if not adresses:
        return
    from .tasks import envoyer_courriel

    corps = f"{texte}\n\n— Accompagnement global\n{getattr(settings, 'URL_PUBLIQUE', '')}".rstrip()
    for adresse in adresses:
        transaction.on_commit(
            lambda a=adresse: envoyer_courriel.delay(f"[Accompagnement global] {sujet}", corps, [a])
        )
