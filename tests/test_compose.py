"""Forme de production (docker-compose.yml) : seul le proxy TLS est publié, gunicorn ne
l'est pas, et la seule adresse de confiance (TRUSTED_PROXIES) est celle du proxy.
Régression du ticket 11 : BEHIND_TLS_PROXY=true alors que le port de gunicorn était publié
sur l'hôte, qui joignait gunicorn par l'adresse de confiance (la passerelle) et pouvait
donc se dire en HTTPS (X-Forwarded-Proto) ou prendre n'importe quelle adresse IP."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.accompagnement.test_settings import manage

RACINE = Path(__file__).resolve().parent.parent
COMPOSE = (RACINE / "docker-compose.yml").read_text()
EXEMPLE = dict(
    ligne.split("=", 1)
    for ligne in (RACINE / ".env.example").read_text().splitlines()
    if ligne and not ligne.startswith("#")
)


def services() -> dict[str, str]:
    """Le texte de chaque service (bloc indenté de deux espaces sous `services:`)."""
    bloc = COMPOSE.split("\nservices:\n", 1)[1].split("\n\n# ", 1)[0]
    morceaux = re.split(r"^  ([a-z][\w-]*):\n", bloc, flags=re.MULTILINE)
    return dict(zip(morceaux[1::2], morceaux[2::2], strict=True))


def test_seul_le_proxy_est_publie():
    blocs = services()
    assert {"db", "redis", "web", "worker", "beat", "proxy"} <= set(blocs)
    publies = {nom for nom, texte in blocs.items() if re.search(r"^    ports:", texte, re.M)}
    assert publies == {"proxy"}
    assert '"80:80"' in blocs["proxy"] and '"443:443"' in blocs["proxy"]
    assert re.search(r'^    expose:\n      - "8000"', blocs["web"], re.M)


def test_la_seule_adresse_de_confiance_est_celle_du_proxy():
    adresse = re.search(r"ipv4_address: ([\d.]+)", services()["proxy"]).group(1)
    assert f"TRUSTED_PROXIES: ${{TRUSTED_PROXIES:-{adresse}}}" in COMPOSE
    assert EXEMPLE["TRUSTED_PROXIES"] == adresse
    assert "BEHIND_TLS_PROXY: ${BEHIND_TLS_PROXY:-true}" in COMPOSE
    # gunicorn ne croit X-Forwarded-* que de cette même adresse.
    assert '--forwarded-allow-ips=\\"$${TRUSTED_PROXIES}\\"' in services()["web"]
    # La passerelle (par où arrive l'hôte) n'est plus de confiance.
    passerelle = re.search(r"gateway: ([\d.]+)", COMPOSE).group(1)
    assert passerelle not in EXEMPLE["TRUSTED_PROXIES"].split(",")


def test_le_caddyfile_relaie_vers_gunicorn_sans_croire_le_client():
    caddy = (RACINE / "deploiement" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddy
    assert "trusted_proxies" not in caddy.split("\n# ", 1)[-1].split("{$DOMAINE}", 1)[1]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="apt-get install docker-compose")
def test_docker_compose_config_valide():
    res = subprocess.run(
        ["docker-compose", "--env-file", ".env.example", "config"],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    rendu = res.stdout
    web = rendu.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    assert "published" not in web and "ports:" not in web


def test_check_deploy_propre_avec_les_reglages_de_production_du_compose():
    res = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="production-" + "Qz8-kW3_pL" * 6,
        ALLOWED_HOSTS=EXEMPLE["ALLOWED_HOSTS"],
        CSRF_TRUSTED_ORIGINS=EXEMPLE["CSRF_TRUSTED_ORIGINS"],
        BEHIND_TLS_PROXY=EXEMPLE["BEHIND_TLS_PROXY"],
        TRUSTED_PROXIES=EXEMPLE["TRUSTED_PROXIES"],
        URL_PUBLIQUE=EXEMPLE["URL_PUBLIQUE"],
    )
    assert res.returncode == 0, res.stderr
    assert "no issues" in res.stdout
