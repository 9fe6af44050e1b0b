"""Proxy de confiance : X-Forwarded-For et X-Forwarded-Proto ne sont crus que s'ils
viennent d'un proxy déclaré (TRUSTED_PROXIES) ; l'adresse du client est alors la plus à
droite de la chaîne qui n'est pas un proxy de confiance. Même adresse pour l'audit et
pour le verrouillage des connexions (tests/accompagnement/test_verrouillage.py)."""

import shutil
import subprocess

import pytest
from django.conf import settings as reglages
from django.test import RequestFactory
from django.urls import reverse

from accompagnement import audit, reseau
from accompagnement.models import ActionAudit, EvenementAudit
from tests.accompagnement.test_settings import RACINE, manage

CLE = "une-cle-de-production-longue-et-aleatoire-" + "x7Yq9" * 6


def requete(remote="203.0.113.10", xff=None, **meta):
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


def test_sans_proxy_de_confiance_x_forwarded_for_est_ignore():
    assert reglages.TRUSTED_PROXIES == []
    r = requete("203.0.113.10", xff="1.2.3.4")
    assert audit.adresse_ip(r) == "203.0.113.10"
    assert reseau.adresse_client(r) == "203.0.113.10"


@pytest.mark.parametrize(
    ("remote", "xff", "attendu"),
    [
        # Requête directe d'un client qui invente l'en-tête : ignoré.
        ("203.0.113.10", "1.2.3.4", "203.0.113.10"),
        # Par le proxy : l'adresse ajoutée par le proxy (la plus à droite).
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # Le client a glissé une fausse adresse en tête : le proxy a ajouté la vraie à droite.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Deux proxys de confiance en chaîne : on remonte jusqu'à la première adresse
        # qui n'en est pas un.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        # Un réseau entier déclaré (CIDR) ; IPv6.
        ("10.0.0.2", "2001:db8::5", "2001:db8::5"),
        # Rien d'exploitable dans l'en-tête : l'adresse du proxy.
        ("10.0.0.2", "n'importe quoi", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        # Une valeur illisible au milieu : on s'arrête à la dernière adresse sûre.
        ("10.0.0.2", "198.51.100.7, pas-une-ip, 10.0.0.3", "10.0.0.3"),
        # Port accolé (certains proxys l'ajoutent).
        ("10.0.0.2", "198.51.100.7:4711", "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::5]:4711", "2001:db8::5"),
    ],
)
def test_adresse_du_client_derriere_un_proxy_de_confiance(settings, remote, xff, attendu):
    settings.TRUSTED_PROXIES = ["10.0.0.0/29"]
    assert reseau.adresse_client(requete(remote, xff=xff)) == attendu
    assert audit.adresse_ip(requete(remote, xff=xff)) == attendu


def test_sans_adresse_de_connexion_aucune_adresse():
    r = RequestFactory().get("/")
    r.META.pop("REMOTE_ADDR")
    assert reseau.adresse_client(r) is None
    assert audit.adresse_ip(None) is None


@pytest.mark.django_db
def test_l_audit_ne_retient_pas_une_adresse_inventee(client):
    client.post(
        reverse("login"),
        {"username": "x@exemple.test", "password": "faux"},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    trace = EvenementAudit.objects.get(action=ActionAudit.ECHEC_CONNEXION)
    assert trace.adresse_ip == "127.0.0.1"


@pytest.mark.django_db
def test_l_audit_retient_l_adresse_donnee_par_le_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.post(
        reverse("login"),
        {"username": "x@exemple.test", "password": "faux"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    trace = EvenementAudit.objects.get(action=ActionAudit.ECHEC_CONNEXION)
    assert trace.adresse_ip == "198.51.100.7"


# --- X-Forwarded-Proto -------------------------------------------------------------------


@pytest.fixture
def https_derriere_proxy(settings):
    """Réglages de production derrière un proxy TLS déclaré (10.0.0.2)."""
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
def test_x_forwarded_proto_d_un_client_direct_est_ignore(client, https_derriere_proxy):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    # Le client parle HTTP en direct : redirigé vers HTTPS, l'en-tête ne l'a pas déguisé.
    assert response.status_code == 301
    assert response.url.startswith("https://")


@pytest.mark.django_db
def test_x_forwarded_proto_du_proxy_de_confiance_est_cru(client, https_derriere_proxy):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200
    assert response.wsgi_request.is_secure()


# --- Réglages (vrais processus) ------------------------------------------------------------


def test_behind_tls_proxy_sans_proxy_declare_est_refuse_au_demarrage():
    res = manage("check", BEHIND_TLS_PROXY="true")
    assert res.returncode == 2
    assert res.stderr.startswith("Configuration invalide : BEHIND_TLS_PROXY")
    assert "TRUSTED_PROXIES" in res.stderr and "Traceback" not in res.stderr


def test_trusted_proxies_invalide_est_refuse_au_demarrage():
    res = manage("check", TRUSTED_PROXIES="10.0.0.1,pas-une-ip")
    assert res.returncode == 2
    assert "TRUSTED_PROXIES" in res.stderr and "pas-une-ip" in res.stderr


def test_en_production_derriere_un_proxy_declare_check_deploy_est_propre():
    res = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=CLE,
        ALLOWED_HOSTS="accompagnement.example.org",
        BEHIND_TLS_PROXY="true",
        TRUSTED_PROXIES="172.31.250.1, 10.0.0.0/8",
    )
    assert res.returncode == 0, res.stderr


def test_secure_proxy_ssl_header_seulement_avec_un_proxy_declare():
    from tests.accompagnement.test_settings import lancer

    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.TRUSTED_PROXIES)"
    sans = lancer(code)
    assert sans.returncode == 0, sans.stderr
    assert sans.stdout.strip() == "None []"
    avec = lancer(code, BEHIND_TLS_PROXY="true", TRUSTED_PROXIES="172.31.250.1")
    assert avec.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') ['172.31.250.1']"
    proxy_seul = lancer(code, TRUSTED_PROXIES="172.31.250.1")
    assert proxy_seul.stdout.strip() == "None ['172.31.250.1']"


# --- docker compose -----------------------------------------------------------------------


def compose_config() -> str:
    if shutil.which("docker-compose"):
        commande = ["docker-compose"]
    elif (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        commande = ["docker", "compose"]
    else:
        pytest.skip("docker compose absent (apt-get install docker-compose)")
    res = subprocess.run(
        [*commande, "--env-file", ".env.example", "config"],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_compose_ne_publie_pas_gunicorn_et_ne_croit_que_le_proxy():
    """Ticket 11 : gunicorn n'est plus publié du tout ; seul le proxy TLS l'est (voir
    aussi tests/test_compose.py)."""
    texte = compose_config()
    web = texte.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    assert "ports:" not in web and "published" not in web
    assert "--forwarded-allow-ips" in web
    assert "TRUSTED_PROXIES: 172.31.250.10" in web
    assert "ipv4_address: 172.31.250.10" in texte
    assert "subnet: 172.31.250.0/24" in texte
