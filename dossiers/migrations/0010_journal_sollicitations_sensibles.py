"""Données : les événements du journal déjà écrits pour une sollicitation d'un domaine
sensible (santé) nomment le service et sa structure ; ils passent en visibilité sociale,
comme ceux qu'écrivent désormais les services (`sollicitations.perms.visibilite_journal`,
décision 30). Les rôles France Travail ne les lisent plus."""

from django.db import migrations

from accompagnement.referentiels import DOMAINES_SENSIBLES


def reserver_au_social(apps, schema_editor):
    EvenementJournal = apps.get_model("dossiers", "EvenementJournal")
    Sollicitation = apps.get_model("dossiers", "Sollicitation")
    sensibles = [
        str(u)
        for u in Sollicitation.objects.filter(domaine__in=DOMAINES_SENSIBLES).values_list(
            "uuid", flat=True
        )
    ]
    EvenementJournal.objects.filter(
        objet_type="dossiers.sollicitation", objet_id__in=sensibles
    ).exclude(visibilite="sociale").update(visibilite="sociale")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_relais_place_conseiller_axes_2_3")]

    operations = [
        migrations.RunPython(reserver_au_social, migrations.RunPython.noop, elidable=False)
    ]
