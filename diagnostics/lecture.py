"""Ce qu'un rattachement lit d'un diagnostic : la page et le PDF partent de ces mêmes
données, déjà filtrées. Le détail de santé et les commentaires sociaux n'y entrent pas
pour un rôle qui n'a pas le droit de les lire (ils ne sont pas « masqués » : absents)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from accompagnement.referentiels import DomaineFrein
from dossiers.models import Axe

from . import perms
from .models import (
    BESOINS_PROFESSIONNELS,
    Capacite,
    DecisionOrientation,
    Diagnostic,
    EvaluationBesoin,
    Impact,
    Presence,
    StatutFrein,
    frein_present,
)
from .recommandation import recommander_diagnostic
from .services import comparer

ORDRE_DOMAINES = {domaine: rang for rang, domaine in enumerate(DomaineFrein.values)}


@dataclass(frozen=True)
class LigneFrein:
    domaine: str
    libelle: str
    presence: str
    presence_libelle: str
    impact_libelle: str
    statut: str
    statut_libelle: str
    statut_le: dt.date | None
    # None : l'information n'est pas lisible par ce rôle (elle n'est pas transmise au gabarit).
    situations: tuple[str, ...] | None
    commentaire: str | None

    @property
    def present(self) -> bool:
        return frein_present(self.presence)


@dataclass(frozen=True)
class RecommandationAffichee:
    axe: str
    libelle: str
    raisons: tuple[str, ...]
    provisoire: bool


def decision_de(diagnostic: Diagnostic) -> DecisionOrientation | None:
    try:
        return diagnostic.decision
    except ObjectDoesNotExist:
        return None


def lignes_freins(diagnostic: Diagnostic, membership) -> list[LigneFrein]:
    voit_commentaires = perms.peut_voir_commentaires_sociaux(membership)
    lignes = []
    for frein in sorted(diagnostic.freins.all(), key=lambda f: ORDRE_DOMAINES[f.domaine]):
        lignes.append(
            LigneFrein(
                domaine=frein.domaine,
                libelle=DomaineFrein(frein.domaine).label,
                presence=frein.presence,
                presence_libelle=Presence(frein.presence).label,
                impact_libelle=Impact(frein.impact).label if frein.impact else "",
                statut=frein.statut,
                statut_libelle=StatutFrein(frein.statut).label if frein.statut else "",
                statut_le=frein.statut_le,
                situations=tuple(frein.situations)
                if perms.peut_voir_situations(membership, frein.domaine)
                else None,
                commentaire=frein.commentaire if voit_commentaires else None,
            )
        )
    return lignes


def besoins(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    return [
        (
            libelle,
            EvaluationBesoin(diagnostic.besoins[cle]).label
            if diagnostic.besoins.get(cle) in EvaluationBesoin.values
            else "Non évalué",
        )
        for cle, libelle in BESOINS_PROFESSIONNELS.items()
    ]


def recommandation(diagnostic: Diagnostic) -> RecommandationAffichee | None:
    """La recommandation enregistrée à la co-validation ; sur un brouillon, celle que
    donnerait la saisie actuelle (signalée comme provisoire)."""
    if diagnostic.axe_recommande:
        return RecommandationAffichee(
            axe=diagnostic.axe_recommande,
            libelle=Axe(diagnostic.axe_recommande).label,
            raisons=tuple(diagnostic.raisons_recommandation),
            provisoire=False,
        )
    freins = list(diagnostic.freins.all())
    if all(f.presence == Presence.NON_ABORDE for f in freins) or not diagnostic.capacite_recherche:
        return None
    # Même calcul qu'au partage : un frein levé ne pèse pas.
    calcul = recommander_diagnostic(diagnostic)
    return RecommandationAffichee(
        axe=calcul.axe,
        libelle=Axe(calcul.axe).label,
        raisons=tuple(calcul.raisons),
        provisoire=True,
    )


def contexte_lecture(diagnostic: Diagnostic, membership) -> dict:
    """Le contexte commun de la page du diagnostic et de son PDF."""
    dossier = diagnostic.dossier
    return {
        "diagnostic": diagnostic,
        "dossier": dossier,
        "demandeur": dossier.demandeur,
        "freins": lignes_freins(diagnostic, membership),
        "besoins": besoins(diagnostic),
        "recommandation": recommandation(diagnostic),
        "decision": decision_de(diagnostic),
        "voit_detail_social": perms.peut_voir_commentaires_sociaux(membership),
    }


# --- comparaison de deux versions -----------------------------------------------------------

EVOLUTIONS = {
    "leves": "Levé",
    "nouveaux": "Nouveau",
    "aggraves": "Aggravé",
    "ameliores": "Atténué",
    "persistants": "Persistant",
}


def _etat(frein) -> str:
    if frein is None:
        return "—"
    if not frein.est_present:
        return Presence(frein.presence).label
    morceaux = [
        f"Présent, impact {Impact(frein.impact).label.lower()}" if frein.impact else "Présent"
    ]
    if frein.statut:
        morceaux.append(StatutFrein(frein.statut).label.lower())
    return ", ".join(morceaux)


def lignes_comparaison(ancien: Diagnostic, nouveau: Diagnostic, comparaison) -> list[dict]:
    """Une ligne par domaine : état dans chaque version et évolution (services.comparer)."""
    evolution = {
        domaine: libelle
        for attribut, libelle in EVOLUTIONS.items()
        for domaine in getattr(comparaison, attribut)
    }
    avant = {f.domaine: f for f in ancien.freins.all()}
    apres = {f.domaine: f for f in nouveau.freins.all()}
    return [
        {
            "libelle": libelle,
            "avant": _etat(avant.get(domaine)),
            "apres": _etat(apres.get(domaine)),
            "evolution": evolution.get(domaine, ""),
        }
        for domaine, libelle in DomaineFrein.choices
    ]


def libelles_domaines(domaines: list[str]) -> list[str]:
    return [DomaineFrein(d).label for d in domaines]


GROUPES = (
    ("leves", "Freins levés"),
    ("nouveaux", "Nouveaux freins"),
    ("aggraves", "Freins aggravés"),
    ("ameliores", "Freins atténués"),
    ("persistants", "Freins persistants"),
)


def _capacite(valeur: str) -> str:
    return Capacite(valeur).label if valeur else "non renseignée"


def contexte_comparaison(ancien: Diagnostic, nouveau: Diagnostic) -> dict:
    """Ce que montre la page de comparaison (services.comparer, puis les libellés)."""
    resultat = comparer(ancien, nouveau)
    return {
        "ancien": ancien,
        "nouveau": nouveau,
        "resultat": resultat,
        "lignes": lignes_comparaison(ancien, nouveau, resultat),
        "groupes": [
            (titre, libelles_domaines(getattr(resultat, attribut))) for attribut, titre in GROUPES
        ],
        "capacite_avant": _capacite(resultat.capacite_avant),
        "capacite_apres": _capacite(resultat.capacite_apres),
    }


def domaines_des_freins_du_dossier(dossier) -> list[str]:
    """Domaines des freins qui pèsent (présents et non levés) du dernier diagnostic partagé
    du dossier, les plus lourds d'abord : ils orientent la recherche de ressources sociales."""
    dernier = Diagnostic.objects.partages().filter(dossier=dossier).order_by("-numero").first()
    if dernier is None:
        return []
    poids = {Impact.FORT: 0, Impact.MOYEN: 1, Impact.SANS_IMPACT: 2}
    freins = dernier.freins.qui_pesent()
    return [f.domaine for f in sorted(freins, key=lambda f: poids.get(f.impact, 3))]


def objets_des_personnes_pour_audit(ids: list[int]) -> dict[str, list[str]]:
    """Pour la page d'audit du noyau (inscrit par DiagnosticsConfig.ready) : diagnostics et
    décisions d'orientation des dossiers de ces personnes."""
    diagnostics = Diagnostic.objects.filter(dossier__demandeur_id__in=ids)
    return {
        "diagnostics.diagnostic": [str(u) for u in diagnostics.values_list("uuid", flat=True)],
        "diagnostics.decisionorientation": [
            str(u)
            for u in DecisionOrientation.objects.filter(diagnostic__in=diagnostics).values_list(
                "uuid", flat=True
            )
        ],
    }
