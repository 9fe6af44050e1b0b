"""Échéances signalées chaque jour (Celery beat) : le renouvellement à décider au bout de
12 mois sur les axes 2 et 3, et les actions du plan dont la fin prévue est dépassée.
Chaque échéance n'est signalée qu'une fois (champ `echeance_signalee_le`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.models import CategorieNotification

from .journal import journaliser
from .models import Action, Axe, PeriodeOrientation, StatutAction, StatutDossier, TypeEvenement

DUREE_AVANT_RENOUVELLEMENT = dt.timedelta(days=365)
AXES_A_RENOUVELER = (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)
STATUTS_TERMINES = (StatutAction.REALISEE, StatutAction.ABANDONNEE, StatutAction.ANNULEE)


def periodes_a_renouveler(aujourd_hui: dt.date | None = None):
    """Périodes ouvertes sur l'axe 2 ou 3 depuis 12 mois au moins."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return PeriodeOrientation.objects.filter(
        date_fin__isnull=True,
        axe__in=AXES_A_RENOUVELER,
        date_debut__lte=aujourd_hui - DUREE_AVANT_RENOUVELLEMENT,
        dossier__statut=StatutDossier.ACCOMPAGNEMENT,
    )


@transaction.atomic
def signaler_renouvellements() -> int:
    aujourd_hui = timezone.localdate()
    periodes = (
        periodes_a_renouveler(aujourd_hui)
        .filter(echeance_signalee_le__isnull=True)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dossier__demandeur")
    )
    nombre = 0
    for periode in periodes:
        dossier = periode.dossier
        equipe = [
            a.professionnel for a in dossier.affectations.ouvertes().select_related("professionnel")
        ]
        notifications.envoyer(
            destinataires=equipe,
            sujet=f"Renouvellement à décider : {dossier.demandeur}",
            texte=(
                f"{dossier.demandeur} est en {periode.get_axe_display()} depuis le "
                f"{periode.date_debut:%d/%m/%Y} (12 mois). Décidez avec la personne : renouveler "
                "ou préparer la sortie."
            ),
            lien=reverse("dossiers:dossier", args=[dossier.uuid]),
            categorie=CategorieNotification.RENOUVELLEMENT,
        )
        journaliser(
            dossier=dossier,
            type=TypeEvenement.ORIENTATION,
            auteur=None,
            resume=f"12 mois en {periode.get_axe_display()} : renouvellement à décider",
        )
        periode.echeance_signalee_le = aujourd_hui
        periode.save(update_fields=["echeance_signalee_le"])
        nombre += 1
    return nombre


@transaction.atomic
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
