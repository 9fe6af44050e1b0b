"""Réglages du projet, lus dans l'environnement (django-environ).

Toutes les variables sont listées dans `.env.example` et le README. Les valeurs par
défaut sont sûres pour la production (DEBUG désactivé, cookies sécurisés) ; `make run`
sert la démonstration sans DEBUG (pages d'erreur du projet), en HTTP, avec les valeurs
explicites de `ENV_RUN` (Makefile) ; `make run DEBUG=true` rend les pages de débogage.
"""

import importlib.util
import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pghistory
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY de l'environnement ; à défaut, une clé aléatoire générée une fois et
    conservée dans var/ (poste de développement, tests). Aucune clé n'est écrite dans le code."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(exist_ok=True)
        key = get_random_secret_key()
        try:
            with path.open("x") as fh:  # "x" : un seul processus gagne la création
                fh.write(key)
            path.chmod(0o600)
        except FileExistsError:
            key = path.read_text().strip()
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accompagnement",
    "conventions",
    "dossiers",
    "diagnostics",
    "reporting",
    "comites",
    "rgpd",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "axes",
    # Historique des écritures par déclencheurs PostgreSQL (décision 27).
    "pgtrigger",
    "pghistory",
]

MIDDLEWARE = [
    # Avant tout : les en-têtes X-Forwarded-* d'un client direct sont retirés.
    "accompagnement.reseau.ProxyDeConfianceMiddleware",
    # Puis : un corps annoncé trop gros est refusé (413) avant que quiconque le lise.
    "accompagnement.middleware.TailleRequeteMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "accompagnement.middleware.CaracteresInterditsMiddleware",
    "accompagnement.middleware.EntetesSecuriteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accompagnement.middleware.InactiviteMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accompagnement.middleware.StructureCouranteMiddleware",
    # Après le rattachement courant : l'acteur de chaque écriture (décision 27).
    "accompagnement.middleware.HistoriqueMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Dernier (exigence de django-axes) : transforme un verrouillage en page de connexion.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accompagnement.urls"
WSGI_APPLICATION = "accompagnement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accompagnement.context_processors.navigation",
            ],
            # Filtres d'affichage (pluriel, telephone, taille_fichier) sans {% load %}.
            "builtins": ["accompagnement.templatetags.affichage"],
        },
    },
]

# --- Base de données -------------------------------------------------------------------
# DATABASE_URL défini → ce PostgreSQL ; sinon un PostgreSQL embarqué (wheel `pgserver`)
# démarré à la première connexion sous var/pgdata, socket Unix, sans port.


# Réglages de session PostgreSQL pour cette charge (décision 49) : pas de JIT (il compilait
# 4 s des requêtes de files qui s'exécutent en 0,2 s) et 16 Mo pour les tris et hachages
# des listes. Passés à chaque connexion (libpq `options`) : valent pour la base embarquée,
# celle du fichier compose (qui les fixe aussi au serveur) et toute autre.
POSTGRES_OPTIONS = env.str("POSTGRES_OPTIONS", default="-c jit=off -c work_mem=16MB")


