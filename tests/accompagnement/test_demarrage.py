"""Le premier contact : `make run` (pages d'erreur françaises, journaux concis, démarrage
sans travail inutile), `make stop` et l'arrêt de la base embarquée. Les réglages du
serveur de démonstration sont lus dans le Makefile (`make env-run`), comme `make run`."""

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from accompagnement.management.commands import seed_demo
from accompagnement.models import User

RACINE = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
sans_make = pytest.mark.skipif(MAKE is None, reason="make absent")


def env_make() -> dict:
    """L'environnement sans DEBUG ni les variables d'un `make` parent (MAKEFLAGS transmet
    ses variables de ligne de commande, par exemple DEBUG=…) : `make run` tel quel."""
    retirees = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DEBUG"}
    return {k: v for k, v in os.environ.items() if k not in retirees}


def env_run(*variables: str) -> dict:
    """Les variables que `make run` donne au serveur (`make env-run`), ajoutées à
    l'environnement des tests (DATABASE_URL compris)."""
    sortie = subprocess.run(
        [MAKE, "-s", "--no-print-directory", "-C", str(RACINE), "env-run", *variables],
        env=env_make(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {**os.environ, **dict(paire.split("=", 1) for paire in sortie.split())}


PAGES = r"""
import json
import django

django.setup()
from django.conf import settings
from django.test import Client

settings.ROOT_URLCONF = "tests.accompagnement.urls_erreurs"
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
reponses = {
    "404": client.get("/nexiste-pas/"),
    "403": client.get("/test/interdite/"),
    "500": client.get("/test/erreur/"),
    "csrf": Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True).post(
        "/connexion/", {"username": "x", "password": "y"}
    ),
    "400": Client(HTTP_HOST="inconnu.example", raise_request_exception=False).get("/connexion/"),
}
statique = client.get("/static/css/app.css")
print(json.dumps({
    "pages": {cle: [r.status_code, r.content.decode()] for cle, r in reponses.items()},
    "statique": [statique.status_code, statique["Content-Type"]],
    "reglages": [settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE,
                 settings.CSRF_COOKIE_SECURE, settings.DEMO_AUTORISEE],
}))
"""


def pages_du_serveur_de_demo(*variables: str) -> tuple[dict, str]:
    res = subprocess.run(
        [sys.executable, "-c", PAGES],
        cwd=RACINE,
        env=env_run(*variables),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.splitlines()[-1]), res.stderr


@sans_make
def test_make_run_montre_les_pages_d_erreur_du_projet_en_francais():
    resultat, journal = pages_du_serveur_de_demo()
    # DEBUG désactivé, mais HTTP sur 127.0.0.1 : ni redirection HTTPS ni cookies « Secure ».
    assert resultat["reglages"] == [False, False, False, False, True]
    pages = resultat["pages"]
    attendus = {
        "404": (404, "Page introuvable"),
        "403": (403, "Accès refusé"),
        "500": (500, "Le service a rencontré une erreur"),
        "csrf": (403, "Formulaire expiré"),
        "400": (400, "Requête invalide"),
    }
    for cle, (statut, titre) in attendus.items():
        code, html = pages[cle]
        assert code == statut, cle
        assert f">{titre}</h1>" in html, cle
        assert '<html lang="fr">' in html, cle
        for anglais in ("Not Found", "Forbidden", "Bad Request", "Server Error", "Traceback"):
            assert anglais not in html, (cle, anglais)
    # Fichiers statiques servis sans collectstatic.
    assert resultat["statique"] == [200, 'text/css; charset="utf-8"']

    # Journal : une ligne par 403/404, sans traceback ; la 500 garde la sienne.
    lignes = journal.splitlines()
    assert [ligne.split(" ", 2)[2] for ligne in lignes if "/nexiste-pas/" in ligne] == [
        "WARNING django.request Not Found: /nexiste-pas/"
    ]
    assert [ligne.split(" ", 2)[2] for ligne in lignes if "/test/interdite/" in ligne] == [
        "WARNING django.request Forbidden (Permission denied): /test/interdite/"
    ]
    assert len([ligne for ligne in lignes if "CSRF" in ligne]) == 1
    assert len([ligne for ligne in lignes if "inconnu.example" in ligne]) == 1  # hôte refusé
    assert journal.count("Traceback") == 1
    erreur = next(i for i, ligne in enumerate(lignes) if "Internal Server Error" in ligne)
    assert lignes[erreur + 1].startswith("Traceback")
    assert "erreur volontaire du test" in journal


@sans_make
def test_make_run_debug_true_rend_les_pages_de_debogage():
    resultat, _ = pages_du_serveur_de_demo("DEBUG=true")
    assert resultat["reglages"][0] is True
    code, html = resultat["pages"]["404"]
    assert code == 404
    assert "Using the URLconf defined in" in html  # page technique de Django


def console_du_projet() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)


def enregistrement_django(statut: int, exception: Exception) -> logging.LogRecord:
    """Un enregistrement comme ceux de django.utils.log.log_response : l'exception jointe."""
    try:
        raise exception
    except Exception:
        exc_info = sys.exc_info()
    enregistrement = logging.getLogger("django.request").makeRecord(
        "django.request", logging.WARNING, __file__, 1, "Réponse %s", ("/x/",), exc_info
    )
    enregistrement.status_code = statut
    return enregistrement


def test_le_journal_du_projet_ecrit_une_4xx_sur_une_ligne_et_garde_la_trace_des_5xx():
    console = console_du_projet()
    for statut in (400, 403, 404):
        enregistrement = enregistrement_django(statut, PermissionDenied())
        assert console.filter(enregistrement)
        ligne = console.format(enregistrement)
        assert "\n" not in ligne and "Traceback" not in ligne, statut
        assert ligne.endswith("WARNING django.request Réponse /x/")
    erreur = enregistrement_django(500, RuntimeError("panne"))
    assert console.filter(erreur)
    assert "Traceback" in console.format(erreur) and "RuntimeError: panne" in console.format(erreur)


def test_une_403_donne_une_seule_ligne_de_journal(client_de, professionnel, caplog):
    """Une vraie 403 (PermissionDenied d'une vue) : un seul enregistrement django.request,
    écrit sur une ligne par le gestionnaire du projet."""
    from accompagnement.models import Role

    client = client_de(professionnel(Role.CONSEILLER))
    with caplog.at_level(logging.INFO):
        reponse = client.get(reverse("dossiers:charges"))
    assert reponse.status_code == 403
    enregistrements = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.status_code) for r in enregistrements] == [("django.request", 403)]
    ligne = console_du_projet().format(enregistrements[0])
    assert ligne.endswith(
        "WARNING django.request Forbidden (Permission denied): /dossiers/charges/"
    )
    assert "\n" not in ligne


