from django import forms

from accompagnement.models import Structure, TypeStructure
from dossiers.models import Axe

from .catalogue import Mois


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label="Conclusion du binôme",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Ce que le parcours a permis, ce qui reste à faire, les relais proposés. "
            "Pas de détail de santé : le bilan peut être remis à la personne."
        ),
    )


class FiltresForm(forms.Form):
    """Filtres du tableau de bord : période (mois), territoire, agence, axe."""

    mois = forms.CharField(
        label="Mois",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="Format AAAA-MM.",
    )
    territoire = forms.ModelChoiceField(
        label="Territoire",
        queryset=None,
        required=False,
        empty_label="Tous les territoires",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    agence = forms.ModelChoiceField(
        label="Agence",
        queryset=None,
        required=False,
        empty_label="Toutes les agences",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    axe = forms.ChoiceField(
        label="Axe", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, data, *, departement, **kwargs):
        super().__init__(data, **kwargs)
        structures = Structure.objects.filter(departement=departement).order_by("nom")
        self.fields["territoire"].queryset = structures.filter(type=TypeStructure.TERRITOIRE_SOCIAL)
        self.fields["agence"].queryset = structures.filter(type=TypeStructure.AGENCE_FT)
        self.fields["axe"].choices = [("", "Tous les axes"), *Axe.choices]

    def clean_mois(self):
        texte = self.cleaned_data.get("mois")
        if not texte:
            return None
        try:
            return Mois.depuis_texte(texte)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


class RegenerationForm(forms.Form):
    motif = forms.CharField(
        label="Motif de la régénération",
        max_length=500,
        help_text="Affiché avec la nouvelle version (ex. « sorties de mars saisies en retard »).",
        widget=forms.TextInput(),
    )
