"""Lectures des listes : périmètres et préchargements, nombre de requêtes constant."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q

from accompagnement.models import Membership, Role
from dossiers.models import (
    Affectation,
    Dossier,
    RoleAffectation,
    StatutDossier,
    action_en_retard_existe,
    prochain_rendez_vous,
)
from dossiers.portefeuilles.filters import ROLES_PROFESSIONNELS


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


def charges_des_professionnels(departement):
    """Une ligne par rattachement actif d'un professionnel du département, avec le nombre
    de places ouvertes qu'il tient au titre de cette structure : une seule requête."""
    ouvertes = Q(user__affectations__date_fin__isnull=True) & Q(
        user__affectations__structure=F("structure")
    )
    par_place = {
        place: Count("user__affectations", filter=ouvertes & Q(user__affectations__role=place))
        for place in RoleAffectation.values
    }
    return (
        Membership.objects.actifs()
        .filter(
            structure__departement=departement,
            role__in=ROLES_PROFESSIONNELS,
            user__is_active=True,
        )
        .select_related("user", "structure")
        .annotate(**par_place, total=Count("user__affectations", filter=ouvertes))
        .order_by("user__nom", "user__prenom", "structure__nom", "pk")
    )
