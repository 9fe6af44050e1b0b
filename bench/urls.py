"""Routes des mesures : celles du projet, plus la vue de référence (jamais servie en
production : `bench.pages` l'installe le temps de la mesure, par ROOT_URLCONF)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def reference(request):
    """La vue authentifiée minimale : le gabarit de base, rien d'autre."""
    return render(request, "layout/base.html", {})


urlpatterns = [
    path("bench/reference/", reference, name="bench_reference"),
    path("", include("accompagnement.urls")),
]
