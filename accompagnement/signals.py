"""Connexions, déconnexions et échecs tracés dans l'audit (signaux d'authentification de
Django : c'est le seul point où ces événements sont observables) ; la connexion ouvre
aussi le décompte d'inactivité de la session."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .middleware import CLE_DERNIERE_ACTIVITE
from .models import ActionAudit, Departement


@receiver(user_logged_in)
def _connexion(sender, request, user, **kwargs):
    audit.enregistrer(action=ActionAudit.CONNEXION, acteur=user, request=request)
    # La connexion compte comme activité (InactiviteMiddleware) : la première page n'a pas
    # à réécrire la session.
    if request is not None and hasattr(request, "session"):
        request.session[CLE_DERNIERE_ACTIVITE] = time.time()


@receiver(user_logged_out)
def _deconnexion(sender, request, user, **kwargs):
    if user is not None:
        audit.enregistrer(action=ActionAudit.DECONNEXION, acteur=user, request=request)


@receiver(user_login_failed)
def _echec(sender, credentials, request=None, **kwargs):
    # On garde l'identifiant saisi (jamais le mot de passe) pour repérer les attaques.
    identifiant = str(credentials.get("username", ""))[:150]
    # Classé dans le département du compte visé, pour que son administrateur le voie : un
    # événement par département où le compte a un rattachement (actif ou non, comme pour
    # l'administration des comptes) ; un seul, sans département, si le courriel ne
    # correspond à aucun compte rattaché (visible du seul super-utilisateur).
    departements = (
        list(
            Departement.objects.filter(
                structures__memberships__user__email__iexact=identifiant.strip()
            )
            .distinct()
            .order_by("pk")
        )
        if identifiant.strip()
        else []
    )
    for departement in departements or [None]:
        audit.enregistrer(
            action=ActionAudit.ECHEC_CONNEXION,
            request=request,
            details={"identifiant": identifiant},
            departement=departement,
        )
