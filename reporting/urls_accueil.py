"""Routes de l'accueil « Aujourd'hui », sans espace de noms : le nom `accueil` et le
chemin `/` restent ceux du projet. Incluses par accompagnement/urls.py sous forme de
chaîne (accompagnement n'importe pas reporting : sens des dépendances)."""

from django.urls import path

from . import aujourdhui

urlpatterns = [
    path("", aujourdhui.accueil, name="accueil"),
    path("aujourdhui/", aujourdhui.liste, name="aujourdhui_file"),
]
