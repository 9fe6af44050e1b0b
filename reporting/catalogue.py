"""Catalogue des indicateurs mensuels (docs/domaine.md §5, définitions : docs/reporting.md).

Un indicateur est un objet : libellé, définition montrée dans l'interface et le PDF, unité,
et son calcul en SQL agrégé — l'ensemble des éléments comptés (`unites`, un QuerySet) et
les agrégats posés dessus. Aucune boucle Python sur les dossiers : la valeur d'un
indicateur est une requête, chacune de ses ventilations (département → territoire →
agence, axe, RSA, sexe, tranche d'âge, conseiller dédié, travailleur social…) une
requête `GROUP BY`.

Les éléments comptés d'un indicateur de dénombrement sont aussi la liste que montre sa
tuile (`lignes`) : le nombre affiché et la liste ne peuvent pas diverger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Star
from django.db.models.functions import Cast, Concat, Greatest

from accompagnement.models import Departement, Structure, TypeStructure
from accompagnement.referentiels import DomaineFrein
from diagnostics.models import Frein, StatutFrein
from diagnostics.models import Presence as PresenceFrein
from dossiers.models import (
    DELAI_CIBLE_JOURS,
    SORTIES_POSITIVES,
    Affectation,
    AideFinanciere,
    Axe,
    Civilite,
    DecisionAide,
    Dossier,
    MotifSortie,
    PeriodeOrientation,
    Prescription,
    Presence,
    RendezVous,
    RoleAffectation,
    Sollicitation,
    StatutPrescription,
    StatutSollicitation,
)

# --- Mois et périmètre ------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Mois:
    annee: int
    mois: int

    @classmethod
    def depuis_texte(cls, texte: str) -> Mois:
        """« 2026-03 » → Mois(2026, 3) ; erreur claire sinon."""
        m = re.fullmatch(r"(\d{4})-(\d{2})", (texte or "").strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"Mois attendu au format AAAA-MM (ex. 2026-03), reçu « {texte} ».")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def de(cls, date: dt.date) -> Mois:
        return cls(date.year, date.month)

    @property
    def debut(self) -> dt.date:
        return dt.date(self.annee, self.mois, 1)

    @property
    def fin(self) -> dt.date:
        return self.suivant.debut - dt.timedelta(days=1)

    @property
    def veille(self) -> dt.date:
        """Dernier jour du mois précédent : le stock de début est le stock à cette date."""
        return self.debut - dt.timedelta(days=1)

    @property
    def suivant(self) -> Mois:
        return Mois(self.annee + self.mois // 12, self.mois % 12 + 1)

    @property
    def precedent(self) -> Mois:
        return Mois.de(self.veille)

    @property
    def an_dernier(self) -> Mois:
        return Mois(self.annee - 1, self.mois)

    def __str__(self) -> str:
        return f"{self.annee:04d}-{self.mois:02d}"

    @property
    def libelle(self) -> str:
        noms = (
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        )
        return f"{noms.split()[self.mois - 1]} {self.annee}"


@dataclass(frozen=True)
class Perimetre:
    """Un département, ou l'un de ses territoires, ou l'une de ses agences. Un dossier est
    dans le périmètre d'un territoire (d'une agence) par son territoire (son agence).
    `aussi` : d'autres structures qui restreignent encore (filtres du tableau de bord :
    un territoire et une agence)."""

    departement: Departement
    structure: Structure | None = None
    aussi: tuple = ()

    @property
    def niveau(self) -> str:
        if self.structure is None:
            return "departement"
        return "agence" if self.structure.type == TypeStructure.AGENCE_FT else "territoire"

    @property
    def libelle(self) -> str:
        return " · ".join(str(s) for s in [self.structure, *self.aussi] if s) or str(
            self.departement
        )

    def q(self, prefixe: str = "") -> Q:
        q = Q(**{f"{prefixe}departement_id": self.departement.pk})
        for s in [self.structure, *self.aussi]:
            if s is None:
                continue
            champ = "agence_id" if s.type == TypeStructure.AGENCE_FT else "territoire_id"
            q &= Q(**{f"{prefixe}{champ}": s.pk})
        return q


# --- Outils SQL --------------------------------------------------------------------------


class Jours(Func):
    """Un intervalle PostgreSQL en jours (nombre décimal)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


class Mediane(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _ans_avant(date: dt.date, ans: int) -> dt.date:
    try:
        return date.replace(year=date.year - ans)
    except ValueError:  # 29 février
        return date.replace(year=date.year - ans, day=28)


def _part(num, den):
    return None if not den else round(100 * num / den, 1)


def _arrondi(v):
    return None if v is None else round(float(v), 1)


# --- Ventilations ------------------------------------------------------------------------

TRANCHES_AGE = [
    ("moins_25", "Moins de 25 ans"),
    ("25_34", "25 à 34 ans"),
    ("35_44", "35 à 44 ans"),
    ("45_54", "45 à 54 ans"),
    ("55_plus", "55 ans et plus"),
]


@dataclass(frozen=True)
class Dimension:
    cle: str
    libelle: str
    # (indicateur, mois) → expression SQL de la valeur de ventilation
    expression: Callable
    # valeurs brutes → libellés (une requête au plus)
    libelles: Callable[[list], dict] = lambda valeurs: {v: str(v) for v in valeurs}


def _noms_structures(ids):
    return dict(Structure.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "nom"))


