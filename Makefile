# Deux commandes sur une machine neuve : `make run` et `make test` (voir README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installe
HOST ?= 127.0.0.1
PORT ?= 8000
# Serveur de démonstration : pages d'erreur du projet, en français (DEBUG=false), en HTTP
# sur 127.0.0.1 (ni redirection HTTPS ni cookies « Secure »), fichiers statiques servis
# sans collectstatic. `make run DEBUG=true` : pages de débogage de Django. Le bytecode
# est écrit (PYTHONDONTWRITEBYTECODE vidé) : chaque démarrage ne recompile pas Django.
DEBUG ?= false
ENV_RUN = DEBUG=$(DEBUG) DEMO_AUTORISEE=true STATIC_DEPUIS_SOURCES=true \
  SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
  PYTHONDONTWRITEBYTECODE=

.PHONY: help install run stop env-run worker beat test test-fast quality fmt clean-db bench

help: ## Liste les commandes
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Virtualenv sans pip (uv installe tout) quand le pip du système sait installer ailleurs
# (--python, pip ≥ 22.3) : 4 s de moins qu'ensurepip ; sinon, le venv classique.
$(UV):
	python3 -m venv --without-pip $(VENV) && \
	  python3 -m pip --python $(PY) install -q --disable-pip-version-check "uv==$(UV_VERSION)" || \
	  { python3 -m venv --clear $(VENV) && \
	    $(PY) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"; }

# Dépendances verrouillées (uv.lock) : deux installations donnent le même environnement.
$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --all-extras --inexact --quiet
	@touch $(STAMP)

install: $(STAMP) ## Crée le virtualenv et installe les dépendances verrouillées

run: install ## Installe, migre et charge la démo si besoin, sert sur http://127.0.0.1:8000
	@scripts/deps-systeme.sh run
	$(ENV_RUN) $(PY) manage.py serveur_demo $(HOST):$(PORT)

stop: ## Arrête le PostgreSQL embarqué de cette copie (var/pgdata), et lui seul
	@if [ -x $(PY) ]; then $(PY) -m accompagnement.embedded_postgres stop; fi

env-run:
	@echo $(ENV_RUN)

worker: install ## Lance un worker Celery (exige CELERY_BROKER_URL)
	$(VENV)/bin/celery -A accompagnement worker -l info

beat: install ## Lance Celery beat (exige CELERY_BROKER_URL)
	$(VENV)/bin/celery -A accompagnement beat -l info

# Tests répartis sur les cœurs (pytest-xdist, une base de test par processus, navigateur
# compris) ; `make test TEST_WORKERS=0` : un seul processus. Les 15 tests les plus lents
# sont listés à la fin (--durations).
TEST_WORKERS ?= auto

# Le bytecode est écrit (PYTHONDONTWRITEBYTECODE vidé) : les modules de test réécrits par
# pytest (assertions) et ceux du projet sont gardés dans __pycache__ ; la collecte d'un
# processus passe de 12 à 4 s dès la deuxième exécution, et chaque sous-processus
# (worker Celery, commande) démarre sans recompiler.
test: install ## Lance toute la suite de tests (installe ce qui manque)
	@scripts/deps-systeme.sh test
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

test-fast: install ## Tests sans navigateur
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile -m "not e2e" $(PYTEST_ARGS)

quality: install ## Lint, format, migrations, checks Django, fichier compose
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	DEBUG=false SECRET_KEY=qualite-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	  ALLOWED_HOSTS=accompagnement.example.org $(PY) manage.py check --deploy --fail-level WARNING
	@if docker compose version >/dev/null 2>&1; then docker compose --env-file .env.example config -q; \
	elif command -v docker-compose >/dev/null; then docker-compose --env-file .env.example config -q; \
	else echo "docker compose absent : apt-get install docker-compose" >&2; exit 1; fi
	@echo "Qualité : tout est propre."

fmt: install ## Reformate le code (ruff)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Toutes les mesures à 100 000 demandeurs (bench/README.md) : la base d'échelle
# BENCH_ECHELLE_DATABASE_URL (par défaut acc_bench_grand sur le PostgreSQL de la machine)
# est créée et chargée par `manage.py bench_data` si elle manque.
bench: install ## Mesures de performance (bench/README.md), résultats dans bench/resultats/
	@scripts/deps-systeme.sh test
	$(PY) -m bench.tout $(BENCH_ARGS)

clean-db: stop ## Arrête et supprime la base embarquée (var/pgdata)
	rm -rf var/pgdata
