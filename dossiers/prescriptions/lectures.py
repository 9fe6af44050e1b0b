"""Lectures des prescriptions : périmètre (le même que perms.peut_voir_prescription),
files de travail (à prendre, à désigner, réorientations, en retard, réponses reçues),
section de la fiche, choix du travailleur social avec les charges. Chaque file : un
queryset, sans requête par ligne."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accompagnement.models import Membership, Role
from dossiers.models import (
    DELAI_CIBLE_JOURS,
    STATUTS_PRESCRIPTION_EN_COURS,
    Affectation,
    Axe,
    Dossier,
    Prescription,
    PrescriptionQuerySet,
    StatutDossier,
)
from dossiers.parcours.lectures import charges_des_professionnels
from dossiers.prescriptions import perms

JOURS_REPONSES_RECENTES = 30


def visibles_par(membership: Membership | None) -> PrescriptionQuerySet:
    """Le périmètre SQL de perms.peut_voir_prescription."""
    if membership is None or membership.role == Role.ADMINISTRATEUR:
        return Prescription.objects.none()
    structure = membership.structure
    qs = Prescription.objects.filter(dossier__departement_id=structure.departement_id)
    if membership.role == Role.ANIMATRICE:
        return qs
    user = membership.user
    condition = (
        Q(prescripteur=user)
        | Q(pris_par=user)
        | Q(travailleur_social=user)
        | Exists(
            Affectation.objects.filter(
                dossier=OuterRef("dossier"), professionnel=user, date_fin__isnull=True
            )
        )
    )
    if membership.role == Role.CONSEILLER_DEDIE:
        condition |= Q(axe=Axe.ACCOMPAGNEMENT_GLOBAL, dossier__agence_id=structure.pk)
    if membership.role == Role.CORRESPONDANT_INSERTION:
        condition |= Q(dossier__territoire_id=structure.pk)
    return qs.filter(condition)


def pour_affichage(qs: PrescriptionQuerySet) -> PrescriptionQuerySet:
    """Tout ce qu'une ligne affiche et ce dont les droits ont besoin : deux requêtes."""
    return qs.pour_affichage().prefetch_related(
        Prefetch("dossier__affectations", Affectation.objects.order_by("pk"))
    )


def prescription_visible(request, uuid) -> Prescription:
    prescription = get_object_or_404(pour_affichage(visibles_par(request.membership)), uuid=uuid)
    if not perms.peut_voir_prescription(request.membership, prescription):
        raise Http404
    return prescription


def _en_cours(qs):
    return qs.filter(statut__in=STATUTS_PRESCRIPTION_EN_COURS).exclude(
        dossier__statut=StatutDossier.CLOS
    )


def en_cours(membership: Membership | None) -> PrescriptionQuerySet:
    """Les demandes en cours du périmètre du lecteur (ordre du jour d'un comité technique)."""
    return _en_cours(visibles_par(membership))


# --- Files de travail -------------------------------------------------------------------
#
# Le critère de chaque file (l'agence du conseiller dédié, le territoire du correspondant)
# est déjà une clause de `visibles_par` pour ce rôle : la file le filtre seul, avec le
# département, sans la chaîne de `OR` du périmètre qui faisait relire toutes les
# prescriptions du département à chaque compteur de la page « Aujourd'hui ».


def _du_departement(membership: Membership) -> PrescriptionQuerySet:
    return Prescription.objects.filter(dossier__departement_id=membership.structure.departement_id)


def a_prendre(membership: Membership) -> PrescriptionQuerySet:
    """Conseiller dédié : les demandes d'axe 2 de son agence que personne n'a prises."""
    if membership.role != Role.CONSEILLER_DEDIE:
        return Prescription.objects.none()
    return _en_cours(_du_departement(membership)).filter(
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        pris_le__isnull=True,
        dossier__agence_id=membership.structure_id,
    )


def _a_designer(membership: Membership, axe: Axe) -> PrescriptionQuerySet:
    if membership.role != Role.CORRESPONDANT_INSERTION:
        return Prescription.objects.none()
    return _en_cours(_du_departement(membership)).filter(
        axe=axe, designe_le__isnull=True, dossier__territoire_id=membership.structure_id
    )


def a_designer(membership: Membership) -> PrescriptionQuerySet:
    """Correspondant insertion : les demandes d'axe 2 du territoire sans travailleur social."""
    return _a_designer(membership, Axe.ACCOMPAGNEMENT_GLOBAL)


def reorientations(membership: Membership) -> PrescriptionQuerySet:
    """Correspondant insertion : les réorientations vers le Département (axe 3) du
    territoire, sans référent social désigné."""
    return _a_designer(membership, Axe.SOCIAL_EXCLUSIF)


def en_retard(membership: Membership) -> PrescriptionQuerySet:
    """Demandes en cours depuis plus de 21 jours : du territoire (correspondant), du
    département (animatrice)."""
    limite = timezone.localdate() - timezone.timedelta(days=DELAI_CIBLE_JOURS)
    qs = _en_cours(_du_departement(membership)).filter(prescrite_le__lt=limite)
    if membership.role == Role.CORRESPONDANT_INSERTION:
        return qs.filter(dossier__territoire_id=membership.structure_id)
    if membership.role == Role.ANIMATRICE:
        return qs
    return Prescription.objects.none()


def repondues(membership: Membership) -> PrescriptionQuerySet:
    """Prescripteur : ses demandes qui ont reçu une réponse (prise, désignation, refus,
    décision) ces 30 derniers jours, la plus récente d'abord."""
    depuis = timezone.now() - timezone.timedelta(days=JOURS_REPONSES_RECENTES)
    return visibles_par(membership).filter(prescripteur=membership.user, repondue_le__gte=depuis)


# --- Fiche du dossier -------------------------------------------------------------------


@dataclass
class SectionPrescriptions:
    lignes: list
    peut_prescrire: bool
    peut_definir_territoire: bool


def pour_la_fiche(membership: Membership, dossier: Dossier) -> SectionPrescriptions:
    """Les demandes d'entrée du dossier que le lecteur peut voir : une requête."""
    toutes = list(
        dossier.prescriptions.select_related(
            "prescripteur", "structure", "pris_par", "travailleur_social", "refuse_par"
        )
    )
    for p in toutes:
        p.dossier = dossier  # déjà chargé, avec ses affectations
    lignes = [p for p in toutes if perms.peut_voir_prescription(membership, p)]
    en_cours = next((p for p in toutes if p.en_cours), None)
    return SectionPrescriptions(
        lignes=lignes,
        peut_prescrire=perms.peut_prescrire(membership, dossier, en_cours=en_cours),
        peut_definir_territoire=perms.peut_definir_territoire(membership, dossier),
    )


# --- Désignation ------------------------------------------------------------------------


def travailleurs_sociaux_pour(prescription: Prescription):
    """Qui peut être désigné, avec sa charge (requête des charges des portefeuilles) :
    ceux du territoire du dossier d'abord, puis par charge croissante."""
    territoire_id = prescription.dossier.territoire_id
    return (
        charges_des_professionnels(
            prescription.dossier.departement_id,
            roles=(Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION),
        )
        .annotate(
            meme_territoire=Case(
                When(structure_id=territoire_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("meme_territoire", "total", "user__nom", "user__prenom", "pk")
    )
