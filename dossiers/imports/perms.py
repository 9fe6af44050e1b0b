"""Droits sur l'import des demandeurs."""

from __future__ import annotations

from accompagnement.models import Membership, Role


def peut_importer_demandeurs(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ANIMATRICE
