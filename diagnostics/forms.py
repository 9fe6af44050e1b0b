"""Formulaires du diagnostic partagé : ils valident la saisie, les services décident
(verrouillage optimiste, règles de validation, décision conjointe)."""

from __future__ import annotations

import re

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator
from django.forms import fields_for_model, formset_factory
from django.utils import timezone

from accompagnement.models import Membership, Role
from accompagnement.referentiels import DOMAINES_SENSIBLES, DomaineFrein
from dossiers.models import ROLES_POUR_AFFECTATION, Axe, RoleAffectation

from .models import (
    BESOINS_PROFESSIONNELS,
    SITUATIONS,
    Diagnostic,
    EvaluationBesoin,
    Impact,
    ModeInformation,
    Presence,
    StatutFrein,
)

AUTRE = "Autre : "
CODE_ROME = re.compile(r"^[A-Z]\d{4}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _pas_dans_le_futur(valeur, libelle: str) -> None:
    if valeur and valeur > timezone.localdate():
        raise forms.ValidationError(f"{libelle} ne peut pas être dans le futur.")


class RevisionForm(forms.Form):
    """Numéro de révision du volet lu par l'utilisateur (verrouillage optimiste)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


# --- volet emploi ---------------------------------------------------------------------------

RAYON_MOBILITE_MAX_KM = 500  # au-delà, une saisie erronée (la colonne s'arrête à 32 767)

CHAMPS_EMPLOI_SIMPLES = [
    "situation_pro",
    "anciennete_inscription",
    "dernier_emploi",
    "fin_dernier_emploi",
    "niveau_qualification",
    "formation",
    "type_contrat",
    "temps_travail",
    "rayon_mobilite_km",
    "permis_b",
    "vehicule",
    "capacite_recherche",
    "commentaire_emploi",
]


class EmploiForm(RevisionForm):
    """Volet emploi : les champs du modèle, un choix par besoin professionnel ; les
    métiers recherchés sont dans un petit formset à part (MetiersFormSet)."""

    def __init__(self, *args, diagnostic: Diagnostic, **kwargs):
        initial = {c: getattr(diagnostic, c) for c in CHAMPS_EMPLOI_SIMPLES}
        initial.update({f"besoin_{cle}": v for cle, v in diagnostic.besoins.items()})
        initial["revision"] = diagnostic.revision_emploi
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(
            fields_for_model(
                Diagnostic,
                fields=CHAMPS_EMPLOI_SIMPLES,
                widgets={
                    "fin_dernier_emploi": DateInput(),
                    "formation": forms.Textarea(attrs={"rows": 2}),
                    "commentaire_emploi": forms.Textarea(attrs={"rows": 3}),
                },
                labels={
                    "dernier_emploi": "Dernier emploi occupé",
                    "niveau_qualification": "Niveau de qualification",
                    "formation": "Formation (diplômes, certifications)",
                    "type_contrat": "Type de contrat recherché",
                    "temps_travail": "Temps de travail souhaité",
                    "vehicule": "Véhicule disponible",
                },
            )
        )
        for champ in self.fields.values():
            if isinstance(champ, forms.ChoiceField) and champ.choices:
                champ.choices = [("", "— Non renseigné —"), *champ.choices[1:]]
        rayon = self.fields["rayon_mobilite_km"]
        rayon.max_value = RAYON_MOBILITE_MAX_KM
        rayon.widget.attrs["max"] = RAYON_MOBILITE_MAX_KM
        rayon.validators.append(
            MaxValueValidator(
                RAYON_MOBILITE_MAX_KM,
                f"Indiquez un rayon de {RAYON_MOBILITE_MAX_KM} km au plus.",
            )
        )
        self.fields[
            "capacite_recherche"
        ].help_text = "Nécessaire pour valider le volet ; elle compte dans la recommandation d'axe."
        self.fields[
            "commentaire_emploi"
        ].help_text = "Lu par le binôme. N'y écrivez aucun détail de santé."
        for cle, libelle in BESOINS_PROFESSIONNELS.items():
            self.fields[f"besoin_{cle}"] = forms.ChoiceField(
                label=libelle,
                required=False,
                choices=[("", "— Non évalué —"), *EvaluationBesoin.choices],
            )

    @property
    def champs_besoins(self):
        return [self[f"besoin_{cle}"] for cle in BESOINS_PROFESSIONNELS]

    @property
    def champs_simples(self):
        return [self[nom] for nom in CHAMPS_EMPLOI_SIMPLES]

    def clean_fin_dernier_emploi(self):
        date = self.cleaned_data.get("fin_dernier_emploi")
        _pas_dans_le_futur(date, "La fin du dernier emploi")
        return date

    def champs_service(self, metiers: MetiersFormSet) -> dict:
        """Les arguments de services.enregistrer_emploi (hors révision)."""
        donnees = {nom: self.cleaned_data[nom] for nom in CHAMPS_EMPLOI_SIMPLES}
        donnees["besoins"] = {
            cle: self.cleaned_data[f"besoin_{cle}"]
            for cle in BESOINS_PROFESSIONNELS
            if self.cleaned_data.get(f"besoin_{cle}")
        }
        donnees["metiers"] = metiers.metiers()
        return donnees


class MetierForm(forms.Form):
    code_rome = forms.CharField(label="Code ROME", max_length=5, required=False)
    libelle = forms.CharField(label="Métier", max_length=150, required=False)

    def clean_code_rome(self):
        code = self.cleaned_data["code_rome"].strip().upper()
        if code and not CODE_ROME.match(code):
            raise forms.ValidationError(
                "Code ROME invalide : une lettre et quatre chiffres (ex. K1302)."
            )
        return code

    def clean(self):
        donnees = super().clean()
        if donnees.get("code_rome") and not donnees.get("libelle", "").strip():
            self.add_error("libelle", "Indiquez le libellé du métier.")
        return donnees


class BaseMetiersFormSet(forms.BaseFormSet):
    def metiers(self) -> list[dict]:
        return [
            {"code_rome": f.cleaned_data.get("code_rome", ""), "libelle": f.cleaned_data["libelle"]}
            for f in self.forms
            if f.cleaned_data.get("libelle", "").strip()
        ]


# Lignes affichées : les métiers déjà saisis, plus deux vides (sans script : un
# enregistrement ajoute de nouvelles lignes vides).
MetiersFormSet = formset_factory(
    MetierForm, formset=BaseMetiersFormSet, extra=2, max_num=10, validate_max=True
)


# --- volet social ---------------------------------------------------------------------------


class FreinForm(forms.Form):
    """Un domaine du volet social ; préfixe du formulaire = slug du domaine."""

    presence = forms.ChoiceField(
        label="Présence", choices=Presence.choices, widget=forms.RadioSelect
    )
    impact = forms.ChoiceField(
        label="Impact sur la recherche d'emploi",
        choices=Impact.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    situations = forms.MultipleChoiceField(
        label="Situations observées", widget=forms.CheckboxSelectMultiple, required=False
    )
    autre_situation = forms.CharField(label="Autre situation", max_length=100, required=False)
    statut = forms.ChoiceField(
        label="Statut",
        choices=StatutFrein.choices,
        required=False,
        help_text="Pour un frein présent.",
    )
    statut_le = forms.DateField(
        label="Statut au", widget=DateInput(), required=False, help_text="Aujourd'hui par défaut."
    )
    commentaire = forms.CharField(
        label="Commentaire (côté social)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, frein, **kwargs):
        self.domaine = frein.domaine
        self.libelle = DomaineFrein(frein.domaine).label
        self.sensible = frein.domaine in DOMAINES_SENSIBLES
        proposees = SITUATIONS[frein.domaine]
        autres = [s.removeprefix(AUTRE) for s in frein.situations if s not in proposees]
        initial = {
            "presence": frein.presence,
            "impact": frein.impact,
            "situations": [s for s in frein.situations if s in proposees],
            "autre_situation": "; ".join(autres),
            "statut": frein.statut or StatutFrein.IDENTIFIE,
            "statut_le": frein.statut_le,
            "commentaire": frein.commentaire,
        }
        super().__init__(*args, prefix=frein.domaine, initial=initial, **kwargs)
        self.fields["situations"].choices = [(s, s) for s in proposees]
        self.fields["commentaire"].help_text = (
            "Lu par les seuls professionnels du social, jamais par France Travail."
            + (
                ""
                if self.sensible
                else " Aucun détail médical ici : il a sa place dans le domaine « Santé »."
            )
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column(InlineRadios("presence"), css_class="col-lg-4"),
                Column(InlineRadios("impact"), css_class="col-lg-4"),
                Column("statut", css_class="col-sm-6 col-lg-2"),
                Column("statut_le", css_class="col-sm-6 col-lg-2"),
            ),
            InlineCheckboxes("situations"),
            Row(
                Column("autre_situation", css_class="col-lg-4"),
                Column("commentaire", css_class="col-lg-8"),
            ),
        )

    def clean_statut_le(self):
        date = self.cleaned_data.get("statut_le")
        _pas_dans_le_futur(date, "La date du statut")
        return date

    def clean(self):
        donnees = super().clean()
        if donnees.get("presence") == Presence.PRESENT and not donnees.get("impact"):
            self.add_error("impact", "Précisez l'impact du frein (fort, moyen, sans impact).")
        return donnees

    def valeurs(self) -> dict:
        d = self.cleaned_data
        situations = list(d["situations"])
        if autre := d["autre_situation"].strip():
            situations.append(f"{AUTRE}{autre}")
        return {
            "presence": d["presence"],
            "impact": d["impact"] if d["presence"] == Presence.PRESENT else "",
            "situations": situations,
            "commentaire": d["commentaire"],
            "statut": d["statut"],
            "statut_le": d["statut_le"],
        }


def formulaires_freins(data, diagnostic: Diagnostic) -> list[FreinForm]:
    ordre = {domaine: rang for rang, domaine in enumerate(DomaineFrein.values)}
    freins = sorted(diagnostic.freins.all(), key=lambda f: ordre[f.domaine])
    return [FreinForm(data, frein=frein) for frein in freins]


# --- information, décision ------------------------------------------------------------------


class InformationForm(forms.Form):
    date = forms.DateField(label="La personne a été informée le", widget=DateInput())
    mode = forms.ChoiceField(
        label="Comment", choices=ModeInformation.choices, widget=forms.RadioSelect
    )
    accord = forms.BooleanField(
        label="La personne donne son accord à l'accompagnement qui sera décidé",
        required=False,
        help_text="L'entrée en axe 2 ou 3 ne peut pas lui être imposée.",
    )

    def __init__(self, *args, diagnostic: Diagnostic, **kwargs):
        initial = {
            "date": diagnostic.information_le or timezone.localdate(),
            "mode": diagnostic.information_mode or None,
            "accord": diagnostic.accord_personne,
        }
        super().__init__(*args, initial=initial, **kwargs)

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date d'information")
        return date


class ConfirmationForm(forms.Form):
    """Action sans saisie : le bouton de la page de confirmation suffit."""


class MembershipChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Membership.objects.none(), to_field_name="uuid", **kwargs)

    def label_from_instance(self, m: Membership) -> str:
        return f"{m.user.get_full_name()} — {m.structure.nom}"

    def regrouper(self, proches: list[int | None]) -> None:
        """Les professionnels de l'agence et du territoire du dossier d'abord, chacun sous
        le nom de sa structure, puis les autres structures du département (groupes
        d'options : une seule requête, comme la liste à plat)."""
        proches = [p for p in proches if p]
        groupes: dict[str, list] = {}
        autres: list = []
        for m in self.queryset:
            choix = (str(m.uuid), self.label_from_instance(m))
            if m.structure_id in proches:
                groupes.setdefault(m.structure.nom, []).append(choix)
            else:
                autres.append(choix)
        choices = [("", self.empty_label), *groupes.items()]
        if autres:
            choices.append(("Autres structures du département", autres))
        self.choices = choices


def _professionnels(departement, roles):
    return (
        Membership.objects.actifs()
        .filter(structure__departement=departement, role__in=roles)
        .select_related("user", "structure")
        .order_by("user__nom", "user__prenom")
    )


# Places à pourvoir selon l'axe décidé (champ du formulaire → place dans le dossier).
PLACES_PAR_AXE = {
    Axe.RESSOURCES_SOCIALES: {"conseiller_agence": RoleAffectation.CONSEILLER},
    Axe.ACCOMPAGNEMENT_GLOBAL: {
        "conseiller_dedie": RoleAffectation.CONSEILLER_DEDIE,
        "travailleur_social": RoleAffectation.TRAVAILLEUR_SOCIAL,
    },
    Axe.SOCIAL_EXCLUSIF: {"referent_social": RoleAffectation.REFERENT_SOCIAL},
}
CHAMP_PAR_PLACE = {
    place: champ for places in PLACES_PAR_AXE.values() for champ, place in places.items()
}
ROLES_FRANCE_TRAVAIL = [Role.CONSEILLER, Role.CONSEILLER_DEDIE]
ROLES_SOCIAUX = [Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION]


class DecisionForm(forms.Form):
    axe = forms.ChoiceField(label="Axe décidé", choices=Axe.choices, widget=forms.RadioSelect)
    motif = forms.CharField(
        label="Motif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si l'axe décidé diffère de la recommandation.",
    )
    date = forms.DateField(label="Date de la décision", widget=DateInput())
    accord_personne = forms.BooleanField(
        label="La personne participe à la décision et donne son accord",
        required=False,
        help_text="Obligatoire pour les axes 2 et 3 : l'orientation ne peut pas être imposée.",
    )
    conseiller = MembershipChoiceField(label="Conseiller présent", required=False)
    professionnel_social = MembershipChoiceField(
        label="Professionnel social présent", required=False
    )
    conseiller_agence = MembershipChoiceField(
        label="Conseiller de l'agence (axe 1)", required=False
    )
    conseiller_dedie = MembershipChoiceField(
        label="Conseiller dédié, référent (axe 2)",
        required=False,
    )
    travailleur_social = MembershipChoiceField(
        label="Travailleur social du binôme (axe 2)",
        required=False,
    )
    referent_social = MembershipChoiceField(label="Référent social (axe 3)", required=False)

    def __init__(self, *args, diagnostic: Diagnostic, departement, proches=(), **kwargs):
        self.axe_recommande = diagnostic.axe_recommande
        super().__init__(*args, **kwargs)
        self.fields["axe"].initial = diagnostic.axe_recommande
        self.fields["accord_personne"].initial = diagnostic.accord_personne
        self.fields["date"].initial = timezone.localdate
        self.fields["conseiller"].queryset = _professionnels(departement, ROLES_FRANCE_TRAVAIL)
        self.fields["professionnel_social"].queryset = _professionnels(departement, ROLES_SOCIAUX)
        for place, champ in CHAMP_PAR_PLACE.items():
            self.fields[champ].queryset = _professionnels(
                departement, ROLES_POUR_AFFECTATION[place]
            )
        for champ in self.fields.values():
            if isinstance(champ, MembershipChoiceField):
                champ.empty_label = "— Personne —"
                champ.regrouper(list(proches))

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date de la décision")
        return date

    def clean(self):
        donnees = super().clean()
        axe = donnees.get("axe")
        if not axe:
            return donnees
        if axe != self.axe_recommande and not donnees.get("motif", "").strip():
            self.add_error(
                "motif",
                f"L'axe décidé diffère de la recommandation ({Axe(self.axe_recommande).label}) : "
                "indiquez le motif de cet écart.",
            )
        if axe in (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF) and not donnees.get(
            "accord_personne"
        ):
            self.add_error(
                "accord_personne",
                "L'entrée en axe 2 ou 3 ne peut pas être imposée : l'accord de la personne est requis.",
            )
        for champ in PLACES_PAR_AXE[Axe(axe)]:
            if not donnees.get(champ):
                self.add_error(
                    champ, f"Pour {Axe(axe).label}, choisissez : {self.fields[champ].label}."
                )
        return donnees

    def affectations(self) -> dict[str, Membership]:
        axe = Axe(self.cleaned_data["axe"])
        return {place: self.cleaned_data[champ] for champ, place in PLACES_PAR_AXE[axe].items()}
