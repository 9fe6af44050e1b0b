"""Demandeurs, dossiers, périodes d'orientation sur les axes, demandes de changement
d'axe et affectations des professionnels (binôme, référents)."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accompagnement.models import Departement, Role, Structure
from accompagnement.texte import normaliser


class Civilite(models.TextChoices):
    MADAME = "mme", "Madame"
    MONSIEUR = "m", "Monsieur"


class Indemnisation(models.TextChoices):
    ARE = "are", "ARE (allocation d'aide au retour à l'emploi)"
    ASS = "ass", "ASS (allocation de solidarité spécifique)"
    AUCUNE = "aucune", "Aucune"


class NiveauQualification(models.TextChoices):
    # Nomenclature des niveaux de diplôme (cadre national des certifications, 2019).
    SANS = "sans", "Sans diplôme"
    NIVEAU_3 = "3", "Niveau 3 (CAP, BEP)"
    NIVEAU_4 = "4", "Niveau 4 (baccalauréat)"
    NIVEAU_5 = "5", "Niveau 5 (bac + 2)"
    NIVEAU_6 = "6", "Niveau 6 (bac + 3 ou 4)"
    NIVEAU_7 = "7", "Niveau 7 (bac + 5)"
    NIVEAU_8 = "8", "Niveau 8 (doctorat)"


valider_identifiant_ft = RegexValidator(
    r"^\d{7}[0-9A-Z]$",
    "L'identifiant France Travail compte 8 caractères : 7 chiffres puis un chiffre ou une "
    "lettre majuscule (ex. 1234567A).",
)
valider_code_postal = RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres (ex. 25000).")
valider_code_commune = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", "Le code INSEE de la commune compte 5 caractères (ex. 25056)."
)
valider_numero_caf = RegexValidator(r"^\d{7}$", "Le numéro d'allocataire CAF compte 7 chiffres.")


class DemandeurQuerySet(models.QuerySet):
    def du_departement(self, departement) -> "DemandeurQuerySet":
        return self.filter(departement=departement)


class Demandeur(models.Model):
    """La personne accompagnée. Une fiche par personne et par département."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="demandeurs", verbose_name="département"
    )
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices)
    nom = models.CharField("nom d'usage", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    date_naissance = models.DateField("date de naissance")
    email = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    adresse = models.CharField(max_length=255, blank=True)
    code_postal = models.CharField(max_length=5, blank=True, validators=[valider_code_postal])
    commune = models.CharField(max_length=100, blank=True)
    code_commune = models.CharField(
        "code INSEE de la commune", max_length=5, blank=True, validators=[valider_code_commune]
    )
    identifiant_ft = models.CharField(
        "identifiant France Travail", max_length=8, blank=True, validators=[valider_identifiant_ft]
    )
    rsa_allocataire = models.BooleanField("allocataire du RSA", default=False)
    numero_caf = models.CharField(
        "n° allocataire CAF", max_length=7, blank=True, validators=[valider_numero_caf]
    )
    rsa_date_ouverture = models.DateField("ouverture du droit RSA", null=True, blank=True)
    rsa_droits_devoirs = models.BooleanField("soumis aux droits et devoirs", default=False)
    indemnisation = models.CharField(
        max_length=10, choices=Indemnisation.choices, default=Indemnisation.AUCUNE
    )
    niveau_qualification = models.CharField(
        "niveau de qualification", max_length=5, choices=NiveauQualification.choices, blank=True
    )
    rqth = models.BooleanField(
        "RQTH", default=False, help_text="Reconnaissance de la qualité de travailleur handicapé"
    )
    residant_qpv = models.BooleanField("résident QPV", default=False)
    agence = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandeurs",
        verbose_name="agence de rattachement",
        limit_choices_to={"type": "agence_ft"},
    )
    # Colonnes dérivées (normalisées en Python : ni unaccent ni pg_trgm sur la base embarquée).
    cle_identite = models.CharField(max_length=250, editable=False)
    texte_recherche = models.CharField(max_length=400, editable=False, default="")
    recherche = models.GeneratedField(
        expression=SearchVector("texte_recherche", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    objects = DemandeurQuerySet.as_manager()

    class Meta:
        ordering = ["nom", "prenom"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "identifiant_ft"],
                condition=~Q(identifiant_ft=""),
                name="demandeur_identifiant_ft_unique",
                violation_error_message="Une personne porte déjà cet identifiant France Travail.",
            ),
            models.UniqueConstraint(
                fields=["departement", "cle_identite"],
                name="demandeur_identite_unique",
                violation_error_message=(
                    "Une personne de même nom, prénom et date de naissance existe déjà."
                ),
            ),
        ]
        indexes = [
            GinIndex(fields=["recherche"], name="demandeur_recherche_gin"),
            models.Index(fields=["departement", "agence"]),
            models.Index(fields=["departement", "rsa_allocataire"]),
        ]

    def __str__(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"

    def save(self, *args, **kwargs):
        self.preparer()
        super().save(*args, **kwargs)

    @staticmethod
    def calculer_cle_identite(nom: str, prenom: str, date_naissance) -> str:
        return f"{normaliser(nom)}|{normaliser(prenom)}|{date_naissance:%Y-%m-%d}"

    def preparer(self) -> "Demandeur":
        """Calcule les colonnes dérivées (normalisation Python). Appelé par save() et par
        les écritures en masse (bulk_create/bulk_update), qui ne passent pas par save()."""
        self.identifiant_ft = (self.identifiant_ft or "").strip().upper()
        self.cle_identite = self.calculer_cle_identite(self.nom, self.prenom, self.date_naissance)
        morceaux = [self.nom, self.prenom, self.nom_naissance, self.identifiant_ft]
        self.texte_recherche = normaliser(" ".join(m for m in morceaux if m))[:400]
        return self

    @property
    def nom_complet(self) -> str:
        return f"{self.get_civilite_display()} {self.prenom} {self.nom.upper()}"


class Axe(models.TextChoices):
    RESSOURCES_SOCIALES = "1", "Axe 1 — ressources sociales"
    ACCOMPAGNEMENT_GLOBAL = "2", "Axe 2 — accompagnement global"
    SOCIAL_EXCLUSIF = "3", "Axe 3 — suivi social exclusif"


class StatutDossier(models.TextChoices):
    A_ORIENTER = "a_orienter", "À orienter"
    DIAGNOSTIC = "diagnostic", "Diagnostic en cours"
    ACCOMPAGNEMENT = "accompagnement", "En accompagnement"
    CLOS = "clos", "Clos"


# Transitions permises : toute autre est refusée par les services avec un message clair.
TRANSITIONS = {
    StatutDossier.A_ORIENTER: {
        StatutDossier.DIAGNOSTIC,
        StatutDossier.ACCOMPAGNEMENT,
        StatutDossier.CLOS,
    },
    StatutDossier.DIAGNOSTIC: {StatutDossier.ACCOMPAGNEMENT, StatutDossier.CLOS},
    StatutDossier.ACCOMPAGNEMENT: {StatutDossier.CLOS},
    StatutDossier.CLOS: set(),
}


class Origine(models.TextChoices):
    CONSEILLER_FT = "conseiller_ft", "Conseiller France Travail"
    TRAVAILLEUR_SOCIAL = "travailleur_social", "Travailleur social"
    AUTRE = "autre", "Autre"


class MotifSortie(models.TextChoices):
    EMPLOI_DURABLE = "emploi_durable", "Emploi durable (CDI, CDD ou intérim de 6 mois et plus)"
    EMPLOI_COURT = "emploi_court", "Emploi de moins de 6 mois"
    CREATION_ACTIVITE = "creation_activite", "Création d'activité"
    FORMATION_QUALIFIANTE = "formation_qualifiante", "Formation qualifiante"
    IAE = "iae", "Insertion par l'activité économique (IAE)"
    REORIENTATION_SOCIAL = "reorientation_social", "Réorientation vers un suivi social exclusif"
    REORIENTATION_FT = "reorientation_ft", "Réorientation vers une autre modalité France Travail"
    FIN_DUREE = "fin_duree", "Fin de durée sans solution"
    ABANDON = "abandon", "Abandon / non-adhésion"
    DEMENAGEMENT = "demenagement", "Déménagement"
    SORTIE_LISTES = "sortie_listes", "Sortie des listes"
    SANTE = "sante", "Santé / indisponibilité"
    DECES = "deces", "Décès"
    AUTRE = "autre", "Autre"


SORTIES_POSITIVES = frozenset(
    {
        MotifSortie.EMPLOI_DURABLE,
        MotifSortie.EMPLOI_COURT,
        MotifSortie.CREATION_ACTIVITE,
        MotifSortie.FORMATION_QUALIFIANTE,
        MotifSortie.IAE,
    }
)


class RoleAffectation(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller de l'agence (axe 1)"
    CONSEILLER_DEDIE = "conseiller_dedie", "Conseiller dédié — référent (axe 2)"
    TRAVAILLEUR_SOCIAL = "travailleur_social", "Travailleur social du binôme (axe 2)"
    REFERENT_SOCIAL = "referent_social", "Référent social (axe 3)"


# Quel rôle de rattachement peut tenir quelle place dans un dossier.
ROLES_POUR_AFFECTATION = {
    RoleAffectation.CONSEILLER: {Role.CONSEILLER, Role.CONSEILLER_DEDIE},
    RoleAffectation.CONSEILLER_DEDIE: {Role.CONSEILLER_DEDIE},
    RoleAffectation.TRAVAILLEUR_SOCIAL: {Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION},
    RoleAffectation.REFERENT_SOCIAL: {Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION},
}


class DossierQuerySet(models.QuerySet):
    def ouverts(self) -> "DossierQuerySet":
        return self.exclude(statut=StatutDossier.CLOS)

    def avec_affectation_ouverte(self, user, roles=None) -> "DossierQuerySet":
        sous = Affectation.objects.filter(
            dossier=OuterRef("pk"), professionnel=user, date_fin__isnull=True
        )
        if roles:
            sous = sous.filter(role__in=roles)
        return self.filter(Exists(sous))

    def sans_binome(self) -> "DossierQuerySet":
        """Dossiers ouverts à qui il manque le conseiller dédié ou le travailleur social."""

        def ouverte(role):
            return Exists(
                Affectation.objects.filter(dossier=OuterRef("pk"), role=role, date_fin__isnull=True)
            )

        return (
            self.ouverts()
            .exclude(axe_courant__in=[Axe.RESSOURCES_SOCIALES, Axe.SOCIAL_EXCLUSIF])
            .filter(
                ~ouverte(RoleAffectation.CONSEILLER_DEDIE)
                | ~ouverte(RoleAffectation.TRAVAILLEUR_SOCIAL)
            )
        )

    def inactifs_depuis(self, jours: int) -> "DossierQuerySet":
        return self.filter(derniere_activite__lt=timezone.now() - timezone.timedelta(days=jours))

    def visibles_par(self, membership) -> "DossierQuerySet":
        """Le périmètre de lecture d'un rattachement (voir docs/permissions.md). Le détail
        montré dans ce périmètre est décidé par dossiers.perms.niveau_acces()."""
        if membership is None:
            return self.none()
        structure = membership.structure
        qs = self.filter(departement_id=structure.departement_id)
        user = membership.user
        role = membership.role
        if role == Role.ANIMATRICE:
            return qs
        if role == Role.CONSEILLER:
            return qs.filter(Q(agence=structure) | Q(oriente_par=user))
        if role == Role.CONSEILLER_DEDIE:
            return qs.filter(
                Q(agence=structure)
                | Q(oriente_par=user)
                | Q(Exists(Affectation.objects.filter(dossier=OuterRef("pk"), professionnel=user)))
            )
        if role == Role.TRAVAILLEUR_SOCIAL:
            return qs.filter(
                Q(oriente_par=user)
                | Q(Exists(Affectation.objects.filter(dossier=OuterRef("pk"), professionnel=user)))
            )
        if role == Role.CORRESPONDANT_INSERTION:
            return qs.filter(
                Q(territoire=structure)
                | Q(oriente_par=user)
                | Q(Exists(Affectation.objects.filter(dossier=OuterRef("pk"), professionnel=user)))
            )
        return qs.none()  # administrateur : configuration, pas de dossiers (minimisation)


class Dossier(models.Model):
    """Un parcours d'une personne dans le dispositif. Un seul dossier ouvert par personne
    et par département ; rouvrir après clôture crée un nouveau dossier."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="dossiers", verbose_name="département"
    )
    demandeur = models.ForeignKey(Demandeur, on_delete=models.PROTECT, related_name="dossiers")
    statut = models.CharField(
        max_length=20, choices=StatutDossier.choices, default=StatutDossier.A_ORIENTER
    )
    # Pour un dossier clos : l'axe de sa dernière période (quel suivi il a eu).
    axe_courant = models.CharField(
        "axe en cours",
        max_length=1,
        choices=Axe.choices,
        blank=True,
        help_text="Copie de l'axe de la période ouverte, tenue par les services (filtres, index).",
    )
    origine = models.CharField("origine de l'orientation", max_length=20, choices=Origine.choices)
    oriente_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers_orientes",
        verbose_name="orienté par",
    )
    agence = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers_agence",
        limit_choices_to={"type": "agence_ft"},
    )
    territoire = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers_territoire",
        verbose_name="territoire d'action sociale",
        limit_choices_to={"type": "territoire_social"},
    )
    motif_orientation = models.TextField("motif de l'orientation", blank=True)
    date_orientation = models.DateField("orienté le", default=timezone.localdate)
    date_diagnostic = models.DateField("diagnostic commencé le", null=True, blank=True)
    date_entree = models.DateField("entré en accompagnement le", null=True, blank=True)
    date_cloture = models.DateField("clos le", null=True, blank=True)
    motif_sortie = models.CharField(max_length=30, choices=MotifSortie.choices, blank=True)
    commentaire_sortie = models.TextField(blank=True)
    derniere_activite = models.DateTimeField("dernière activité", default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-date_orientation", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["demandeur", "departement"],
                condition=~Q(statut="clos"),
                name="dossier_un_seul_ouvert",
                violation_error_message="Cette personne a déjà un dossier ouvert dans ce département.",
            ),
            models.CheckConstraint(
                condition=(Q(statut="clos") & ~Q(motif_sortie="") & Q(date_cloture__isnull=False))
                | (~Q(statut="clos") & Q(motif_sortie="") & Q(date_cloture__isnull=True)),
                name="dossier_cloture_coherente",
                violation_error_message="Un dossier clos a une date et un motif de sortie, et seulement lui.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutDossier.values),
                name="dossier_statut_valide",
            ),
            models.CheckConstraint(
                condition=Q(axe_courant__in=["", *Axe.values]),
                name="dossier_axe_valide",
            ),
        ]
        indexes = [
            models.Index(fields=["departement", "statut", "axe_courant"]),
            models.Index(fields=["departement", "agence"]),
            models.Index(fields=["departement", "territoire"]),
            models.Index(fields=["departement", "origine"]),
            models.Index(fields=["departement", "date_orientation"]),
            models.Index(fields=["departement", "derniere_activite"]),
            models.Index(fields=["oriente_par"]),
        ]

    def __str__(self) -> str:
        return f"Dossier de {self.demandeur} ({self.get_statut_display()})"

    @property
    def est_clos(self) -> bool:
        return self.statut == StatutDossier.CLOS


class PeriodeOrientation(models.Model):
    """Une période sur un axe. Les périodes d'un dossier ne se chevauchent jamais : une
    seule ouverte à la fois (contrainte), et le service refuse tout chevauchement daté."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="periodes")
    axe = models.CharField(max_length=1, choices=Axe.choices)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin", null=True, blank=True)
    motif = models.TextField("motif de la décision")
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="décidé par",
    )
    decide_le = models.DateTimeField(default=timezone.now)
    renouvellement = models.BooleanField("ouverte par un renouvellement", default=False)
    echeance_signalee_le = models.DateField(
        "échéance des 12 mois signalée le", null=True, blank=True, editable=False
    )
    # Participants de la décision conjointe.
    accord_personne = models.BooleanField("accord de la personne", default=False)
    conseiller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="conseiller participant",
    )
    professionnel_social = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="professionnel social participant",
    )

    class Meta:
        ordering = ["date_debut", "pk"]
        verbose_name = "période d'orientation"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(date_fin__isnull=True),
                name="periode_une_seule_ouverte",
                violation_error_message="Une période est déjà ouverte sur ce dossier.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="periode_dates_ordonnees",
                violation_error_message="La fin d'une période ne peut précéder son début.",
            ),
            models.CheckConstraint(condition=Q(axe__in=Axe.values), name="periode_axe_valide"),
        ]

    def __str__(self) -> str:
        return f"{self.get_axe_display()} depuis le {self.date_debut:%d/%m/%Y}"


