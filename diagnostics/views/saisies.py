"""Saisies du diagnostic partagé : volets emploi et social (verrouillage optimiste),
information de la personne, validations, nouvelle version, décision conjointe. Chaque vue
vérifie son droit (403) puis appelle un service ; un refus métier devient un message clair
et la saisie reste affichée."""

from django.urls import reverse

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import Membership
from accompagnement.perms import est_cote_france_travail, est_cote_social
from accompagnement.vues import donnees_post, exiger, page_action, traiter_formulaire
from dossiers.models import Axe, RoleAffectation

from .. import forms, lecture, perms, services
from ._commun import charger


def _page(diagnostic) -> str:
    return reverse("diagnostics:diagnostic", args=[diagnostic.uuid])


def _action(request, diagnostic, form, *, gabarit="diagnostics/action.html", suite=None, **page):
    """Une saisie du diagnostic : sa page, puis retour à la page du diagnostic."""
    return page_action(
        request,
        form,
        gabarit=gabarit,
        suite=suite or _page(diagnostic),
        diagnostic=diagnostic,
        dossier=diagnostic.dossier,
        **page,
    )


def _tracer_saisie(request, diagnostic, volet: str) -> None:
    """Le formulaire d'un volet, prérempli, est une lecture de ce volet."""
    if request.method == "GET":
        audit.tracer_lecture(
            request,
            diagnostic,
            volet=volet,
            version=diagnostic.numero,
            dossier=str(diagnostic.dossier.uuid),
        )


@membership_requis
def emploi(request, uuid):
    d = charger(request, uuid)
    exiger(perms.peut_editer_emploi(request.membership, d))
    _tracer_saisie(request, d, "emploi")
    form = forms.EmploiForm(donnees_post(request), diagnostic=d)
    metiers = forms.MetiersFormSet(donnees_post(request), initial=d.metiers, prefix="metiers")
    return traiter_formulaire(
        request,
        form,
        valide=form.is_valid() & metiers.is_valid(),
        executer=lambda c: services.enregistrer_emploi(
            diagnostic=d,
            par=request.membership,
            revision=c["revision"],
            **form.champs_service(metiers),
        ),
        succes="Volet emploi enregistré.",
        suite=_page(d),
        gabarit="diagnostics/emploi.html",
        contexte={"diagnostic": d, "dossier": d.dossier, "metiers": metiers},
    )


@membership_requis
def social(request, uuid):
    d = charger(request, uuid)
    exiger(perms.peut_editer_social(request.membership, d))
    _tracer_saisie(request, d, "social")
    revision = forms.RevisionForm(donnees_post(request), initial={"revision": d.revision_social})
    freins = forms.formulaires_freins(donnees_post(request), d)
    valides = [revision.is_valid(), *(f.is_valid() for f in freins)]  # toutes les erreurs
    return traiter_formulaire(
        request,
        revision,
        valide=all(valides),
        executer=lambda c: services.enregistrer_social(
            diagnostic=d,
            par=request.membership,
            revision=c["revision"],
            freins={f.domaine: f.valeurs() for f in freins},
        ),
        succes="Volet social enregistré.",
        suite=_page(d),
        gabarit="diagnostics/social.html",
        contexte={"diagnostic": d, "dossier": d.dossier, "revision": revision, "freins": freins},
    )


@membership_requis
def information(request, uuid):
    d = charger(request, uuid)
    exiger(perms.peut_informer(request.membership, d))
    return _action(
        request,
        d,
        forms.InformationForm(donnees_post(request), diagnostic=d),
        titre="Information et accord de la personne",
        intro="Le diagnostic repose sur une mission de service public : la personne en est "
        "informée (quand, comment) avant toute validation. Son accord est requis pour "
        "entrer en axe 2 ou 3.",
        bouton="Enregistrer",
        executer=lambda c: services.enregistrer_information(
            diagnostic=d, par=request.membership, date=c["date"], mode=c["mode"], accord=c["accord"]
        ),
        succes="Information de la personne enregistrée.",
    )


VOLETS = {
    "emploi": (perms.peut_editer_emploi, services.valider_emploi, "Valider le volet emploi"),
    "social": (perms.peut_editer_social, services.valider_social, "Valider le volet social"),
}


