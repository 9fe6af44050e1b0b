"""Administration : le super-utilisateur voit tout ; un administrateur ou une animatrice
de département (compte « staff ») ne voit et ne modifie que son département.

Pour ces rôles de département, chaque liste, chaque fiche, chaque choix d'un formulaire
(y compris l'autocomplétion, qui passe par l'admin du modèle lié) et chaque action partent
d'un queryset restreint : `departements_administres` pour les objets du département,
`utilisateurs_administres` pour les comptes. Les droits (staff, super-utilisateur,
groupes, permissions) ne se distribuent que par le super-utilisateur. Voir
docs/permissions.md et la décision 21 de docs/decisions.md."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from . import services
from .exceptions import ErreurMetier
from .models import (
    Departement,
    EchecTache,
    EnvoiTache,
    EvenementAudit,
    Membership,
    Role,
    Structure,
    User,
)

ROLES_ADMIN = (Role.ADMINISTRATEUR, Role.ANIMATRICE)

# Ce qu'un rôle de département ne modifie jamais sur un compte (le super-utilisateur seul).
CHAMPS_DES_DROITS = ("is_staff", "is_superuser", "groups", "user_permissions")


def departements_administres(user):
    if user.is_superuser:
        return Departement.objects.all()
    return Departement.objects.filter(
        structures__memberships__user=user,
        structures__memberships__role__in=ROLES_ADMIN,
        structures__memberships__actif=True,
    ).distinct()


def utilisateurs_administres(user, queryset=None):
    """Les comptes que `user` voit et modifie dans l'administration.

    Super-utilisateur : tous. Rôle de département : les comptes dont *tous* les
    rattachements, actifs ou non, sont dans ses départements, super-utilisateurs exclus.
    Un compte sans rattachement, ou rattaché aussi à un autre département, reste à la main
    du super-utilisateur : changer son mot de passe donnerait accès à ce qu'il voit
    ailleurs."""
    qs = User.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return qs
    deps = departements_administres(user)
    rattachements = Membership.objects.filter(user=OuterRef("pk"))
    return (
        qs.filter(is_superuser=False)
        .filter(Exists(rattachements.filter(structure__departement__in=deps)))
        .exclude(Exists(rattachements.exclude(structure__departement__in=deps)))
    )


class PerimetreDepartementMixin:
    """Restreint listes, formulaires et choix au périmètre de l'utilisateur."""

    chemin_departement = "departement"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            **{f"{self.chemin_departement}__in": departements_administres(request.user)}
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            deps = departements_administres(request.user)
            if db_field.related_model is Departement:
                kwargs["queryset"] = deps
            elif db_field.related_model is Structure:
                kwargs["queryset"] = Structure.objects.filter(departement__in=deps)
            elif db_field.related_model is User:
                # Le widget d'autocomplétion interroge UserAdmin (déjà restreint), mais la
                # valeur envoyée est validée contre ce queryset : il doit l'être aussi.
                kwargs["queryset"] = utilisateurs_administres(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def refuser_hors_regle(form, *, structure, role, actif=True):
    """Applique au formulaire la règle du service (`services.verifier_rattachement`)."""
    try:
        services.verifier_rattachement(structure=structure, role=role, actif=actif)
    except ErreurMetier as erreur:
        form.add_error(None, erreur.message)


class RattachementForm(forms.ModelForm):
    """Formulaire d'un rattachement (page dédiée ou en ligne sur la fiche du compte)."""

    def clean(self):
        donnees = super().clean()
        structure, role = donnees.get("structure"), donnees.get("role")
        if structure is None or not role:
            return donnees
        nouveau = self.instance.pk is None
        actif = bool(donnees.get("actif"))
        # Désactiver un rattachement est toujours possible, même si sa structure l'est.
        if nouveau or actif or not set(self.changed_data) <= {"actif"}:
            # Une création passe par `services.rattacher` : structure active exigée.
            refuser_hors_regle(self, structure=structure, role=role, actif=actif or nouveau)
        return donnees


def enregistrer_rattachement(obj, *, par, changements):
    """Écrit un rattachement saisi dans l'administration par le service quand il en existe
    un : création (`rattacher`), désactivation ou réactivation seule. Les autres
    modifications ont déjà passé la même règle (`RattachementForm`)."""
    if obj.pk is None:
        membership = services.rattacher(
            user=obj.user, structure=obj.structure, role=obj.role, par=par
        )
        if not obj.actif:
            services.detacher(membership=membership, par=par)
        # L'administration poursuit avec l'objet de son formulaire (journal, redirection).
        obj.pk, obj.uuid, obj.cree_le = membership.pk, membership.uuid, membership.cree_le
        obj._state.adding, obj._state.db = False, membership._state.db
    elif set(changements) == {"actif"} and not obj.actif:
        services.detacher(membership=Membership.objects.get(pk=obj.pk), par=par)
    elif set(changements) == {"actif"}:
        services.rattacher(user=obj.user, structure=obj.structure, role=obj.role, par=par)
    else:
        obj.save()


@admin.register(Departement)
class DepartementAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    chemin_departement = "pk"
    list_display = ("nom", "code_insee", "duree_conservation_mois", "actif")
    search_fields = ("nom", "code_insee")

    # Créer ou supprimer un département (un locataire) : le super-utilisateur seul.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class StructureForm(forms.ModelForm):
    """Changer le type d'une structure ne doit pas laisser de rattachement actif hors de
    la règle (des conseillers dans un territoire d'action sociale, par exemple)."""

    def clean(self):
        donnees = super().clean()
        type_ = donnees.get("type")
        if self.instance.pk is None or not type_ or "type" not in self.changed_data:
            return donnees
        apres = Structure(type=type_, nom=self.instance.nom)
        roles = (
            self.instance.memberships.filter(actif=True)
            .order_by("role")
            .values_list("role", flat=True)
            .distinct()
        )
        for role in roles:
            try:
                services.verifier_rattachement(structure=apres, role=role, actif=False)
            except ErreurMetier as erreur:
                self.add_error(
                    "type",
                    f"{erreur.message} Désactivez d'abord les rattachements concernés.",
                )
        return donnees


@admin.register(Structure)
class StructureAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    form = StructureForm
    list_display = ("nom", "type", "departement", "commune", "actif")
    # Le filtre ne propose que les départements du périmètre (pas la liste de tous).
    list_filter = ("type", "actif", ("departement", admin.RelatedOnlyFieldListFilter))
    search_fields = ("nom", "code", "commune")
    list_select_related = ("departement",)


class MembershipInline(PerimetreDepartementMixin, admin.TabularInline):
    model = Membership
    form = RattachementForm
    chemin_departement = "structure__departement"
    extra = 0
    fields = ("structure", "role", "actif")
    autocomplete_fields = ("structure",)


class CreationCompteDepartementForm(AdminUserCreationForm):
    """Création d'un compte par un rôle de département : le compte naît rattaché à une
    structure du département (sans rattachement, il sortirait aussitôt du périmètre de
    son créateur, et de celui de tout département)."""

    structures_proposees = Structure.objects.none()

    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        label="Structure",
        help_text="Le compte y est rattaché dès sa création ; d'autres rattachements "
        "s'ajoutent ensuite sur sa fiche.",
    )
    role = forms.ChoiceField(label="Rôle", choices=[("", "---------"), *Role.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = self.structures_proposees

    @classmethod
    def pour(cls, user):
        structures = Structure.objects.filter(
            departement__in=departements_administres(user), actif=True
        )
        return type(cls.__name__, (cls,), {"structures_proposees": structures})

    def clean(self):
        donnees = super().clean()
        if donnees.get("structure") is not None and donnees.get("role"):
            refuser_hors_regle(self, structure=donnees["structure"], role=donnees["role"])
        return donnees


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("nom", "prenom")
    list_display = ("email", "prenom", "nom", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "memberships__role")
    search_fields = ("email", "nom", "prenom")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("prenom", "nom")}),
        ("Droits", {"fields": ("is_active", *CHAMPS_DES_DROITS)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "prenom", "nom", "password1", "password2")},
        ),
    )
    fieldset_rattachement = ("Rattachement", {"fields": ("structure", "role")})
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        # Liste, fiche, mot de passe, historique, suppression, actions et autocomplétion
        # partent tous d'ici.
        return utilisateurs_administres(request.user, super().get_queryset(request))

    def _dans_le_perimetre(self, request, obj):
        return (
            obj is None
            or request.user.is_superuser
            or utilisateurs_administres(request.user).filter(pk=obj.pk).exists()
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._dans_le_perimetre(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._dans_le_perimetre(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._dans_le_perimetre(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None and not request.user.is_superuser:
            return (*self.add_fieldsets, self.fieldset_rattachement)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        ro = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            ro = (*ro, *CHAMPS_DES_DROITS)
        return ro

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = CreationCompteDepartementForm.pour(request.user)
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        # À la création par un rôle de département, le rattachement est dans le formulaire.
        if obj is None and not request.user.is_superuser:
            return []
        return super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and "structure" in form.cleaned_data:
            services.rattacher(
                user=obj,
                structure=form.cleaned_data["structure"],
                role=form.cleaned_data["role"],
                par=request.user,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj, changements in formset.changed_objects:
            enregistrer_rattachement(obj, par=request.user, changements=changements)
        for obj in formset.new_objects:
            enregistrer_rattachement(obj, par=request.user, changements=())
        formset.save_m2m()
        return None


@admin.register(Membership)
class MembershipAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    form = RattachementForm
    chemin_departement = "structure__departement"
    list_display = ("user", "structure", "role", "actif")
    list_filter = ("role", "actif")
    search_fields = ("user__email", "user__nom", "structure__nom")
    list_select_related = ("user", "structure")
    autocomplete_fields = ("user", "structure")

    def get_readonly_fields(self, request, obj=None):
        # Un rattachement ne change pas de titulaire : on en crée un autre.
        ro = super().get_readonly_fields(request, obj)
        return (*ro, "user") if obj is not None else ro

    def save_model(self, request, obj, form, change):
        enregistrer_rattachement(
            obj, par=request.user, changements=form.changed_data if change else ()
        )


@admin.register(EvenementAudit)
class EvenementAuditAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    list_display = (
        "horodatage",
        "action",
        "acteur",
        "role",
        "objet_type",
        "objet_id",
        "adresse_ip",
    )
    list_filter = ("action",)
    search_fields = ("acteur__email", "objet_id")
    list_select_related = ("acteur",)
    date_hierarchy = "horodatage"

    # Le journal d'audit ne se modifie pas.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Les groupes et leurs permissions valent pour tous les départements : seul le
# super-utilisateur les voit et les modifie, même si on accordait ces permissions à un
# rôle de département.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# Tentatives de connexion de django-axes (AXES_ENABLE_ADMIN=False : enregistrées ici).
# Un rôle de département ne voit que les tentatives qui visent les comptes qu'il
# administre (`utilisateurs_administres`, par le courriel) ; celles qui visent un compte
# inconnu ou d'un autre département relèvent du seul super-utilisateur. Supprimer une
# tentative débloque le compte depuis ce poste. Voir la décision 23 de docs/decisions.md.
@admin.register(AccessAttempt)
class TentativeConnexionAdmin(AccessAttemptAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(username__in=utilisateurs_administres(request.user).values("email"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            # Le nettoyage des tentatives expirées porte sur tous les départements.
            actions.pop("cleanup_expired_attempts", None)
        return actions

    def has_change_permission(self, request, obj=None):
        return False


class _LectureSeuleSuperUtilisateur(admin.ModelAdmin):
    """Tables techniques, sans département : le super-utilisateur seul les lit (et peut
    supprimer une ligne traitée) ; personne ne les modifie."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(EchecTache)
class EchecTacheAdmin(_LectureSeuleSuperUtilisateur):
    """Les tâches Celery échouées pour de bon (signal task_failure, décision 80)."""

    list_display = ("survenu_le", "tache", "exception", "message_court", "worker")
    list_filter = ("tache", "exception")
    search_fields = ("task_id", "tache", "message")
    date_hierarchy = "survenu_le"
    readonly_fields = ("task_id", "tache", "exception", "message", "trace", "worker", "survenu_le")

    @admin.display(description="message")
    def message_court(self, obj):
        return obj.message[:120]


@admin.register(EnvoiTache)
class EnvoiTacheAdmin(_LectureSeuleSuperUtilisateur):
    """La boîte d'envoi des tâches : « en attente » quand le broker était injoignable."""

    list_display = ("cree_le", "tache", "envoyee_le", "tentatives", "erreur")
    list_filter = (("envoyee_le", admin.EmptyFieldListFilter), "tache")
    readonly_fields = ("tache", "arguments", "cree_le", "envoyee_le", "tentatives", "erreur")
