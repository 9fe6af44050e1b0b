"""Comités techniques : séances (département, territoire facultatif), participants,
points de l'ordre du jour et leurs décisions, signalements « à présenter en comité ».

Un point porte le dossier, le motif de son inscription (une des files de travail, ou un
signalement), l'avis du comité, la décision (appliquée au dossier par les services des
dossiers, voir comites/services.py), sa motivation et la prochaine étape."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.historique import suivre
from accompagnement.models import Departement, Institution, Membership, Structure
from dossiers.models import Axe, DemandeChangementAxe, Dossier, Prescription
from dossiers.models.historique import DEMANDEUR_DU_DOSSIER, DEPARTEMENT_DU_DOSSIER


class TypeSeance(models.TextChoices):
    ORIENTATIONS = (
        "orientations",
        "Comité technique des orientations professionnelles",
    )
    SUIVI = "suivi", "Comité de suivi des parcours"


class EtatSeance(models.TextChoices):
    PREPAREE = "preparee", "Préparée"
    ORDRE_DU_JOUR_ENVOYE = "ordre_du_jour_envoye", "Ordre du jour envoyé"
    TENUE = "tenue", "Tenue"
    COMPTE_RENDU_DIFFUSE = "compte_rendu_diffuse", "Compte rendu diffusé"


# L'ordre du jour se modifie tant que la séance n'est pas tenue.
ETATS_MODIFIABLES = (EtatSeance.PREPAREE, EtatSeance.ORDRE_DU_JOUR_ENVOYE)

# Un comité technique examine quelques dizaines de situations (docs/comites.md, décision
# 89) : « Composer l'ordre du jour depuis les files » ajoute au plus POINTS_PAR_COMPOSITION
# dossiers, les plus anciens d'abord ; recomposer ajoute les suivants tant que l'ordre du
# jour compte moins de PLAFOND_POINTS_SEANCE points (les points ajoutés à la main comptent,
# mais l'ajout à la main, dossier par dossier, n'est pas plafonné). Le reste attend dans
# les files une prochaine séance.
POINTS_PAR_COMPOSITION = 30
PLAFOND_POINTS_SEANCE = 60


class SeanceQuerySet(models.QuerySet):
    def du_departement(self, departement) -> SeanceQuerySet:
        return self.filter(departement=departement)


class Seance(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="seances", verbose_name="département"
    )
    territoire = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seances",
        verbose_name="territoire",
        limit_choices_to={"type": "territoire_social"},
        help_text="Vide : séance départementale (tous les territoires).",
    )
    type = models.CharField(max_length=20, choices=TypeSeance.choices)
    debut = models.DateTimeField("date et heure")
    lieu = models.CharField(max_length=200)
    etat = models.CharField(
        "état", max_length=24, choices=EtatSeance.choices, default=EtatSeance.PREPAREE
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now, editable=False)
    ordre_du_jour_envoye_le = models.DateTimeField(null=True, blank=True, editable=False)
    tenue_le = models.DateTimeField(null=True, blank=True, editable=False)
    compte_rendu_diffuse_le = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SeanceQuerySet.as_manager()

    class Meta:
        ordering = ["-debut", "-pk"]
        verbose_name = "séance de comité technique"
        verbose_name_plural = "séances de comité technique (calendrier)"
        indexes = [models.Index(fields=["departement", "-debut"])]

    def __str__(self) -> str:
        debut = timezone.localtime(self.debut)
        return f"{self.get_type_display()} du {debut:%d/%m/%Y à %H:%M}"

    @property
    def modifiable(self) -> bool:
        return self.etat in ETATS_MODIFIABLES


class Participant(models.Model):
    """Un professionnel de l'outil (son rattachement) ou une personne extérieure (nom et
    institution saisis)."""

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name="professionnel",
    )
    nom = models.CharField(max_length=200, blank=True, help_text="Pour un participant extérieur.")
    institution = models.CharField(max_length=20, choices=Institution.choices)
    present = models.BooleanField("présent", null=True, blank=True)

    class Meta:
        ordering = ["institution", "nom", "pk"]
        verbose_name = "participant"
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False) | ~Q(nom=""),
                name="participant_identifie",
                violation_error_message="Un participant extérieur a un nom.",
            ),
            models.UniqueConstraint(
                fields=["seance", "membership"],
                name="participant_unique_par_seance",
                violation_error_message="Ce professionnel participe déjà à la séance.",
            ),
        ]

    def __str__(self) -> str:
        if self.membership_id:
            return f"{self.membership.user} ({self.membership.structure})"
        return f"{self.nom} ({self.get_institution_display()})"


class MotifSignalement(models.TextChoices):
    SORTIE = "sortie", "Sortie à valider"
    SITUATION = "situation", "Situation à présenter"


class Signalement(models.Model):
    """« À présenter en comité » : un professionnel signale un dossier avec une raison.
    Traité quand un point d'une séance le reprend."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="signalements")
    motif = models.CharField(max_length=12, choices=MotifSignalement.choices)
    raison = models.TextField()
    reserve_social = models.BooleanField(
        "réservé au côté social",
        default=False,
        help_text="La raison n'est lue que par les professionnels du côté social.",
    )
    signale_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signale_le = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signale_le", "-pk"]
        verbose_name = "signalement « à présenter en comité »"
        constraints = [models.CheckConstraint(condition=~Q(raison=""), name="signalement_raison")]

    def __str__(self) -> str:
        return f"{self.get_motif_display()} — {self.dossier.demandeur}"


