"""Formulaires du suivi (plan d'action, notes, rendez-vous, documents, aides) : ils
valident la saisie, les services de dossiers/suivi.py décident."""

from django import forms
from django.utils import timezone

from accompagnement.models import User
from accompagnement.perms import est_cote_social
from accompagnement.texte import minuscule_initiale
from conventions.models import ServiceRessource
from dossiers.models import (
    DOMAINE_EMPLOI,
    DOMAINES_OBJECTIF,
    TRANSITIONS_ACTION,
    TRANSITIONS_DEMANDE_IMPORTANTE,
    TRANSITIONS_PRESENCE,
    CategorieDocument,
    CotePorteur,
    Presence,
    Sollicitation,
    StatutAction,
    StatutDemandeImportante,
    StatutSollicitation,
    TypeDemandeImportante,
    TypeRendezVous,
    VisibiliteNote,
)
from dossiers.parcours.forms import DateInput
from dossiers.suivi import perms
from dossiers.suivi.services import LONGUEUR_MAX_NOTE

AVERTISSEMENT_SANTE = (
    "Pas de détail de santé dans une note partagée : le conseiller et la coordination la "
    "lisent. Réservez-les à une note sociale."
)
SANS_SANTE = "Quelques mots, sans détail de santé."


class DateHeureInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MontantInput(forms.TextInput):
    """Saisie à la française (« 150,50 ») : un champ texte, clavier numérique sur mobile."""

    def __init__(self, **kwargs):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off"}, **kwargs)


class MontantField(forms.DecimalField):
    """Un montant en euros tel qu'on l'écrit : « 1 234,56 », « 1234.56 », « 80 € »."""

    widget = MontantInput

    def to_python(self, value):
        if isinstance(value, str):
            for caractere in (" ", "\u00a0", "\u202f", "€"):
                value = value.replace(caractere, "")
            value = value.replace(",", ".")
        return super().to_python(value)


def _montant(label: str, **kwargs) -> forms.DecimalField:
    return MontantField(
        label=label,
        max_digits=8,
        decimal_places=2,
        min_value=0.01,
        help_text="En euros, par exemple 150,50.",
        **kwargs,
    )


