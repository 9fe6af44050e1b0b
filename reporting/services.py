"""Écritures de l'application reporting."""

from django.db import transaction

from accompagnement import audit
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, User
from dossiers.journal import journaliser
from dossiers.models import Dossier, TypeEvenement

from .models import BilanParcours


@transaction.atomic
def rediger_conclusion(*, dossier: Dossier, par: User, conclusion: str) -> BilanParcours:
    conclusion = conclusion.strip()
    if len(conclusion) < 10:
        raise ErreurMetier("Rédigez une conclusion d'au moins quelques mots.")
    bilan, cree = BilanParcours.objects.select_for_update().get_or_create(
        dossier=dossier, defaults={"conclusion": conclusion, "redige_par": par}
    )
    if not cree:
        bilan.conclusion, bilan.redige_par = conclusion, par
        bilan.save(update_fields=["conclusion", "redige_par", "modifie_le"])
    audit.enregistrer(
        action=ActionAudit.CREATION if cree else ActionAudit.MODIFICATION,
        acteur=par,
        departement=dossier.departement,
        objet=bilan,
    )
    journaliser(
        dossier=dossier,
        type=TypeEvenement.CLOTURE,
        auteur=par,
        resume=f"Conclusion du bilan {'rédigée' if cree else 'mise à jour'} par {par}",
        objet=bilan,
    )
    return bilan
