"""Administration des conventions pour l'animatrice fonctionnelle, cloisonnée par
département comme le reste de l'administration (`accompagnement.admin`, décision 21).

Les changements d'état (signer, mettre en vigueur, constater l'échéance) et les avenants
passent par les services (`conventions.services`), qui appliquent les règles ; l'état et
les avenants ne se saisissent pas à la main."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accompagnement.admin import PerimetreDepartementMixin, departements_administres
from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import Membership, Role

from . import services
from .lectures import CHAMPS_AMENDABLES
from .models import (
    Avenant,
    Convention,
    DocumentSigne,
    Effectif,
    Engagement,
    EtatConvention,
    Moyen,
    NatureMoyen,
    Partie,
    Signataire,
)


def acteur(request, convention) -> Membership | None:
    """Le rattachement d'animatrice de l'utilisateur dans le département de la convention
    (None pour le super-utilisateur : le système)."""
    if request.user.is_superuser:
        return None
    membership = (
        Membership.objects.select_related("structure")
        .filter(
            user=request.user,
            role=Role.ANIMATRICE,
            actif=True,
            structure__departement_id=convention.departement_id,
        )
        .first()
    )
    if membership is None:
        raise AccesRefuse("Seule l'animatrice fonctionnelle du département gère ses conventions.")
    return membership


def _action_service(fonction, libelle_succes):
    def action(modeladmin, request, queryset):
        for convention in queryset:
            try:
                fonction(convention=convention, par=acteur(request, convention))
            except ErreurMetier as erreur:
                modeladmin.message_user(
                    request, f"« {convention} » : {erreur.message}", messages.ERROR
                )
            else:
                modeladmin.message_user(
                    request, f"« {convention} » : {libelle_succes}", messages.SUCCESS
                )

    return action


def _signee(convention) -> bool:
    return convention is not None and convention.etat != EtatConvention.BROUILLON


class VerrouApresSignature:
    """Une ligne en ligne d'une convention signée ne s'ajoute, ne se modifie ni ne se
    supprime plus : la convention change par avenant."""

    def _convention(self, obj):
        return getattr(obj, "convention", obj)

    def has_add_permission(self, request, obj=None):
        return not _signee(self._convention(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _signee(self._convention(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _signee(self._convention(obj)) and super().has_delete_permission(request, obj)


class PartieInline(VerrouApresSignature, admin.TabularInline):
    model = Partie
    extra = 0
    show_change_link = True
    fields = ("ordre", "type", "nom", "represente_par")


class MoyenInline(VerrouApresSignature, admin.TabularInline):
    model = Moyen
    extra = 0
    fields = ("ordre", "nature", "libelle", "structure", "nombre", "etp", "montant", "financeur")


class AvenantInline(admin.TabularInline):
    model = Avenant
    extra = 0
    can_delete = False
    fields = ("numero", "objet", "date_signature", "date_effet", "resume_changements")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="changements")
    def resume_changements(self, obj):
        return format_html_join(
            "",
            "<div><strong>{}</strong> : {} → {}</div>",
            (
                (champ, c["avant"] if c["avant"] is not None else "—", c["apres"])
                for champ, c in obj.changements.items()
                if champ != "moyens"
            ),
        )


class DocumentSigneForm(forms.ModelForm):
    """Un exemplaire signé déposé depuis la fiche de la convention : le fichier est contrôlé
    ici (type reconnu au contenu, PDF sans contenu actif) ; `save_formset` le range par le
    service."""

    fichier = forms.FileField(label="fichier signé (PDF, PNG ou JPEG, 10 Mo au plus)")

    class Meta:
        model = DocumentSigne
        fields = ("intitule", "avenant")

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        try:
            services.verifier_document_signe(fichier)
        except ErreurMetier as erreur:
            raise forms.ValidationError(erreur.message) from erreur
        return fichier


class DocumentSigneInline(admin.TabularInline):
    """Les exemplaires signés de la convention et de ses avenants : ils s'ajoutent même
    après la signature (c'est alors qu'ils existent), ne se modifient ni ne se suppriment ;
    chacun se télécharge par la vue contrôlée (tracée dans l'audit)."""

    model = DocumentSigne
    form = DocumentSigneForm
    extra = 0
    can_delete = False
    verbose_name_plural = "documents signés"

    def get_fields(self, request, obj=None):
        return ("intitule", "avenant", "fichier", "telecharger")

    def get_readonly_fields(self, request, obj=None):
        return ("telecharger",)

    def has_change_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        champ = formset.form.base_fields.get("avenant")
        if champ is not None:
            champ.queryset = obj.avenants.all() if obj is not None else Avenant.objects.none()
        return formset

    @admin.display(description="fichier")
    def telecharger(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({} octets)',
            reverse("conventions:document_signe", args=[obj.convention.uuid, obj.uuid]),
            obj.nom_origine,
            obj.taille,
        )


class ConventionForm(forms.ModelForm):
    def clean(self):
        donnees = super().clean()
        essai = Convention(
            date_signature=donnees.get("date_signature"),
            date_effet=donnees.get("date_effet"),
            date_echeance=donnees.get("date_echeance"),
        )
        try:
            services.verifier_dates(essai)
        except ErreurMetier as erreur:
            self.add_error(None, erreur.message)
        return donnees


@admin.register(Convention)
class ConventionAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    form = ConventionForm
    list_display = ("intitule", "departement", "etat", "date_signature", "date_echeance")
    list_filter = ("etat", ("departement", admin.RelatedOnlyFieldListFilter))
    search_fields = ("intitule",)
    list_select_related = ("departement",)
    readonly_fields = ("etat", "date_resiliation", "motif_resiliation")
    inlines = (PartieInline, MoyenInline, AvenantInline, DocumentSigneInline)
    actions = ("signer", "mettre_en_vigueur", "constater_echeance")

    def save_formset(self, request, form, formset, change):
        if formset.model is not DocumentSigne:
            return super().save_formset(request, form, formset, change)
        convention = form.instance
        for f in formset.forms:
            if f.instance.pk is not None or not f.has_changed():
                continue
            try:
                services.deposer_document_signe(
                    convention=convention,
                    par=acteur(request, convention),
                    fichier=f.cleaned_data["fichier"],
                    intitule=f.cleaned_data["intitule"],
                    avenant=f.cleaned_data.get("avenant"),
                )
            except ErreurMetier as erreur:
                self.message_user(request, erreur.message, messages.ERROR)
        formset.new_objects = formset.changed_objects = formset.deleted_objects = []

    def get_readonly_fields(self, request, obj=None):
        # Une fois signée, la convention ne change plus que par avenant.
        if obj is not None and obj.etat != EtatConvention.BROUILLON:
            return [f.name for f in Convention._meta.fields if f.name != "id"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.etat != EtatConvention.BROUILLON:
            return False
        return super().has_delete_permission(request, obj)

    signer = admin.action(description="Signer (brouillon → signée)")(
        _action_service(services.signer_convention, "signée.")
    )
    mettre_en_vigueur = admin.action(description="Mettre en vigueur")(
        _action_service(services.mettre_en_vigueur, "en vigueur.")
    )
    constater_echeance = admin.action(description="Constater l'échéance")(
        _action_service(services.constater_echeance, "échue.")
    )


class SignataireInline(VerrouApresSignature, admin.TabularInline):
    model = Signataire
    extra = 0
    fields = ("nom", "qualite", "date_signature")


class EngagementInline(VerrouApresSignature, admin.TabularInline):
    model = Engagement
    extra = 0
    fields = ("ordre", "texte")


@admin.register(Partie)
class PartieAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    chemin_departement = "convention__departement"
    list_display = ("nom", "convention", "type")
    list_select_related = ("convention",)
    inlines = (SignataireInline, EngagementInline)

    def has_change_permission(self, request, obj=None):
        return not _signee(getattr(obj, "convention", None)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not _signee(getattr(obj, "convention", None)) and super().has_delete_permission(
            request, obj
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "convention" and not request.user.is_superuser:
            kwargs["queryset"] = Convention.objects.filter(
                departement__in=departements_administres(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AvenantForm(forms.ModelForm):
    """Un avenant saisi dans l'administration : les champs simples à modifier (laisser vide
    ce qui ne change pas) ; le service calcule « avant » et « après »."""

    nouvelle_date_echeance = forms.DateField(label="nouvelle date d'échéance", required=False)
    nouveau_renouvellement = forms.CharField(
        label="nouveau renouvellement", required=False, max_length=300
    )
    nouvel_objectif_personnes_par_an = forms.IntegerField(
        label="nouvel objectif : personnes par an", required=False, min_value=0
    )
    nouvel_objectif_delai_entree_jours = forms.IntegerField(
        label="nouvel objectif : délai d'entrée (jours)", required=False, min_value=0
    )

    CORRESPONDANCE = {
        "nouvelle_date_echeance": "date_echeance",
        "nouveau_renouvellement": "renouvellement",
        "nouvel_objectif_personnes_par_an": "objectif_personnes_par_an",
        "nouvel_objectif_delai_entree_jours": "objectif_delai_entree_jours",
    }

    class Meta:
        model = Avenant
        fields = ("convention", "numero", "objet", "date_signature", "date_effet")

    def nouvelles_valeurs(self) -> dict:
        valeurs = {}
        for champ_form, champ in self.CORRESPONDANCE.items():
            valeur = self.cleaned_data.get(champ_form)
            if valeur not in (None, ""):
                valeurs[champ] = valeur
        assert set(valeurs) <= set(CHAMPS_AMENDABLES)
        return valeurs

    def clean(self):
        donnees = super().clean()
        if not self.errors and not self.nouvelles_valeurs():
            self.add_error(None, "Indiquez au moins une valeur modifiée par l'avenant.")
        return donnees


@admin.register(Avenant)
class AvenantAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    chemin_departement = "convention__departement"
    form = AvenantForm
    list_display = ("__str__", "convention", "date_signature", "date_effet")
    list_select_related = ("convention",)

    def has_change_permission(self, request, obj=None):
        # Un avenant signé ne se réécrit pas : on en ajoute un autre.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("changements",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "convention" and not request.user.is_superuser:
            kwargs["queryset"] = Convention.objects.filter(
                departement__in=departements_administres(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        convention = form.cleaned_data["convention"]
        try:
            avenant = services.ajouter_avenant(
                convention=convention,
                par=acteur(request, convention),
                numero=obj.numero,
                objet=obj.objet,
                date_signature=obj.date_signature,
                date_effet=obj.date_effet,
                nouvelles_valeurs=form.nouvelles_valeurs(),
            )
        except ErreurMetier as erreur:
            # Refus du service après validation du formulaire : rien n'est écrit.
            self.message_user(request, erreur.message, messages.ERROR)
            raise _RefusService(erreur.message) from erreur
        obj.pk, obj.changements, obj.cree_le = avenant.pk, avenant.changements, avenant.cree_le
        obj._state.adding, obj._state.db = False, avenant._state.db

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except _RefusService:
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class _RefusService(Exception):
    pass


@admin.register(Effectif)
class EffectifAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    """Les postes engagés par les conventions, par structure d'affectation : lecture par
    l'animatrice, total des ETP de la sélection. Ils se saisissent dans la convention tant
    qu'elle est en brouillon ; une convention signée change par avenant."""

    chemin_departement = "convention__departement"
    list_display = (
        "structure_affichee",
        "libelle",
        "nombre",
        "etp_affiche",
        "financeur",
        "convention",
    )
    list_display_links = ("libelle",)
    list_filter = ("structure", ("convention", admin.RelatedOnlyFieldListFilter))
    search_fields = ("libelle", "structure", "financeur")
    list_select_related = ("convention",)
    ordering = ("structure", "ordre", "pk")
    fields = ("convention", "libelle", "structure", "nombre", "etp", "financeur", "ordre")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(nature=NatureMoyen.POSTE)

    @admin.display(description="structure d'affectation", ordering="structure")
    def structure_affichee(self, obj):
        return obj.structure or "—"

    @admin.display(description="ETP", ordering="etp")
    def etp_affiche(self, obj):
        return "—" if obj.etp is None else format(obj.etp.normalize(), "f").replace(".", ",")

    def _modifiable(self, obj) -> bool:
        return obj is None or not _signee(obj.convention)

    def has_change_permission(self, request, obj=None):
        return self._modifiable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._modifiable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "convention":
            qs = Convention.objects.filter(etat=EtatConvention.BROUILLON)
            if not request.user.is_superuser:
                qs = qs.filter(departement__in=departements_administres(request.user))
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.nature = NatureMoyen.POSTE
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        reponse = super().changelist_view(request, extra_context)
        cl = getattr(reponse, "context_data", {}).get("cl")
        if cl is not None:
            total = cl.queryset.aggregate(t=Sum("etp"))["t"] or Decimal(0)
            reponse.context_data["title"] = (
                f"Effectifs (postes) — {format(total.normalize(), 'f').replace('.', ',')} ETP "
                "dans la sélection"
            )
        return reponse
