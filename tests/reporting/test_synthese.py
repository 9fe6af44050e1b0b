"""Synthèse PDF d'une convention : chiffres réalisés d'une fixture recomptés à la main,
vrai worker, idempotence (deux demandes → une génération), chemin d'échec, versions,
téléchargement tracé, droits."""

import datetime as dt
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accompagnement.exceptions import AccesRefuse
from accompagnement.models import EvenementAudit
from conventions import services as conventions
from reporting import services, tasks
from reporting.models import EtatSynthese, SyntheseConvention
from tests.conventions.test_conventions import nouvelle_convention
from tests.reporting.fixture_mensuelle import construire

MARS_FIN = dt.date(2026, 3, 31)


def _convention(f):
    # Période du 01/03/2026 au 31/03/2026 (échéance), objectifs 400 personnes et 30 jours.
    c = nouvelle_convention(
        f.departement,
        date_signature=dt.date(2026, 2, 20),
        date_effet=dt.date(2026, 3, 1),
        date_echeance=MARS_FIN,
    )
    conventions.signer_convention(convention=c, par=f.animatrice)
    return c


def _texte(contenu: bytes, tmp_path) -> str:
    chemin = tmp_path / "synthese.pdf"
    chemin.write_bytes(contenu)
    return subprocess.run(
        ["pdftotext", "-layout", str(chemin), "-"], capture_output=True, text=True, check=True
    ).stdout


def _produire(f, c):
    synthese, creee = services.demander_synthese(
        convention=c, par=f.animatrice, aujourd_hui=dt.date(2026, 4, 15)
    )
    assert creee
    tasks.generer_synthese_convention.apply(args=(synthese.pk,)).get()
    synthese.refresh_from_db()
    return synthese