class ProfessionnelChoice(forms.ModelChoiceField):
    """Un professionnel affecté au dossier, avec sa place et sa structure (« Nadia Benali —
    travailleur social du binôme (axe 2) (Territoire d'action sociale de Besançon) »)."""

    def __init__(self, *args, places: dict, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def label_from_instance(self, user):
        return f"{user} — {self.places.get(user.pk, '')}"


class ProfessionnelsChoice(forms.ModelMultipleChoiceField):
    def __init__(self, *args, places: dict, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def label_from_instance(self, user):
        return f"{user} — {self.places.get(user.pk, '')}"


def _professionnels_du_dossier(dossier):
    """(queryset, {user_id: places lisibles}) des professionnels qui tiennent une place
    ouverte ; les affectations sont préchargées par la vue."""
    places: dict[int, list[str]] = {}
    structures: dict[int, str] = {}
    for a in dossier.affectations.all():
        if a.date_fin is None:
            places.setdefault(a.professionnel_id, []).append(
                minuscule_initiale(a.get_role_display())
            )
            structures.setdefault(a.professionnel_id, a.structure.nom)
    # La structure départage deux homonymes (« Julien Marchand » de deux agences).
    libelles = {pk: f"{', '.join(noms)} ({structures[pk]})" for pk, noms in places.items()}
    return User.objects.filter(pk__in=places).order_by("nom", "prenom"), libelles


# --- Plan d'action -------------------------------------------------------------------------


class ObjectifForm(forms.Form):
    domaine = forms.ChoiceField(
        label="Domaine",
        choices=[("", "— Choisir —"), *DOMAINES_OBJECTIF],
        help_text="L'emploi, ou le domaine du frein que l'objectif vise à lever.",
    )
    intitule = forms.CharField(
        label="Objectif",
        max_length=300,
        help_text="Ex. : « Trouver un mode de garde pour suivre la formation ».",
    )


class ActionForm(forms.Form):
    intitule = forms.CharField(label="Action", max_length=300, help_text=SANS_SANTE)
    cote = forms.ChoiceField(
        label="Côté porteur", choices=CotePorteur.choices, widget=forms.RadioSelect
    )
    responsable = forms.ModelChoiceField(queryset=User.objects.none(), label="Responsable")
    date_debut = forms.DateField(label="Début", widget=DateInput())
    date_fin_prevue = forms.DateField(label="Fin prévue", widget=DateInput())
    ressource = forms.ModelChoiceField(
        queryset=ServiceRessource.objects.none(),
        required=False,
        label="Ressource mobilisée (facultatif)",
        empty_label="— Aucune —",
        help_text="Un service de la base de ressources du département.",
    )
    commentaire = forms.CharField(
        label="Précisions (facultatif)", max_length=500, required=False, help_text=SANS_SANTE
    )
    sollicitation = forms.ModelChoiceField(
        queryset=Sollicitation.objects.none(),
        required=False,
        label="Sollicitation liée (facultatif)",
        empty_label="— Aucune —",
        help_text="Quand la sollicitation sera réalisée, l'action le sera aussi.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dossier, objectif, membership, **kwargs):
        super().__init__(*args, **kwargs)
        # En modification, la version lue est exigée (verrouillage optimiste).
        self.fields["version"].required = "version" in self.initial
        queryset, libelles = _professionnels_du_dossier(dossier)
        self.fields["responsable"] = ProfessionnelChoice(
            queryset=queryset, places=libelles, label="Responsable", empty_label="— Choisir —"
        )
        ressources = ServiceRessource.objects.filter(
            departement_id=dossier.departement_id, actif=True
        ).only("uuid", "nom", "departement_id")
        if objectif.domaine != DOMAINE_EMPLOI:
            ressources = ressources.filter(domaines__contains=[objectif.domaine])
        self.fields["ressource"].queryset = ressources.order_by("nom")
        if "version" in self.initial:
            del self.fields["sollicitation"]  # le lien se choisit à la création
        else:
            self.fields["sollicitation"].queryset = (
                Sollicitation.objects.filter(dossier=dossier)
                .exclude(statut__in=[StatutSollicitation.REFUSEE, StatutSollicitation.EXPIREE])
                .select_related("service")
            )
            self.fields["sollicitation"].label_from_instance = lambda s: (
                f"{s.service.nom} — {s.get_statut_display().lower()}"
            )
        if not self.is_bound and "version" not in self.initial:
            self.initial.setdefault("date_debut", timezone.localdate())
            self.initial.setdefault(
                "cote", CotePorteur.SOCIAL if est_cote_social(membership) else CotePorteur.EMPLOI
            )
            if membership.user_id in libelles:
                self.initial.setdefault("responsable", membership.user_id)

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin_prevue")
        if debut and fin and fin < debut:
            self.add_error("date_fin_prevue", "La fin prévue ne peut pas précéder le début.")
        return donnees


class StatutActionForm(forms.Form):
    statut = forms.ChoiceField(label="Nouveau statut")
    date = forms.DateField(
        label="Terminée le",
        required=False,
        widget=DateInput(),
        help_text="Pour une action réalisée, abandonnée ou annulée (aujourd'hui par défaut).",
    )
    commentaire = forms.CharField(
        label="Précisions (facultatif)", max_length=500, required=False, help_text=SANS_SANTE
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        suivants = TRANSITIONS_ACTION[StatutAction(action.statut)]
        self.fields["statut"].choices = [
            (valeur, libelle) for valeur, libelle in StatutAction.choices if valeur in suivants
        ]


# --- Notes ---------------------------------------------------------------------------------


class NoteForm(forms.Form):
    visibilite = forms.ChoiceField(label="Qui pourra la lire", widget=forms.RadioSelect)
    texte = forms.CharField(
        label="Note",
        max_length=LONGUEUR_MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=AVERTISSEMENT_SANTE,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        permises = perms.visibilites_note_permises(membership)
        self.fields["visibilite"].choices = [
            (valeur, libelle) for valeur, libelle in VisibiliteNote.choices if valeur in permises
        ]
        self.initial.setdefault("visibilite", VisibiliteNote.PARTAGEE)


# --- Rendez-vous ---------------------------------------------------------------------------


class RendezVousForm(forms.Form):
    debut = forms.DateTimeField(label="Date et heure", widget=DateHeureInput())
    type = forms.ChoiceField(label="Type", choices=TypeRendezVous.choices)
    participants = forms.ModelMultipleChoiceField(queryset=User.objects.none())
    lieu = forms.CharField(label="Lieu (facultatif)", max_length=200, required=False)
    objet = forms.CharField(
        label="Objet (facultatif)", max_length=300, required=False, help_text=SANS_SANTE
    )

    def __init__(self, *args, dossier, membership, **kwargs):
        super().__init__(*args, **kwargs)
        queryset, libelles = _professionnels_du_dossier(dossier)
        self.fields["participants"] = ProfessionnelsChoice(
            queryset=queryset,
            places=libelles,
            label="Professionnels participants",
            widget=forms.CheckboxSelectMultiple,
            help_text="Tripartite : cochez le conseiller et le travailleur social.",
        )
        if membership.user_id in libelles:
            self.initial.setdefault("participants", [membership.user_id])


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(label="La personne était", widget=forms.RadioSelect)

    def __init__(self, *args, rendez_vous, **kwargs):
        super().__init__(*args, **kwargs)
        suivantes = TRANSITIONS_PRESENCE[Presence(rendez_vous.presence)]
        self.fields["presence"].choices = [
            (valeur, libelle) for valeur, libelle in Presence.choices if valeur in suivantes
        ]


# --- Documents -----------------------------------------------------------------------------


class DocumentForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier",
        help_text="PDF, image PNG ou JPEG, document ODT, DOCX ou XLSX ; 10 Mo au plus.",
        error_messages={
            "required": "Choisissez le fichier à déposer.",
            "empty": "Ce fichier est vide.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.odt,.docx,.xlsx"}),
    )
    categorie = forms.ChoiceField(
        label="Catégorie", choices=[("", "— Choisir —"), *CategorieDocument.choices]
    )
    confidentiel = forms.BooleanField(
        label="Confidentiel : réservé aux professionnels du côté social",
        required=False,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        if not perms.peut_marquer_confidentiel(membership):
            del self.fields["confidentiel"]


# --- Aides ---------------------------------------------------------------------------------


class AideForm(forms.Form):
    montant_demande = _montant("Montant demandé")
    motif = forms.CharField(label="Motif", max_length=500, help_text=SANS_SANTE)
    date_demande = forms.DateField(label="Demandée le", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date_demande", timezone.localdate())


class DecisionAideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accorder", "Accordée"), ("refuser", "Refusée")],
        widget=forms.RadioSelect,
    )
    montant_accorde = _montant("Montant accordé", required=False)
    date_decision = forms.DateField(label="Décidée le", widget=DateInput())
    commentaire = forms.CharField(
        label="Motif de la décision",
        max_length=500,
        required=False,
        help_text="Obligatoire pour un refus.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date_decision", timezone.localdate())

    def clean(self):
        donnees = super().clean()
        if donnees.get("decision") == "accorder" and not donnees.get("montant_accorde"):
            self.add_error("montant_accorde", "Indiquez le montant accordé.")
        if donnees.get("decision") == "refuser" and not donnees.get("commentaire", "").strip():
            self.add_error("commentaire", "Indiquez le motif du refus.")
        return donnees


class DemandeImportanteForm(forms.Form):
    type = forms.ChoiceField(
        label="Type de demande", choices=[("", "— Choisir —"), *TypeDemandeImportante.choices]
    )
    objet = forms.CharField(label="Objet de la demande", max_length=500, help_text=SANS_SANTE)
    organisme = forms.CharField(
        label="Instance saisie (facultatif)",
        max_length=200,
        required=False,
        help_text="Ex. : commission FSL, CCAPEX, direction académique.",
    )


class StatutDemandeImportanteForm(forms.Form):
    statut = forms.ChoiceField(label="Nouveau statut")
    motif_refus = forms.CharField(
        label="Motif du refus", max_length=500, required=False, help_text="Pour un refus."
    )

    def __init__(self, *args, demande, **kwargs):
        super().__init__(*args, **kwargs)
        suivants = TRANSITIONS_DEMANDE_IMPORTANTE[StatutDemandeImportante(demande.statut)]
        self.fields["statut"].choices = [
            (valeur, libelle)
            for valeur, libelle in StatutDemandeImportante.choices
            if valeur in suivants
        ]

    def clean(self):
        donnees = super().clean()
        if (
            donnees.get("statut") == StatutDemandeImportante.REFUSEE
            and not donnees.get("motif_refus", "").strip()
        ):
            self.add_error("motif_refus", "Indiquez le motif du refus.")
        return donnees
