"""Noyau : le département (locataire), ses structures, les utilisateurs et leurs
rattachements (utilisateur × structure × rôle), le journal d'audit."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils import timezone

from . import historique


class Departement(models.Model):
    """Un département signataire : chaque département est un locataire isolé."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code_insee = models.CharField(
        "code INSEE",
        max_length=3,
        unique=True,
        validators=[
            RegexValidator(
                r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$",
                "Code département INSEE invalide (exemples : 25, 2A, 974).",
            )
        ],
    )
    nom = models.CharField(max_length=100)
    duree_conservation_mois = models.PositiveSmallIntegerField(
        "durée de conservation (mois)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Après le dernier contact, durée avant suppression ou anonymisation (RGPD).",
    )
    actif = models.BooleanField(default=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code_insee"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code_insee})"


class TypeStructure(models.TextChoices):
    AGENCE_FT = "agence_ft", "Agence France Travail"
    TERRITOIRE_SOCIAL = "territoire_social", "Territoire / service social départemental"
    DIRECTION_INSERTION = "direction_insertion", "Direction de l'insertion"
    PARTENAIRE = "partenaire", "Partenaire"


class Institution(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    DEPARTEMENT = "departement", "Département"
    PARTENAIRE = "partenaire", "Partenaire"


INSTITUTION_PAR_TYPE = {
    TypeStructure.AGENCE_FT: Institution.FRANCE_TRAVAIL,
    TypeStructure.TERRITOIRE_SOCIAL: Institution.DEPARTEMENT,
    TypeStructure.DIRECTION_INSERTION: Institution.DEPARTEMENT,
    TypeStructure.PARTENAIRE: Institution.PARTENAIRE,
}


class StructureQuerySet(models.QuerySet):
    def du_departement(self, departement: Departement) -> "StructureQuerySet":
        return self.filter(departement=departement)

    def actives(self) -> "StructureQuerySet":
        return self.filter(actif=True)


class Structure(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="structures", verbose_name="département"
    )
    type = models.CharField(max_length=30, choices=TypeStructure.choices)
    nom = models.CharField(max_length=150)
    code = models.CharField(
        max_length=20, blank=True, help_text="Code agence France Travail ou code interne."
    )
    commune = models.CharField(max_length=100, blank=True)
    email = models.EmailField("courriel", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    actif = models.BooleanField(default=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["departement", "type", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "nom"],
                name="structure_nom_unique_par_departement",
                violation_error_message="Une structure porte déjà ce nom dans ce département.",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=TypeStructure.values),
                name="structure_type_valide",
                violation_error_message="Type de structure inconnu.",
            ),
        ]
        indexes = [models.Index(fields=["departement", "type"])]

    def __str__(self) -> str:
        return self.nom

    @property
    def institution(self) -> str:
        return INSTITUTION_PAR_TYPE[self.type]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Connexion par courriel, sans tenir compte de la casse.
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Le courriel est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("courriel", unique=True)
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField(max_length=100)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["prenom", "nom"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_insensible_casse",
                violation_error_message="Un compte existe déjà avec ce courriel.",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self) -> str:
        return self.prenom


class Role(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller France Travail"
    CONSEILLER_DEDIE = "conseiller_dedie", "Conseiller dédié (accompagnement global)"
    TRAVAILLEUR_SOCIAL = "travailleur_social", "Travailleur social"
    CORRESPONDANT_INSERTION = "correspondant_insertion", "Correspondant insertion"
    ANIMATRICE = "animatrice", "Animatrice fonctionnelle"
    ADMINISTRATEUR = "administrateur", "Administrateur"


# Quels rôles une structure peut porter : les conseillers sont à France Travail, les
# travailleurs sociaux au Département (ou chez un partenaire qui exerce pour lui).
ROLES_PAR_TYPE_STRUCTURE = {
    TypeStructure.AGENCE_FT: {Role.CONSEILLER, Role.CONSEILLER_DEDIE, Role.ANIMATRICE},
    TypeStructure.TERRITOIRE_SOCIAL: {Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION},
    TypeStructure.DIRECTION_INSERTION: {
        Role.TRAVAILLEUR_SOCIAL,
        Role.CORRESPONDANT_INSERTION,
        Role.ANIMATRICE,
        Role.ADMINISTRATEUR,
    },
    TypeStructure.PARTENAIRE: {Role.TRAVAILLEUR_SOCIAL},
}


class MembershipQuerySet(models.QuerySet):
    def actifs(self) -> "MembershipQuerySet":
        return self.filter(actif=True, structure__actif=True, structure__departement__actif=True)

    def de(self, user) -> "MembershipQuerySet":
        return self.filter(user=user).select_related("structure__departement")


class Membership(models.Model):
    """Rattachement d'un utilisateur à une structure avec un rôle. Un utilisateur peut en
    avoir plusieurs ; il choisit celui sous lequel il travaille après la connexion."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    actif = models.BooleanField(default=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        ordering = ["structure__nom", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure", "role"],
                name="membership_unique",
                violation_error_message="Cet utilisateur a déjà ce rôle dans cette structure.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="membership_role_valide",
                violation_error_message="Rôle inconnu.",
            ),
        ]
        indexes = [models.Index(fields=["structure", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.structure}"

    @property
    def departement(self) -> Departement:
        return self.structure.departement


class ActionAudit(models.TextChoices):
    CONNEXION = "connexion", "Connexion"
    ECHEC_CONNEXION = "echec_connexion", "Échec de connexion"
    DECONNEXION = "deconnexion", "Déconnexion"
    CHOIX_STRUCTURE = "choix_structure", "Choix de la structure de travail"
    LECTURE = "lecture", "Consultation"
    CREATION = "creation", "Création"
    MODIFICATION = "modification", "Modification"
    SUPPRESSION = "suppression", "Suppression"
    EXPORT = "export", "Export"


class EvenementAudit(models.Model):
    """Trace de qui a fait quoi, quand, sur quelles données personnelles. Écrit par
    accompagnement.audit.enregistrer(), jamais modifié : un déclencheur refuse UPDATE et
    DELETE (hors purge de conservation, accompagnement.audit.purger). Les clés vers le
    compte et le département ne sont pas contraintes : supprimer un compte laisse sa trace
    intacte (ni mise à NULL, ni suppression en cascade)."""

    horodatage = models.DateTimeField(default=timezone.now, db_index=True)
    acteur = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    departement = models.ForeignKey(
        Departement,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        verbose_name="département",
    )
    role = models.CharField("rôle", max_length=30, blank=True)
    # Le nom de la structure de travail au moment de l'accès (copié : une structure
    # renommée ou supprimée ne change pas la trace).
    structure = models.CharField("depuis la structure", max_length=200, blank=True)
    action = models.CharField(max_length=30, choices=ActionAudit.choices)
    objet_type = models.CharField("type d'objet", max_length=60, blank=True)
    objet_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    adresse_ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-horodatage"]
        indexes = [
            models.Index(fields=["departement", "-horodatage"]),
            models.Index(fields=["objet_type", "objet_id"]),
            models.Index(fields=["acteur", "-horodatage"]),
            # Filtre « personne » de la page d'audit : le dossier cité dans les détails.
            models.Index(KeyTextTransform("dossier", "details"), name="audit_details_dossier"),
        ]
        triggers = [historique.protection_ajout_seul()]

    def __str__(self) -> str:
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.get_action_display()} {self.objet_type}"


# --- Historique des écritures (décision 27) --------------------------------------------------
# Comptes : ni le mot de passe (empreinte) ni la dernière connexion (tracée dans l'audit) ne
# sont copiés. Leur département se lit par leurs rattachements (page d'audit).
UserHistorique = historique.suivre(User, departement="NULL", exclure=("password", "last_login"))
MembershipHistorique = historique.suivre(
    Membership,
    departement=(
        '(SELECT s."departement_id" FROM "accompagnement_structure" s'
        ' WHERE s."id" = {row}."structure_id")'
    ),
)


class CategorieNotification(models.TextChoices):
    AFFECTATION = "affectation", "Nouvelle affectation"
    CHANGEMENT_AXE = "changement_axe", "Demande de changement d'axe"
    DECISION = "decision", "Décision"
    SOLLICITATION = "sollicitation", "Sollicitation"
    ACTION = "action", "Action à échéance"
    DOCUMENT = "document", "Document ajouté"
    RENOUVELLEMENT = "renouvellement", "Renouvellement à décider"
    AUTRE = "autre", "Information"


class NotificationQuerySet(models.QuerySet):
    def non_lues(self) -> "NotificationQuerySet":
        return self.filter(lue_le__isnull=True)

    def a_resumer(self) -> "NotificationQuerySet":
        """Pas encore envoyées par courriel (ni à l'unité ni dans un résumé)."""
        return self.filter(envoyee_le__isnull=True)


class Notification(models.Model):
    """Boîte de réception d'un professionnel. Les notifications partent par courriel dans
    un résumé quotidien ; celles qui portent une décision le concernant partent aussitôt."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    destinataire = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    categorie = models.CharField(
        "catégorie",
        max_length=20,
        choices=CategorieNotification.choices,
        default=CategorieNotification.AUTRE,
    )
    titre = models.CharField(max_length=200)
    texte = models.TextField(blank=True)
    lien = models.CharField(
        max_length=300, blank=True, help_text="Chemin dans l'application (/dossiers/…)."
    )
    cree_le = models.DateTimeField(default=timezone.now)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)
    envoyee_le = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["destinataire", "lue_le"]),
            models.Index(fields=["envoyee_le", "destinataire"]),
        ]

    def __str__(self) -> str:
        return self.titre


class EnvoiTache(models.Model):
    """Boîte d'envoi des tâches demandées depuis une page (décision 80) : la demande est
    écrite dans la transaction de la page, envoyée au broker après la validation ; si le
    broker ne répond pas, elle reste ici « en attente » et la tâche planifiée
    `relancer_envois_en_attente` la renvoie dès son retour. Les tâches ainsi envoyées sont
    idempotentes : un envoi en double ne produit rien deux fois."""

    tache = models.CharField("tâche", max_length=200)
    arguments = models.JSONField(default=list, blank=True)
    cree_le = models.DateTimeField("demandée le", default=timezone.now)
    envoyee_le = models.DateTimeField("envoyée le", null=True, blank=True)
    tentatives = models.PositiveIntegerField(default=0)
    erreur = models.CharField("dernière erreur d'envoi", max_length=300, blank=True)

    class Meta:
        verbose_name = "envoi de tâche"
        verbose_name_plural = "envois de tâches"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(
                fields=["cree_le"],
                condition=models.Q(envoyee_le__isnull=True),
                name="envoi_tache_en_attente",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tache} ({'envoyée' if self.envoyee_le else 'en attente'})"


class EchecTache(models.Model):
    """Une tâche Celery qui a échoué pour de bon (après ses reprises), enregistrée par le
    signal `task_failure` (accompagnement.taches) : visible de l'administrateur dans
    l'administration. Les arguments ne sont pas gardés (courriels, textes : données
    personnelles) ; l'identifiant de la tâche permet de la retrouver dans les journaux."""

    task_id = models.CharField("identifiant de la tâche", max_length=255, blank=True)
    tache = models.CharField("tâche", max_length=200)
    exception = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    trace = models.TextField("pile d'appels", blank=True)
    worker = models.CharField(max_length=200, blank=True)
    survenu_le = models.DateTimeField("survenu le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "échec de tâche"
        verbose_name_plural = "échecs de tâches"
        ordering = ["-survenu_le", "-pk"]

    def __str__(self) -> str:
        return f"{self.tache} : {self.exception}"
