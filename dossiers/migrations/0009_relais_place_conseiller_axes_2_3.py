"""Données : les dossiers ouverts en axe 2 ou 3 dont la place de conseiller de l'agence
(axe 1) est restée ouverte voient cette place relayée, comme le fait désormais chaque
entrée en axe 2 ou 3 (`parcours.services.relayer_place_conseiller`, décision 29). La
place est close au début de la période en cours (au plus tôt au début de l'affectation) ;
son titulaire garde la lecture du statut. Les déclencheurs de l'historique tracent le
changement (contexte : commande `migrate`)."""

from django.db import migrations

AXES_SOCIAUX = ("2", "3")
MOTIF = "Relais à l'entrée en axe 2 ou 3 (reprise des dossiers existants)"


def relayer(apps, schema_editor):
    Affectation = apps.get_model("dossiers", "Affectation")
    PeriodeOrientation = apps.get_model("dossiers", "PeriodeOrientation")
    ouvertes = (
        Affectation.objects.filter(
            role="conseiller",
            date_fin__isnull=True,
            dossier__statut="accompagnement",
            dossier__axe_courant__in=AXES_SOCIAUX,
        )
        .select_related("dossier")
        .order_by("pk")
    )
    debuts = dict(
        PeriodeOrientation.objects.filter(
            date_fin__isnull=True, dossier_id__in=ouvertes.values("dossier_id")
        ).values_list("dossier_id", "date_debut")
    )
    for affectation in ouvertes:
        debut = debuts.get(affectation.dossier_id, affectation.date_debut)
        affectation.date_fin = max(debut, affectation.date_debut)
        affectation.motif_fin = MOTIF
        affectation.save(update_fields=["date_fin", "motif_fin"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0008_information_et_accord_de_la_personne")]

    operations = [migrations.RunPython(relayer, migrations.RunPython.noop, elidable=False)]
