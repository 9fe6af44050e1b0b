"""Droits sur le suivi du parcours : plan d'action, notes, rendez-vous, documents, aides
(voir docs/suivi-parcours.md). Le dossier doit porter ses affectations préchargées : ces
fonctions ne font pas de requête."""

from __future__ import annotations

from accompagnement.models import Membership, Role
from accompagnement.perms import est_cote_social as _est_cote_social
from dossiers.models import Dossier, VisibiliteNote
from dossiers.parcours.perms import Niveau, niveau_acces


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
    if membership is None:
        return []
    permises = [VisibiliteNote.PARTAGEE, VisibiliteNote.PRIVEE]
    if _est_cote_social(membership):
        permises.insert(1, VisibiliteNote.SOCIALE)
    return permises


def peut_lire_note(membership: Membership | None, note) -> bool:
    """Lire une note. Sa traduction SQL, clause pour clause, est `Note.objects.lisibles_par`
    (dossiers/models/suivi.py) ; tests/dossiers/suivi/test_acces_coherent.py vérifie
    l'équivalence."""
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
    """Lire (télécharger) un document. Sa traduction SQL, clause pour clause, est
    `Document.objects.lisibles_par` (dossiers/models/suivi.py) ; même test d'équivalence."""
    if not peut_voir_suivi(membership, document.dossier):
        return False
    return not document.confidentiel or _est_cote_social(membership)


def peut_supprimer_document(membership: Membership | None, document) -> bool:
    return peut_ecrire_suivi(membership, document.dossier) and peut_lire_document(
        membership, document
    )
