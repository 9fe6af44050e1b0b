"""Lien signé du partenaire : il répond sans compte, par un jeton signé et expirant."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier
from dossiers.models import (
    ModeSollicitation,
    Sollicitation,
)

SEL_LIEN_REPONSE = "dossiers.sollicitations.reponse-partenaire"


def _url_absolue(chemin: str, url_base: str = "") -> str:
    base = (url_base or getattr(settings, "URL_PUBLIQUE", "") or "").rstrip("/")
    return f"{base}{chemin}"


def lien_reponse(sollicitation: Sollicitation, url_base: str = "") -> str:
    jeton = signing.TimestampSigner(salt=SEL_LIEN_REPONSE).sign(str(sollicitation.uuid))
    return _url_absolue(reverse("dossiers:sollicitation_reponse", args=[jeton]), url_base)


# --- Lien signé du partenaire -------------------------------------------------------------


class LienInvalide(ErreurMetier):
    def __init__(self):
        super().__init__(
            "Ce lien n'est pas valide : il est incomplet ou a été modifié. Utilisez le lien "
            "exact reçu par courriel, ou contactez le professionnel qui vous a sollicité."
        )


class LienExpire(ErreurMetier):
    def __init__(self, sollicitation: Sollicitation):
        super().__init__(
            "Ce lien a expiré : le délai de réponse à cette sollicitation est dépassé. "
            "Contactez le professionnel qui vous a sollicité si la demande est toujours d'actualité."
        )
        self.sollicitation = sollicitation


def sollicitation_du_lien(jeton: str) -> Sollicitation:
    """La sollicitation désignée par un lien signé, ou LienInvalide / LienExpire. La durée
    de validité est le délai de réponse de la sollicitation."""
    signataire = signing.TimestampSigner(salt=SEL_LIEN_REPONSE)
    try:
        valeur = signataire.unsign(jeton)
    except signing.BadSignature as erreur:
        raise LienInvalide() from erreur
    try:
        sollicitation = (
            Sollicitation.objects.filter(mode=ModeSollicitation.DIRECT)
            .pour_affichage()
            .get(uuid=valeur)
        )
    except (Sollicitation.DoesNotExist, ValidationError, ValueError) as erreur:
        raise LienInvalide() from erreur
    try:
        signataire.unsign(jeton, max_age=dt.timedelta(days=sollicitation.delai_jours))
    except signing.SignatureExpired as erreur:
        raise LienExpire(sollicitation) from erreur
    return sollicitation
