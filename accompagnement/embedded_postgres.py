"""PostgreSQL embarqué (wheel `pgserver`) pour le poste de développement et les tests.

Le serveur est démarré à la première connexion, sous `var/pgdata`, écoute sur un socket
Unix (aucun port ouvert) et survit aux commandes suivantes, qui le réutilisent. Le
démarrage est protégé par un verrou inter-processus (celui de pgserver, plus le nôtre
pour la création de la base), si bien que plusieurs processus peuvent démarrer en même
temps sans se gêner.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import psycopg
from psycopg import sql


@functools.cache
def socket_dir(pgdata: str, dbname: str | None) -> str:
    """Démarre (ou retrouve) le serveur et garantit l'existence de la base `dbname`.

    Renvoie le répertoire du socket, à utiliser comme `host` de connexion."""
    import fasteners

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver prévient quand XDG_RUNTIME_DIR manque
        import pgserver

    path = Path(pgdata)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(path, cleanup_mode=None)
    host = str(server.get_postmaster_info().socket_dir)
    if not dbname or dbname == "postgres":
        return host  # connexion « sans base » de Django (création des bases de test)
    verrou = fasteners.InterProcessLock(str(path.parent / f".{path.name}.createdb.lock"))
    with (
        verrou,
        psycopg.connect(host=host, dbname="postgres", user="postgres", autocommit=True) as conn,
    ):
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return host
