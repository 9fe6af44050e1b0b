"""Routes de l'application dossiers (espace de noms « dossiers »), une liste par capacité.
Les personnes et les dossiers apparaissent dans les URL par leur UUID."""

from dossiers.fiche import urls as fiche
from dossiers.imports import urls as imports
from dossiers.parcours import urls as parcours
from dossiers.portefeuilles import urls as portefeuilles
from dossiers.prescriptions import urls as prescriptions
from dossiers.sollicitations import urls as sollicitations
from dossiers.suivi import urls as suivi

app_name = "dossiers"

urlpatterns = [
    *parcours.urlpatterns,
    *fiche.urlpatterns,
    *portefeuilles.urlpatterns,
    *prescriptions.urlpatterns,
    *imports.urlpatterns,
    *sollicitations.urlpatterns,
    *suivi.urlpatterns,
]
