"""Index des files de travail de « Aujourd'hui » (reporting/files.py ; décision 95).

Chaque file lit ses premières lignes dans l'ordre de son tri (le plus récent d'abord) et
compte au plus 1 001 lignes : un index partiel par filtre fixe, dans l'ordre du tri, que
PostgreSQL parcourt à reculons et quitte dès qu'il a ses lignes, au lieu de lire et trier
toute la table (actions en retard : 42 000 lignes triées à chaque affichage). Le filtre
de l'index reprend mot pour mot celui de la file (statuts terminés des actions, statuts
en cours des demandes d'entrée, statuts en attente des sollicitations, axes 2 et 3 à
renouveler, axe 2 ouvert, demandes pas encore prises ou sans travailleur social) :
`tests/reporting/test_index_des_files.py` vérifie que chaque file s'en sert, une
constante changée d'un côté seulement le ferait échouer.

Posés sur les tables de `dossiers` depuis `reporting`, comme ceux du reporting
(décision 77). Sur une grosse base en service, les créer d'abord à la main avec
CREATE INDEX CONCURRENTLY (IF NOT EXISTS les laisse alors tels quels)."""

from django.db import migrations

INDEX = {
    # Actions en retard et à échéance, par fin prévue.
    "files_action_ouverte_echeance": (
        "dossiers_action (date_fin_prevue, id) INCLUDE (dossier_id) "
        "WHERE NOT (statut IN ('abandonnee', 'annulee', 'realisee'))"
    ),
    # Renouvellements : périodes ouvertes des axes 2 et 3, par date de début.
    "files_periode_a_renouveler": (
        "dossiers_periodeorientation (date_debut, id) INCLUDE (dossier_id) "
        "WHERE date_fin IS NULL AND axe IN ('2', '3')"
    ),
    # Axe 2 sans binôme complet : la liste par date d'entrée, le compte par clé (l'anti-
    # jointure sur les places ouvertes se fait alors en fusion, dans l'ordre des clés).
    "files_dossier_axe2_entree": (
        "dossiers_dossier (departement_id, date_entree, id) "
        "WHERE axe_courant = '2' AND statut <> 'clos'"
    ),
    "files_dossier_axe2_ouvert": (
        "dossiers_dossier (departement_id, id) WHERE axe_courant = '2' AND statut <> 'clos'"
    ),
    # Dossiers d'un territoire (files du correspondant) : les clés lues dans l'index seul,
    # statut compris, au lieu de 3 000 pages de la table pour 6 000 dossiers.
    "files_dossier_territoire": (
        "dossiers_dossier (territoire_id, departement_id, id) INCLUDE (statut)"
    ),
    # Sollicitations en attente de réponse, par date d'envoi.
    "files_sollicitation_en_attente": (
        "dossiers_sollicitation (envoyee_le, id) INCLUDE (dossier_id, correspondant_id) "
        "WHERE statut IN ('envoyee', 'a_l_etude')"
    ),
    # Demandes d'entrée en cours : en retard (toutes), à prendre et à désigner (par axe).
    "files_prescription_en_cours": (
        "dossiers_prescription (prescrite_le, id) INCLUDE (dossier_id) "
        "WHERE statut IN ('en_attente', 'prise_en_charge')"
    ),
    "files_prescription_a_prendre": (
        "dossiers_prescription (prescrite_le, id) INCLUDE (dossier_id) "
        "WHERE statut IN ('en_attente', 'prise_en_charge') AND axe = '2' AND pris_le IS NULL"
    ),
    "files_prescription_a_designer": (
        "dossiers_prescription (axe, prescrite_le, id) INCLUDE (dossier_id) "
        "WHERE statut IN ('en_attente', 'prise_en_charge') AND designe_le IS NULL"
    ),
    # Rendez-vous du jour : une plage de dates (la journée locale), puis les participants.
    "files_rendez_vous_debut": "dossiers_rendezvous (debut, id)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_index_du_reporting"),
        ("dossiers", "0015_fusion_index_et_marque_d_echeance"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {nom} ON {definition}",
            f"DROP INDEX IF EXISTS {nom}",
        )
        for nom, definition in INDEX.items()
    ]
