"""Formulaires des prescriptions : ils valident la saisie, les services décident."""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.utils import timezone

from accompagnement.models import Membership, Role, Structure, TypeStructure
from accompagnement.referentiels import DomaineFrein
from accompagnement.selecteurs import ChoixProfessionnel
from dossiers.models import AXES_PRESCRIPTION, ModeAccord
from dossiers.parcours.forms import DateInput

AVERTISSEMENT_MOTIF = (
    "Écrivez le strict nécessaire pour la prise en charge : aucun détail médical ni "
    "information intime. Les freins cochés suffisent ; leur détail sera vu au diagnostic "
    "partagé, avec le travailleur social."
)


def _territoires(departement):
    return (
        Structure.objects.du_departement(departement)
        .actives()
        .filter(type=TypeStructure.TERRITOIRE_SOCIAL)
        .order_by("nom")
    )


class PrescriptionForm(forms.Form):
    axe = forms.ChoiceField(
        label="Accompagnement proposé",
        choices=[
            (
                AXES_PRESCRIPTION[0].value,
                "Axe 2 — accompagnement global (binôme conseiller dédié et travailleur social)",
            ),
            (
                AXES_PRESCRIPTION[1].value,
                "Axe 3 — suivi social exclusif (réorientation vers le Département)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    freins = forms.MultipleChoiceField(
        label="Freins pressentis",
        choices=DomaineFrein.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    motif = forms.CharField(
        label="Motif de la demande",
        widget=forms.Textarea(attrs={"rows": 4, "aria-describedby": "avertissement-motif"}),
        max_length=2000,
    )
    accord_le = forms.DateField(
        label="Accord de la personne recueilli le", widget=DateInput(), initial=timezone.localdate
    )
    accord_mode = forms.ChoiceField(
        label="Accord recueilli", choices=ModeAccord.choices, widget=forms.RadioSelect
    )
    territoire = forms.ModelChoiceField(
        label="Territoire d'action sociale de la personne",
        queryset=Structure.objects.none(),
        help_text="Inconnu jusqu'ici : la demande est adressée aux correspondants insertion de ce territoire.",
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier.territoire_id is None:
            self.fields["territoire"].queryset = _territoires(dossier.departement_id)
        else:
            del self.fields["territoire"]

    def clean_accord_le(self):
        date = self.cleaned_data["accord_le"]
        if date > timezone.localdate():
            raise forms.ValidationError("L'accord ne peut pas être daté dans le futur.")
        return date


class DesignationForm(forms.Form):
    professionnel = forms.ModelChoiceField(
        label="Travailleur social",
        queryset=Membership.objects.none(),
        to_field_name="uuid",
        empty_label=None,
        help_text="Sans recherche, ceux du territoire du dossier d'abord, les moins chargés en "
        "premier ; "
        "la charge compte les places ouvertes (travailleur social du binôme, référent social).",
    )
    date = forms.DateField(label="À compter du", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["professionnel"]
        # Sélecteur à recherche : sans texte, les dix premiers de la liste ordonnée (ceux du
        # territoire d'abord, les moins chargés) ; le queryset valide le choix.
        champ.widget = ChoixProfessionnel(
            roles=[Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION], charge=True
        )
        champ.queryset = queryset.annotate(charge=F("total"))

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date de désignation ne peut pas être dans le futur.")
        return date


class RefusForm(forms.Form):
    motif = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Transmis au prescripteur, qui en est informé aussitôt.",
    )
    confirmation = forms.BooleanField(label="Je confirme le refus de cette demande", required=True)


class PrendreForm(forms.Form):
    date = forms.DateField(label="À compter du", widget=DateInput(), initial=timezone.localdate)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return date


class TerritoireForm(forms.Form):
    territoire = forms.ModelChoiceField(
        label="Territoire d'action sociale", queryset=Structure.objects.none()
    )

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = _territoires(departement)