def _database() -> dict:
    url = env.str("DATABASE_URL", default="")
    if not url:
        if importlib.util.find_spec("pgserver") is None:
            raise ImproperlyConfigured(
                "DATABASE_URL n'est pas défini et le PostgreSQL embarqué (paquet pgserver) "
                "n'est pas installé. Définissez DATABASE_URL=postgres://utilisateur:mdp@hôte:5432/base."
            )
        return {
            "ENGINE": "accompagnement.db_embedded",
            "NAME": env.str("EMBEDDED_DB_NAME", default="accompagnement"),
            "USER": "postgres",
            "PGDATA": str(env.path("EMBEDDED_PGDATA", default=VAR_DIR / "pgdata")),
            "CONN_MAX_AGE": 0,
            "OPTIONS": {"options": POSTGRES_OPTIONS} if POSTGRES_OPTIONS else {},
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL doit désigner une base PostgreSQL (postgres://…), reçu le schéma « {scheme or '?'} »."
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ lève des erreurs variées sur une URL mal formée
        raise ImproperlyConfigured(f"DATABASE_URL est mal formée : {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL doit contenir le nom de la base (…/nom_de_la_base)."
        )
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if POSTGRES_OPTIONS:
        config["OPTIONS"].setdefault("options", POSTGRES_OPTIONS)
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentification ------------------------------------------------------------------
AUTH_USER_MODEL = "accompagnement.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes d'abord : il refuse l'authentification d'un couple (courriel, IP) verrouillé.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # lien de réinitialisation valable 2 heures
# Au plus N demandes de réinitialisation par heure pour une adresse, et depuis une adresse IP
# (compteurs dans le cache : CACHE_URL). Au-delà, même réponse, aucun courriel.
REINITIALISATION_LIMITE_COURRIEL = env.int("REINITIALISATION_LIMITE_COURRIEL", default=3)
REINITIALISATION_LIMITE_IP = env.int("REINITIALISATION_LIMITE_IP", default=10)
SESSION_COOKIE_AGE = 60 * 60 * 9  # une journée de travail, au plus
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Déconnexion après N minutes sans requête (accompagnement.middleware.InactiviteMiddleware) ;
# 0 désactive.
SESSION_INACTIVITE_MINUTES = env.int("SESSION_INACTIVITE_MINUTES", default=30)

# Verrouillage après des échecs répétés (django-axes, décision 23 de docs/decisions.md) :
# par couple (courriel, adresse IP), levé AXES_COOLOFF_MINUTES après le dernier échec.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # le champ du formulaire, pas USERNAME_FIELD (email)
AXES_USERNAME_CALLABLE = "accompagnement.connexion.identifiant_saisi"
AXES_CLIENT_IP_CALLABLE = "accompagnement.reseau.adresse_client"
AXES_LOCKOUT_CALLABLE = "accompagnement.connexion.reponse_verrouillage"
AXES_RESET_ON_SUCCESS = True
# Connexions et déconnexions sont déjà dans le journal d'audit : pas de copie chez axes.
AXES_DISABLE_ACCESS_LOG = True
# Administration des tentatives enregistrée par accompagnement/admin.py, limitée au département.
AXES_ENABLE_ADMIN = False

# --- Cache ---------------------------------------------------------------------------
# Compteurs de la limitation des réinitialisations. Par défaut en mémoire du processus
# (poste de développement) ; en production, un cache partagé par tous les processus web :
# CACHE_URL=redis://…/1 (une base Redis distincte de celle du broker).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Langue, dates ---------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Fichiers statiques et déposés ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Les fichiers déposés (pièces des dossiers) ne sont jamais servis directement :
# uniquement par des vues qui vérifient les droits.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/fichiers/"
# Sans collectstatic (poste de développement, `make run`) : WhiteNoise sert static/ et les
# fichiers des applications tels quels, relus à chaque modification.
STATIC_DEPUIS_SOURCES = env.bool("STATIC_DEPUIS_SOURCES", default=DEBUG)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = STATIC_DEPUIS_SOURCES
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_DEPUIS_SOURCES
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Courriel --------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Accompagnement global <ne-pas-repondre@accompagnement.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# LOG_FORMAT=json : une ligne JSON par message (agrégateur de journaux, décision 83) ;
# par défaut, des lignes de texte.
LOG_FORMAT = env.str("LOG_FORMAT", default="texte").strip().lower()
if LOG_FORMAT not in {"texte", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT vaut « texte » ou « json » (reçu « {LOG_FORMAT} »).")

# --- Celery ----------------------------------------------------------------------------
# Sans broker, les tâches s'exécutent immédiatement dans le processus (poste de dev).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
if CELERY_BROKER_URL and urlsplit(CELERY_BROKER_URL).scheme not in {
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "memory",
}:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL doit être une URL redis://, rediss:// ou amqp:// "
        f"(reçu « {CELERY_BROKER_URL.split('://')[0]}:// »)."
    )
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    # Un hôte explicite : sans lui, kombu avertit « No hostname was supplied » à chaque tâche.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "cache+memory://",
)
CELERY_TIMEZONE = TIME_ZONE
# File des tâches : une seule en production ; chaque processus de la suite de tests a la
# sienne (tests/conftest.py), sans quoi le worker d'un processus exécuterait la tâche de
# l'autre contre la mauvaise base.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Journaux JSON : le worker garde la configuration LOGGING de Django (sinon Celery remplace
# les gestionnaires du journal racine par les siens, en texte).
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Redis : un message pris par un worker perdu (sans accusé, acks_late) est redonné après ce
# délai (1 h par défaut ; plus court pour le test de reprise des rapports mensuels).
# Un message non acquitté (worker tué) redevient visible après `visibility_timeout` ; le
# worker ne le cherche qu'à chaque balayage, toutes les `unacked_restore_interval` ×
# `unacked_restore_throttle` secondes (10 × 10 par défaut dans kombu : jusqu'à 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}

# --- Formulaires -----------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Sécurité --------------------------------------------------------------------------
# --- Taille des requêtes (docs/securite.md) -----------------------------------------------
# Refus avant lecture du corps (TailleRequeteMiddleware, 413) : un document ou un import de
# demandeurs pèse 10 Mo au plus, plus l'enveloppe multipart ; l'import de la base de
# ressources, 60 Mo au plus.
TAILLE_REQUETE_MAX = env.int("TAILLE_REQUETE_MAX", default=11 * 1024 * 1024)
TAILLE_REQUETE_MAX_PAR_ROUTE = {"conventions:import": 61 * 1024 * 1024}
# Champs hors fichiers (formulaires ordinaires) : 2,5 Mo au plus, 1 000 champs, 5 fichiers.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Au-delà, un fichier déposé est écrit dans un fichier temporaire plutôt que gardé en mémoire.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # sonde interne des conteneurs, en HTTP


def _proxys_de_confiance() -> list[str]:
    """TRUSTED_PROXIES : adresses ou réseaux (CIDR) des proxys dont on croit les en-têtes
    X-Forwarded-For et X-Forwarded-Proto (accompagnement/reseau.py). Vide : aucun."""
    valeurs = [v.strip() for v in env.list("TRUSTED_PROXIES", default=[]) if v.strip()]
    for valeur in valeurs:
        try:
            ipaddress.ip_network(valeur)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES : « {valeur} » n'est ni une adresse IP ni un réseau "
                "(par exemple 172.31.250.1 ou 10.0.0.0/8, bits d'hôte à zéro)."
            ) from None
    return valeurs


