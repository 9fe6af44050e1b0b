"""Lectures du suivi partagées avec la fiche."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db.models import BooleanField, Case, IntegerField, Prefetch, Q, Value, When

from accompagnement.referentiels import DomaineFrein
from conventions.filters import RessourceFilter, departement_de_commune
from conventions.models import ServiceRessource
from dossiers.models import (
    DOMAINES_OBJECTIF,
    Action,
    Note,
    Objectif,
    RendezVous,
)
from dossiers.suivi import perms

# Actions montrées par objectif (les ouvertes d'abord) : un dossier suivi depuis des années
# en compte des centaines (ticket #14) ; le reste se déplie objectif par objectif.
ACTIONS_PAR_OBJECTIF_FICHE = 5
ACTIONS_PAR_OBJECTIF_PLAN = 20


def objectifs_du_plan(membership, dossier, *, limite=None, deplie=None) -> list[Objectif]:
    """Le plan entier en deux requêtes : objectifs, puis leurs actions (toutes, closes
    comprises : les ouvertes d'abord, par fin prévue ; les terminées ensuite). Avec
    `limite`, chaque objectif ne montre que ses `limite` premières actions
    (`actions_cachees` dit combien restent), sauf l'objectif `deplie` (son uuid)."""
    actions = Action.objects.select_related("responsable", "ressource")
    objectifs = list(
        Objectif.objects.filter(dossier=dossier).prefetch_related(
            Prefetch("actions", queryset=actions)
        )
    )
    for objectif in objectifs:
        objectif.detail_lisible = perms.peut_lire_detail_objectif(membership, objectif)
        toutes = sorted(
            objectif.actions.all(),
            key=lambda a: (
                a.terminee,
                -a.date_fin_reelle.toordinal() if a.terminee else a.date_fin_prevue.toordinal(),
            ),
        )
        objectif.nb_en_retard = sum(a.en_retard for a in toutes)
        objectif.nb_actions = len(toutes)
        montre = limite is None or str(objectif.uuid) == str(deplie or "")
        objectif.liste_actions = toutes if montre else toutes[:limite]
        objectif.actions_cachees = len(toutes) - len(objectif.liste_actions)
    return objectifs


# Le diagnostic partagé (application `diagnostics`, qui dépend de `dossiers` et non
# l'inverse) s'enregistre ici au démarrage, dans son AppConfig.ready() : il fournit les
# domaines des freins qui pèsent dans le dernier diagnostic partagé, les plus lourds d'abord.
FOURNISSEURS_FREINS: list[Callable[[object], list[str]]] = []


def freins_a_proposer(dossier, objectifs: list[Objectif]) -> list[dict]:
    """Les freins du dernier diagnostic qui n'ont pas encore d'objectif au plan, chacun
    prêt à devenir un objectif d'un clic (domaine et intitulé pré-remplis)."""
    deja = {o.domaine for o in objectifs}
    libelles = dict(DOMAINES_OBJECTIF)
    proposes: list[dict] = []
    for fournisseur in FOURNISSEURS_FREINS:
        for domaine in fournisseur(dossier):
            if domaine in deja or domaine not in libelles:
                continue
            deja.add(domaine)
            court = libelles[domaine].split(" (")[0]
            proposes.append(
                {
                    "domaine": domaine,
                    "libelle": libelles[domaine],
                    "intitule": f"Lever le frein : {court.lower()}",
                }
            )
    return proposes


def contexte_fiche(membership, dossier) -> dict:
    """Ce que la fiche montre du suivi, en quatre requêtes quelle que soit sa taille."""
    objectifs = objectifs_du_plan(membership, dossier, limite=ACTIONS_PAR_OBJECTIF_FICHE)
    return {
        "objectifs": objectifs,
        "en_retard": sum(o.nb_en_retard for o in objectifs),
        # Un dossier clos n'a plus de « prochain rendez-vous » (ticket #10).
        "prochain_rdv": None
        if dossier.est_clos
        else RendezVous.objects.filter(dossier=dossier).a_venir().order_by("debut").first(),
        "notes": list(
            Note.objects.filter(dossier=dossier)
            .lisibles_par(membership)
            .select_related("auteur")[:3]
        ),
        "peut_ecrire": perms.peut_ecrire_suivi(membership, dossier),
        "peut_noter": perms.peut_ajouter_note(membership, dossier),
    }


# --- Outils des vues -----------------------------------------------------------------------


RESSOURCES_AFFICHEES = 10


def ressources_pour_action(*, dossier, objectif, texte: str = "", choisi: str = "") -> dict:
    """Les services proposés au sélecteur « Ressource mobilisée » d'une action : la recherche
    plein texte de l'annuaire (`conventions.filters.RessourceFilter`, nom, description,
    structure, commune), classée par la commune de la personne (services de sa commune,
    puis ceux dont la zone la couvre, puis ceux de son département), puis par le domaine de
    l'objectif, puis par pertinence. Trois requêtes au plus, quel que soit le volume."""
    base = ServiceRessource.objects.filter(
        departement_id=dossier.departement_id, actif=True
    ).select_related("structure")
    filtre = RessourceFilter({"q": texte}, queryset=base)
    qs = filtre.qs
    commune = dossier.demandeur.code_commune
    if commune:
        proximite = Case(
            When(code_insee=commune, then=Value(0)),
            When(zone_eligibilite__contains=[commune], then=Value(1)),
            When(code_insee__startswith=departement_de_commune(commune), then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    else:
        proximite = Value(3, output_field=IntegerField())
    domaine_vise = (
        Case(
            When(Q(domaines__contains=[objectif.domaine]), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if objectif.domaine in DomaineFrein.values
        else Value(False, output_field=BooleanField())
    )
    qs = qs.annotate(proximite=proximite, domaine_vise=domaine_vise)
    ordre = [
        "proximite",
        "-domaine_vise",
        *(["-rang"] if filtre.recherche_active else []),
        "nom",
        "pk",
    ]
    resultats = list(qs.order_by(*ordre)[:RESSOURCES_AFFICHEES])
    total = qs.count()
    retenu = None
    if choisi and choisi not in {str(r.uuid) for r in resultats}:
        retenu = base.filter(uuid=choisi).first() if _est_uuid(choisi) else None
    return {
        "resultats": resultats,
        "total": total,
        "texte": texte,
        "retenu": retenu,
        "choisi": choisi,
        "commune": dossier.demandeur.commune,
    }


def _est_uuid(valeur: str) -> bool:
    try:
        uuid.UUID(str(valeur))
    except ValueError:
        return False
    return True
