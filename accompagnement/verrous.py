"""Verrous consultatifs PostgreSQL (décision 80) : « un seul à la fois » entre processus
(workers Celery), sans ligne à verrouiller pendant tout un calcul. Le verrou est de
session : PostgreSQL le libère si le processus meurt (worker tué), ce qui permet au message
redonné par le broker de reprendre le travail."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def verrou_consultatif(cle: str) -> Iterator[bool]:
    """Tente de prendre le verrou `cle` sans attendre ; rend vrai s'il est obtenu (et le
    libère à la sortie), faux si un autre processus le tient."""
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [cle])
        obtenu = curseur.fetchone()[0]
    try:
        yield obtenu
    finally:
        if obtenu:
            with connection.cursor() as curseur:
                curseur.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [cle])
