"""Bases de test clonées d'une base modèle migrée une seule fois.

Migrer une base de test vide (48 migrations) coûte ~30 s de CPU Python et plusieurs
minutes de PostgreSQL sur une machine chargée, et pytest-django le refait pour chaque
processus xdist à chaque session. Ici, la première session qui en a besoin migre la base
comme d'habitude, puis en garde une copie, la base modèle
`<base de test>_modele_<empreinte>` ; les processus et les sessions suivantes créent
leur base par `CREATE DATABASE … TEMPLATE` (une copie de fichiers : une à deux secondes).

L'empreinte couvre le texte de toutes les migrations et la version de Django : une
migration ajoutée ou modifiée donne une autre empreinte, donc une base migrée à neuf (et
les anciennes bases modèles de cette base de test sont supprimées). `migrate` passe tout de
même sur la copie (rien à appliquer, signaux post_migrate compris). Un verrou consultatif
PostgreSQL sérialise la construction entre processus. `--create-db` force la reconstruction.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import django

RACINE = Path(__file__).resolve().parents[1]


def empreinte_migrations() -> str:
    h = hashlib.sha256(django.get_version().encode())
    for chemin in sorted(RACINE.glob("*/migrations/*.py")):
        if ".venv" in chemin.parts:
            continue
        h.update(str(chemin.relative_to(RACINE)).encode())
        h.update(chemin.read_bytes())
    return h.hexdigest()[:10]


def nom_du_modele(nom_test: str) -> str:
    racine = re.sub(r"_gw\d+$", "", nom_test)
    return f"{racine[:40]}_modele_{empreinte_migrations()}"


def cle_du_verrou(modele: str) -> int:
    """Un verrou par base modèle : deux suites sur deux bases (deux copies du dépôt sur
    le même serveur) ne s'attendent pas."""
    return int.from_bytes(hashlib.sha256(modele.encode()).digest()[:8], "big", signed=True)


def _existe(curseur, nom: str) -> bool:
    curseur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom])
    return curseur.fetchone() is not None


def preparer(connection, *, reconstruire: bool, construire) -> bool:
    """Crée la base de test de `connection` par copie de la base modèle (construite au
    besoin par `construire()`, qui migre la base de test). Rend True si la base de test a
    été copiée (reste à la « garder » : keepdb), False si elle vient d'être construite."""
    from django.db import connections

    nom_test = connection.creation._get_test_db_name()
    modele = nom_du_modele(nom_test)
    q = connection.ops.quote_name
    with connection.creation._nodb_cursor() as curseur:
        verrou = cle_du_verrou(modele)
        curseur.execute("SELECT pg_advisory_lock(%s)", [verrou])
        try:
            if reconstruire and _existe(curseur, modele):
                curseur.execute(f"DROP DATABASE {q(modele)}")
            if _existe(curseur, modele):
                curseur.execute(f"DROP DATABASE IF EXISTS {q(nom_test)}")
                curseur.execute(f"CREATE DATABASE {q(nom_test)} TEMPLATE {q(modele)}")
                return True
            construire()
            connections.close_all()  # la copie exige qu'aucune connexion ne reste ouverte
            prefixe = modele.rsplit("_", 1)[0] + "_"
            curseur.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [prefixe.replace("_", r"\_") + "%"],
            )
            for (ancien,) in curseur.fetchall():
                curseur.execute(f"DROP DATABASE IF EXISTS {q(ancien)}")
            curseur.execute(f"CREATE DATABASE {q(modele)} TEMPLATE {q(nom_test)}")
            return False
        finally:
            curseur.execute("SELECT pg_advisory_unlock(%s)", [verrou])
