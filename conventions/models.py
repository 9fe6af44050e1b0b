"""Conventions et base de ressources sociales (format data·inclusion v1).

La base est propre à chaque département : importée (source data·inclusion, Dora…) ou
saisie à la main (source « locale »). Une ressource est identifiée par (source, identifiant)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils import timezone

from accompagnement.models import Departement
from accompagnement.referentiels import domaines_de_thematiques
from accompagnement.texte import normaliser

SOURCE_LOCALE = "locale"
FRAICHEUR_MOIS = 12  # au-delà, une ressource est « à vérifier »


def _liste():
    return ArrayField(models.CharField(max_length=120), default=list, blank=True)


class Adresse(models.Model):
    adresse = models.CharField(max_length=255, blank=True)
    complement_adresse = models.CharField("complément d'adresse", max_length=255, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    commune = models.CharField(max_length=100, blank=True)
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True


class RessourceQuerySet(models.QuerySet):
    def du_departement(self, departement):
        return self.filter(departement=departement)

    def a_verifier(self):
        """Non mises à jour depuis plus de FRAICHEUR_MOIS mois."""
        limite = timezone.localdate() - timezone.timedelta(days=30 * FRAICHEUR_MOIS)
        return self.filter(date_maj__lt=limite)


class StructureRessource(Adresse):
    """Structure porteuse de services (data·inclusion v1 : structure)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="structures_ressources"
    )
    source = models.CharField(max_length=100)
    identifiant = models.CharField("identifiant (id)", max_length=200)
    nom = models.CharField(max_length=255)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    description = models.TextField(blank=True)
    date_maj = models.DateField("mise à jour le")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField(blank=True)
    lien_source = models.URLField(max_length=500, blank=True)
    horaires_accueil = models.CharField(max_length=500, blank=True)
    reseaux_porteurs = _liste()
    site_web = models.URLField("site web", max_length=500, blank=True)
    accessibilite_lieu = models.URLField("accessibilité du lieu", max_length=500, blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    objects = RessourceQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = "structure de la base de ressources"
        verbose_name_plural = "structures de la base de ressources"
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "source", "identifiant"],
                name="structure_ressource_unique",
                violation_error_message="Cette structure existe déjà pour cette source.",
            )
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def est_locale(self) -> bool:
        return self.source == SOURCE_LOCALE


