"""Rapports mensuels figés : écriture unique, versions, idempotence, tâche, planning,
commande, vrai worker et reprise après la perte d'un worker."""

import datetime as dt
import os
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from accompagnement.celery import app
from accompagnement.exceptions import AccesRefuse, ErreurMetier
from reporting import services, tasks
from reporting.catalogue import Mois, Perimetre
from reporting.models import RapportMensuel
from tests import connexion_pg
from tests.reporting.fixture_mensuelle import construire

MARS = Mois(2026, 3)


@pytest.fixture
def f(db):
    return construire()


def _pdftotext(contenu: bytes, tmp_path) -> str:
    chemin = tmp_path / "rapport.pdf"
    chemin.write_bytes(contenu)
    return subprocess.run(
        ["pdftotext", "-layout", str(chemin), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_generation_fige_les_chiffres_et_le_pdf(f, tmp_path):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    assert (rapport.version, rapport.niveau, rapport.mois) == (
        1,
        "departement",
        dt.date(2026, 3, 1),
    )
    i = rapport.chiffres["indicateurs"]
    # Chiffres de la fixture (détail du calcul à la main : test_catalogue.py).
    assert i["file_active"]["valeur"] == 3
    assert i["stock_debut"]["valeur"] + i["entrees"]["valeur"] - i["sorties_axe"]["valeur"] == 3
    assert i["sorties"]["valeur"] == 3
    assert i["file_active"]["precedent"] == 4  # au 28/02 : D1, D2, D3, D5
    assert i["file_active"]["definition"].startswith("Personnes sur une période")
    assert [s[2] for s in rapport.chiffres["series"]["file_active"]][-2:] == [4, 3]
    texte = _pdftotext(bytes(rapport.pdf), tmp_path)
    # Le PDF reste dans var/captures/ pour être regardé (pdftoppm -png -r 60).
    captures = settings.BASE_DIR / "var" / "captures"
    captures.mkdir(parents=True, exist_ok=True)
    (captures / "reporting-rapport-mensuel-test.pdf").write_bytes(bytes(rapport.pdf))
    assert "Rapport mensuel — mars 2026" in texte
    assert "File active en fin de mois" in texte and "Définitions" in texte
    assert "Taux de sorties positives" in texte and "33,3 %" in texte
    assert "Même mois l'an dernier" in texte


def test_rapport_territoire(f):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement, f.t1), mois=MARS)
    assert rapport.niveau == "territoire"
    assert rapport.chiffres["indicateurs"]["file_active"]["valeur"] == 2  # D1, D2


def test_meme_version_deux_fois_refusee_par_la_base(f):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    # Le service est idempotent : il rend le rapport déjà figé.
    assert services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS).pk == rapport.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        RapportMensuel.objects.create(
            departement=f.departement, niveau="departement", cle_perimetre=rapport.cle_perimetre,
            mois=rapport.mois, version=1, chiffres={}, pdf=b"",
        )  # fmt: skip
    assert RapportMensuel.objects.count() == 1


def test_un_rapport_fige_ne_se_modifie_ni_ne_se_supprime(f):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    with pytest.raises(Exception, match="Rapport mensuel figé"), transaction.atomic():
        RapportMensuel.objects.filter(pk=rapport.pk).update(chiffres={})
    with pytest.raises(Exception, match="Rapport mensuel figé"), transaction.atomic():
        RapportMensuel.objects.filter(pk=rapport.pk).delete()


def test_modifier_un_dossier_apres_generation_ne_change_aucun_chiffre(f):
    from dossiers.models import Dossier, PeriodeOrientation

    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    avant = RapportMensuel.objects.get(pk=rapport.pk).chiffres
    # D1 « sort » rétroactivement le 15/03 et D4 change de territoire.
    PeriodeOrientation.objects.filter(dossier=f.d1, date_fin__isnull=True).update(
        date_fin=dt.date(2026, 3, 15)
    )
    Dossier.objects.filter(pk=f.d4.pk).update(territoire=f.t1)
    assert RapportMensuel.objects.get(pk=rapport.pk).chiffres == avant
    assert avant["indicateurs"]["file_active"]["valeur"] == 3
    # Un nouveau calcul, lui, voit le changement.
    from reporting.catalogue import PAR_CLE

    assert PAR_CLE["file_active"].calculer(Perimetre(f.departement), MARS) == 2


