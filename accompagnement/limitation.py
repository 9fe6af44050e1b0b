"""Limitation de débit par compteurs dans le cache de Django (CACHES, réglé par CACHE_URL).

Fenêtre fixe : le premier passage crée le compteur avec sa durée de vie, les suivants
l'incrémentent (opération atomique avec Redis). En production, le cache doit être partagé
par tous les processus web (Redis) : un cache en mémoire compterait par processus."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from .reseau import adresse_client

logger = logging.getLogger(__name__)

HEURE = 60 * 60


def compter(cle: str, fenetre: int) -> int:
    """Ajoute un passage au compteur `cle` (créé pour `fenetre` secondes) ; renvoie le total."""
    cache.add(cle, 0, timeout=fenetre)
    try:
        return cache.incr(cle)
    except ValueError:  # expiré entre add et incr
        cache.set(cle, 1, timeout=fenetre)
        return 1


def reinitialisation_autorisee(request, courriel: str) -> bool:
    """Vrai tant qu'au plus REINITIALISATION_LIMITE_COURRIEL demandes ont visé cette
    adresse, et au plus REINITIALISATION_LIMITE_IP sont venues de cette adresse IP, dans
    l'heure. Chaque demande compte, que le compte existe ou non."""
    empreinte = hashlib.sha256(courriel.strip().lower().encode()).hexdigest()
    ip = (adresse_client(request) if request is not None else None) or "inconnue"
    par_courriel = compter(f"reinitialisation:courriel:{empreinte}", HEURE)
    par_ip = compter(f"reinitialisation:ip:{ip}", HEURE)
    autorisee = (
        par_courriel <= settings.REINITIALISATION_LIMITE_COURRIEL
        and par_ip <= settings.REINITIALISATION_LIMITE_IP
    )
    if not autorisee:
        # Ni le courriel en clair (donnée personnelle) ni de trace visible du demandeur.
        logger.warning(
            "Réinitialisation du mot de passe limitée (IP %s : %d demandes, courriel %s… : %d).",
            ip,
            par_ip,
            empreinte[:12],
            par_courriel,
        )
    return autorisee
