"""Routes de l'application reporting (espace de noms « reporting »)."""

app_name = "reporting"

urlpatterns: list = []
