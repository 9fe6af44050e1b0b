"""Connexions de test hors de Django (psycopg, pg_dump, pg_restore) vers le serveur de la
suite, qu'il soit celui de DATABASE_URL (hôte et port) ou le PostgreSQL embarqué (socket
Unix de pgserver, dont les outils clients ont la version du serveur)."""

import os
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def parametres(nom: str | None = None) -> dict:
    """Hôte (ou dossier du socket), port, utilisateur, mot de passe et base, pour psycopg."""
    params = connection.get_connection_params()
    retenus = {cle: params[cle] for cle in ("host", "port", "user", "password") if params.get(cle)}
    return {**retenus, "dbname": nom or settings.DATABASES["default"]["NAME"]}


def url(nom: str) -> str:
    """URI libpq de la base `nom` (le socket de l'embarqué passe en paramètre `host`)."""
    p = parametres(nom)
    identite = quote(p.get("user", ""), safe="")
    if p.get("password"):
        identite += ":" + quote(p["password"], safe="")
    hote = p.get("host", "")
    if hote.startswith("/"):
        return f"postgresql://{identite}@/{quote(nom, safe='')}?host={quote(hote, safe='')}"
    port = f":{p['port']}" if p.get("port") else ""
    return f"postgresql://{identite}@{hote}{port}/{quote(nom, safe='')}"


def environnement_outils() -> dict:
    """PATH où pg_dump, pg_restore et psql ont la version du serveur : ceux de pgserver
    devant ceux du système quand la suite tourne sur le PostgreSQL embarqué."""
    if settings.DATABASES["default"]["ENGINE"] != "accompagnement.db_embedded":
        return {}
    import pgserver

    binaires = pgserver._commands.POSTGRES_BIN_PATH
    return {"PATH": f"{binaires}{os.pathsep}{os.environ.get('PATH', '')}"}
