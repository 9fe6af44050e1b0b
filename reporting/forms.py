import datetime as dt

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

    # Liste des mois en toutes lettres plutôt qu'un `<input type="month">` : le navigateur
    # l'afficherait dans sa propre langue (« November 2026 » dans un Chromium sans
    # traduction française). La valeur reste AAAA-MM, validée par `clean_mois`.
    mois = forms.CharField(label="Mois", required=False)
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

    def mois_proposes(self, choisi: Mois | None = None, nombre: int = 36) -> list[tuple[str, str]]:
        """Les `nombre` derniers mois (le plus récent d'abord), et le mois choisi s'il est
        plus ancien : (« 2026-03 », « mars 2026 »)."""
        m = Mois.de(dt.date.today())
        proposes = []
        for _ in range(nombre):
            proposes.append(m)
            m = m.precedent
        if choisi and choisi not in proposes:
            proposes.append(choisi)
        return [(str(x), x.libelle) for x in sorted(proposes, reverse=True)]

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
