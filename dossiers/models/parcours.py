"""Parcours : demandeurs, dossiers, périodes d'orientation sur les axes, demandes de
changement d'axe et affectations des professionnels (binôme, référents)."""

from __future__ import annotations

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


class ModeRecueil(models.TextChoices):
    """Comment l'information a été donnée, ou l'accord recueilli (RGPD, docs/rgpd.md)."""

    ORAL = "oral", "À l'oral (entretien, téléphone)"
    ECRIT = "ecrit", "Par écrit (courrier, courriel)"
    SIGNE = "signe", "Document signé par la personne"


class DemandeurQuerySet(models.QuerySet):
    def du_departement(self, departement) -> DemandeurQuerySet:
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
    # Information de la personne sur le traitement de ses données, et son accord pour que
    # ses coordonnées soient transmises au partenaire sollicité (docs/rgpd.md) : exigé par
    # une sollicitation qui transmet des coordonnées (dossiers.sollicitations.services).
    information_le = models.DateField(
        "informée du traitement de ses données le", null=True, blank=True
    )
    information_mode = models.CharField(
        "informée comment", max_length=10, choices=ModeRecueil.choices, blank=True
    )
    accord_transmission_le = models.DateField(
        "accord pour transmettre ses coordonnées le", null=True, blank=True
    )
    accord_transmission_mode = models.CharField(
        "accord recueilli comment", max_length=10, choices=ModeRecueil.choices, blank=True
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)
    # Verrouillage optimiste de la fiche : lue par le formulaire (champ caché), comparée
    # et avancée par `modifier_demandeur` ; l'import des demandeurs l'avance aussi.
    version = models.PositiveIntegerField(default=1, editable=False)

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
            models.CheckConstraint(
                condition=Q(information_le__isnull=True, information_mode="")
                | (Q(information_le__isnull=False) & ~Q(information_mode="")),
                name="demandeur_information_datee",
                violation_error_message="L'information de la personne est datée, avec sa forme.",
            ),
            models.CheckConstraint(
                condition=Q(accord_transmission_le__isnull=True, accord_transmission_mode="")
                | (Q(accord_transmission_le__isnull=False) & ~Q(accord_transmission_mode="")),
                name="demandeur_accord_transmission_date",
                violation_error_message="L'accord de la personne est daté, avec sa forme.",
            ),
        ]
        indexes = [
            GinIndex(fields=["recherche"], name="demandeur_recherche_gin"),
            # Tri de toutes les listes de dossiers (demandeur__nom, prenom, pk) : décision 50.
            models.Index(fields=["nom", "prenom", "id"], name="demandeur_nom_prenom_id"),
            models.Index(fields=["departement", "agence"]),
            models.Index(fields=["departement", "rsa_allocataire"]),
        ]

    def __str__(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"

    def save(self, *args, **kwargs):
        self.preparer()
        super().save(*args, **kwargs)

    @property
    def ne(self) -> str:
        """« née » pour une Madame, « né » sinon (jamais « né(e) »)."""
        return "née" if self.civilite == Civilite.MADAME else "né"

    @staticmethod
    def calculer_cle_identite(nom: str, prenom: str, date_naissance) -> str:
        return f"{normaliser(nom)}|{normaliser(prenom)}|{date_naissance:%Y-%m-%d}"

    def preparer(self) -> Demandeur:
        """Calcule les colonnes dérivées (normalisation Python). Appelé par save() et par
        les écritures en masse (bulk_create/bulk_update), qui ne passent pas par save()."""
        self.identifiant_ft = (self.identifiant_ft or "").strip().upper()
        self.cle_identite = self.calculer_cle_identite(self.nom, self.prenom, self.date_naissance)
        morceaux = [self.nom, self.prenom, self.nom_naissance, self.identifiant_ft]
        self.texte_recherche = normaliser(" ".join(m for m in morceaux if m))[:400]
        return self

    @property
    def accord_transmission(self) -> bool:
        """La personne a accepté que ses coordonnées soient transmises à un partenaire."""
        return self.accord_transmission_le is not None

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
    def ouverts(self) -> DossierQuerySet:
        return self.exclude(statut=StatutDossier.CLOS)

    def avec_affectation_ouverte(self, user, roles=None) -> DossierQuerySet:
        sous = Affectation.objects.filter(
            dossier=OuterRef("pk"), professionnel=user, date_fin__isnull=True
        )
        if roles:
            sous = sous.filter(role__in=roles)
        return self.filter(Exists(sous))

    def sans_binome(self) -> DossierQuerySet:
        """Dossiers ouverts à qui il manque le conseiller dédié ou le travailleur social.

        « Il manque l'un ou l'autre » s'écrit « pas les deux » : un seul `NOT EXISTS` (une
        anti-jointure) sur la place de conseiller dédié ouverte dont le dossier a aussi
        une place de travailleur social ouverte, au lieu de `NOT EXISTS … OR NOT EXISTS …`
        qui se calculait ligne à ligne sur toutes les affectations ouvertes."""
        binome_complet = Affectation.objects.filter(
            dossier=OuterRef("pk"), role=RoleAffectation.CONSEILLER_DEDIE, date_fin__isnull=True
        ).filter(
            Exists(
                Affectation.objects.filter(
                    dossier=OuterRef("dossier"),
                    role=RoleAffectation.TRAVAILLEUR_SOCIAL,
                    date_fin__isnull=True,
                )
            )
        )
        return (
            self.ouverts()
            .exclude(axe_courant__in=[Axe.RESSOURCES_SOCIALES, Axe.SOCIAL_EXCLUSIF])
            .filter(~Exists(binome_complet))
        )

    def inactifs_depuis(self, jours: int) -> DossierQuerySet:
        return self.filter(derniere_activite__lt=timezone.now() - timezone.timedelta(days=jours))

    # Les deux périmètres qui suivent sont la traduction SQL de
    # dossiers.parcours.perms.niveau_acces(), clause pour clause : toute règle changée ici
    # l'est là-bas, et inversement. L'équivalence est vérifiée sur
    # un catalogue de situations par tests/dossiers/parcours/test_acces_coherent.py.

    def visibles_par(self, membership) -> DossierQuerySet:
        """Le périmètre de lecture d'un rattachement : les dossiers dont
        `niveau_acces(membership, dossier)` n'est pas None (voir docs/permissions.md)."""
        if membership is None:
            return self.none()
        structure, user, role = membership.structure, membership.user, membership.role
        # Même département, toujours.
        qs = self.filter(departement_id=structure.departement_id)
        if role == Role.ANIMATRICE:
            return qs  # tous les dossiers du département
        if role == Role.ADMINISTRATEUR:
            return qs.none()  # configuration, pas de dossiers (minimisation)
        # Tout professionnel : une place tenue sur le dossier, aujourd'hui ou par le passé
        # (complet, ou statut après un relais), ou un dossier qu'il a orienté (statut).
        condition = Q(_place_de(user)) | Q(oriente_par=user)
        if role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE):
            condition |= Q(agence=structure)  # son agence (complet, ou statut en axe 2 ou 3)
        if role == Role.CORRESPONDANT_INSERTION:
            condition |= Q(territoire=structure)  # son territoire (complet)
        return qs.filter(condition)

    def visibles_en_entier_par(self, membership) -> DossierQuerySet:
        """Les dossiers dont `niveau_acces(membership, dossier)` est COMPLET : le périmètre
        du suivi, des notes, des documents, des sollicitations et du journal."""
        if membership is None:
            return self.none()
        structure, user, role = membership.structure, membership.user, membership.role
        qs = self.filter(departement_id=structure.departement_id)
        if role == Role.ANIMATRICE:
            return qs
        if role == Role.ADMINISTRATEUR:
            return qs.none()
        # Une place tenue aujourd'hui ; ou, le dossier clos, tenue jusqu'à la clôture.
        condition = Q(_place_de(user, date_fin__isnull=True)) | (
            Q(statut=StatutDossier.CLOS) & Q(_place_de(user, date_fin=OuterRef("date_cloture")))
        )
        if role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE):
            # Son agence, hors axes 2 et 3 (le binôme ou le référent social y a la main).
            condition |= Q(agence=structure) & ~Q(
                axe_courant__in=[Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF]
            )
        if role == Role.CORRESPONDANT_INSERTION:
            condition |= Q(territoire=structure)  # son territoire
        return qs.filter(condition)


def _place_de(user, **filtre) -> Exists:
    """Le professionnel tient (ou a tenu) une place sur le dossier de la requête externe :
    un semi-join (EXISTS) servi par les index (dossier, date_fin) ou (professionnel,
    date_fin) d'Affectation, sans jointure qui dédoublerait les dossiers."""
    return Exists(
        Affectation.objects.filter(dossier_id=OuterRef("pk"), professionnel_id=user.pk, **filtre)
    )


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
    def ouvertes(self) -> AffectationQuerySet:
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
            # Charges des professionnels : les places ouvertes, comptées par index seul.
            models.Index(
                fields=["professionnel", "structure", "role"],
                condition=Q(date_fin__isnull=True),
                name="affectation_ouverte_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.professionnel} — {self.get_role_display()}"
