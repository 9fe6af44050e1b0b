"""Parcours : demandeurs, dossiers, orientation sur les axes, affectations, changements d'axe, clôture, renouvellement."""
