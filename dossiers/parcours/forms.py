"""Formulaires des fiches et du parcours : ils valident la saisie, les services décident."""

import datetime as dt

from django import forms
from django.utils import timezone

from accompagnement.models import Membership, Role, Structure, TypeStructure
from accompagnement.selecteurs import ChoixProfessionnel, avec_charge, professionnels_actifs
from dossiers.models import (
    ROLES_POUR_AFFECTATION,
    Axe,
    Demandeur,
    ModeRecueil,
    MotifSortie,
    Origine,
    RoleAffectation,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _pas_dans_le_futur(valeur: dt.date | None, libelle: str) -> None:
    if valeur and valeur > timezone.localdate():
        raise forms.ValidationError(f"{libelle} ne peut pas être dans le futur.")


class DemandeurForm(forms.ModelForm):
    class Meta:
        model = Demandeur
        fields = [
            "civilite",
            "nom",
            "prenom",
            "nom_naissance",
            "date_naissance",
            "identifiant_ft",
            "agence",
            "email",
            "telephone",
            "adresse",
            "code_postal",
            "commune",
            "code_commune",
            "rsa_allocataire",
            "numero_caf",
            "rsa_date_ouverture",
            "rsa_droits_devoirs",
            "indemnisation",
            "niveau_qualification",
            "rqth",
            "residant_qpv",
        ]
        widgets = {"date_naissance": DateInput(), "rsa_date_ouverture": DateInput()}
        help_texts = {
            "identifiant_ft": "7 chiffres puis un chiffre ou une lettre (ex. 1234567A).",
            "code_commune": "Code INSEE de la commune (ex. 25056 pour Besançon), différent du code postal.",
        }

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agence"].queryset = (
            Structure.objects.du_departement(departement)
            .actives()
            .filter(type=TypeStructure.AGENCE_FT)
        )
        self.fields["agence"].empty_label = "— Non renseignée —"
        self.fields["niveau_qualification"].choices = [
            ("", "— Non renseigné —"),
            *self.fields["niveau_qualification"].choices[1:],
        ]
        if self.instance.pk:
            # Verrouillage optimiste : la version de la fiche lue, renvoyée avec la saisie.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, min_value=1
            )

    def clean_identifiant_ft(self):
        return self.cleaned_data["identifiant_ft"].strip().upper()

    def clean_date_naissance(self):
        date = self.cleaned_data["date_naissance"]
        aujourd_hui = timezone.localdate()
        if date >= aujourd_hui:
            raise forms.ValidationError("La date de naissance doit être dans le passé.")
        if date.year < 1900 or (aujourd_hui.year - date.year) < 15:
            raise forms.ValidationError(
                "Vérifiez la date de naissance : l'âge calculé n'est pas plausible."
            )
        return date

    def clean_rsa_date_ouverture(self):
        date = self.cleaned_data.get("rsa_date_ouverture")
        _pas_dans_le_futur(date, "La date d'ouverture du droit RSA")
        return date

    def clean(self):
        donnees = super().clean()
        postal, commune = donnees.get("code_postal", ""), donnees.get("code_commune", "")
        if postal and commune:
            dep_postal = postal[:3] if postal.startswith("97") else postal[:2]
            dep_commune = (
                "20"
                if commune[:2] in ("2A", "2B")
                else (commune[:3] if commune.startswith("97") else commune[:2])
            )
            if dep_postal != dep_commune:
                self.add_error(
                    "code_commune", "Ce code INSEE ne correspond pas au département du code postal."
                )
        if donnees.get("numero_caf") and not donnees.get("rsa_allocataire"):
            self.add_error(
                "rsa_allocataire",
                "Un n° allocataire CAF est saisi : cochez « allocataire du RSA » ou effacez le numéro.",
            )
        if donnees.get("rsa_droits_devoirs") and not donnees.get("rsa_allocataire"):
            self.add_error(
                "rsa_droits_devoirs", "Seul un allocataire du RSA est soumis aux droits et devoirs."
            )
        return donnees


