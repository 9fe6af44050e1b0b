"""Outils communs des vues du diagnostic : chargement d'un diagnostic dans le périmètre."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from dossiers.models import Affectation, Dossier
from dossiers.parcours import perms as dossiers_perms

from .. import perms
from ..models import DecisionOrientation, Diagnostic


def diagnostics_visibles(membership):
    """Les diagnostics des dossiers du périmètre de lecture, avec ce que la page lit. La
    décision et ses trois professionnels se lisent à part : jointes aux neuf autres
    relations, elles portaient la requête à 13 tables, dont le planificateur explorait les
    ordres de jointure (~70 ms de planification sous charge pour 1 ms d'exécution) ; à part,
    deux requêtes planifiées en ~2 ms chacune (ticket #14, décision 93)."""
    return (
        Diagnostic.objects.filter(dossier__in=Dossier.objects.visibles_par(membership))
        .select_related(
            "dossier__demandeur",
            "dossier__departement",
            "dossier__agence",
            "dossier__territoire",
            "cree_par",
            "emploi_valide_par",
            "social_valide_par",
        )
        .prefetch_related(
            Prefetch(
                "decision",
                DecisionOrientation.objects.select_related(
                    "decide_par", "conseiller", "professionnel_social"
                ),
            ),
            "freins",
            Prefetch(
                "dossier__affectations",
                Affectation.objects.select_related("professionnel", "structure"),
            ),
        )
    )


def charger(request, uuid) -> Diagnostic:
    """Un diagnostic par UUID : 404 hors périmètre, 403 si le dossier n'est visible
    qu'en statut (le diagnostic n'en fait pas partie)."""
    diagnostic = get_object_or_404(diagnostics_visibles(request.membership), uuid=uuid)
    niveau = dossiers_perms.niveau_acces(request.membership, diagnostic.dossier)
    if niveau is None:
        raise Http404
    if not perms.peut_voir_diagnostic(request.membership, diagnostic.dossier):
        raise PermissionDenied
    return diagnostic
