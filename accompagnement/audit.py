"""Journal d'audit : une seule porte d'entrée pour tracer les accès aux données."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import ActionAudit, EvenementAudit
from .reseau import adresse_client


def adresse_ip(request) -> str | None:
    # X-Forwarded-For n'est cru que s'il vient d'un proxy de confiance (TRUSTED_PROXIES).
    return adresse_client(request) if request is not None else None


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
