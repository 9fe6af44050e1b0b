"""Droits sur les demandeurs et les dossiers : des fonctions pures, une par question.
Le périmètre des listes est Dossier.objects.visibles_par(membership) ; le détail montré
dans ce périmètre est niveau_acces()."""

from __future__ import annotations

from enum import StrEnum

from accompagnement.models import Membership, Role

from .models import Axe, Dossier, RoleAffectation


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
    if membership is None or dossier.departement_id != membership.structure.departement_id:
        return None
    role, user, structure = membership.role, membership.user, membership.structure
    if role == Role.ANIMATRICE:
        return Niveau.COMPLET
    if role == Role.ADMINISTRATEUR:
        return None
    if places_ouvertes_de(user, dossier):
        return Niveau.COMPLET
    if dossier.est_clos and any(
        a.professionnel_id == user.pk and a.date_fin == dossier.date_cloture
        for a in _affectations(dossier)
    ):
        # Ceux qui suivaient la personne à la clôture gardent la lecture complète (bilan).
        return Niveau.COMPLET
    if role == Role.CORRESPONDANT_INSERTION and dossier.territoire_id == structure.pk:
        return Niveau.COMPLET
    if role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE) and dossier.agence_id == structure.pk:
        # L'agence suit ses dossiers hors accompagnement social ; en axe 2 ou 3, le
        # binôme ou le référent social a la main, l'agence garde le statut.
        if dossier.axe_courant in (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF):
            return Niveau.STATUT
        return Niveau.COMPLET
    if dossier.oriente_par_id == user.pk or a_ete_affecte(user, dossier):
        return Niveau.STATUT
    return None


def peut_voir_dossier(membership, dossier) -> bool:
    return niveau_acces(membership, dossier) is not None


def peut_voir_parcours(membership, dossier) -> bool:
    return niveau_acces(membership, dossier) == Niveau.COMPLET


def peut_creer_demandeur(membership: Membership | None) -> bool:
    return membership is not None and membership.role != Role.ADMINISTRATEUR


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


