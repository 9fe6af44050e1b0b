"""Pages de lecture du diagnostic partagé : la version et ses voisines, la comparaison de
deux versions, le PDF ; et l'entrée depuis la fiche du dossier."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import ActionAudit
from accompagnement.vues import donnees_post, exiger, page_action
from dossiers.parcours.lectures import dossier_visible

from .. import exports, lecture, perms, services
from ..forms import ConfirmationForm
from ._commun import charger


@membership_requis
def ouvrir(request, uuid):
    """Bouton « Diagnostic partagé » de la fiche : la version la plus récente si elle
    existe, sinon (après confirmation) la première version."""
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_voir_diagnostic(request.membership, dossier))
    if courant := dossier.diagnostics.order_by("-numero").first():
        return redirect("diagnostics:diagnostic", courant.uuid)
    exiger(perms.peut_demarrer(request.membership, dossier))
    return page_action(
        request,
        ConfirmationForm(donnees_post(request)),
        gabarit="diagnostics/action.html",
        titre="Démarrer le diagnostic partagé",
        intro="Le conseiller remplit le volet emploi, le travailleur social le volet social ; "
        "la personne est informée, puis chacun valide son volet avant la décision conjointe.",
        bouton="Démarrer le diagnostic",
        executer=lambda _: services.demarrer(dossier=dossier, par=request.membership),
        succes="Le diagnostic partagé est ouvert (version 1).",
        suite=lambda nouveau: reverse("diagnostics:diagnostic", args=[nouveau.uuid]),
        dossier=dossier,
    )


@membership_requis
def diagnostic(request, uuid):
    d = charger(request, uuid)
    m = request.membership
    audit.enregistrer(
        action=ActionAudit.LECTURE, request=request, objet=d, details={"version": d.numero}
    )
    contexte = lecture.contexte_lecture(d, m)
    versions = list(d.dossier.diagnostics.select_related("decision").order_by("-numero"))
    contexte["versions"] = versions
    contexte["peut"] = {
        "emploi": perms.peut_editer_emploi(m, d),
        "social": perms.peut_editer_social(m, d),
        "informer": perms.peut_informer(m, d),
        "decider": perms.peut_decider(m, d, deja_decide=contexte["decision"] is not None),
        "nouvelle_version": d.est_partage
        and versions[0].pk == d.pk
        and perms.peut_demarrer(m, d.dossier),
        "pdf": perms.peut_exporter_pdf(m, d),
    }
    return render(request, "diagnostics/diagnostic.html", contexte)


@membership_requis
def comparaison(request, uuid):
    """Deux versions du même dossier : celle de l'URL et `?avec=` (par défaut la précédente)."""
    d = charger(request, uuid)
    versions = list(d.dossier.diagnostics.prefetch_related("freins").order_by("-numero"))
    autres = [v for v in versions if v.pk != d.pk]
    choisie = request.GET.get("avec", "")
    autre = next((v for v in autres if str(v.uuid) == choisie), None) or next(
        (v for v in autres if v.numero == d.numero - 1), autres[0] if autres else None
    )
    contexte = {"diagnostic": d, "dossier": d.dossier, "autres": autres, "autre": autre}
    audit.tracer_lecture(
        request,
        d,
        page="comparaison",
        version=d.numero,
        comparee_a=autre.numero if autre is not None else None,
        dossier=str(d.dossier.uuid),
    )
    if autre is not None:
        ancien, nouveau = sorted([d, autre], key=lambda v: v.numero)
        contexte.update(lecture.contexte_comparaison(ancien, nouveau))
    return render(request, "diagnostics/comparaison.html", contexte)


@membership_requis
def pdf(request, uuid):
    d = charger(request, uuid)
    exiger(perms.peut_exporter_pdf(request.membership, d))
    contenu = exports.exporter_pdf(diagnostic=d, membership=request.membership, request=request)
    nom = slugify(f"diagnostic partage v{d.numero} {d.dossier.demandeur.nom}") or "diagnostic"
    response = HttpResponse(contenu, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{nom}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
