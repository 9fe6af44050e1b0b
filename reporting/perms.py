"""Droits sur les documents de synthèse (bilan d'un parcours)."""

from accompagnement.models import Role
from conventions import perms as conventions_perms
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


# --- Rapports mensuels, tableau de bord, exports ------------------------------------------


def peut_voir_tableau_de_bord(membership) -> bool:
    """Le tableau de bord du département : l'animatrice."""
    return membership is not None and membership.role == Role.ANIMATRICE


def perimetres_de_rapport(membership) -> str | None:
    """Quels rapports mensuels un rattachement lit : « departement » (tous ceux de son
    département : animatrice), « territoire » (celui de son territoire : correspondant
    insertion), None sinon."""
    if membership is None:
        return None
    if membership.role == Role.ANIMATRICE:
        return "departement"
    if membership.role == Role.CORRESPONDANT_INSERTION:
        return "territoire"
    return None


def peut_lire_rapport(membership, rapport) -> bool:
    niveau = perimetres_de_rapport(membership)
    if niveau is None or rapport.departement_id != membership.structure.departement_id:
        return False
    return niveau == "departement" or rapport.structure_id == membership.structure_id


def peut_regenerer_rapport(membership, departement_id: int) -> bool:
    """Régénérer (nouvelle version) : l'animatrice de ce département."""
    return (
        membership is not None
        and membership.role == Role.ANIMATRICE
        and membership.structure.departement_id == departement_id
    )


def peut_exporter_liste(membership) -> bool:
    """Exporter une liste de dossiers du tableau de bord (pseudonymisée par défaut)."""
    return peut_voir_tableau_de_bord(membership)


def peut_exporter_nominatif(membership) -> bool:
    """Le droit « export nominatif » : noms, coordonnées et identifiant France Travail dans
    un export. L'animatrice seulement (minimisation : le correspondant et les autres rôles
    n'exportent que des données pseudonymisées)."""
    return membership is not None and membership.role == Role.ANIMATRICE


# --- Synthèse PDF d'une convention ---------------------------------------------------------


def peut_generer_synthese(membership, convention) -> bool:
    """Générer (nouvelle version) la synthèse d'une convention : qui gère les conventions
    du département (l'animatrice, `conventions.perms.peut_gerer_conventions`)."""
    return conventions_perms.peut_gerer_conventions(membership, convention.departement_id)


def peut_lire_synthese(membership, synthese) -> bool:
    """Suivre et télécharger les synthèses : les mêmes (elles portent les chiffres du
    département entier, comme le tableau de bord)."""
    return conventions_perms.peut_gerer_conventions(membership, synthese.departement_id)
