"""Formulaires des comités : ils valident la saisie, les services décident."""

from django import forms

from accompagnement.models import Institution, Membership, Structure, TypeStructure
from dossiers.models import Axe, MotifSortie, RoleAffectation
from dossiers.parcours.forms import DateInput
from dossiers.suivi.forms import DateHeureInput

from .models import MotifSignalement, TypeDecision, TypeSeance


class ProfessionnelField(forms.ModelChoiceField):
    def label_from_instance(self, m: Membership) -> str:
        return f"{m.user} — {m.get_role_display()}, {m.structure}"


class SeanceForm(forms.Form):
    type = forms.ChoiceField(label="Type de comité", choices=TypeSeance.choices)
    debut = forms.DateTimeField(label="Date et heure", widget=DateHeureInput())
    lieu = forms.CharField(label="Lieu", max_length=200)
    territoire = forms.ModelChoiceField(
        label="Territoire",
        queryset=Structure.objects.none(),
        required=False,
        empty_label="— Tout le département —",
        help_text="Un territoire : l'ordre du jour ne reprend que ses dossiers.",
    )

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = Structure.objects.filter(
            departement=departement, type=TypeStructure.TERRITOIRE_SOCIAL, actif=True
        ).order_by("nom")


class ParticipantForm(forms.Form):
    membership = ProfessionnelField(
        label="Professionnel de l'outil",
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="— Participant extérieur (saisir ci-dessous) —",
    )
    nom = forms.CharField(label="Nom du participant extérieur", max_length=200, required=False)
    institution = forms.ChoiceField(
        label="Institution du participant extérieur",
        choices=[("", "—"), *Institution.choices],
        required=False,
    )

    def __init__(self, *args, professionnels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = professionnels


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision", choices=[("", "— Choisir —"), *TypeDecision.choices]
    )
    avis = forms.CharField(
        label="Avis du comité",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ce que le comité recommande, s'il diffère de la décision. Sans détail de santé.",
    )
    motivation = forms.CharField(
        label="Motivation de la décision",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Elle figure au compte rendu et au journal du dossier. Sans détail de santé.",
    )
    axe = forms.ChoiceField(
        label="Axe (pour une orientation)", choices=[("", "—"), *Axe.choices], required=False
    )
    accord_personne = forms.BooleanField(
        label="La personne a donné son accord (orientation, changement d'axe, renouvellement)",
        required=False,
    )
    motif_sortie = forms.ChoiceField(
        label="Motif de sortie (pour une sortie)",
        choices=[("", "—"), *MotifSortie.choices],
        required=False,
    )
    annuler_en_cours = forms.BooleanField(
        label="À la sortie, annuler les actions, aides et rendez-vous en cours", required=False
    )
    place = forms.ChoiceField(
        label="Place à confier (pour une affectation)",
        choices=[("", "—"), *RoleAffectation.choices],
        required=False,
    )
    professionnel = ProfessionnelField(
        label="Professionnel à qui la confier",
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="uuid",
    )
    prochaine_etape = forms.CharField(label="Prochaine étape", max_length=300, required=False)
    echeance = forms.DateField(label="Échéance", required=False, widget=DateInput())
    responsable = ProfessionnelField(
        label="Responsable de la prochaine étape",
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="uuid",
    )

    def __init__(self, *args, professionnels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professionnel"].queryset = professionnels
        self.fields["responsable"].queryset = professionnels

    def clean(self):
        donnees = super().clean()
        if donnees.get("prochaine_etape") and not (
            donnees.get("echeance") and donnees.get("responsable")
        ):
            self.add_error("echeance", "Une prochaine étape a une échéance et un responsable.")
        return donnees


class SignalementForm(forms.Form):
    motif = forms.ChoiceField(label="Motif", choices=MotifSignalement.choices)
    raison = forms.CharField(
        label="Ce que le comité doit examiner",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Quelques phrases, sans détail médical ni intime.",
    )
    reserve_social = forms.BooleanField(
        label="Réservé au côté social (la raison n'est pas lue par les participants France Travail)",
        required=False,
    )
