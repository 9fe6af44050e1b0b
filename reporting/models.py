"""Indicateurs et documents de synthèse. Le bilan d'un parcours rassemble ce que l'outil
sait déjà (périodes, freins, actions) ; les professionnels y ajoutent leur conclusion."""

from django.conf import settings
from django.db import models

from accompagnement.historique import suivre
from dossiers.models import Dossier


class BilanParcours(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="bilan")
    conclusion = models.TextField("conclusion du binôme")
    redige_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    redige_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bilan de parcours"
        verbose_name_plural = "bilans de parcours"

    def __str__(self) -> str:
        return f"Bilan — {self.dossier.demandeur}"


# Historique des écritures (décision 27) : département et personne du dossier.
BilanParcoursHistorique = suivre(
    BilanParcours,
    departement='(SELECT d."departement_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")',
    demandeur='(SELECT d."demandeur_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")',
    masquer=("conclusion",),
)
