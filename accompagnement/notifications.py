"""Notifications aux professionnels. Pour l'instant par courriel, envoyé par Celery après
la validation de la transaction (rien ne part si l'écriture échoue)."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction


def envoyer(*, destinataires: Iterable, sujet: str, texte: str) -> None:
    adresses = sorted({u.email for u in destinataires if u is not None and u.is_active and u.email})
    if not adresses:
        return
    from .tasks import envoyer_courriel

    corps = f"{texte}\n\n— Accompagnement global\n{getattr(settings, 'URL_PUBLIQUE', '')}".rstrip()
    for adresse in adresses:
        transaction.on_commit(
            lambda a=adresse: envoyer_courriel.delay(f"[Accompagnement global] {sujet}", corps, [a])
        )