class OuvertureForm(forms.Form):
    origine = forms.ChoiceField(label="Qui oriente la personne ?", choices=Origine.choices)
    territoire = forms.ModelChoiceField(
        label="Territoire d'action sociale",
        queryset=Structure.objects.none(),
        required=False,
        empty_label="— À déterminer —",
    )
    motif = forms.CharField(
        label="Motif de l'orientation vers le dispositif",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Les freins repérés, sans détail de santé.",
    )

    def __init__(self, *args, departement, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = (
            Structure.objects.du_departement(departement)
            .actives()
            .filter(type=TypeStructure.TERRITOIRE_SOCIAL)
        )
        if membership.role in (Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION):
            self.fields["origine"].initial = Origine.TRAVAILLEUR_SOCIAL
        elif membership.role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE):
            self.fields["origine"].initial = Origine.CONSEILLER_FT


class AffectationForm(forms.Form):
    place = forms.ChoiceField(label="Place dans le dossier", choices=())
    professionnel = forms.ModelChoiceField(
        label="Professionnel", queryset=Membership.objects.none(), to_field_name="uuid"
    )
    date = forms.DateField(label="À compter du", widget=DateInput(), initial=timezone.localdate)
    motif = forms.CharField(label="Motif (en cas de relais)", required=False, max_length=255)

    def __init__(self, *args, departement, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p, RoleAffectation(p).label) for p in places]
        roles = set().union(*(ROLES_POUR_AFFECTATION[p] for p in places)) if places else set()
        champ = self.fields["professionnel"]
        # Sélecteur à recherche : le queryset (département, rôles) valide le choix.
        champ.widget = ChoixProfessionnel(roles=sorted(roles), charge=True)
        champ.queryset = avec_charge(professionnels_actifs(departement, roles))

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date d'affectation")
        return date


class OrientationForm(forms.Form):
    axe = forms.ChoiceField(label="Axe décidé", choices=Axe.choices, widget=forms.RadioSelect)
    motif = forms.CharField(label="Motif de la décision", widget=forms.Textarea(attrs={"rows": 3}))
    accord_personne = forms.BooleanField(
        label="La personne a été informée et donne son accord",
        required=False,
        help_text="Obligatoire pour les axes 2 et 3 : l'orientation ne peut pas être imposée.",
    )
    date = forms.DateField(label="Date d'entrée", widget=DateInput(), initial=timezone.localdate)
    conseiller = forms.ModelChoiceField(
        label="Conseiller présent à la décision",
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="uuid",
    )
    professionnel_social = forms.ModelChoiceField(
        label="Professionnel social présent",
        queryset=Membership.objects.none(),
        required=False,
        to_field_name="uuid",
    )

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        base = (
            Membership.objects.actifs()
            .filter(structure__departement=departement)
            .select_related("user", "structure")
        )
        self.fields["conseiller"].queryset = base.filter(
            role__in=[Role.CONSEILLER, Role.CONSEILLER_DEDIE]
        )
        self.fields["professionnel_social"].queryset = base.filter(
            role__in=[Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION]
        )
        roles = {
            "conseiller": [Role.CONSEILLER, Role.CONSEILLER_DEDIE],
            "professionnel_social": [Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION],
        }
        for champ, admis in roles.items():
            # Sélecteur à recherche : le queryset ci-dessus valide le choix.
            self.fields[champ].widget = ChoixProfessionnel(roles=admis, vide="Personne")
            self.fields[champ].widget.choices = self.fields[champ].choices

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date d'entrée")
        return date