def peut_voir_liste_departement(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ANIMATRICE


def peut_importer_demandeurs(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ANIMATRICE


def peut_voir_charges(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (
        Role.ANIMATRICE,
        Role.CORRESPONDANT_INSERTION,
    )


# --- listes et portefeuilles ---


def peut_voir_portefeuille(membership: Membership | None) -> bool:
    """« Mon portefeuille » : tout professionnel qui suit des dossiers. L'animatrice est
    renvoyée vers la liste du département ; l'administrateur ne voit pas les dossiers."""
    return membership is not None and membership.role != Role.ADMINISTRATEUR


# --- fin listes et portefeuilles ---


# --- sollicitations ---
# Voir docs/sollicitations.md. `sollicitation.dossier` doit être chargé (avec ses
# affectations préchargées sur les listes) : ces fonctions ne font pas de requête.

from accompagnement.perms import est_cote_social  # noqa: E402
from accompagnement.referentiels import DOMAINES_SENSIBLES  # noqa: E402


def peut_solliciter(membership: Membership | None, dossier: Dossier) -> bool:
    """Solliciter une ressource : qui a l'accès complet au dossier, tant qu'il est ouvert."""
    return not dossier.est_clos and niveau_acces(membership, dossier) == Niveau.COMPLET


def peut_voir_file_sollicitations(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (
        Role.CORRESPONDANT_INSERTION,
        Role.ANIMATRICE,
    )


def _meme_departement(membership: Membership | None, sollicitation) -> bool:
    return (
        membership is not None
        and sollicitation.dossier.departement_id == membership.structure.departement_id
    )


def peut_gerer_sollicitation(membership: Membership | None, sollicitation) -> bool:
    """Envoyer un brouillon, relancer, constater la réalisation : le côté du dossier."""
    return _meme_departement(membership, sollicitation) and peut_solliciter(
        membership, sollicitation.dossier
    )


def peut_repondre_sollicitation(membership: Membership | None, sollicitation) -> bool:
    """Prendre à l'étude, accepter, refuser. Via le correspondant : les correspondants de
    son territoire et l'animatrice. Directe : le partenaire répond par son lien ;
    l'animatrice ou qui suit le dossier peut noter une réponse reçue par téléphone."""
    if not _meme_departement(membership, sollicitation):
        return False
    if membership.role == Role.ANIMATRICE:
        return True
    if sollicitation.mode == "correspondant":
        return (
            membership.role == Role.CORRESPONDANT_INSERTION
            and sollicitation.correspondant.structure_id == membership.structure_id
        )
    return peut_solliciter(membership, sollicitation.dossier)


def peut_lire_domaine_sensible(membership: Membership | None) -> bool:
    """Qu'une personne a un frein d'un domaine sensible (santé) : le côté social seulement."""
    return est_cote_social(membership)


def peut_lire_besoin(membership: Membership | None, sollicitation) -> bool:
    """Un besoin d'un domaine sensible (santé) n'est lu que par le côté social et par son
    auteur : jamais par les autres rôles France Travail."""
    if sollicitation.domaine not in DOMAINES_SENSIBLES:
        return True
    return peut_lire_domaine_sensible(membership) or (
        membership is not None and sollicitation.auteur_id == membership.user_id
    )


# --- fin sollicitations ---


# --- suivi du parcours ---
# Plan d'action, notes, rendez-vous, documents, aides (voir docs/suivi-parcours.md). Le
# dossier doit porter ses affectations préchargées : ces fonctions ne font pas de requête.

from accompagnement.perms import est_cote_social as _est_cote_social  # noqa: E402


def peut_voir_suivi(membership: Membership | None, dossier: Dossier) -> bool:
    """Lire le suivi (plan, rendez-vous, aides ; notes et documents selon leur
    confidentialité) : qui voit le dossier en entier, l'animatrice comprise."""
    return niveau_acces(membership, dossier) == Niveau.COMPLET


def peut_ecrire_suivi(membership: Membership | None, dossier: Dossier) -> bool:
    """Tenir le plan d'action, les rendez-vous, les documents et les aides : qui a l'accès
    complet à un dossier ouvert, sauf l'animatrice, qui coordonne et lit."""
    return (
        not dossier.est_clos
        and niveau_acces(membership, dossier) == Niveau.COMPLET
        and membership.role != Role.ANIMATRICE
    )


def peut_ajouter_note(membership: Membership | None, dossier: Dossier) -> bool:
    """Écrire une note : qui a l'accès complet à un dossier ouvert, l'animatrice comprise
    (une note de coordination, par exemple après un comité technique)."""
    return not dossier.est_clos and niveau_acces(membership, dossier) == Niveau.COMPLET


def visibilites_note_permises(membership: Membership | None) -> list[str]:
    """Une note sociale ne s'écrit (et ne se lit) que du côté social."""
    from .models import VisibiliteNote

    if membership is None:
        return []
    permises = [VisibiliteNote.PARTAGEE, VisibiliteNote.PRIVEE]
    if _est_cote_social(membership):
        permises.insert(1, VisibiliteNote.SOCIALE)
    return permises


def peut_lire_note(membership: Membership | None, note) -> bool:
    from .models import VisibiliteNote

    if not peut_voir_suivi(membership, note.dossier):
        return False
    if note.visibilite == VisibiliteNote.SOCIALE:
        return _est_cote_social(membership)
    if note.visibilite == VisibiliteNote.PRIVEE:
        return note.auteur_id == membership.user_id
    return True


def peut_lire_detail_objectif(membership: Membership | None, objectif) -> bool:
    """Un objectif d'un domaine sensible (santé) et ses actions : intitulés lus par le côté
    social, l'animatrice (qui lit tout le plan) et l'auteur de l'objectif ; les autres
    voient qu'il existe, son côté, ses dates et son statut, pas son contenu."""
    if not objectif.sensible:
        return True
    if membership is None:
        return False
    return (
        _est_cote_social(membership)
        or membership.role == Role.ANIMATRICE
        or objectif.cree_par_id == membership.user_id
    )


def peut_marquer_confidentiel(membership: Membership | None) -> bool:
    return _est_cote_social(membership)


def peut_lire_document(membership: Membership | None, document) -> bool:
    if not peut_voir_suivi(membership, document.dossier):
        return False
    return not document.confidentiel or _est_cote_social(membership)


def peut_supprimer_document(membership: Membership | None, document) -> bool:
    return peut_ecrire_suivi(membership, document.dossier) and peut_lire_document(
        membership, document
    )


# --- fin suivi du parcours ---
