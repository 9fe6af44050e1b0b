"""Routes de l'application diagnostics (espace de noms « diagnostics »)."""

app_name = "diagnostics"

urlpatterns: list = []
