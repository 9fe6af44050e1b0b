"""Pages des comités techniques : liste des séances, création, page de séance (ordre du
jour, participants, décisions), compte rendu PDF, signalement depuis la fiche d'un dossier.
Lectures par comites/lectures.py, droits par comites/perms.py, écritures par
comites/services.py."""

from __future__ import annotations

import uuid as uuid_module

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import ActionAudit
from accompagnement.pagination_bornee import PLAFOND, nombre_lisible
from accompagnement.pdf import rendre_pdf
from accompagnement.vues import donnees_post, exiger, page_action
from dossiers.parcours.lectures import dossier_visible

from . import lectures, perms, services
from .forms import DecisionForm, ParticipantForm, SeanceForm, SignalementForm
from .models import PLAFOND_POINTS_SEANCE, EtatSeance

PAR_PAGE = 20


def _vers_seance(seance) -> str:
    return reverse("comites:seance", args=[seance.uuid])


def _executer(request, retour, fonction, succes: str, **arguments):
    """Un POST sans formulaire : service, message, retour à la séance (refus : message)."""
    try:
        fonction(par=request.membership, **arguments)
    except AccesRefuse as refus:
        messages.error(request, refus.message)
    except ErreurMetier as erreur:
        messages.error(request, erreur.message)
    else:
        messages.success(request, succes)
    return redirect(_vers_seance(retour))


@membership_requis
def seances(request):
    exiger(perms.peut_voir_comites(request.membership))
    page = Paginator(lectures.seances_visibles(request.membership), PAR_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "comites/seances.html",
        {
            "page": page,
            "peut_gerer": perms.peut_gerer_comites(request.membership),
            "maintenant": timezone.now(),
        },
    )


@membership_requis
def creer(request):
    exiger(perms.peut_gerer_comites(request.membership))
    form = SeanceForm(donnees_post(request), departement=request.departement)
    return page_action(
        request,
        form,
        gabarit="comites/action.html",
        titre="Nouvelle séance de comité technique",
        bouton="Créer la séance",
        executer=lambda d: services.creer_seance(par=request.membership, **d),
        succes="Séance créée : composez son ordre du jour.",
        suite=_vers_seance,
    )


@membership_requis
def seance(request, uuid):
    seance = lectures.seance_visible(request, uuid)
    gere = perms.peut_gerer_seance(request.membership, seance)
    texte = request.GET.get("q", "").strip()
    points = lectures.points_de_la_seance(seance, request.membership)
    _adresser(points)
    contexte = {
        "seance": seance,
        "points": points,
        "peut_gerer": gere,
        "modifiable": gere and seance.modifiable,
        "peut_decider": gere and seance.etat != EtatSeance.COMPTE_RENDU_DIFFUSE,
        "q": texte,
        "a_ajouter": list(lectures.dossiers_a_ajouter(seance, request.membership, texte)[:10])
        if gere and seance.modifiable and texte
        else [],
    }
    return render(request, "comites/seance.html", contexte)


_CLE_MODELE = uuid_module.UUID(int=0)
_ACTIONS_D_UN_POINT = {
    "adresse_deplacer": "comites:deplacer_point",
    "adresse_retirer": "comites:retirer_point",
    "adresse_decision": "comites:decision",
}


def _adresser(points) -> None:
    """Les adresses des actions de chaque point, par un seul `reverse` par action (un
    `{% url %}` par point et par bouton pesait ~15 % du rendu de la page, décision 89)."""
    for attribut, nom in _ACTIONS_D_UN_POINT.items():
        modele = reverse(nom, args=[_CLE_MODELE])
        for point, _ in points:
            setattr(point, attribut, modele.replace(str(_CLE_MODELE), str(point.uuid)))


def _seance_geree(request, uuid):
    seance = lectures.seance_visible(request, uuid)
    exiger(perms.peut_gerer_seance(request.membership, seance))
    return seance


@require_POST
@membership_requis
def composer(request, uuid):
    seance = _seance_geree(request, uuid)
    try:
        composition = services.composer_ordre_du_jour(seance=seance, par=request.membership)
    except ErreurMetier as erreur:
        messages.error(request, erreur.message)
    else:
        messages.success(request, message_composition(composition))
    return redirect(_vers_seance(seance))


def _restent(nombre: int, nom: str) -> str:
    """« 10 687 autres restent », « 1 autre reste », « plus de 10 000 dossiers restent »."""
    if nombre > PLAFOND:
        return f"plus de {nombre_lisible(PLAFOND)} {nom}s restent"
    if nombre > 1:
        return f"{nombre_lisible(nombre)} {nom}s restent"
    return f"1 {nom} reste"


def message_composition(composition: services.Composition) -> str:
    """Combien de dossiers la composition a ajoutés, combien attendent dans les files."""
    n, reste = len(composition.points), composition.en_attente
    if not n:
        if reste and composition.plafond_atteint:
            return (
                f"L'ordre du jour a atteint le plafond de {PLAFOND_POINTS_SEANCE} points par "
                f"séance : {_restent(reste, 'dossier')} dans les files, à composer pour une "
                "prochaine séance."
            )
        return "Les files ne proposent aucun nouveau dossier."
    ajoutes = f"{n} dossier{'s' if n > 1 else ''} ajouté{'s' if n > 1 else ''} depuis les files"
    if not reste:
        return f"{ajoutes} ; les files n'en proposent pas d'autre."
    if composition.plafond_atteint:
        return (
            f"{ajoutes} ; {_restent(reste, 'autre')} dans les files, à composer pour une "
            f"prochaine séance ({PLAFOND_POINTS_SEANCE} points au plus par séance)."
        )
    return (
        f"{ajoutes} ; {_restent(reste, 'autre')} dans les files : recomposer en ajoute "
        f"d'autres, jusqu'à {PLAFOND_POINTS_SEANCE} points par séance."
    )


