"""Actions du plan dont la fin prévue est dépassée : signalées chaque jour (Celery beat),
une seule fois par action (champ `echeance_signalee_le`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.models import CategorieNotification
from dossiers.models import (
    Action,
    StatutAction,
    StatutDossier,
)

STATUTS_TERMINES = (StatutAction.REALISEE, StatutAction.ABANDONNEE, StatutAction.ANNULEE)


def signaler_actions_echues() -> int:
    aujourd_hui = timezone.localdate()
    actions = (
        Action.objects.filter(date_fin_prevue__lt=aujourd_hui, echeance_signalee_le__isnull=True)
        .exclude(statut__in=STATUTS_TERMINES)
        .exclude(dossier__statut=StatutDossier.CLOS)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dossier__demandeur", "responsable")
    )
    nombre = 0
    for action in actions:
        notifications.envoyer(
            destinataires=[action.responsable],
            sujet=f"Action à échéance : {action.dossier.demandeur}",
            texte=(
                f"La fin prévue ({action.date_fin_prevue:%d/%m/%Y}) d'une action du plan de "
                f"{action.dossier.demandeur} est dépassée : mettez à jour son statut."
            ),
            lien=reverse("dossiers:suivi_plan", args=[action.dossier.uuid]),
            categorie=CategorieNotification.ACTION,
        )
        action.echeance_signalee_le = aujourd_hui
        action.save(update_fields=["echeance_signalee_le"])
        nombre += 1
    return nombre
