"""Indicateurs du diagnostic partagé (DOMAIN.md §5) : les freins levés par domaine,
mesurés en comparant deux versions partagées successives (services.comparer)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.db.models.functions import Greatest

from accompagnement.referentiels import DomaineFrein

from .models import Diagnostic
from .services import comparer


def freins_leves_par_domaine(departement, debut: dt.date, fin: dt.date) -> dict[str, int]:
    """Pour chaque domaine, le nombre de freins levés entre deux versions partagées
    successives dont la seconde a été partagée (seconde des deux validations) entre
    `debut` et `fin` inclus. Trois requêtes quel que soit le volume (versions et freins
    préchargés)."""
    versions = (
        Diagnostic.objects.filter(dossier__departement=departement, precedent__isnull=False)
        .partages()
        .filter(
            Q(precedent__emploi_valide_le__isnull=False)
            & Q(precedent__social_valide_le__isnull=False)
        )
        .annotate(partage_le=Greatest("emploi_valide_le", "social_valide_le"))
        .filter(partage_le__date__gte=debut, partage_le__date__lte=fin)
        .select_related("precedent")
        .prefetch_related("freins", "precedent__freins")
    )
    compte = dict.fromkeys(DomaineFrein.values, 0)
    for version in versions:
        for domaine in comparer(version.precedent, version).leves:
            compte[domaine] += 1
    return compte