@membership_requis
def valider(request, uuid, volet):
    d = charger(request, uuid)
    droit, service, titre = VOLETS[volet]
    exiger(droit(request.membership, d))

    def succes(valide):
        if valide.est_partage:
            return f"Diagnostic partagé. Recommandation : {Axe(valide.axe_recommande).label}."
        return f"Volet {volet} validé. Le diagnostic sera partagé quand l'autre volet le sera."

    return _action(
        request,
        d,
        forms.ConfirmationForm(donnees_post(request)),
        titre=titre,
        intro=f"Une fois validé, le volet {volet} n'est plus modifiable dans cette version. "
        "Quand les deux volets sont validés, le diagnostic est partagé et la recommandation "
        "d'axe est calculée.",
        bouton=titre,
        executer=lambda _: service(diagnostic=d, par=request.membership),
        succes=succes,
    )


@membership_requis
def nouvelle_version(request, uuid):
    d = charger(request, uuid)
    exiger(d.est_partage and perms.peut_demarrer(request.membership, d.dossier))
    return _action(
        request,
        d,
        forms.ConfirmationForm(donnees_post(request)),
        titre="Nouvelle version du diagnostic",
        intro="Renouvellement, point à six mois, changement de situation : la nouvelle version "
        "reprend le volet emploi et les freins de celle-ci ; l'information de la personne et "
        "les deux validations sont à refaire. Les freins levés se mesurent en comparant les "
        "versions.",
        bouton="Ouvrir une nouvelle version",
        executer=lambda _: services.demarrer(dossier=d.dossier, par=request.membership),
        succes="Nouvelle version ouverte.",
        suite=_page,
    )


def _initial_decision(diagnostic, membership) -> dict:
    """Pré-remplit les places avec les affectations en cours (et les participants)."""
    ouvertes = {a.role: a for a in diagnostic.dossier.affectations.all() if a.date_fin is None}
    rattachements = {
        (r.user_id, r.structure_id): r
        for r in Membership.objects.actifs().filter(
            user_id__in=[a.professionnel_id for a in ouvertes.values()]
        )
    }
    tenue = {
        place: rattachements.get((a.professionnel_id, a.structure_id))
        for place, a in ouvertes.items()
    }
    initial = {forms.CHAMP_PAR_PLACE[place]: m for place, m in tenue.items() if m}
    # Présents : qui remplit le formulaire, s'il est de ce côté ; sinon le binôme (le
    # conseiller dédié, le travailleur social), et seulement à défaut les places d'axe 1 / 3.
    initial["conseiller"] = (
        (membership if est_cote_france_travail(membership) else None)
        or tenue.get(RoleAffectation.CONSEILLER_DEDIE)
        or tenue.get(RoleAffectation.CONSEILLER)
    )
    initial["professionnel_social"] = (
        (membership if est_cote_social(membership) else None)
        or tenue.get(RoleAffectation.TRAVAILLEUR_SOCIAL)
        or tenue.get(RoleAffectation.REFERENT_SOCIAL)
    )
    return initial


@membership_requis
def decision(request, uuid):
    d = charger(request, uuid)
    m = request.membership
    exiger(perms.peut_decider(m, d, deja_decide=lecture.decision_de(d) is not None))
    form = forms.DecisionForm(
        donnees_post(request),
        diagnostic=d,
        departement=request.departement,
        proches=[d.dossier.agence_id, d.dossier.territoire_id],
        initial=_initial_decision(d, m),
    )

    def executer(c):
        return services.decider(
            diagnostic=d,
            par=request.membership,
            axe=c["axe"],
            motif=c["motif"],
            date=c["date"],
            accord_personne=c["accord_personne"],
            conseiller=c["conseiller"].user if c["conseiller"] else None,
            professionnel_social=c["professionnel_social"].user
            if c["professionnel_social"]
            else None,
            affectations=form.affectations(),
        )

    return _action(
        request,
        d,
        form,
        titre="Décision conjointe",
        intro="La personne, le conseiller et le professionnel social décident ensemble de l'axe. "
        "La recommandation est pré-remplie ; s'en écarter demande un motif.",
        bouton="Enregistrer la décision",
        executer=executer,
        succes=lambda decision: f"Décision enregistrée : {decision.get_axe_display()}.",
        gabarit="diagnostics/decision.html",
        recommandation=lecture.recommandation(d),
    )
