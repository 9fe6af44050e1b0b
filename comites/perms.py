"""Droits sur les comités techniques : des fonctions pures, une par question.

L'animatrice fonctionnelle prépare et tient les séances de son département ; chaque
participant rattaché lit la séance (ordre du jour, résumé de situation selon son côté,
compte rendu). Tout professionnel qui voit un dossier en entier peut le signaler « à
présenter en comité »."""

from __future__ import annotations

from accompagnement.models import Membership, Role
from accompagnement.perms import est_cote_social
from dossiers.parcours.perms import Niveau, niveau_acces


def peut_gerer_comites(membership: Membership | None) -> bool:
    """Créer une séance, composer son ordre du jour, l'envoyer, enregistrer les décisions,
    diffuser le compte rendu."""
    return membership is not None and membership.role == Role.ANIMATRICE


def peut_voir_comites(membership: Membership | None) -> bool:
    """La liste des séances : l'animatrice (toutes celles du département), les
    professionnels (celles où ils sont invités)."""
    return membership is not None and membership.role != Role.ADMINISTRATEUR


def est_participant(membership: Membership | None, seance) -> bool:
    """Les participants de la séance doivent être préchargés (aucune requête ici)."""
    return membership is not None and any(
        p.membership_id == membership.pk for p in seance.participants.all()
    )


def peut_voir_seance(membership: Membership | None, seance) -> bool:
    if membership is None or seance.departement_id != membership.structure.departement_id:
        return False
    return peut_gerer_comites(membership) or (
        membership.role != Role.ADMINISTRATEUR and est_participant(membership, seance)
    )


def peut_gerer_seance(membership: Membership | None, seance) -> bool:
    return (
        peut_gerer_comites(membership)
        and seance.departement_id == membership.structure.departement_id
    )


def peut_modifier_ordre_du_jour(membership: Membership | None, seance) -> bool:
    return peut_gerer_seance(membership, seance) and seance.modifiable


def peut_signaler(membership: Membership | None, dossier) -> bool:
    """« À présenter en comité » : qui voit le dossier en entier, sur un dossier ouvert."""
    return (
        membership is not None
        and not dossier.est_clos
        and membership.role != Role.ADMINISTRATEUR
        and niveau_acces(membership, dossier) == Niveau.COMPLET
    )


def lit_raison_reservee(membership: Membership | None, signalement) -> bool:
    """Une raison « réservée au côté social » : le côté social et son auteur."""
    if not signalement.reserve_social:
        return True
    return est_cote_social(membership) or (
        membership is not None and signalement.signale_par_id == membership.user_id
    )
