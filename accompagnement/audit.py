"""Journal d'audit : une seule porte d'entrée pour tracer les accès aux données."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import ActionAudit, EvenementAudit


def adresse_ip(request) -> str | None:
    if request is None:
        return None
    # Derrière le proxy de production, l'adresse réelle est la première de X-Forwarded-For.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None


def enregistrer(
    *,
    action: ActionAudit,
    acteur=None,
    request=None,
    objet: models.Model | None = None,
    details: dict[str, Any] | None = None,
    departement=None,
) -> EvenementAudit:
    membership = getattr(request, "membership", None) if request is not None else None
    if acteur is None and request is not None and request.user.is_authenticated:
        acteur = request.user
    if departement is None and membership is not None:
        departement = membership.structure.departement
    return EvenementAudit.objects.create(
        action=action,
        acteur=acteur,
        departement=departement,
        role=membership.role if membership else "",
        objet_type=objet._meta.label_lower if objet is not None else "",
        objet_id=str(getattr(objet, "uuid", None) or getattr(objet, "pk", "")) if objet else "",
        details=details or {},
        adresse_ip=adresse_ip(request),
    )
