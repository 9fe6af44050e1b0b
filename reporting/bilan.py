"""Récapitulatif automatique d'un parcours, pour le bilan de sortie : axes et durées,
équipe, freins identifiés et levés (diagnostics partagés), motif de sortie. Lecture seule,
quelques requêtes quelle que soit la longueur du parcours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accompagnement.referentiels import DomaineFrein
from diagnostics.models import Diagnostic
from diagnostics.services import comparer
from dossiers.models import SORTIES_POSITIVES, Axe, Dossier


@dataclass
class PeriodeResumee:
    axe: str
    debut: dt.date
    fin: dt.date | None
    jours: int


@dataclass
class Recapitulatif:
    dossier: Dossier
    periodes: list[PeriodeResumee]
    jours_par_axe: dict[str, int]
    duree_totale: int
    equipe: list
    freins_identifies: list[str] = field(default_factory=list)
    freins_leves: list[str] = field(default_factory=list)
    freins_restants: list[str] = field(default_factory=list)
    capacite_debut: str = ""
    capacite_fin: str = ""
    nombre_diagnostics: int = 0
    actions: list = field(default_factory=list)
    actions_par_statut: dict[str, int] = field(default_factory=dict)
    sortie_positive: bool | None = None

    @property
    def freins(self) -> list[tuple[str, str]]:
        """(domaine, état au dernier diagnostic) pour chaque frein identifié."""
        return [
            (
                DomaineFrein(d).label,
                "levé"
                if d in self.freins_leves
                else ("toujours présent" if d in self.freins_restants else "absent"),
            )
            for d in self.freins_identifies
        ]


def recapituler(dossier: Dossier) -> Recapitulatif:
    fin_parcours = dossier.date_cloture or timezone.localdate()
    periodes = [
        PeriodeResumee(
            p.axe, p.date_debut, p.date_fin, ((p.date_fin or fin_parcours) - p.date_debut).days
        )
        # Les périodes et l'équipe préchargées par `dossier_visible` : pas de relecture.
        for p in sorted(dossier.periodes.all(), key=lambda p: (p.date_debut, p.pk))
    ]
    jours_par_axe = {axe: sum(p.jours for p in periodes if p.axe == axe) for axe in Axe.values}
    equipe = sorted(dossier.affectations.all(), key=lambda a: (a.date_debut, a.pk))
    recap = Recapitulatif(
        dossier=dossier,
        periodes=periodes,
        jours_par_axe={axe: jours for axe, jours in jours_par_axe.items() if jours},
        duree_totale=(fin_parcours - dossier.date_orientation).days,
        equipe=equipe,
        sortie_positive=(dossier.motif_sortie in SORTIES_POSITIVES)
        if dossier.motif_sortie
        else None,
    )
    recap.actions = list(
        dossier.actions.select_related("objectif", "responsable").order_by("date_debut", "pk")
    )
    for action in recap.actions:
        libelle = action.get_statut_display()
        recap.actions_par_statut[libelle] = recap.actions_par_statut.get(libelle, 0) + 1
    partages = list(
        Diagnostic.objects.partages()
        .filter(dossier=dossier)
        .prefetch_related("freins")
        .order_by("numero")
    )
    recap.nombre_diagnostics = len(partages)
    if partages:
        premier, dernier = partages[0], partages[-1]
        identifies = {f.domaine for d in partages for f in d.freins.all() if f.est_present}
        restants = {f.domaine for f in dernier.freins.all() if f.pese}
        leves = set(comparer(premier, dernier).leves) if len(partages) > 1 else set()
        leves |= {f.domaine for f in dernier.freins.all() if f.est_leve}
        ordre = DomaineFrein.values
        recap.freins_identifies = sorted(identifies, key=ordre.index)
        recap.freins_leves = sorted(leves & identifies, key=ordre.index)
        recap.freins_restants = sorted(restants, key=ordre.index)
        recap.capacite_debut = premier.get_capacite_recherche_display()
        recap.capacite_fin = dernier.get_capacite_recherche_display()
    return recap
