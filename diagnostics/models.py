"""Diagnostic partagé emploi / social (docs/domaine.md §3) : une version par évaluation, deux
volets (emploi par le conseiller, social par le travailleur social), information et
accord de la personne, co-validation, recommandation d'axe et décision conjointe."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accompagnement.historique import suivre
from accompagnement.referentiels import DomaineFrein
from dossiers.models import Axe, Dossier, NiveauQualification


class ModeInformation(models.TextChoices):
    ENTRETIEN = "entretien", "En entretien"
    TELEPHONE = "telephone", "Par téléphone"
    VISIO = "visio", "En visioconférence"
    COURRIER = "courrier", "Par courrier ou courriel"


class SituationPro(models.TextChoices):
    SANS_ACTIVITE = "sans_activite", "Sans activité"
    ACTIVITE_REDUITE = "activite_reduite", "En activité réduite"
    CONTRAT_AIDE = "contrat_aide", "En contrat aidé ou IAE"
    FORMATION = "formation", "En formation"
    AUTRE = "autre", "Autre"


class Anciennete(models.TextChoices):
    MOINS_6 = "moins_6", "Moins de 6 mois"
    DE_6_A_12 = "6_12", "6 à 12 mois"
    DE_12_A_24 = "12_24", "12 à 24 mois"
    PLUS_24 = "plus_24", "Plus de 24 mois"


class TypeContrat(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    ALTERNANCE = "alternance", "Alternance"
    INDIFFERENT = "indifferent", "Indifférent"


class TempsTravail(models.TextChoices):
    PLEIN = "plein", "Temps plein"
    PARTIEL = "partiel", "Temps partiel"
    INDIFFERENT = "indifferent", "Indifférent"


class Capacite(models.TextChoices):
    OUI = "oui", "Oui"
    PARTIELLEMENT = "partiellement", "Partiellement"
    NON = "non", "Non"


class EvaluationBesoin(models.TextChoices):
    POINT_FORT = "point_fort", "Point fort"
    BESOIN = "besoin", "Besoin"
    NON_EXPLORE = "non_explore", "Non exploré"


# Besoins professionnels évalués dans le volet emploi.
BESOINS_PROFESSIONNELS = {
    "projet": "Définir ou confirmer un projet professionnel",
    "techniques": "Techniques de recherche d'emploi (CV, candidature, entretien)",
    "competences": "Compétences et qualification pour le métier visé",
    "experience": "Expérience récente du métier",
    "savoir_etre": "Savoir-être professionnels",
    "numerique_emploi": "Usage du numérique pour la recherche d'emploi",
    "reseau": "Réseau et connaissance du marché du travail",
}


class Presence(models.TextChoices):
    NON_ABORDE = "non_aborde", "Non abordé"
    ABSENT = "absent", "Absent"
    PRESENT = "present", "Présent"


class Impact(models.TextChoices):
    FORT = "fort", "Fort"
    MOYEN = "moyen", "Moyen"
    SANS_IMPACT = "sans_impact", "Sans impact"


ORDRE_IMPACT = {"": 0, Impact.SANS_IMPACT: 1, Impact.MOYEN: 2, Impact.FORT: 3}


class StatutFrein(models.TextChoices):
    IDENTIFIE = "identifie", "Identifié"
    EN_COURS = "en_cours", "En cours de traitement"
    LEVE = "leve", "Levé"


# --- Règle « un frein pèse » : définie ici seulement ---------------------------------------
# Un frein présent et non levé pèse : sur la recommandation d'axe (définitive et
# provisoire), dans la comparaison de deux versions, sur les ressources proposées aux
# sollicitations et dans le bilan. Le modèle Frein et les lignes allégées de
# diagnostics/lecture.py appellent ces fonctions ; FreinQuerySet.qui_pesent() en est la
# traduction SQL.


def frein_present(presence: str) -> bool:
    """Le frein a été constaté (présence « présent »), quel que soit son statut."""
    return presence == Presence.PRESENT


def frein_pese(presence: str, statut: str) -> bool:
    """Le frein pèse : présent et non levé."""
    return frein_present(presence) and statut != StatutFrein.LEVE


Q_FREIN_PESE = Q(presence=Presence.PRESENT) & ~Q(statut=StatutFrein.LEVE)


# Situations observées proposées par domaine (liste fermée, extensible par « autre »).
SITUATIONS = {
    DomaineFrein.MOBILITE: [
        "Pas de permis",
        "Pas de véhicule",
        "Transports en commun absents",
        "Coût des déplacements",
        "Mobilité réduite",
    ],
    DomaineFrein.FAMILLE: [
        "Garde d'enfant",
        "Famille monoparentale",
        "Proche aidant",
        "Difficultés de parentalité",
        "Séparation",
    ],
    DomaineFrein.SANTE: [
        "Problème de santé physique",
        "Souffrance psychique",
        "Addiction",
        "Handicap",
        "Accès aux soins",
    ],
    DomaineFrein.SAVOIRS_DE_BASE: ["Lecture", "Écriture", "Calcul", "Français langue étrangère"],
    DomaineFrein.LOGEMENT: [
        "Sans logement",
        "Hébergement précaire",
        "Logement inadapté",
        "Impayés de loyer",
        "Procédure d'expulsion",
    ],
    DomaineFrein.FINANCES: [
        "Ressources insuffisantes",
        "Surendettement",
        "Difficulté de gestion du budget",
        "Aide alimentaire",
    ],
    DomaineFrein.ADMINISTRATIF_JURIDIQUE: [
        "Droits non ouverts",
        "Titre de séjour",
        "Démarches administratives",
        "Procédure judiciaire",
    ],
    DomaineFrein.NUMERIQUE: ["Pas d'équipement", "Pas de connexion", "Peu d'autonomie numérique"],
    DomaineFrein.ISOLEMENT: [
        "Isolement social",
        "Perte de confiance",
        "Longue période d'inactivité",
    ],
}


class DiagnosticQuerySet(models.QuerySet):
    def partages(self):
        return self.filter(emploi_valide_le__isnull=False, social_valide_le__isnull=False)


class Diagnostic(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="diagnostics")
    numero = models.PositiveSmallIntegerField("version")
    precedent = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="suivant"
    )
    cree_le = models.DateTimeField(default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # Information et accord de la personne (base légale : mission de service public ;
    # l'entrée en axe 2 ou 3 exige néanmoins son accord, tracé ici).
    information_le = models.DateField("personne informée le", null=True, blank=True)
    information_mode = models.CharField(
        "informée comment", max_length=12, choices=ModeInformation.choices, blank=True
    )
    accord_personne = models.BooleanField("accord de la personne", default=False)

    # Volet emploi (conseiller).
    situation_pro = models.CharField(
        "situation professionnelle", max_length=20, choices=SituationPro.choices, blank=True
    )
    anciennete_inscription = models.CharField(
        "ancienneté d'inscription", max_length=10, choices=Anciennete.choices, blank=True
    )
    dernier_emploi = models.CharField(max_length=150, blank=True)
    fin_dernier_emploi = models.DateField("fin du dernier emploi", null=True, blank=True)
    niveau_qualification = models.CharField(
        max_length=5, choices=NiveauQualification.choices, blank=True
    )
    formation = models.TextField("formation", blank=True)
    metiers = models.JSONField(
        "métiers recherchés",
        default=list,
        blank=True,
        help_text='[{"code_rome": "K1302", "libelle": "Aide à domicile"}]',
    )
    type_contrat = models.CharField(max_length=12, choices=TypeContrat.choices, blank=True)
    temps_travail = models.CharField(
        "temps de travail", max_length=12, choices=TempsTravail.choices, blank=True
    )
    rayon_mobilite_km = models.PositiveSmallIntegerField(
        "rayon de mobilité (km)", null=True, blank=True
    )
    permis_b = models.BooleanField("permis B", default=False)
    vehicule = models.BooleanField("véhicule", default=False)
    besoins = models.JSONField("besoins professionnels", default=dict, blank=True)
    capacite_recherche = models.CharField(
        "capacité à engager une recherche d'emploi maintenant",
        max_length=15,
        choices=Capacite.choices,
        blank=True,
    )
    commentaire_emploi = models.TextField("commentaire (volet emploi)", blank=True)

    # Verrouillage optimiste : chaque volet a son numéro de révision.
    revision_emploi = models.PositiveIntegerField(default=0)
    revision_social = models.PositiveIntegerField(default=0)

    # Co-validation.
    emploi_valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    emploi_valide_le = models.DateTimeField(null=True, blank=True)
    social_valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_valide_le = models.DateTimeField(null=True, blank=True)

    # Recommandation calculée à la co-validation (règle expliquée dans docs/domaine.md §3).
    axe_recommande = models.CharField(max_length=1, choices=Axe.choices, blank=True)
    raisons_recommandation = models.JSONField(default=list, blank=True)

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "numero"], name="diagnostic_version_unique"),
            models.CheckConstraint(
                condition=Q(emploi_valide_le__isnull=True) | Q(emploi_valide_par__isnull=False),
                name="diagnostic_validation_emploi_signee",
            ),
            models.CheckConstraint(
                condition=Q(social_valide_le__isnull=True) | Q(social_valide_par__isnull=False),
                name="diagnostic_validation_sociale_signee",
            ),
            models.CheckConstraint(
                condition=(Q(emploi_valide_le__isnull=True) & Q(social_valide_le__isnull=True))
                | (Q(information_le__isnull=False) & ~Q(information_mode="")),
                name="diagnostic_validation_apres_information",
                violation_error_message="La personne doit être informée avant toute validation.",
            ),
        ]

    def __str__(self) -> str:
        return f"Diagnostic v{self.numero} — {self.dossier.demandeur}"

    @property
    def est_partage(self) -> bool:
        return self.emploi_valide_le is not None and self.social_valide_le is not None

    @property
    def emploi_valide(self) -> bool:
        return self.emploi_valide_le is not None

    @property
    def social_valide(self) -> bool:
        return self.social_valide_le is not None


class FreinQuerySet(models.QuerySet):
    def qui_pesent(self):
        """Les freins qui pèsent (présents et non levés) : frein_pese() en SQL."""
        return self.filter(Q_FREIN_PESE)


class Frein(models.Model):
    """Un domaine du volet social d'un diagnostic."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="freins")
    domaine = models.CharField(max_length=30, choices=DomaineFrein.choices)
    presence = models.CharField(
        "présence", max_length=12, choices=Presence.choices, default=Presence.NON_ABORDE
    )
    impact = models.CharField(max_length=12, choices=Impact.choices, blank=True)
    situations = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    commentaire = models.TextField(blank=True, help_text="Visible du seul côté social.")
    statut = models.CharField(max_length=10, choices=StatutFrein.choices, blank=True)
    statut_le = models.DateField("statut au", null=True, blank=True)

    objects = FreinQuerySet.as_manager()

    class Meta:
        ordering = ["diagnostic", "domaine"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "domaine"], name="frein_unique_par_domaine"
            ),
            models.CheckConstraint(
                condition=Q(presence="present") | (Q(impact="") & Q(statut="")),
                name="frein_impact_seulement_si_present",
                violation_error_message="Impact et statut ne concernent qu'un frein présent.",
            ),
            models.CheckConstraint(
                condition=Q(domaine__in=DomaineFrein.values), name="frein_domaine_valide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domaine_display()} : {self.get_presence_display()}"

    @property
    def est_present(self) -> bool:
        return frein_present(self.presence)

    @property
    def pese(self) -> bool:
        """Le frein pèse : présent et non levé (frein_pese)."""
        return frein_pese(self.presence, self.statut)

    @property
    def est_leve(self) -> bool:
        """Présent puis levé (le statut n'existe que pour un frein présent)."""
        return frein_present(self.presence) and self.statut == StatutFrein.LEVE


class DecisionOrientation(models.Model):
    """Décision conjointe prise sur un diagnostic partagé : elle ouvre la période sur l'axe
    (service dossiers.orienter) dans la même transaction."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    diagnostic = models.OneToOneField(Diagnostic, on_delete=models.CASCADE, related_name="decision")
    axe = models.CharField("axe décidé", max_length=1, choices=Axe.choices)
    axe_recommande = models.CharField(max_length=1, choices=Axe.choices)
    motif = models.TextField(blank=True)
    date = models.DateField()
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accord_personne = models.BooleanField(default=False)
    conseiller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    professionnel_social = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "décision d'orientation"
        constraints = [
            models.CheckConstraint(
                condition=Q(axe=models.F("axe_recommande")) | ~Q(motif=""),
                name="decision_ecart_motive",
                violation_error_message="Un axe différent de la recommandation exige un motif.",
            )
        ]

    def __str__(self) -> str:
        return f"Décision : {self.get_axe_display()}"


# --- Historique des écritures (décision 27) --------------------------------------------------
# Une table par modèle, remplie par déclencheurs ; département et personne du dossier.
_DU_DIAGNOSTIC = (
    '(SELECT d."{colonne}" FROM "dossiers_dossier" d JOIN "diagnostics_diagnostic" g'
    ' ON g."dossier_id" = d."id" WHERE g."id" = {{row}}."diagnostic_id")'
)
DiagnosticHistorique = suivre(
    Diagnostic,
    departement='(SELECT d."departement_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")',
    demandeur='(SELECT d."demandeur_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")',
    masquer=("formation", "commentaire_emploi", "dernier_emploi"),
)
FreinHistorique = suivre(
    Frein,
    departement=_DU_DIAGNOSTIC.format(colonne="departement_id"),
    demandeur=_DU_DIAGNOSTIC.format(colonne="demandeur_id"),
    masquer=("commentaire", "situations"),
)
DecisionOrientationHistorique = suivre(
    DecisionOrientation,
    departement=_DU_DIAGNOSTIC.format(colonne="departement_id"),
    demandeur=_DU_DIAGNOSTIC.format(colonne="demandeur_id"),
    masquer=("motif",),
)