@require_POST
@membership_requis
def ajouter_point(request, uuid):
    seance = _seance_geree(request, uuid)
    try:
        cle = uuid_module.UUID(request.POST.get("dossier", ""))
    except ValueError:
        raise Http404 from None
    dossier = dossier_visible(request, cle)
    return _executer(
        request,
        seance,
        services.ajouter_point,
        f"Dossier de {dossier.demandeur} ajouté à l'ordre du jour.",
        seance=seance,
        dossier=dossier,
    )


@require_POST
@membership_requis
def retirer_point(request, uuid):
    point = lectures.point_visible(request, uuid)
    return _executer(
        request,
        point.seance,
        services.retirer_point,
        f"Dossier de {point.dossier.demandeur} retiré de l'ordre du jour.",
        point=point,
    )


@require_POST
@membership_requis
def deplacer_point(request, uuid):
    point = lectures.point_visible(request, uuid)
    return _executer(
        request,
        point.seance,
        services.deplacer_point,
        "Ordre du jour réordonné.",
        point=point,
        vers_le_haut=request.POST.get("sens") == "haut",
    )


@membership_requis
def participants(request, uuid):
    seance = _seance_geree(request, uuid)
    form = ParticipantForm(
        donnees_post(request), professionnels=lectures.professionnels_du_departement(seance)
    )
    return page_action(
        request,
        form,
        gabarit="comites/action.html",
        titre="Ajouter un participant",
        intro=str(seance),
        bouton="Ajouter",
        executer=lambda d: services.ajouter_participant(seance=seance, par=request.membership, **d),
        succes="Participant ajouté.",
        suite=_vers_seance(seance),
        seance=seance,
    )


@require_POST
@membership_requis
def envoyer(request, uuid):
    seance = _seance_geree(request, uuid)
    return _executer(
        request,
        seance,
        services.envoyer_ordre_du_jour,
        "Ordre du jour envoyé aux participants.",
        seance=seance,
    )


@require_POST
@membership_requis
def presences(request, uuid):
    seance = _seance_geree(request, uuid)
    presents = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    return _executer(
        request,
        seance,
        services.noter_presences,
        "Présences enregistrées : la séance est tenue.",
        seance=seance,
        presents=presents,
    )


@membership_requis
def decision(request, uuid):
    point = lectures.point_visible(request, uuid)
    seance = point.seance
    form = DecisionForm(
        donnees_post(request), professionnels=lectures.professionnels_du_departement(seance)
    )

    def executer(d):
        responsable = d.pop("responsable")
        return services.enregistrer_decision(
            point=point,
            par=request.membership,
            responsable=responsable.user if responsable else None,
            **d,
        )

    return page_action(
        request,
        form,
        gabarit="comites/action.html",
        titre=f"Décision du comité — {point.dossier.demandeur}",
        intro=f"{point.get_motif_display()}. La décision s'applique au dossier en même temps "
        "qu'elle s'enregistre ; si le dossier la refuse, rien n'est enregistré.",
        bouton="Enregistrer la décision",
        executer=executer,
        succes=f"Décision enregistrée et appliquée au dossier de {point.dossier.demandeur}.",
        suite=_vers_seance(seance) + f"#point-{point.uuid}",
        seance=seance,
    )


@require_POST
@membership_requis
def diffuser(request, uuid):
    seance = _seance_geree(request, uuid)
    return _executer(
        request,
        seance,
        services.diffuser_compte_rendu,
        "Compte rendu diffusé aux participants.",
        seance=seance,
    )


@membership_requis
def compte_rendu(request, uuid):
    """Le compte rendu tel que le lecteur a le droit de le lire (besoin d'en connaître)."""
    seance = lectures.seance_visible(request, uuid)
    contexte = {
        "seance": seance,
        "points": lectures.points_de_la_seance(seance, request.membership),
        "lecteur": request.membership,
        "genere_le": timezone.now(),
    }
    contenu = rendre_pdf(
        "pdf/compte_rendu_comite.html", contexte, base_url=settings.BASE_DIR / "static"
    )
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=seance,
        departement=seance.departement,
        details={"document": "compte rendu de comité"},
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    debut = timezone.localtime(seance.debut)
    nom = slugify(f"compte rendu comite {debut:%Y-%m-%d}")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.pdf"'
    return reponse


@membership_requis
def signaler(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_signaler(request.membership, dossier))
    form = SignalementForm(donnees_post(request))
    return page_action(
        request,
        form,
        gabarit="comites/signaler.html",
        titre=f"À présenter en comité — {dossier.demandeur}",
        intro="Le dossier sera proposé à l'ordre du jour du prochain comité technique.",
        bouton="Signaler au comité",
        executer=lambda d: services.signaler(dossier=dossier, par=request.membership, **d),
        succes="Dossier signalé : il sera proposé au prochain comité.",
        suite=reverse("dossiers:dossier", args=[dossier.uuid]),
        dossier=dossier,
    )
