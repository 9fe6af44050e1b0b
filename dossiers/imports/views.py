"""Import des demandeurs par l'animatrice : dépôt du fichier → correspondance des
colonnes → aperçu ligne à ligne → application (tout ou rien, ou partielle sur choix
explicite) → résumé.

Entre les étapes, le fichier reste sous MEDIA_ROOT/imports/<uuid> ; la session ne garde
que sa référence, le département et la correspondance choisie. L'aperçu est analysé une
fois puis relu de son résumé stocké (`apercu.py`) à chaque page."""

from dataclasses import asdict
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from dossiers.imports import apercu as apercus
from dossiers.imports import perms
from dossiers.imports.champs import CHAMPS, ErreurFichier, en_texte
from dossiers.imports.fichier import (
    DUREE_CONSERVATION,
    conserver_fichier,
    lire_fichier,
    purger_fichiers_anciens,
    relire_fichier,
    supprimer_fichier,
)
from dossiers.imports.forms import CorrespondanceForm, DepotForm
from dossiers.imports.services import (
    analyser,
    appliquer_import,
    enregistrer_correspondance,
    proposer_correspondance,
)

SESSION = "import_demandeurs"
SESSION_RESULTAT = "import_demandeurs_resultat"
LIGNES_PAR_PAGE = 100


class _AucunImport(Exception):
    """Pas de fichier en cours (jamais déposé, déjà appliqué ou purgé)."""


def _reserve_a_l_import(view):
    @membership_requis
    @wraps(view)
    def _wrapped(request, *args, **kwargs):
        if not perms.peut_importer_demandeurs(request.membership):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except _AucunImport:
            messages.info(request, "Aucun import en cours : déposez d'abord un fichier.")
            return redirect("dossiers:import")

    return _wrapped


def _etat(request) -> dict:
    """L'import en cours de la session. Un import commencé sous un autre département
    (changement de structure) n'est pas montré."""
    etat = request.session.get(SESSION)
    if not etat:
        raise _AucunImport
    if etat["departement"] != request.departement.pk:
        raise Http404("Cet import a été commencé pour un autre département.")
    return etat


def _en_cours(request):
    """L'import en cours de la session et son fichier relu."""
    etat = _etat(request)
    contenu = relire_fichier(etat["fichier"])
    if contenu is None:
        raise _AucunImport
    return etat, lire_fichier(contenu, etat["nom"])


def _oublier(request) -> None:
    etat = request.session.pop(SESSION, None)
    if etat:
        supprimer_fichier(etat.get("fichier"))
        apercus.supprimer(etat.get("fichier"))


def _exemples(tableau) -> dict[str, str]:
    exemples = {}
    for indice, entete in enumerate(tableau.entetes):
        valeurs = (en_texte(c[indice]) for _, c in tableau.lignes[:20] if indice < len(c))
        exemples[entete] = next((v[:30] for v in valeurs if v), "")
    return exemples


@_reserve_a_l_import
def depot(request):
    form = DepotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _oublier(request)
        purger_fichiers_anciens()
        apercus.purger_anciens(DUREE_CONSERVATION)
        request.session[SESSION] = {
            "fichier": conserver_fichier(form.contenu),
            "nom": form.cleaned_data["fichier"].name,
            "departement": request.departement.pk,
        }
        return redirect("dossiers:import_correspondance")
    return render(request, "dossiers/imports/depot.html", {"form": form, "etape": 1})


@_reserve_a_l_import
def correspondance(request):
    etat, tableau = _en_cours(request)
    initiale = etat.get("correspondance") or proposer_correspondance(
        tableau.entetes, request.departement
    )
    entetes = list(dict.fromkeys(e for e in tableau.entetes if e))
    form = CorrespondanceForm(
        request.POST or None, initial=initiale, entetes=entetes, exemples=_exemples(tableau)
    )
    if request.method == "POST" and form.is_valid():
        colonnes = form.correspondance()
        enregistrer_correspondance(
            departement=request.departement, colonnes=colonnes, par=request.membership
        )
        request.session[SESSION] = {**etat, "correspondance": colonnes}
        apercus.supprimer(etat["fichier"])  # nouvelle correspondance : nouvelle analyse
        return redirect("dossiers:import_apercu")
    contexte = {"form": form, "etape": 2, "nom_fichier": etat["nom"], "tableau": tableau}
    return render(request, "dossiers/imports/correspondance.html", contexte)


def _apercu_stocke(request, etat):
    """L'aperçu de ce fichier et de cette correspondance : relu s'il a déjà été analysé,
    sinon analysé (la seule fois) et stocké."""
    analyse = apercus.relire(etat["fichier"], etat["correspondance"])
    if analyse is None:
        _, tableau = _en_cours(request)
        analyse = apercus.resumer(
            analyser(
                tableau, departement=request.departement, correspondance=etat["correspondance"]
            )
        )
        apercus.conserver(etat["fichier"], analyse)
    return analyse


@_reserve_a_l_import
def apercu(request):
    etat = _etat(request)
    if not etat.get("correspondance"):
        return redirect("dossiers:import_correspondance")
    try:
        analyse = _apercu_stocke(request, etat)
    except ErreurFichier as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:import_correspondance")
    erreurs_seules = request.GET.get("erreurs") == "1"
    lignes = analyse.en_erreur if erreurs_seules else analyse.lignes
    page = Paginator(lignes, LIGNES_PAR_PAGE).get_page(request.GET.get("page"))
    colonnes = [(CHAMPS[c].libelle, e) for c, e in analyse.correspondance.items()]
    contexte = {"analyse": analyse, "page": page, "erreurs_seules": erreurs_seules}
    contexte |= {"etape": 3, "colonnes": colonnes}
    return render(request, "dossiers/imports/apercu.html", contexte)


@require_POST
@_reserve_a_l_import
def appliquer(request):
    etat, tableau = _en_cours(request)
    try:
        # Analyse refaite au moment d'écrire : les fiches ont pu changer depuis l'aperçu.
        analyse = analyser(
            tableau,
            departement=request.departement,
            correspondance=etat.get("correspondance") or {},
        )
        resume = appliquer_import(
            analyse=analyse,
            par=request.membership,
            accepter_partiel=request.POST.get("accepter_partiel") == "1",
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:import_apercu")
    _oublier(request)
    request.session[SESSION_RESULTAT] = {
        **asdict(resume),
        "nom": etat["nom"],
        "departement": request.departement.pk,
    }
    return redirect("dossiers:import_resultat")


@_reserve_a_l_import
def resultat(request):
    resume = request.session.get(SESSION_RESULTAT)
    if not resume or resume["departement"] != request.departement.pk:
        raise _AucunImport
    return render(request, "dossiers/imports/resultat.html", {"resume": resume, "etape": 4})


@require_POST
@_reserve_a_l_import
def abandonner(request):
    _oublier(request)
    messages.info(request, "Import abandonné : le fichier déposé a été supprimé.")
    return redirect("dossiers:import")
