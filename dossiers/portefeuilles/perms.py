"""Droits sur les listes : portefeuille, dossiers du département, charges."""

from __future__ import annotations

from accompagnement.models import Membership, Role


def peut_voir_liste_departement(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ANIMATRICE


def peut_voir_charges(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (
        Role.ANIMATRICE,
        Role.CORRESPONDANT_INSERTION,
    )


def peut_voir_portefeuille(membership: Membership | None) -> bool:
    """« Mon portefeuille » : tout professionnel qui suit des dossiers. L'animatrice est
    renvoyée vers la liste du département ; l'administrateur ne voit pas les dossiers."""
    return membership is not None and membership.role != Role.ADMINISTRATEUR
