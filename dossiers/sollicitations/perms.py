"""Droits sur les sollicitations (voir docs/sollicitations.md). `sollicitation.dossier` doit
être chargé (avec ses affectations préchargées sur les listes) : ces fonctions ne font pas
de requête."""

from __future__ import annotations

from accompagnement.models import Membership, Role
from accompagnement.perms import est_cote_social
from accompagnement.referentiels import DOMAINES_SENSIBLES
from dossiers.models import Dossier, Visibilite
from dossiers.parcours.perms import Niveau, niveau_acces


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


def peut_voir_sollicitation(membership: Membership | None, sollicitation) -> bool:
    """Lire une sollicitation (section de la fiche, file, pages des étapes) : qui voit son
    dossier en entier (l'animatrice comprise), et les correspondants insertion du
    territoire auquel elle est adressée. Sa traduction SQL, clause pour clause, est
    `Sollicitation.objects.visibles_par` (dossiers/models/sollicitations.py) ;
    tests/dossiers/sollicitations/test_acces_coherent.py vérifie l'équivalence."""
    if not _meme_departement(membership, sollicitation):
        return False
    if niveau_acces(membership, sollicitation.dossier) == Niveau.COMPLET:
        return True
    return (
        membership.role == Role.CORRESPONDANT_INSERTION
        and sollicitation.correspondant_id is not None
        and sollicitation.correspondant.structure_id == membership.structure_id
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
    """Le détail d'une sollicitation d'un domaine sensible (santé) — domaine, service, sa
    structure (un centre d'addictologie dit la santé) et besoin — n'est lu que par le côté
    social et par son auteur : jamais par les autres rôles France Travail ni par
    l'animatrice. Les pages (fiche, file, étapes, files de travail) montrent à la place
    « ressource d'un domaine réservé au côté social » ; le journal range ses événements en
    visibilité sociale (`visibilite_journal`)."""
    if sollicitation.domaine not in DOMAINES_SENSIBLES:
        return True
    return peut_lire_domaine_sensible(membership) or (
        membership is not None and sollicitation.auteur_id == membership.user_id
    )


def visibilite_journal(sollicitation):
    """Le journal d'une sollicitation d'un domaine sensible nomme le service et sa
    structure : il est réservé au côté social (`EvenementJournal.objects.lisibles_par`)."""
    return (
        Visibilite.SOCIALE if sollicitation.domaine in DOMAINES_SENSIBLES else Visibilite.PARTAGEE
    )
