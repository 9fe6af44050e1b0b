"""Sollicitations des ressources sociales (axe 1), dont le lien signé du partenaire (`partenaire.py`)."""
