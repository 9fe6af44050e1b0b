"""Droits sur le diagnostic partagé. Règle des données sensibles : le détail de santé
(situations du domaine « santé ») et les commentaires sociaux ne sont lus que par le côté
social ; les rôles France Travail (et la coordination) voient domaine, impact et statut."""

from accompagnement.models import Role
from accompagnement.perms import est_cote_france_travail, est_cote_social
from accompagnement.referentiels import DOMAINES_SENSIBLES
from dossiers.parcours import perms as dossiers_perms


def peut_voir_diagnostic(membership, dossier) -> bool:
    return dossiers_perms.niveau_acces(membership, dossier) == dossiers_perms.Niveau.COMPLET


def peut_voir_commentaires_sociaux(membership) -> bool:
    return est_cote_social(membership)


def peut_voir_situations(membership, domaine: str) -> bool:
    return domaine not in DOMAINES_SENSIBLES or est_cote_social(membership)


def peut_demarrer(membership, dossier) -> bool:
    return (
        not dossier.est_clos
        and peut_voir_diagnostic(membership, dossier)
        and membership.role != Role.ADMINISTRATEUR
    )


def peut_editer_emploi(membership, diagnostic) -> bool:
    return (
        not diagnostic.dossier.est_clos
        and not diagnostic.emploi_valide
        and est_cote_france_travail(membership)
        and peut_voir_diagnostic(membership, diagnostic.dossier)
    )


def peut_editer_social(membership, diagnostic) -> bool:
    return (
        not diagnostic.dossier.est_clos
        and not diagnostic.social_valide
        and est_cote_social(membership)
        and peut_voir_diagnostic(membership, diagnostic.dossier)
    )


def peut_informer(membership, diagnostic) -> bool:
    """L'un ou l'autre professionnel enregistre l'information et l'accord de la personne."""
    return (
        not diagnostic.est_partage
        and not diagnostic.dossier.est_clos
        and (est_cote_france_travail(membership) or est_cote_social(membership))
        and peut_voir_diagnostic(membership, diagnostic.dossier)
    )


def peut_decider(membership, diagnostic, *, deja_decide: bool) -> bool:
    """Décision conjointe : un professionnel du binôme (l'un ou l'autre côté) ou
    l'animatrice, une seule fois par diagnostic partagé."""
    if deja_decide or not diagnostic.est_partage:
        return False
    if not peut_voir_diagnostic(membership, diagnostic.dossier):
        return False
    return (
        membership.role == Role.ANIMATRICE
        or est_cote_france_travail(membership)
        or est_cote_social(membership)
    )


def peut_exporter_pdf(membership, diagnostic) -> bool:
    return diagnostic.est_partage and peut_voir_diagnostic(membership, diagnostic.dossier)