class StatutDemande(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente de décision"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"


class DemandeChangementAxe(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="demandes_changement"
    )
    axe_demande = models.CharField("axe demandé", max_length=1, choices=Axe.choices)
    motif = models.TextField("motif de la demande")
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="demandé par",
    )
    demande_le = models.DateTimeField(default=timezone.now)
    statut = models.CharField(
        max_length=12, choices=StatutDemande.choices, default=StatutDemande.EN_ATTENTE
    )
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidé par",
    )
    decide_le = models.DateTimeField(null=True, blank=True)
    motif_decision = models.TextField("motif de la décision", blank=True)

    class Meta:
        ordering = ["-demande_le"]
        verbose_name = "demande de changement d'axe"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(statut="en_attente"),
                name="demande_une_seule_en_attente",
                violation_error_message="Une demande de changement d'axe attend déjà une décision.",
            ),
            models.CheckConstraint(
                condition=Q(statut="en_attente", decide_le__isnull=True)
                | (~Q(statut="en_attente") & Q(decide_le__isnull=False) & ~Q(motif_decision="")),
                name="demande_decision_motivee",
                violation_error_message="Une décision est datée et motivée.",
            ),
        ]

    def __str__(self) -> str:
        return f"Demande vers {self.get_axe_demande_display()} ({self.get_statut_display()})"


