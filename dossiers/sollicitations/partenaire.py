"""Lien signé du partenaire : il répond sans compte, par un jeton signé et expirant.

Le jeton signe `<uuid>.<génération>` où la génération est le nombre de relances au moment
de l'émission : chaque relance envoie un lien neuf et rend caducs les précédents (seul le
dernier lien émis vaut). Il cesse de répondre dès l'échéance de la sollicitation, sans
attendre la tâche de nuit qui la passe « expirée ». Voir docs/sollicitations.md et
docs/securite.md."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import ErreurMetier
from dossiers.models import (
    ModeSollicitation,
    Sollicitation,
    StatutSollicitation,
)

SEL_LIEN_REPONSE = "dossiers.sollicitations.reponse-partenaire"
SEPARATEUR_GENERATION = "."


def _url_absolue(chemin: str, url_base: str = "") -> str:
    base = (url_base or getattr(settings, "URL_PUBLIQUE", "") or "").rstrip("/")
    return f"{base}{chemin}"


def valeur_signee(sollicitation: Sollicitation) -> str:
    """Ce que signe le lien : la sollicitation et la génération du lien (nombre de relances)."""
    return f"{sollicitation.uuid}{SEPARATEUR_GENERATION}{sollicitation.relances}"


def lien_reponse(sollicitation: Sollicitation, url_base: str = "") -> str:
    jeton = signing.TimestampSigner(salt=SEL_LIEN_REPONSE).sign(valeur_signee(sollicitation))
    return _url_absolue(reverse("dossiers:sollicitation_reponse", args=[jeton]), url_base)


# --- Lien signé du partenaire -------------------------------------------------------------


class LienInvalide(ErreurMetier):
    """Signature fausse, autre usage, sollicitation inconnue ou qui ne passe pas par un lien :
    un seul message, qui ne dit pas laquelle de ces raisons (404)."""

    status = 404

    def __init__(self):
        super().__init__(
            "Ce lien n'est pas valide : il est incomplet ou a été modifié. Utilisez le lien "
            "exact reçu par courriel, ou contactez le professionnel qui vous a sollicité."
        )


class LienPerime(ErreurMetier):
    """Un lien authentique qui ne vaut plus (410) : échéance passée ou lien remplacé."""

    status = 410


class LienExpire(LienPerime):
    def __init__(self, sollicitation: Sollicitation):
        super().__init__(
            "Ce lien a expiré : le délai de réponse à cette sollicitation est dépassé. "
            "Contactez le professionnel qui vous a sollicité si la demande est toujours d'actualité."
        )
        self.sollicitation = sollicitation


class LienRemplace(LienPerime):
    def __init__(self, sollicitation: Sollicitation):
        super().__init__(
            "Ce lien a été remplacé par un lien plus récent, envoyé avec la relance de cette "
            "sollicitation : utilisez le lien du dernier courriel reçu."
        )
        self.sollicitation = sollicitation


def _lire_valeur(valeur: str) -> tuple[str, int]:
    """(uuid, génération). Un lien émis avant les générations (uuid seul) vaut génération 0."""
    uuid, separateur, generation = valeur.partition(SEPARATEUR_GENERATION)
    if not separateur:
        return uuid, 0
    if not generation.isdigit() or len(generation) > 6:
        raise ValueError(generation)
    return uuid, int(generation)


def sollicitation_du_lien(jeton: str) -> Sollicitation:
    """La sollicitation désignée par un lien signé, ou LienInvalide (404) / LienExpire,
    LienRemplace (410). Le lien vaut tant que l'échéance de la sollicitation n'est pas
    passée (la prise à l'étude la repousse) et s'il est le dernier émis."""
    try:
        uuid, generation = _lire_valeur(
            signing.TimestampSigner(salt=SEL_LIEN_REPONSE).unsign(jeton)
        )
        sollicitation = (
            Sollicitation.objects.filter(mode=ModeSollicitation.DIRECT)
            .exclude(statut=StatutSollicitation.BROUILLON)
            .pour_affichage()
            .get(uuid=uuid)
        )
    except (signing.BadSignature, Sollicitation.DoesNotExist, ValidationError, ValueError) as e:
        raise LienInvalide() from e
    if generation != sollicitation.relances:
        raise LienRemplace(sollicitation)
    if (
        sollicitation.statut == StatutSollicitation.EXPIREE
        or sollicitation.echeance is None
        or sollicitation.echeance <= timezone.now()
    ):
        raise LienExpire(sollicitation)
    return sollicitation
