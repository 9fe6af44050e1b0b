"""Configuration commune des tests : vraie base PostgreSQL (embarquée ou DATABASE_URL),
vrai navigateur pour tests/e2e."""

import os

import pytest

# Playwright (API synchrone) fait tourner une boucle asyncio dans le fil principal.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

MOT_DE_PASSE = "Mot-de-passe-de-test-1"


def pytest_configure(config):
    from django.conf import settings

    # Hachage rapide : les tests créent beaucoup de comptes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Le serveur de test parle HTTP : pas de redirection HTTPS ni de cookies « Secure ».
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Une file Celery par processus de test et par base : les workers (vrai_worker, ou
    # lancés à part avec cet environnement) d'un processus pytest-xdist ne prennent pas
    # les tâches de l'autre, ni celles d'une autre copie qui partage le même Redis.
    from accompagnement.celery import app

    file = "tests-{}-{}".format(
        settings.DATABASES["default"]["NAME"], os.environ.get("PYTEST_XDIST_WORKER", "seul")
    )
    settings.CELERY_TASK_DEFAULT_QUEUE = file
    app.conf.task_default_queue = file
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = file
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Les fichiers les plus longs d'abord (profil `--durations` d'une exécution complète,
# 01/12/2026) : avec `--dist loadfile`, un fichier entier va à un processus, dans l'ordre de
# la collecte ; un long parcours parti en dernier laisse l'autre cœur sans travail pendant
# des minutes. Les longs d'abord, puis les autres parcours navigateur, puis le reste :
# les petits fichiers comblent la fin sur les deux processus (décision 99).
FICHIERS_LONGS = (
    "tests/e2e/test_captures_aujourdhui.py",
    "tests/e2e/test_coordination.py",
    "tests/e2e/test_reporting.py",
    "tests/e2e/test_diagnostic.py",
    "tests/e2e/test_suivi.py",
    "tests/dossiers/test_demo.py",
    "tests/e2e/test_dossiers.py",
    "tests/reporting/test_rapports.py",
    "tests/reporting/test_pannes.py",
    "tests/reporting/test_aujourdhui.py",
    "tests/test_acces_urls.py",
    "tests/e2e/test_ressources.py",
)


def rang_du_fichier(chemin: str) -> int:
    for rang, long in enumerate(FICHIERS_LONGS):
        if chemin.endswith(long):
            return rang
    return len(FICHIERS_LONGS) + (0 if "/tests/e2e/" in chemin else 1)


def pytest_collection_modifyitems(items):
    # Tri stable : l'ordre des tests d'un même fichier ne change pas.
    items.sort(key=lambda item: rang_du_fichier(str(item.path)))


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """Celle de pytest-django, mais la base de test est copiée d'une base modèle migrée une
    seule fois pour tous les processus et les sessions suivantes (tests/base_modele.py)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from tests import base_modele

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosite = request.config.option.verbose
    configuration = []

    def construire(keepdb=False):
        configuration[:] = setup_databases(
            verbosity=verbosite,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )

    with django_db_blocker.unblock():
        if django_db_keepdb and not django_db_createdb:
            construire(keepdb=True)  # --reuse-db : comme pytest-django
        elif base_modele.preparer(
            connection, reconstruire=django_db_createdb, construire=construire
        ):
            construire(keepdb=True)  # copie du modèle : migrate n'a rien à appliquer
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(configuration, verbosity=verbosite)


def pytest_sessionfinish(session):
    """Sans DATABASE_URL, la session a utilisé le PostgreSQL embarqué : elle l'arrête si
    plus aucun autre processus ne s'en sert (un `make run` en cours le garde)."""
    from django.conf import settings
    from django.db import connections

    from accompagnement import embedded_postgres

    reglages = settings.DATABASES["default"]
    if reglages["ENGINE"] == "accompagnement.db_embedded":
        connections.close_all()
        embedded_postgres.liberer(reglages["PGDATA"])


@pytest.fixture(autouse=True)
def _cache_vide():
    """Chaque test part de compteurs vides (limitation des réinitialisations) : le cache
    en mémoire survit d'un test à l'autre dans le même processus."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def professionnel(db):
    """Fabrique un professionnel avec un rattachement : professionnel(Role.CONSEILLER)."""
    from tests.accompagnement.factories import MembershipFactory

    def _fabrique(role, **kwargs):
        return MembershipFactory(role=role, **kwargs)

    return _fabrique


@pytest.fixture
def client_de(client):
    """Un client de test connecté sous un rattachement donné."""

    def _connecte(membership):
        client.force_login(membership.user)
        session = client.session
        session["membership_uuid"] = str(membership.uuid)
        session.save()
        return client

    return _connecte


@pytest.fixture
def vrai_worker():
    """Un vrai worker Celery (fil d'exécution du processus de test) branché sur le broker
    configuré : Redis si CELERY_BROKER_URL est défini, sinon le transport en mémoire."""
    from celery.contrib.testing.worker import start_worker

    from accompagnement.celery import app

    ancien = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # rien d'un test précédent ne doit traîner dans la file
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = ancien


@pytest.fixture
def taches_immediates():
    """Exécute les tâches Celery dans le processus, même quand un broker est configuré.
    Pour les tests de parcours qui utilisent la base : le vrai worker, qui ferme les
    connexions Django à son démarrage, est réservé aux tests sans base (test_tasks)."""
    from accompagnement.celery import app

    ancien = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = ancien


@pytest.fixture
def equipe(db):
    """Un département avec une agence, un territoire et un professionnel par rôle."""
    from accompagnement.models import Role
    from tests.accompagnement.factories import MembershipFactory, StructureFactory

    agence = StructureFactory(agence=True, nom="Agence Centre")
    dep = agence.departement
    territoire = StructureFactory(territoire=True, departement=dep, nom="Territoire Centre")
    direction = StructureFactory(direction=True, departement=dep, nom="Direction")

    class Equipe:
        departement = dep
        conseiller = MembershipFactory(role=Role.CONSEILLER, structure=agence)
        dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        dedie_bis = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        ts = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=territoire)
        ts_bis = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=territoire)
        correspondant = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=territoire)
        animatrice = MembershipFactory(role=Role.ANIMATRICE, structure=direction)

    Equipe.agence, Equipe.territoire = agence, territoire
    return Equipe


@pytest.fixture(scope="module")
def deux_departements(django_db_setup, django_db_blocker, tmp_path_factory):
    """Deux départements complets (tests/matrice.py : `construire`), construits une fois
    par module dans une transaction annulée à la fin ; chaque test tourne dans un point de
    sauvegarde annulé à son tour. Rend (A, B, {rôle: clé de session d'un compte de A})."""
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction
    from django.test import Client, override_settings

    from accompagnement.management.commands.seed_demo import PERMISSIONS_COORDINATION
    from tests.matrice import ROLES, construire

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        groupe = Group.objects.create(name="Coordination départementale (matrice)")
        groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
        a, b = construire("A", groupe), construire("B", groupe)
        sessions = {}
        for attribut in ROLES.values():
            membership = getattr(a, attribut)
            client = Client()
            client.force_login(membership.user)
            session = client.session
            session["membership_uuid"] = str(membership.uuid)
            session.save()
            sessions[attribut] = session.session_key
        yield a, b, sessions
        transaction.set_rollback(True)


def client_de_session(cle):
    """Un client neuf sur la session ouverte pour le module (une déconnexion testée par
    une route ne déconnecte pas les suivantes : la session est rétablie à chaque test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cle
    return client