class AffectationQuerySet(models.QuerySet):
    def ouvertes(self) -> "AffectationQuerySet":
        return self.filter(date_fin__isnull=True)


class Affectation(models.Model):
    """Qui tient quelle place dans un dossier, de quand à quand, affecté par qui. Un relais
    ferme l'affectation en cours et en ouvre une nouvelle : l'historique reste."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="affectations")
    role = models.CharField("place", max_length=20, choices=RoleAffectation.choices)
    professionnel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="affectations"
    )
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    date_debut = models.DateField("depuis le", default=timezone.localdate)
    date_fin = models.DateField("jusqu'au", null=True, blank=True)
    affecte_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="affecté par",
    )
    motif_fin = models.CharField("motif de fin", max_length=255, blank=True)

    objects = AffectationQuerySet.as_manager()

    class Meta:
        ordering = ["date_debut", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "role"],
                condition=Q(date_fin__isnull=True),
                name="affectation_une_ouverte_par_place",
                violation_error_message="Cette place est déjà tenue sur ce dossier.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="affectation_dates_ordonnees",
            ),
            models.CheckConstraint(
                condition=Q(role__in=RoleAffectation.values), name="affectation_role_valide"
            ),
        ]
        indexes = [
            models.Index(fields=["professionnel", "date_fin"]),
            models.Index(fields=["dossier", "date_fin"]),
        ]

    def __str__(self) -> str:
        return f"{self.professionnel} — {self.get_role_display()}"


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
    def lisibles_par(self, membership) -> "EvenementJournalQuerySet":
        """Les événements « sociaux » ne sont lus que par le côté social (et jamais par les
        rôles France Travail)."""
        from accompagnement.perms import est_cote_social

        if est_cote_social(membership):
            return self
        return self.exclude(visibilite=Visibilite.SOCIALE)


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


# --- sollicitations ---
# Axe 1 : sollicitation d'un service de la base de ressources sociales pour une personne,
# directement (le partenaire répond par un lien signé) ou via le correspondant insertion du
# territoire. Les écritures sont dans dossiers/sollicitations.py (services).

from accompagnement.referentiels import DomaineFrein  # noqa: E402


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
    def du_departement(self, departement) -> "SollicitationQuerySet":
        return self.filter(dossier__departement=departement)

    def en_attente(self) -> "SollicitationQuerySet":
        return self.filter(statut__in=STATUTS_EN_ATTENTE)

    def visibles_par(self, membership) -> "SollicitationQuerySet":
        """Celles des dossiers visibles, plus celles adressées au territoire du
        correspondant (même si le dossier a changé de territoire depuis)."""
        if membership is None:
            return self.none()
        qs = self.filter(dossier__departement_id=membership.structure.departement_id)
        if membership.role == Role.ANIMATRICE:
            return qs
        dossiers = Dossier.objects.visibles_par(membership).values("pk")
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


# --- fin sollicitations ---


# --- suivi du parcours ---
# Ce que le binôme tient au jour le jour sur un dossier en accompagnement : le plan d'action
# (objectifs → actions), les notes, les rendez-vous, les documents et les aides. Écritures :
# dossiers/suivi.py (services) ; droits : dossiers/perms.py ; voir docs/suivi-parcours.md.

from decimal import Decimal  # noqa: E402

from django.db.models import Subquery  # noqa: E402

from accompagnement.referentiels import DOMAINES_SENSIBLES  # noqa: E402
from accompagnement.referentiels import DomaineFrein as _DomaineFrein  # noqa: E402

DOMAINE_EMPLOI = "emploi"
# Un objectif porte sur l'emploi ou sur un domaine de frein (DOMAIN.md §3).
DOMAINES_OBJECTIF = [(DOMAINE_EMPLOI, "Emploi (projet professionnel)"), *_DomaineFrein.choices]
TAILLE_MAX_DOCUMENT = 10 * 1024 * 1024  # 10 Mo
ESPACE_INSECABLE = "\u00a0"


def formater_euros(montant: Decimal | None) -> str:
    """1234.5 → « 1 234,50 € » (espaces insécables : le montant ne se coupe pas)."""
    if montant is None:
        return ""
    entier, decimales = f"{Decimal(montant):,.2f}".split(".")
    return f"{entier.replace(',', ESPACE_INSECABLE)},{decimales}{ESPACE_INSECABLE}€"


class Objectif(models.Model):
    """Un objectif du plan d'action, sur l'emploi ou sur un domaine de frein."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="objectifs")
    domaine = models.CharField(max_length=30, choices=DOMAINES_OBJECTIF)
    intitule = models.CharField("objectif", max_length=300)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        ordering = ["cree_le", "pk"]
        verbose_name = "objectif du plan d'action"
        constraints = [
            models.CheckConstraint(
                condition=Q(domaine__in=[valeur for valeur, _ in DOMAINES_OBJECTIF]),
                name="objectif_domaine_valide",
                violation_error_message="Domaine d'objectif inconnu.",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "cree_le"])]

    def __str__(self) -> str:
        return self.intitule

    @property
    def sensible(self) -> bool:
        """Domaine dont le détail est une donnée sensible (santé) : voir perms."""
        return self.domaine in DOMAINES_SENSIBLES


