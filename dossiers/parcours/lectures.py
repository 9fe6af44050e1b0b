"""Lectures du parcours : le dossier tel que le rattachement courant peut le voir."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accompagnement.models import Membership, Role
from dossiers.models import (
    Action,
    Affectation,
    AideFinanciere,
    DecisionAide,
    DemandeChangementAxe,
    Dossier,
    PeriodeOrientation,
    RendezVous,
    RoleAffectation,
)
from dossiers.parcours import perms

# Rôles de rattachement qui peuvent tenir une place dans un dossier (binôme, référents).
ROLES_PROFESSIONNELS = (
    Role.CONSEILLER_DEDIE,
    Role.TRAVAILLEUR_SOCIAL,
    Role.CORRESPONDANT_INSERTION,
    Role.CONSEILLER,
)


def dossier_visible(request, uuid, *, lecture=perms.peut_voir_dossier) -> Dossier:
    """Le dossier désigné par l'URL, tel que le rattachement courant le voit, pour toutes
    les vues des dossiers, du diagnostic et du bilan : 404 hors du périmètre ou si le droit
    de lecture demandé (`lecture`, une fonction (membership, dossier) de `perms.py`) est
    refusé. Affectations, périodes et demandes sont préchargées : les droits se décident
    ensuite sans requête."""
    qs = (
        Dossier.objects.visibles_par(request.membership)
        .select_related("demandeur__agence", "agence", "territoire", "oriente_par")
        .prefetch_related(
            Prefetch(
                "affectations",
                Affectation.objects.select_related("professionnel", "structure", "affecte_par"),
            ),
            Prefetch(
                "periodes",
                PeriodeOrientation.objects.select_related(
                    "decide_par", "conseiller", "professionnel_social"
                ),
            ),
            Prefetch(
                "demandes_changement",
                DemandeChangementAxe.objects.select_related("demande_par", "decide_par"),
            ),
        )
    )
    dossier = get_object_or_404(qs, uuid=uuid)
    if not lecture(request.membership, dossier):
        raise Http404
    return dossier


def correspondants_du_territoire(dossier: Dossier) -> QuerySet[Membership]:
    """Les correspondants insertion actifs du territoire du dossier."""
    if dossier.territoire_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.actifs()
        .filter(
            role=Role.CORRESPONDANT_INSERTION,
            structure_id=dossier.territoire_id,
            user__is_active=True,
        )
        .select_related("user", "structure")
        .order_by("user__nom", "user__prenom")
    )


def charges_des_professionnels(departement, roles=ROLES_PROFESSIONNELS):
    """Une ligne par rattachement actif d'un professionnel du département, avec le nombre
    de places ouvertes qu'il tient au titre de cette structure : une seule requête.
    Page « Charges » et désignation d'un travailleur social (prescriptions)."""
    ouvertes = Q(user__affectations__date_fin__isnull=True) & Q(
        user__affectations__structure=F("structure")
    )
    par_place = {
        place: Count("user__affectations", filter=ouvertes & Q(user__affectations__role=place))
        for place in RoleAffectation.values
    }
    return (
        Membership.objects.actifs()
        .filter(
            structure__departement=departement,
            role__in=roles,
            user__is_active=True,
        )
        .select_related("user", "structure")
        .annotate(**par_place, total=Count("user__affectations", filter=ouvertes))
        .order_by("user__nom", "user__prenom", "structure__nom", "pk")
    )


def en_cours_a_la_cloture(dossier: Dossier) -> dict:
    """Ce qu'une clôture laisserait en suspens : actions ouvertes, aides en attente de
    décision, rendez-vous à venir (trois requêtes). L'intitulé d'une action d'un domaine
    sensible n'est pas lu ici : la page de clôture le masque."""
    actions = list(
        Action.objects.filter(dossier=dossier)
        .non_terminees()
        .select_related("objectif", "responsable")
        .order_by("date_fin_prevue", "pk")
    )
    aides = list(
        AideFinanciere.objects.filter(dossier=dossier, decision=DecisionAide.EN_ATTENTE).order_by(
            "date_demande", "pk"
        )
    )
    rendez_vous = list(RendezVous.objects.filter(dossier=dossier).a_venir().order_by("debut"))
    return {
        "actions": actions,
        "aides": aides,
        "rendez_vous": rendez_vous,
        "total": len(actions) + len(aides) + len(rendez_vous),
    }
