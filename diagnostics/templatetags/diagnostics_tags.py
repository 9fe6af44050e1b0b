"""Balises de gabarit du diagnostic, utilisables depuis les gabarits d'autres applications
(la fiche du dossier) sans que leur code Python importe `diagnostics`."""

from django import template

from .. import perms

register = template.Library()


@register.simple_tag
def peut_demarrer_diagnostic(membership, dossier) -> bool:
    """Droit d'ouvrir la première version depuis la fiche (aucune requête : les
    affectations du dossier sont préchargées par la vue)."""
    return membership is not None and perms.peut_demarrer(membership, dossier)
