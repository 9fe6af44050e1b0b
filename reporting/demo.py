"""Bilans de parcours de démonstration : la conclusion de l'animatrice sur des dossiers
clos après un accompagnement global (sorties vers l'emploi, la formation, fin de durée),
écrite par le service (`rediger_conclusion`) ; et le rapport mensuel figé du mois
précédent pour le département et chacun de ses territoires (`generer_rapport`, comme la
tâche du 1er du mois), pour que la page des rapports ne soit pas vide. Les agences n'en ont
pas (un rendu PDF de plus d'une seconde chacun) : `generate_monthly_reports` fige un mois
à la demande.

Déterministe (dossiers pris dans l'ordre des clés), idempotent (un dossier qui a déjà
son bilan n'est pas repris)."""

from __future__ import annotations

import datetime as dt

from accompagnement import demo as demo_noyau
from accompagnement.models import Membership, Role, Structure, TypeStructure
from dossiers.models import Dossier, MotifSortie, StatutDossier

from . import services
from .catalogue import Mois, Perimetre
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
    rapports = _rapports_du_mois_precedent(departement)
    return f"{total} bilans de parcours rédigés, {rapports} rapports mensuels figés"


def _rapports_du_mois_precedent(departement) -> int:
    """Le département et ses territoires ; `generer_rapport` rend le rapport déjà figé
    s'il existe (idempotent)."""
    mois = Mois.de(dt.date.today()).precedent
    territoires = Structure.objects.filter(
        departement=departement, type=TypeStructure.TERRITOIRE_SOCIAL
    ).order_by("nom")
    perimetres = [Perimetre(departement), *(Perimetre(departement, t) for t in territoires)]
    for perimetre in perimetres:
        services.generer_rapport(perimetre=perimetre, mois=mois)
    return len(perimetres)
