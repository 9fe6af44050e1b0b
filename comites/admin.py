"""Administration des comités pour l'animatrice : le calendrier des séances du département,
cloisonné comme le reste de l'administration (`PerimetreDepartementMixin`, décision 21).
Les points et leurs décisions se lisent ici mais s'écrivent depuis la page de la séance,
par les services (une décision s'applique au dossier)."""

from django.contrib import admin

from accompagnement.admin import PerimetreDepartementMixin, departements_administres
from accompagnement.models import Membership

from .models import Participant, Point, Seance


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ("membership", "nom", "institution", "present")
    autocomplete_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "membership" and not request.user.is_superuser:
            kwargs["queryset"] = Membership.objects.filter(
                structure__departement__in=departements_administres(request.user)
            ).select_related("user", "structure")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PointInline(admin.TabularInline):
    model = Point
    extra = 0
    can_delete = False
    fields = ("ordre", "dossier", "motif", "decision", "motivation", "prochaine_etape", "echeance")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seance)
class SeanceAdmin(PerimetreDepartementMixin, admin.ModelAdmin):
    list_display = ("debut", "type", "lieu", "territoire", "etat", "departement")
    list_filter = ("etat", "type", ("departement", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "debut"
    list_select_related = ("departement", "territoire")
    readonly_fields = ("etat", "ordre_du_jour_envoye_le", "tenue_le", "compte_rendu_diffuse_le")
    fields = ("departement", "territoire", "type", "debut", "lieu", *readonly_fields)
    inlines = (ParticipantInline, PointInline)
    ordering = ("-debut",)

    def has_delete_permission(self, request, obj=None):
        # Une séance dont l'ordre du jour est parti (ou qui a des décisions) reste au calendrier.
        if obj is not None and obj.etat != "preparee":
            return False
        return super().has_delete_permission(request, obj)
