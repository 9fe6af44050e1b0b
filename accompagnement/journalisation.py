"""Filtres de journalisation (réglage LOGGING) : une ligne concise par réponse 4xx."""

import datetime as dt
import json
import logging


class SansTraceback4xx(logging.Filter):
    """Retire la trace d'appels des réponses 4xx journalisées par Django (403 d'une
    `PermissionDenied`, 400 d'une `SuspiciousOperation`…) : l'erreur est celle du client,
    une ligne suffit. Les 5xx et les autres messages gardent leur trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# Format des lignes d'accès de http.server (BaseHTTPRequestHandler.log_request).
FORMAT_ACCES = '"%s" %s %s'


class AccesSous400(logging.Filter):
    """Journal d'accès de runserver : les réponses ≥ 400 n'y figurent pas, Django les
    journalise déjà (django.request) ; une seule ligne par 403 ou 404. Les autres messages
    du serveur (HTTPS sur le port HTTP, requête illisible) restent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == FORMAT_ACCES and getattr(record, "status_code", 0) >= 400)


# Attributs d'un LogRecord qui ne sont pas des « extra » du message.
_ATTRIBUTS_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request",
    "server_time",
}


class FormatJSON(logging.Formatter):
    """Une ligne JSON par message (LOG_FORMAT=json, décision 83) pour un agrégateur de
    journaux : horodatage ISO 8601 (UTC), niveau, journal, message, module et ligne, trace
    d'appels éventuelle, et les champs « extra » simples (status_code, task_id…). L'objet
    requête de Django n'est pas copié : seuls sa méthode et son chemin le sont (jamais les
    paramètres, qui peuvent porter des données personnelles)."""

    def format(self, record: logging.LogRecord) -> str:
        ligne = {
            "horodatage": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "niveau": record.levelname,
            "journal": record.name,
            "message": record.getMessage(),
            "module": record.module,
            "ligne": record.lineno,
            "processus": record.process,
        }
        requete = getattr(record, "request", None)
        if requete is not None and hasattr(requete, "path"):
            ligne["methode"], ligne["chemin"] = getattr(requete, "method", ""), requete.path
        simples = str | int | float | bool | None
        for cle, valeur in record.__dict__.items():
            if (
                cle not in _ATTRIBUTS_STANDARD
                and not cle.startswith("_")
                and isinstance(valeur, simples)
            ):
                ligne[cle] = valeur
        if record.exc_info:
            ligne["trace"] = self.formatException(record.exc_info)
        elif record.exc_text:
            ligne["trace"] = record.exc_text
        return json.dumps(ligne, ensure_ascii=False)
