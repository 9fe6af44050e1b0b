"""Droits sur les prescriptions (demandes d'entrée en axe 2 ou 3), fonctions pures. Le
périmètre SQL qui dit la même chose : `Prescription.objects` → `lectures.visibles_par`.
`prescription.dossier` doit être chargé avec ses affectations (préchargées sur les listes)."""

from __future__ import annotations

from accompagnement.models import Membership, Role
from accompagnement.perms import est_cote_social
from accompagnement.referentiels import DOMAINES_SENSIBLES, DomaineFrein
from dossiers.models import Axe, Dossier, Prescription, StatutPrescription
from dossiers.parcours.perms import Niveau, niveau_acces, places_ouvertes_de

ROLES_PRESCRIPTEURS = frozenset({Role.CONSEILLER, Role.CONSEILLER_DEDIE, Role.TRAVAILLEUR_SOCIAL})


def _meme_departement(membership: Membership | None, dossier: Dossier) -> bool:
    return membership is not None and dossier.departement_id == membership.structure.departement_id


def peut_prescrire(
    membership: Membership | None, dossier: Dossier, *, en_cours: Prescription | None = None
) -> bool:
    """Proposer la personne pour l'axe 2 ou 3 : un conseiller France Travail ou un
    travailleur social qui a l'accès complet au dossier, tant que la personne n'est ni en
    axe 2 ni en axe 3 et qu'aucune demande n'est déjà en cours."""
    return (
        membership is not None
        and membership.role in ROLES_PRESCRIPTEURS
        and en_cours is None
        and not dossier.est_clos
        and dossier.axe_courant in ("", Axe.RESSOURCES_SOCIALES)
        and niveau_acces(membership, dossier) == Niveau.COMPLET
    )


def est_destinataire(membership: Membership | None, prescription: Prescription) -> bool:
    """Axe 2 : les conseillers dédiés de l'agence du dossier et les correspondants insertion
    du territoire ; axe 3 : les correspondants insertion du territoire."""
    dossier = prescription.dossier
    if not _meme_departement(membership, dossier):
        return False
    if membership.role == Role.CONSEILLER_DEDIE:
        return prescription.axe == Axe.ACCOMPAGNEMENT_GLOBAL and (
            dossier.agence_id is not None and dossier.agence_id == membership.structure_id
        )
    if membership.role == Role.CORRESPONDANT_INSERTION:
        return (
            dossier.territoire_id is not None and dossier.territoire_id == membership.structure_id
        )
    return False


def peut_voir_prescription(membership: Membership | None, prescription: Prescription) -> bool:
    """Le prescripteur, les destinataires, qui a pris le dossier ou a été désigné, qui tient
    une place dans le dossier, et l'animatrice du département."""
    dossier = prescription.dossier
    if not _meme_departement(membership, dossier):
        return False
    if membership.role == Role.ADMINISTRATEUR:
        return False
    user_id = membership.user_id
    return (
        membership.role == Role.ANIMATRICE
        or prescription.prescripteur_id == user_id
        or prescription.pris_par_id == user_id
        or prescription.travailleur_social_id == user_id
        or est_destinataire(membership, prescription)
        or bool(places_ouvertes_de(membership.user, dossier))
    )


def _ouverte(prescription: Prescription) -> bool:
    return prescription.en_cours and not prescription.dossier.est_clos


def peut_prendre(membership: Membership | None, prescription: Prescription) -> bool:
    """Prendre le dossier (devenir son référent, conseiller dédié) : un conseiller dédié de
    l'agence, pour une demande d'axe 2 que personne n'a encore prise."""
    return (
        _ouverte(prescription)
        and prescription.axe == Axe.ACCOMPAGNEMENT_GLOBAL
        and prescription.pris_le is None
        and membership is not None
        and membership.role == Role.CONSEILLER_DEDIE
        and est_destinataire(membership, prescription)
    )


def peut_designer(membership: Membership | None, prescription: Prescription) -> bool:
    """Désigner le travailleur social (axe 2) ou le référent social (axe 3) : un
    correspondant insertion du territoire, tant que personne n'est désigné."""
    return (
        _ouverte(prescription)
        and prescription.designe_le is None
        and membership is not None
        and membership.role == Role.CORRESPONDANT_INSERTION
        and est_destinataire(membership, prescription)
    )


def peut_refuser(membership: Membership | None, prescription: Prescription) -> bool:
    """Refuser avec un motif : un destinataire, tant que personne n'a donné suite (après,
    c'est la décision conjointe du diagnostic qui tranche)."""
    return (
        _ouverte(prescription)
        and prescription.statut == StatutPrescription.EN_ATTENTE
        and est_destinataire(membership, prescription)
    )


def peut_definir_territoire(membership: Membership | None, dossier: Dossier) -> bool:
    """Préciser le territoire d'action sociale d'un dossier qui n'en a pas (qui a l'accès
    complet) ; l'animatrice peut aussi le corriger."""
    if dossier.est_clos or niveau_acces(membership, dossier) != Niveau.COMPLET:
        return False
    return dossier.territoire_id is None or membership.role == Role.ANIMATRICE


MENTION_DOMAINE_RESERVE = "un domaine réservé au côté social"


def freins_lisibles(membership: Membership | None, prescription: Prescription) -> list[str]:
    """Les freins pressentis tels que le lecteur peut les lire : un domaine sensible
    (santé) n'est lu que par le côté social et par le prescripteur, comme pour les
    sollicitations ; les autres lisent seulement qu'un domaine leur est réservé."""
    voit_tout = est_cote_social(membership) or (
        membership is not None and prescription.prescripteur_id == membership.user_id
    )
    libelles, masque = [], False
    for frein in prescription.freins:
        if frein not in DomaineFrein.values:
            continue
        if frein in DOMAINES_SENSIBLES and not voit_tout:
            masque = True
        else:
            libelles.append(DomaineFrein(frein).label)
    if masque:
        libelles.append(MENTION_DOMAINE_RESERVE)
    return libelles
