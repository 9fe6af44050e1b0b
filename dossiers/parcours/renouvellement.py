"""Renouvellement à 12 mois sur les axes 2 et 3 : décision avec la personne et échéance
signalée chaque jour (Celery beat), une seule fois par période."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    Membership,
)
from dossiers.journal import modification_du_dossier
from dossiers.models import (
    Affectation,
    Axe,
    Dossier,
    EvenementJournal,
    PeriodeOrientation,
    StatutDossier,
    TypeEvenement,
)
from dossiers.parcours import perms
from dossiers.parcours.services import (
    _ouvrir_periode,
    date_d_evenement,
    relayer_place_conseiller,
)

# Adresse d'une fiche, calculée une fois par exécution.
UUID_MODELE = uuid.UUID(int=0)

# La règle des 12 mois, ici seulement : la tâche quotidienne (periodes_a_renouveler, en SQL),
# le bandeau de la fiche (renouvellement_du, en Python) et le service renouveler()
# (peut_renouveler_des) lisent ces constantes.
DUREE_AVANT_RENOUVELLEMENT = dt.timedelta(days=365)
# Le renouvellement peut se décider jusqu'à un mois avant l'échéance (à partir de 11 mois).
AVANCE_POSSIBLE = dt.timedelta(days=30)
AXES_A_RENOUVELER = (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)


def _debut_au_plus_tard(aujourd_hui: dt.date) -> dt.date:
    """Une période commencée ce jour-là ou avant a atteint ses 12 mois `aujourd_hui`."""
    return aujourd_hui - DUREE_AVANT_RENOUVELLEMENT


def periodes_a_renouveler(aujourd_hui: dt.date | None = None):
    """Périodes ouvertes sur l'axe 2 ou 3 depuis 12 mois au moins (renouvellement_du en SQL)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return PeriodeOrientation.objects.filter(
        date_fin__isnull=True,
        axe__in=AXES_A_RENOUVELER,
        date_debut__lte=_debut_au_plus_tard(aujourd_hui),
        dossier__statut=StatutDossier.ACCOMPAGNEMENT,
    )


def renouvellement_du(
    periode: PeriodeOrientation | None, aujourd_hui: dt.date | None = None
) -> bool:
    """La période est de celles que periodes_a_renouveler() signale : ouverte sur l'axe 2
    ou 3 d'un dossier en accompagnement, depuis 12 mois au moins."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return (
        periode is not None
        and periode.date_fin is None
        and periode.axe in AXES_A_RENOUVELER
        and periode.date_debut <= _debut_au_plus_tard(aujourd_hui)
        and periode.dossier.statut == StatutDossier.ACCOMPAGNEMENT
    )


def peut_renouveler_des(periode: PeriodeOrientation) -> dt.date:
    """Le premier jour où renouveler() accepte de renouveler la période (11 mois)."""
    return periode.date_debut + DUREE_AVANT_RENOUVELLEMENT - AVANCE_POSSIBLE


@transaction.atomic
def signaler_renouvellements() -> int:
    """Ensembliste (décision 48) : les périodes verrouillées, les équipes (affectations
    ouvertes), puis un INSERT des notifications, un du journal et un UPDATE des périodes —
    cinq requêtes quel que soit le nombre de périodes."""
    aujourd_hui = timezone.localdate()
    periodes = list(
        periodes_a_renouveler(aujourd_hui)
        .filter(echeance_signalee_le__isnull=True)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dossier__demandeur")
    )
    if not periodes:
        return 0
    equipes: dict[int, list] = {}
    for affectation in (
        Affectation.objects.ouvertes()
        .filter(dossier_id__in=[p.dossier_id for p in periodes])
        .select_related("professionnel")
        .only("dossier_id", "professionnel__email", "professionnel__is_active")
    ):
        equipes.setdefault(affectation.dossier_id, []).append(affectation.professionnel)
    fiche = reverse("dossiers:dossier", args=[UUID_MODELE])
    notifications.envoyer_en_masse(
        (
            (
                equipes.get(periode.dossier_id, []),
                f"Renouvellement à décider : {periode.dossier.demandeur}",
                f"{periode.dossier.demandeur} est en {periode.get_axe_display()} depuis le "
                f"{periode.date_debut:%d/%m/%Y} (12 mois). Décidez avec la personne : "
                "renouveler ou préparer la sortie.",
                fiche.replace(str(UUID_MODELE), str(periode.dossier.uuid)),
            )
            for periode in periodes
        ),
        categorie=CategorieNotification.RENOUVELLEMENT,
    )
    EvenementJournal.objects.bulk_create(
        EvenementJournal(
            dossier_id=periode.dossier_id,
            type=TypeEvenement.ORIENTATION,
            auteur=None,
            resume=f"12 mois en {periode.get_axe_display()} : renouvellement à décider",
            date_effet=aujourd_hui,
        )
        for periode in periodes
    )
    PeriodeOrientation.objects.filter(pk__in=[p.pk for p in periodes]).update(
        echeance_signalee_le=aujourd_hui
    )
    return len(periodes)


@transaction.atomic
def renouveler(
    *,
    dossier: Dossier,
    par: Membership,
    motif: str,
    accord_personne: bool,
    date: dt.date | None = None,
) -> PeriodeOrientation:
    """Au bout de 12 mois en axe 2 ou 3, la personne et les professionnels décident de
    poursuivre : la période en cours se termine et une nouvelle s'ouvre sur le même axe."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        date = date_d_evenement(date, dossier, "La date du renouvellement")
        courante = dossier.periodes.filter(date_fin__isnull=True).first()
        if dossier.statut != StatutDossier.ACCOMPAGNEMENT or courante is None:
            raise ErreurMetier("Seul un dossier en accompagnement peut être renouvelé.")
        if courante.axe not in AXES_A_RENOUVELER:
            raise ErreurMetier(
                "Le renouvellement concerne l'accompagnement global (axe 2) et le suivi social "
                "exclusif (axe 3)."
            )
        au_plus_tot = peut_renouveler_des(courante)
        if date < au_plus_tot:
            raise ErreurMetier(
                f"Pas encore à échéance : la période a commencé le {courante.date_debut:%d/%m/%Y} ; "
                f"le renouvellement se décide à 12 mois (au plus tôt le {au_plus_tot:%d/%m/%Y})."
            )
        exiger_droit(
            perms.peut_cloturer(par, dossier),
            "Vous ne pouvez pas renouveler l'accompagnement de ce dossier.",
        )
        if not motif.strip():
            raise ErreurMetier("Le motif du renouvellement est obligatoire.")
        if not accord_personne:
            raise ErreurMetier(
                "Le renouvellement se décide avec la personne : son accord est requis."
            )
        courante.date_fin = date
        courante.save(update_fields=["date_fin"])
        nouvelle = _ouvrir_periode(
            dossier,
            axe=courante.axe,
            date=date,
            motif=motif,
            decide_par=par.user,
            accord_personne=True,
            conseiller=None,
            professionnel_social=None,
        )
        nouvelle.renouvellement = True
        nouvelle.save(update_fields=["renouvellement"])
        # Un dossier entré en axe 2 ou 3 avant la règle du relais (données anciennes).
        relayer_place_conseiller(m, date=date, motif=f"Renouvellement en {Axe(courante.axe).label}")
        m.auditer(ActionAudit.CREATION, nouvelle, renouvellement=True)
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"{Axe(courante.axe).label} renouvelé (décision de {par.user}, avec l'accord de la personne)",
            objet=nouvelle,
            date=date,
        )
    return nouvelle
