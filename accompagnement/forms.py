from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.forms.utils import flatatt
from django.template import loader
from django.utils.html import format_html, format_html_join

from . import limitation
from .lectures import Source, comptes_du_departement
from .models import ActionAudit, Membership, User


class ConnexionForm(AuthenticationForm):
    username = forms.EmailField(
        label="Courriel professionnel",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": "Courriel ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé. Contactez l'administrateur de votre département.",
    }


class ChoixStructureForm(forms.Form):
    membership = forms.ModelChoiceField(
        label="Structure et rôle",
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        to_field_name="uuid",
        empty_label=None,
        error_messages={"required": "Choisissez la structure sous laquelle vous travaillez."},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = Membership.objects.filter(pk__in=[m.pk for m in memberships])
        field.label_from_instance = lambda m: (
            f"{m.structure.nom} — {m.get_role_display()} ({m.structure.departement.nom})"
        )


class ReinitialisationForm(PasswordResetForm):
    """Le courriel de réinitialisation part par Celery, après la validation de la
    transaction : la page répond sans attendre le serveur de messagerie.

    Limité par adresse et par adresse IP (`limitation.reinitialisation_autorisee`) ; au-delà,
    aucun courriel ne part mais la vue répond exactement de la même façon (aucune
    énumération des comptes, aucun signal que la limite est atteinte)."""

    email = forms.EmailField(
        label="Courriel professionnel",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *args, request=None, **kwargs):
        if limitation.reinitialisation_autorisee(request, self.cleaned_data["email"]):
            super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from .taches import envoyer_ou_journaliser
        from .tasks import envoyer_courriel

        sujet = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        texte = loader.render_to_string(email_template_name, context)
        # Broker injoignable : journalisé, la page répond (la personne peut redemander).
        transaction.on_commit(
            lambda: envoyer_ou_journaliser(envoyer_courriel, sujet, texte, [to_email])
        )


class ChampDate(forms.DateField):
    widget = forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa", "inputmode": "numeric"}
    )

    def __init__(self, **kwargs):
        super().__init__(
            input_formats=["%d/%m/%Y"],
            required=False,
            error_messages={"invalid": "Saisissez une date au format jj/mm/aaaa."},
            **kwargs,
        )


class SelectRapide(forms.Select):
    """Le `<select>` de Django, même balisage, mais ses options écrites en une passe au
    lieu d'un gabarit par option : le filtre « Professionnel » du journal d'audit propose
    tous les comptes du département, anciens compris (1 100 à l'échelle : 230 ms de rendu
    par page avec les gabarits, ~2 ms ainsi). Choix à plat, choix unique."""

    def render(self, name, value, attrs=None, renderer=None):
        attributs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        choisi = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (valeur, " selected" if str(valeur) == choisi else "", libelle)
                for valeur, libelle in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attributs), options)


class FiltreAuditForm(forms.Form):
    """Filtres de la page d'audit : personne (recherche par le nom), professionnel, période,
    action et source."""

    personne = forms.CharField(
        label="Personne accompagnée",
        max_length=100,
        required=False,
        help_text="Nom, prénom ou identifiant France Travail.",
    )
    utilisateur = forms.ModelChoiceField(
        label="Professionnel",
        queryset=User.objects.none(),
        required=False,
        empty_label="Tous",
        widget=SelectRapide,
    )
    du = ChampDate(label="Du")
    au = ChampDate(label="Au")
    action = forms.ChoiceField(
        label="Action", choices=[("", "Toutes"), *ActionAudit.choices], required=False
    )
    source = forms.ChoiceField(label="Journal", choices=Source.CHOIX, required=False)

    def __init__(self, *args, departement, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["utilisateur"]
        champ.queryset = comptes_du_departement(departement)
        champ.label_from_instance = lambda u: u.get_full_name() or u.email

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", "La date de fin doit suivre la date de début.")
        return donnees
