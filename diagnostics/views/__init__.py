"""Vues du diagnostic partagé : pages de lecture (pages.py) et saisies (saisies.py)."""

from .pages import comparaison, diagnostic, ouvrir, pdf
from .saisies import decision, emploi, information, nouvelle_version, social, valider

__all__ = [
    "comparaison",
    "decision",
    "diagnostic",
    "emploi",
    "information",
    "nouvelle_version",
    "ouvrir",
    "pdf",
    "social",
    "valider",
]
