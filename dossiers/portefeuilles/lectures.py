"""Lectures des listes : périmètres et préchargements, nombre de requêtes constant."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.db.models.functions import JSONObject

from accompagnement.models import Role, User
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


# Les seules colonnes qu'une ligne affiche ou que `niveau_acces` lit : ni le texte et le
# vecteur de recherche de la personne, ni ses coordonnées, ni les motifs du dossier
# (décision 91 : deux fois moins d'octets lus et d'objets remplis par page).
COLONNES_LIGNE = (
    "uuid",
    "departement",
    "statut",
    "axe_courant",
    "oriente_par",
    "date_orientation",
    "date_cloture",
    "derniere_activite",
    "demandeur",
    "demandeur__nom",
    "demandeur__prenom",
    "demandeur__identifiant_ft",
    "demandeur__rsa_allocataire",
    "agence",
    "agence__nom",
    "territoire",
    "territoire__nom",
)
# Les places du dossier (toutes : `niveau_acces` lit aussi les places passées), dans la
# requête de la page : un tableau JSON par ligne au lieu d'une requête de préchargement
# (décision 91). Les objets sont refaits par `places_de`, comme le ferait `Prefetch`.
PLACES = ArraySubquery(
    Affectation.objects.filter(dossier=OuterRef("pk"))
    .order_by("role", "pk")
    .values(
        json=JSONObject(
            id="pk",
            role="role",
            professionnel_id="professionnel_id",
            date_fin="date_fin",
            nom="professionnel__nom",
            prenom="professionnel__prenom",
        )
    )
)


def pour_affichage(dossiers):
    """Tout ce qu'une ligne affiche, en deux requêtes (compte et page) quelle que soit la
    page : les places du dossier viennent avec la ligne (`places_de`)."""
    return (
        dossiers.select_related("demandeur", "agence", "territoire")
        .only(*COLONNES_LIGNE)
        # Suivi du parcours : indicateurs calculés dans la même requête (sous-requêtes).
        .annotate(
            action_en_retard=action_en_retard_existe(),
            prochain_rdv=prochain_rendez_vous(),
            places=PLACES,
        )
    )


def places_de(dossier) -> list[Affectation]:
    """Les affectations d'une ligne de `pour_affichage`, rangées comme un préchargement :
    `perms.niveau_acces()` et le gabarit s'en servent sans requête de plus."""
    places = [
        Affectation(
            id=place["id"],
            dossier_id=dossier.pk,
            role=place["role"],
            professionnel=User(
                id=place["professionnel_id"], nom=place["nom"], prenom=place["prenom"]
            ),
            date_fin=dt.date.fromisoformat(place["date_fin"]) if place["date_fin"] else None,
        )
        for place in dossier.places or []
    ]
    dossier._prefetched_objects_cache = {"affectations": places}
    return places


__all__ = [
    "charges_des_professionnels",  # définie avec le parcours, réutilisée par les prescriptions
    "dossiers_du_portefeuille",
    "places_de",
    "pour_affichage",
]