@pytest.fixture(autouse=True)
def stockage(settings, tmp_path):
    """Les fichiers rangés vont dans un dossier du test, pas dans var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def f(db):
    return construire()


def test_chiffres_realises_recomptes_a_la_main(f, tmp_path):
    c = _convention(f)
    s = _produire(f, c)
    assert s.etat == EtatSynthese.PRETE and s.version == 1
    ch = s.chiffres
    assert ch["periode"] == {"debut": "2026-03-01", "fin": "2026-03-31"}
    axes = {a["axe"]: a for a in ch["axes"]}
    # Au 28/02 (veille) : D1 (2), D2 (1), D3 (2), D5 (2). Entrées de mars : D1 renouvelé (2),
    # D2 (2), D4 (3), D6 (1). Renouvellement : D1. Accompagnées = stock + entrées − renouv.
    assert axes["1"]["accompagnees"] == 1 + 1  # D2 (axe 1 en février), D6
    assert axes["2"]["accompagnees"] == 3 + 2 - 1  # D1, D3, D5 + D1 (renouv.), D2
    assert axes["3"]["accompagnees"] == 1  # D4
    assert ch["accompagnees"] == 7
    assert ch["entrees"] == 4
    # Sorties du dispositif en mars : D3 (emploi durable), D5 (abandon), D6 (déménagement).
    assert (ch["sorties"], ch["sorties_positives"]) == (3, 1)
    # Délais demande → décision : P1 15/02 → 10/03 = 23 j, P2 20/02 → 05/03 = 13 j.
    assert ch["delais"]["delai_prescription_entree_moyen"] == 18
    texte = _texte(default_storage.open(s.chemin).read(), tmp_path)
    assert "Claude Jeannerot" in texte and "Jean Bassères" in texte
    assert "400 000,00" in texte.replace("\u202f", " ")
    assert "18 j" in texte.replace("\u00a0", " ")
    assert "Axe 2 —" in texte


def test_deux_demandes_une_seule_generation(f):
    c = _convention(f)
    premiere, creee = services.demander_synthese(convention=c, par=f.animatrice)
    seconde, creee_bis = services.demander_synthese(convention=c, par=f.animatrice)
    assert creee and not creee_bis and seconde.pk == premiere.pk
    assert SyntheseConvention.objects.filter(convention=c).count() == 1
    # La tâche redonnée (worker perdu) ne refait rien une fois la synthèse prête.
    tasks.generer_synthese_convention.apply(args=(premiere.pk,)).get()
    premiere.refresh_from_db()
    chemin = premiere.chemin
    tasks.generer_synthese_convention.apply(args=(premiere.pk,)).get()
    premiere.refresh_from_db()
    assert premiere.chemin == chemin and premiere.etat == EtatSynthese.PRETE


def test_regenerer_ajoute_une_version_et_garde_les_anciennes(f, client):
    c = _convention(f)
    v1 = _produire(f, c)
    v2 = _produire(f, c)
    assert (v1.version, v2.version) == (1, 2)
    assert default_storage.exists(v1.chemin) and default_storage.exists(v2.chemin)
    client.force_login(f.animatrice.user)
    reponse = client.get(reverse("reporting:synthese_telecharger", args=[v1.uuid]))
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF")
    assert EvenementAudit.objects.filter(objet_id=str(v1.uuid), action="export").exists()
    page = client.get(reverse("reporting:syntheses_convention", args=[c.uuid]))
    assert "Télécharger la version 1" in page.text and "Télécharger la version 2" in page.text


def test_rendu_qui_echoue_etat_echec_sans_fichier(f, monkeypatch):
    c = _convention(f)
    synthese, _ = services.demander_synthese(convention=c, par=f.animatrice)

    def rendu_casse(*a, **k):
        raise ValueError("police introuvable")

    monkeypatch.setattr(services, "rendre_pdf", rendu_casse)
    tasks.generer_synthese_convention.apply(args=(synthese.pk,)).get()
    synthese.refresh_from_db()
    assert synthese.etat == EtatSynthese.ECHEC
    assert synthese.erreur.startswith("La synthèse n'a pas pu être produite")
    assert synthese.chemin == "" and synthese.taille == 0
    assert not default_storage.exists(f"syntheses/{f.departement.code_insee}/{synthese.uuid}")
    # L'échec libère la place : une nouvelle demande crée la version 2.
    nouvelle, creee = services.demander_synthese(convention=c, par=f.animatrice)
    assert creee and nouvelle.version == 2


def test_seule_l_animatrice_du_departement_genere(f):
    c = _convention(f)
    with pytest.raises(AccesRefuse):
        services.demander_synthese(convention=c, par=f.correspondant_t1)


def test_generation_depuis_la_page_en_immediat(
    f, client, taches_immediates, django_capture_on_commit_callbacks
):
    c = _convention(f)
    client.force_login(f.animatrice.user)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("reporting:synthese_generer", args=[c.uuid]), headers={"HX-Request": "true"}
        )
    assert reponse.status_code == 200
    assert "Génération de la version 1 lancée" in reponse.text
    assert SyntheseConvention.objects.get(convention=c).etat == EtatSynthese.PRETE


def test_requetes_constantes_de_la_liste(f, client):
    """Même nombre de requêtes pour 1 et pour 3 versions (pas de requête par version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _convention(f)
    client.force_login(f.animatrice.user)
    url = reverse("reporting:syntheses_convention", args=[c.uuid])
    client.get(url)  # première page de la session (choix du rattachement) hors du compte
    comptes = []
    for versions in (1, 3):
        while SyntheseConvention.objects.filter(convention=c).count() < versions:
            s, _ = services.demander_synthese(convention=c, par=f.animatrice)
            services.marquer_synthese_en_echec(s.pk)
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        comptes.append(len(requetes))
    assert comptes[0] == comptes[1] <= 16


@pytest.mark.django_db(transaction=True)
def test_synthese_par_un_vrai_worker(vrai_worker, tmp_path):
    f = construire()
    c = _convention(f)
    synthese, _ = services.demander_synthese(
        convention=c, par=f.animatrice, aujourd_hui=dt.date(2026, 4, 15)
    )
    tasks.generer_synthese_convention.delay(synthese.pk).get(timeout=120)
    synthese.refresh_from_db()
    assert synthese.etat == EtatSynthese.PRETE
    contenu = default_storage.open(synthese.chemin).read()
    assert contenu.startswith(b"%PDF")
    texte = _texte(contenu, tmp_path)
    assert "Claude Jeannerot" in texte and "Jean Bassères" in texte
    assert synthese.chiffres["accompagnees"] == 7 and synthese.chiffres["sorties"] == 3


def test_tache_reprise_et_bornee():
    """Accusé après exécution (message redonné si le worker meurt), reprises à délai
    croissant sur base indisponible, limites de temps (la douce marque « Échec »)."""
    from django.db import OperationalError

    t = tasks.generer_synthese_convention
    assert t.acks_late and t.reject_on_worker_lost
    assert OperationalError in t.autoretry_for and t.retry_backoff and t.max_retries
    assert 0 < t.soft_time_limit < t.time_limit


def test_le_bloc_sonde_l_etat_tant_que_la_generation_tourne(f, client):
    """Avec un broker, la demande reste « En attente » : le bloc se recharge toutes les 2 s
    (htmx) et n'offre pas de seconde génération ; une fois prête, il s'arrête."""
    c = _convention(f)
    synthese, _ = services.demander_synthese(convention=c, par=f.animatrice)
    client.force_login(f.animatrice.user)
    url = reverse("reporting:syntheses_convention", args=[c.uuid])
    en_cours = client.get(url, headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 2s"' in en_cours and "En attente" in en_cours
    assert "disabled" in en_cours and "<html" not in en_cours
    # Une seconde demande par la page ne lance rien et le dit.
    reponse = client.post(
        reverse("reporting:synthese_generer", args=[c.uuid]), headers={"HX-Request": "true"}
    )
    assert "déjà en cours de génération" in reponse.text
    assert SyntheseConvention.objects.filter(convention=c).count() == 1
    tasks.generer_synthese_convention.apply(args=(synthese.pk,)).get()
    prete = client.get(url, headers={"HX-Request": "true"}).text
    assert "every 2s" not in prete and "Télécharger la version 1" in prete
    # Sans htmx : la page entière (repli sans JavaScript).
    assert "<html" in client.get(url).text


def test_une_generation_perdue_ne_bloque_pas_la_convention(f):
    """Une demande restée « en attente » plus de 30 min (worker arrêté, message perdu)
    passe en échec ; la demande suivante crée une nouvelle version."""
    c = _convention(f)
    perdue, _ = services.demander_synthese(convention=c, par=f.animatrice)
    SyntheseConvention.objects.filter(pk=perdue.pk).update(
        demandee_le=perdue.demandee_le - dt.timedelta(minutes=31)
    )
    nouvelle, creee = services.demander_synthese(convention=c, par=f.animatrice)
    assert creee and nouvelle.version == 2
    perdue.refresh_from_db()
    assert perdue.etat == EtatSynthese.ECHEC and "interrompue" in perdue.erreur
