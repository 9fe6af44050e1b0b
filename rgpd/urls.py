"""Routes de la protection des données (espace de noms « rgpd »)."""

from django.urls import path

from . import views

app_name = "rgpd"

urlpatterns = [
    path("personnes/", views.personnes, name="personnes"),
    path("personnes/<uuid:uuid>/acces/", views.acces_personne, name="acces"),
]
