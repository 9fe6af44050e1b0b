"""Lectures du parcours : le dossier tel que le rattachement courant peut le voir."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accompagnement.models import Membership, Role
from accompagnement.texte import requete_prefixe
from dossiers.models import (
    Action,
    Affectation,
    AideFinanciere,
    DecisionAide,
    DemandeChangementAxe,
    Demandeur,
    Dossier,
    PeriodeOrientation,
    RendezVous,
    RoleAffectation,
)
from dossiers.parcours import perms

# Rôles de rattachement qui peuvent tenir une place dans un dossier (binôme, référents).
ROLES_PROFESSIONNELS = (
    Role.CONSEILLER_DEDIE,
    Role.TRAVAILLEUR_SOCIAL,
    Role.CORRESPONDANT_INSERTION,
    Role.CONSEILLER,
)


def dossier_visible(request, uuid, *, lecture=perms.peut_voir_dossier) -> Dossier:
    """Le dossier désigné par l'URL, tel que le rattachement courant le voit, pour toutes
    les vues des dossiers, du diagnostic et du bilan : 404 hors du périmètre ou si le droit
    de lecture demandé (`lecture`, une fonction (membership, dossier) de `perms.py`) est
    refusé. Affectations, périodes et demandes sont préchargées : les droits se décident
    ensuite sans requête."""
    qs = (
        Dossier.objects.visibles_par(request.membership)
        .select_related("demandeur__agence", "agence", "territoire", "oriente_par")
        .prefetch_related(
            Prefetch(
                "affectations",
                Affectation.objects.select_related("professionnel", "structure", "affecte_par"),
            ),
            Prefetch(
                "periodes",
                PeriodeOrientation.objects.select_related(
                    "decide_par", "conseiller", "professionnel_social"
                ),
            ),
            Prefetch(
                "demandes_changement",
                DemandeChangementAxe.objects.select_related("demande_par", "decide_par"),
            ),
        )
    )
    dossier = get_object_or_404(qs, uuid=uuid)
    if not lecture(request.membership, dossier):
        raise Http404
    return dossier


def correspondants_du_territoire(dossier: Dossier) -> QuerySet[Membership]:
    """Les correspondants insertion actifs du territoire du dossier."""
    if dossier.territoire_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.actifs()
        .filter(
            role=Role.CORRESPONDANT_INSERTION,
            structure_id=dossier.territoire_id,
            user__is_active=True,
        )
        .select_related("user", "structure")
        .order_by("user__nom", "user__prenom")
    )


def _places_ouvertes_tenues(role: str) -> Coalesce:
    """Le nombre de places `role` ouvertes que le professionnel de la ligne tient au titre
    de sa structure : une sous-requête corrélée, servie par l'index partiel des
    affectations ouvertes (professionnel, structure, place) sans lire les fermées."""
    compte = (
        Affectation.objects.ouvertes()
        .filter(professionnel=OuterRef("user_id"), structure=OuterRef("structure_id"), role=role)
        .order_by()
        .values("professionnel")
        .annotate(n=Count("professionnel"))
        .values("n")
    )
    return Coalesce(Subquery(compte, output_field=IntegerField()), 0)


def charges_des_professionnels(departement, roles=ROLES_PROFESSIONNELS):
    """Une ligne par rattachement actif d'un professionnel du département, avec le nombre
    de places ouvertes qu'il tient au titre de cette structure : une seule requête.
    Page « Charges » et désignation d'un travailleur social (prescriptions).

    Chaque compte est une sous-requête sur les seules affectations ouvertes (et non une
    jointure de toutes les affectations, fermées comprises, avant le GROUP BY) ; le total
    est leur somme. Sans jointure ni GROUP BY, le compte des lignes (pagination) ne lit
    que les rattachements."""
    par_place = {place: _places_ouvertes_tenues(place) for place in RoleAffectation.values}
    total = sum((F(place) for place in RoleAffectation.values[1:]), F(RoleAffectation.values[0]))
    return (
        Membership.objects.actifs()
        .filter(
            structure__departement=departement,
            role__in=roles,
            user__is_active=True,
        )
        .select_related("user", "structure")
        .annotate(**par_place)
        .annotate(total=total)
        .order_by("user__nom", "user__prenom", "structure__nom", "pk")
    )


def en_cours_a_la_cloture(dossier: Dossier) -> dict:
    """Ce qu'une clôture laisserait en suspens : actions ouvertes, aides en attente de
    décision, rendez-vous à venir (trois requêtes). L'intitulé d'une action d'un domaine
    sensible n'est pas lu ici : la page de clôture le masque."""
    actions = list(
        Action.objects.filter(dossier=dossier)
        .non_terminees()
        .select_related("objectif", "responsable")
        .order_by("date_fin_prevue", "pk")
    )
    aides = list(
        AideFinanciere.objects.filter(dossier=dossier, decision=DecisionAide.EN_ATTENTE).order_by(
            "date_demande", "pk"
        )
    )
    rendez_vous = list(RendezVous.objects.filter(dossier=dossier).a_venir().order_by("debut"))
    return {
        "actions": actions,
        "aides": aides,
        "rendez_vous": rendez_vous,
        "total": len(actions) + len(aides) + len(rendez_vous),
    }


