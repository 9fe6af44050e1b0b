"""Pages des prescriptions (demandes d'entrée en axe 2 ou 3) : proposer la personne depuis
sa fiche, voir la demande, la prendre (conseiller dédié), désigner le travailleur social
(correspondant insertion), refuser avec un motif ; préciser le territoire d'un dossier.
Lecture : périmètre du rattachement (404 au-delà) ; action : droit (403) puis service."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.vues import donnees_post, exiger, page_action, traiter_formulaire
from dossiers.parcours import perms as perms_parcours
from dossiers.parcours.lectures import dossier_visible
from dossiers.prescriptions import forms, lectures, perms, services


def _action(request, prescription, form, **page):
    """Formulaire → service → retour à la demande ; refus métier : message, saisie gardée."""
    return page_action(
        request,
        form,
        gabarit="dossiers/prescriptions/action.html",
        suite=reverse("dossiers:prescription", args=[prescription.uuid]),
        prescription=prescription,
        dossier=prescription.dossier,
        **page,
    )


@membership_requis
def prescrire(request, uuid):
    dossier = dossier_visible(request, uuid)
    m = request.membership
    en_cours = dossier.prescriptions.en_cours().first()
    exiger(perms.peut_prescrire(m, dossier, en_cours=en_cours))
    form = forms.PrescriptionForm(donnees_post(request), dossier=dossier)

    def executer(d):
        return services.prescrire(
            dossier=dossier,
            par=m,
            axe=d["axe"],
            freins=d["freins"],
            motif=d["motif"],
            accord_le=d["accord_le"],
            accord_mode=d["accord_mode"],
            territoire=d.get("territoire"),
        )

    return traiter_formulaire(
        request,
        form,
        executer=executer,
        succes=lambda p: (
            "Demande envoyée : "
            + (
                "le conseiller dédié de l'agence et les correspondants insertion du territoire "
                "sont prévenus."
                if p.axe == "2"
                else "les correspondants insertion du territoire sont prévenus."
            )
        ),
        suite=lambda p: reverse("dossiers:prescription", args=[p.uuid]),
        gabarit="dossiers/prescriptions/form.html",
        contexte={"dossier": dossier, "avertissement": forms.AVERTISSEMENT_MOTIF},
    )


@membership_requis
def detail(request, uuid):
    prescription = lectures.prescription_visible(request, uuid)
    m = request.membership
    audit.tracer_lecture(request, prescription, dossier=str(prescription.dossier.uuid))
    return render(
        request,
        "dossiers/prescriptions/detail.html",
        {
            "prescription": prescription,
            "dossier": prescription.dossier,
            "freins": perms.freins_lisibles(m, prescription),
            "peut": {
                "prendre": perms.peut_prendre(m, prescription),
                "designer": perms.peut_designer(m, prescription),
                "refuser": perms.peut_refuser(m, prescription),
                "voir_dossier": perms_parcours.peut_voir_dossier(m, prescription.dossier),
            },
        },
    )


@membership_requis
def prendre(request, uuid):
    prescription = lectures.prescription_visible(request, uuid)
    exiger(perms.peut_prendre(request.membership, prescription))
    form = forms.PrendreForm(donnees_post(request))
    return _action(
        request,
        prescription,
        form,
        titre=f"Prendre le dossier de {prescription.dossier.demandeur}",
        intro="Vous devenez le référent de la personne (conseiller dédié). La place de "
        "conseiller de l'agence est relayée ; le prescripteur en est informé. Le diagnostic "
        "partagé se fait ensuite avec le travailleur social désigné par le correspondant.",
        bouton="Prendre le dossier",
        executer=lambda d: services.prendre(
            prescription=prescription, par=request.membership, date=d["date"]
        ),
        succes="Vous êtes le référent de ce dossier. Démarrez le diagnostic partagé.",
    )


@membership_requis
def designer(request, uuid):
    prescription = lectures.prescription_visible(request, uuid)
    exiger(perms.peut_designer(request.membership, prescription))
    form = forms.DesignationForm(
        donnees_post(request), queryset=lectures.travailleurs_sociaux_pour(prescription)
    )
    return _action(
        request,
        prescription,
        form,
        titre=f"Désigner le travailleur social de {prescription.dossier.demandeur}",
        intro=(
            "Il forme le binôme avec le conseiller dédié et remplit le volet social du diagnostic."
            if prescription.axe == "2"
            else "Il devient le référent social de la personne (suivi social exclusif) et "
            "remplit le volet social du diagnostic."
        ),
        bouton="Désigner",
        executer=lambda d: services.designer(
            prescription=prescription,
            par=request.membership,
            travailleur_social=d["professionnel"],
            date=d["date"],
        ),
        succes="Travailleur social désigné ; il est prévenu.",
    )


@membership_requis
def refuser(request, uuid):
    prescription = lectures.prescription_visible(request, uuid)
    exiger(perms.peut_refuser(request.membership, prescription))
    form = forms.RefusForm(donnees_post(request))
    return _action(
        request,
        prescription,
        form,
        titre="Refuser la demande",
        intro=f"Demande d'entrée en {prescription.get_axe_display()} pour "
        f"{prescription.dossier.demandeur}, faite par {prescription.prescripteur} le "
        f"{prescription.prescrite_le:%d/%m/%Y}. Le refus est définitif et motivé : le "
        "prescripteur en est informé aussitôt.",
        bouton="Refuser la demande",
        danger=True,
        executer=lambda d: services.refuser(
            prescription=prescription, par=request.membership, motif=d["motif"]
        ),
        succes="Demande refusée ; le prescripteur est informé.",
    )


@membership_requis
def definir_territoire(request, uuid):
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_definir_territoire(request.membership, dossier))
    form = forms.TerritoireForm(
        donnees_post(request),
        departement=request.departement,
        initial={"territoire": dossier.territoire},
    )
    return page_action(
        request,
        form,
        gabarit="dossiers/parcours/action.html",
        titre="Territoire d'action sociale",
        intro="Le territoire désigne les correspondants insertion qui suivent le dossier et "
        "reçoivent ses demandes d'entrée.",
        bouton="Enregistrer",
        executer=lambda d: services.definir_territoire(
            dossier=dossier, territoire=d["territoire"], par=request.membership
        ),
        succes="Territoire enregistré.",
        suite=reverse("dossiers:dossier", args=[dossier.uuid]),
        dossier=dossier,
    )
