"""Routes de l'application conventions (espace de noms « conventions »)."""

app_name = "conventions"

urlpatterns: list = []
