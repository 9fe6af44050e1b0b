"""Urlconf du « test du test » (tests/test_acces_urls.py) : les routes du projet plus une
vue ajoutée sans ligne dans la matrice des droits."""

from django.http import HttpResponse
from django.urls import path

from accompagnement.urls import urlpatterns as routes_du_projet


def page_oubliee(request):
    return HttpResponse("Une page que personne n'a déclarée.")


urlpatterns = [*routes_du_projet, path("page-oubliee/", page_oubliee, name="page_oubliee")]
