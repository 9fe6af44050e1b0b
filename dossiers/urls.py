"""Routes de l'application dossiers (espace de noms « dossiers »)."""

app_name = "dossiers"

urlpatterns: list = []