def _noms_personnes(ids):
    from accompagnement.models import User

    return {
        u.pk: f"{u.prenom} {u.nom}".strip() or u.email
        for u in User.objects.filter(pk__in=[i for i in ids if i]).only("prenom", "nom", "email")
    }


def _age(ind, mois):
    naissance = f"{ind.prefixe}demandeur__date_naissance"
    fin = mois.fin
    return Case(
        When(**{f"{naissance}__gt": _ans_avant(fin, 25)}, then=Value("moins_25")),
        When(**{f"{naissance}__gt": _ans_avant(fin, 35)}, then=Value("25_34")),
        When(**{f"{naissance}__gt": _ans_avant(fin, 45)}, then=Value("35_44")),
        When(**{f"{naissance}__gt": _ans_avant(fin, 55)}, then=Value("45_54")),
        default=Value("55_plus"),
        output_field=CharField(),
    )


def _place(role):
    """Le professionnel qui tenait la place à la fin du mois (la dernière affectation
    commencée au plus tard ce jour-là : pour un dossier clos, celle de la clôture)."""

    def expression(ind, mois):
        return Subquery(
            Affectation.objects.filter(
                dossier_id=OuterRef(ind.champ_dossier), role=role, date_debut__lte=mois.fin
            )
            .order_by("-date_debut", "-pk")
            .values("professionnel_id")[:1]
        )

    return expression


DIMENSIONS = {
    d.cle: d
    for d in [
        Dimension(
            "territoire",
            "Territoire",
            lambda i, m: F(f"{i.prefixe}territoire_id"),
            _noms_structures,
        ),
        Dimension("agence", "Agence", lambda i, m: F(f"{i.prefixe}agence_id"), _noms_structures),
        Dimension(
            "axe",
            "Axe",
            lambda i, m: F(i.champ_axe),
            lambda vs: {v: dict(Axe.choices).get(v, "Sans axe") for v in vs},
        ),
        Dimension(
            "rsa",
            "RSA",
            lambda i, m: F(f"{i.prefixe}demandeur__rsa_allocataire"),
            lambda vs: {v: "Allocataire du RSA" if v else "Non allocataire" for v in vs},
        ),
        Dimension(
            "sexe",
            "Sexe",
            lambda i, m: F(f"{i.prefixe}demandeur__civilite"),
            lambda vs: {v: "Femme" if v == Civilite.MADAME else "Homme" for v in vs},
        ),
        Dimension(
            "tranche_age",
            "Tranche d'âge",
            _age,
            lambda vs: {v: dict(TRANCHES_AGE).get(v, v) for v in vs},
        ),
        Dimension(
            "conseiller_dedie",
            "Conseiller dédié",
            _place(RoleAffectation.CONSEILLER_DEDIE),
            _noms_personnes,
        ),
        Dimension(
            "travailleur_social",
            "Travailleur social",
            _place(RoleAffectation.TRAVAILLEUR_SOCIAL),
            _noms_personnes,
        ),
    ]
}

VENTILATIONS_STANDARD = tuple(DIMENSIONS)


# --- L'indicateur --------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicateur:
    cle: str
    famille: str
    libelle: str
    definition: str
    unite: str  # « nombre », « %», « jours », « € », « dossiers par professionnel »
    # (périmètre, mois) → QuerySet des éléments comptés, déjà restreint au périmètre
    source: Callable[[Perimetre, Mois], QuerySet]
    # mois → agrégats ; `valeur` les combine en un nombre
    agregats: Callable[[Mois], dict]
    valeur: Callable[[dict], float | int | None] = lambda r: r["n"]
    prefixe: str = "dossier__"  # chemin du modèle compté vers le dossier
    champ_axe: str = "dossier__axe_courant"
    ventilations: tuple[str, ...] = VENTILATIONS_STANDARD
    # ventilations propres (motif, domaine, transition…) : clé → (libellé, expression, libellés)
    propres: dict = field(default_factory=dict)
    additif: bool = True  # la somme des ventilations égale le total (dénombrements)
    tuile: bool = False  # montré en tuile, avec la liste des éléments comptés

    @property
    def champ_dossier(self) -> str:
        return "pk" if self.prefixe == "" else f"{self.prefixe.removesuffix('__')}_id"

    def unites(self, perimetre: Perimetre, mois: Mois, axe: str | None = None) -> QuerySet:
        qs = self.source(perimetre, mois).filter(perimetre.q(self.prefixe))
        if axe:
            qs = qs.filter(**{self.champ_axe: axe})
        return qs

    def calculer(self, perimetre: Perimetre, mois: Mois, axe: str | None = None):
        return self.valeur(self.unites(perimetre, mois, axe).aggregate(**self.agregats(mois)))

    def dimensions(self) -> dict:
        out = {c: DIMENSIONS[c] for c in self.ventilations}
        for cle, (libelle, expression, libelles) in self.propres.items():
            out[cle] = Dimension(cle, libelle, expression, libelles)
        return out

    def ventiler(self, perimetre: Perimetre, mois: Mois, cle: str, axe: str | None = None):
        """[{cle, libelle, valeur}] : une ligne par valeur de la dimension (une requête,
        plus une pour les libellés des structures ou des personnes)."""
        dim = self.dimensions()[cle]
        lignes = list(
            self.unites(perimetre, mois, axe)
            .annotate(_v=dim.expression(self, mois))
            .values("_v")
            .annotate(**self.agregats(mois))
            .order_by("_v")
        )
        noms = dim.libelles([r["_v"] for r in lignes])
        return [
            {
                "cle": "" if r["_v"] is None else str(r["_v"]),
                "libelle": noms.get(r["_v"]) or "Non renseigné",
                "valeur": self.valeur(r),
            }
            for r in lignes
        ]


