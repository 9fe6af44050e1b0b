"""Actions du plan dont la fin prévue est dépassée : signalées chaque jour (Celery beat),
une seule fois par action (champ `echeance_signalee_le`)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.models import CategorieNotification
from dossiers.models import (
    Action,
    StatutAction,
    StatutDossier,
)

# Adresse d'un plan d'action, calculée une fois par exécution (reverse coûte ~20 µs).
UUID_MODELE = uuid.UUID(int=0)
STATUTS_TERMINES = (StatutAction.REALISEE, StatutAction.ABANDONNEE, StatutAction.ANNULEE)


@transaction.atomic
def signaler_actions_echues() -> int:
    """Ensembliste (décision 48) : une lecture verrouillée, un INSERT des notifications,
    un UPDATE des actions — trois requêtes quel que soit le nombre d'actions échues."""
    aujourd_hui = timezone.localdate()
    actions = list(
        Action.objects.filter(date_fin_prevue__lt=aujourd_hui, echeance_signalee_le__isnull=True)
        .exclude(statut__in=STATUTS_TERMINES)
        .exclude(dossier__statut=StatutDossier.CLOS)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dossier__demandeur", "responsable")
        .only(
            "pk",
            "date_fin_prevue",
            "dossier__uuid",
            "dossier__demandeur__nom",
            "dossier__demandeur__prenom",
            "responsable__email",
            "responsable__is_active",
        )
    )
    if not actions:
        return 0
    plan = reverse("dossiers:suivi_plan", args=[UUID_MODELE])
    notifications.envoyer_en_masse(
        (
            (
                [action.responsable],
                f"Action à échéance : {action.dossier.demandeur}",
                f"La fin prévue ({action.date_fin_prevue:%d/%m/%Y}) d'une action du plan de "
                f"{action.dossier.demandeur} est dépassée : mettez à jour son statut.",
                plan.replace(str(UUID_MODELE), str(action.dossier.uuid)),
            )
            for action in actions
        ),
        categorie=CategorieNotification.ACTION,
    )
    Action.objects.filter(
        pk__in=RawSQL("SELECT unnest(%s::bigint[])", [[a.pk for a in actions]])
    ).update(echeance_signalee_le=aujourd_hui)
    return len(actions)
