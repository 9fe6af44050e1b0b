from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Diagnostics partagés"

    def ready(self) -> None:
        # Les sollicitations proposent d'abord les ressources qui répondent aux freins du
        # dernier diagnostic : diagnostics s'enregistre auprès de dossiers (qui ne
        # l'importe pas : sens des dépendances).
        from dossiers.sollicitations import lectures as sollicitations

        from .lecture import domaines_des_freins_du_dossier

        if domaines_des_freins_du_dossier not in sollicitations.FOURNISSEURS_DOMAINES:
            sollicitations.FOURNISSEURS_DOMAINES.append(domaines_des_freins_du_dossier)
