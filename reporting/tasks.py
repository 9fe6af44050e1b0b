"""Tâches Celery du reporting : minces et idempotentes (une tâche rejouée rend le rapport
déjà figé). Le planning est dans accompagnement/celery.py (le 1er du mois à 06:00, heure
de Paris)."""

from __future__ import annotations

import os
import time

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accompagnement.models import Departement, Membership, Structure

from . import mensuel, services
from .catalogue import Mois, Perimetre

OPTIONS_RAPPORT = {
    # Accusé de réception après l'exécution : un worker perdu en plein calcul laisse le
    # message au broker, qui le redonne ; l'idempotence garantit un seul rapport.
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Base momentanément indisponible : reprises avec délai croissant (2, 4, 8… s, 10 min au
    # plus, avec une part d'aléa), 6 fois au plus.
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
    "soft_time_limit": 9 * 60,
    "time_limit": 10 * 60,
}


def mois_precedent(maintenant=None) -> Mois:
    return Mois.de(timezone.localdate(maintenant)).precedent


@shared_task(**OPTIONS_RAPPORT)
def generer_rapport_mensuel(
    departement_id: int,
    structure_id: int | None,
    mois: str,
    version: int = 1,
    motif: str = "",
    membership_id: int | None = None,
) -> str:
    """Fige le rapport d'un périmètre pour un mois ; rend son identifiant (uuid)."""
    departement = Departement.objects.get(pk=departement_id)
    structure = Structure.objects.get(pk=structure_id) if structure_id else None
    par = (
        Membership.objects.select_related("user", "structure").get(pk=membership_id)
        if membership_id
        else None
    )
    # Réservé aux tests de reprise : une pause en plein calcul (le worker y est tué).
    if pause := float(os.environ.get("RAPPORT_PAUSE_TEST_SECONDES", "0") or 0):
        time.sleep(pause)
    rapport = services.generer_rapport(
        perimetre=Perimetre(departement, structure),
        mois=Mois.depuis_texte(mois),
        version=version,
        motif=motif,
        par=par,
    )
    return str(rapport.uuid)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def generer_rapports_du_mois(mois: str | None = None, departement_id: int | None = None) -> int:
    """Le 1er du mois : enfile un rapport par périmètre (département, territoires,
    agences) de chaque département, pour le mois précédent. Rend le nombre de rapports
    enfilés (en mode immédiat, déjà calculés)."""
    cible = Mois.depuis_texte(mois) if mois else mois_precedent()
    departements = Departement.objects.all()
    if departement_id:
        departements = departements.filter(pk=departement_id)
    n = 0
    for departement in departements:
        for p in mensuel.perimetres(departement):
            generer_rapport_mensuel.delay(
                departement.pk, p.structure.pk if p.structure else None, str(cible)
            )
            n += 1
    return n
