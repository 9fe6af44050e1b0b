"""Aides du suivi : aides financières ponctuelles (demande, décision) et demandes
importantes (expulsion locative, déscolarisation…), avec leur suivi de statut."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, Membership
from dossiers.models import (
    TRANSITIONS_DEMANDE_IMPORTANTE,
    AideFinanciere,
    DecisionAide,
    DemandeImportante,
    Dossier,
    StatutDemandeImportante,
    TypeDemandeImportante,
    TypeEvenement,
    formater_euros,
)
from dossiers.parcours.services import date_d_evenement
from dossiers.suivi.services import _majuscule, _pour_ecrire

MONTANT_MAX = Decimal("999999.99")


def _montant(valeur, libelle: str) -> Decimal:
    if valeur is None:
        raise ErreurMetier(f"Indiquez {libelle}.")
    valeur = Decimal(valeur).quantize(Decimal("0.01"))
    if valeur <= 0:
        raise ErreurMetier(f"{_majuscule(libelle)} doit être positif.")
    if valeur > MONTANT_MAX:
        raise ErreurMetier(f"{_majuscule(libelle)} dépasse {formater_euros(MONTANT_MAX)}.")
    return valeur


@transaction.atomic
def demander_aide(
    *,
    dossier: Dossier,
    par: Membership,
    montant_demande: Decimal,
    motif: str,
    date_demande: dt.date | None = None,
) -> AideFinanciere:
    """Aide financière ponctuelle, procédure légère : demande puis décision."""
    with _pour_ecrire(dossier, par) as m:
        dossier = m.dossier
        montant = _montant(montant_demande, "le montant demandé")
        if not motif.strip():
            raise ErreurMetier("Le motif de la demande est obligatoire.")
        aide = AideFinanciere.objects.create(
            dossier=dossier,
            montant_demande=montant,
            motif=motif.strip()[:500],
            date_demande=date_d_evenement(date_demande, dossier, "La date de la demande"),
            demande_par=par.user,
        )
        m.auditer(ActionAudit.CREATION, aide, montant_demande=str(montant))
        m.journaliser(
            type=TypeEvenement.ACTION,
            date=aide.date_demande,
            resume=f"Aide financière ponctuelle de {aide.montant_demande_affiche} demandée par {par.user}",
            objet=aide,
        )
    return aide


@transaction.atomic
def decider_aide(
    *,
    aide: AideFinanciere,
    par: Membership,
    accorder: bool,
    montant_accorde: Decimal | None = None,
    date_decision: dt.date | None = None,
    commentaire: str = "",
) -> AideFinanciere:
    with _pour_ecrire(aide.dossier, par) as m:
        dossier = m.dossier
        aide = AideFinanciere.objects.select_for_update().get(pk=aide.pk, dossier=dossier)
        if aide.decision != DecisionAide.EN_ATTENTE:
            raise ErreurMetier(f"Cette aide a déjà été {aide.get_decision_display().lower()}.")
        date = date_d_evenement(date_decision, dossier, "La date de la décision")
        if date < aide.date_demande:
            raise ErreurMetier("La décision ne peut pas précéder la demande.")
        commentaire = commentaire.strip()[:500]
        if accorder:
            montant = _montant(montant_accorde, "le montant accordé")
            if montant > aide.montant_demande:
                raise ErreurMetier(
                    f"Le montant accordé ne peut pas dépasser le montant demandé "
                    f"({aide.montant_demande_affiche})."
                )
            aide.decision, aide.montant_accorde = DecisionAide.ACCORDEE, montant
        else:
            if not commentaire:
                raise ErreurMetier("Indiquez le motif du refus.")
            aide.decision, aide.montant_accorde = DecisionAide.REFUSEE, None
        aide.date_decision, aide.commentaire_decision, aide.decision_par = (
            date,
            commentaire,
            par.user,
        )
        aide.save()
        m.auditer(ActionAudit.MODIFICATION, aide, decision=aide.decision)
        montant = f" ({aide.montant_accorde_affiche})" if accorder else ""
        m.journaliser(
            type=TypeEvenement.ACTION,
            date=date,
            resume=(
                f"Aide financière ponctuelle de {aide.montant_demande_affiche} "
                f"{aide.get_decision_display().lower()}{montant} — enregistré par {par.user}"
            ),
            objet=aide,
        )
    return aide


@transaction.atomic
def creer_demande_importante(
    *,
    dossier: Dossier,
    par: Membership,
    type: TypeDemandeImportante,
    objet: str,
    organisme: str = "",
) -> DemandeImportante:
    with _pour_ecrire(dossier, par) as m:
        dossier = m.dossier
        if type not in TypeDemandeImportante.values:
            raise ErreurMetier("Choisissez le type de demande.")
        if not objet.strip():
            raise ErreurMetier("Décrivez l'objet de la demande.")
        demande = DemandeImportante.objects.create(
            dossier=dossier,
            type=type,
            objet=objet.strip()[:500],
            organisme=organisme.strip()[:200],
            cree_par=par.user,
            modifie_par=par.user,
        )
        m.auditer(ActionAudit.CREATION, demande, type=type)
        m.journaliser(
            type=TypeEvenement.ACTION,
            resume=f"Demande « {TypeDemandeImportante(type).label} » préparée (brouillon) par {par.user}",
            objet=demande,
        )
    return demande


@transaction.atomic
def changer_statut_demande_importante(
    *,
    demande: DemandeImportante,
    par: Membership,
    statut: StatutDemandeImportante,
    motif_refus: str = "",
) -> DemandeImportante:
    """Transitions explicites (TRANSITIONS_DEMANDE_IMPORTANTE) ; un refus est motivé."""
    with _pour_ecrire(demande.dossier, par) as m:
        dossier = m.dossier
        demande = DemandeImportante.objects.select_for_update().get(pk=demande.pk, dossier=dossier)
        if statut not in TRANSITIONS_DEMANDE_IMPORTANTE[StatutDemandeImportante(demande.statut)]:
            raise ErreurMetier(
                f"Impossible de passer la demande de « {demande.get_statut_display()} » à "
                f"« {StatutDemandeImportante(statut).label} »."
            )
        motif_refus = motif_refus.strip()[:500]
        if statut == StatutDemandeImportante.REFUSEE and not motif_refus:
            raise ErreurMetier("Indiquez le motif du refus.")
        maintenant = timezone.now()
        demande.statut, demande.modifie_par = statut, par.user
        if statut == StatutDemandeImportante.TRANSMISE:
            demande.transmise_le = maintenant
        elif statut == StatutDemandeImportante.EN_INSTRUCTION:
            demande.instruction_le = maintenant
        else:
            demande.decision_le = maintenant
        demande.motif_refus = motif_refus if statut == StatutDemandeImportante.REFUSEE else ""
        demande.save()
        m.auditer(ActionAudit.MODIFICATION, demande, statut=statut)
        m.journaliser(
            type=TypeEvenement.ACTION,
            resume=(
                f"Demande « {demande.get_type_display()} » : "
                f"{demande.get_statut_display().lower()} (par {par.user})"
            ),
            objet=demande,
        )
    return demande
