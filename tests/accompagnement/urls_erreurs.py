"""Les adresses du projet, plus deux vues qui échouent (403, 500) : pour vérifier les pages
d'erreur du serveur de démonstration (tests/accompagnement/test_demarrage.py)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.urls import path

from accompagnement.urls import urlpatterns as urls_du_projet


@login_not_required
def interdite(request):
    raise PermissionDenied


@login_not_required
def en_erreur(request):
    raise RuntimeError("erreur volontaire du test")


urlpatterns = [
    path("test/interdite/", interdite),
    path("test/erreur/", en_erreur),
    *urls_du_projet,
]