# --- Sources -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filtree:
    """Une source faite d'un seul filtre, qui dépend du mois, sur un modèle : la même
    condition donne la source (`modele.objects.filter(condition(mois))`) et le calcul de
    plusieurs mois en une requête (`valeurs_par_mois` : un agrégat `FILTER` par mois)."""

    modele: type
    condition: Callable[[Mois], Q]

    def __call__(self, p: Perimetre, m: Mois) -> QuerySet:
        return self.modele.objects.filter(self.condition(m))


def _periodes_au(date) -> Q:
    return Q(date_debut__lte=date) & (Q(date_fin__isnull=True) | Q(date_fin__gt=date))


_stock_fin = Filtree(PeriodeOrientation, lambda m: _periodes_au(m.fin))
_stock_debut = Filtree(PeriodeOrientation, lambda m: _periodes_au(m.veille))
_entrees = Filtree(PeriodeOrientation, lambda m: Q(date_debut__range=(m.debut, m.fin)))
_sorties_axe = Filtree(PeriodeOrientation, lambda m: Q(date_fin__range=(m.debut, m.fin)))
_sorties = Filtree(Dossier, lambda m: Q(date_cloture__range=(m.debut, m.fin)))


def _sorties_axe2(p, m):
    """Les sorties de l'axe 2 dans le mois (une période d'axe 2 terminée et non suivie d'un
    renouvellement), avec le début du parcours en axe 2 : le début de la première des
    périodes d'axe 2 consécutives (renouvellements compris)."""
    axe2 = Axe.ACCOMPAGNEMENT_GLOBAL
    renouvelee = PeriodeOrientation.objects.filter(
        dossier_id=OuterRef("dossier_id"), renouvellement=True, date_debut=OuterRef("date_fin")
    ).exclude(pk=OuterRef("pk"))
    autre_axe_entre = PeriodeOrientation.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        date_debut__gt=OuterRef("date_debut"),
        date_debut__lt=OuterRef(OuterRef("date_debut")),
    ).exclude(axe=axe2)
    premiere = (
        PeriodeOrientation.objects.filter(
            dossier_id=OuterRef("dossier_id"), axe=axe2, date_debut__lte=OuterRef("date_debut")
        )
        .filter(~Exists(autre_axe_entre))
        .order_by("date_debut")
        .values("date_debut")[:1]
    )
    return (
        _sorties_axe(p, m)
        .filter(axe=axe2)
        .filter(~Exists(renouvelee))
        .annotate(debut_parcours=Subquery(premiere))
    )


def _precedent_axe():
    return Subquery(
        PeriodeOrientation.objects.filter(
            dossier_id=OuterRef("dossier_id"), date_debut__lte=OuterRef("date_debut")
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("-date_debut", "-pk")
        .values("axe")[:1]
    )


def _changements(p, m):
    return (
        _entrees(p, m)
        .annotate(axe_avant=_precedent_axe())
        .filter(axe_avant__isnull=False)
        .exclude(axe_avant=F("axe"))
    )


def _renouvellements(p, m):
    return _entrees(p, m).filter(renouvellement=True)


def _prescriptions(p, m):
    return Prescription.objects.filter(prescrite_le__range=(m.debut, m.fin))


def _prescriptions_decidees(p, m):
    return Prescription.objects.filter(
        statut=StatutPrescription.TERMINEE, decision_le__range=(m.debut, m.fin)
    )


def _prescriptions_echues(p, m):
    """Les demandes dont le délai cible de 21 jours arrive à échéance dans le mois : toutes
    ont au moins 21 jours à la fin du mois, et chacune n'est comptée qu'un mois."""
    delai = dt.timedelta(days=DELAI_CIBLE_JOURS)
    return Prescription.objects.filter(prescrite_le__range=(m.debut - delai, m.fin - delai))


def _sollicitations(p, m):
    return Sollicitation.objects.filter(
        envoyee_le__isnull=False, envoyee_le__date__range=(m.debut, m.fin)
    )


def _aides(p, m):
    return AideFinanciere.objects.filter(date_demande__range=(m.debut, m.fin))


def _rendez_vous(p, m):
    return RendezVous.objects.filter(debut__date__range=(m.debut, m.fin)).exclude(
        presence=Presence.PREVU
    )


def _freins_leves(p, m):
    return Frein.objects.filter(statut=StatutFrein.LEVE, statut_le__range=(m.debut, m.fin))


def _freins_identifies(p, m):
    return (
        Frein.objects.filter(presence=PresenceFrein.PRESENT)
        .filter(
            diagnostic__emploi_valide_le__isnull=False, diagnostic__social_valide_le__isnull=False
        )
        .annotate(
            partage_le=Greatest("diagnostic__emploi_valide_le", "diagnostic__social_valide_le")
        )
        .filter(partage_le__date__range=(m.debut, m.fin))
    )


def _charge(role):
    def source(p, m):
        return Affectation.objects.filter(role=role, date_debut__lte=m.fin).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gt=m.fin)
        )

    return source


