"""Connexions, déconnexions et échecs tracés dans l'audit (signaux d'authentification de
Django : c'est le seul point où ces événements sont observables)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import ActionAudit


@receiver(user_logged_in)
def _connexion(sender, request, user, **kwargs):
    audit.enregistrer(action=ActionAudit.CONNEXION, acteur=user, request=request)


@receiver(user_logged_out)
def _deconnexion(sender, request, user, **kwargs):
    if user is not None:
        audit.enregistrer(action=ActionAudit.DECONNEXION, acteur=user, request=request)


@receiver(user_login_failed)
def _echec(sender, credentials, request=None, **kwargs):
    # On garde l'identifiant saisi (jamais le mot de passe) pour repérer les attaques.
    identifiant = str(credentials.get("username", ""))[:150]
    audit.enregistrer(
        action=ActionAudit.ECHEC_CONNEXION, request=request, details={"identifiant": identifiant}
    )
