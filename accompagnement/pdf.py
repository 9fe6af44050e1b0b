"""Rendu PDF du projet : un gabarit HTML de templates/pdf/ rendu par WeasyPrint.

Le seul assistant PDF du projet, partagé par toutes les applications (le noyau n'importe
aucune application métier). Aucune ressource réseau : seules les URL `data:` et les
fichiers locaux sous les racines autorisées (base_url, gabarits, fichiers statiques) sont
lus ; les polices viennent du système (DejaVu, via fontconfig)."""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

# WeasyPrint n'est importé qu'au premier rendu (imports différés ci-dessous, pour le coût,
# pas pour un cycle) : son chargement (Pango par cffi, fontTools) coûte près d'une seconde
# de CPU à chaque démarrage de processus — serveur, commandes, tests —, qui pour la
# plupart ne rendent aucun PDF.


class RessourceInterdite(ValueError):
    """Une ressource hors des racines locales autorisées (réseau, fichier quelconque)."""


def _racines(base_url: str | Path) -> list[Path]:
    racines = [
        Path(base_url),
        settings.BASE_DIR / "templates",
        *map(Path, settings.STATICFILES_DIRS),
    ]
    if settings.STATIC_ROOT:
        racines.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in racines]


@functools.cache
def _classe_recuperateur() -> type:
    from weasyprint.urls import URLFetcher

    class RecuperateurLocal(URLFetcher):
        """N'ouvre que `data:` et les fichiers sous les racines autorisées ; tout le reste
        (http, https, ftp, fichiers ailleurs sur le disque) est refusé sans requête."""

        def __init__(self, racines: list[Path]):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.racines = racines

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                chemin = Path(unquote(urlsplit(url).path)).resolve()
                if not any(chemin.is_relative_to(racine) for racine in self.racines):
                    raise RessourceInterdite(f"Ressource hors des dossiers autorisés : {url}")
            elif not url.startswith("data:"):
                raise RessourceInterdite(f"Ressource réseau refusée : {url}")
            return super().fetch(url, headers)

    RecuperateurLocal.__module__ = __name__
    return RecuperateurLocal


def __getattr__(nom: str):
    """`RecuperateurLocal` : la classe est créée (et WeasyPrint importé) au premier accès."""
    if nom == "RecuperateurLocal":
        return _classe_recuperateur()
    raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")


def rendre_pdf(gabarit: str, contexte: dict, *, base_url: str | Path) -> bytes:
    """Rend `gabarit` (HTML) avec `contexte` et renvoie les octets du PDF.

    `base_url` est un dossier local (par exemple settings.BASE_DIR / "static") : les
    chemins relatifs du gabarit s'y résolvent ; aucune URL réseau n'est suivie."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(gabarit, contexte)
    base = Path(base_url)
    document = HTML(
        string=html,
        base_url=str(base) + "/",
        url_fetcher=_classe_recuperateur()(_racines(base)),
        media_type="print",
    )
    return document.write_pdf(font_config=FontConfiguration())
