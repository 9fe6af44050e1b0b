from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Diagnostics partagés"

    def ready(self) -> None:
        # Les sollicitations proposent d'abord les ressources qui répondent aux freins du
        # dernier diagnostic : diagnostics s'enregistre auprès de dossiers (qui ne
        # l'importe pas : sens des dépendances).
        from accompagnement import lectures as audit
        from dossiers.sollicitations import lectures as sollicitations
        from dossiers.suivi import lectures as suivi

        from .lecture import domaines_des_freins_du_dossier, objets_des_personnes_pour_audit

        if domaines_des_freins_du_dossier not in sollicitations.FOURNISSEURS_DOMAINES:
            sollicitations.FOURNISSEURS_DOMAINES.append(domaines_des_freins_du_dossier)
        # Le plan d'action propose ces mêmes freins comme objectifs (un clic).
        if domaines_des_freins_du_dossier not in suivi.FOURNISSEURS_FREINS:
            suivi.FOURNISSEURS_FREINS.append(domaines_des_freins_du_dossier)
        # La page d'audit du noyau retrouve les diagnostics d'une personne.
        audit.inscrire_objets_des_personnes(objets_des_personnes_pour_audit)
