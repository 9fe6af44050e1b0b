"""Lectures des listes : périmètres et préchargements, nombre de requêtes constant."""

from __future__ import annotations

from django.db.models import Prefetch

from accompagnement.models import Role
from dossiers.models import (
    Affectation,
    Dossier,
    StatutDossier,
    action_en_retard_existe,
    prochain_rendez_vous,
)
from dossiers.parcours.lectures import charges_des_professionnels


def dossiers_du_portefeuille(membership):
    """Les dossiers ouverts dont le professionnel s'occupe : ceux où il tient une place ;
    pour le conseiller, aussi ceux qu'il a orientés et qui attendent leur orientation ;
    pour le correspondant insertion, aussi ceux de son territoire."""
    visibles = Dossier.objects.visibles_par(membership).ouverts()
    user = membership.user
    portefeuille = visibles.avec_affectation_ouverte(user)
    if membership.role == Role.CONSEILLER:
        portefeuille |= visibles.filter(oriente_par=user, statut=StatutDossier.A_ORIENTER)
    elif membership.role == Role.CORRESPONDANT_INSERTION:
        portefeuille |= visibles.filter(territoire=membership.structure)
    return portefeuille


def pour_affichage(dossiers):
    """Tout ce qu'une ligne affiche, en trois requêtes quelle que soit la page. Toutes les
    affectations sont préchargées : perms.niveau_acces() s'en sert sans requête de plus."""
    affectations = Affectation.objects.select_related("professionnel").order_by("role", "pk")
    return (
        dossiers.select_related("demandeur", "agence", "territoire")
        .prefetch_related(Prefetch("affectations", queryset=affectations))
        # Suivi du parcours : indicateurs calculés dans la même requête (sous-requêtes).
        .annotate(action_en_retard=action_en_retard_existe(), prochain_rdv=prochain_rendez_vous())
    )


__all__ = [
    "charges_des_professionnels",  # définie avec le parcours, réutilisée par les prescriptions
    "dossiers_du_portefeuille",
    "pour_affichage",
]
