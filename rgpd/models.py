"""Traces de la conservation : les personnes anonymisées (une ligne par personne, qui rend
la purge idempotente) et les préavis envoyés aux référents (un par échéance)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accompagnement.models import Departement
from dossiers.models import Demandeur


class Anonymisation(models.Model):
    """Une personne anonymisée par la purge de conservation. Ne contient aucune donnée
    d'identité : la clé de la fiche (anonymisée sur place), les dates et le lot."""

    demandeur = models.OneToOneField(
        Demandeur, on_delete=models.PROTECT, related_name="anonymisation", verbose_name="personne"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    lot = models.UUIDField("passage de la purge", db_index=True)
    dernier_contact = models.DateTimeField("dernier contact")
    duree_conservation_mois = models.PositiveSmallIntegerField("durée de conservation (mois)")
    anonymisee_le = models.DateTimeField("anonymisée le", default=timezone.now)

    class Meta:
        verbose_name = "personne anonymisée"
        verbose_name_plural = "personnes anonymisées"
        ordering = ["-anonymisee_le"]

    def __str__(self) -> str:
        return f"Personne n° {self.demandeur_id} anonymisée le {self.anonymisee_le:%d/%m/%Y}"


class Preavis(models.Model):
    """Préavis d'anonymisation envoyé aux référents, une fois par échéance : si un contact
    repousse l'échéance, un nouveau préavis partira 30 jours avant la nouvelle."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demandeur = models.ForeignKey(
        Demandeur, on_delete=models.CASCADE, related_name="preavis_rgpd", verbose_name="personne"
    )
    echeance = models.DateField("anonymisation prévue le")
    envoye_le = models.DateTimeField("envoyé le", default=timezone.now)
    destinataires = models.PositiveSmallIntegerField("nombre de destinataires", default=0)

    class Meta:
        verbose_name = "préavis d'anonymisation"
        verbose_name_plural = "préavis d'anonymisation"
        ordering = ["-envoye_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["demandeur", "echeance"], name="preavis_un_par_echeance"
            )
        ]

    def __str__(self) -> str:
        return f"Préavis pour l'échéance du {self.echeance:%d/%m/%Y}"
