"""Index des requêtes du reporting (bench/README.md, section Reporting ; décision 74).

Posés sur les tables de `dossiers` depuis `reporting`, qui seul en a l'usage : la place
tenue à la fin du mois (dernière affectation d'un rôle commencée au plus tard ce jour-là,
une sous-requête par élément compté, lue dans l'index seul), la période précédente d'un
dossier (changements d'axe), les entrées, sorties et clôtures d'un mois. CREATE INDEX
CONCURRENTLY n'est pas possible dans une migration atomique : sur une grosse base en
service, les créer à la main d'abord (IF NOT EXISTS les laisse alors tels quels)."""

from django.db import migrations

INDEX = {
    "reporting_affectation_place": (
        "dossiers_affectation (dossier_id, role, date_debut DESC, id DESC) "
        "INCLUDE (professionnel_id)"
    ),
    "reporting_periode_precedente": (
        "dossiers_periodeorientation (dossier_id, date_debut DESC, id DESC) INCLUDE (axe)"
    ),
    "reporting_periode_debut": "dossiers_periodeorientation (date_debut)",
    "reporting_periode_fin": "dossiers_periodeorientation (date_fin)",
    "reporting_dossier_cloture": "dossiers_dossier (departement_id, date_cloture)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_synthese_convention"),
        ("dossiers", "0013_fusion_index_nom"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {nom} ON {definition}",
            f"DROP INDEX IF EXISTS {nom}",
        )
        for nom, definition in INDEX.items()
    ]
