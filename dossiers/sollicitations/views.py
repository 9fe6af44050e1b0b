"""Sollicitations de ressources sociales (axe 1) : choix d'un service depuis un dossier,
formulaire, étapes (envoi, étude, réponse, réalisation, relance), file du correspondant
et page publique de réponse du partenaire (lien signé, sans compte)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit
from accompagnement.pagination_bornee import PaginateurBorne
from accompagnement.referentiels import DOMAINES_SENSIBLES, DomaineFrein
from accompagnement.vues import donnees_post, exiger, rendre_avec_htmx, traiter_formulaire
from conventions.models import ServiceRessource
from dossiers.models import STATUTS_EN_ATTENTE, Affectation, Sollicitation
from dossiers.models import StatutSollicitation as S
from dossiers.parcours import perms as perms_parcours
from dossiers.parcours.lectures import dossier_visible
from dossiers.sollicitations import lectures as lectures_sollicitations
from dossiers.sollicitations import partenaire as partenaire_sollicitations
from dossiers.sollicitations import perms
from dossiers.sollicitations import services as sollicitations
from dossiers.sollicitations.etapes import ETAPES, PAR_PAGE_FILE, PAR_PAGE_SERVICES, _url_base
from dossiers.sollicitations.forms import (
    A_TRAITER,
    ChoixServiceForm,
    FileFilter,
    ReponsePartenaireForm,
    SollicitationForm,
)
from dossiers.sollicitations.lectures import preparer_lignes


def _sollicitation(request, uuid) -> Sollicitation:
    qs = (
        Sollicitation.objects.visibles_par(request.membership)
        .pour_affichage()
        .prefetch_related(Prefetch("dossier__affectations", Affectation.objects.all()))
    )
    return get_object_or_404(qs, uuid=uuid)


def _suite(request, s: Sollicitation) -> str:
    suite = request.POST.get("suite") or request.GET.get("suite") or ""
    if suite and url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return suite
    if perms_parcours.peut_voir_dossier(request.membership, s.dossier):
        return reverse("dossiers:dossier", args=[s.dossier.uuid])
    return reverse("dossiers:sollicitations_a_traiter")


# --- Vues ---------------------------------------------------------------------------------


@membership_requis
def choisir(request, uuid):
    """Choisir le service à solliciter : ceux des domaines visés d'abord, recherche simple."""
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_solliciter(request.membership, dossier))
    form = ChoixServiceForm(request.GET)
    form.is_valid()
    termes = audit.termes_cherches(request)
    audit.tracer_lecture(
        request, dossier, page="choix_service", **({"recherche": termes} if termes else {})
    )
    donnees = getattr(form, "cleaned_data", {})
    domaine = donnees.get("domaine", "")
    domaines = [domaine] if domaine else lectures_sollicitations.domaines_prioritaires(dossier)
    if not domaine and not perms.peut_lire_domaine_sensible(request.membership):
        domaines = [d for d in domaines if d not in DOMAINES_SENSIBLES]  # santé : tu au côté FT
    services = lectures_sollicitations.services_proposes(
        departement=request.departement, domaines=domaines, texte=donnees.get("q", "")
    )
    page = Paginator(services, PAR_PAGE_SERVICES).get_page(request.GET.get("page"))
    libelles = dict(DomaineFrein.choices)
    for service in page:
        service.libelles_domaines = [libelles.get(d, d) for d in service.domaines]
    contexte = {
        "dossier": dossier,
        "form": form,
        "page": page,
        "domaine": domaine,
        "domaines_vises": [libelles[d] for d in domaines],
    }
    return rendre_avec_htmx(
        request,
        "dossiers/sollicitations/choix.html",
        "dossiers/sollicitations/_services.html",
        contexte,
    )


@membership_requis
def nouvelle(request, uuid, service):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_solliciter(request.membership, dossier))
    service = get_object_or_404(
        ServiceRessource.objects.filter(departement=request.departement, actif=True).select_related(
            "structure"
        ),
        uuid=service,
    )
    courriel = service.courriel or service.structure.courriel
    form = SollicitationForm(
        donnees_post(request),
        dossier=dossier,
        service=service,
        courriel_service=courriel,
        initial={"domaine": request.GET.get("domaine", "")},
    )
    envoyer = request.POST.get("action") == "envoyer"
    return traiter_formulaire(
        request,
        form,
        executer=lambda d: sollicitations.creer_sollicitation(
            dossier=dossier,
            service=service,
            par=request.membership,
            envoyer=envoyer,
            url_base=_url_base(request),
            **d,
        ),
        succes="Sollicitation envoyée." if envoyer else "Brouillon enregistré.",
        suite=reverse("dossiers:dossier", args=[dossier.uuid]),
        gabarit="dossiers/sollicitations/form.html",
        contexte={"dossier": dossier, "service": service, "courriel": courriel},
    )