def _binomes(p, m):
    return _charge(RoleAffectation.CONSEILLER_DEDIE)(p, m).annotate(
        ts=Subquery(
            _charge(RoleAffectation.TRAVAILLEUR_SOCIAL)(p, m)
            .filter(dossier_id=OuterRef("dossier_id"))
            .values("professionnel_id")[:1]
        )
    )


# --- Agrégats usuels ----------------------------------------------------------------------


def _n(m):
    # COUNT(*) plutôt que COUNT(id) : la clé ne peut être nulle, et le comptage se sert alors
    # des index seuls (parcours d'index sans lecture des lignes).
    return {"n": Count("*")}


def _taux(condition: Q):
    def agregats(m):
        return {"n": Count("pk"), "k": Count("pk", filter=condition)}

    return agregats


def _taux_valeur(r):
    return _part(r["k"], r["n"])


def _duree_axe2(m):
    return Jours(F("date_fin") - F("debut_parcours"))


def _delai(debut, fin):
    return Jours(F(fin) - F(debut))


def _libelles_choix(choices):
    d = dict(choices)
    return lambda vs: {v: d.get(v, v or "Non renseigné") for v in vs}


_MOTIF = ("Motif de sortie", lambda i, m: F("motif_sortie"), _libelles_choix(MotifSortie.choices))
_DOMAINE = ("Domaine de frein", lambda i, m: F("domaine"), _libelles_choix(DomaineFrein.choices))
_TRANSITION = (
    "Transition",
    lambda i, m: Concat(F("axe_avant"), Value("→"), F("axe"), output_field=CharField()),
    lambda vs: {v: f"Axe {v.replace('→', ' → axe ')}" for v in vs},
)
_ORIGINE = (
    "Origine",
    lambda i, m: Case(
        When(structure__type=TypeStructure.AGENCE_FT, then=Value("france_travail")),
        default=Value("social"),
        output_field=CharField(),
    ),
    lambda vs: {v: "France Travail" if v == "france_travail" else "Côté social" for v in vs},
)
_TYPE_PARTENAIRE = (
    "Type de service du partenaire",
    lambda i, m: F("service__type"),
    lambda vs: {v: v or "Non renseigné" for v in vs},
)
_PROFESSIONNEL = ("Professionnel", lambda i, m: F("professionnel_id"), _noms_personnes)
_ACCEPTEES = [StatutSollicitation.ACCEPTEE, StatutSollicitation.REALISEE]
_DEMANDEUR = ("rsa", "sexe", "tranche_age")
_STRUCTURES = ("territoire", "agence")

# --- Le catalogue ---------------------------------------------------------------------------

_PERIODE = {"prefixe": "dossier__", "champ_axe": "axe"}


def _compte_sollicitations(code, libelle, definition, ensemble):
    """Un comptage de sollicitations de l'axe 1, ventilé comme les autres (profil, structures,
    domaine de frein, type de partenaire)."""
    return Indicateur(
        code,
        "Axe 1",
        libelle,
        definition,
        "nombre",
        ensemble,
        _n,
        ventilations=_DEMANDEUR + _STRUCTURES,
        propres={"domaine": _DOMAINE, "type_partenaire": _TYPE_PARTENAIRE},
    )


