"""Journal du dossier : chronologie des événements, écrite par les services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.perms import est_cote_social
from dossiers.models.parcours import Dossier


class TypeEvenement(models.TextChoices):
    OUVERTURE = "ouverture", "Ouverture du dossier"
    FICHE = "fiche", "Fiche de la personne"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    ORIENTATION = "orientation", "Orientation"
    CHANGEMENT_AXE = "changement_axe", "Changement d'axe"
    AFFECTATION = "affectation", "Affectation"
    ACTION = "action", "Plan d'action"
    RENDEZ_VOUS = "rendez_vous", "Rendez-vous"
    NOTE = "note", "Note"
    DOCUMENT = "document", "Document"
    SOLLICITATION = "sollicitation", "Sollicitation"
    CLOTURE = "cloture", "Clôture"


class Visibilite(models.TextChoices):
    PARTAGEE = "partagee", "Partagée (binôme et coordination)"
    SOCIALE = "sociale", "Sociale (professionnels du côté social)"


class EvenementJournalQuerySet(models.QuerySet):
    def lisibles_par(self, membership) -> EvenementJournalQuerySet:
        """La règle de lecture du journal (il n'a pas de fonction de droit à lui : la fiche
        et la page du journal lisent ce queryset) : les événements des dossiers que le
        rattachement voit en entier (`niveau_acces` COMPLET) ; les « sociaux » pour le seul
        côté social, jamais pour les rôles France Travail ni pour l'animatrice."""
        if membership is None:
            return self.none()
        qs = self.filter(dossier__in=Dossier.objects.visibles_en_entier_par(membership))
        if est_cote_social(membership):
            return qs
        return qs.exclude(visibilite=Visibilite.SOCIALE)


class EvenementJournal(models.Model):
    """La chronologie d'un dossier, écrite par les services dans la même transaction que
    l'événement. Le résumé ne porte jamais de détail de santé."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="journal")
    type = models.CharField(max_length=20, choices=TypeEvenement.choices)
    horodatage = models.DateTimeField(default=timezone.now)
    date_effet = models.DateField("date de l'événement", default=timezone.localdate)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resume = models.CharField("résumé", max_length=300)
    visibilite = models.CharField(
        max_length=10, choices=Visibilite.choices, default=Visibilite.PARTAGEE
    )
    objet_type = models.CharField(max_length=60, blank=True)
    objet_id = models.CharField(max_length=64, blank=True)

    objects = EvenementJournalQuerySet.as_manager()

    class Meta:
        ordering = ["-horodatage", "-pk"]
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des dossiers"
        indexes = [
            models.Index(fields=["dossier", "-horodatage"]),
            models.Index(fields=["dossier", "type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=TypeEvenement.values), name="journal_type_valide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.get_type_display()} — {self.resume}"
