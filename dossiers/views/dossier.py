"""Fiche d'un dossier et actions sur le parcours. Toute lecture part du périmètre du
rattachement courant (404 au-delà) ; chaque action vérifie son droit (403) puis appelle
un service (refus métier → message clair, saisie conservée)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit

from .. import forms, perms, services
from ..models import (
    Affectation,
    Axe,
    DemandeChangementAxe,
    Dossier,
    EvenementJournal,
    PeriodeOrientation,
    RoleAffectation,
    StatutDemande,
    TypeEvenement,
)


def _dossier(request, uuid) -> Dossier:
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
    if not perms.peut_voir_dossier(request.membership, dossier):
        raise Http404
    return dossier


def _donnees(request):
    """Données liées au formulaire seulement en POST (un POST vide reste un envoi)."""
    return request.POST if request.method == "POST" else None


def _exiger(autorise: bool) -> None:
    if not autorise:
        raise PermissionDenied


def _action(
    request, dossier, form, *, titre, intro, bouton, executer, succes, danger=False, suite=None
):
    """Schéma commun des actions : formulaire → service → retour à la fiche."""
    if request.method == "POST" and form.is_valid():
        try:
            executer(form.cleaned_data)
        except ErreurMetier as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(request, succes)
            return redirect(suite or reverse("dossiers:dossier", args=[dossier.uuid]))
    contexte = {
        "dossier": dossier,
        "form": form,
        "titre": titre,
        "intro": intro,
        "bouton": bouton,
        "danger": danger,
    }
    return render(request, "dossiers/action.html", contexte, status=400 if form.errors else 200)


@membership_requis
def fiche(request, uuid):
    from .sollicitations import pour_la_fiche  # import local : sollicitations importe ce module
    from .suivi import contexte_fiche  # import local : suivi importe ce module

    dossier = _dossier(request, uuid)
    m = request.membership
    niveau = perms.niveau_acces(m, dossier)
    audit.enregistrer(
        action=ActionAudit.LECTURE, request=request, objet=dossier, details={"niveau": niveau}
    )
    affectations = list(dossier.affectations.all())
    demandes = list(dossier.demandes_changement.all())
    en_attente = next((d for d in demandes if d.statut == StatutDemande.EN_ATTENTE), None)
    autres = (
        Dossier.objects.visibles_par(m)
        .filter(demandeur_id=dossier.demandeur_id)
        .exclude(pk=dossier.pk)
        .only("uuid", "statut", "date_orientation", "date_cloture", "motif_sortie")
    )
    courante = next((p for p in dossier.periodes.all() if p.date_fin is None), None)
    renouvellement_du = (
        courante is not None
        and courante.axe in (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)
        and courante.date_debut <= timezone.localdate() - timezone.timedelta(days=365)
    )
    journal = (
        EvenementJournal.objects.filter(dossier=dossier)
        .lisibles_par(m)
        .select_related("auteur")[:15]
        if niveau == perms.Niveau.COMPLET
        else []
    )
    return render(
        request,
        "dossiers/fiche.html",
        {
            "dossier": dossier,
            "demandeur": dossier.demandeur,
            "complet": niveau == perms.Niveau.COMPLET,
            "affectations_ouvertes": [a for a in affectations if a.date_fin is None],
            "affectations": affectations,
            "periodes": list(dossier.periodes.all()),
            "demandes": demandes,
            "demande_en_attente": en_attente,
            "autres_dossiers": autres,
            "journal": journal,
            "renouvellement_du": renouvellement_du,
            "periode_courante": courante,
            "suivi": contexte_fiche(m, dossier) if niveau == perms.Niveau.COMPLET else None,
            # Diagnostic partagé (application diagnostics) : par la relation inverse, sans
            # importer diagnostics (sens des dépendances) ; une requête.
            "diagnostic_courant": dossier.diagnostics.select_related("decision")
            .order_by("-numero")
            .first()
            if niveau == perms.Niveau.COMPLET
            else None,
            "sollicitations": pour_la_fiche(m, dossier) if niveau == perms.Niveau.COMPLET else None,
            "peut": {
                "modifier": perms.peut_modifier_demandeur(m, dossier),
                "diagnostic": perms.peut_orienter(m, dossier) and dossier.statut == "a_orienter",
                "orienter": perms.peut_orienter(m, dossier),
                "affecter": perms.peut_affecter(m, dossier),
                "demander": perms.peut_demander_changement_axe(m, dossier) and en_attente is None,
                "decider": en_attente is not None
                and perms.peut_decider_changement_axe(m, en_attente),
                "cloturer": perms.peut_cloturer(m, dossier),
                "rouvrir": perms.peut_rouvrir(m, dossier)
                and not any(a.statut != "clos" for a in autres),
            },
        },
    )


@membership_requis
def creer(request):
    m = request.membership
    _exiger(perms.peut_creer_demandeur(m))
    personne = forms.DemandeurForm(
        _donnees(request), departement=request.departement, prefix="personne"
    )
    ouverture = forms.OuvertureForm(
        _donnees(request), departement=request.departement, membership=m, prefix="dossier"
    )
    doublon = None
    if request.method == "POST" and personne.is_valid() and ouverture.is_valid():
        try:
            demandeur = services.creer_demandeur(
                departement=request.departement, par=m, **personne.cleaned_data
            )
            dossier = services.ouvrir_dossier(demandeur=demandeur, par=m, **ouverture.cleaned_data)
        except services.DoublonDetecte as erreur:
            doublon = {
                "message": erreur.message,
                "dossier": Dossier.objects.visibles_par(m)
                .filter(demandeur=erreur.existant)
                .order_by("-date_orientation")
                .first(),
            }
        except ErreurMetier as erreur:
            personne.add_error(None, erreur.message)
        else:
            messages.success(request, f"{demandeur} est enregistré(e) ; son dossier est ouvert.")
            return redirect("dossiers:dossier", dossier.uuid)
    statut = (
        400
        if (request.method == "POST" and (personne.errors or ouverture.errors or doublon))
        else 200
    )
    return render(
        request,
        "dossiers/creer.html",
        {"personne": personne, "ouverture": ouverture, "doublon": doublon},
        status=statut,
    )


@membership_requis
def modifier_personne(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_modifier_demandeur(request.membership, dossier))
    form = forms.DemandeurForm(
        _donnees(request), instance=dossier.demandeur, departement=request.departement
    )

    def executer(donnees):
        services.modifier_demandeur(demandeur=dossier.demandeur, par=request.membership, **donnees)

    return _action(
        request,
        dossier,
        form,
        titre=f"Modifier la fiche de {dossier.demandeur}",
        intro="",
        bouton="Enregistrer",
        executer=executer,
        succes="Fiche mise à jour.",
    )


@membership_requis
def demarrer_diagnostic(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_orienter(request.membership, dossier))
    form = forms.ConfirmationForm(_donnees(request))
    return _action(
        request,
        dossier,
        form,
        titre="Démarrer le diagnostic partagé",
        intro="Le dossier passera au statut « diagnostic en cours » : le conseiller et le travailleur social évaluent ensemble la situation avant la décision d'orientation.",
        bouton="Démarrer le diagnostic",
        executer=lambda _: services.demarrer_diagnostic(dossier=dossier, par=request.user),
        succes="Le diagnostic partagé est démarré.",
    )


@membership_requis
def orienter(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_orienter(request.membership, dossier))
    ouvertes = {a.role: a for a in dossier.affectations.all() if a.date_fin is None}
    initial = {}
    if conseiller := (
        ouvertes.get(RoleAffectation.CONSEILLER_DEDIE) or ouvertes.get(RoleAffectation.CONSEILLER)
    ):
        initial["conseiller"] = _membership_de(conseiller)
    if social := (
        ouvertes.get(RoleAffectation.TRAVAILLEUR_SOCIAL)
        or ouvertes.get(RoleAffectation.REFERENT_SOCIAL)
    ):
        initial["professionnel_social"] = _membership_de(social)
    form = forms.OrientationForm(
        _donnees(request), departement=request.departement, initial=initial
    )

    def executer(d):
        services.orienter(
            dossier=dossier,
            axe=d["axe"],
            decide_par=request.user,
            motif=d["motif"],
            accord_personne=d["accord_personne"],
            date=d["date"],
            conseiller=d["conseiller"].user if d["conseiller"] else None,
            professionnel_social=d["professionnel_social"].user
            if d["professionnel_social"]
            else None,
        )

    return _action(
        request,
        dossier,
        form,
        titre="Décision d'orientation",
        intro="Décision conjointe de la personne, du conseiller et du professionnel social. Axe 2 : le binôme (conseiller dédié et travailleur social) doit être affecté ; axe 3 : le référent social.",
        bouton="Enregistrer l'orientation",
        executer=executer,
        succes="Orientation enregistrée.",
    )


def _membership_de(affectation):
    return affectation.professionnel.memberships.filter(structure=affectation.structure).first()


@membership_requis
def affecter(request, uuid):
    dossier = _dossier(request, uuid)
    m = request.membership
    _exiger(perms.peut_affecter(m, dossier))
    form = forms.AffectationForm(
        _donnees(request), departement=request.departement, places=perms.places_affectables(m)
    )

    def executer(d):
        services.affecter(
            dossier=dossier,
            place=d["place"],
            professionnel=d["professionnel"],
            par=request.user,
            motif=d["motif"],
            date=d["date"],
        )

    return _action(
        request,
        dossier,
        form,
        titre="Affecter un professionnel",
        intro="Si la place est déjà tenue, c'est un relais : l'affectation en cours se termine à la même date et reste dans l'historique. La charge actuelle de chacun est indiquée.",
        bouton="Affecter",
        executer=executer,
        succes="Affectation enregistrée.",
    )


@membership_requis
def demander_changement(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_demander_changement_axe(request.membership, dossier))
    form = forms.DemandeChangementForm(_donnees(request), axe_courant=dossier.axe_courant)
    return _action(
        request,
        dossier,
        form,
        titre="Demander un changement d'axe",
        intro="La demande est examinée par le binôme ou l'animatrice (comité technique) ; vous serez notifié de la décision.",
        bouton="Envoyer la demande",
        executer=lambda d: services.demander_changement_axe(
            dossier=dossier, axe=d["axe"], motif=d["motif"], par=request.user
        ),
        succes="Demande de changement d'axe envoyée.",
    )


@membership_requis
def decider_changement(request, uuid, demande):
    dossier = _dossier(request, uuid)
    demande_obj = get_object_or_404(DemandeChangementAxe, uuid=demande, dossier=dossier)
    _exiger(perms.peut_decider_changement_axe(request.membership, demande_obj))
    form = forms.DecisionForm(_donnees(request))

    def executer(d):
        services.decider_changement_axe(
            demande=demande_obj,
            accepter=d["decision"] == "accepter",
            motif=d["motif"],
            par=request.user,
            accord_personne=d["accord_personne"],
            date=d["date"],
        )

    return _action(
        request,
        dossier,
        form,
        titre=f"Décider : passage en {demande_obj.get_axe_demande_display()}",
        intro=f"Demandé par {demande_obj.demande_par} le {demande_obj.demande_le:%d/%m/%Y} — motif : {demande_obj.motif}",
        bouton="Enregistrer la décision",
        executer=executer,
        succes="Décision enregistrée ; le demandeur est notifié.",
    )


@membership_requis
def cloturer(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_cloturer(request.membership, dossier))
    form = forms.ClotureForm(_donnees(request))
    return _action(
        request,
        dossier,
        form,
        titre="Clôturer le dossier",
        danger=True,
        intro="La période et les affectations en cours seront closes. Le dossier restera consultable ; un nouveau parcours pourra être ouvert plus tard.",
        bouton="Clôturer le dossier",
        executer=lambda d: services.cloturer(
            dossier=dossier,
            motif_sortie=d["motif_sortie"],
            par=request.user,
            date=d["date"],
            commentaire=d["commentaire"],
        ),
        succes="Dossier clos. Relisez le bilan du parcours et rédigez sa conclusion.",
        # Le bilan est dans l'application reporting (référencée par son nom d'URL : dossiers
        # n'importe pas reporting).
        suite=reverse("reporting:bilan", args=[dossier.uuid]),
    )


@membership_requis
def rouvrir(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_rouvrir(request.membership, dossier))
    form = forms.ReouvertureForm(_donnees(request))
    nouveau = {}

    def executer(d):
        nouveau["dossier"] = services.rouvrir(
            dossier=dossier, par=request.membership, origine=d["origine"], motif=d["motif"]
        )

    reponse = _action(
        request,
        dossier,
        form,
        titre="Ouvrir un nouveau parcours",
        intro="Le dossier clos reste consultable tel quel ; un nouveau dossier « à orienter » est ouvert pour la même personne.",
        bouton="Ouvrir un nouveau parcours",
        executer=executer,
        succes="Nouveau parcours ouvert.",
    )
    if "dossier" in nouveau:
        return redirect(reverse("dossiers:dossier", args=[nouveau["dossier"].uuid]))
    return reponse


@membership_requis
def journal(request, uuid):
    """Chronologie complète du dossier, filtrable par type d'événement."""
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_voir_parcours(request.membership, dossier))
    type_choisi = request.GET.get("type", "")
    evenements = (
        EvenementJournal.objects.filter(dossier=dossier)
        .lisibles_par(request.membership)
        .select_related("auteur")
    )
    if type_choisi in TypeEvenement.values:
        evenements = evenements.filter(type=type_choisi)
    page = Paginator(evenements, 50).get_page(request.GET.get("page"))
    gabarit = "dossiers/includes/_journal.html" if request.htmx else "dossiers/journal.html"
    return render(
        request,
        gabarit,
        {
            "dossier": dossier,
            "page": page,
            "types": TypeEvenement.choices,
            "type_choisi": type_choisi,
        },
    )


@membership_requis
def renouveler(request, uuid):
    dossier = _dossier(request, uuid)
    _exiger(perms.peut_cloturer(request.membership, dossier))
    form = forms.RenouvellementForm(_donnees(request))
    return _action(
        request,
        dossier,
        form,
        titre="Renouveler l'accompagnement",
        intro="Au bout de 12 mois, la personne et les professionnels décident de poursuivre : la période en cours se termine et une nouvelle commence sur le même axe. Pour arrêter, clôturez le dossier avec un motif de sortie.",
        bouton="Renouveler",
        executer=lambda d: services.renouveler(
            dossier=dossier,
            par=request.user,
            motif=d["motif"],
            accord_personne=d["accord_personne"],
            date=d["date"],
        ),
        succes="Accompagnement renouvelé.",
    )
