"""Indicateurs (lecture seule) : sollicitations de l'axe 1 (agrégats SQL) et freins levés
par domaine (docs/domaine.md §5, en comparant deux versions partagées successives). Le
catalogue du reporting s'appuie sur ce module."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
)
from django.db.models.functions import Coalesce, Greatest

from accompagnement.models import (
    Departement,
)
from accompagnement.referentiels import DomaineFrein
from diagnostics.models import Diagnostic, Frein
from dossiers.models import (
    DELAI_CIBLE_JOURS,
    STATUTS_EN_ATTENTE,
    Prescription,
    Sollicitation,
    StatutPrescription,
    StatutSollicitation,
)


class _Jours(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


class _Mediane(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _comptes() -> dict:
    acceptees = [StatutSollicitation.ACCEPTEE, StatutSollicitation.REALISEE]
    return {
        "total": Count("pk"),
        "acceptees": Count("pk", filter=Q(statut__in=acceptees)),
        "refusees": Count("pk", filter=Q(statut=StatutSollicitation.REFUSEE)),
        "realisees": Count("pk", filter=Q(statut=StatutSollicitation.REALISEE)),
        "expirees": Count("pk", filter=Q(statut=StatutSollicitation.EXPIREE)),
        "en_attente": Count("pk", filter=Q(statut__in=STATUTS_EN_ATTENTE)),
    }


def _arrondi(valeur: float | None) -> float | None:
    return None if valeur is None else round(valeur, 1)


def indicateurs_sollicitations(departement: Departement, debut: dt.date, fin: dt.date) -> dict:
    """Sollicitations envoyées entre `debut` et `fin` (inclus) dans le département : par
    domaine de frein, par ressource, par issue, et délai de réponse (envoi → acceptation
    ou refus) moyen et médian en jours. Quatre requêtes agrégées."""
    envoyees = Sollicitation.objects.filter(
        dossier__departement=departement,
        envoyee_le__isnull=False,
        envoyee_le__date__gte=debut,
        envoyee_le__date__lte=fin,
    )
    libelles = dict(DomaineFrein.choices)
    par_domaine = [
        {**ligne, "libelle": libelles.get(ligne["domaine"], ligne["domaine"])}
        for ligne in envoyees.values("domaine").annotate(**_comptes()).order_by("-total", "domaine")
    ]
    par_ressource = list(
        envoyees.values("service_id", "service__uuid", "service__nom", "service__structure__nom")
        .annotate(**_comptes())
        .order_by("-total", "service__nom")
    )
    par_statut = dict(envoyees.values_list("statut").annotate(n=Count("pk")).order_by())
    par_issue = {
        statut: par_statut.get(statut, 0)
        for statut in StatutSollicitation.values
        if statut != StatutSollicitation.BROUILLON
    }
    duree = _Jours(
        ExpressionWrapper(
            Coalesce(F("acceptee_le"), F("refusee_le")) - F("envoyee_le"),
            output_field=DurationField(),
        )
    )
    delais = envoyees.filter(Q(acceptee_le__isnull=False) | Q(refusee_le__isnull=False)).aggregate(
        moyen=Avg(duree), median=_Mediane(duree), nombre=Count("pk")
    )
    return {
        "departement": departement,
        "debut": debut,
        "fin": fin,
        "total": sum(par_issue.values()),
        "par_domaine": par_domaine,
        "par_ressource": par_ressource,
        "par_issue": par_issue,
        "delai_reponse_jours": {
            "moyen": _arrondi(delais["moyen"]),
            "median": _arrondi(delais["median"]),
            "nombre": delais["nombre"],
        },
    }


def freins_leves_par_domaine(departement, debut: dt.date, fin: dt.date) -> dict[str, int]:
    """Pour chaque domaine, le nombre de freins levés entre deux versions partagées
    successives dont la seconde a été partagée (seconde des deux validations) entre
    `debut` et `fin` inclus. Levé (diagnostics.services.comparer) : le frein pesait dans la
    version précédente et ne pèse plus dans la suivante (absent, ou statut « levé »). Une
    requête : un GROUP BY sur les freins qui pesaient, avec une anti-jointure sur ceux qui
    pèsent encore (décision 53)."""
    versions = (
        Diagnostic.objects.filter(dossier__departement=departement, precedent__isnull=False)
        .partages()
        .filter(
            Q(precedent__emploi_valide_le__isnull=False)
            & Q(precedent__social_valide_le__isnull=False)
        )
        .annotate(partage_le=Greatest("emploi_valide_le", "social_valide_le"))
        .filter(partage_le__date__gte=debut, partage_le__date__lte=fin)
    )
    pese_encore = Frein.objects.qui_pesent().filter(
        diagnostic__precedent_id=OuterRef("diagnostic_id"), domaine=OuterRef("domaine")
    )
    leves = (
        Frein.objects.qui_pesent()
        .filter(diagnostic_id__in=versions.values("precedent_id"))
        .exclude(Exists(pese_encore))
        .order_by()
        .values("domaine")
        .annotate(n=Count("pk"))
    )
    compte = dict.fromkeys(DomaineFrein.values, 0)
    for ligne in leves:
        compte[ligne["domaine"]] = ligne["n"]
    return compte


def delais_des_demandes_d_entree(departement: Departement, debut: dt.date, fin: dt.date) -> dict:
    """Délais des demandes d'entrée (docs/domaine.md §5) dont la décision conjointe tombe
    entre `debut` et `fin` inclus : demande → diagnostic, diagnostic → décision, demande →
    décision (moyenne et médiane en jours), et la part décidée en 21 jours au plus. Une
    requête."""
    qs = Prescription.objects.filter(
        dossier__departement=departement,
        statut=StatutPrescription.TERMINEE,
        decision_le__range=(debut, fin),
    )
    vers_diagnostic = _Jours(F("diagnostic_le") - F("prescrite_le"))
    vers_decision = _Jours(F("decision_le") - F("diagnostic_le"))
    total = _Jours(F("decision_le") - F("prescrite_le"))
    r = qs.aggregate(
        nombre=Count("pk"),
        dans_le_delai=Count("pk", filter=Q(decision_le__lte=F("prescrite_le") + DELAI_CIBLE_JOURS)),
        diagnostic_moyen=Avg(vers_diagnostic),
        decision_moyenne=Avg(vers_decision),
        total_moyen=Avg(total),
        total_median=_Mediane(total),
    )
    nombre = r["nombre"]
    return {
        "nombre": nombre,
        "delai_moyen_demande_diagnostic": _arrondi(r["diagnostic_moyen"]),
        "delai_moyen_diagnostic_decision": _arrondi(r["decision_moyenne"]),
        "delai_moyen_total": _arrondi(r["total_moyen"]),
        "delai_median_total": _arrondi(r["total_median"]),
        "part_dans_le_delai": _arrondi(100 * r["dans_le_delai"] / nombre) if nombre else None,
        "cible_jours": DELAI_CIBLE_JOURS,
    }
