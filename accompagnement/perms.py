"""Questions de droits du noyau : des fonctions pures, une par question."""

from .models import Membership, Role

ROLES_FRANCE_TRAVAIL = frozenset({Role.CONSEILLER, Role.CONSEILLER_DEDIE})
ROLES_SOCIAUX = frozenset({Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION})
ROLES_COORDINATION = frozenset({Role.ANIMATRICE, Role.ADMINISTRATEUR})


def est_cote_france_travail(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ROLES_FRANCE_TRAVAIL


def est_cote_social(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ROLES_SOCIAUX


def peut_voir_tableau_departement(membership: Membership | None) -> bool:
    """Vue d'ensemble des structures et des effectifs du département."""
    return membership is not None and membership.role in ROLES_COORDINATION


def peut_voir_annuaire(membership: Membership | None) -> bool:
    """Tout professionnel rattaché voit l'annuaire de son département (pour trouver son
    binôme, un correspondant) ; jamais celui d'un autre département."""
    return membership is not None


def peut_consulter_audit(membership: Membership | None) -> bool:
    """Journal d'audit (accès et modifications) de son seul département : l'animatrice et
    l'administrateur, qui contrôlent l'usage des données (décision 27)."""
    return membership is not None and membership.role in ROLES_COORDINATION