CATALOGUE: list[Indicateur] = [
    # Flux et stocks (par axe : l'axe de la période)
    Indicateur(
        "stock_debut",
        "Flux et stocks",
        "Stock en début de mois",
        "Personnes sur une période d'orientation ouverte le dernier jour du mois précédent "
        "(commencée au plus tard ce jour-là, non terminée avant le lendemain).",
        "nombre",
        _stock_debut,
        _n,
        **_PERIODE,
    ),
    Indicateur(
        "file_active",
        "Flux et stocks",
        "File active en fin de mois",
        "Personnes sur une période d'orientation ouverte le dernier jour du mois (commencée au "
        "plus tard ce jour-là et non terminée ce jour-là ou avant). Par axe : l'axe de la période.",
        "nombre",
        _stock_fin,
        _n,
        tuile=True,
        **_PERIODE,
    ),
    Indicateur(
        "entrees",
        "Flux et stocks",
        "Entrées du mois",
        "Périodes d'orientation commencées dans le mois (entrée dans l'axe, y compris par un "
        "changement d'axe ou un renouvellement).",
        "nombre",
        _entrees,
        _n,
        tuile=True,
        **_PERIODE,
    ),
    Indicateur(
        "sorties_axe",
        "Flux et stocks",
        "Sorties du mois (par axe)",
        "Périodes d'orientation terminées dans le mois (sortie de l'axe, par clôture du "
        "dossier, changement d'axe ou fin avant renouvellement). Stock de début + entrées − "
        "sorties = file active de fin, pour chaque axe.",
        "nombre",
        _sorties_axe,
        _n,
        tuile=True,
        **_PERIODE,
    ),
    Indicateur(
        "renouvellements",
        "Flux et stocks",
        "Renouvellements",
        "Périodes ouvertes dans le mois par un renouvellement (au-delà de 12 mois).",
        "nombre",
        _renouvellements,
        _n,
        **_PERIODE,
    ),
    Indicateur(
        "changements_axe",
        "Flux et stocks",
        "Changements d'axe",
        "Périodes commencées dans le mois qui suivent une autre période du même dossier ; "
        "ventilées par transition (1 → 2, 2 → 3, 3 → 2…).",
        "nombre",
        _changements,
        _n,
        propres={"transition": _TRANSITION},
        **_PERIODE,
    ),
    # Sorties du dispositif
    Indicateur(
        "sorties",
        "Sorties",
        "Sorties du dispositif",
        "Dossiers clos dans le mois (date de sortie dans le mois), par motif de sortie.",
        "nombre",
        _sorties,
        _n,
        prefixe="",
        champ_axe="axe_courant",
        tuile=True,
        propres={"motif": _MOTIF},
    ),
    Indicateur(
        "taux_sorties_positives",
        "Sorties",
        "Taux de sorties positives",
        "Sorties positives (emploi durable, emploi de moins de 6 mois, création d'activité, "
        "formation qualifiante, IAE) / sorties du dispositif du mois.",
        "%",
        _sorties,
        _taux(Q(motif_sortie__in=SORTIES_POSITIVES)),
        _taux_valeur,
        prefixe="",
        champ_axe="axe_courant",
        additif=False,
    ),
    Indicateur(
        "taux_emploi_durable",
        "Sorties",
        "Part des sorties en emploi durable",
        "Sorties pour emploi durable (CDI, CDD ou intérim de 6 mois et plus) / sorties du "
        "dispositif du mois.",
        "%",
        _sorties,
        _taux(Q(motif_sortie=MotifSortie.EMPLOI_DURABLE)),
        _taux_valeur,
        prefixe="",
        champ_axe="axe_courant",
        additif=False,
    ),
    # Durées en axe 2
    Indicateur(
        "duree_axe2_moyenne",
        "Durées",
        "Durée moyenne en axe 2",
        "Sorties de l'axe 2 dans le mois (période d'axe 2 terminée sans renouvellement) : "
        "moyenne, en jours, de la sortie moins le début du parcours en axe 2 (renouvellements "
        "compris).",
        "jours",
        _sorties_axe2,
        lambda m: {"v": Avg(_duree_axe2(m))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        **_PERIODE,
    ),
    Indicateur(
        "duree_axe2_mediane",
        "Durées",
        "Durée médiane en axe 2",
        "Sorties de l'axe 2 dans le mois (période d'axe 2 terminée sans renouvellement) : "
        "médiane, en jours, de la sortie moins le début du parcours en axe 2 (renouvellements "
        "compris).",
        "jours",
        _sorties_axe2,
        lambda m: {"v": Mediane(_duree_axe2(m))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        **_PERIODE,
    ),
    Indicateur(
        "part_axe2_plus_12_mois",
        "Durées",
        "Part des parcours d'axe 2 de plus de 12 mois",
        "Sorties de l'axe 2 dans le mois dont le parcours en axe 2 (renouvellements compris) a "
        "duré plus de 365 jours / sorties de l'axe 2 du mois.",
        "%",
        _sorties_axe2,
        lambda m: {
            "n": Count("pk"),
            "k": Count("pk", filter=Q(date_fin__gt=F("debut_parcours") + 365)),
        },
        _taux_valeur,
        additif=False,
        **_PERIODE,
    ),
    # Délais des demandes d'entrée
    Indicateur(
        "delai_prescription_diagnostic",
        "Délais",
        "Délai demande → diagnostic",
        "Demandes d'entrée décidées dans le mois : moyenne, en jours, du début du diagnostic "
        "moins la date de la demande.",
        "jours",
        _prescriptions_decidees,
        lambda m: {"v": Avg(_delai("prescrite_le", "diagnostic_le"))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        champ_axe="axe",
    ),
    Indicateur(
        "delai_diagnostic_entree",
        "Délais",
        "Délai diagnostic → entrée",
        "Demandes d'entrée décidées dans le mois : moyenne, en jours, de la décision conjointe "
        "(entrée) moins le début du diagnostic.",
        "jours",
        _prescriptions_decidees,
        lambda m: {"v": Avg(_delai("diagnostic_le", "decision_le"))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        champ_axe="axe",
    ),
    Indicateur(
        "delai_prescription_entree_moyen",
        "Délais",
        "Délai demande → entrée (moyenne)",
        "Demandes d'entrée décidées dans le mois : moyenne, en jours, de la décision conjointe "
        "moins la date de la demande.",
        "jours",
        _prescriptions_decidees,
        lambda m: {"v": Avg(_delai("prescrite_le", "decision_le"))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        champ_axe="axe",
    ),
    Indicateur(
        "delai_prescription_entree_median",
        "Délais",
        "Délai demande → entrée (médiane)",
        "Demandes d'entrée décidées dans le mois : médiane, en jours, de la décision conjointe "
        "moins la date de la demande.",
        "jours",
        _prescriptions_decidees,
        lambda m: {"v": Mediane(_delai("prescrite_le", "decision_le"))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        champ_axe="axe",
    ),
    Indicateur(
        "part_entree_21_jours",
        "Délais",
        "Part des entrées en 21 jours au plus",
        "Demandes d'entrée dont le délai de 21 jours arrive à échéance dans le mois (donc "
        "vieilles d'au moins 21 jours à la fin du mois) : part de celles dont la décision "
        "conjointe est intervenue au plus 21 jours après la demande.",
        "%",
        _prescriptions_echues,
        _taux(Q(decision_le__isnull=False, decision_le__lte=F("prescrite_le") + DELAI_CIBLE_JOURS)),
        _taux_valeur,
        additif=False,
        champ_axe="axe",
    ),
    Indicateur(
        "prescriptions",
        "Délais",
        "Demandes d'entrée (prescriptions)",
        "Demandes d'entrée en axe 2 ou 3 faites dans le mois, par origine : France Travail "
        "(agence) ou côté social (territoire, direction, partenaire).",
        "nombre",
        _prescriptions,
        _n,
        champ_axe="axe",
        propres={"origine": _ORIGINE},
    ),
    # Axe 1 : sollicitations
    _compte_sollicitations(
        "sollicitations_envoyees",
        "Sollicitations envoyées",
        "Sollicitations de l'axe 1 envoyées dans le mois, par domaine de frein et par type de "
        "service du partenaire.",
        _sollicitations,
    ),
    _compte_sollicitations(
        "sollicitations_acceptees",
        "Sollicitations acceptées",
        "Sollicitations envoyées dans le mois et acceptées (ou déjà réalisées) à la date du calcul.",
        lambda p, m: _sollicitations(p, m).filter(statut__in=_ACCEPTEES),
    ),
    _compte_sollicitations(
        "sollicitations_refusees",
        "Sollicitations refusées",
        "Sollicitations envoyées dans le mois et refusées à la date du calcul.",
        lambda p, m: _sollicitations(p, m).filter(statut=StatutSollicitation.REFUSEE),
    ),
    _compte_sollicitations(
        "sollicitations_expirees",
        "Sollicitations expirées",
        "Sollicitations envoyées dans le mois et expirées sans réponse à la date du calcul.",
        lambda p, m: _sollicitations(p, m).filter(statut=StatutSollicitation.EXPIREE),
    ),
    Indicateur(
        "sollicitations_delai_median",
        "Axe 1",
        "Délai médian de réponse des partenaires",
        "Sollicitations envoyées dans le mois et qui ont reçu une réponse : médiane, en jours, "
        "de l'acceptation ou du refus moins l'envoi.",
        "jours",
        lambda p, m: (
            _sollicitations(p, m)
            .filter(Q(acceptee_le__isnull=False) | Q(refusee_le__isnull=False))
            .annotate(reponse_le=Greatest("acceptee_le", "refusee_le"))
        ),
        lambda m: {"v": Mediane(Jours(F("reponse_le") - F("envoyee_le")))},
        lambda r: _arrondi(r["v"]),
        additif=False,
        ventilations=_DEMANDEUR + _STRUCTURES,
        propres={"domaine": _DOMAINE, "type_partenaire": _TYPE_PARTENAIRE},
    ),
    # Aides financières
    Indicateur(
        "aides_nombre",
        "Aides financières",
        "Aides financières demandées",
        "Aides financières demandées dans le mois.",
        "nombre",
        _aides,
        _n,
    ),
    Indicateur(
        "aides_montant_demande",
        "Aides financières",
        "Montant demandé",
        "Somme des montants des aides financières demandées dans le mois.",
        "€",
        _aides,
        lambda m: {"v": Sum("montant_demande")},
        lambda r: float(r["v"] or 0),
    ),
    Indicateur(
        "aides_montant_accorde",
        "Aides financières",
        "Montant accordé",
        "Somme des montants accordés, à la date du calcul, pour les aides demandées dans le mois.",
        "€",
        _aides,
        lambda m: {"v": Sum("montant_accorde", filter=Q(decision=DecisionAide.ACCORDEE))},
        lambda r: float(r["v"] or 0),
    ),
    Indicateur(
        "aides_delai_decision",
        "Aides financières",
        "Délai moyen de décision des aides",
        "Aides demandées dans le mois et décidées : moyenne, en jours, de la décision moins la "
        "demande.",
        "jours",
        lambda p, m: _aides(p, m).filter(date_decision__isnull=False),
        lambda m: {"v": Avg(_delai("date_demande", "date_decision"))},
        lambda r: _arrondi(r["v"]),
        additif=False,
    ),
    # Freins
    Indicateur(
        "freins_identifies",
        "Freins",
        "Freins identifiés",
        "Freins présents dans les versions du diagnostic partagées dans le mois (partage : la "
        "seconde des deux validations), un par dossier et par domaine.",
        "nombre",
        _freins_identifies,
        lambda m: {
            "n": Count(
                Concat(Cast("diagnostic__dossier_id", CharField()), Value("|"), "domaine"),
                distinct=True,
            )
        },
        prefixe="diagnostic__dossier__",
        champ_axe="diagnostic__dossier__axe_courant",
        propres={"domaine": _DOMAINE},
    ),
    Indicateur(
        "freins_leves",
        "Freins",
        "Freins levés",
        "Freins passés au statut « levé » avec une date de statut dans le mois, un par dossier "
        "et par domaine (une version suivante du diagnostic ne le compte pas deux fois).",
        "nombre",
        _freins_leves,
        lambda m: {
            "n": Count(
                Concat(Cast("diagnostic__dossier_id", CharField()), Value("|"), "domaine"),
                distinct=True,
            )
        },
        prefixe="diagnostic__dossier__",
        champ_axe="diagnostic__dossier__axe_courant",
        propres={"domaine": _DOMAINE},
    ),
    # Rendez-vous
    Indicateur(
        "taux_rendez_vous_honores",
        "Rendez-vous",
        "Rendez-vous honorés",
        "Rendez-vous du mois où la personne était présente / rendez-vous du mois dont la "
        "présence est notée (présente, absente ou excusée). Non honorés : le complément.",
        "%",
        _rendez_vous,
        _taux(Q(presence=Presence.PRESENT)),
        _taux_valeur,
        additif=False,
    ),
    # Charges
    Indicateur(
        "charge_conseiller_dedie",
        "Charges",
        "Portefeuille moyen par conseiller dédié",
        "Dossiers où un conseiller dédié tient la place le dernier jour du mois / conseillers "
        "dédiés qui en tiennent au moins une ; ventilé par conseiller dédié.",
        "dossiers par professionnel",
        _charge(RoleAffectation.CONSEILLER_DEDIE),
        lambda m: {"n": Count("pk"), "p": Count("professionnel_id", distinct=True)},
        lambda r: _arrondi(r["n"] / r["p"]) if r["p"] else None,
        additif=False,
        ventilations=(*_STRUCTURES, "axe"),
        propres={"professionnel": _PROFESSIONNEL},
    ),
    Indicateur(
        "charge_travailleur_social",
        "Charges",
        "Portefeuille moyen par travailleur social",
        "Dossiers où un travailleur social du binôme tient la place le dernier jour du mois / "
        "travailleurs sociaux qui en tiennent au moins une ; ventilé par travailleur social.",
        "dossiers par professionnel",
        _charge(RoleAffectation.TRAVAILLEUR_SOCIAL),
        lambda m: {"n": Count("pk"), "p": Count("professionnel_id", distinct=True)},
        lambda r: _arrondi(r["n"] / r["p"]) if r["p"] else None,
        additif=False,
        ventilations=(*_STRUCTURES, "axe"),
        propres={"professionnel": _PROFESSIONNEL},
    ),
    Indicateur(
        "ts_par_conseiller_dedie",
        "Charges",
        "Travailleurs sociaux distincts par conseiller dédié",
        "Le dernier jour du mois, pour chaque conseiller dédié, le nombre de travailleurs "
        "sociaux distincts avec qui il tient un binôme ; moyenne sur les conseillers dédiés.",
        "professionnels",
        _binomes,
        lambda m: {
            "k": Count(
                Concat(Cast("professionnel_id", CharField()), Value("|"), Cast("ts", CharField())),
                distinct=True,
                filter=Q(ts__isnull=False),
            ),
            "p": Count("professionnel_id", distinct=True),
        },
        lambda r: _arrondi(r["k"] / r["p"]) if r["p"] else None,
        additif=False,
        ventilations=_STRUCTURES,
        propres={"professionnel": _PROFESSIONNEL},
    ),
    # Profil des entrants
    Indicateur(
        "entrants_rsa",
        "Profil des entrants",
        "Part d'allocataires du RSA parmi les entrants",
        "Entrées du mois (périodes commencées) dont la personne est allocataire du RSA / entrées.",
        "%",
        _entrees,
        _taux(Q(dossier__demandeur__rsa_allocataire=True)),
        _taux_valeur,
        additif=False,
        **_PERIODE,
    ),
    Indicateur(
        "entrants_femmes",
        "Profil des entrants",
        "Part de femmes parmi les entrants",
        "Entrées du mois dont la personne est une femme (civilité « Madame ») / entrées.",
        "%",
        _entrees,
        _taux(Q(dossier__demandeur__civilite=Civilite.MADAME)),
        _taux_valeur,
        additif=False,
        **_PERIODE,
    ),
    Indicateur(
        "entrants_qualification_basse",
        "Profil des entrants",
        "Part des entrants de qualification niveau 3 au plus",
        "Entrées du mois dont la personne est sans diplôme ou de niveau 3 (CAP, BEP) / entrées "
        "dont le niveau est renseigné.",
        "%",
        lambda p, m: _entrees(p, m).exclude(dossier__demandeur__niveau_qualification=""),
        _taux(Q(dossier__demandeur__niveau_qualification__in=["sans", "3"])),
        _taux_valeur,
        additif=False,
        **_PERIODE,
    ),
]

PAR_CLE = {i.cle: i for i in CATALOGUE}
TUILES = [i for i in CATALOGUE if i.tuile]

# Indicateurs demandés qui ne sont pas calculables avec les modèles actuels
# (docs/reporting.md, « Ce qui manque »).
NON_CALCULABLES = {
    "emploi_durable_contrat": "Le type et la durée du contrat ne sont pas saisis : l'emploi "
    "durable se lit dans le motif de sortie (« Emploi durable (CDI, CDD ou intérim de 6 mois et "
    "plus) »), sans contrôle du contrat.",
    "diagnostic_partage_date": "La demande d'entrée date le début du diagnostic, pas son "
    "partage : le délai « demande → diagnostic » mesure le début du diagnostic.",
}


def _filtre(agregat: Aggregate, condition: Q) -> Aggregate:
    """L'agrégat restreint aux lignes qui vérifient `condition` (`… FILTER (WHERE …)`)."""
    if isinstance(agregat, Count) and isinstance(agregat.source_expressions[0], Star):
        # COUNT(*) ne prend pas de filtre dans l'ORM ; la clé n'est jamais nulle.
        return Count(
            "pk", filter=condition if agregat.filter is None else condition & agregat.filter
        )
    copie = agregat.copy()
    copie.filter = condition if agregat.filter is None else condition & agregat.filter
    return copie


def valeurs_par_mois(
    demandes: list[tuple[Indicateur, Mois]], perimetre: Perimetre, axe: str | None = None
) -> dict[tuple[str, Mois], float | int | None]:
    """{(clé, mois): valeur} pour des couples (indicateur, mois) d'un même périmètre. Les
    indicateurs de source `Filtree` qui partagent modèle, chemin vers le dossier et champ de
    l'axe sont calculés ensemble : une requête, un agrégat filtré par couple (la condition
    du mois de la source) — un seul parcours des lignes au lieu d'un par mois. Les autres,
    une requête chacun (`calculer`). Mêmes valeurs que `calculer` (testé)."""
    sortie: dict = {}
    groupes: dict = {}
    vus = set()
    for ind, mois in demandes:
        if (ind.cle, mois) in vus:
            continue
        vus.add((ind.cle, mois))
        if isinstance(ind.source, Filtree):
            cle = (ind.source.modele, ind.prefixe, ind.champ_axe)
            groupes.setdefault(cle, []).append((ind, mois))
        else:
            sortie[ind.cle, mois] = ind.calculer(perimetre, mois, axe)
    for (modele, prefixe, champ_axe), couples in groupes.items():
        conditions = [ind.source.condition(m) for ind, m in couples]
        qs = modele.objects.filter(perimetre.q(prefixe))
        if axe:
            qs = qs.filter(**{champ_axe: axe})
        une_au_moins = conditions[0]
        for c in conditions[1:]:
            une_au_moins |= c
        agregats = {
            f"_{j}_{nom}": _filtre(agregat, condition)
            for j, ((ind, m), condition) in enumerate(zip(couples, conditions, strict=True))
            for nom, agregat in ind.agregats(m).items()
        }
        r = qs.filter(une_au_moins).aggregate(**agregats)
        for j, (ind, m) in enumerate(couples):
            sortie[ind.cle, m] = ind.valeur({nom: r[f"_{j}_{nom}"] for nom in ind.agregats(m)})
    return sortie


def calculer_tout(perimetre: Perimetre, mois: Mois) -> dict:
    """Les chiffres d'un rapport : pour chaque indicateur, sa valeur, sa valeur par axe et
    toutes ses ventilations."""
    sortie = {}
    for ind in CATALOGUE:
        sortie[ind.cle] = {
            "valeur": ind.calculer(perimetre, mois),
            "ventilations": {cle: ind.ventiler(perimetre, mois, cle) for cle in ind.dimensions()},
        }
    return sortie
