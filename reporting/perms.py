"""Droits sur les documents de synthèse (bilan d'un parcours)."""

from accompagnement.models import Role
from dossiers.parcours import perms as dossiers_perms


def peut_voir_bilan(membership, dossier) -> bool:
    return dossiers_perms.niveau_acces(membership, dossier) == dossiers_perms.Niveau.COMPLET


def peut_rediger_bilan(membership, dossier) -> bool:
    """Le binôme (ou le référent) qui a suivi la personne, et l'animatrice."""
    if not peut_voir_bilan(membership, dossier):
        return False
    return membership.role == Role.ANIMATRICE or dossiers_perms.a_ete_affecte(
        membership.user, dossier
    )


def peut_exporter_bilan(membership, dossier) -> bool:
    return peut_voir_bilan(membership, dossier)
