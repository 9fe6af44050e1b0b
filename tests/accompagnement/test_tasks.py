"""Tâches Celery à travers un vrai worker (celui de celery.contrib.testing), avec le
broker configuré : Redis quand CELERY_BROKER_URL est défini (CI), sinon le transport
en mémoire du même processus."""

import pytest
from django.conf import settings
from django.core import mail

from accompagnement.celery import app
from accompagnement.tasks import envoyer_courriel


def test_envoi_de_courriel_par_un_vrai_worker(vrai_worker):
    resultat = envoyer_courriel.delay("Objet", "Corps du message", ["a@exemple.test"])
    assert resultat.get(timeout=20) == 1
    assert resultat.successful()
    assert [m.subject for m in mail.outbox] == ["Objet"]


@pytest.mark.skipif(settings.CELERY_TASK_ALWAYS_EAGER, reason="CELERY_BROKER_URL non défini")
def test_aller_retour_par_redis(vrai_worker):
    assert app.conf.broker_url.startswith("redis://")
    resultat = envoyer_courriel.apply_async(("Via Redis", "…", ["b@exemple.test"]))
    # Le résultat revient par le backend Redis : le message a bien traversé le broker.
    assert resultat.get(timeout=20) == 1
    assert resultat.backend.__class__.__name__ == "RedisBackend"


def test_en_mode_immediat_la_tache_s_execute_dans_le_processus():
    ancien = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert envoyer_courriel.delay("Immédiat", "…", ["c@exemple.test"]).get() == 1
    finally:
        app.conf.task_always_eager = ancien
    assert mail.outbox[-1].subject == "Immédiat"