def test_regeneration_cree_la_version_2_et_garde_la_1(f):
    v1 = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    chiffres_v1, pdf_v1 = v1.chiffres, bytes(v1.pdf)
    from dossiers.models import PeriodeOrientation

    PeriodeOrientation.objects.filter(dossier=f.d1, date_fin__isnull=True).update(
        date_fin=dt.date(2026, 3, 15)
    )
    with pytest.raises(ErreurMetier, match="pourquoi"):
        services.generer_rapport(
            perimetre=Perimetre(f.departement), mois=MARS, version=2, par=f.animatrice
        )
    with pytest.raises(AccesRefuse):
        services.generer_rapport(
            perimetre=Perimetre(f.departement), mois=MARS, version=2, par=f.correspondant_t1,
            motif="Correction",
        )  # fmt: skip
    v2 = services.generer_rapport(
        perimetre=Perimetre(f.departement), mois=MARS, version=2, par=f.animatrice,
        motif="Sortie de D1 saisie en retard",
    )  # fmt: skip
    assert services.prochaine_version(v1) == 3
    assert (v2.version, v2.motif, v2.genere_par) == (
        2,
        "Sortie de D1 saisie en retard",
        f.animatrice.user,
    )
    assert v2.chiffres["indicateurs"]["file_active"]["valeur"] == 2
    v1.refresh_from_db()
    assert v1.chiffres == chiffres_v1 and bytes(v1.pdf) == pdf_v1
    assert list(RapportMensuel.objects.courants().values_list("version", flat=True)) == [2]
    with pytest.raises(ErreurMetier, match="version 3"):
        services.generer_rapport(
            perimetre=Perimetre(f.departement), mois=MARS, version=4, par=f.animatrice, motif="x"
        )


def test_planning_le_1er_du_mois_a_6h_heure_de_paris():
    entree = app.conf.beat_schedule["reporting-rapports-mensuels"]
    assert entree["task"] == "reporting.tasks.generer_rapports_du_mois"
    c = entree["schedule"]
    assert (c.day_of_month, c.hour, c.minute) == ({1}, {6}, {0})
    assert c.month_of_year == set(range(1, 13)) and c.day_of_week == set(range(7))
    assert app.conf.timezone == "Europe/Paris"
    # L'heure du planning est celle de Paris (06:00 locales, 04:00 UTC l'été).
    assert str(c.now().tzinfo) == "Europe/Paris"


def test_options_de_la_tache():
    t = tasks.generer_rapport_mensuel
    assert t.acks_late and t.reject_on_worker_lost
    assert t.max_retries == 6 and t.retry_backoff and t.retry_jitter
    assert (t.soft_time_limit, t.time_limit) == (9 * 60, 10 * 60)
    assert tasks.mois_precedent(dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.UTC)) == MARS


def test_tache_du_mois_en_mode_immediat(f, taches_immediates):
    n = tasks.generer_rapports_du_mois.delay("2026-03", f.departement.pk).get()
    assert n == 5  # département, 2 territoires, 2 agences
    assert RapportMensuel.objects.filter(mois=MARS.debut, version=1).count() == 5
    # Rejouée : rien de plus (idempotente).
    tasks.generer_rapports_du_mois.delay("2026-03", f.departement.pk).get()
    assert RapportMensuel.objects.count() == 5


def test_commande_avec_barre_de_progression(f):
    sortie, erreurs = StringIO(), StringIO()
    call_command("generate_monthly_reports", "--month", "2026-03", "--departement",
                 f.departement.code_insee, stdout=sortie, stderr=erreurs)  # fmt: skip
    assert "5 rapport(s) figé(s), 0 déjà présent(s)" in sortie.getvalue()
    assert "[##############################] 5/5" in erreurs.getvalue()
    call_command("generate_monthly_reports", "--month", "2026-03", stdout=sortie, stderr=erreurs)
    assert "0 rapport(s) figé(s), 5 déjà présent(s)" in sortie.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="AAAA-MM"):
        call_command("generate_monthly_reports", "--month", "mars")


