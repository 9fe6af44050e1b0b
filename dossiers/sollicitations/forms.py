"""Formulaires et filtre des sollicitations : ils valident la saisie, les services
(dossiers/sollicitations.py) décident."""

from __future__ import annotations

import django_filters
from django import forms

from accompagnement.models import Membership
from accompagnement.referentiels import DomaineFrein
from dossiers.models import ModeSollicitation, Sollicitation, StatutSollicitation
from dossiers.parcours.lectures import correspondants_du_territoire

A_TRAITER = "a_traiter"


class ChoixServiceForm(forms.Form):
    """Recherche d'un service à solliciter (GET)."""

    domaine = forms.ChoiceField(
        label="Domaine de frein visé",
        required=False,
        choices=[("", "— Tous les domaines —"), *DomaineFrein.choices],
        help_text="Les services de ce domaine sont proposés en premier.",
    )
    q = forms.CharField(
        label="Rechercher un service",
        required=False,
        max_length=100,
        help_text="Nom, structure, commune ou thématique (ex. : garde d'enfants, Besançon).",
    )


class CorrespondantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} — {obj.structure}"


class SollicitationForm(forms.ModelForm):
    mode = forms.ChoiceField(
        label="Comment solliciter le service ?", widget=forms.RadioSelect, choices=()
    )
    correspondant = CorrespondantChoiceField(
        label="Correspondant insertion",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="— Choisir —",
        help_text="Le correspondant insertion du territoire du dossier, qui transmettra et suivra la demande.",
    )

    class Meta:
        model = Sollicitation
        fields = ["domaine", "besoin", "preference_contact", "coordonnees_contact", "mode"]
        widgets = {"besoin": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}

    def __init__(self, *args, dossier, service, courriel_service: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domaine"].choices = [("", "— Choisir —"), *DomaineFrein.choices]
        correspondants = correspondants_du_territoire(dossier)
        self.fields["correspondant"].queryset = correspondants
        modes = []
        if courriel_service:
            modes.append(
                (
                    ModeSollicitation.DIRECT,
                    f"Directement auprès du service : un lien de réponse est envoyé à {courriel_service}",
                )
            )
        if dossier.territoire_id:
            modes.append(
                (
                    ModeSollicitation.CORRESPONDANT,
                    f"Via le correspondant insertion du territoire ({dossier.territoire})",
                )
            )
        self.fields["mode"].choices = modes
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0][0]
        if len(correspondants) == 1:
            self.fields["correspondant"].initial = correspondants[0].pk
        if not self.initial.get("domaine") and len(service.domaines) == 1:
            self.initial["domaine"] = service.domaines[0]
        self.modes_disponibles = modes
        self.accord_transmission = dossier.demandeur.accord_transmission
        if not self.accord_transmission:
            self.fields["coordonnees_contact"].help_text = (
                "Pas d'accord de la personne enregistré sur sa fiche : laissez ce champ vide "
                "(le partenaire passera par vous), ou notez d'abord son accord."
            )
        self.order_fields(
            ["domaine", "besoin", "preference_contact", "coordonnees_contact", "mode"]
        )

    def clean(self):
        donnees = super().clean()
        if (donnees.get("coordonnees_contact") or "").strip() and not self.accord_transmission:
            self.add_error(
                "coordonnees_contact",
                "La personne n'a pas donné son accord pour transmettre ses coordonnées : "
                "notez-le d'abord sur sa fiche (« Information et accord »), ou laissez ce "
                "champ vide.",
            )
        if donnees.get("mode") == ModeSollicitation.CORRESPONDANT and not donnees.get(
            "correspondant"
        ):
            self.add_error("correspondant", "Désignez le correspondant insertion du territoire.")
        return donnees


class VersionForm(forms.Form):
    """Confirmation d'une étape ; `version` protège d'une décision prise sur un état périmé."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptationForm(VersionForm):
    precisions = forms.CharField(
        label="Précisions pour le professionnel (facultatif)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : rendez-vous proposé, pièces à apporter.",
    )


class RefusForm(VersionForm):
    motif = forms.CharField(
        label="Motif du refus",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire : il est transmis au professionnel qui a sollicité.",
    )


class ReponsePartenaireForm(VersionForm):
    decision = forms.ChoiceField(
        label="Votre réponse",
        widget=forms.RadioSelect,
        choices=[
            ("accepter", "J'accepte : nous prendrons contact avec la personne"),
            ("refuser", "Je refuse"),
        ],
    )
    precisions = forms.CharField(
        label="Précisions (facultatif)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : rendez-vous proposé, pièces à apporter.",
    )
    motif = forms.CharField(
        label="Motif du refus",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire en cas de refus.",
    )

    def clean(self):
        donnees = super().clean()
        if donnees.get("decision") == "refuser" and not (donnees.get("motif") or "").strip():
            self.add_error("motif", "Indiquez le motif du refus.")
        return donnees


class FileFilter(django_filters.FilterSet):
    """File des sollicitations à traiter : « à traiter » (envoyées ou à l'étude) par défaut."""

    statut = django_filters.ChoiceFilter(
        label="Statut",
        choices=[
            (A_TRAITER, "À traiter (envoyées ou à l'étude)"),
            *[c for c in StatutSollicitation.choices if c[0] != StatutSollicitation.BROUILLON],
        ],
        empty_label="Tous les statuts",
        method="filtrer_statut",
    )
    domaine = django_filters.ChoiceFilter(
        label="Domaine", choices=DomaineFrein.choices, empty_label="Tous les domaines"
    )

    class Meta:
        model = Sollicitation
        fields = ["statut", "domaine"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if "statut" not in data:
            data["statut"] = A_TRAITER
        super().__init__(data, *args, **kwargs)

    def filtrer_statut(self, queryset, name, value):
        if value == A_TRAITER:
            return queryset.filter(
                statut__in=[StatutSollicitation.ENVOYEE, StatutSollicitation.A_L_ETUDE]
            )
        return queryset.filter(statut=value)