class CotePorteur(models.TextChoices):
    EMPLOI = "emploi", "Emploi"
    SOCIAL = "social", "Social"


class StatutAction(models.TextChoices):
    EN_PROJET = "en_projet", "En projet"
    EN_COURS = "en_cours", "En cours"
    EN_ATTENTE = "en_attente", "En attente"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée par la personne"
    ANNULEE = "annulee", "Annulée par la structure"


STATUTS_ACTION_TERMINES = frozenset(
    {StatutAction.REALISEE, StatutAction.ABANDONNEE, StatutAction.ANNULEE}
)
# Transitions permises ; toute autre est refusée par les services (ErreurMetier). Une action
# terminée ne rouvre pas : on en crée une nouvelle, l'historique reste lisible.
_FINS = {StatutAction.ABANDONNEE, StatutAction.ANNULEE}
TRANSITIONS_ACTION = {
    StatutAction.EN_PROJET: {StatutAction.EN_COURS, StatutAction.EN_ATTENTE, *_FINS},
    StatutAction.EN_COURS: {StatutAction.EN_ATTENTE, StatutAction.REALISEE, *_FINS},
    StatutAction.EN_ATTENTE: {StatutAction.EN_COURS, StatutAction.REALISEE, *_FINS},
    StatutAction.REALISEE: set(),
    StatutAction.ABANDONNEE: set(),
    StatutAction.ANNULEE: set(),
}


