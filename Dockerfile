# Image de production : Debian slim, bibliothèques système de WeasyPrint, dépendances
# verrouillées (uv.lock) sans outillage de développement ni PostgreSQL embarqué.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir "uv==0.13.9" \
 && useradd --create-home --uid 1000 app

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=collectstatic-seulement \
      python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "accompagnement.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
