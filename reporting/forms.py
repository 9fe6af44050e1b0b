from django import forms


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label="Conclusion du binôme",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Ce que le parcours a permis, ce qui reste à faire, les relais proposés. "
            "Pas de détail de santé : le bilan peut être remis à la personne."
        ),
    )
