"""Pannes survécues par les exports différés (ticket 14, point 4), contre le vrai Redis et
le vrai PostgreSQL, sans simulacre :

- broker injoignable (le vrai client Celery dirigé vers un port fermé) : les pages
  répondent, l'export demandé est enregistré « en attente », l'utilisateur le voit, et il
  part quand le broker revient (tâche planifiée de relance, puis un vrai worker) ;
- worker tué (SIGKILL) en plein export : après redémarrage, le fichier est produit
  exactement une fois, même si le message est livré deux fois."""

import socket
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accompagnement import taches
from accompagnement.celery import app
from accompagnement.models import EnvoiTache, EvenementAudit
from reporting import services, tasks
from reporting.models import EtatExport, ExportDiffere
from tests.reporting.fixture_mensuelle import construire
from tests.reporting.test_rapports import _attendre, _worker, env_du_worker

pytestmark = [
    pytest.mark.skipif(settings.CELERY_TASK_ALWAYS_EAGER, reason="CELERY_BROKER_URL non défini"),
    pytest.mark.django_db(transaction=True),
]

URL = "/reporting/tableau-de-bord/liste/export/"


def _port_ferme() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # libéré à la sortie : plus personne n'y écoute


def _brancher_broker(url: str | None) -> None:
    """Le client Celery de ce processus publie désormais vers `url` (pools refaits) ;
    None : retour au broker configuré. Celery lit `CELERY_BROKER_URL` dans
    l'environnement avant sa configuration (`conf.broker_url`, comme en CI) : on passe
    donc par les adresses d'écriture et de lecture, qui priment sur elle."""
    app.conf.broker_write_url = url
    app.conf.broker_read_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_injoignable():
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # rien d'un test précédent ne doit traîner dans la file
    _brancher_broker(f"redis://127.0.0.1:{_port_ferme()}/0")
    assert app.connection_for_write().port != 6379  # le test ne vérifierait rien

    def retablir():
        _brancher_broker(None)

    yield retablir
    _brancher_broker(None)
    app.conf.task_always_eager = eager


def _productions(export) -> int:
    return EvenementAudit.objects.filter(
        objet_id=str(export.uuid), details__export="liste différée produite"
    ).count()


def test_broker_injoignable_export_en_attente_puis_produit_a_son_retour(
    broker_injoignable, client_de, settings, tmp_path
):
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 2  # la file active de mars en compte 3
    f = construire()
    client = client_de(f.animatrice)

    # Les pages répondent sans broker.
    assert client.get("/").status_code == 200
    assert client.get("/reporting/tableau-de-bord/", {"mois": "2026-03"}).status_code == 200
    debut = time.monotonic()
    r = client.get(URL, {"mois": "2026-03", "indicateur": "file_active", "format": "csv"})
    assert time.monotonic() - debut < 30  # pas d'attente indéfinie du broker
    export = ExportDiffere.objects.get()
    assert r.status_code == 302 and r.url == f"/reporting/exports/{export.uuid}/"
    assert export.etat == EtatExport.EN_ATTENTE
    envoi = EnvoiTache.objects.get()
    assert envoi.tache == "reporting.tasks.produire_export" and envoi.arguments == [export.pk]
    assert envoi.envoyee_le is None and envoi.tentatives == 1 and envoi.erreur
    html = client.get(r.url).content.decode()
    assert "En attente" in html
    assert "momentanément injoignable" in html and "partira dès son retour" in html

    # Broker toujours injoignable : la relance échoue sans rien perdre.
    plus_tard = timezone.now() + taches.DELAI_AVANT_RELANCE
    assert taches.relancer_envois_en_attente(plus_tard) == 0
    envoi.refresh_from_db()
    assert envoi.envoyee_le is None and envoi.tentatives == 2

    # Le broker revient : la relance planifiée envoie, un vrai worker produit l'export.
    broker_injoignable()
    assert taches.relancer_envois_en_attente(plus_tard) == 1
    envoi.refresh_from_db()
    assert envoi.envoyee_le is not None and envoi.erreur == ""
    assert taches.relancer_envois_en_attente(plus_tard) == 0  # plus rien en attente
    journal = (tmp_path / "w.log").open("w")
    worker = _worker(env_du_worker(), journal)
    try:
        pret = _attendre(
            lambda: ExportDiffere.objects.filter(pk=export.pk, etat=EtatExport.TERMINE).exists(),
            120,
        )
        assert pret, (tmp_path / "w.log").read_text()
    finally:
        worker.terminate()
        worker.wait(20)
    export.refresh_from_db()
    assert export.lignes_total == 3 and _productions(export) == 1
    assert "Prêt" in client.get(r.url).content.decode()
    connection.close()


def test_worker_tue_en_plein_export_produit_une_seule_fois(tmp_path):
    f = construire()
    export = services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="csv",
        nominatif=False,
        lignes=3,
    )
    env = env_du_worker()
    app.control.purge()
    journal1 = (tmp_path / "w1.log").open("w")
    w1 = _worker({**env, "EXPORT_PAUSE_TEST_SECONDES": "60"}, journal1)
    try:
        tasks.produire_export.apply_async((export.pk,))
        recu = _attendre(lambda: "received" in (tmp_path / "w1.log").read_text(), 90)
        assert recu, (tmp_path / "w1.log").read_text()
        time.sleep(1)
        w1.kill()  # en plein export (pause de 60 s, verrou consultatif pris)
        w1.wait(10)
    finally:
        if w1.poll() is None:
            w1.kill()
    export.refresh_from_db()
    assert export.etat == EtatExport.EN_ATTENTE and _productions(export) == 0
    journal2 = (tmp_path / "w2.log").open("w")
    w2 = _worker(env, journal2)
    try:
        pret = _attendre(
            lambda: ExportDiffere.objects.filter(pk=export.pk, etat=EtatExport.TERMINE).exists(),
            120,
        )
        assert pret, (tmp_path / "w2.log").read_text()
        # Le même message encore (doublon de livraison, relance de la boîte d'envoi).
        assert tasks.produire_export.apply_async((export.pk,)).get(timeout=60) == str(export.uuid)
        time.sleep(2)
    finally:
        w2.terminate()
        w2.wait(20)
    export.refresh_from_db()
    assert export.lignes_total == 3 and _productions(export) == 1
    connection.close()