# --- Personnes sans dossier ----------------------------------------------------------------


def personnes_sans_dossier(membership: Membership | None, texte: str = "") -> QuerySet[Demandeur]:
    """Les personnes enregistrées (souvent importées) qui n'ont aucun dossier, dans le
    périmètre du lecteur : l'animatrice, tout le département ; un conseiller ou un conseiller
    dédié, les personnes de son agence ; un travailleur social ou un correspondant
    insertion, celles qui habitent une commune où son territoire suit déjà des dossiers ;
    l'administrateur, personne. Recherche par nom (préfixes, accents ignorés)."""
    if membership is None or membership.role == Role.ADMINISTRATEUR:
        return Demandeur.objects.none()
    qs = Demandeur.objects.filter(departement_id=membership.structure.departement_id).exclude(
        Exists(Dossier.objects.filter(demandeur=OuterRef("pk")))
    )
    role, structure = membership.role, membership.structure
    if role in (Role.CONSEILLER, Role.CONSEILLER_DEDIE):
        qs = qs.filter(agence=structure)
    elif role in (Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION):
        communes = (
            Dossier.objects.filter(territoire=structure)
            .exclude(demandeur__code_commune="")
            .values("demandeur__code_commune")
        )
        qs = qs.filter(code_commune__in=communes)
    elif role != Role.ANIMATRICE:
        return Demandeur.objects.none()
    if requete := requete_prefixe(texte):
        qs = qs.filter(recherche=SearchQuery(requete, search_type="raw", config="simple"))
    return qs.select_related("agence").order_by("-cree_le", "nom", "prenom", "pk")


def personne_a_ouvrir(membership: Membership, uuid) -> Demandeur:
    """La personne à qui ouvrir un dossier : de son département, sans dossier ouvert (404
    sinon). Plus large que la liste : « Nouvelle personne » y mène aussi quand la personne
    existe déjà sans que personne ne la suive."""
    qs = Demandeur.objects.filter(departement_id=membership.structure.departement_id).exclude(
        Exists(Dossier.objects.filter(demandeur=OuterRef("pk")).ouverts())
    )
    return get_object_or_404(qs, uuid=uuid)


def qui_suit(demandeur: Demandeur) -> list[str]:
    """Qui suit la personne aujourd'hui : les professionnels qui tiennent une place ouverte
    dans son dossier ouvert (« Nom, place, structure »). Vide si personne ne la suit."""
    affectations = (
        Affectation.objects.ouvertes()
        .filter(dossier__in=Dossier.objects.filter(demandeur=demandeur).ouverts())
        .select_related("professionnel", "structure")
        .order_by("role", "pk")
    )
    return [
        f"{a.professionnel.get_full_name()} ({a.get_role_display().lower()}, {a.structure.nom})"
        for a in affectations
    ]