class DemandeChangementForm(forms.Form):
    axe = forms.ChoiceField(label="Axe demandé", choices=(), widget=forms.RadioSelect)
    motif = forms.CharField(label="Motif de la demande", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, axe_courant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axe"].choices = [
            (valeur, libelle) for valeur, libelle in Axe.choices if valeur != axe_courant
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        widget=forms.RadioSelect,
        choices=[("accepter", "Accepter le changement d'axe"), ("refuser", "Refuser")],
    )
    motif = forms.CharField(label="Motif de la décision", widget=forms.Textarea(attrs={"rows": 3}))
    accord_personne = forms.BooleanField(
        label="La personne a été informée et donne son accord", required=False
    )
    date = forms.DateField(
        label="Date du changement", widget=DateInput(), initial=timezone.localdate
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date du changement")
        return date


class ClotureForm(forms.Form):
    motif_sortie = forms.ChoiceField(
        label="Motif de sortie", choices=[("", "— Choisir —"), *MotifSortie.choices]
    )
    date = forms.DateField(label="Date de sortie", widget=DateInput(), initial=timezone.localdate)
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    en_cours = forms.ChoiceField(
        label="Actions ouvertes, aides en attente et rendez-vous à venir",
        choices=[
            (
                "annuler",
                "Les annuler avec la clôture (les personnes concernées le verront dans le dossier)",
            ),
            ("garder", "Les garder tels quels dans le dossier clos"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Ce dossier a encore des éléments en cours : choisissez de les annuler ou de les garder."
        },
    )
    confirmation = forms.BooleanField(
        label="Je confirme la clôture : les affectations et la période en cours seront closes.",
        error_messages={"required": "Cochez la case pour confirmer la clôture."},
    )

    def __init__(self, *args, a_des_elements_en_cours: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not a_des_elements_en_cours:
            del self.fields["en_cours"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date de sortie")
        return date


class ReouvertureForm(forms.Form):
    origine = forms.ChoiceField(
        label="Qui oriente à nouveau la personne ?", choices=Origine.choices
    )
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmationForm(forms.Form):
    """Action sans saisie : le bouton de la page de confirmation suffit."""


class RenouvellementForm(forms.Form):
    motif = forms.CharField(
        label="Motif du renouvellement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui justifie de poursuivre : freins encore présents, objectifs en cours.",
    )
    accord_personne = forms.BooleanField(
        label="La personne est d'accord pour poursuivre l'accompagnement",
        error_messages={
            "required": "Le renouvellement se décide avec la personne : cochez son accord."
        },
    )
    date = forms.DateField(
        label="Date du renouvellement", widget=DateInput(), initial=timezone.localdate
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        _pas_dans_le_futur(date, "La date du renouvellement")
        return date


class InformationForm(forms.Form):
    """Information de la personne sur ses données et accord de transmission (docs/rgpd.md)."""

    information_le = forms.DateField(
        label="Personne informée du traitement de ses données le",
        required=False,
        widget=DateInput(),
        help_text="Notice d'information remise ou lue : finalité, destinataires, durée, droits.",
    )
    information_mode = forms.ChoiceField(
        label="Informée comment",
        required=False,
        choices=[("", "— Choisir —"), *ModeRecueil.choices],
    )
    accord = forms.BooleanField(
        label=(
            "La personne accepte que ses coordonnées soient transmises aux partenaires "
            "sollicités pour elle"
        ),
        required=False,
    )
    accord_le = forms.DateField(label="Accord recueilli le", required=False, widget=DateInput())
    accord_mode = forms.ChoiceField(
        label="Accord recueilli comment",
        required=False,
        choices=[("", "— Choisir —"), *ModeRecueil.choices],
    )

    def clean(self):
        d = super().clean()
        for champ, libelle in (("information_le", "L'information"), ("accord_le", "L'accord")):
            try:
                _pas_dans_le_futur(d.get(champ), libelle)
            except forms.ValidationError as erreur:
                self.add_error(champ, erreur)
        if d.get("information_le") and not d.get("information_mode"):
            self.add_error("information_mode", "Indiquez comment la personne a été informée.")
        if d.get("information_mode") and not d.get("information_le"):
            self.add_error("information_le", "Indiquez la date de l'information.")
        if d.get("accord"):
            if not d.get("accord_le"):
                self.add_error("accord_le", "Indiquez la date de l'accord.")
            if not d.get("accord_mode"):
                self.add_error("accord_mode", "Indiquez comment l'accord a été recueilli.")
            if not d.get("information_le"):
                self.add_error(
                    "information_le", "L'accord suppose que la personne ait été informée."
                )
        return d
