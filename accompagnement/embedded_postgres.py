"""PostgreSQL embarqué (wheel `pgserver`) pour le poste de développement et les tests.

Le serveur est démarré à la première connexion, sous `var/pgdata`, écoute sur un socket
Unix (aucun port ouvert) et survit aux commandes suivantes, qui le réutilisent. Le
démarrage est protégé par un verrou inter-processus (celui de pgserver, plus le nôtre
pour la création de la base), si bien que plusieurs processus peuvent démarrer en même
temps sans se gêner.

Arrêt : `arreter(pgdata)` (`make stop`) arrête le serveur de ce pgdata-là seulement, par
le `pg_ctl` du wheel ; `liberer(pgdata)`, appelé à la fin du serveur de démonstration et
d'une session de tests, l'arrête si plus aucun autre processus vivant ne l'utilise.

    python -m accompagnement.embedded_postgres stop [PGDATA]   # défaut : EMBEDDED_PGDATA ou var/pgdata
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import warnings
from pathlib import Path

import psycopg
from psycopg import sql


def _pgserver():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver prévient quand XDG_RUNTIME_DIR manque
        import pgserver
        import pgserver.utils
    return pgserver


# pgdata (résolus) que ce processus a utilisés : seuls ceux-là sont libérés par `liberer`.
_UTILISES: set[Path] = set()


@functools.cache
def socket_dir(pgdata: str, dbname: str | None) -> str:
    """Démarre (ou retrouve) le serveur et garantit l'existence de la base `dbname`.

    Renvoie le répertoire du socket, à utiliser comme `host` de connexion."""
    import fasteners

    pgserver = _pgserver()
    path = Path(pgdata)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(path, cleanup_mode=None)
    _UTILISES.add(path.resolve())
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


def en_marche(pgdata: str | Path) -> bool:
    """Vrai si un serveur tourne sur ce pgdata (d'après son postmaster.pid)."""
    info = _pgserver().utils.PostmasterInfo.read_from_pgdata(Path(pgdata).resolve())
    return info is not None and info.is_running()


def arreter(pgdata: str | Path) -> bool:
    """Arrête le serveur embarqué de ce pgdata (et d'aucun autre) par le `pg_ctl` du wheel,
    en mode « fast » (les connexions ouvertes sont fermées). Renvoie False s'il ne tournait pas."""
    pgserver = _pgserver()
    path = Path(pgdata).resolve()
    if not en_marche(path):
        return False
    # En root, pgserver fait tourner PostgreSQL sous l'utilisateur système « pgserver » ;
    # pg_ctl refuse root et doit tourner sous le même utilisateur que le serveur.
    utilisateur = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    subprocess.run(  # noqa: S603 (binaire du wheel, arguments fixes)
        [
            str(pgserver._commands.POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(path),
            "-m",
            "fast",
            "-w",
            "stop",
        ],
        check=True,
        capture_output=True,
        user=utilisateur,
        timeout=60,
    )
    return True


def utilisateurs(pgdata: str | Path) -> list[int]:
    """Pids des processus vivants, autres que celui-ci, qui ont une poignée sur ce serveur
    (la liste tenue par pgserver dans `<pgdata>/.handle_pids.json`)."""
    import psutil

    pgserver = _pgserver()
    path = Path(pgdata).resolve()
    with pgserver.PostgresServer._lock:
        pids = pgserver.utils.DiskList(path / ".handle_pids.json").get()
    return [pid for pid in pids if pid != os.getpid() and psutil.pid_exists(pid)]


def liberer(pgdata: str | Path) -> bool:
    """À la fin d'un processus qui a utilisé la base embarquée (serveur de démonstration,
    session de tests) : l'arrête si plus aucun autre processus vivant ne l'utilise. Ne fait
    rien si ce processus ne l'a pas utilisée. Renvoie True si le serveur a été arrêté."""
    path = Path(pgdata).resolve()
    if path not in _UTILISES or utilisateurs(path):
        return False
    return arreter(path)


def _pgdata_par_defaut() -> Path:
    """Celui des réglages (EMBEDDED_PGDATA, y compris depuis .env), même si DATABASE_URL
    est défini."""
    from django.conf import settings

    defaut = settings.VAR_DIR / "pgdata"  # charge les réglages, donc le fichier .env
    return Path(os.environ.get("EMBEDDED_PGDATA") or defaut)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] != "stop":
        print("Usage : python -m accompagnement.embedded_postgres stop [PGDATA]", file=sys.stderr)
        return 2
    pgdata = Path(argv[1]) if len(argv) == 2 else _pgdata_par_defaut()
    try:
        arrete = arreter(pgdata)
    except subprocess.CalledProcessError as exc:
        print(f"Échec de l'arrêt de {pgdata} : {exc.stderr.decode().strip()}", file=sys.stderr)
        return 1
    print(
        f"PostgreSQL embarqué arrêté ({pgdata})."
        if arrete
        else f"Aucun PostgreSQL embarqué en marche sur {pgdata}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
