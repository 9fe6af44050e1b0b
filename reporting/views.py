"""Bilan d'un parcours : récapitulatif automatique, conclusion du binôme, export PDF."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit
from accompagnement.pdf import rendre_pdf
from dossiers.journal import journaliser
from dossiers.models import Dossier, TypeEvenement

from . import perms, services
from .bilan import recapituler
from .forms import ConclusionForm
from .models import BilanParcours


def _dossier(request, uuid) -> Dossier:
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.membership)
        .select_related("demandeur", "departement", "agence", "territoire")
        .prefetch_related("affectations"),
        uuid=uuid,
    )
    if not perms.peut_voir_bilan(request.membership, dossier):
        raise Http404
    return dossier


@membership_requis
def bilan(request, uuid):
    dossier = _dossier(request, uuid)
    existant = BilanParcours.objects.filter(dossier=dossier).select_related("redige_par").first()
    peut_rediger = perms.peut_rediger_bilan(request.membership, dossier)
    form = ConclusionForm(
        request.POST if request.method == "POST" else None,
        initial={"conclusion": existant.conclusion if existant else ""},
    )
    if request.method == "POST":
        if not peut_rediger:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.rediger_conclusion(
                    dossier=dossier,
                    par=request.membership,
                    conclusion=form.cleaned_data["conclusion"],
                )
            except ErreurMetier as erreur:
                form.add_error("conclusion", erreur.message)
            else:
                messages.success(request, "Conclusion enregistrée.")
                return redirect("reporting:bilan", dossier.uuid)
    audit.enregistrer(
        action=ActionAudit.LECTURE, request=request, objet=dossier, details={"page": "bilan"}
    )
    return render(
        request,
        "reporting/bilan.html",
        {
            "recap": recapituler(dossier),
            "dossier": dossier,
            "bilan": existant,
            "form": form,
            "peut_rediger": peut_rediger,
        },
        status=400 if form.errors else 200,
    )


@membership_requis
def bilan_pdf(request, uuid):
    dossier = _dossier(request, uuid)
    if not perms.peut_exporter_bilan(request.membership, dossier):
        raise PermissionDenied
    contexte = {
        "recap": recapituler(dossier),
        "dossier": dossier,
        "bilan": BilanParcours.objects.filter(dossier=dossier).select_related("redige_par").first(),
    }
    contenu = rendre_pdf("pdf/bilan.html", contexte, base_url=settings.BASE_DIR / "static")
    audit.enregistrer(
        action=ActionAudit.EXPORT, request=request, objet=dossier, details={"document": "bilan"}
    )
    journaliser(
        dossier=dossier,
        type=TypeEvenement.CLOTURE,
        auteur=request.user,
        resume=f"Bilan exporté en PDF par {request.user}",
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="bilan-{dossier.uuid}.pdf"'
    return reponse
