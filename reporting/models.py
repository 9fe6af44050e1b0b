"""Indicateurs et documents de synthèse. Le bilan d'un parcours rassemble ce que l'outil
sait déjà (périodes, freins, actions) ; les professionnels y ajoutent leur conclusion."""

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.historique import suivre
from accompagnement.models import Departement, Structure
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


class NiveauPerimetre(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    TERRITOIRE = "territoire", "Territoire"
    AGENCE = "agence", "Agence"


class RapportMensuelQuerySet(models.QuerySet):
    def courants(self) -> "RapportMensuelQuerySet":
        """La dernière version de chaque périmètre et mois."""
        return self.order_by("cle_perimetre", "mois", "-version").distinct("cle_perimetre", "mois")


class EcritureUnique(pgtrigger.Trigger):
    """Un rapport figé ne change jamais : toute modification ou suppression est refusée
    par la base (une régénération ajoute une version)."""

    when = pgtrigger.Before
    level = pgtrigger.Row
    operation = pgtrigger.Update | pgtrigger.Delete
    func = (
        "RAISE EXCEPTION 'Rapport mensuel figé : % refusé (régénérez une nouvelle version)',"
        " TG_OP USING ERRCODE = 'insufficient_privilege';"
    )


class RapportMensuel(models.Model):
    """Les chiffres figés d'un mois pour un périmètre (département, territoire ou agence),
    une ligne par périmètre × mois × version, écrite une fois (décision 45). Les chiffres
    (avec le libellé, la définition et l'unité de chaque indicateur au moment du calcul) et
    le PDF sont stockés : ni une modification d'un dossier ni une purge ne les change."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Territoire ou agence ; vide pour le département entier.",
    )
    niveau = models.CharField(max_length=12, choices=NiveauPerimetre.choices)
    cle_perimetre = models.CharField(max_length=40, editable=False)
    mois = models.DateField(help_text="Premier jour du mois.")
    version = models.PositiveSmallIntegerField(default=1)
    motif = models.CharField(
        "motif de la régénération", max_length=500, blank=True, help_text="Vide en version 1."
    )
    chiffres = models.JSONField()
    pdf = models.BinaryField("rapport PDF", editable=False)
    genere_le = models.DateTimeField("généré le", default=timezone.now)
    genere_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="régénéré par",
    )
    duree_calcul_ms = models.PositiveIntegerField(default=0)

    objects = RapportMensuelQuerySet.as_manager()

    class Meta:
        ordering = ["-mois", "niveau", "cle_perimetre", "-version"]
        verbose_name = "rapport mensuel"
        verbose_name_plural = "rapports mensuels"
        constraints = [
            models.UniqueConstraint(
                fields=["cle_perimetre", "mois", "version"],
                name="rapport_mensuel_unique_par_version",
                violation_error_message="Ce rapport est déjà enregistré pour ce mois et cette version.",
            ),
            models.CheckConstraint(
                condition=Q(version=1, motif="") | (Q(version__gt=1) & ~Q(motif="")),
                name="rapport_mensuel_regeneration_motivee",
                violation_error_message="Une régénération (version 2 et suivantes) est motivée.",
            ),
            models.CheckConstraint(
                condition=Q(niveau="departement", structure__isnull=True)
                | (~Q(niveau="departement") & Q(structure__isnull=False)),
                name="rapport_mensuel_perimetre_coherent",
            ),
        ]
        indexes = [models.Index(fields=["departement", "mois"])]
        triggers = [EcritureUnique(name="rapport_mensuel_ecriture_unique")]

    def __str__(self) -> str:
        return f"Rapport {self.mois:%m/%Y} — {self.libelle_perimetre} (version {self.version})"

    @staticmethod
    def cle_de(departement_id: int, structure_id: int | None) -> str:
        return f"dep-{departement_id}" + (f"-s-{structure_id}" if structure_id else "")

    @property
    def libelle_perimetre(self) -> str:
        return self.chiffres.get("perimetre", {}).get("libelle", "")


class EtatExport(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Prêt"
    ECHEC = "echec", "Échec"


class ExportDiffereQuerySet(models.QuerySet):
    def du_demandeur(self, user) -> "ExportDiffereQuerySet":
        """Les exports de ce compte seulement : aucun autre rôle, pas même l'animatrice
        qui ne les a pas demandés, ne les voit (404)."""
        return self.filter(demandeur=user)

    def expires(self, maintenant=None) -> "ExportDiffereQuerySet":
        return self.filter(expire_le__lte=maintenant or timezone.now())


class ExportDiffere(models.Model):
    """Un gros export de liste (au-delà de REPORTING_SEUIL_EXPORT_DIFFERE lignes) produit
    par une tâche Celery, avec sa progression ; le fichier est gardé
    REPORTING_EXPORT_CONSERVATION_JOURS jours pour le seul demandeur puis supprimé par la
    tâche quotidienne (décision 46)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    membership = models.ForeignKey(
        "accompagnement.Membership", on_delete=models.CASCADE, related_name="+"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="+", verbose_name="département"
    )
    indicateur = models.CharField(max_length=60)
    filtres = models.CharField(
        max_length=300, blank=True, help_text="Filtres de la liste (chaîne de requête)."
    )
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    nominatif = models.BooleanField(default=False)
    etat = models.CharField(
        max_length=12, choices=EtatExport.choices, default=EtatExport.EN_ATTENTE
    )
    lignes_total = models.PositiveIntegerField(default=0)
    lignes_ecrites = models.PositiveIntegerField(default=0)
    fichier = models.BinaryField(null=True, editable=False)
    taille = models.PositiveIntegerField(default=0)
    erreur = models.CharField(max_length=300, blank=True)
    cree_le = models.DateTimeField("demandé le", default=timezone.now)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    expire_le = models.DateTimeField("supprimé le", db_index=True)

    objects = ExportDiffereQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "export différé"
        verbose_name_plural = "exports différés"

    def __str__(self) -> str:
        return f"Export {self.indicateur} ({self.get_format_display()}) — {self.get_etat_display()}"

    @property
    def progression(self) -> int:
        """Pourcentage de lignes écrites (100 une fois le fichier prêt)."""
        if self.etat == EtatExport.TERMINE:
            return 100
        if not self.lignes_total:
            return 0
        return min(99, 100 * self.lignes_ecrites // self.lignes_total)

    @property
    def fini(self) -> bool:
        return self.etat in (EtatExport.TERMINE, EtatExport.ECHEC)


# --- Synthèse PDF d'une convention (docs/conventions.md, décision 61) -----------------------


class EtatSynthese(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    PRETE = "prete", "Prête"
    ECHEC = "echec", "Échec"


ETATS_EN_COURS = (EtatSynthese.EN_ATTENTE, EtatSynthese.EN_COURS)


class SyntheseConventionQuerySet(models.QuerySet):
    def de_la_convention(self, convention) -> "SyntheseConventionQuerySet":
        return self.filter(convention=convention).order_by("-version")

    def en_cours(self) -> "SyntheseConventionQuerySet":
        return self.filter(etat__in=ETATS_EN_COURS)


class SyntheseConvention(models.Model):
    """Une version de la synthèse PDF d'une convention : le texte en vigueur et le réalisé à
    la date de référence, produite par la tâche `generer_synthese_convention`. Le fichier
    est rangé par le stockage des documents (MEDIA_ROOT/syntheses/<département>/<uuid>,
    servi par la seule vue de téléchargement) ; une régénération ajoute une version, les
    précédentes restent téléchargeables."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.PROTECT, related_name="syntheses"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    version = models.PositiveSmallIntegerField()
    etat = models.CharField(
        "état", max_length=12, choices=EtatSynthese.choices, default=EtatSynthese.EN_ATTENTE
    )
    date_reference = models.DateField("chiffres arrêtés au")
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandée par",
    )
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    genere_le = models.DateTimeField("générée le", null=True, blank=True)
    chiffres = models.JSONField(default=dict, blank=True)
    chemin = models.CharField(max_length=200, blank=True, editable=False)
    taille = models.PositiveIntegerField(default=0)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    erreur = models.CharField(max_length=300, blank=True)
    duree_ms = models.PositiveIntegerField("durée de production (ms)", default=0)

    objects = SyntheseConventionQuerySet.as_manager()

    class Meta:
        ordering = ["convention", "-version"]
        verbose_name = "synthèse de convention"
        verbose_name_plural = "synthèses de convention"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "version"],
                name="synthese_unique_par_version",
                violation_error_message="Cette version de la synthèse existe déjà.",
            ),
            # Deux demandes pendant qu'une génération tourne : une seule génération.
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(etat__in=["en_attente", "en_cours"]),
                name="synthese_une_generation_a_la_fois",
                violation_error_message="Une synthèse de cette convention est déjà en cours.",
            ),
            models.CheckConstraint(
                condition=~Q(etat="prete") | (~Q(chemin="") & Q(taille__gt=0)),
                name="synthese_prete_avec_fichier",
                violation_error_message="Une synthèse prête a son fichier.",
            ),
        ]

    def __str__(self) -> str:
        return f"Synthèse de « {self.convention} » (version {self.version})"

    @property
    def fini(self) -> bool:
        return self.etat in (EtatSynthese.PRETE, EtatSynthese.ECHEC)

    @property
    def nom_de_fichier(self) -> str:
        return f"synthese-convention-{self.date_reference:%Y-%m-%d}-v{self.version}.pdf"
