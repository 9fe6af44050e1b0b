"""Journal d'audit : une seule porte d'entrée pour tracer les accès aux données
(`enregistrer`), et la purge des traces au-delà de la durée de conservation (`purger`).

Les écritures sur les données personnelles sont en plus dans l'historique
(accompagnement.historique, décision 27) ; ce journal-ci garde les consultations, exports,
connexions et les actions métier des services."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .historique import NOM_PROTECTION, modeles_historique
from .models import ActionAudit, EvenementAudit, Membership
from .reseau import adresse_client

logger = logging.getLogger(__name__)


def adresse_ip(request) -> str | None:
    # X-Forwarded-For n'est cru que s'il vient d'un proxy de confiance (TRUSTED_PROXIES).
    return adresse_client(request) if request is not None else None


def enregistrer(
    *,
    action: ActionAudit,
    acteur=None,
    request=None,
    objet: models.Model | None = None,
    details: dict[str, Any] | None = None,
    departement=None,
) -> EvenementAudit:
    """Trace un événement, toujours rattaché à un département : celui donné, sinon celui de
    l'objet (dossier, personne, structure), sinon celui du rattachement courant, sinon ceux
    des rattachements actifs de l'acteur (une connexion : un événement par département où
    le compte travaille). Seul un compte sans rattachement (super-utilisateur) ou un échec
    de connexion restent sans département."""
    membership = getattr(request, "membership", None) if request is not None else None
    if acteur is None and request is not None and request.user.is_authenticated:
        acteur = request.user
    departements = _departements(departement, objet, membership, acteur)
    commun = {
        "action": action,
        "acteur": acteur,
        "role": membership.role if membership else "",
        "structure": membership.structure.nom if membership else "",
        "objet_type": objet._meta.label_lower if objet is not None else "",
        "objet_id": str(getattr(objet, "uuid", None) or getattr(objet, "pk", "")) if objet else "",
        "details": details or {},
        "adresse_ip": adresse_ip(request),
    }
    if len(departements) <= 1:
        return EvenementAudit.objects.create(
            departement_id=departements[0] if departements else None, **commun
        )
    horodatage = timezone.now()
    evenements = EvenementAudit.objects.bulk_create(
        EvenementAudit(departement_id=dep, horodatage=horodatage, **commun) for dep in departements
    )
    return evenements[0]


def _departements(departement, objet, membership, acteur) -> list[int]:
    if departement is not None:
        return [departement.pk]
    if getattr(objet, "departement_id", None) is not None:
        return [objet.departement_id]
    if membership is not None:
        return [membership.structure.departement_id]
    if acteur is not None and getattr(acteur, "pk", None) is not None:
        return sorted(
            set(
                Membership.objects.de(acteur)
                .actifs()
                .values_list("structure__departement_id", flat=True)
            )
        )
    return []


def tracer_lecture(request, objet: models.Model | None = None, **details) -> EvenementAudit:
    """Une consultation (page, formulaire prérempli, téléchargement) par le rattachement
    courant : qui, quoi, quand, depuis quelle structure, dans le département de l'objet."""
    return enregistrer(action=ActionAudit.LECTURE, request=request, objet=objet, details=details)


# Paramètres d'une liste qui ne sont pas des termes cherchés (pagination, tri).
PARAMETRES_DE_NAVIGATION = {"page", "o", "apres"}
LONGUEUR_TERME = 100


def termes_cherches(request) -> dict[str, str]:
    return {
        cle: ", ".join(v.strip()[:LONGUEUR_TERME] for v in valeurs if v.strip())
        for cle, valeurs in request.GET.lists()
        if cle not in PARAMETRES_DE_NAVIGATION and any(v.strip() for v in valeurs)
    }


def tracer_recherche(request, liste: str) -> EvenementAudit | None:
    """Une recherche ou un filtre dans une liste : les termes cherchés sont tracés (une
    liste consultée sans critère ne l'est pas : elle ne montre que son périmètre)."""
    termes = termes_cherches(request)
    if not termes:
        return None
    return enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        details={"liste": liste, "recherche": termes},
    )


# --- Conservation ---------------------------------------------------------------------------


def mois_avant(instant: datetime, mois: int) -> datetime:
    """Le même jour `mois` mois plus tôt (le dernier du mois s'il n'existe pas)."""
    total = instant.year * 12 + instant.month - 1 - mois
    annee, mois_ = divmod(total, 12)
    jour = min(instant.day, calendar.monthrange(annee, mois_ + 1)[1])
    return instant.replace(year=annee, month=mois_ + 1, day=jour)


def limite_de_conservation(maintenant: datetime | None = None) -> datetime:
    return mois_avant(maintenant or timezone.now(), settings.AUDIT_CONSERVATION_MOIS)


def tables_d_audit() -> list[type[models.Model]]:
    """Le journal des accès et toutes les tables d'historique : en ajout seul."""
    return [EvenementAudit, *modeles_historique()]


@transaction.atomic
def purger(*, maintenant: datetime | None = None) -> dict[str, int]:
    """Supprime les traces plus anciennes que `AUDIT_CONSERVATION_MOIS`, table par table,
    en une instruction DELETE chacune. C'est le seul endroit où la protection « ajout
    seul » des tables d'audit est levée, le temps de la transaction."""
    limite = limite_de_conservation(maintenant)
    modeles = tables_d_audit()
    uris = [f"{m._meta.label}:{NOM_PROTECTION}" for m in modeles]
    supprimes: dict[str, int] = {}
    with pgtrigger.ignore(*uris):
        for modele in modeles:
            champ = "horodatage" if modele is EvenementAudit else "pgh_created_at"
            nombre, _ = modele.objects.filter(**{f"{champ}__lt": limite}).delete()
            if nombre:
                supprimes[modele._meta.label] = nombre
    logger.info("Purge de l'audit avant le %s : %s", limite.isoformat(), supprimes or "rien")
    return supprimes
