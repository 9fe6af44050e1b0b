"""Adresse du client et proxys de confiance.

`X-Forwarded-For` et `X-Forwarded-Proto` sont des en-têtes que n'importe quel client peut
envoyer : on ne les croit que si la connexion vient d'un proxy déclaré dans
`TRUSTED_PROXIES` (adresses ou réseaux CIDR ; vide par défaut, on s'en tient alors à
REMOTE_ADDR). `ProxyDeConfianceMiddleware` retire ces en-têtes des autres requêtes, et
`adresse_client` donne la même adresse à l'audit et au verrouillage des connexions
(django-axes, `AXES_CLIENT_IP_CALLABLE`). Voir la décision 24 de docs/decisions.md."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

# En-têtes qu'un proxy pose et qu'un client direct ne doit pas pouvoir imposer.
ENTETES_DU_PROXY = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _reseaux(valeurs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(v) for v in valeurs)


def reseaux_de_confiance():
    return _reseaux(tuple(settings.TRUSTED_PROXIES))


def lire_ip(valeur: str | None) -> IP | None:
    """Une adresse IP lue dans REMOTE_ADDR ou un élément de X-Forwarded-For ; accepte un
    port accolé (`198.51.100.7:4711`, `[2001:db8::5]:4711`). None si illisible."""
    valeur = (valeur or "").strip()
    if valeur.startswith("["):
        valeur = valeur[1:].split("]", 1)[0]
    elif valeur.count(":") == 1:
        valeur = valeur.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(valeur)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def est_de_confiance(ip: IP | None) -> bool:
    return ip is not None and any(ip in reseau for reseau in reseaux_de_confiance())


def vient_d_un_proxy(request) -> bool:
    return est_de_confiance(lire_ip(request.META.get("REMOTE_ADDR")))


def adresse_client(request) -> str | None:
    """L'adresse du client : REMOTE_ADDR, sauf si la connexion vient d'un proxy de
    confiance ; alors l'adresse la plus à droite de X-Forwarded-For qui n'est pas un proxy
    de confiance (celles de gauche ont pu être inventées par le client). Une valeur
    illisible arrête la remontée : on garde la dernière adresse sûre."""
    client = lire_ip(request.META.get("REMOTE_ADDR"))
    if not est_de_confiance(client):
        return str(client) if client is not None else None
    for element in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = lire_ip(element)
        if ip is None:
            break
        client = ip
        if not est_de_confiance(ip):
            break
    return str(client)


class ProxyDeConfianceMiddleware:
    """Premier intergiciel : une requête qui ne vient pas d'un proxy de confiance perd ses
    en-têtes X-Forwarded-*. Sans cela, SECURE_PROXY_SSL_HEADER croirait le
    `X-Forwarded-Proto: https` d'un client qui parle HTTP en direct."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not vient_d_un_proxy(request):
            for entete in ENTETES_DU_PROXY:
                request.META.pop(entete, None)
        return self.get_response(request)
