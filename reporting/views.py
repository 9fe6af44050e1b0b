"""Bilan d'un parcours : récapitulatif automatique, conclusion du binôme, export PDF."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.text import slugify

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import ActionAudit
from accompagnement.pdf import rendre_pdf
from accompagnement.vues import donnees_post, exiger, traiter_formulaire
from dossiers.journal import journaliser
from dossiers.models import TypeEvenement
from dossiers.parcours.lectures import dossier_visible

from . import perms, services
from .bilan import recapituler
from .forms import ConclusionForm
from .models import BilanParcours


@membership_requis
def bilan(request, uuid):
    dossier = dossier_visible(request, uuid, lecture=perms.peut_voir_bilan)
    existant = BilanParcours.objects.filter(dossier=dossier).select_related("redige_par").first()
    peut_rediger = perms.peut_rediger_bilan(request.membership, dossier)
    if request.method == "POST":
        exiger(peut_rediger)
    form = ConclusionForm(
        donnees_post(request), initial={"conclusion": existant.conclusion if existant else ""}
    )

    def page():
        audit.enregistrer(
            action=ActionAudit.LECTURE, request=request, objet=dossier, details={"page": "bilan"}
        )
        return {
            "recap": recapituler(dossier),
            "dossier": dossier,
            "bilan": existant,
            "peut_rediger": peut_rediger,
        }

    return traiter_formulaire(
        request,
        form,
        executer=lambda c: services.rediger_conclusion(
            dossier=dossier, par=request.membership, conclusion=c["conclusion"]
        ),
        succes="Conclusion enregistrée.",
        suite=reverse("reporting:bilan", args=[dossier.uuid]),
        gabarit="reporting/bilan.html",
        contexte=page,
        champ_erreur="conclusion",
    )


@membership_requis
def bilan_pdf(request, uuid):
    dossier = dossier_visible(request, uuid, lecture=perms.peut_voir_bilan)
    exiger(perms.peut_exporter_bilan(request.membership, dossier))
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
    nom = slugify(f"bilan du parcours {dossier.demandeur.nom} {dossier.demandeur.prenom}")
    reponse["Content-Disposition"] = f'attachment; filename="{nom or "bilan"}.pdf"'
    return reponse
