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
from dossiers.portefeuilles import perms


def dossiers_du_portefeuille(membership):
    """Les dossiers ouverts dont le professionnel s'occupe : ceux où il tient une place ;
    pour le conseiller, aussi ceux qu'il a orientés et qui attendent leur orientation ;
    pour le correspondant insertion, aussi ceux de son territoire.

    Chaque branche est incluse dans `Dossier.objects.visibles_par` (une place tenue, un
    dossier orienté, le territoire du correspondant : trois clauses du périmètre), d'où le
    seul filtre du département ici. Les branches sont réunies en une liste de clés
    (`pk IN (… UNION ALL …)`, une semi-jointure servie par les index d'Affectation et de
    Dossier) plutôt qu'en chaîne de `OR` qui obligeait à parcourir tout le département."""
    if not perms.peut_voir_portefeuille(membership):
        return Dossier.objects.none()
    user = membership.user
    cles = Affectation.objects.ouvertes().filter(professionnel=user).order_by().values("dossier_id")
    if membership.role == Role.CONSEILLER:
        orientes = Dossier.objects.filter(oriente_par=user, statut=StatutDossier.A_ORIENTER)
        cles = cles.union(orientes.order_by().values("pk"), all=True)
    elif membership.role == Role.CORRESPONDANT_INSERTION:
        du_territoire = Dossier.objects.filter(territoire=membership.structure)
        cles = cles.union(du_territoire.order_by().values("pk"), all=True)
    return Dossier.objects.filter(
        departement_id=membership.structure.departement_id, pk__in=cles
    ).ouverts()


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
