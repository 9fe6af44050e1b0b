"""Fiche d'un dossier et actions sur le parcours. Toute lecture part du périmètre du
rattachement courant (404 au-delà) ; chaque action vérifie son droit (403) puis appelle
un service (refus métier → message clair, saisie conservée)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from accompagnement.vues import donnees_post, exiger, page_action, rendre_avec_htmx
from dossiers.models import (
    DemandeChangementAxe,
    Dossier,
    EvenementJournal,
    RoleAffectation,
    TypeEvenement,
)
from dossiers.parcours import forms, perms, services
from dossiers.parcours import renouvellement as renouvellement_parcours
from dossiers.parcours.lectures import (
    dossier_visible,
    en_cours_a_la_cloture,
    personne_a_ouvrir,
    personnes_sans_dossier,
    qui_suit,
)


def _action(request, dossier, form, *, suite=None, gabarit="dossiers/parcours/action.html", **page):
    """Une action du parcours : sa page, puis retour à la fiche du dossier."""
    return page_action(
        request,
        form,
        gabarit=gabarit,
        suite=suite or reverse("dossiers:dossier", args=[dossier.uuid]),
        dossier=dossier,
        **page,
    )


@membership_requis
def creer(request):
    m = request.membership
    exiger(perms.peut_creer_demandeur(m))
    personne = forms.DemandeurForm(
        donnees_post(request), departement=request.departement, prefix="personne"
    )
    ouverture = forms.OuvertureForm(
        donnees_post(request), departement=request.departement, membership=m, prefix="dossier"
    )
    doublon = None
    if request.method == "POST" and personne.is_valid() and ouverture.is_valid():
        try:
            demandeur = services.creer_demandeur(
                departement=request.departement, par=m, **personne.cleaned_data
            )
            dossier = services.ouvrir_dossier(demandeur=demandeur, par=m, **ouverture.cleaned_data)
        except services.DoublonDetecte as erreur:
            # « Suivie par une autre équipe » seulement si quelqu'un la suit vraiment : on
            # dit qui ; sinon on propose de lui ouvrir un dossier (ticket #10, point 4).
            doublon = {
                "message": erreur.message,
                "personne": erreur.existant,
                "dossier": Dossier.objects.visibles_par(m)
                .filter(demandeur=erreur.existant)
                .order_by("-date_orientation")
                .first(),
                "suivie_par": qui_suit(erreur.existant),
                "dossier_ouvert": erreur.existant.dossiers.ouverts().exists(),
            }
        except ErreurMetier as erreur:
            personne.add_error(None, erreur.message)
        else:
            accord = "enregistrée" if demandeur.ne == "née" else "enregistré"
            messages.success(request, f"{demandeur} est {accord} ; son dossier est ouvert.")
            return redirect("dossiers:dossier", dossier.uuid)
    statut = (
        400
        if (request.method == "POST" and (personne.errors or ouverture.errors or doublon))
        else 200
    )
    return render(
        request,
        "dossiers/parcours/creer.html",
        {"personne": personne, "ouverture": ouverture, "doublon": doublon},
        status=statut,
    )


PERSONNES_PAR_PAGE = 25


@membership_requis
def personnes_sans_dossier_liste(request):
    """Les personnes enregistrées sans dossier (souvent importées), dans le périmètre du
    rattachement : recherche par nom, pagination ; chacune peut recevoir un dossier."""
    m = request.membership
    exiger(perms.peut_voir_personnes_sans_dossier(m))
    texte = request.GET.get("q", "")[:100]
    page = Paginator(personnes_sans_dossier(m, texte), PERSONNES_PAR_PAGE).get_page(
        request.GET.get("page")
    )
    return rendre_avec_htmx(
        request,
        "dossiers/parcours/sans_dossier.html",
        "dossiers/parcours/_sans_dossier_resultats.html",
        {"page": page, "q": texte},
    )


@membership_requis
def ouvrir_pour(request, uuid):
    """Ouvrir un dossier à une personne déjà enregistrée qui n'en a pas d'ouvert."""
    m = request.membership
    exiger(perms.peut_creer_demandeur(m))
    demandeur = personne_a_ouvrir(m, uuid)
    exiger(perms.peut_ouvrir_dossier_pour(m, demandeur))
    form = forms.OuvertureForm(donnees_post(request), departement=request.departement, membership=m)
    return page_action(
        request,
        form,
        gabarit="dossiers/parcours/ouvrir_pour.html",
        titre=f"Ouvrir un dossier pour {demandeur}",
        intro=f"{demandeur}, {'né' if demandeur.civilite == 'm' else 'née'} le "
        f"{demandeur.date_naissance:%d/%m/%Y}"
        + (f", {demandeur.commune}" if demandeur.commune else "")
        + (f" — {demandeur.agence}" if demandeur.agence_id else "")
        + ". Son dossier s'ouvre au statut « à orienter ».",
        bouton="Ouvrir le dossier",
        executer=lambda d: services.ouvrir_dossier(demandeur=demandeur, par=m, **d),
        succes=f"Le dossier de {demandeur} est ouvert.",
        suite=lambda dossier: reverse("dossiers:dossier", args=[dossier.uuid]),
        personne=demandeur,
    )


@membership_requis
def modifier_personne(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_modifier_demandeur(request.membership, dossier))
    if request.method == "GET":  # le formulaire prérempli montre toute la fiche
        audit.tracer_lecture(request, dossier, page="personne")
    form = forms.DemandeurForm(
        donnees_post(request), instance=dossier.demandeur, departement=request.departement
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
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_orienter(request.membership, dossier))
    form = forms.ConfirmationForm(donnees_post(request))
    return _action(
        request,
        dossier,
        form,
        titre="Démarrer le diagnostic partagé",
        intro="Le dossier passera au statut « diagnostic en cours » : le conseiller et le travailleur social évaluent ensemble la situation avant la décision d'orientation.",
        bouton="Démarrer le diagnostic",
        executer=lambda _: services.demarrer_diagnostic(dossier=dossier, par=request.membership),
        succes="Le diagnostic partagé est démarré.",
    )


@membership_requis
def orienter(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_orienter(request.membership, dossier))
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
        donnees_post(request), departement=request.departement, initial=initial
    )

    def executer(d):
        services.orienter(
            dossier=dossier,
            axe=d["axe"],
            par=request.membership,
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
    dossier = dossier_visible(request, uuid)
    m = request.membership
    exiger(perms.peut_affecter(m, dossier))
    form = forms.AffectationForm(
        donnees_post(request), departement=request.departement, places=perms.places_affectables(m)
    )

    def executer(d):
        services.affecter(
            dossier=dossier,
            place=d["place"],
            professionnel=d["professionnel"],
            par=request.membership,
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
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_demander_changement_axe(request.membership, dossier))
    form = forms.DemandeChangementForm(donnees_post(request), axe_courant=dossier.axe_courant)
    return _action(
        request,
        dossier,
        form,
        titre="Demander un changement d'axe",
        intro="La demande est examinée par le binôme ou l'animatrice (comité technique) ; vous serez notifié de la décision.",
        bouton="Envoyer la demande",
        executer=lambda d: services.demander_changement_axe(
            dossier=dossier, axe=d["axe"], motif=d["motif"], par=request.membership
        ),
        succes="Demande de changement d'axe envoyée.",
    )


@membership_requis
def decider_changement(request, uuid, demande):
    dossier = dossier_visible(request, uuid)
    demande_obj = get_object_or_404(DemandeChangementAxe, uuid=demande, dossier=dossier)
    exiger(perms.peut_decider_changement_axe(request.membership, demande_obj))
    form = forms.DecisionForm(donnees_post(request))

    def executer(d):
        services.decider_changement_axe(
            demande=demande_obj,
            accepter=d["decision"] == "accepter",
            motif=d["motif"],
            par=request.membership,
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
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_cloturer(request.membership, dossier))
    en_cours = en_cours_a_la_cloture(dossier)
    form = forms.ClotureForm(donnees_post(request), a_des_elements_en_cours=bool(en_cours["total"]))
    return _action(
        request,
        dossier,
        form,
        gabarit="dossiers/parcours/cloture.html",
        en_cours=en_cours,
        titre="Clôturer le dossier",
        danger=True,
        intro="La période et les affectations en cours seront closes. Le dossier restera consultable ; un nouveau parcours pourra être ouvert plus tard.",
        bouton="Clôturer le dossier",
        executer=lambda d: services.cloturer(
            dossier=dossier,
            motif_sortie=d["motif_sortie"],
            par=request.membership,
            date=d["date"],
            commentaire=d["commentaire"],
            annuler_en_cours=d.get("en_cours") == "annuler",
        ),
        succes="Dossier clos. Relisez le bilan du parcours et rédigez sa conclusion.",
        # Le bilan est dans l'application reporting (référencée par son nom d'URL : dossiers
        # n'importe pas reporting).
        suite=reverse("reporting:bilan", args=[dossier.uuid]),
    )


@membership_requis
def information(request, uuid):
    """Information de la personne et accord de transmission de ses coordonnées."""
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_modifier_demandeur(request.membership, dossier))
    if request.method == "GET":  # la page montre l'information et l'accord enregistrés
        audit.tracer_lecture(request, dossier, page="information")
    d = dossier.demandeur
    form = forms.InformationForm(
        donnees_post(request),
        initial={
            "information_le": d.information_le,
            "information_mode": d.information_mode,
            "accord": d.accord_transmission,
            "accord_le": d.accord_transmission_le,
            "accord_mode": d.accord_transmission_mode,
        },
    )
    return _action(
        request,
        dossier,
        form,
        titre="Information et accord de la personne",
        intro=(
            "Notez quand et comment la personne a été informée du traitement de ses données, "
            "et si elle accepte que ses coordonnées soient transmises aux partenaires "
            "sollicités pour elle. Sans cet accord, une sollicitation ne transmet pas de "
            "coordonnées. Décocher l'accord le retire."
        ),
        bouton="Enregistrer",
        executer=lambda c: services.enregistrer_information(
            dossier=dossier,
            par=request.membership,
            information_le=c["information_le"],
            information_mode=c["information_mode"],
            accord_le=c["accord_le"] if c["accord"] else None,
            accord_mode=c["accord_mode"] if c["accord"] else "",
        ),
        succes="Information et accord de la personne enregistrés.",
    )


@membership_requis
def rouvrir(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_rouvrir(request.membership, dossier))
    return _action(
        request,
        dossier,
        forms.ReouvertureForm(donnees_post(request)),
        titre="Ouvrir un nouveau parcours",
        intro="Le dossier clos reste consultable tel quel ; un nouveau dossier « à orienter » est ouvert pour la même personne.",
        bouton="Ouvrir un nouveau parcours",
        executer=lambda d: services.rouvrir(
            dossier=dossier, par=request.membership, origine=d["origine"], motif=d["motif"]
        ),
        succes="Nouveau parcours ouvert.",
        suite=lambda nouveau: reverse("dossiers:dossier", args=[nouveau.uuid]),
    )


@membership_requis
def journal(request, uuid):
    """Chronologie complète du dossier, filtrable par type d'événement."""
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_voir_parcours(request.membership, dossier))
    type_choisi = request.GET.get("type", "")
    evenements = (
        EvenementJournal.objects.filter(dossier=dossier)
        .lisibles_par(request.membership)
        .select_related("auteur")
    )
    if type_choisi in TypeEvenement.values:
        evenements = evenements.filter(type=type_choisi)
    page = Paginator(evenements, 50).get_page(request.GET.get("page"))
    audit.tracer_lecture(
        request, dossier, page="journal", **({"type": type_choisi} if type_choisi else {})
    )
    return rendre_avec_htmx(
        request,
        "dossiers/parcours/journal.html",
        "dossiers/parcours/_journal.html",
        {
            "dossier": dossier,
            "page": page,
            "types": TypeEvenement.choices,
            "type_choisi": type_choisi,
        },
    )


@membership_requis
def renouveler(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_cloturer(request.membership, dossier))
    form = forms.RenouvellementForm(donnees_post(request))
    return _action(
        request,
        dossier,
        form,
        titre="Renouveler l'accompagnement",
        intro="Au bout de 12 mois, la personne et les professionnels décident de poursuivre : la période en cours se termine et une nouvelle commence sur le même axe. Pour arrêter, clôturez le dossier avec un motif de sortie.",
        bouton="Renouveler",
        executer=lambda d: renouvellement_parcours.renouveler(
            dossier=dossier,
            par=request.membership,
            motif=d["motif"],
            accord_personne=d["accord_personne"],
            date=d["date"],
        ),
        succes="Accompagnement renouvelé.",
    )
