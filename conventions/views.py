"""Base de ressources sociales : annuaire et recherche, fiches, services à vérifier,
import d'un fichier data·inclusion, saisie des ressources locales.

Lectures toujours restreintes au département courant (une ressource d'un autre
département : 404) ; droits dans conventions/perms.py ; écritures par
conventions/services.py et conventions/imports.py."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ConflitEdition, ErreurMetier
from accompagnement.models import ActionAudit
from accompagnement.vues import rendre_avec_htmx

from . import datainclusion as di
from . import lectures, perms, services
from .filters import RessourceFilter
from .forms import DepotForm, ServiceForm, StructureForm
from .imports import analyser, appliquer
from .models import (
    AxeConvention,
    Convention,
    DocumentSigne,
    NatureMoyen,
    ServiceRessource,
    StructureRessource,
)

PAR_PAGE = 20
SESSION_RAPPORT = "import_ressources_rapport"


def _exige(droit):
    """Rattachement courant exigé, puis le droit donné (sinon 403)."""

    def decorateur(view):
        @membership_requis
        @wraps(view)
        def _wrapped(request, *args, **kwargs):
            if not droit(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _wrapped

    return decorateur


def _services(request):
    return ServiceRessource.objects.du_departement(request.departement)


def _structures(request):
    return StructureRessource.objects.du_departement(request.departement)


def _zone_lisible(codes: list[str], communes: dict[str, str]) -> list[str]:
    lisibles = []
    for code in codes:
        if code in di.FRANCE:
            lisibles.append("Toute la France")
        elif len(code) in (2, 3):
            lisibles.append(f"Tout le département ({code})")
        elif len(code) == 9:
            lisibles.append(f"Intercommunalité {code}")
        else:
            lisibles.append(f"{communes[code]} ({code})" if code in communes else code)
    return lisibles


# --- Annuaire et fiches -----------------------------------------------------------------------


@_exige(perms.peut_voir_ressources)
def annuaire(request):
    services_actifs = _services(request).filter(actif=True).select_related("structure")
    filtre = RessourceFilter(request.GET, queryset=services_actifs, request=request)
    page = Paginator(filtre.qs, PAR_PAGE).get_page(request.GET.get("page"))
    contexte = {
        "filtre": filtre,
        "page": page,
        "peut_gerer": perms.peut_gerer_ressources(request.membership),
    }
    return rendre_avec_htmx(
        request,
        "conventions/annuaire.html",
        "conventions/includes/_annuaire_resultats.html",
        contexte,
    )


@_exige(perms.peut_voir_ressources)
def service(request, uuid):
    objet = get_object_or_404(_services(request).select_related("structure"), uuid=uuid)
    communes = dict(
        _services(request)
        .filter(code_insee__in=objet.zone_eligibilite)
        .order_by()  # sans le tri par nom du modèle, que DISTINCT ajouterait
        .values_list("code_insee", "commune")
        .distinct()
    )
    contexte = {
        "service": objet,
        "structure": objet.structure,
        "zone": _zone_lisible(objet.zone_eligibilite, communes),
        "peut_modifier": perms.peut_modifier_ressource(request.membership, objet),
    }
    return render(request, "conventions/service.html", contexte)


@_exige(perms.peut_voir_ressources)
def structure(request, uuid):
    objet = get_object_or_404(_structures(request), uuid=uuid)
    contexte = {
        "structure": objet,
        "services": objet.services.filter(actif=True).order_by("nom", "pk"),
        "peut_modifier": perms.peut_modifier_ressource(request.membership, objet),
        "peut_gerer": perms.peut_gerer_ressources(request.membership),
    }
    return render(request, "conventions/structure.html", contexte)


@_exige(perms.peut_voir_a_verifier)
def a_verifier(request):
    anciens = (
        _services(request)
        .filter(actif=True)
        .a_verifier()
        .select_related("structure")
        .order_by("date_maj", "nom", "pk")
    )
    page = Paginator(anciens, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "conventions/a_verifier.html", {"page": page})


# --- Import -----------------------------------------------------------------------------------


@_exige(perms.peut_gerer_ressources)
def import_depot(request):
    form = DepotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            analyse = analyser(form.lot, departement=request.departement)
            rapport = appliquer(
                analyse,
                par=request.user,
                accepter_partiel=form.cleaned_data["accepter_partiel"],
            )
        except ErreurMetier as exc:
            messages.error(request, exc.message)
        else:
            request.session[SESSION_RAPPORT] = rapport.en_session(request.departement.pk)
            return redirect("conventions:import_rapport")
    return render(request, "conventions/import_depot.html", {"form": form})


@_exige(perms.peut_gerer_ressources)
def import_rapport(request):
    rapport = request.session.get(SESSION_RAPPORT)
    if not rapport or rapport["departement"] != request.departement.pk:
        messages.info(request, "Aucun import récent : déposez un fichier.")
        return redirect("conventions:import")
    return render(request, "conventions/import_rapport.html", {"rapport": rapport})


# --- Ressources locales -----------------------------------------------------------------------


def _enregistrer(request, form, ecrire, gabarit: str, contexte: dict):
    """Formulaire valide → écriture par le service ; refus métier → message."""
    statut = 200
    if request.method == "POST" and form.is_valid():
        try:
            objet = ecrire(form)
        except ErreurMetier as exc:
            form.add_error(None, exc.message)
            # Modifiée par quelqu'un d'autre pendant la saisie : 409, saisie conservée.
            statut = 409 if isinstance(exc, ConflitEdition) else 200
        else:
            messages.success(request, f"« {objet.nom} » est enregistré dans la base.")
            vue = "service" if isinstance(objet, ServiceRessource) else "structure"
            return redirect(f"conventions:{vue}", uuid=objet.uuid)
    return render(request, gabarit, {"form": form, **contexte}, status=statut)


@_exige(perms.peut_gerer_ressources)
def structure_creer(request):
    form = StructureForm(request.POST or None)
    return _enregistrer(
        request,
        form,
        lambda f: services.creer_structure_locale(
            departement=request.departement, donnees=f.donnees(), par=request.user
        ),
        "conventions/formulaire.html",
        {"titre": "Nouvelle structure locale"},
    )


@_exige(perms.peut_gerer_ressources)
def structure_modifier(request, uuid):
    objet = get_object_or_404(_structures(request), uuid=uuid)
    if not perms.peut_modifier_ressource(request.membership, objet):
        raise PermissionDenied
    form = StructureForm(request.POST or None, instance=objet)
    return _enregistrer(
        request,
        form,
        lambda f: services.modifier_structure_locale(
            structure=objet,
            donnees=f.donnees(),
            par=request.user,
            empreinte_lue=f.cleaned_data.get("empreinte"),
        ),
        "conventions/formulaire.html",
        {"titre": f"Modifier « {objet.nom} »", "retour": objet},
    )


@_exige(perms.peut_gerer_ressources)
def service_creer(request):
    initial = {"structure": request.GET.get("structure")} if request.GET.get("structure") else {}
    form = ServiceForm(request.POST or None, departement=request.departement, initial=initial)
    return _enregistrer(
        request,
        form,
        lambda f: services.creer_service_local(
            structure=f.cleaned_data["structure"], donnees=f.donnees(), par=request.user
        ),
        "conventions/formulaire.html",
        {"titre": "Nouveau service local", "service": True},
    )


@_exige(perms.peut_gerer_ressources)
def service_modifier(request, uuid):
    objet = get_object_or_404(_services(request).select_related("structure"), uuid=uuid)
    if not perms.peut_modifier_ressource(request.membership, objet):
        raise PermissionDenied
    form = ServiceForm(request.POST or None, departement=request.departement, instance=objet)
    return _enregistrer(
        request,
        form,
        lambda f: services.modifier_service_local(
            service=objet,
            structure=f.cleaned_data["structure"],
            donnees=f.donnees(),
            par=request.user,
            empreinte_lue=f.cleaned_data.get("empreinte"),
        ),
        "conventions/formulaire.html",
        {"titre": f"Modifier « {objet.nom} »", "retour": objet, "service": True},
    )


@require_POST
@_exige(perms.peut_gerer_ressources)
def service_confirmer(request, uuid):
    objet = get_object_or_404(_services(request), uuid=uuid)
    if not perms.peut_modifier_ressource(request.membership, objet):
        raise PermissionDenied
    services.confirmer_a_jour(service=objet, par=request.user)
    messages.success(request, f"« {objet.nom} » est marqué comme vérifié aujourd'hui.")
    if request.POST.get("suite") == "liste":
        return redirect("conventions:a_verifier")
    return redirect("conventions:service", uuid=objet.uuid)


# --- Conventions de partenariat -----------------------------------------------------------------


class DateVersionForm(forms.Form):
    date = forms.DateField(
        label="Version en vigueur le",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"}),
        error_messages={"invalid": "Saisissez une date au format jj/mm/aaaa."},
    )


@_exige(perms.peut_voir_conventions)
def conventions_liste(request):
    conventions = lectures.conventions_du_departement(request.departement)
    return render(request, "conventions/conventions.html", {"conventions": conventions})


@_exige(perms.peut_voir_conventions)
def convention(request, uuid):
    objet = lectures.convention_detaillee(request.departement, uuid)
    formulaire = DateVersionForm(request.GET or None)
    date = timezone.localdate()
    if formulaire.is_valid() and formulaire.cleaned_data["date"]:
        date = formulaire.cleaned_data["date"]
    avenants = list(objet.avenants.all())
    for avenant in avenants:
        avenant.champs_modifies = [
            "moyens" if champ == "moyens" else str(Convention._meta.get_field(champ).verbose_name)
            for champ in avenant.changements
        ]
    version = lectures.version_en_vigueur(objet, date, avenants=avenants)
    axes = dict(AxeConvention.choices)
    contexte = {
        "convention": objet,
        "formulaire": formulaire,
        "date": date,
        "version": version,
        "axes": [axes.get(a, a) for a in version["axes"]],
        "postes": [m for m in version["moyens"] if m["nature"] == NatureMoyen.POSTE],
        "financements": [m for m in version["moyens"] if m["nature"] == NatureMoyen.FINANCEMENT],
        "avenants": avenants,
        "avant_effet": objet.date_effet is None or date < objet.date_effet,
        "documents": objet.documents_signes.all(),
        # Le bloc des synthèses PDF est servi par le reporting (il lit son catalogue) et
        # chargé par htmx : ce module ne l'importe pas (décision 61).
        "peut_gerer": perms.peut_gerer_conventions(request.membership, objet.departement_id),
    }
    return render(request, "conventions/convention.html", contexte)


@_exige(perms.peut_voir_conventions)
def document_signe(request, uuid, document):
    """Seule porte vers un exemplaire signé : convention du département courant (404
    sinon), audit de chaque téléchargement, en-têtes qui empêchent le navigateur de
    l'interpréter (pièce jointe, nosniff, bac à sable)."""
    objet = get_object_or_404(
        DocumentSigne.objects.select_related("convention"),
        uuid=document,
        convention__uuid=uuid,
        convention__departement=request.departement,
    )
    try:
        contenu = default_storage.open(objet.chemin, "rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    audit.enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        objet=objet,
        departement=request.departement,
        details={"telechargement": True, "convention": str(objet.convention.uuid)},
    )
    reponse = FileResponse(
        contenu,
        as_attachment=True,
        filename=services.nom_de_telechargement(objet),
        content_type=objet.type_mime,
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reponse["Cache-Control"] = "private, no-store"
    return reponse