class ActionQuerySet(models.QuerySet):
    def non_terminees(self) -> "ActionQuerySet":
        return self.exclude(statut__in=STATUTS_ACTION_TERMINES)

    def en_retard(self, aujourd_hui=None) -> "ActionQuerySet":
        """Fin prévue dépassée et action pas terminée."""
        return self.non_terminees().filter(date_fin_prevue__lt=aujourd_hui or timezone.localdate())


class Action(models.Model):
    """Une action d'un objectif : un côté porteur (emploi ou social), un professionnel
    responsable, un statut, des dates. Verrouillage optimiste par `version`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Copie du dossier de l'objectif (tenue par les services) : indicateurs sans jointure.
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="actions")
    objectif = models.ForeignKey(Objectif, on_delete=models.CASCADE, related_name="actions")
    intitule = models.CharField("action", max_length=300)
    cote = models.CharField("côté porteur", max_length=10, choices=CotePorteur.choices)
    responsable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="actions_du_plan",
        verbose_name="professionnel responsable",
    )
    statut = models.CharField(
        max_length=12, choices=StatutAction.choices, default=StatutAction.EN_PROJET
    )
    date_debut = models.DateField("début")
    date_fin_prevue = models.DateField("fin prévue")
    date_fin_reelle = models.DateField("terminée le", null=True, blank=True)
    ressource = models.ForeignKey(
        "conventions.ServiceRessource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_du_plan",
        verbose_name="ressource mobilisée",
    )
    sollicitation = models.ForeignKey(
        "Sollicitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_du_plan",
        verbose_name="sollicitation liée",
        help_text="Réalisée, la sollicitation réalise l'action.",
    )
    echeance_signalee_le = models.DateField(null=True, blank=True, editable=False)
    commentaire = models.CharField("précisions", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField("créée le", default=timezone.now)
    modifie_le = models.DateTimeField("modifiée le", default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["date_fin_prevue", "pk"]
        verbose_name = "action du plan"
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=StatutAction.values),
                name="action_statut_valide",
                violation_error_message="Statut d'action inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(cote__in=CotePorteur.values), name="action_cote_valide"
            ),
            models.CheckConstraint(
                condition=Q(date_fin_prevue__gte=models.F("date_debut")),
                name="action_dates_ordonnees",
                violation_error_message="La fin prévue ne peut pas précéder le début.",
            ),
            models.CheckConstraint(
                # Liste triée (un frozenset n'a pas d'ordre stable : migration instable).
                condition=(
                    Q(statut__in=sorted(STATUTS_ACTION_TERMINES)) & Q(date_fin_reelle__isnull=False)
                )
                | (
                    ~Q(statut__in=sorted(STATUTS_ACTION_TERMINES)) & Q(date_fin_reelle__isnull=True)
                ),
                name="action_fin_datee",
                violation_error_message="Une action terminée est datée, et elle seule.",
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "statut", "date_fin_prevue"]),
            models.Index(fields=["responsable", "statut"]),
        ]

    def __str__(self) -> str:
        return self.intitule

    @property
    def terminee(self) -> bool:
        return self.statut in STATUTS_ACTION_TERMINES

    @property
    def en_retard(self) -> bool:
        return not self.terminee and self.date_fin_prevue < timezone.localdate()


def action_en_retard_existe() -> Exists:
    """Expression réutilisable sur un queryset de dossiers : `.annotate(en_retard=…)`."""
    return Exists(Action.objects.en_retard().filter(dossier=OuterRef("pk")))


def dossiers_avec_actions_en_retard(dossiers=None):
    """Les dossiers (du queryset donné, restreint par l'appelant) qui ont au moins une
    action en retard."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    return dossiers.filter(action_en_retard_existe())


class VisibiliteNote(models.TextChoices):
    PARTAGEE = "partagee", "Partagée (binôme et coordination)"
    SOCIALE = "sociale", "Sociale (professionnels du côté social seulement)"
    PRIVEE = "privee", "Privée (vous seul)"


class NoteQuerySet(models.QuerySet):
    def lisibles_par(self, membership) -> "NoteQuerySet":
        """Parmi les notes d'un dossier que le rattachement voit en entier : les partagées,
        les sociales pour le côté social, les privées de leur seul auteur."""
        from accompagnement.perms import est_cote_social

        if membership is None:
            return self.none()
        condition = Q(visibilite=VisibiliteNote.PARTAGEE) | Q(
            visibilite=VisibiliteNote.PRIVEE, auteur_id=membership.user_id
        )
        if est_cote_social(membership):
            condition |= Q(visibilite=VisibiliteNote.SOCIALE)
        return self.filter(condition)


class Note(models.Model):
    """Une note de suivi. Jamais de détail de santé dans une note partagée."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notes")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes_de_suivi"
    )
    visibilite = models.CharField(
        "visibilité", max_length=10, choices=VisibiliteNote.choices, default=VisibiliteNote.PARTAGEE
    )
    texte = models.TextField()
    cree_le = models.DateTimeField("écrite le", default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "note de suivi"
        constraints = [
            models.CheckConstraint(
                condition=Q(visibilite__in=VisibiliteNote.values), name="note_visibilite_valide"
            ),
            models.CheckConstraint(condition=~Q(texte=""), name="note_non_vide"),
        ]
        indexes = [models.Index(fields=["dossier", "-cree_le"])]

    def __str__(self) -> str:
        return f"Note de {self.auteur} du {self.cree_le:%d/%m/%Y}"


class TypeRendezVous(models.TextChoices):
    INDIVIDUEL = "individuel", "Entretien individuel"
    TRIPARTITE = "tripartite", "Tripartite (la personne et le binôme)"
    TELEPHONE = "telephone", "Par téléphone"
    VISITE_DOMICILE = "visite_domicile", "Visite à domicile"


class Presence(models.TextChoices):
    PREVU = "prevu", "Prévu"
    PRESENT = "present", "Présente"
    ABSENT = "absent", "Absente"
    EXCUSE = "excuse", "Excusée"


# On note la présence une fois (et on peut la corriger) ; on ne revient jamais à « prévu ».
TRANSITIONS_PRESENCE = {
    Presence.PREVU: {Presence.PRESENT, Presence.ABSENT, Presence.EXCUSE},
    Presence.PRESENT: {Presence.ABSENT, Presence.EXCUSE},
    Presence.ABSENT: {Presence.PRESENT, Presence.EXCUSE},
    Presence.EXCUSE: {Presence.PRESENT, Presence.ABSENT},
}


class RendezVousQuerySet(models.QuerySet):
    def a_venir(self, maintenant=None) -> "RendezVousQuerySet":
        return self.filter(presence=Presence.PREVU, debut__gte=maintenant or timezone.now())


class RendezVous(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="rendez_vous")
    debut = models.DateTimeField("date et heure")
    type = models.CharField(max_length=20, choices=TypeRendezVous.choices)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="rendez_vous_de_suivi",
        verbose_name="professionnels participants",
    )
    lieu = models.CharField(max_length=200, blank=True)
    objet = models.CharField(max_length=300, blank=True)
    presence = models.CharField(
        "présence de la personne", max_length=10, choices=Presence.choices, default=Presence.PREVU
    )
    presence_notee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    presence_notee_le = models.DateTimeField(null=True, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)

    objects = RendezVousQuerySet.as_manager()

    class Meta:
        ordering = ["-debut", "-pk"]
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=TypeRendezVous.values), name="rendez_vous_type_valide"
            ),
            models.CheckConstraint(
                condition=Q(presence__in=Presence.values), name="rendez_vous_presence_valide"
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "presence", "debut"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} le {timezone.localtime(self.debut):%d/%m/%Y à %H:%M}"


def prochain_rendez_vous() -> Subquery:
    """Expression réutilisable sur un queryset de dossiers : date du prochain rendez-vous."""
    return Subquery(
        RendezVous.objects.a_venir()
        .filter(dossier=OuterRef("pk"))
        .order_by("debut")
        .values("debut")[:1]
    )


class CategorieDocument(models.TextChoices):
    PIECE_IDENTITE = "piece_identite", "Pièce d'identité"
    JUSTIFICATIF = "justificatif", "Justificatif"
    COURRIER = "courrier", "Courrier"
    CONTRAT = "contrat", "Contrat / CER"
    AUTRE = "autre", "Autre"


class DocumentQuerySet(models.QuerySet):
    def lisibles_par(self, membership) -> "DocumentQuerySet":
        """Les documents confidentiels ne sont lus que par le côté social."""
        from accompagnement.perms import est_cote_social

        if membership is None:
            return self.none()
        return self if est_cote_social(membership) else self.filter(confidentiel=False)


class Document(models.Model):
    """Un fichier déposé au dossier. Le contenu est rangé sous
    MEDIA_ROOT/documents/<département>/<uuid> (sans extension, hors statiques) et n'est
    servi que par la vue de téléchargement ; le nom d'origine n'est gardé qu'en base."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieDocument.choices)
    nom_origine = models.CharField("nom du fichier", max_length=255)
    type_mime = models.CharField("type (reconnu au contenu)", max_length=100)
    taille = models.PositiveIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    chemin = models.CharField(max_length=200, unique=True, editable=False)
    confidentiel = models.BooleanField(
        default=False, help_text="Réservé aux professionnels du côté social."
    )
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents_deposes"
    )
    depose_le = models.DateTimeField("déposé le", default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-depose_le", "-pk"]
        verbose_name = "document"
        constraints = [
            models.CheckConstraint(
                condition=Q(categorie__in=CategorieDocument.values),
                name="document_categorie_valide",
            ),
            models.CheckConstraint(
                condition=Q(taille__gt=0) & Q(taille__lte=TAILLE_MAX_DOCUMENT),
                name="document_taille_bornee",
                violation_error_message="Un document pèse au plus 10 Mo.",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "-depose_le"])]

    def __str__(self) -> str:
        return self.nom_origine


