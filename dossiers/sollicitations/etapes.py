"""Étapes d'une sollicitation (envoi, étude, réponse, réalisation, relance) : droit, statuts
de départ, formulaire et service de chacune."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dossiers.models import STATUTS_EN_ATTENTE
from dossiers.models import StatutSollicitation as S
from dossiers.sollicitations import perms
from dossiers.sollicitations import services as sollicitations
from dossiers.sollicitations.forms import (
    AcceptationForm,
    RefusForm,
    VersionForm,
)

PAR_PAGE_SERVICES = 20
PAR_PAGE_FILE = 25
STYLE_STATUT = {
    S.BROUILLON: "text-bg-light border",
    S.ENVOYEE: "text-bg-primary",
    S.A_L_ETUDE: "text-bg-info",
    S.ACCEPTEE: "text-bg-success",
    S.REFUSEE: "text-bg-danger",
    S.REALISEE: "text-bg-dark",
    S.EXPIREE: "text-bg-warning",
}


@dataclass(frozen=True)
class Etape:
    libelle: str
    titre: str
    droit: Callable
    statuts: tuple[str, ...]
    executer: Callable  # (request, sollicitation, données du formulaire) → service
    succes: str
    formulaire: type = VersionForm
    en_ligne: bool = True  # un simple bouton (sans saisie) sur les listes
    danger: bool = False
    proposee: Callable = lambda s: True  # condition d'affichage en plus du statut


def _url_base(request) -> str:
    return request.build_absolute_uri("/")


ETAPES: dict[str, Etape] = {
    "envoyer": Etape(
        "Envoyer",
        "Envoyer la sollicitation",
        perms.peut_gerer_sollicitation,
        (S.BROUILLON,),
        executer=lambda r, s, d: sollicitations.envoyer_sollicitation(
            sollicitation=s, par=r.membership, version=d["version"], url_base=_url_base(r)
        ),
        succes="Sollicitation envoyée.",
    ),
    "etude": Etape(
        "Prendre à l'étude",
        "Prendre la sollicitation à l'étude",
        perms.peut_repondre_sollicitation,
        (S.ENVOYEE,),
        executer=lambda r, s, d: sollicitations.prendre_a_l_etude(
            sollicitation=s, par=r.membership, version=d["version"]
        ),
        succes="Sollicitation prise à l'étude ; le professionnel qui l'a envoyée est prévenu.",
    ),
    "accepter": Etape(
        "Accepter",
        "Accepter la sollicitation",
        perms.peut_repondre_sollicitation,
        STATUTS_EN_ATTENTE,
        formulaire=AcceptationForm,
        executer=lambda r, s, d: sollicitations.accepter(
            sollicitation=s, par=r.membership, precisions=d["precisions"], version=d["version"]
        ),
        succes="Sollicitation acceptée ; le professionnel qui l'a envoyée est prévenu.",
        en_ligne=False,
    ),
    "refuser": Etape(
        "Refuser",
        "Refuser la sollicitation",
        perms.peut_repondre_sollicitation,
        STATUTS_EN_ATTENTE,
        formulaire=RefusForm,
        executer=lambda r, s, d: sollicitations.refuser(
            sollicitation=s, par=r.membership, motif=d["motif"], version=d["version"]
        ),
        succes="Sollicitation refusée ; le professionnel qui l'a envoyée est prévenu.",
        en_ligne=False,
        danger=True,
    ),
    "realiser": Etape(
        "Marquer réalisée",
        "Marquer la sollicitation réalisée",
        perms.peut_gerer_sollicitation,
        (S.ACCEPTEE,),
        executer=lambda r, s, d: sollicitations.marquer_realisee(
            sollicitation=s, par=r.membership, version=d["version"]
        ),
        succes="Sollicitation marquée réalisée.",
    ),
    "relancer": Etape(
        "Relancer",
        "Relancer le destinataire",
        perms.peut_gerer_sollicitation,
        STATUTS_EN_ATTENTE,
        executer=lambda r, s, d: sollicitations.relancer(
            sollicitation=s, par=r.membership, version=d["version"], url_base=_url_base(r)
        ),
        succes="Relance envoyée.",
        proposee=lambda s: s.relancable,
    ),
}


# --- Préparation des lignes (sans requête : tout est préchargé) ----------------------------
