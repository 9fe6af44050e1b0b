"""Écriture du journal d'un dossier : appelée par chaque service, dans sa transaction."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from .models import Dossier, EvenementJournal, TypeEvenement, Visibilite


def journaliser(
    *,
    dossier: Dossier,
    type: TypeEvenement,
    auteur,
    resume: str,
    objet: models.Model | None = None,
    date: dt.date | None = None,
    visibilite: Visibilite = Visibilite.PARTAGEE,
) -> EvenementJournal:
    return EvenementJournal.objects.create(
        dossier=dossier,
        type=type,
        auteur=auteur,
        resume=resume[:300],
        date_effet=date or timezone.localdate(),
        visibilite=visibilite,
        objet_type=objet._meta.label_lower if objet is not None else "",
        objet_id=str(getattr(objet, "uuid", None) or getattr(objet, "pk", ""))
        if objet is not None
        else "",
    )
