"""Export PDF du diagnostic partagé (pour la personne et pour le dossier). Le contenu suit
la règle de sensibilité de la page (diagnostics.lecture) ; chaque génération est tracée
dans l'audit (export) et au journal du dossier."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accompagnement import audit
from accompagnement.models import ActionAudit, Membership
from accompagnement.pdf import rendre_pdf
from dossiers.journal import journaliser
from dossiers.models import TypeEvenement

from .lecture import contexte_lecture
from .models import Diagnostic

GABARIT = "pdf/diagnostic.html"


def contexte_pdf(diagnostic: Diagnostic, membership: Membership) -> dict:
    contexte = contexte_lecture(diagnostic, membership)
    contexte.update(
        departement=diagnostic.dossier.departement,
        genere_le=timezone.localtime(),
        genere_par=membership.user,
        membership=membership,
    )
    return contexte


def exporter_pdf(*, diagnostic: Diagnostic, membership: Membership, request=None) -> bytes:
    """Rend le PDF puis trace la génération (rien n'est tracé si le rendu échoue)."""
    contexte = contexte_pdf(diagnostic, membership)
    contenu = rendre_pdf(GABARIT, contexte, base_url=settings.BASE_DIR / "static")
    _tracer_export(
        diagnostic=diagnostic,
        membership=membership,
        request=request,
        details={
            "format": "pdf",
            "version": diagnostic.numero,
            "detail_social": contexte["voit_detail_social"],
            "octets": len(contenu),
        },
    )
    return contenu


@transaction.atomic
def _tracer_export(*, diagnostic, membership, request, details) -> None:
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        acteur=membership.user,
        request=request,
        departement=diagnostic.dossier.departement,
        objet=diagnostic,
        details=details,
    )
    journaliser(
        dossier=diagnostic.dossier,
        type=TypeEvenement.DIAGNOSTIC,
        auteur=membership.user,
        resume=f"PDF du diagnostic v{diagnostic.numero} généré par {membership.user}",
        objet=diagnostic,
    )