class DecisionAide(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente de décision"
    ACCORDEE = "accordee", "Accordée"
    REFUSEE = "refusee", "Refusée"


class AideFinanciere(models.Model):
    """Aide financière ponctuelle (procédure légère) : montant demandé, motif, décision."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="aides")
    montant_demande = models.DecimalField("montant demandé (€)", max_digits=8, decimal_places=2)
    motif = models.CharField(max_length=500)
    date_demande = models.DateField("demandée le", default=timezone.localdate)
    decision = models.CharField(
        "décision", max_length=12, choices=DecisionAide.choices, default=DecisionAide.EN_ATTENTE
    )
    montant_accorde = models.DecimalField(
        "montant accordé (€)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    date_decision = models.DateField("décidée le", null=True, blank=True)
    commentaire_decision = models.CharField("motif de la décision", max_length=500, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décision enregistrée par",
    )

    class Meta:
        ordering = ["-date_demande", "-pk"]
        verbose_name = "aide financière ponctuelle"
        verbose_name_plural = "aides financières ponctuelles"
        constraints = [
            models.CheckConstraint(
                condition=Q(montant_demande__gt=0),
                name="aide_montant_demande_positif",
                violation_error_message="Le montant demandé doit être positif.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(decision="en_attente")
                    & Q(montant_accorde__isnull=True)
                    & Q(date_decision__isnull=True)
                )
                | (
                    Q(decision="accordee")
                    & Q(montant_accorde__gt=0)
                    & Q(montant_accorde__lte=models.F("montant_demande"))
                    & Q(date_decision__gte=models.F("date_demande"))
                )
                | (
                    Q(decision="refusee")
                    & Q(montant_accorde__isnull=True)
                    & Q(date_decision__gte=models.F("date_demande"))
                    & ~Q(commentaire_decision="")
                ),
                name="aide_decision_coherente",
                violation_error_message=(
                    "Une aide accordée a un montant (au plus le montant demandé) et une date ; "
                    "un refus est daté et motivé."
                ),
            ),
        ]
        indexes = [models.Index(fields=["dossier", "-date_demande"])]

    def __str__(self) -> str:
        return f"Aide de {self.montant_demande_affiche} ({self.get_decision_display()})"

    @property
    def montant_demande_affiche(self) -> str:
        return formater_euros(self.montant_demande)

    @property
    def montant_accorde_affiche(self) -> str:
        return formater_euros(self.montant_accorde)


class TypeDemandeImportante(models.TextChoices):
    EXPULSION_LOCATIVE = "expulsion_locative", "Expulsion locative"
    DESCOLARISATION = "descolarisation", "Déscolarisation d'un enfant"
    AUTRE = "autre", "Autre"


class StatutDemandeImportante(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    TRANSMISE = "transmise", "Transmise"
    EN_INSTRUCTION = "en_instruction", "En instruction"
    ACCORDEE = "accordee", "Accordée"
    REFUSEE = "refusee", "Refusée"


TRANSITIONS_DEMANDE_IMPORTANTE = {
    StatutDemandeImportante.BROUILLON: {StatutDemandeImportante.TRANSMISE},
    StatutDemandeImportante.TRANSMISE: {
        StatutDemandeImportante.EN_INSTRUCTION,
        StatutDemandeImportante.ACCORDEE,
        StatutDemandeImportante.REFUSEE,
    },
    StatutDemandeImportante.EN_INSTRUCTION: {
        StatutDemandeImportante.ACCORDEE,
        StatutDemandeImportante.REFUSEE,
    },
    StatutDemandeImportante.ACCORDEE: set(),
    StatutDemandeImportante.REFUSEE: set(),
}


class DemandeImportante(models.Model):
    """Demande lourde (prévention d'une expulsion locative, déscolarisation d'un enfant…)
    instruite hors du binôme : brouillon → transmise → en instruction → accordée / refusée."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="demandes_importantes"
    )
    type = models.CharField(max_length=20, choices=TypeDemandeImportante.choices)
    objet = models.CharField(
        "objet de la demande",
        max_length=500,
        help_text="Ce qui est demandé, en quelques mots, sans détail de santé.",
    )
    organisme = models.CharField("instance saisie", max_length=200, blank=True)
    statut = models.CharField(
        max_length=15,
        choices=StatutDemandeImportante.choices,
        default=StatutDemandeImportante.BROUILLON,
    )
    motif_refus = models.CharField("motif du refus", max_length=500, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cree_le = models.DateTimeField("créée le", default=timezone.now)
    transmise_le = models.DateTimeField(null=True, blank=True)
    instruction_le = models.DateTimeField("en instruction depuis le", null=True, blank=True)
    decision_le = models.DateTimeField("décidée le", null=True, blank=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-cree_le", "-pk"]
        verbose_name = "demande importante"
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=TypeDemandeImportante.values),
                name="demande_importante_type_valide",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutDemandeImportante.values),
                name="demande_importante_statut_valide",
            ),
            models.CheckConstraint(
                condition=Q(statut="brouillon") | Q(transmise_le__isnull=False),
                name="demande_importante_transmission_datee",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["accordee", "refusee"]) | Q(decision_le__isnull=False),
                name="demande_importante_decision_datee",
            ),
            models.CheckConstraint(
                condition=(Q(statut="refusee") & ~Q(motif_refus=""))
                | (~Q(statut="refusee") & Q(motif_refus="")),
                name="demande_importante_refus_motive",
                violation_error_message="Un refus est motivé, et seul un refus a un motif.",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "-cree_le"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.get_statut_display()})"


# --- fin suivi du parcours ---
