"""Import des demandeurs : correspondance des colonnes gardée par département."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accompagnement.models import Departement


class CorrespondanceImport(models.Model):
    """Correspondance colonnes du fichier → champs du demandeur, gardée par département
    pour que l'import du mois suivant se fasse sans tout ressaisir."""

    departement = models.OneToOneField(
        Departement, on_delete=models.CASCADE, related_name="correspondance_import"
    )
    colonnes = models.JSONField(default=dict, help_text="{champ du demandeur: en-tête du fichier}")
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "correspondance d'import"

    def __str__(self) -> str:
        return f"Correspondance d'import — {self.departement}"
