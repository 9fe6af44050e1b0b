"""Vues des dossiers, par thème : fiches et parcours (dossier.py), listes et
portefeuilles (listes.py), import des demandeurs (imports.py)."""
