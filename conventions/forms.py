"""Formulaires de la base de ressources : dépôt d'un fichier data·inclusion, saisie des
structures et services locaux. Ils valident (y compris avec le schéma data·inclusion v1) ;
les écritures sont dans conventions/services.py et conventions/imports.py."""

from __future__ import annotations

import re
from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms

from . import datainclusion as di
from .imports import EXTENSIONS, TAILLE_MAX, ErreurFichier, lire_flux
from .models import ServiceRessource, StructureRessource
from .services import CHAMPS_SERVICE, CHAMPS_STRUCTURE, empreinte, erreurs_data_inclusion

# Codes acceptés dans une zone d'éligibilité (schéma data·inclusion v1).
CODE_ZONE = re.compile(r"^(\d{5}|2[AB]\d{3}|\d{2}|2[AB]|97\d|\d{9}|99\d{3}|france)$")


class DepotForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier data·inclusion",
        help_text=(
            "Export JSON (structures et services) ou CSV (un fichier de services, ou de "
            f"structures) au format data·inclusion v1, encodé en UTF-8, {TAILLE_MAX // 2**20} Mo "
            "au plus."
        ),
        widget=forms.FileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
        },
    )
    accepter_partiel = forms.BooleanField(
        label="Importer les éléments valides même si d'autres sont rejetés (import partiel)",
        help_text="Sinon, un seul élément rejeté et rien n'est importé.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot = None

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if Path(fichier.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("Déposez un fichier .json ou .csv.")
        try:
            self.lot = lire_flux(fichier, fichier.name, taille=fichier.size)
        except ErreurFichier as exc:
            raise forms.ValidationError(exc.erreurs) from exc
        return fichier


class ZoneField(forms.CharField):
    """« 25056, 25462 25 » → ["25056", "25462", "25"] (codes vérifiés)."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        texte = super().to_python(value) or ""
        return [c if c == "france" else c.upper() for c in re.split(r"[\s,;]+", texte) if c]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if invalides := [c for c in value if not CODE_ZONE.match(c)]:
            raise forms.ValidationError(
                f"Codes non reconnus : {', '.join(invalides)}. Attendus : code INSEE de "
                "commune (25056), de département (25), d'EPCI (9 chiffres) ou « france »."
            )


def _cases(table: dict[str, str]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=di.choix(table), widget=forms.CheckboxSelectMultiple, required=False
    )


class _RessourceForm(forms.ModelForm):
    CHAMPS: tuple[str, ...] = ()
    SERVICE = False
    # Verrouillage optimiste : l'empreinte de la fiche lue part avec le formulaire.
    empreinte = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["empreinte"] = empreinte(self.instance)

    def donnees(self) -> dict:
        return {nom: self.cleaned_data[nom] for nom in self.CHAMPS}

    def clean(self):
        """Les règles du schéma data·inclusion v1, en plus de celles du formulaire : pour
        les champs sans erreur, afin de tout signaler en une fois."""
        donnees = super().clean()
        valeurs = {nom: donnees.get(nom) for nom in self.CHAMPS if nom not in self.errors}
        for champ, message in erreurs_data_inclusion(valeurs, service=self.SERVICE):
            if champ in self.errors:
                continue
            if champ in self.fields:
                # « code postal : trop court… » → « Trop court… » (le libellé est affiché).
                raison = message.split(" : ", 1)[-1]
                self.add_error(champ, raison[:1].upper() + raison[1:])
            else:
                self.add_error(None, message)
        return donnees


def _lien(libelle: str) -> forms.URLField:
    return forms.URLField(label=libelle, max_length=500, required=False, assume_scheme="https")


class StructureForm(_RessourceForm):
    CHAMPS = CHAMPS_STRUCTURE
    site_web = _lien("Site web")
    reseaux_porteurs = forms.MultipleChoiceField(
        label="Réseaux porteurs",
        choices=di.choix(di.RESEAUX_PORTEURS),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Facultatif. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )

    class Meta:
        model = StructureRessource
        fields = CHAMPS_STRUCTURE
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"horaires_accueil": "Horaires d'accueil"}
        help_texts = {
            "siret": "14 chiffres, facultatif.",
            "code_insee": "Code INSEE de la commune (ex. 25056 pour Besançon).",
            "horaires_accueil": "Ex. : Mo-Fr 09:00-12:00,14:00-17:00 (format OpenStreetMap).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].help_text = "3 à 150 caractères."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "empreinte",
            Fieldset("Structure", "nom", "siret", "description", "reseaux_porteurs"),
            Fieldset(
                "Adresse",
                "adresse",
                "complement_adresse",
                Row(
                    Column("code_postal", css_class="col-md-3"),
                    Column("commune", css_class="col-md-6"),
                    Column("code_insee", css_class="col-md-3"),
                ),
            ),
            Fieldset("Contact", "telephone", "courriel", "site_web", "horaires_accueil"),
        )


class ServiceForm(_RessourceForm):
    CHAMPS = CHAMPS_SERVICE
    SERVICE = True

    structure = forms.ModelChoiceField(
        label="Structure porteuse",
        queryset=StructureRessource.objects.none(),
        to_field_name="uuid",
        empty_label="— Choisir la structure —",
    )
    type = forms.ChoiceField(
        label="Type de service",
        choices=[("", "— Non précisé —"), *di.choix(di.TYPES_SERVICE)],
        required=False,
    )
    thematiques = forms.MultipleChoiceField(
        label="Thématiques",
        choices=di.choix_thematiques(),
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text=(
            "Une ou plusieurs thématiques data·inclusion v1 (Ctrl ou Cmd pour en choisir "
            "plusieurs) : elles rattachent le service aux domaines de frein."
        ),
        error_messages={"required": "Choisissez au moins une thématique."},
    )
    publics = forms.MultipleChoiceField(
        choices=[(di.TOUS_PUBLICS, di.PUBLICS[di.TOUS_PUBLICS])]
        + [c for c in di.choix(di.PUBLICS) if c[0] != di.TOUS_PUBLICS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    frais = forms.ChoiceField(
        label="Frais",
        choices=[("", "Non précisé"), *di.choix(di.FRAIS)],
        widget=forms.RadioSelect,
        required=False,
    )
    zone_eligibilite = ZoneField(
        label="Zone d'éligibilité (codes INSEE)",
        help_text=(
            "Codes INSEE des communes (25056), du département (25), d'un EPCI (9 chiffres) ou "
            "« france », séparés par des virgules."
        ),
        error_messages={"required": "Indiquez au moins un code : commune ou département."},
    )
    modes_accueil = _cases(di.MODES_ACCUEIL)
    modes_mobilisation = _cases(di.MODES_MOBILISATION)
    mobilisable_par = _cases(di.MOBILISABLE_PAR)
    lien_mobilisation = _lien("Lien de mobilisation")

    class Meta:
        model = ServiceRessource
        fields = ("structure", *CHAMPS_SERVICE)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "conditions_acces": forms.Textarea(attrs={"rows": 2}),
            "publics_precisions": forms.Textarea(attrs={"rows": 2}),
            "frais_precisions": forms.Textarea(attrs={"rows": 2}),
            "mobilisation_precisions": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "publics": "Publics",
            "modes_accueil": "Modes d'accueil",
            "modes_mobilisation": "Modes de mobilisation",
            "mobilisable_par": "Mobilisable par",
            "contact_nom_prenom": "Contact (nom et prénom ou service)",
            "publics_precisions": "Précisions sur les publics",
            "frais_precisions": "Précisions sur les frais",
            "mobilisation_precisions": "Précisions sur la mobilisation",
            "horaires_accueil": "Horaires d'accueil",
            "conditions_acces": "Conditions d'accès",
        }

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = StructureRessource.objects.du_departement(
            departement
        ).order_by("nom", "pk")
        for nom, libelle in self.Meta.labels.items():
            self.fields[nom].label = libelle
        self.fields["nom"].help_text = "3 à 150 caractères, sans point final."
        self.fields["description"].required = True  # obligatoire dans le schéma v1
        self.fields["description"].help_text = "5 caractères au moins ; phrases courtes."
        if self.instance.pk:
            self.initial["frais"] = (self.instance.frais or [""])[0]
            self.initial["structure"] = self.instance.structure.uuid
        else:
            self.initial.setdefault("publics", [di.TOUS_PUBLICS])
            self.initial.setdefault("modes_accueil", ["en-presentiel"])
            self.initial.setdefault("mobilisable_par", ["professionnels"])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "empreinte",
            Fieldset("Service", "structure", "nom", "description", "type"),
            Fieldset("Thématiques et publics", "thematiques", "publics", "publics_precisions"),
            Fieldset(
                "Conditions",
                "zone_eligibilite",
                "conditions_acces",
                "frais",
                "frais_precisions",
            ),
            Fieldset(
                "Mobilisation",
                Row(
                    Column("modes_accueil", css_class="col-md-4"),
                    Column("modes_mobilisation", css_class="col-md-4"),
                    Column("mobilisable_par", css_class="col-md-4"),
                ),
                "mobilisation_precisions",
                "lien_mobilisation",
            ),
            Fieldset(
                "Contact et lieu",
                "telephone",
                "courriel",
                "contact_nom_prenom",
                "adresse",
                "complement_adresse",
                Row(
                    Column("code_postal", css_class="col-md-3"),
                    Column("commune", css_class="col-md-6"),
                    Column("code_insee", css_class="col-md-3"),
                ),
                "horaires_accueil",
            ),
        )

    def clean_frais(self):
        valeur = self.cleaned_data["frais"]
        return [valeur] if valeur else []

    def clean_publics(self):
        publics = self.cleaned_data["publics"]
        if di.TOUS_PUBLICS in publics and len(publics) > 1:
            raise forms.ValidationError("« Tous publics » ne se combine pas avec d'autres publics.")
        return publics
