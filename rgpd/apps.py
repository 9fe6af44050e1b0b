from django.apps import AppConfig


class RgpdConfig(AppConfig):
    """Protection des données des personnes : conservation et purge par anonymisation,
    préavis aux référents, droit d'accès (export). Voir docs/rgpd.md."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rgpd"
    verbose_name = "RGPD"
