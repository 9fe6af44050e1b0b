"""Prescription (demande d'entrée) : un professionnel propose une personne pour
l'accompagnement global (axe 2) ou pour un suivi social exclusif (axe 3, réorientation vers
le Département). La demande va au conseiller dédié de l'agence (axe 2) et aux
correspondants insertion du territoire ; l'un prend le dossier, l'autre désigne le
travailleur social, ou l'un d'eux refuse avec un motif ; la décision conjointe du
diagnostic partagé la termine. Écritures : dossiers/prescriptions/services.py."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.models import Structure
from accompagnement.referentiels import DomaineFrein
from dossiers.models.parcours import Axe, Dossier

# Objectif du protocole national (docs/domaine.md §2 et §5) : 3 semaines en moyenne de
# l'orientation à l'entrée.
DELAI_CIBLE_JOURS = 21
AXES_PRESCRIPTION = (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)


class StatutPrescription(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente de prise en charge"
    PRISE_EN_CHARGE = "prise_en_charge", "Prise en charge"
    REFUSEE = "refusee", "Refusée"
    TERMINEE = "terminee", "Décision prise"


# En cours : une seule par dossier ; la décision conjointe la termine.
STATUTS_PRESCRIPTION_EN_COURS = (StatutPrescription.EN_ATTENTE, StatutPrescription.PRISE_EN_CHARGE)


class ModeAccord(models.TextChoices):
    ENTRETIEN = "entretien", "En entretien"
    TELEPHONE = "telephone", "Par téléphone"
    ECRIT = "ecrit", "Par écrit (courrier, courriel)"


class PrescriptionQuerySet(models.QuerySet):
    def en_cours(self) -> PrescriptionQuerySet:
        return self.filter(statut__in=STATUTS_PRESCRIPTION_EN_COURS).exclude(dossier__statut="clos")

    def pour_affichage(self) -> PrescriptionQuerySet:
        return self.select_related(
            "dossier__demandeur",
            "dossier__agence",
            "dossier__territoire",
            "prescripteur",
            "structure",
            "pris_par",
            "designe_par",
            "travailleur_social",
            "refuse_par",
        )


class Prescription(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="prescriptions")
    axe = models.CharField(
        "accompagnement proposé",
        max_length=1,
        choices=[(a.value, a.label) for a in AXES_PRESCRIPTION],
    )
    statut = models.CharField(
        max_length=20,
        choices=StatutPrescription.choices,
        default=StatutPrescription.EN_ATTENTE,
    )
    freins = ArrayField(
        models.CharField(max_length=30, choices=DomaineFrein.choices),
        verbose_name="freins pressentis",
        default=list,
        blank=True,
    )
    motif = models.TextField("motif de la demande")
    # Accord de la personne à la démarche (docs/domaine.md §7 : quand et comment).
    accord_le = models.DateField("accord de la personne recueilli le")
    accord_mode = models.CharField("recueilli", max_length=12, choices=ModeAccord.choices)
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name="prescrit par",
    )
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="structure du prescripteur",
    )
    prescrite_le = models.DateField("prescrite le", default=timezone.localdate)
    cree_le = models.DateTimeField(default=timezone.now)
    # Étapes, datées pour les délais (prescription → diagnostic → entrée).
    pris_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pris par (conseiller dédié)",
    )
    pris_le = models.DateField("dossier pris le", null=True, blank=True)
    designe_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="désignation faite par",
    )
    travailleur_social = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescriptions_designees",
        verbose_name="travailleur social désigné",
    )
    designe_le = models.DateField("travailleur social désigné le", null=True, blank=True)
    refuse_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="refusée par",
    )
    refusee_le = models.DateField("refusée le", null=True, blank=True)
    motif_refus = models.TextField("motif du refus", blank=True)
    diagnostic_le = models.DateField("diagnostic commencé le", null=True, blank=True)
    decision_le = models.DateField("décision conjointe le", null=True, blank=True)
    axe_decide = models.CharField("axe décidé", max_length=1, choices=Axe.choices, blank=True)
    repondue_le = models.DateTimeField(
        "dernière réponse le",
        null=True,
        blank=True,
        help_text="Prise, désignation, refus ou décision : ce que le prescripteur voit bouger.",
    )

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-prescrite_le", "-pk"]
        verbose_name = "prescription"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(statut__in=["en_attente", "prise_en_charge"]),
                name="prescription_une_seule_en_cours",
                violation_error_message="Une demande d'entrée est déjà en cours pour ce dossier.",
            ),
            models.CheckConstraint(
                condition=Q(axe__in=[a.value for a in AXES_PRESCRIPTION]),
                name="prescription_axe_valide",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutPrescription.values),
                name="prescription_statut_valide",
            ),
            models.CheckConstraint(
                condition=~Q(statut="refusee")
                | (Q(refusee_le__isnull=False) & Q(refuse_par__isnull=False) & ~Q(motif_refus="")),
                name="prescription_refus_motive",
                violation_error_message="Un refus est daté et motivé.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="terminee") | Q(decision_le__isnull=False),
                name="prescription_terminee_datee",
            ),
            models.CheckConstraint(
                condition=Q(pris_le__isnull=True) | Q(pris_par__isnull=False),
                name="prescription_prise_par",
            ),
            models.CheckConstraint(
                condition=Q(designe_le__isnull=True)
                | (Q(designe_par__isnull=False) & Q(travailleur_social__isnull=False)),
                name="prescription_designation_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["statut", "prescrite_le"]),
            models.Index(fields=["prescripteur", "repondue_le"]),
        ]

    def __str__(self) -> str:
        return f"Demande d'entrée en {self.get_axe_display()} ({self.get_statut_display()})"

    @property
    def en_cours(self) -> bool:
        return self.statut in STATUTS_PRESCRIPTION_EN_COURS

    @property
    def est_reorientation(self) -> bool:
        return self.axe == Axe.SOCIAL_EXCLUSIF

    @property
    def anciennete_jours(self) -> int:
        return (timezone.localdate() - self.prescrite_le).days

    @property
    def en_retard(self) -> bool:
        return self.en_cours and self.anciennete_jours > DELAI_CIBLE_JOURS
