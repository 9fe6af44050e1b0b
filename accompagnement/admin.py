"""Administration : le super-utilisateur voit tout ; un administrateur ou une animatrice
de département (compte « staff ») ne voit et ne modifie que son département."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q

from .models import Departement, EvenementAudit, Membership, Role, Structure, User

ROLES_ADMIN = (Role.ADMINISTRATEUR, Role.ANIMATRICE)


def departements_administres(user):
    if user.is_superuser:
        return Departement.objects.all()
    return Departement.objects.filter(
        structures__memberships__user=user,
        structures__memberships__role__in=ROLES_ADMIN,
        structures__memberships__actif=True,
    ).distinct()


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
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Departement)
class DepartementAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    chemin_departement = "pk"
    list_display = ("nom", "code_insee", "duree_conservation_mois", "actif")
    search_fields = ("nom", "code_insee")


@admin.register(Structure)
class StructureAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    list_display = ("nom", "type", "departement", "commune", "actif")
    list_filter = ("type", "actif", "departement")
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
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
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
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        deps = departements_administres(request.user)
        return qs.filter(
            Q(memberships__structure__departement__in=deps) | Q(memberships__isnull=True)
        ).distinct()

    def get_readonly_fields(self, request, obj=None):
        ro = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            ro = (*ro, "is_superuser", "groups")
        return ro


@admin.register(Membership)
class MembershipAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    chemin_departement = "structure__departement"
    list_display = ("user", "structure", "role", "actif")
    list_filter = ("role", "actif")
    search_fields = ("user__email", "user__nom", "structure__nom")
    list_select_related = ("user", "structure")
    autocomplete_fields = ("user", "structure")


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
