from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Indicateurs et rapports"

    def ready(self) -> None:
        # Page d'audit du noyau : les bilans d'une personne (inversion de dépendance).
        from accompagnement import lectures

        from .audit import objets_des_personnes

        lectures.inscrire_objets_des_personnes(objets_des_personnes)
