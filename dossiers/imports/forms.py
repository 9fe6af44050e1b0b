"""Formulaires de la page d'import des demandeurs : dépôt du fichier, correspondance des
colonnes. Ils valident ; la lecture est dans dossiers/imports/fichier.py, l'écriture dans
dossiers/imports/services.py."""

from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms

from accompagnement import fichiers
from dossiers.imports.champs import CHAMPS, EXTENSIONS, TAILLE_MAX, ErreurFichier
from dossiers.imports.fichier import DECOUPER, lire_fichier

GROUPES = {
    "identite": "Identité",
    "coordonnees": "Coordonnées et agence",
    "situation": "Situation",
}


class DepotForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des demandeurs",
        help_text=(
            "CSV encodé en UTF-8 ou Windows-1252 (séparateur « ; » ou « , ») ou classeur "
            "Excel .xlsx, 10 Mo au plus. La première ligne porte les en-têtes des colonnes."
        ),
        widget=forms.FileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contenu: bytes = b""
        self.tableau = None

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if Path(fichier.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("Déposez un fichier .csv ou .xlsx.")
        try:
            contenu = fichiers.lire_flux(
                fichier, taille_max=TAILLE_MAX, taille=fichier.size, conseil=DECOUPER
            )
            self.tableau = lire_fichier(contenu, fichier.name)
        except ErreurFichier as exc:
            raise forms.ValidationError(exc.erreurs) from exc
        self.contenu = contenu
        return fichier


class CorrespondanceForm(forms.Form):
    """Un sélecteur par champ du demandeur, proposant les en-têtes trouvés dans le fichier."""

    def __init__(self, *args, entetes: list[str], exemples: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choix = [("", "— Ne pas importer —")]
        choix += [(e, f"{e} (ex. : {exemples[e]})" if exemples.get(e) else e) for e in entetes]
        for champ in CHAMPS.values():
            self.fields[champ.nom] = forms.ChoiceField(
                label=champ.libelle,
                choices=choix,
                required=champ.obligatoire,
                help_text=champ.aide,
                error_messages={
                    "required": f"Choisissez la colonne du fichier qui contient : {champ.libelle}."
                },
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                *(
                    Column(
                        Fieldset(
                            legende,
                            *(c.nom for c in CHAMPS.values() if c.groupe == groupe),
                        ),
                        css_class="col-lg-4",
                    )
                    for groupe, legende in GROUPES.items()
                )
            )
        )

    def correspondance(self) -> dict[str, str]:
        return {champ: entete for champ, entete in self.cleaned_data.items() if entete}
