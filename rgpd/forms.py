from django import forms


class RechercheForm(forms.Form):
    q = forms.CharField(
        label="Nom, prénom ou identifiant France Travail", max_length=100, required=False
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        choices=[
            ("pdf", "PDF (à remettre ou envoyer à la personne)"),
            ("json", "JSON (format structuré, portable)"),
        ],
        initial="pdf",
    )
    reference = forms.CharField(
        label="Référence de la demande",
        max_length=100,
        required=False,
        help_text="Par exemple la date et le mode de la demande (courrier du 02/11/2026).",
    )
    confirmation = forms.BooleanField(
        label=(
            "Je confirme que la demande vient de la personne (ou de son représentant légal) "
            "et que son identité a été vérifiée."
        ),
        error_messages={"required": "Cochez la case pour confirmer la demande."},
    )