@membership_requis
def etape(request, uuid, etape):
    """Une étape du workflow (table ETAPES) : droit (403), formulaire, service."""
    definition = ETAPES[etape]
    s = _sollicitation(request, uuid)
    exiger(definition.droit(request.membership, s))
    if request.method == "GET":
        audit.tracer_lecture(request, s, page=f"etape_{etape}", dossier=str(s.dossier.uuid))
    form = definition.formulaire(donnees_post(request), initial={"version": s.version})

    def page():
        preparer_lignes(request.membership, [s])
        return {"s": s, "etape": definition, "suite": _suite(request, s)}

    return traiter_formulaire(
        request,
        form,
        executer=lambda d: definition.executer(request, s, d),
        succes=definition.succes,
        suite=_suite(request, s),
        gabarit="dossiers/sollicitations/etape.html",
        contexte=page,
    )


def _pour_affichage(sollicitations):
    return sollicitations.pour_affichage().prefetch_related(
        Prefetch("dossier__affectations", Affectation.objects.all())
    )


@membership_requis
def a_traiter(request):
    """File du correspondant insertion (et de l'animatrice), par statut, paginée."""
    exiger(perms.peut_voir_file_sollicitations(request.membership))
    base = lectures_sollicitations.file_a_traiter(request.membership)
    filtre = FileFilter(request.GET, queryset=base, request=request)
    audit.tracer_recherche(request, "sollicitations")
    ordre = (
        ("echeance", "pk")
        if filtre.form.data.get("statut") == A_TRAITER
        else ("-envoyee_le", "-pk")
    )
    # Clés d'abord : les jointures de l'affichage ne portent que sur les lignes de la page.
    page = PaginateurBorne(
        filtre.qs.order_by(*ordre), PAR_PAGE_FILE, habiller=_pour_affichage
    ).get_page(request.GET.get("page"))
    preparer_lignes(request.membership, page)
    compteurs = dict(base.values_list("statut").annotate(n=Count("pk")).order_by())
    contexte = {
        "filtre": filtre,
        "page": page,
        "a_traiter": sum(compteurs.get(x, 0) for x in STATUTS_EN_ATTENTE),
        "compteurs": [(c, compteurs.get(c.value, 0)) for c in S if c != S.BROUILLON],
    }
    return rendre_avec_htmx(
        request, "dossiers/sollicitations/file.html", "dossiers/sollicitations/_file.html", contexte
    )


@login_not_required
@never_cache
def reponse_partenaire(request, jeton):
    """Page publique du lien signé : le partenaire lit l'essentiel et répond. Lien
    invalide (404), expiré ou remplacé par celui d'une relance (410) : une page claire en
    français qui ne montre rien de la sollicitation, rien ne change. Déjà traitée avant
    l'échéance : son état seulement (200)."""
    contexte: dict = {}
    try:
        s = partenaire_sollicitations.sollicitation_du_lien(jeton)
    except partenaire_sollicitations.LienPerime as erreur:
        titre = (
            "Lien remplacé"
            if isinstance(erreur, partenaire_sollicitations.LienRemplace)
            else "Lien expiré"
        )
        contexte.update(erreur=erreur.message, titre=titre)
        return _rendre_public(request, contexte, status=erreur.status)
    except partenaire_sollicitations.LienInvalide as erreur:
        contexte.update(erreur=erreur.message, titre="Lien non valide")
        return _rendre_public(request, contexte, status=erreur.status)
    contexte.update(
        s=s, personne=sollicitations.personne_abregee(s), titre=f"Sollicitation — {s.service.nom}"
    )
    if s.statut not in STATUTS_EN_ATTENTE:
        return _rendre_public(request, contexte)
    form = ReponsePartenaireForm(
        request.POST if request.method == "POST" else None, initial={"version": s.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _enregistrer_reponse_partenaire(s, form.cleaned_data)
        except ErreurMetier as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(request, "Merci : votre réponse est enregistrée et transmise.")
            return redirect(request.path)
    else:
        audit.enregistrer(
            action=ActionAudit.LECTURE, request=request, objet=s,
            departement=s.dossier.departement, details={"via": "lien signé du partenaire"},
        )  # fmt: skip
    contexte["form"] = form
    return _rendre_public(request, contexte, status=400 if form.errors else 200)


def _enregistrer_reponse_partenaire(s, donnees) -> None:
    commun = {"sollicitation": s, "par": None, "version": donnees["version"], "via_lien": True}
    if donnees["decision"] == "accepter":
        sollicitations.accepter(precisions=donnees["precisions"], **commun)
    else:
        sollicitations.refuser(motif=donnees["motif"], **commun)


def _rendre_public(request, contexte, status=200):
    reponse = render(request, "dossiers/sollicitations/reponse.html", contexte, status=status)
    reponse["X-Robots-Tag"] = "noindex, nofollow"
    return reponse
