import json

import pytest
from django.conf import settings

from tests.accompagnement.test_settings import lancer

APPEL = (
    "from django.test import Client\n"
    "r = Client().get('/healthz')\n"
    "print(r.status_code, r.content.decode())\n"
)


def test_healthz_repond_ok_sans_connexion(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    etat = response.json()
    assert etat["database"] == "ok"
    assert etat["status"] in {"ok", "degrade"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_signale_le_mode_sans_broker(client, db, settings):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("un broker est configuré : voir le test suivant")
    assert client.get("/healthz").json()["broker"].startswith("aucun")


@pytest.mark.skipif(settings.CELERY_TASK_ALWAYS_EAGER, reason="CELERY_BROKER_URL non défini")
def test_healthz_joint_le_vrai_broker(client, db):
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_503_quand_la_base_est_injoignable():
    res = lancer(
        APPEL,
        DATABASE_URL="postgres://postgres@127.0.0.1:9/inexistante",
        ALLOWED_HOSTS="testserver",
    )
    assert res.returncode == 0, res.stderr
    code, corps = res.stdout.split(" ", 1)
    assert code == "503"
    etat = json.loads(corps)
    assert etat["database"].startswith("indisponible")
    assert etat["status"] == "ko"


def test_healthz_degrade_quand_le_broker_est_injoignable(db):
    url = settings.DATABASES["default"]
    env = {"ALLOWED_HOSTS": "testserver", "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    if url["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{url['USER']}@{url['HOST'] or '127.0.0.1'}:{url['PORT'] or 5432}/postgres"
        )
    res = lancer(APPEL, timeout=90, **env)
    assert res.returncode == 0, res.stderr
    code, corps = res.stdout.split(" ", 1)
    etat = json.loads(corps)
    assert code == "200"
    assert etat["broker"].startswith("indisponible")
    assert etat["status"] == "degrade"
