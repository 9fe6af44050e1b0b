"""Routes de l'application dossiers (espace de noms « dossiers »). Les personnes et les
dossiers apparaissent dans les URL par leur UUID."""

from django.urls import path

app_name = "dossiers"

urlpatterns: list = []

# --- fiches et parcours (dossiers/views/dossier.py) ---
# --- fin fiches et parcours ---

# --- listes et portefeuilles (dossiers/views/listes.py) ---
# --- fin listes et portefeuilles ---

# --- import des demandeurs (dossiers/views/imports.py) ---
# --- fin import des demandeurs ---

__all__ = ["app_name", "path", "urlpatterns"]
