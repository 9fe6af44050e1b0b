"""Remplit le nom normalisé des services déjà enregistrés (colonne ajoutée en 0002)."""

from django.db import migrations

from accompagnement.texte import normaliser


def remplir(apps, schema_editor):
    ServiceRessource = apps.get_model("conventions", "ServiceRessource")
    services = list(ServiceRessource.objects.filter(texte_nom="").only("pk", "nom"))
    for service in services:
        service.texte_nom = normaliser(service.nom)
    ServiceRessource.objects.bulk_update(services, ["texte_nom"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0002_champs_data_inclusion_et_nom_normalise")]

    operations = [migrations.RunPython(remplir, migrations.RunPython.noop)]
