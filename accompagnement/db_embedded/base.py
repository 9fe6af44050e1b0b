"""Moteur de base « PostgreSQL embarqué » : le moteur PostgreSQL de Django, dont la
connexion démarre d'abord le serveur pgserver si besoin (voir embedded_postgres)."""

from django.db.backends.postgresql import base

from accompagnement.embedded_postgres import socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        # La base applicative est créée si besoin ; les tests créent la leur (test_…).
        params["host"] = socket_dir(self.settings_dict["PGDATA"], self.settings_dict["NAME"])
        return params
