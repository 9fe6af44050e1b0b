"""Écritures de l'application reporting."""

from django.db import transaction

from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, Membership
from dossiers.journal import modification_du_dossier
from dossiers.models import Dossier, TypeEvenement

from . import perms
from .models import BilanParcours


@transaction.atomic
def rediger_conclusion(*, dossier: Dossier, par: Membership, conclusion: str) -> BilanParcours:
    conclusion = conclusion.strip()
    if len(conclusion) < 10:
        raise ErreurMetier("Rédigez une conclusion d'au moins quelques mots.")
    with modification_du_dossier(dossier, par) as m:
        exiger_droit(
            perms.peut_rediger_bilan(par, m.dossier),
            "Le bilan est rédigé par l'animatrice ou un professionnel qui a suivi la personne.",
        )
        bilan, cree = BilanParcours.objects.get_or_create(
            dossier=m.dossier, defaults={"conclusion": conclusion, "redige_par": par.user}
        )
        if not cree:
            bilan.conclusion, bilan.redige_par = conclusion, par.user
            bilan.save(update_fields=["conclusion", "redige_par", "modifie_le"])
        m.auditer(ActionAudit.CREATION if cree else ActionAudit.MODIFICATION, bilan)
        m.journaliser(
            TypeEvenement.CLOTURE,
            f"Conclusion du bilan {'rédigée' if cree else 'mise à jour'} par {par.user}",
            objet=bilan,
        )
    return bilan
