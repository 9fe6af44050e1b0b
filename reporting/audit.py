"""Pour la page d'audit du noyau (inscrit par ReportingConfig.ready) : les bilans de
parcours des dossiers de ces personnes (tracés par leur identifiant)."""

from .models import BilanParcours


def objets_des_personnes(ids: list[int]) -> dict[str, list[str]]:
    bilans = BilanParcours.objects.filter(dossier__demandeur_id__in=ids)
    return {"reporting.bilanparcours": [str(pk) for pk in bilans.values_list("pk", flat=True)]}
