"""Suivi du parcours : plan d'action (objectifs → actions), notes, rendez-vous, documents
et aides. Écritures : dossiers/suivi/services.py ; droits : dossiers/suivi/perms.py ;
voir docs/suivi-parcours.md."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accompagnement.perms import est_cote_social
from accompagnement.referentiels import DOMAINES_SENSIBLES
from accompagnement.referentiels import DomaineFrein as _DomaineFrein
from dossiers.models.parcours import Dossier

# Ce que le binôme tient au jour le jour sur un dossier en accompagnement : le plan d'action
# (objectifs → actions), les notes, les rendez-vous, les documents et les aides. Écritures :
# dossiers/suivi.py (services) ; droits : dossiers/perms.py ; voir docs/suivi-parcours.md.


DOMAINE_EMPLOI = "emploi"
# Un objectif porte sur l'emploi ou sur un domaine de frein (docs/domaine.md §3).
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
    def non_terminees(self) -> ActionQuerySet:
        return self.exclude(statut__in=STATUTS_ACTION_TERMINES)

    def en_retard(self, aujourd_hui=None) -> ActionQuerySet:
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
    def lisibles_par(self, membership) -> NoteQuerySet:
        """Les notes que `dossiers.suivi.perms.peut_lire_note` laisse lire, clause pour
        clause : celles des dossiers que le rattachement voit en entier, et parmi elles les
        partagées, les sociales pour le côté social, les privées de leur seul auteur."""
        if membership is None:
            return self.none()
        condition = Q(visibilite=VisibiliteNote.PARTAGEE) | Q(
            visibilite=VisibiliteNote.PRIVEE, auteur_id=membership.user_id
        )
        if est_cote_social(membership):
            condition |= Q(visibilite=VisibiliteNote.SOCIALE)
        return self.filter(
            condition, dossier__in=Dossier.objects.visibles_en_entier_par(membership)
        )


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
    # Rendez-vous à venir annulé à la clôture du dossier (docs/suivi-parcours.md).
    ANNULE = "annule", "Annulé (dossier clos)"


# On note la présence une fois (et on peut la corriger) ; on ne revient jamais à « prévu ».
TRANSITIONS_PRESENCE = {
    Presence.PREVU: {Presence.PRESENT, Presence.ABSENT, Presence.EXCUSE},
    Presence.PRESENT: {Presence.ABSENT, Presence.EXCUSE},
    Presence.ABSENT: {Presence.PRESENT, Presence.EXCUSE},
    Presence.EXCUSE: {Presence.PRESENT, Presence.ABSENT},
    Presence.ANNULE: set(),
}


class RendezVousQuerySet(models.QuerySet):
    def a_venir(self, maintenant=None) -> RendezVousQuerySet:
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
    def lisibles_par(self, membership) -> DocumentQuerySet:
        """Les documents que `dossiers.suivi.perms.peut_lire_document` laisse lire, clause
        pour clause : ceux des dossiers que le rattachement voit en entier, les
        confidentiels pour le seul côté social."""
        if membership is None:
            return self.none()
        qs = self.filter(dossier__in=Dossier.objects.visibles_en_entier_par(membership))
        return qs if est_cote_social(membership) else qs.filter(confidentiel=False)


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
    # Demande en attente annulée à la clôture du dossier.
    ANNULEE = "annulee", "Annulée (dossier clos)"


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
                )
                | (
                    Q(decision="annulee")
                    & Q(montant_accorde__isnull=True)
                    & Q(date_decision__isnull=False)
                ),
                name="aide_decision_coherente",
                violation_error_message=(
                    "Une aide accordée a un montant (au plus le montant demandé) et une date ; "
                    "un refus est daté et motivé ; une annulation est datée."
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
