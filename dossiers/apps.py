from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        # La page d'audit du noyau cherche et nomme les personnes accompagnées : dossiers
        # s'inscrit auprès d'accompagnement (qui ne l'importe pas : sens des dépendances).
        from accompagnement import lectures

        from .parcours import audit

        lectures.inscrire_personnes(
            lectures.FournisseurPersonnes(
                chercher=audit.chercher,
                libelles=audit.libelles,
                libelles_par_objet=audit.libelles_par_objet,
            )
        )
        lectures.inscrire_objets_des_personnes(audit.objets_des_personnes)
