"""Sélection de la base (embarquée ou DATABASE_URL), du mode Celery, et erreurs de
configuration lisibles au démarrage. Chaque cas lance un vrai processus Django."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
VARIABLES_PROJET = (
    "DATABASE_URL",
    "LOG_FORMAT",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "EMBEDDED_PGDATA",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMBEDDED_DB_NAME",
    "BEHIND_TLS_PROXY",
    "TRUSTED_PROXIES",
    "CACHE_URL",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "SESSION_INACTIVITE_MINUTES",
    "REINITIALISATION_LIMITE_COURRIEL",
    "REINITIALISATION_LIMITE_IP",
)


def lancer(code: str, timeout: int = 60, **env) -> subprocess.CompletedProcess:
    """Exécute `code` après django.setup(), avec l'environnement du projet remis à zéro."""
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES_PROJET}
    environ.update(env)
    environ["DJANGO_SETTINGS_MODULE"] = "accompagnement.settings"
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=RACINE,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES_PROJET}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RACINE,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


AFFICHE_DB = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d.get('HOST', ''))"


def test_sans_database_url_la_base_embarquee_est_choisie():
    res = lancer(AFFICHE_DB)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[:2] == ["accompagnement.db_embedded", "accompagnement"]


def test_database_url_est_utilisee_telle_quelle():
    res = lancer(AFFICHE_DB, DATABASE_URL="postgres://alice:secret@db.interne:5433/suivi")
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["django.db.backends.postgresql", "suivi", "db.interne"]


@pytest.mark.parametrize(
    ("url", "attendu"),
    [
        ("mysql://root@localhost/base", "doit désigner une base PostgreSQL"),
        ("sqlite:///var/db.sqlite3", "doit désigner une base PostgreSQL"),
        ("n'importe quoi", "doit désigner une base PostgreSQL"),
        ("postgres://postgres@localhost:5432", "nom de la base"),
    ],
)
def test_database_url_invalide_donne_une_erreur_claire_au_demarrage(url, attendu):
    res = manage("check", DATABASE_URL=url)
    assert res.returncode == 2
    assert res.stderr.startswith("Configuration invalide : DATABASE_URL")
    assert attendu in res.stderr
    assert "Traceback" not in res.stderr


def test_broker_invalide_donne_une_erreur_claire():
    res = manage("check", CELERY_BROKER_URL="http://redis:6379")
    assert res.returncode == 2
    assert "CELERY_BROKER_URL" in res.stderr and "Traceback" not in res.stderr


def test_sans_broker_les_taches_sont_executees_immediatement():
    code = "from accompagnement.celery import app; print(app.conf.task_always_eager, app.conf.broker_url)"
    assert lancer(code).stdout.split() == ["True", "memory://localhost/"]
    avec = lancer(code, CELERY_BROKER_URL="redis://127.0.0.1:6379/3")
    assert avec.stdout.split() == ["False", "redis://127.0.0.1:6379/3"]
    # REDIS_URL sert de repli quand CELERY_BROKER_URL manque.
    repli = lancer(code, REDIS_URL="redis://127.0.0.1:6379/4")
    assert repli.stdout.split() == ["False", "redis://127.0.0.1:6379/4"]


def test_check_deploy_est_propre_en_production():
    res = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x7Yq9" * 6,
        ALLOWED_HOSTS="accompagnement.example.org",
    )
    assert res.returncode == 0, res.stderr
    assert "no issues" in res.stdout


def test_sans_secret_key_une_cle_est_generee_une_fois_et_reutilisee():
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    premiere, seconde = lancer(code).stdout.strip(), lancer(code).stdout.strip()
    assert len(premiere) >= 50 and premiere == seconde
    assert lancer(code, SECRET_KEY="fournie").stdout.strip() == "fournie"


def test_la_base_embarquee_demarre_une_fois_pour_des_processus_concurrents(tmp_path):
    """Deux processus démarrent en même temps sur un var/ neuf : un seul serveur,
    socket Unix, réutilisé ensuite par un troisième processus."""
    pgdata = tmp_path / "pgdata"
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('select pg_postmaster_start_time(), current_database(), inet_server_port()')\n"
        "    print(*c.fetchone(), connection.settings_dict['ENGINE'], sep='|')\n"
    )
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES_PROJET}
    environ.update(EMBEDDED_PGDATA=str(pgdata), DJANGO_SETTINGS_MODULE="accompagnement.settings")
    script = f"import django\ndjango.setup()\n{code}"
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script],
                cwd=RACINE,
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        sorties = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err for _, err in sorties]
        lignes = [out.strip().split("|") for out, _ in sorties]
        assert lignes[0][0] == lignes[1][0], "deux serveurs ont démarré"
        assert lignes[0][1] == "accompagnement"
        assert lignes[0][2] == "None", "le serveur embarqué ne doit écouter sur aucun port TCP"
        assert lignes[0][3] == "accompagnement.db_embedded"
        troisieme = lancer(code, EMBEDDED_PGDATA=str(pgdata))
        assert troisieme.stdout.strip().split("|")[0] == lignes[0][0], "serveur non réutilisé"
    finally:
        pid_file = pgdata / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGINT)
            for _ in range(50):
                if not pid_file.exists():
                    break
                time.sleep(0.1)


def test_journaux_json_sur_option():
    """LOG_FORMAT=json : une ligne JSON par message, avec les champs « extra » ; sans
    l'option, du texte ; une valeur inconnue est refusée au démarrage."""
    code = (
        "import logging; logging.getLogger('accompagnement.essai').warning("
        "'Broker injoignable : %s', 'export', extra={'task_id': 'abc', 'objet': object()})"
    )
    r = lancer(code, LOG_FORMAT="json")
    assert r.returncode == 0, r.stderr
    ligne = json.loads(r.stderr.strip().splitlines()[-1])
    assert ligne["niveau"] == "WARNING" and ligne["journal"] == "accompagnement.essai"
    assert ligne["message"] == "Broker injoignable : export" and ligne["task_id"] == "abc"
    assert "objet" not in ligne  # seuls les champs simples sont copiés
    assert ligne["horodatage"].endswith("+00:00")
    texte = lancer(code)
    assert "WARNING accompagnement.essai Broker injoignable : export" in texte.stderr
    refus = lancer("", LOG_FORMAT="xml")
    assert refus.returncode != 0 and "LOG_FORMAT vaut « texte » ou « json »" in refus.stderr