def test_reprise_apres_un_arret_en_plein_calcul(f, taches_immediates, monkeypatch):
    """Le calcul meurt en plein rapport (avant l'écriture) : rien n'est stocké ; la tâche
    redonnée écrit un seul rapport, et une troisième exécution n'ajoute rien."""
    from reporting import mensuel

    vrai = mensuel.figer
    appels = []

    def figer_qui_meurt(*a, **k):
        appels.append(1)
        if len(appels) == 1:
            raise SystemExit("worker arrêté")
        return vrai(*a, **k)

    monkeypatch.setattr(mensuel, "figer", figer_qui_meurt)
    args = (f.departement.pk, None, "2026-03")
    with pytest.raises(SystemExit):
        tasks.generer_rapport_mensuel.apply(args=args).get()
    assert RapportMensuel.objects.count() == 0
    tasks.generer_rapport_mensuel.apply(args=args).get()
    tasks.generer_rapport_mensuel.apply(args=args).get()
    assert RapportMensuel.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_generation_par_un_vrai_worker(vrai_worker):
    f = construire()
    resultat = tasks.generer_rapport_mensuel.delay(f.departement.pk, f.t2.pk, "2026-03")
    uuid = resultat.get(timeout=120)
    rapport = RapportMensuel.objects.get(uuid=uuid)
    assert rapport.chiffres["indicateurs"]["file_active"]["valeur"] == 1  # D4
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        assert resultat.backend.__class__.__name__ == "RedisBackend"


def _worker(env, journal):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "accompagnement", "worker", "-P", "solo",
         "--without-mingle", "--without-gossip", "-l", "info", "-n", f"rapports-{time.time()}@%h"],
        env=env, stdout=journal, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
    )  # fmt: skip


def env_du_worker() -> dict:
    """L'environnement d'un worker lancé à part : la base de test de ce processus, et un
    message non acquitté (worker tué) redonné après 4 s, cherché chaque seconde au lieu
    des 100 s du balayage par défaut de kombu."""
    return {
        **os.environ,
        "DATABASE_URL": connexion_pg.url(settings.DATABASES["default"]["NAME"]),
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }


def _attendre(condition, secondes):
    fin = time.monotonic() + secondes
    while time.monotonic() < fin:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.skipif(settings.CELERY_TASK_ALWAYS_EAGER, reason="CELERY_BROKER_URL non défini")
@pytest.mark.django_db(transaction=True)
def test_worker_tue_en_plein_rapport_un_seul_rapport_apres_redemarrage(tmp_path):
    """Par Redis : un worker (processus à part) est tué (SIGKILL) pendant le calcul ; le
    message non acquitté est redonné au worker redémarré : exactement un rapport."""
    f = construire()
    env = {**env_du_worker(), "RAPPORT_PAUSE_TEST_SECONDES": "60"}
    app.control.purge()
    journal1 = (tmp_path / "w1.log").open("w")
    w1 = _worker(env, journal1)
    try:
        tasks.generer_rapport_mensuel.apply_async((f.departement.pk, None, "2026-03"))
        recu = _attendre(lambda: "received" in (tmp_path / "w1.log").read_text(), 90)
        assert recu, (tmp_path / "w1.log").read_text()
        time.sleep(1)
        w1.kill()  # en pleine tâche (pause de 60 s avant le calcul)
        w1.wait(10)
    finally:
        if w1.poll() is None:
            w1.kill()
    assert RapportMensuel.objects.count() == 0
    journal2 = (tmp_path / "w2.log").open("w")
    w2 = _worker({**env, "RAPPORT_PAUSE_TEST_SECONDES": "0"}, journal2)
    try:
        assert _attendre(lambda: RapportMensuel.objects.count() >= 1, 120), (
            tmp_path / "w2.log"
        ).read_text()
        # La même tâche encore (doublon de livraison) : toujours un seul rapport.
        tasks.generer_rapport_mensuel.apply_async((f.departement.pk, None, "2026-03")).get(
            timeout=60
        )
        time.sleep(2)
        assert RapportMensuel.objects.count() == 1
    finally:
        w2.terminate()
        w2.wait(20)
    connection.close()
