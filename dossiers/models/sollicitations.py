"""Axe 1 : sollicitation d'un service de la base de ressources sociales pour une personne,
directement (le partenaire répond par un lien signé) ou via le correspondant insertion du
territoire. Écritures : dossiers/sollicitations/services.py."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.models import Role
from accompagnement.referentiels import DomaineFrein
from dossiers.models.parcours import Dossier

# Axe 1 : sollicitation d'un service de la base de ressources sociales pour une personne,
# directement (le partenaire répond par un lien signé) ou via le correspondant insertion du
# territoire. Les écritures sont dans dossiers/sollicitations.py (services).


class StatutSollicitation(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    ENVOYEE = "envoyee", "Envoyée"
    A_L_ETUDE = "a_l_etude", "À l'étude"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"
    REALISEE = "realisee", "Réalisée"
    EXPIREE = "expiree", "Expirée"


# Transitions permises ; toute autre est refusée par les services (ErreurMetier).
TRANSITIONS_SOLLICITATION = {
    StatutSollicitation.BROUILLON: {StatutSollicitation.ENVOYEE},
    StatutSollicitation.ENVOYEE: {
        StatutSollicitation.A_L_ETUDE,
        StatutSollicitation.ACCEPTEE,
        StatutSollicitation.REFUSEE,
        StatutSollicitation.EXPIREE,
    },
    StatutSollicitation.A_L_ETUDE: {
        StatutSollicitation.ACCEPTEE,
        StatutSollicitation.REFUSEE,
        StatutSollicitation.EXPIREE,
    },
    StatutSollicitation.ACCEPTEE: {StatutSollicitation.REALISEE},
    StatutSollicitation.REFUSEE: set(),
    StatutSollicitation.REALISEE: set(),
    StatutSollicitation.EXPIREE: set(),
}
# En attente d'une réponse : relançables, et expirées à l'échéance.
STATUTS_EN_ATTENTE = (StatutSollicitation.ENVOYEE, StatutSollicitation.A_L_ETUDE)


class ModeSollicitation(models.TextChoices):
    DIRECT = "direct", "Directement auprès du service"
    CORRESPONDANT = "correspondant", "Via le correspondant insertion du territoire"


class PreferenceContact(models.TextChoices):
    TELEPHONE = "telephone", "Par téléphone"
    COURRIEL = "courriel", "Par courriel"
    COURRIER = "courrier", "Par courrier"
    PROFESSIONNEL = "professionnel", "Par l'intermédiaire du professionnel qui sollicite"


class SollicitationQuerySet(models.QuerySet):
    def pour_affichage(self):
        """Tout ce qu'une ligne de sollicitation affiche, en une requête."""
        return self.select_related(
            "dossier__demandeur",
            "dossier__territoire",
            "service__structure",
            "correspondant__user",
            "correspondant__structure",
            "auteur",
            "repondu_par",
        )

    def du_departement(self, departement) -> SollicitationQuerySet:
        return self.filter(dossier__departement=departement)

    def en_attente(self) -> SollicitationQuerySet:
        return self.filter(statut__in=STATUTS_EN_ATTENTE)

    def visibles_par(self, membership) -> SollicitationQuerySet:
        """Les sollicitations que `dossiers.sollicitations.perms.peut_voir_sollicitation`
        laisse lire, clause pour clause : celles des dossiers vus en entier (la fiche ne
        montre les sollicitations qu'à l'accès complet), plus celles adressées au
        territoire du correspondant (même si le dossier a changé de territoire depuis)."""
        if membership is None:
            return self.none()
        qs = self.filter(dossier__departement_id=membership.structure.departement_id)
        if membership.role == Role.ANIMATRICE:
            return qs
        dossiers = Dossier.objects.visibles_en_entier_par(membership).values("pk")
        condition = Q(dossier__in=dossiers)
        if membership.role == Role.CORRESPONDANT_INSERTION:
            condition |= Q(correspondant__structure_id=membership.structure_id)
        return qs.filter(condition)


