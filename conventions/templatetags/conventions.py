from decimal import Decimal

from django import template
from django.utils import numberformat

register = template.Library()

ESPACE_FINE = "\u202f"


@register.filter
def euros(valeur) -> str:
    """Decimal("56000") → « 56 000,00 € » (espace fine insécable entre les milliers)."""
    if valeur in (None, ""):
        return ""
    texte = numberformat.format(
        Decimal(valeur), ",", 2, grouping=3, thousand_sep=ESPACE_FINE, force_grouping=True
    )
    return f"{texte}{ESPACE_FINE}€"


@register.filter
def nombre_fr(valeur) -> str:
    """Decimal("8.00") → « 8 », Decimal("0.50") → « 0,5 »."""
    if valeur in (None, ""):
        return ""
    texte = format(Decimal(valeur).normalize(), "f")
    return texte.replace(".", ",")