def test_une_tache_sans_broker_ne_donne_aucun_avertissement():
    """Sans broker (tâches immédiates, transport mémoire) : ni avertissement Python
    (-W error), ni « No hostname was supplied » de kombu à chaque tâche."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "REDIS_URL", "CELERY_RESULT_BACKEND", "EMAIL_URL"}
    }
    environ.update(DJANGO_SETTINGS_MODULE="accompagnement.settings", EMAIL_URL="dummymail://")
    code = (
        "import django\ndjango.setup()\n"
        "from accompagnement.tasks import envoyer_courriel\n"
        "for _ in range(2):\n"
        "    print(envoyer_courriel.delay('Sujet', 'Texte', ['a@exemple.fr']).get())\n"
    )
    res = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=RACINE,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["1", "1"]
    assert "No hostname" not in res.stderr
    assert "WARNING" not in res.stderr


def test_charger_les_adresses_n_importe_pas_weasyprint():
    """Le serveur (et chaque commande qui vérifie le projet) charge toutes les adresses au
    démarrage : WeasyPrint, près d'une seconde de CPU, n'est importé qu'au premier PDF."""
    code = (
        "import sys, django\ndjango.setup()\n"
        "from django.urls import get_resolver\nget_resolver().url_patterns\n"
        "print(sorted(m for m in ('weasyprint', 'fontTools') if m in sys.modules))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=RACINE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "accompagnement.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


# --- Données de démonstration : rien à refaire si elles sont à jour -------------------


@pytest.mark.django_db
def test_seed_demo_si_necessaire_ne_recharge_pas_une_demo_a_jour(settings):
    settings.DEMO_AUTORISEE = True
    call_command("seed_demo", minimal=True, stdout=io.StringIO())
    version = seed_demo.version_demo(minimal=True)
    assert seed_demo.version_chargee() == version
    # Une modification faite dans la démo…
    User.objects.filter(email="conseiller@demo.test").update(prenom="Modifié")

    sortie = io.StringIO()
    call_command("seed_demo", minimal=True, si_necessaire=True, stdout=sortie)
    assert f"Démonstration déjà chargée (version {version})" in sortie.getvalue()
    # … est conservée : rien n'a été relu ni réécrit.
    assert User.objects.get(email="conseiller@demo.test").prenom == "Modifié"

    # Une autre version (ici le mot de passe de la démo) recharge tout.
    settings.DEMO_MOT_DE_PASSE = "Autre-mot-de-passe-2026"
    assert seed_demo.version_demo(minimal=True) != version
    sortie = io.StringIO()
    call_command("seed_demo", minimal=True, si_necessaire=True, stdout=sortie)
    assert "Département de démonstration prêt" in sortie.getvalue()
    assert User.objects.get(email="conseiller@demo.test").prenom != "Modifié"
    assert seed_demo.version_chargee() == seed_demo.version_demo(minimal=True)


@pytest.mark.django_db
def test_la_version_de_la_demo_depend_de_son_contenu_et_du_mode():
    complete, minimale = (seed_demo.version_demo(minimal=m) for m in (False, True))
    assert complete != minimale and minimale.endswith("-minimal")
    assert seed_demo.version_demo(minimal=False) == complete  # stable
    # Le commentaire de la base survit au vidage des tables : un parcours navigateur passé
    # avant sur le même processus a pu l'inscrire. Sans commentaire, aucune version.
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS NULL')
    assert seed_demo.version_chargee() is None
    assert seed_demo.inscrire_version(minimale)
    assert seed_demo.version_chargee() == minimale


# --- make stop, arrêt à la fin : sur des pgdata jetables ------------------------------

UTILISER = (
    "import sys\n"
    "from accompagnement import embedded_postgres as e\n"
    "e.socket_dir(sys.argv[1], None)\n"
    "{suite}\n"
)


def python(code: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=RACINE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "accompagnement.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def postgres_de(pgdata: Path) -> list[int]:
    """Processus postgres dont la ligne de commande désigne ce pgdata."""
    pids = []
    for entree in Path("/proc").iterdir():
        if entree.name.isdigit():
            try:
                args = (entree / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if args[0].endswith(b"postgres") and str(pgdata).encode() in args:
                pids.append(int(entree.name))
    return pids


def demarrer(*bases: Path) -> None:
    """Démarre (ou retrouve) ces PostgreSQL embarqués depuis un autre processus, qui les
    laisse en marche en se terminant, comme toute commande manage.py."""
    for pgdata in bases:
        res = python(UTILISER.format(suite=""), str(pgdata))
        assert res.returncode == 0, res.stderr
        assert postgres_de(pgdata)


@pytest.fixture(scope="module")
def deux_bases(tmp_path_factory):
    """Deux PostgreSQL embarqués jetables (deux « copies de travail ») pour le module,
    créés une fois ; arrêtés à la fin quoi qu'il arrive."""
    pytest.importorskip("pgserver")
    from accompagnement import embedded_postgres

    racine = tmp_path_factory.mktemp("copies")
    bases = [racine / "a" / "pgdata", racine / "b" / "pgdata"]
    try:
        demarrer(*bases)
        yield bases
    finally:
        for pgdata in bases:
            embedded_postgres.arreter(pgdata)


@sans_make
def test_make_stop_arrete_la_base_de_cette_copie_et_elle_seule(deux_bases):
    a, b = deux_bases
    demarrer(a, b)
    res = subprocess.run(
        [MAKE, "-s", "--no-print-directory", "-C", str(RACINE), "stop", f"PY={sys.executable}"],
        env={**env_make(), "EMBEDDED_PGDATA": str(a)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert f"PostgreSQL embarqué arrêté ({a})" in res.stdout
    assert postgres_de(a) == []
    assert postgres_de(b), "make stop a arrêté la base d'une autre copie"
    # Une seconde fois : rien à arrêter, et ce n'est pas une erreur.
    res = python(
        "import sys\nfrom accompagnement.embedded_postgres import main\nmain(['stop', sys.argv[1]])",
        str(a),
    )
    assert "Aucun PostgreSQL embarqué en marche" in res.stdout


def test_la_base_est_arretee_par_son_dernier_utilisateur(deux_bases):
    """liberer() (fin de make run, fin d'une session de tests) n'arrête la base que si
    plus aucun autre processus vivant ne l'utilise."""
    _, b = deux_bases
    demarrer(b)
    liberer = UTILISER.format(suite="print(e.liberer(sys.argv[1]))")
    occupant = subprocess.Popen(
        [sys.executable, "-c", UTILISER.format(suite="print('pret', flush=True); input()"), str(b)],
        cwd=RACINE,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert occupant.stdout.readline().strip() == "pret"
        res = python(liberer, str(b))
        assert res.stdout.strip() == "False", res.stderr
        assert postgres_de(b), "arrêtée alors qu'un autre processus l'utilise"
    finally:
        occupant.communicate("\n", timeout=30)
    res = python(liberer, str(b))
    assert res.stdout.strip() == "True", res.stderr
    assert postgres_de(b) == []
    # Un processus qui ne s'en est pas servi n'arrête rien.
    ailleurs = "import sys\nfrom accompagnement import embedded_postgres as e\nprint(e.liberer(sys.argv[1]))"
    assert python(ailleurs, str(b)).stdout.strip() == "False"