class ServiceRessource(Adresse):
    """Service mobilisable (data·inclusion v1 : service), rattaché aux domaines de frein
    par ses thématiques."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="services_ressources"
    )
    structure = models.ForeignKey(
        StructureRessource, on_delete=models.CASCADE, related_name="services"
    )
    source = models.CharField(max_length=100)
    identifiant = models.CharField("identifiant (id)", max_length=200)
    nom = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    date_maj = models.DateField("mise à jour le")
    type = models.CharField(max_length=60, blank=True)
    thematiques = _liste()
    domaines = _liste()  # dérivé des thématiques : voir preparer()
    frais = _liste()
    frais_precisions = models.TextField(blank=True)
    publics = _liste()
    publics_precisions = models.TextField(blank=True)
    conditions_acces = models.TextField("conditions d'accès", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField(blank=True)
    zone_eligibilite = _liste()  # codes INSEE de communes, EPCI ou départements
    modes_accueil = _liste()  # en-presentiel, a-distance
    modes_mobilisation = _liste()
    mobilisable_par = _liste()
    mobilisation_precisions = models.TextField(blank=True)
    lien_mobilisation = models.URLField(max_length=500, blank=True)
    lien_source = models.URLField(max_length=500, blank=True)
    horaires_accueil = models.CharField(max_length=500, blank=True)
    contact_nom_prenom = models.CharField("contact (nom et prénom)", max_length=200, blank=True)
    volume_horaire_hebdomadaire = models.FloatField(
        "volume horaire hebdomadaire", null=True, blank=True
    )
    nombre_semaines = models.PositiveIntegerField("nombre de semaines", null=True, blank=True)
    actif = models.BooleanField(default=True)
    texte_recherche = models.TextField(editable=False, default="")
    # Nom normalisé : le classement de la recherche fait passer devant les services dont le
    # nom correspond (voir conventions/filters.py).
    texte_nom = models.TextField(editable=False, default="")
    recherche = models.GeneratedField(
        expression=SearchVector("texte_recherche", config="french"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RessourceQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = "service de la base de ressources"
        verbose_name_plural = "services de la base de ressources"
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "source", "identifiant"],
                name="service_ressource_unique",
                violation_error_message="Ce service existe déjà pour cette source.",
            )
        ]
        indexes = [
            GinIndex(fields=["recherche"], name="service_recherche_gin"),
            GinIndex(fields=["domaines"], name="service_domaines_gin"),
            GinIndex(fields=["thematiques"], name="service_thematiques_gin"),
            GinIndex(fields=["zone_eligibilite"], name="service_zone_gin"),
            GinIndex(fields=["publics"], name="service_publics_gin"),
            models.Index(fields=["departement", "actif", "date_maj"]),
        ]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args, **kwargs):
        self.preparer()
        super().save(*args, **kwargs)

    def preparer(self) -> "ServiceRessource":
        """Colonnes dérivées (à appeler avant bulk_create / bulk_update) : domaines de frein
        et texte de recherche normalisé (sans accents : la base embarquée n'a pas
        `unaccent`)."""
        self.domaines = domaines_de_thematiques(self.thematiques)
        structure_nom = self.structure.nom if self.structure_id else ""
        morceaux = [
            self.nom,
            self.description,
            structure_nom,
            self.commune,
            " ".join(self.thematiques),
        ]
        self.texte_recherche = normaliser(" ".join(m for m in morceaux if m))[:20000]
        self.texte_nom = normaliser(self.nom)
        return self

    @property
    def a_verifier(self) -> bool:
        return self.date_maj < timezone.localdate() - timezone.timedelta(days=30 * FRAICHEUR_MOIS)

    @property
    def est_locale(self) -> bool:
        return self.source == SOURCE_LOCALE


# --- Conventions de partenariat (voir docs/conventions.md) ------------------------------------


class EtatConvention(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNEE = "signee", "Signée"
    EN_VIGUEUR = "en_vigueur", "En vigueur"
    ECHUE = "echue", "Échue"
    RESILIEE = "resiliee", "Résiliée"


class AxeConvention(models.TextChoices):
    AXE_1 = "axe_1", "Axe 1 — accès aux ressources sociales"
    AXE_2 = "axe_2", "Axe 2 — accompagnement global"
    AXE_3 = "axe_3", "Axe 3 — suivi social exclusif"


class TypePartie(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    AUTRE = "autre", "Autre partenaire"


class NatureMoyen(models.TextChoices):
    POSTE = "poste", "Poste"
    FINANCEMENT = "financement", "Financement"


class Convention(models.Model):
    """Le cadre du partenariat d'un département : parties, signataires, « Vu », dates,
    axes, engagements, moyens et objectifs. Les champs portent la version signée ; les
    avenants s'y appliquent à leur date d'effet (`lectures.version_en_vigueur`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        "accompagnement.Departement", on_delete=models.PROTECT, related_name="conventions"
    )
    intitule = models.CharField("intitulé", max_length=300)
    etat = models.CharField(
        "état", max_length=20, choices=EtatConvention.choices, default=EtatConvention.BROUILLON
    )
    vu = models.JSONField(
        "visas (« Vu »)", default=list, blank=True, help_text="Une référence par ligne."
    )
    date_signature = models.DateField("date de signature", null=True, blank=True)
    date_effet = models.DateField("date d'effet", null=True, blank=True)
    date_echeance = models.DateField("date d'échéance", null=True, blank=True)
    renouvellement = models.CharField(
        "renouvellement", max_length=300, blank=True, help_text="Ex. : tacite reconduction."
    )
    axes = models.JSONField("axes engagés", default=list, blank=True)
    programmes = models.JSONField(
        "programmes liés", default=list, blank=True, help_text="Ex. : PDI, PTI."
    )
    objectif_personnes_par_an = models.PositiveIntegerField(
        "personnes à accompagner par an", null=True, blank=True
    )
    objectif_delai_entree_jours = models.PositiveIntegerField(
        "délai d'entrée visé (jours)", null=True, blank=True
    )
    objectifs_autres = models.JSONField(
        "autres objectifs chiffrés",
        default=list,
        blank=True,
        help_text="Liste de {« libelle », « valeur »}.",
    )
    date_resiliation = models.DateField("date de résiliation", null=True, blank=True)
    motif_resiliation = models.TextField("motif de résiliation", blank=True)
    cree_le = models.DateTimeField(auto_now_add=True)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "convention"
        ordering = ["departement", "-date_signature", "pk"]

    def __str__(self):
        return self.intitule