class MotifInscription(models.TextChoices):
    PRESCRIPTION = "prescription", "Demande d'entrée en attente"
    CHANGEMENT_AXE = "changement_axe", "Changement d'axe en attente"
    RENOUVELLEMENT = "renouvellement", "Renouvellement à 12 mois dû"
    SORTIE = "sortie", "Sortie à valider"
    SIGNALEMENT = "signalement", "Situation signalée « à présenter en comité »"
    AUTRE = "autre", "Ajouté par l'animatrice"


class TypeDecision(models.TextChoices):
    ACCEPTER_CHANGEMENT = "accepter_changement", "Accepter le changement d'axe"
    REFUSER_CHANGEMENT = "refuser_changement", "Refuser le changement d'axe"
    ORIENTER = "orienter", "Orienter (entrée sur un axe)"
    RENOUVELER = "renouveler", "Renouveler l'accompagnement"
    CLOTURER = "cloturer", "Valider la sortie (clôture du dossier)"
    AFFECTER = "affecter", "Confier une place (binôme, référent)"
    AJOURNER = "ajourner", "Ajourner (rien ne change dans le dossier)"


class Point(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="points")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="points_comite")
    ordre = models.PositiveIntegerField(default=0)
    motif = models.CharField("motif d'inscription", max_length=20, choices=MotifInscription.choices)
    prescription = models.ForeignKey(
        Prescription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    demande = models.ForeignKey(
        DemandeChangementAxe,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demande de changement d'axe",
    )
    signalement = models.ForeignKey(
        Signalement, on_delete=models.SET_NULL, null=True, blank=True, related_name="points"
    )
    orientation_demandee = models.CharField(
        "orientation demandée", max_length=1, choices=Axe.choices, blank=True
    )
    avis = models.TextField("avis du comité", blank=True)
    decision = models.CharField("décision", max_length=24, choices=TypeDecision.choices, blank=True)
    orientation_decidee = models.CharField(
        "orientation décidée", max_length=1, choices=Axe.choices, blank=True
    )
    motivation = models.TextField(blank=True)
    prochaine_etape = models.CharField("prochaine étape", max_length=300, blank=True)
    echeance = models.DateField("échéance", null=True, blank=True)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decide_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seance", "ordre", "pk"]
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "dossier"],
                name="point_un_par_dossier_et_seance",
                violation_error_message="Ce dossier est déjà à l'ordre du jour de la séance.",
            ),
            models.CheckConstraint(
                condition=Q(decision="", decide_le__isnull=True)
                | (~Q(decision="") & Q(decide_le__isnull=False) & ~Q(motivation="")),
                name="point_decision_motivee",
                violation_error_message="Une décision est datée et motivée.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_motif_display()} — {self.dossier.demandeur}"

    @property
    def decide(self) -> bool:
        return bool(self.decision)


# --- Historique des écritures (décision 27) --------------------------------------------------
# Les points et les signalements parlent d'une personne : une table par modèle, remplie par
# déclencheurs, rattachée au département et à la personne du dossier.
PointHistorique = suivre(
    Point,
    departement=DEPARTEMENT_DU_DOSSIER,
    demandeur=DEMANDEUR_DU_DOSSIER,
    masquer=("avis", "motivation", "prochaine_etape"),
)
SignalementHistorique = suivre(
    Signalement,
    departement=DEPARTEMENT_DU_DOSSIER,
    demandeur=DEMANDEUR_DU_DOSSIER,
    masquer=("raison",),
)
