"""Droits sur les documents de synthèse (bilan d'un parcours)."""

from accompagnement.models import Role
from dossiers.parcours import perms as dossiers_perms
from reporting.files import FILES_PAR_ROLE


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


# --- Aujourd'hui : files de travail -------------------------------------------------------


def peut_voir_aujourdhui(membership) -> bool:
    """La page « Aujourd'hui » : chaque rôle qui a des files (tous sauf l'administrateur,
    qui garde l'accueil des structures)."""
    return membership is not None and membership.role in FILES_PAR_ROLE


def peut_voir_file(membership, cle: str) -> bool:
    """Une file de travail : seulement celles de son rôle."""
    return peut_voir_aujourdhui(membership) and cle in FILES_PAR_ROLE[membership.role]