class Partie(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="parties")
    type = models.CharField(max_length=20, choices=TypePartie.choices)
    nom = models.CharField(max_length=200, help_text="Ex. : Département du Doubs.")
    represente_par = models.CharField(
        "représentée par", max_length=300, blank=True, help_text="Ex. : son Président."
    )
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "partie"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.nom


class Signataire(models.Model):
    partie = models.ForeignKey(Partie, on_delete=models.CASCADE, related_name="signataires")
    nom = models.CharField(max_length=200)
    qualite = models.CharField("qualité", max_length=300)
    date_signature = models.DateField("date de signature", null=True, blank=True)

    class Meta:
        verbose_name = "signataire"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.nom}, {self.qualite}"


class Engagement(models.Model):
    """Un engagement réciproque, porté par une partie."""

    partie = models.ForeignKey(Partie, on_delete=models.CASCADE, related_name="engagements")
    texte = models.TextField()
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "engagement"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.texte[:80]


class Moyen(models.Model):
    """Un moyen engagé : des postes (nombre, ETP, structure) ou un montant et son financeur."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="moyens")
    nature = models.CharField(max_length=20, choices=NatureMoyen.choices)
    libelle = models.CharField("libellé", max_length=300)
    structure = models.CharField("structure d'affectation", max_length=300, blank=True)
    nombre = models.PositiveIntegerField("nombre de postes", null=True, blank=True)
    etp = models.DecimalField("ETP", max_digits=6, decimal_places=2, null=True, blank=True)
    montant = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    financeur = models.CharField(max_length=200, blank=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "moyen"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.libelle

    def en_dict(self) -> dict:
        return {
            "nature": self.nature,
            "libelle": self.libelle,
            "structure": self.structure,
            "nombre": self.nombre,
            "etp": None if self.etp is None else str(self.etp),
            "montant": None if self.montant is None else str(self.montant),
            "financeur": self.financeur,
        }


class Avenant(models.Model):
    """Modifie une convention à sa date d'effet. `changements` : {champ: {"avant", "apres"}}
    (valeurs JSON : dates ISO, montants en texte), calculé par `services.ajouter_avenant`."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="avenants")
    numero = models.PositiveSmallIntegerField("numéro")
    objet = models.CharField(max_length=300)
    date_signature = models.DateField("date de signature")
    date_effet = models.DateField("date d'effet")
    changements = models.JSONField(default=dict)
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "avenant"
        ordering = ["convention", "date_effet", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "numero"], name="avenant_numero_unique_par_convention"
            )
        ]

    def __str__(self):
        return f"Avenant n° {self.numero} : {self.objet}"


TAILLE_MAX_DOCUMENT_SIGNE = 10 * 1024 * 1024


class DocumentSigne(models.Model):
    """Un exemplaire signé (scan ou PDF signé) d'une convention ou d'un de ses avenants. Le
    contenu est rangé par le stockage des documents sous
    MEDIA_ROOT/conventions/<département>/<uuid> (sans extension) et n'est servi que par la
    vue de téléchargement, qui trace chaque lecture ; le nom d'origine n'est gardé qu'en
    base. Un document signé ne se modifie ni ne se supprime."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="documents_signes"
    )
    avenant = models.ForeignKey(
        Avenant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_signes",
        help_text="Vide : la convention elle-même.",
    )
    intitule = models.CharField("intitulé", max_length=200)
    nom_origine = models.CharField("nom du fichier", max_length=255)
    type_mime = models.CharField("type (reconnu au contenu)", max_length=100)
    taille = models.PositiveIntegerField("taille (octets)")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    chemin = models.CharField(max_length=200, unique=True, editable=False)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    depose_le = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "document signé"
        verbose_name_plural = "documents signés"
        ordering = ["convention", "depose_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taille__gt=0) & models.Q(taille__lte=TAILLE_MAX_DOCUMENT_SIGNE),
                name="document_signe_taille_bornee",
                violation_error_message="Un document signé pèse au plus 10 Mo.",
            ),
        ]

    def __str__(self):
        return self.intitule


class Effectif(Moyen):
    """Les postes engagés par les conventions (moyens de nature « poste »), lus par
    structure d'affectation dans l'administration : même table que `Moyen`."""

    class Meta:
        proxy = True
        verbose_name = "effectif (poste)"
        verbose_name_plural = "effectifs (postes)"
