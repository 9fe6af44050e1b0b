"""Droits sur la base de ressources sociales : des fonctions pures, une par question.

Tous les professionnels du département consultent la base (l'axe 1 consiste à mobiliser
une ressource) ; l'animatrice fonctionnelle et les correspondants insertion la tiennent à
jour (import, saisie des ressources locales, vérification des fiches anciennes).
L'administrateur configure l'outil et ne travaille pas les parcours : pas d'accès."""

from accompagnement.models import Membership, Role

ROLES_GESTION = frozenset({Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION})


def peut_voir_ressources(membership: Membership | None) -> bool:
    """Annuaire des ressources et fiches des services du département courant."""
    return membership is not None and membership.role != Role.ADMINISTRATEUR


def peut_gerer_ressources(membership: Membership | None) -> bool:
    """Importer un fichier data·inclusion, saisir des structures et des services locaux."""
    return membership is not None and membership.role in ROLES_GESTION


def peut_voir_a_verifier(membership: Membership | None) -> bool:
    """La liste des services non mis à jour depuis plus de 12 mois."""
    return peut_gerer_ressources(membership)


def peut_modifier_ressource(membership: Membership | None, ressource) -> bool:
    """Une ressource saisie à la main (source « locale ») du département courant ; une
    ressource importée se corrige à la source, sinon le prochain import l'écraserait."""
    return (
        peut_gerer_ressources(membership)
        and ressource.est_locale
        and ressource.departement_id == membership.structure.departement_id
    )


# --- Conventions de partenariat ---------------------------------------------------------------


def peut_gerer_conventions(membership: Membership | None, departement) -> bool:
    """Saisir, signer, mettre en vigueur, résilier une convention et ajouter un avenant :
    l'animatrice fonctionnelle du département de la convention."""
    return (
        membership is not None
        and membership.actif
        and membership.role == Role.ANIMATRICE
        and membership.structure.departement_id == getattr(departement, "pk", departement)
    )


def peut_voir_conventions(membership: Membership | None) -> bool:
    """Liste et fiche des conventions du département courant : tout professionnel rattaché
    (le cadre du partenariat n'a rien de personnel)."""
    return membership is not None