class Sollicitation(models.Model):
    """Une demande faite à un service de la base de ressources sociales pour la personne
    d'un dossier. Le besoin est un texte court, sans détail de santé."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sollicitations")
    service = models.ForeignKey(
        "conventions.ServiceRessource", on_delete=models.PROTECT, related_name="sollicitations"
    )
    domaine = models.CharField("domaine de frein visé", max_length=30, choices=DomaineFrein.choices)
    besoin = models.CharField(
        "besoin exprimé",
        max_length=500,
        help_text="Quelques mots sur ce que la personne attend du service, sans détail de santé.",
    )
    preference_contact = models.CharField(
        "préférence de contact de la personne",
        max_length=20,
        choices=PreferenceContact.choices,
        default=PreferenceContact.TELEPHONE,
    )
    coordonnees_contact = models.CharField(
        "coordonnées et disponibilités à transmettre",
        max_length=200,
        blank=True,
        help_text="Avec l'accord de la personne (ex. : 06 12 34 56 78, plutôt le matin).",
    )
    mode = models.CharField(max_length=20, choices=ModeSollicitation.choices)
    correspondant = models.ForeignKey(
        "accompagnement.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sollicitations_adressees",
        verbose_name="correspondant insertion",
    )
    statut = models.CharField(
        max_length=12, choices=StatutSollicitation.choices, default=StatutSollicitation.BROUILLON
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sollicitations"
    )
    cree_le = models.DateTimeField("créée le", default=timezone.now)
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)
    etude_le = models.DateTimeField("prise à l'étude le", null=True, blank=True)
    acceptee_le = models.DateTimeField("acceptée le", null=True, blank=True)
    refusee_le = models.DateTimeField("refusée le", null=True, blank=True)
    realisee_le = models.DateTimeField("réalisée le", null=True, blank=True)
    expiree_le = models.DateTimeField("expirée le", null=True, blank=True)
    # Délai de réponse (jours) retenu à l'envoi, échéance et relance automatique à mi-délai.
    delai_jours = models.PositiveSmallIntegerField("délai de réponse (jours)", default=15)
    echeance = models.DateTimeField("sans réponse, expire le", null=True, blank=True)
    relance_prevue_le = models.DateTimeField(null=True, blank=True, editable=False)
    relances = models.PositiveSmallIntegerField("nombre de relances", default=0)
    derniere_relance_le = models.DateTimeField("dernière relance", null=True, blank=True)
    repondu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réponse enregistrée par",
        help_text="Vide quand le partenaire a répondu par le lien reçu par courriel.",
    )
    reponse_par_lien = models.BooleanField("réponse du partenaire par le lien", default=False)
    precisions_reponse = models.CharField("précisions", max_length=500, blank=True)
    motif_refus = models.CharField("motif du refus", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SollicitationQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "sollicitation"
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=StatutSollicitation.values),
                name="sollicitation_statut_valide",
                violation_error_message="Statut de sollicitation inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=ModeSollicitation.values),
                name="sollicitation_mode_valide",
            ),
            models.CheckConstraint(
                condition=Q(preference_contact__in=PreferenceContact.values),
                name="sollicitation_preference_valide",
            ),
            models.CheckConstraint(
                condition=Q(domaine__in=DomaineFrein.values),
                name="sollicitation_domaine_valide",
                violation_error_message="Domaine de frein inconnu.",
            ),
            models.CheckConstraint(
                condition=(Q(mode="correspondant") & Q(correspondant__isnull=False))
                | (Q(mode="direct") & Q(correspondant__isnull=True)),
                name="sollicitation_correspondant_si_mode",
                violation_error_message=(
                    "Une sollicitation via le correspondant désigne ce correspondant, et elle seule."
                ),
            ),
            models.CheckConstraint(
                condition=Q(statut="brouillon")
                | (Q(envoyee_le__isnull=False) & Q(echeance__isnull=False)),
                name="sollicitation_envoi_date",
                violation_error_message="Une sollicitation envoyée a une date d'envoi et une échéance.",
            ),
            models.CheckConstraint(
                condition=(Q(statut="refusee") & Q(refusee_le__isnull=False) & ~Q(motif_refus=""))
                | (~Q(statut="refusee") & Q(refusee_le__isnull=True) & Q(motif_refus="")),
                name="sollicitation_refus_motive",
                violation_error_message="Un refus est daté et motivé, et seul un refus a un motif.",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["acceptee", "realisee"]) | Q(acceptee_le__isnull=False),
                name="sollicitation_acceptation_datee",
            ),
            models.CheckConstraint(
                condition=~Q(statut="realisee") | Q(realisee_le__isnull=False),
                name="sollicitation_realisation_datee",
            ),
            models.CheckConstraint(
                condition=~Q(statut="expiree") | Q(expiree_le__isnull=False),
                name="sollicitation_expiration_datee",
            ),
            models.CheckConstraint(
                condition=Q(delai_jours__gte=1), name="sollicitation_delai_positif"
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "-cree_le"]),
            models.Index(fields=["statut", "echeance"]),
            models.Index(fields=["statut", "relance_prevue_le"]),
            models.Index(fields=["correspondant", "statut"]),
            models.Index(fields=["service", "envoyee_le"]),
        ]

    def __str__(self) -> str:
        return f"Sollicitation de {self.service} ({self.get_statut_display()})"

    @property
    def en_attente(self) -> bool:
        return self.statut in STATUTS_EN_ATTENTE

    @property
    def date_reponse(self):
        return self.acceptee_le or self.refusee_le

    @property
    def relancable(self) -> bool:
        """En attente, et ni envoyée ni relancée aujourd'hui (une relance manuelle par jour,
        pas le jour même de l'envoi)."""
        if not self.en_attente:
            return False
        dernier_contact = max(d for d in (self.envoyee_le, self.derniere_relance_le) if d)
        return timezone.localdate(dernier_contact) < timezone.localdate()
