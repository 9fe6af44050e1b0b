"""Droits de la protection des données (fonctions pures, docs/permissions.md)."""

from accompagnement.models import Role


def peut_exercer_droits(membership) -> bool:
    """Droit d'accès d'une personne (export de tout ce qui est détenu sur elle) :
    l'administrateur, pour les personnes de son département."""
    return membership is not None and membership.role == Role.ADMINISTRATEUR


def peut_exporter_personne(membership, demandeur) -> bool:
    return (
        peut_exercer_droits(membership)
        and demandeur.departement_id == membership.structure.departement_id
    )
