"""Listes de dossiers : mon portefeuille, les dossiers du département, les charges des
professionnels. Lectures seules, toujours à partir d'un queryset restreint au rattachement
courant ; un nombre de requêtes SQL constant quelle que soit la taille de la page."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import Role
from accompagnement.pagination_bornee import PaginateurBorne
from accompagnement.vues import rendre_avec_htmx
from dossiers.models import (
    Axe,
    Dossier,
    RoleAffectation,
)
from dossiers.parcours import perms as perms_parcours
from dossiers.portefeuilles import perms
from dossiers.portefeuilles.filters import ChargesFilter, DossierFilter
from dossiers.portefeuilles.lectures import (
    charges_des_professionnels,
    dossiers_du_portefeuille,
    places_de,
    pour_affichage,
)

PAR_PAGE = 25
PAR_PAGE_CHARGES = 50
# Un conseiller dédié suit en général 70 à 100 personnes : au-delà, la ligne est signalée.
SEUIL_CHARGE = 100

AXES_COURTS = {valeur: libelle.split(" — ", 1)[-1] for valeur, libelle in Axe.choices}
PLACES_COURTES = {
    RoleAffectation.CONSEILLER: "conseiller",
    RoleAffectation.CONSEILLER_DEDIE: "conseiller dédié",
    RoleAffectation.TRAVAILLEUR_SOCIAL: "travailleur social",
    RoleAffectation.REFERENT_SOCIAL: "référent social",
}
BINOME = {RoleAffectation.CONSEILLER_DEDIE, RoleAffectation.TRAVAILLEUR_SOCIAL}
COLONNES_CHARGES = [
    ("nom", "Professionnel"),
    ("conseiller", "Conseiller (axe 1)"),
    ("conseiller_dedie", "Conseiller dédié (axe 2)"),
    ("travailleur_social", "Travailleur social (axe 2)"),
    ("referent_social", "Référent social (axe 3)"),
    ("total", "Total"),
]


# --- Lectures ---------------------------------------------------------------------------


# Lien de la fiche : une seule résolution d'URL par page, la clé substituée ligne à ligne.
UUID_MODELE = uuid.UUID(int=0)


def _preparer_lignes(page, membership) -> None:
    aujourd_hui = timezone.localdate()
    lien_modele = reverse("dossiers:dossier", args=[UUID_MODELE])
    for dossier in page:
        dossier.lien_fiche = lien_modele.replace(str(UUID_MODELE), str(dossier.uuid))
        places = places_de(dossier)
        niveau = perms_parcours.niveau_acces(membership, dossier)
        dossier.complet = niveau == perms_parcours.Niveau.COMPLET
        dossier.referents = [a for a in places if a.date_fin is None]
        for affectation in dossier.referents:
            affectation.place_courte = PLACES_COURTES[affectation.role]
        places = {a.role for a in dossier.referents}
        dossier.binome_incomplet = (
            dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL and not places >= BINOME
        )
        dossier.axe_court = AXES_COURTS.get(dossier.axe_courant, "")
        dossier.jours_inactivite = (
            aujourd_hui - timezone.localdate(dossier.derniere_activite)
        ).days


def _entetes_tri(courant: str) -> list[dict]:
    entetes = []
    for cle, libelle in COLONNES_CHARGES:
        tri = "none"
        if courant == cle:
            tri = "ascending"
        elif courant == f"-{cle}":
            tri = "descending"
        # Premier clic : les chiffres du plus grand au plus petit, les noms de A à Z.
        suivant = cle if (tri == "descending" or (cle == "nom" and tri == "none")) else f"-{cle}"
        entetes.append({"cle": cle, "libelle": libelle, "aria_sort": tri, "suivant": suivant})
    return entetes


def _liste(request, dossiers, gabarit: str, message_vide: str, nom: str):
    audit.tracer_recherche(request, nom)
    # Filtres et tri sur le queryset nu ; les annotations de `pour_affichage` ne portent
    # que sur les 25 lignes de la page (clés d'abord), le compte s'arrête au plafond.
    filtre = DossierFilter(request.GET, queryset=dossiers, request=request)
    paginateur = PaginateurBorne(filtre.qs, PAR_PAGE, habiller=pour_affichage)
    page = paginateur.get_page(request.GET.get("page"))
    _preparer_lignes(page, request.membership)
    contexte = {"filtre": filtre, "page": page, "message_vide": message_vide}
    return rendre_avec_htmx(
        request, gabarit, "dossiers/portefeuilles/_liste_resultats.html", contexte
    )


# --- Vues -------------------------------------------------------------------------------


@membership_requis
def portefeuille(request):
    membership = request.membership
    if membership.role == Role.ANIMATRICE:
        suite = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("dossiers:liste") + suite)
    if not perms.peut_voir_portefeuille(membership):
        raise PermissionDenied
    return _liste(
        request,
        dossiers_du_portefeuille(membership),
        "dossiers/portefeuilles/portefeuille.html",
        "Votre portefeuille est vide pour le moment : aucun dossier ouvert ne vous est confié.",
        "portefeuille",
    )


@membership_requis
def liste(request):
    if not perms.peut_voir_liste_departement(request.membership):
        raise PermissionDenied
    return _liste(
        request,
        Dossier.objects.visibles_par(request.membership),
        "dossiers/portefeuilles/liste.html",
        "Aucun dossier dans le département pour le moment.",
        "departement",
    )


@membership_requis
def charges(request):
    if not perms.peut_voir_charges(request.membership):
        raise PermissionDenied
    audit.tracer_recherche(request, "charges")
    filtre = ChargesFilter(
        request.GET, queryset=charges_des_professionnels(request.departement), request=request
    )
    page = Paginator(filtre.qs, PAR_PAGE_CHARGES).get_page(request.GET.get("page"))
    contexte = {
        "filtre": filtre,
        "page": page,
        "entetes": _entetes_tri(request.GET.get("o", "")),
        "seuil": SEUIL_CHARGE,
    }
    return rendre_avec_htmx(
        request,
        "dossiers/portefeuilles/charges.html",
        "dossiers/portefeuilles/_charges_resultats.html",
        contexte,
    )
