"""La synthèse d'une convention de partenariat : le texte en vigueur (parties, signataires,
« Vu », axes, engagements, moyens, objectifs) et le réalisé à ce jour sur la période de la
convention, tiré du catalogue des indicateurs (une définition, un endroit) et des mois
figés (RapportMensuel). Vit dans `reporting` : elle lit le catalogue, que `conventions`
(plus bas dans l'ordre des couches) ne peut pas importer (décision 61).

Les totaux de la période sont calculés par les indicateurs du catalogue sur la période
entière (un objet `Periode` se lit comme un `Mois` : début, fin, veille) : une requête par
indicateur et par ventilation, quelle que soit la durée de la convention. La série
mensuelle (12 derniers mois de la période) lit d'abord les rapports mensuels figés du
département — les chiffres tels qu'ils ont été publiés — et ne calcule que les mois qui
n'en ont pas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import TruncMonth

from dossiers.models import SORTIES_POSITIVES, Axe

from . import mensuel
from .catalogue import PAR_CLE, Mois, Perimetre
from .models import RapportMensuel

AXES = [(a.value, a.label) for a in Axe]
SERIES = ["entrees", "sorties"]
# La date qui place un élément compté dans un mois (définitions du catalogue : une période
# commencée dans le mois ; un dossier clos dans le mois).
CHAMP_DU_MOIS = {"entrees": "date_debut", "sorties": "date_cloture"}


@dataclass(frozen=True)
class Periode:
    """Une période quelconque, du `debut` à la `fin` inclus, lue par les indicateurs du
    catalogue comme un mois (ils n'en lisent que le début, la fin et la veille)."""

    debut: dt.date
    fin: dt.date

    @property
    def veille(self) -> dt.date:
        return self.debut - dt.timedelta(days=1)

    @property
    def libelle(self) -> str:
        return f"du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"


def periode_de(convention, version: dict, aujourd_hui: dt.date) -> Periode | None:
    """De la date d'effet à l'échéance en vigueur, arrêtée à aujourd'hui (« à ce jour ») ;
    None avant la prise d'effet."""
    if convention.date_effet is None or convention.date_effet > aujourd_hui:
        return None
    fin = aujourd_hui
    if version.get("date_echeance") and version["date_echeance"] < fin:
        fin = version["date_echeance"]
    if convention.date_resiliation and convention.date_resiliation < fin:
        fin = convention.date_resiliation
    return Periode(convention.date_effet, fin)


def _par_axe(cle: str, perimetre: Perimetre, periode) -> dict[str, int]:
    """Un indicateur de dénombrement ventilé par axe (une requête)."""
    lignes = PAR_CLE[cle].ventiler(perimetre, periode, "axe")
    return {ligne["cle"]: ligne["valeur"] or 0 for ligne in lignes}


def _accompagnees(perimetre: Perimetre, periode, entrees=None) -> dict[str, int]:
    """Personnes accompagnées sur la période, par axe : celles qui y étaient au début, plus
    les entrées, moins les renouvellements (la même personne, qui reste sur l'axe)."""
    stock = _par_axe("stock_debut", perimetre, periode)
    if entrees is None:
        entrees = _par_axe("entrees", perimetre, periode)
    renouvellements = _par_axe("renouvellements", perimetre, periode)
    return {
        axe: stock.get(axe, 0) + entrees.get(axe, 0) - renouvellements.get(axe, 0)
        for axe, _ in AXES
    }


def _par_mois(cle: str, perimetre: Perimetre, periode: Periode) -> dict[dt.date, int]:
    """Un indicateur de flux du catalogue (ses éléments comptés et ses agrégats), groupé
    par mois de la date qui le définit : une requête pour tous les mois de `periode`."""
    ind = PAR_CLE[cle]
    lignes = (
        ind.unites(perimetre, periode)
        .annotate(_m=TruncMonth(CHAMP_DU_MOIS[cle]))
        .values("_m")
        .annotate(**ind.agregats(periode))
        .order_by("_m")
    )
    return {ligne["_m"]: ind.valeur(ligne) or 0 for ligne in lignes}


def _serie(perimetre: Perimetre, periode: Periode) -> list[dict]:
    """Les 12 derniers mois de la période : chiffres du rapport figé du département (sa
    dernière version) s'il existe, sinon calculés par le catalogue (une requête groupée
    par mois et par indicateur pour tous les mois sans rapport)."""
    dernier = Mois.de(periode.fin)
    mois = [m for m in mensuel.douze_mois(dernier) if m.fin >= periode.debut]
    figes = {
        r.mois: r.chiffres
        for r in RapportMensuel.objects.courants().filter(
            departement=perimetre.departement,
            niveau="departement",
            mois__in=[m.debut for m in mois],
        )
    }
    manquants = [m for m in mois if m.debut not in figes]
    calcules = {}
    if manquants:
        etendue = Periode(max(manquants[0].debut, periode.debut), manquants[-1].fin)
        calcules = {cle: _par_mois(cle, perimetre, etendue) for cle in SERIES}
    serie = []
    for m in mois:
        chiffres = figes.get(m.debut)
        ligne = {"mois": str(m), "libelle": m.libelle, "fige": chiffres is not None}
        for cle in SERIES:
            if chiffres is not None and cle in chiffres.get("indicateurs", {}):
                ligne[cle] = chiffres["indicateurs"][cle]["valeur"]
            else:
                ligne[cle] = calcules.get(cle, {}).get(m.debut, 0)
        serie.append(ligne)
    return serie


def realise(convention, version: dict, aujourd_hui: dt.date) -> dict:
    """Le réalisé de la convention à ce jour, en données simples (JSON), périmètre du
    département de la convention."""
    periode = periode_de(convention, version, aujourd_hui)
    if periode is None:
        return {"periode": None}
    perimetre = Perimetre(convention.departement)
    entrees = _par_axe("entrees", perimetre, periode)
    accompagnees = _accompagnees(perimetre, periode, entrees)
    sorties_axe = _par_axe("sorties_axe", perimetre, periode)
    file_active = _par_axe("file_active", perimetre, periode)
    motifs = PAR_CLE["sorties"].ventiler(perimetre, periode, "motif")
    sorties = sum(ligne["valeur"] or 0 for ligne in motifs)
    positives = sum(ligne["valeur"] or 0 for ligne in motifs if ligne["cle"] in SORTIES_POSITIVES)
    # Les 12 derniers mois de la période, face à l'objectif annuel.
    debut_annee = max(periode.debut, periode.fin - dt.timedelta(days=364))
    annee = Periode(debut_annee, periode.fin)
    accompagnees_annee = sum(_accompagnees(perimetre, annee).values())
    delais = {
        cle: PAR_CLE[cle].calculer(perimetre, periode)
        for cle in (
            "delai_prescription_entree_moyen",
            "delai_prescription_entree_median",
            "part_entree_21_jours",
        )
    }
    return {
        "periode": {"debut": periode.debut.isoformat(), "fin": periode.fin.isoformat()},
        "annee": {"debut": annee.debut.isoformat(), "fin": annee.fin.isoformat()},
        "axes": [
            {
                "axe": axe,
                "libelle": libelle,
                "accompagnees": accompagnees.get(axe, 0),
                "entrees": entrees.get(axe, 0),
                "sorties": sorties_axe.get(axe, 0),
                "en_cours": file_active.get(axe, 0),
            }
            for axe, libelle in AXES
        ],
        "accompagnees": sum(accompagnees.values()),
        "accompagnees_annee": accompagnees_annee,
        "entrees": sum(entrees.values()),
        "sorties": sorties,
        "sorties_positives": positives,
        "taux_sorties_positives": round(100 * positives / sorties, 1) if sorties else None,
        "motifs": [ligne for ligne in motifs if ligne["valeur"]],
        "delais": delais,
        "serie": _serie(perimetre, periode),
        "definitions": {
            cle: PAR_CLE[cle].definition
            for cle in (
                "stock_debut",
                "entrees",
                "renouvellements",
                "sorties_axe",
                "sorties",
                "taux_sorties_positives",
                "delai_prescription_entree_moyen",
                "part_entree_21_jours",
            )
        },
    }


# --- Présentation (page et PDF) -------------------------------------------------------------


def graphiques(chiffres: dict) -> list[dict]:
    """Les histogrammes SVG de la série mensuelle (ceux du reporting : mêmes dessins dans
    la page et le PDF), chacun avec son tableau de données."""
    sortie = []
    for cle in ("entrees", "sorties"):
        ind = PAR_CLE[cle]
        serie = [[s["mois"], s["libelle"], s[cle]] for s in chiffres.get("serie", [])]
        if not serie:
            continue
        titre = f"{ind.libelle} — {len(serie)} derniers mois de la période"
        sortie.append(
            {
                "cle": cle,
                "titre": titre,
                "svg": mensuel.graphique_barres(serie, titre, ind.unite),
                "lignes": [(libelle, mensuel.nombre_fr(v, ind.unite)) for _, libelle, v in serie],
            }
        )
    return sortie


def ecart_delai(delai, objectif) -> str:
    """« 4,5 j de moins que l'objectif » / « 3 j de plus » / « conforme »."""
    if delai is None or objectif is None:
        return "—"
    ecart = round(delai - objectif, 1)
    if ecart == 0:
        return "égal à l'objectif"
    sens = "de plus que" if ecart > 0 else "de moins que"
    return f"{mensuel.nombre_fr(abs(ecart), 'jours')} {sens} l'objectif"


def presentation(chiffres: dict, version: dict) -> dict:
    """Les chiffres du réalisé prêts pour un gabarit (textes formatés, écarts aux
    objectifs, graphiques)."""
    if not chiffres.get("periode"):
        return {"periode": None}
    d = chiffres["delais"]
    objectif_delai = version.get("objectif_delai_entree_jours")
    serie = chiffres["serie"]
    return {
        "periode": Periode(
            dt.date.fromisoformat(chiffres["periode"]["debut"]),
            dt.date.fromisoformat(chiffres["periode"]["fin"]),
        ),
        "annee": Periode(
            dt.date.fromisoformat(chiffres["annee"]["debut"]),
            dt.date.fromisoformat(chiffres["annee"]["fin"]),
        ),
        "delai_moyen": mensuel.nombre_fr(d["delai_prescription_entree_moyen"], "jours"),
        "delai_median": mensuel.nombre_fr(d["delai_prescription_entree_median"], "jours"),
        "part_21_jours": mensuel.nombre_fr(d["part_entree_21_jours"], "%"),
        "ecart_delai": ecart_delai(d["delai_prescription_entree_moyen"], objectif_delai),
        "taux_sorties_positives": mensuel.nombre_fr(chiffres["taux_sorties_positives"], "%"),
        "graphiques": graphiques(chiffres),
        "mois_figes": sum(1 for s in serie if s["fige"]),
        "mois_calcules": sum(1 for s in serie if not s["fige"]),
    }
