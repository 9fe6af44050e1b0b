"""Droits sur les dossiers : niveau d'accès et actions du parcours (fonctions pures)."""

from __future__ import annotations

from enum import StrEnum

from accompagnement.models import Membership, Role
from dossiers.models import Axe, Dossier, RoleAffectation


class Niveau(StrEnum):
    COMPLET = "complet"  # identité, parcours, affectations, demandes
    STATUT = "statut"  # identité et statut seulement (ex. : conseiller qui a orienté en axe 3)


PLACES_BINOME = {
    RoleAffectation.CONSEILLER_DEDIE,
    RoleAffectation.TRAVAILLEUR_SOCIAL,
    RoleAffectation.REFERENT_SOCIAL,
}


def _affectations(dossier: Dossier) -> list:
    """Toutes les affectations du dossier (préchargées par la vue si possible)."""
    cache = getattr(dossier, "_prefetched_objects_cache", {})
    if "affectations" in cache:
        return list(cache["affectations"])
    return list(dossier.affectations.all())


def places_ouvertes_de(user, dossier: Dossier) -> set[str]:
    return {
        a.role
        for a in _affectations(dossier)
        if a.professionnel_id == user.pk and a.date_fin is None
    }


def a_ete_affecte(user, dossier: Dossier) -> bool:
    return any(a.professionnel_id == user.pk for a in _affectations(dossier))


def niveau_acces(membership: Membership | None, dossier: Dossier) -> Niveau | None:
    """Ce qu'un rattachement voit d'un dossier. Sa traduction SQL est dans
    dossiers/models/parcours.py, clause pour clause : `Dossier.objects.visibles_par`
    (niveau non nul) et `Dossier.objects.visibles_en_entier_par` (COMPLET) ; changer une
    règle ici, c'est la changer là-bas (tests/dossiers/parcours/test_acces_coherent.py)."""
    # Même département, toujours.
    if membership is None or dossier.departement_id != membership.structure.departement_id:
        return None
    role, user, structure = membership.role, membership.user, membership.structure
    if role == Role.ANIMATRICE:
        return Niveau.COMPLET
    if role == Role.ADMINISTRATEUR:
        return None
    # Tout professionnel : une place tenue aujourd'hui.
    if places_ouvertes_de(user, dossier):
        return Niveau.COMPLET
    if dossier.est_clos and any(
        a.professionnel_id == user.pk and a.date_fin == dossier.date_cloture
        for a in _affectations(dossier)
    ):
        # Ceux qui suivaient la personne à la clôture gardent la lecture complète (bilan).
        return Niveau.COMPLET
    # Correspondant insertion : son territoire.
    if role == Role.CORRESPONDANT_INSERTION and dossier.territoire_id == structure.pk:
        return Niveau.COMPLET
    # Rôles France Travail : leur agence.
    if role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE) and dossier.agence_id == structure.pk:
        # L'agence suit ses dossiers hors accompagnement social ; en axe 2 ou 3, le
        # binôme ou le référent social a la main, l'agence garde le statut.
        if dossier.axe_courant in (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF):
            return Niveau.STATUT
        return Niveau.COMPLET
    # Tout professionnel : un dossier qu'il a orienté, une place tenue par le passé.
    if dossier.oriente_par_id == user.pk or a_ete_affecte(user, dossier):
        return Niveau.STATUT
    return None


def peut_voir_dossier(membership, dossier) -> bool:
    return niveau_acces(membership, dossier) is not None


def peut_voir_parcours(membership, dossier) -> bool:
    return niveau_acces(membership, dossier) == Niveau.COMPLET


def peut_creer_demandeur(membership: Membership | None) -> bool:
    return membership is not None and membership.role != Role.ADMINISTRATEUR


def peut_voir_personnes_sans_dossier(membership: Membership | None) -> bool:
    """La liste « Personnes sans dossier » (son périmètre : `lectures.personnes_sans_dossier`) :
    tout rôle qui enregistre des personnes, donc tous sauf l'administrateur."""
    return peut_creer_demandeur(membership)


def peut_ouvrir_dossier_pour(membership: Membership | None, demandeur) -> bool:
    """Ouvrir un dossier à une personne qui n'en a pas d'ouvert : qui peut enregistrer une
    personne, dans le département de la personne."""
    return (
        peut_creer_demandeur(membership)
        and membership.structure.departement_id == demandeur.departement_id
    )


def peut_modifier_demandeur(membership, dossier) -> bool:
    return not dossier.est_clos and niveau_acces(membership, dossier) == Niveau.COMPLET


def peut_orienter(membership, dossier) -> bool:
    """Première orientation : par qui a la main sur le dossier, tant qu'il n'est sur aucun axe."""
    return (
        not dossier.est_clos
        and not dossier.axe_courant
        and niveau_acces(membership, dossier) == Niveau.COMPLET
    )


def peut_affecter(membership, dossier) -> bool:
    """L'animatrice constitue les binômes et équilibre les portefeuilles ; le correspondant
    insertion désigne les professionnels sociaux de son territoire."""
    if dossier.est_clos or niveau_acces(membership, dossier) != Niveau.COMPLET:
        return False
    return membership.role in (Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION)


def places_affectables(membership) -> list[str]:
    if membership is None:
        return []
    if membership.role == Role.ANIMATRICE:
        return list(RoleAffectation.values)
    if membership.role == Role.CORRESPONDANT_INSERTION:
        return [RoleAffectation.TRAVAILLEUR_SOCIAL, RoleAffectation.REFERENT_SOCIAL]
    return []


def peut_demander_changement_axe(membership, dossier) -> bool:
    if dossier.est_clos or not dossier.axe_courant:
        return False
    if niveau_acces(membership, dossier) != Niveau.COMPLET:
        return False
    return membership.role == Role.ANIMATRICE or bool(places_ouvertes_de(membership.user, dossier))


def peut_decider_changement_axe(membership, demande) -> bool:
    """Le binôme (ou le référent social) et l'animatrice décident ; celui qui a demandé
    ne tranche pas seul sa propre demande, sauf l'animatrice (comité technique)."""
    dossier = demande.dossier
    if dossier.est_clos or niveau_acces(membership, dossier) != Niveau.COMPLET:
        return False
    if membership.role == Role.ANIMATRICE:
        return True
    if demande.demande_par_id == membership.user_id:
        return False
    return bool(places_ouvertes_de(membership.user, dossier) & PLACES_BINOME)


def peut_cloturer(membership, dossier) -> bool:
    if dossier.est_clos or niveau_acces(membership, dossier) != Niveau.COMPLET:
        return False
    return membership.role == Role.ANIMATRICE or bool(places_ouvertes_de(membership.user, dossier))


def peut_rouvrir(membership, dossier) -> bool:
    return (
        dossier.est_clos
        and peut_creer_demandeur(membership)
        and peut_voir_dossier(membership, dossier)
    )
