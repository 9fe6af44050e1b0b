"""Renouvellement à 12 mois sur les axes 2 et 3 : décision avec la personne et échéance
signalée chaque jour (Celery beat), une seule fois par période."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    Membership,
    Notification,
    User,
)
from dossiers.journal import modification_du_dossier
from dossiers.models import (
    Affectation,
    Axe,
    Demandeur,
    Dossier,
    EvenementJournal,
    PeriodeOrientation,
    StatutDossier,
    TypeEvenement,
    Visibilite,
)
from dossiers.parcours import perms
from dossiers.parcours.services import (
    _ouvrir_periode,
    date_d_evenement,
    relayer_place_conseiller,
)

# Adresse d'une fiche, calculée une fois par exécution.
UUID_MODELE = uuid.UUID(int=0)

# La règle des 12 mois, ici seulement : la tâche quotidienne (periodes_a_renouveler, en SQL),
# le bandeau de la fiche (renouvellement_du, en Python) et le service renouveler()
# (peut_renouveler_des) lisent ces constantes.
DUREE_AVANT_RENOUVELLEMENT = dt.timedelta(days=365)
# Le renouvellement peut se décider jusqu'à un mois avant l'échéance (à partir de 11 mois).
AVANCE_POSSIBLE = dt.timedelta(days=30)
AXES_A_RENOUVELER = (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)


def _debut_au_plus_tard(aujourd_hui: dt.date) -> dt.date:
    """Une période commencée ce jour-là ou avant a atteint ses 12 mois `aujourd_hui`."""
    return aujourd_hui - DUREE_AVANT_RENOUVELLEMENT


def periodes_a_renouveler(aujourd_hui: dt.date | None = None):
    """Périodes ouvertes sur l'axe 2 ou 3 depuis 12 mois au moins (renouvellement_du en SQL)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return PeriodeOrientation.objects.filter(
        date_fin__isnull=True,
        axe__in=AXES_A_RENOUVELER,
        date_debut__lte=_debut_au_plus_tard(aujourd_hui),
        dossier__statut=StatutDossier.ACCOMPAGNEMENT,
    )


def renouvellement_du(
    periode: PeriodeOrientation | None, aujourd_hui: dt.date | None = None
) -> bool:
    """La période est de celles que periodes_a_renouveler() signale : ouverte sur l'axe 2
    ou 3 d'un dossier en accompagnement, depuis 12 mois au moins."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return (
        periode is not None
        and periode.date_fin is None
        and periode.axe in AXES_A_RENOUVELER
        and periode.date_debut <= _debut_au_plus_tard(aujourd_hui)
        and periode.dossier.statut == StatutDossier.ACCOMPAGNEMENT
    )


def peut_renouveler_des(periode: PeriodeOrientation) -> dt.date:
    """Le premier jour où renouveler() accepte de renouveler la période (11 mois)."""
    return periode.date_debut + DUREE_AVANT_RENOUVELLEMENT - AVANCE_POSSIBLE


# Une seule instruction (décision 79) : l'UPDATE marque les périodes à 12 mois et rend de
# quoi écrire, sans passer par Python, une notification à chaque professionnel de l'équipe
# ouverte (une fois par période, comptes actifs avec courriel, comme
# notifications.envoyer_en_masse) et un événement du journal par dossier. Deux exécutions
# simultanées ne signalent pas deux fois : la seconde attend le verrou de ligne de la
# première, puis relit `echeance_signalee_le IS NULL` (faux) et passe.
SQL_SIGNALER = """
WITH echues AS (
    UPDATE {periode} p SET echeance_signalee_le = %(aujourd_hui)s
      FROM {dossier} d JOIN {demandeur} dm ON dm.id = d.demandeur_id
     WHERE d.id = p.dossier_id AND d.statut = %(accompagnement)s
       AND p.date_fin IS NULL AND p.axe = ANY(%(axes)s)
       AND p.date_debut <= %(debut_au_plus_tard)s AND p.echeance_signalee_le IS NULL
 RETURNING p.dossier_id, p.date_debut, d.uuid,
           upper(dm.nom) || ' ' || dm.prenom AS personne,
           (SELECT l.libelle FROM unnest(%(codes_axes)s::text[], %(libelles_axes)s::text[])
                   AS l(code, libelle) WHERE l.code = p.axe) AS axe
), equipes AS (
    SELECT DISTINCT e.dossier_id, a.professionnel_id
      FROM echues e
      JOIN {affectation} a ON a.dossier_id = e.dossier_id AND a.date_fin IS NULL
      JOIN {user} u ON u.id = a.professionnel_id AND u.is_active AND u.email <> ''
     WHERE %(notifier)s
), notifiees AS (
    INSERT INTO {notification} (uuid, destinataire_id, categorie, titre, texte, lien, cree_le)
    SELECT gen_random_uuid(), q.professionnel_id, %(categorie)s,
           left('Renouvellement à décider : ' || e.personne, 200),
           e.personne || ' est en ' || e.axe || ' depuis le '
             || to_char(e.date_debut, 'DD/MM/YYYY')
             || ' (12 mois). Décidez avec la personne : renouveler ou préparer la sortie.',
           replace(%(fiche)s, %(modele)s, e.uuid::text), %(maintenant)s
      FROM equipes q JOIN echues e ON e.dossier_id = q.dossier_id
 RETURNING 1
), journal AS (
    INSERT INTO {journal} (dossier_id, type, horodatage, date_effet, auteur_id, resume,
                           visibilite, objet_type, objet_id)
    SELECT e.dossier_id, %(orientation)s, %(maintenant)s, %(aujourd_hui)s, NULL,
           left('12 mois en ' || e.axe || ' : renouvellement à décider', 300),
           %(partagee)s, '', ''
      FROM echues e
 RETURNING 1
)
SELECT (SELECT count(*) FROM echues), (SELECT count(*) FROM notifiees),
       (SELECT count(*) FROM journal)
