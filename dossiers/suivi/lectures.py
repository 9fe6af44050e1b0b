"""Lectures du suivi partagées avec la fiche."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch

from dossiers.models import (
    DOMAINES_OBJECTIF,
    Action,
    Note,
    Objectif,
    RendezVous,
)
from dossiers.suivi import perms


def objectifs_du_plan(membership, dossier) -> list[Objectif]:
    """Le plan entier en deux requêtes : objectifs, puis leurs actions (toutes, closes
    comprises : les ouvertes d'abord, par fin prévue ; les terminées ensuite)."""
    actions = Action.objects.select_related("responsable", "ressource")
    objectifs = list(
        Objectif.objects.filter(dossier=dossier).prefetch_related(
            Prefetch("actions", queryset=actions)
        )
    )
    for objectif in objectifs:
        objectif.detail_lisible = perms.peut_lire_detail_objectif(membership, objectif)
        objectif.liste_actions = sorted(
            objectif.actions.all(),
            key=lambda a: (
                a.terminee,
                -a.date_fin_reelle.toordinal() if a.terminee else a.date_fin_prevue.toordinal(),
            ),
        )
        objectif.nb_en_retard = sum(a.en_retard for a in objectif.liste_actions)
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
    objectifs = objectifs_du_plan(membership, dossier)
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
