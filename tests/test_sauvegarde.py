"""Sauvegarde et restauration (ticket 14, point 5 ; docs/sauvegarde.md) : les vrais scripts
`scripts/sauvegarder.sh` et `scripts/restaurer.sh` sur la base de test garnie, restaurée
dans une base neuve : mêmes comptes dans chaque table, même fichier déposé, et la
restauration refuse une base qui n'est pas vide."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from dossiers.models import Document
from tests import connexion_pg
from tests.dossiers.suivi.test_documents import deposer
from tests.dossiers.suivi.test_services import dossier_du_binome

pytestmark = [
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")),
        reason="outils clients PostgreSQL absents",
    ),
    pytest.mark.django_db(transaction=True),
]

SCRIPTS = settings.BASE_DIR / "scripts"


_url = connexion_pg.url


def _comptes(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as c:
        tables = [
            t
            for (t,) in c.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608 — noms lus dans pg_tables
            for t in tables
        }


@pytest.fixture
def base_neuve():
    nom = f"{settings.DATABASES['default']['NAME']}_restauree"
    with psycopg.connect(_url("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{nom}"')
        c.execute(f'CREATE DATABASE "{nom}"')
    yield nom
    with psycopg.connect(_url("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def _lancer(script, env, *args):
    return subprocess.run(
        [str(SCRIPTS / script), *map(str, args)],
        env={**os.environ, **connexion_pg.environnement_outils(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_sauvegarde_puis_restauration_dans_une_base_neuve(equipe, settings, tmp_path, base_neuve):
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, nom="attestation.pdf")
    contenu = (settings.MEDIA_ROOT / document.chemin).read_bytes()
    connection.close()  # tout est validé (transaction=True) : pg_dump voit tout
    origine = _url(settings.DATABASES["default"]["NAME"])
    avant = _comptes(origine)
    assert avant["dossiers_dossier"] >= 1 and avant["dossiers_document"] == 1
    assert avant["accompagnement_evenementaudit"] >= 1

    sauvegarde = _lancer(
        "sauvegarder.sh",
        {"DATABASE_URL": origine, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
        tmp_path / "sauvegardes",
    )
    assert sauvegarde.returncode == 0, sauvegarde.stderr
    dossier_sauvegarde = sauvegarde.stdout.strip().splitlines()[-1]
    assert sorted(os.listdir(dossier_sauvegarde)) == ["SHA256SUMS", "base.dump", "media.tar.gz"]

    restauree_media = tmp_path / "media-restaure"
    env = {"DATABASE_URL": _url(base_neuve), "MEDIA_ROOT": str(restauree_media)}
    restauration = _lancer("restaurer.sh", env, dossier_sauvegarde)
    assert restauration.returncode == 0, restauration.stderr

    assert _comptes(_url(base_neuve)) == avant
    assert (restauree_media / document.chemin).read_bytes() == contenu
    with psycopg.connect(_url(base_neuve)) as c:
        chemin = c.execute(
            "SELECT chemin FROM dossiers_document WHERE uuid = %s", [document.uuid]
        ).fetchone()[0]
    assert chemin == Document.objects.get().chemin

    # Une seconde fois sur la même base (plus vide) : refusé, rien n'est touché.
    encore = _lancer(
        "restaurer.sh", {**env, "MEDIA_ROOT": str(tmp_path / "autre")}, dossier_sauvegarde
    )
    assert encore.returncode == 3 and "base neuve" in encore.stderr
    assert _comptes(_url(base_neuve)) == avant


def test_restauration_refuse_une_sauvegarde_abimee(tmp_path, base_neuve):
    sauvegarde = tmp_path / "s"
    sauvegarde.mkdir()
    (sauvegarde / "base.dump").write_bytes(b"abime")
    (sauvegarde / "media.tar.gz").write_bytes(b"")
    (sauvegarde / "SHA256SUMS").write_text(
        "0" * 64 + "  base.dump\n" + "0" * 64 + "  media.tar.gz\n"
    )
    r = _lancer(
        "restaurer.sh",
        {"DATABASE_URL": _url(base_neuve), "MEDIA_ROOT": str(tmp_path / "m")},
        sauvegarde,
    )
    assert r.returncode == 2 and "Sommes de contrôle fausses" in r.stderr
    assert _comptes(_url(base_neuve)) == {}
