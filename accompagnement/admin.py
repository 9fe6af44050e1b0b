"""Administration : le super-utilisateur voit tout ; un administrateur ou une animatrice
de département (compte « staff ») ne voit et ne modifie que son département.

Pour ces rôles de département, chaque liste, chaque fiche, chaque choix d'un formulaire
(y compris l'autocomplétion, qui passe par l'admin du modèle lié) et chaque action partent
d'un queryset restreint : `departements_administres` pour les objets du département,
`utilisateurs_administres` pour les comptes. Les droits (staff, super-utilisateur,
groupes, permissions) ne se distribuent que par le super-utilisateur. Voir
docs/permissions.md et la décision 21 de docs/decisions.md."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from .models import Departement, EvenementAudit, Membership, Role, Structure, User

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


@admin.register(Structure)
class StructureAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    list_display = ("nom", "type", "departement", "commune", "actif")
    # Le filtre ne propose que les départements du périmètre (pas la liste de tous).
    list_filter = ("type", "actif", ("departement", admin.RelatedOnlyFieldListFilter))
    search_fields = ("nom", "code", "commune")
    list_select_related = ("departement",)


class MembershipInline(PerimetreDepartementMixin, admin.TabularInline):
    model = Membership
    chemin_departement = "structure__departement"
    extra = 0
    fields = ("structure", "role", "actif")
    autocomplete_fields = ("structure",)


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

    def get_readonly_fields(self, request, obj=None):
        ro = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            ro = (*ro, *CHAMPS_DES_DROITS)
        return ro


@admin.register(Membership)
class MembershipAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
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
