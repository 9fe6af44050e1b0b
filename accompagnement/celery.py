"""Application Celery : configuration lue dans les settings (préfixe CELERY_)
et tous les plannings (beat) déclarés ici, en un seul endroit."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accompagnement.settings")

app = Celery("accompagnement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _garder_les_journaux_du_projet(**_kwargs) -> None:
    """Un récepteur de ce signal suffit pour que Celery ne touche pas aux journaux : le
    worker garde ceux que Django a configurés (LOGGING : une ligne par 4xx, LOG_FORMAT=json)
    au lieu de remplacer les gestionnaires du journal racine par les siens — y compris le
    worker de celery.contrib.testing dans le processus des tests."""


# Plannings : les tâches périodiques s'ajoutent ici au fil des fonctionnalités.
app.conf.beat_schedule = {
    # Demandes des pages restées en attente (broker injoignable à leur envoi) : renvoyées
    # dès son retour (accompagnement/taches.py, décision 80).
    "envois-en-attente": {
        "task": "accompagnement.tasks.relancer_envois_en_attente",
        "schedule": 60.0,
    },
    "resumes-quotidiens-des-notifications": {
        "task": "accompagnement.tasks.envoyer_resumes_quotidiens",
        "schedule": crontab(hour=7, minute=30),
    },
    "sollicitations-relances-et-expiration": {
        "task": "dossiers.tasks.expirer_sollicitations",
        "schedule": crontab(hour=6, minute=15),
    },
    "echeances-renouvellements-et-actions": {
        "task": "dossiers.tasks.signaler_echeances",
        "schedule": crontab(hour=6, minute=30),
    },
    # Conservation des traces d'audit (AUDIT_CONSERVATION_MOIS), la nuit.
    "audit-purge-conservation": {
        "task": "accompagnement.tasks.purger_journaux_audit",
        "schedule": crontab(hour=3, minute=15),
    },
    # Rapports mensuels figés du mois précédent : le 1er du mois à 06:00, heure de Paris
    # (CELERY_TIMEZONE = Europe/Paris).
    "reporting-rapports-mensuels": {
        "task": "reporting.tasks.generer_rapports_du_mois",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # Gros exports du reporting : supprimés une fois leur conservation échue (2 jours).
    "reporting-exports-expires": {
        "task": "reporting.tasks.purger_exports_expires",
        "schedule": crontab(hour=3, minute=30),
    },
    # Conservation des données des personnes (RGPD) : préavis puis anonymisation ; ne fait
    # rien si RGPD_PURGE_ACTIVE est à faux (docs/rgpd.md).
    "rgpd-conservation": {
        "task": "rgpd.tasks.purger_conservation",
        "schedule": crontab(hour=3, minute=45),
    },
}
