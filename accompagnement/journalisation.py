"""Filtres de journalisation (réglage LOGGING) : une ligne concise par réponse 4xx."""

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
