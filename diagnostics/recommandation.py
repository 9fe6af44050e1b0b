"""Recommandation d'axe, explicable (docs/domaine.md §3) : une fonction pure sur les freins et
la capacité à rechercher un emploi. Les professionnels peuvent s'en écarter avec un motif."""

from dataclasses import dataclass, field

from accompagnement.referentiels import DomaineFrein
from dossiers.models import Axe

from .models import Capacite, Impact


@dataclass(frozen=True)
class FreinEvalue:
    domaine: str
    impact: str


def freins_qui_pesent(freins) -> list[FreinEvalue]:
    """Les freins à prendre en compte : ceux qui pèsent (Frein.pese, présents et non levés)."""
    return [FreinEvalue(f.domaine, f.impact) for f in freins if f.pese]


@dataclass
class Recommandation:
    axe: Axe
    raisons: list[str] = field(default_factory=list)


def _libelles(freins) -> str:
    return ", ".join(DomaineFrein(f.domaine).label.split(" (")[0].lower() for f in freins)


def recommander(freins_presents: list[FreinEvalue], capacite: str) -> Recommandation:
    """`freins_presents` : les freins qui pèsent, tels que les donne freins_qui_pesent()."""
    forts = [f for f in freins_presents if f.impact == Impact.FORT]
    if forts and capacite == Capacite.NON:
        return Recommandation(
            Axe.SOCIAL_EXCLUSIF,
            [
                f"Frein d'impact fort : {_libelles(forts)}.",
                "La recherche d'emploi n'est pas possible maintenant (capacité : non).",
                "→ suivi social exclusif, le temps de lever ce frein.",
            ],
        )
    if len(freins_presents) >= 2 or forts:
        raisons = []
        if len(freins_presents) >= 2:
            raisons.append(
                f"{len(freins_presents)} freins présents : {_libelles(freins_presents)}."
            )
        if forts:
            raisons.append(f"Frein d'impact fort : {_libelles(forts)}.")
        if capacite == Capacite.NON:
            raisons.append("Capacité à rechercher : non, sans frein d'impact fort : à réexaminer.")
        elif capacite == Capacite.PARTIELLEMENT:
            raisons.append("La recherche d'emploi reste possible en partie.")
        else:
            raisons.append("La recherche d'emploi reste possible.")
        raisons.append("→ accompagnement global en binôme.")
        return Recommandation(Axe.ACCOMPAGNEMENT_GLOBAL, raisons)
    if freins_presents:
        unique = freins_presents[0]
        return Recommandation(
            Axe.RESSOURCES_SOCIALES,
            [
                f"Un seul frein, d'impact {Impact(unique.impact).label.lower() if unique.impact else 'non précisé'} : "
                f"{_libelles([unique])}.",
                "→ mobiliser une ressource sociale, le suivi France Travail continue.",
            ],
        )
    return Recommandation(
        Axe.RESSOURCES_SOCIALES,
        ["Aucun frein social présent.", "→ suivi France Travail, ressources sociales au besoin."],
    )


def recommander_diagnostic(diagnostic) -> Recommandation:
    """La recommandation d'un diagnostic d'après sa saisie : celle enregistrée au partage
    comme celle, provisoire, affichée sur un brouillon (un frein levé ne pèse plus)."""
    return recommander(freins_qui_pesent(diagnostic.freins.all()), diagnostic.capacite_recherche)
