"""Bilans de parcours de démonstration : la conclusion de l'animatrice sur des dossiers
clos après un accompagnement global (sorties vers l'emploi, la formation, fin de durée),
écrite par le service (`rediger_conclusion`). Les rapports mensuels figés ne sont pas
produits ici (rendu PDF de plusieurs secondes chacun) : le tableau de bord calcule ses
courbes sur les douze mois d'historique des dossiers, et `generate_monthly_reports` fige
un mois à la demande.

Déterministe (dossiers pris dans l'ordre des clés), idempotent (un dossier qui a déjà
son bilan n'est pas repris)."""

from __future__ import annotations

from accompagnement import demo as demo_noyau
from accompagnement.models import Membership, Role
from dossiers.models import Dossier, MotifSortie, StatutDossier

from . import services
from .models import BilanParcours

NOMBRE_BILANS = 8
CONCLUSIONS = {
    MotifSortie.EMPLOI_DURABLE: (
        "Les freins de logement et de mobilité ont été levés en six mois ; la personne a "
        "signé un CDI d'agent de production. Suivi dans l'emploi proposé par l'agence."
    ),
    MotifSortie.EMPLOI_COURT: (
        "Reprise d'activité par une mission d'intérim de trois mois ; le budget est "
        "stabilisé. Un nouveau point est prévu avec le conseiller de l'agence à l'échéance."
    ),
    MotifSortie.FORMATION_QUALIFIANTE: (
        "Entrée en formation qualifiante d'aide-soignante financée par la Région ; la garde "
        "des enfants est organisée pour toute la durée de la formation."
    ),
    MotifSortie.IAE: (
        "Contrat en atelier et chantier d'insertion : la remobilisation se poursuit avec "
        "l'encadrant technique ; relais assuré par la structure."
    ),
    MotifSortie.CREATION_ACTIVITE: (
        "Création d'une micro-entreprise de services à la personne, accompagnée par la "
        "boutique de gestion ; les démarches administratives sont à jour."
    ),
    MotifSortie.FIN_DUREE: (
        "Douze mois d'accompagnement : le logement est trouvé, la recherche d'emploi se "
        "poursuit avec le conseiller de l'agence en axe 1."
    ),
}


def charger(*, departement) -> str:
    animatrice = (
        Membership.objects.actifs()
        .filter(
            structure__departement=departement,
            role=Role.ANIMATRICE,
            user__email=f"animatrice@{demo_noyau.DOMAINE}",
        )
        .select_related("user", "structure__departement")
        .first()
    )
    if animatrice is None:
        return "aucun bilan (pas d'animatrice de démonstration)"
    dossiers = (
        Dossier.objects.filter(
            departement=departement,
            statut=StatutDossier.CLOS,
            motif_sortie__in=list(CONCLUSIONS),
            bilan__isnull=True,
        )
        .select_related("demandeur", "departement")
        .order_by("pk")[:NOMBRE_BILANS]
    )
    if BilanParcours.objects.filter(dossier__departement=departement).exists():
        dossiers = []
    for dossier in dossiers:
        services.rediger_conclusion(
            dossier=dossier, par=animatrice, conclusion=CONCLUSIONS[dossier.motif_sortie]
        )
    total = BilanParcours.objects.filter(dossier__departement=departement).count()
    return f"{total} bilans de parcours rédigés"
