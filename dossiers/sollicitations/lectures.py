"""Lectures des sollicitations : services proposés, file du correspondant, section de la fiche."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    BooleanField,
    Case,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from accompagnement.models import (
    Departement,
    Membership,
    Role,
)
from accompagnement.referentiels import DomaineFrein
from accompagnement.texte import normaliser
from conventions.models import ServiceRessource
from dossiers.models import (
    Dossier,
    Sollicitation,
    StatutSollicitation,
)
from dossiers.parcours import perms as perms_parcours
from dossiers.sollicitations import perms
from dossiers.sollicitations.etapes import ETAPES, STYLE_STATUT

# --- Lectures utiles aux vues -------------------------------------------------------------

# Le diagnostic partagé (application `diagnostics`, qui dépend de `dossiers` et non
# l'inverse) s'enregistre ici au démarrage, dans son AppConfig.ready() :
#     sollicitations.FOURNISSEURS_DOMAINES.append(domaines_des_freins_du_dossier)
FOURNISSEURS_DOMAINES: list[Callable[[Dossier], list[str]]] = []


def domaines_prioritaires(dossier: Dossier) -> list[str]:
    """Les domaines de frein du dossier à proposer en premier (freins qui pèsent — présents
    et non levés, `Frein.pese` — du dernier diagnostic partagé). Vide tant que le
    diagnostic partagé ne fournit rien."""
    domaines: list[str] = []
    for fournisseur in FOURNISSEURS_DOMAINES:
        for domaine in fournisseur(dossier):
            if domaine in DomaineFrein.values and domaine not in domaines:
                domaines.append(domaine)
    return domaines


def services_proposes(
    *, departement: Departement, domaines: list[str], texte: str = ""
) -> QuerySet[ServiceRessource]:
    """Services actifs du département ; ceux des domaines visés d'abord (`prioritaire`),
    filtrés par la recherche plein texte si un texte est saisi."""
    qs = ServiceRessource.objects.filter(departement=departement, actif=True).select_related(
        "structure"
    )
    if texte := normaliser(texte):
        qs = qs.filter(recherche=SearchQuery(texte, config="french", search_type="websearch"))
    prioritaire = (
        Case(
            When(domaines__overlap=domaines, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if domaines
        else Value(False)
    )
    return qs.annotate(prioritaire=prioritaire).order_by("-prioritaire", "nom", "pk")


def file_a_traiter(membership: Membership) -> QuerySet[Sollicitation]:
    """La file d'un correspondant : les sollicitations envoyées qui lui sont adressées (à
    lui ou à un collègue du même territoire) et celles des dossiers de son territoire ;
    pour l'animatrice, toutes celles du département.

    Pour le correspondant, les deux branches sont dans `Sollicitation.visibles_par` (une
    sollicitation adressée au territoire ; un dossier du territoire, vu en entier) : le
    périmètre n'est pas répété. Elles s'écrivent en listes de clés servies par les index
    (rattachements du territoire, dossiers du territoire et du département) plutôt qu'en
    `OR` à travers la jointure des dossiers, qui relisait tout le département à chaque
    requête. Le département d'une sollicitation adressée tient au territoire : le service
    n'adresse qu'au correspondant du territoire du dossier (`_verifier_correspondant`),
    et un territoire appartient à un seul département."""
    if membership.role == Role.ANIMATRICE:
        return Sollicitation.objects.visibles_par(membership).exclude(
            statut=StatutSollicitation.BROUILLON
        )
    if membership.role != Role.CORRESPONDANT_INSERTION:
        return Sollicitation.objects.none()
    structure = membership.structure
    adressees = Membership.objects.filter(
        structure_id=structure.pk, structure__departement_id=structure.departement_id
    ).values("pk")
    du_territoire = Dossier.objects.filter(
        territoire_id=structure.pk, departement_id=structure.departement_id
    ).values("pk")
    return Sollicitation.objects.filter(
        Q(correspondant_id__in=adressees) | Q(dossier_id__in=du_territoire)
    ).exclude(statut=StatutSollicitation.BROUILLON)


def preparer_lignes(membership, lignes) -> None:
    for s in lignes:
        s.style_statut = STYLE_STATUT[s.statut]
        s.besoin_lisible = perms.peut_lire_besoin(membership, s)
        s.dossier_visible = perms_parcours.peut_voir_dossier(membership, s.dossier)
        s.actions = [
            {
                "cle": cle,
                "etape": etape,
                "url": reverse(f"dossiers:sollicitation_{cle}", args=[s.uuid]),
            }
            for cle, etape in ETAPES.items()
            if s.statut in etape.statuts and etape.proposee(s) and etape.droit(membership, s)
        ]


@dataclass
class SectionSollicitations:
    lignes: list
    peut_solliciter: bool


def pour_la_fiche(membership, dossier) -> SectionSollicitations:
    """Contexte de la section « Sollicitations » de la fiche : une requête, deux s'il y a
    un correspondant. Le correspondant (rattachement, compte, structure) se lit à part :
    joint aux cinq autres relations, il portait la requête à huit tables, la limite où le
    planificateur essaie tous les ordres de jointure (~15 à 30 ms de planification sous
    charge, même sans aucune sollicitation, contre ~1,5 ms à cinq tables ; décision 93)."""
    lignes = list(
        dossier.sollicitations.select_related(
            "service__structure", "auteur", "repondu_par"
        ).prefetch_related(
            Prefetch("correspondant", Membership.objects.select_related("user", "structure"))
        )
    )
    for s in lignes:
        s.dossier = dossier  # déjà chargé, avec ses affectations
    preparer_lignes(membership, lignes)
    return SectionSollicitations(lignes, perms.peut_solliciter(membership, dossier))