"""


@transaction.atomic
def signaler_renouvellements() -> int:
    """Ensembliste (décisions 48 et 79) : une requête quel que soit le nombre de périodes
    (la règle de periodes_a_renouveler, écrite en SQL) ; rend le nombre de périodes
    signalées."""
    aujourd_hui = timezone.localdate()
    sql = SQL_SIGNALER.format(
        periode=PeriodeOrientation._meta.db_table,
        dossier=Dossier._meta.db_table,
        demandeur=Demandeur._meta.db_table,
        affectation=Affectation._meta.db_table,
        user=User._meta.db_table,
        notification=Notification._meta.db_table,
        journal=EvenementJournal._meta.db_table,
    )
    with connection.cursor() as curseur:
        curseur.execute(
            sql,
            {
                "aujourd_hui": aujourd_hui,
                "maintenant": timezone.now(),
                "accompagnement": StatutDossier.ACCOMPAGNEMENT,
                "axes": list(AXES_A_RENOUVELER),
                "debut_au_plus_tard": _debut_au_plus_tard(aujourd_hui),
                "codes_axes": [str(code) for code in Axe.values],
                "libelles_axes": [str(libelle) for libelle in Axe.labels],
                "notifier": not notifications.suspendues_ici(),
                "categorie": CategorieNotification.RENOUVELLEMENT,
                "fiche": reverse("dossiers:dossier", args=[UUID_MODELE]),
                "modele": str(UUID_MODELE),
                "orientation": TypeEvenement.ORIENTATION,
                "partagee": Visibilite.PARTAGEE,
            },
        )
        periodes, _, _ = curseur.fetchone()
    return periodes


@transaction.atomic
def renouveler(
    *,
    dossier: Dossier,
    par: Membership,
    motif: str,
    accord_personne: bool,
    date: dt.date | None = None,
) -> PeriodeOrientation:
    """Au bout de 12 mois en axe 2 ou 3, la personne et les professionnels décident de
    poursuivre : la période en cours se termine et une nouvelle s'ouvre sur le même axe."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        date = date_d_evenement(date, dossier, "La date du renouvellement")
        courante = dossier.periodes.filter(date_fin__isnull=True).first()
        if dossier.statut != StatutDossier.ACCOMPAGNEMENT or courante is None:
            raise ErreurMetier("Seul un dossier en accompagnement peut être renouvelé.")
        if courante.axe not in AXES_A_RENOUVELER:
            raise ErreurMetier(
                "Le renouvellement concerne l'accompagnement global (axe 2) et le suivi social "
                "exclusif (axe 3)."
            )
        au_plus_tot = peut_renouveler_des(courante)
        if date < au_plus_tot:
            raise ErreurMetier(
                f"Pas encore à échéance : la période a commencé le {courante.date_debut:%d/%m/%Y} ; "
                f"le renouvellement se décide à 12 mois (au plus tôt le {au_plus_tot:%d/%m/%Y})."
            )
        exiger_droit(
            perms.peut_cloturer(par, dossier),
            "Vous ne pouvez pas renouveler l'accompagnement de ce dossier.",
        )
        if not motif.strip():
            raise ErreurMetier("Le motif du renouvellement est obligatoire.")
        if not accord_personne:
            raise ErreurMetier(
                "Le renouvellement se décide avec la personne : son accord est requis."
            )
        courante.date_fin = date
        courante.save(update_fields=["date_fin"])
        nouvelle = _ouvrir_periode(
            dossier,
            axe=courante.axe,
            date=date,
            motif=motif,
            decide_par=par.user,
            accord_personne=True,
            conseiller=None,
            professionnel_social=None,
        )
        nouvelle.renouvellement = True
        nouvelle.save(update_fields=["renouvellement"])
        # Un dossier entré en axe 2 ou 3 avant la règle du relais (données anciennes).
        relayer_place_conseiller(m, date=date, motif=f"Renouvellement en {Axe(courante.axe).label}")
        m.auditer(ActionAudit.CREATION, nouvelle, renouvellement=True)
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"{Axe(courante.axe).label} renouvelé (décision de {par.user}, avec l'accord de la personne)",
            objet=nouvelle,
            date=date,
        )
    return nouvelle
