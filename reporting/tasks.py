"""Tâches Celery du reporting : minces et idempotentes (une tâche rejouée rend le rapport
déjà figé). Le planning est dans accompagnement/celery.py (le 1er du mois à 06:00, heure
de Paris)."""

from __future__ import annotations

import logging
import os
import time

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accompagnement.models import Departement, Membership, Structure
from accompagnement.verrous import verrou_consultatif

from . import mensuel, services
from .catalogue import Mois, Perimetre

journal = logging.getLogger(__name__)


def options_fiables(*, minutes: int, reprises: int = 6, attente_max: int = 600) -> dict:
    """Options communes des tâches longues (rapport, export, synthèse).

    Accusé de réception après l'exécution : un worker perdu en plein calcul laisse le
    message au broker, qui le redonne ; l'idempotence de la tâche garantit un seul
    résultat. Base momentanément indisponible : reprises avec délai croissant (2, 4, 8… s,
    `attente_max` au plus, avec une part d'aléa), `reprises` fois au plus. Limite douce à
    `minutes - 1` (la tâche peut marquer son échec), dure à `minutes`."""
    return {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": (OperationalError, InterfaceError),
        "retry_backoff": 2,
        "retry_backoff_max": attente_max,
        "retry_jitter": True,
        "max_retries": reprises,
        "soft_time_limit": (minutes - 1) * 60,
        "time_limit": minutes * 60,
    }


OPTIONS_RAPPORT = options_fiables(minutes=10)


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


# --- Exports différés ------------------------------------------------------------------


def filtres_de(export):
    """Les filtres d'un export différé, relus comme ceux de la page (même formulaire)."""
    from django.http import QueryDict

    from . import tableau
    from .forms import FiltresForm

    form = FiltresForm(QueryDict(export.filtres), departement=export.departement)
    filtres = tableau.Filtres(mois=tableau.mois_par_defaut())
    if form.is_valid():
        c = form.cleaned_data
        filtres = tableau.Filtres(
            mois=c["mois"] or filtres.mois,
            territoire=c["territoire"],
            agence=c["agence"],
            axe=c["axe"],
        )
    return filtres


def contenu_de_liste(export):
    from . import exports, tableau
    from .catalogue import PAR_CLE

    ind = PAR_CLE[export.indicateur]
    filtres = filtres_de(export)
    qs = tableau.liste(export.departement, filtres, ind)
    return (
        exports.entetes_de_liste(export.nominatif),
        exports.lignes_de_liste(ind, qs, filtres.mois, export.nominatif),
        ind.libelle,
    )


@shared_task(**options_fiables(minutes=15))
def produire_export(export_id: int) -> str:
    """Produit le fichier d'un export différé. Idempotente : un export déjà prêt n'est pas
    refait ; un export supprimé entre-temps (expiré) est ignoré."""
    from .models import EtatExport, ExportDiffere

    export = (
        ExportDiffere.objects.select_related("departement", "demandeur")
        .filter(pk=export_id)
        .first()
    )
    if export is None:
        return ""
    # Un seul producteur à la fois (message redonné après la perte d'un worker, ou envoyé
    # deux fois par la boîte d'envoi) : verrou consultatif de session, libéré par
    # PostgreSQL si le worker meurt. Qui ne l'obtient pas laisse faire l'autre.
    with verrou_consultatif(f"reporting.export.{export_id}") as obtenu:
        if not obtenu:
            return ""
        export.refresh_from_db(fields=["etat"])
        # Réservé aux tests de reprise : une pause en plein export (le worker y est tué).
        if pause := float(os.environ.get("EXPORT_PAUSE_TEST_SECONDES", "0") or 0):
            time.sleep(pause)
        try:
            services.produire_export(export, contenu=contenu_de_liste)
        except (OperationalError, InterfaceError):
            raise  # reprise automatique
        except Exception as e:
            ExportDiffere.objects.filter(pk=export_id).update(
                etat=EtatExport.ECHEC, erreur=str(e)[:300]
            )
            raise
    return str(export.uuid)


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def purger_exports_expires() -> int:
    """Chaque nuit : supprime les exports différés gardés plus de
    REPORTING_EXPORT_CONSERVATION_JOURS jours."""
    return services.purger_exports_expires()


# --- Synthèse PDF d'une convention -------------------------------------------------------------


@shared_task(**options_fiables(minutes=3, reprises=5, attente_max=300))
def generer_synthese_convention(synthese_id: int) -> str:
    """Produit le PDF d'une synthèse demandée. Idempotente : une synthèse prête n'est pas
    refaite (message redonné après la perte d'un worker) ; une synthèse disparue est
    ignorée. Un rendu qui échoue (y compris la limite de temps) marque la synthèse
    « Échec » avec un message en français, sans fichier ; la base indisponible est
    reprise à délai croissant."""
    from .models import SyntheseConvention

    synthese = (
        SyntheseConvention.objects.select_related("convention__departement", "departement")
        .filter(pk=synthese_id)
        .first()
    )
    if synthese is None:
        return ""
    try:
        services.produire_synthese(synthese)
    except (OperationalError, InterfaceError):
        raise  # reprise automatique
    except Exception:
        journal.exception("Synthèse de convention %s : échec du rendu", synthese.uuid)
        services.marquer_synthese_en_echec(synthese_id)
    return str(synthese.uuid)