TRUSTED_PROXIES = _proxys_de_confiance()
if env.bool("BEHIND_TLS_PROXY", default=False):
    if not TRUSTED_PROXIES:
        raise ImproperlyConfigured(
            "BEHIND_TLS_PROXY=true exige TRUSTED_PROXIES (adresse du proxy TLS vue par "
            "l'application) : sans cela, n'importe quel client pourrait se dire en HTTPS."
        )
    # Cru seulement des proxys déclarés : ProxyDeConfianceMiddleware retire l'en-tête des
    # autres requêtes.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload HSTS : décision de l'exploitant

# --- Journalisation --------------------------------------------------------------------
# Une ligne par réponse 4xx (django.request, django.security…), sans traceback ; les 5xx
# gardent la leur. Le journal d'accès de runserver ne répète pas les réponses ≥ 400, déjà
# journalisées par Django, et Django n'a plus son propre gestionnaire console (qui doublait
# chaque ligne avec DEBUG=true).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "sans_traceback_4xx": {"()": "accompagnement.journalisation.SansTraceback4xx"},
        "acces_sous_400": {"()": "accompagnement.journalisation.AccesSous400"},
    },
    "formatters": {
        "simple": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {"()": "accompagnement.journalisation.FormatJSON"},
        "acces": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "simple",
            "filters": ["sans_traceback_4xx"],
        },
        "acces": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "acces",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"propagate": True},
        "django.server": {
            "handlers": ["acces"],
            "filters": ["acces_sous_400"],
            "level": "INFO",
            "propagate": False,
        },
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Échecs et verrouillages (WARNING) ; pas une ligne par connexion réussie.
        "axes": {"level": "WARNING"},
    },
}

# --- Journal d'audit -------------------------------------------------------------------
# Durée de conservation des traces (consultations, connexions, historique des écritures) :
# la CNIL recommande de 6 mois à 1 an pour les journaux d'accès. Purge quotidienne
# (accompagnement.tasks.purger_journaux_audit).
AUDIT_CONSERVATION_MOIS = env.int("AUDIT_CONSERVATION_MOIS", default=12)
# Exports de listes du reporting : au-delà de ce nombre de lignes, l'export est produit par
# une tâche (progression affichée) et gardé quelques jours pour son seul demandeur.
REPORTING_SEUIL_EXPORT_DIFFERE = env.int("REPORTING_SEUIL_EXPORT_DIFFERE", default=5000)
REPORTING_EXPORT_CONSERVATION_JOURS = env.int("REPORTING_EXPORT_CONSERVATION_JOURS", default=2)
if not 1 <= AUDIT_CONSERVATION_MOIS <= 120:
    raise ImproperlyConfigured(
        f"AUDIT_CONSERVATION_MOIS doit être compris entre 1 et 120 (reçu {AUDIT_CONSERVATION_MOIS})."
    )
# Coupe-circuit de la purge de conservation des données des personnes (RGPD, docs/rgpd.md) :
# à faux, ni la tâche quotidienne ni `purge_rgpd --wet-run` n'anonymisent (l'essai à blanc
# reste possible). La durée se règle par département (Departement.duree_conservation_mois).
RGPD_PURGE_ACTIVE = env.bool("RGPD_PURGE_ACTIVE", default=True)
# Les instantanés de l'historique ne portent pas d'index sur chaque clé étrangère copiée :
# on y cherche par département, personne et date (index dédiés, accompagnement.historique).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"

# --- Application -----------------------------------------------------------------------
# Comptes de démonstration : seed_demo ne s'exécute que là où c'est voulu.
DEMO_AUTORISEE = env.bool("DEMO_AUTORISEE", default=DEBUG)
# Adresse publique de l'application, pour les liens des courriels.
URL_PUBLIQUE = env.str("URL_PUBLIQUE", default="http://127.0.0.1:8000")
DEMO_MOT_DE_PASSE = env.str("DEMO_MOT_DE_PASSE", default="Demo-Accompagnement-2026")
