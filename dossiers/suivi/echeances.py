"""Actions du plan dont la fin prévue est dépassée : signalées chaque jour (Celery beat),
une seule fois par action (champ `echeance_signalee_le`)."""

from __future__ import annotations

import uuid

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.models import CategorieNotification, Notification, User
from dossiers.models import Action, Demandeur, Dossier, StatutAction, StatutDossier

# Adresse d'un plan d'action, calculée une fois par exécution (reverse coûte ~20 µs).
UUID_MODELE = uuid.UUID(int=0)
STATUTS_TERMINES = (StatutAction.REALISEE, StatutAction.ABANDONNEE, StatutAction.ANNULEE)

# Une seule instruction (décision 79) : l'UPDATE marque les actions échues et rend de quoi
# écrire leurs notifications, que l'INSERT crée aussitôt (comptes actifs avec courriel,
# comme notifications.envoyer_en_masse). Rien ne transite par Python : à 46 000 actions,
# charger les lignes, construire les objets et les réécrire coûtait 4 à 5 fois le SQL.
# Deux exécutions simultanées ne signalent pas deux fois : la seconde attend le verrou de
# ligne de la première, puis relit `echeance_signalee_le IS NULL` (faux) et passe.
SQL_SIGNALER = """
WITH echues AS (
    UPDATE {action} a SET echeance_signalee_le = %(aujourd_hui)s
      FROM {dossier} d JOIN {demandeur} p ON p.id = d.demandeur_id
     WHERE d.id = a.dossier_id AND d.statut <> %(clos)s
       AND a.date_fin_prevue < %(aujourd_hui)s AND a.echeance_signalee_le IS NULL
       AND a.statut <> ALL(%(termines)s)
 RETURNING a.responsable_id, a.date_fin_prevue, d.uuid,
           upper(p.nom) || ' ' || p.prenom AS personne
), notifiees AS (
    INSERT INTO {notification} (uuid, destinataire_id, categorie, titre, texte, lien, cree_le)
    SELECT gen_random_uuid(), e.responsable_id, %(categorie)s,
           left('Action à échéance : ' || e.personne, 200),
           'La fin prévue (' || to_char(e.date_fin_prevue, 'DD/MM/YYYY')
             || ') d''une action du plan de ' || e.personne
             || ' est dépassée : mettez à jour son statut.',
           replace(%(plan)s, %(modele)s, e.uuid::text), %(maintenant)s
      FROM echues e JOIN {user} u ON u.id = e.responsable_id
     WHERE u.is_active AND u.email <> '' AND %(notifier)s
 RETURNING 1
)
SELECT (SELECT count(*) FROM echues), (SELECT count(*) FROM notifiees)
"""


@transaction.atomic
def signaler_actions_echues() -> int:
    """Ensembliste (décisions 48 et 79) : une requête quel que soit le nombre d'actions
    échues ; rend le nombre d'actions signalées."""
    sql = SQL_SIGNALER.format(
        action=Action._meta.db_table,
        dossier=Dossier._meta.db_table,
        demandeur=Demandeur._meta.db_table,
        notification=Notification._meta.db_table,
        user=User._meta.db_table,
    )
    with connection.cursor() as curseur:
        curseur.execute(
            sql,
            {
                "aujourd_hui": timezone.localdate(),
                "maintenant": timezone.now(),
                "clos": StatutDossier.CLOS,
                "termines": list(STATUTS_TERMINES),
                "categorie": CategorieNotification.ACTION,
                "plan": reverse("dossiers:suivi_plan", args=[UUID_MODELE]),
                "modele": str(UUID_MODELE),
                "notifier": not notifications.suspendues_ici(),
            },
        )
        actions, _ = curseur.fetchone()
    return actions
