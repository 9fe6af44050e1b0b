"""Pages de la protection des données : recherche d'une personne et export du droit
d'accès (administrateur du département). Voir docs/rgpd.md."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import ActionAudit
from accompagnement.pdf import rendre_pdf
from accompagnement.texte import normaliser
from accompagnement.vues import donnees_post, exiger, rendre_avec_htmx
from dossiers.models import Demandeur

from . import acces, perms
from .conservation import echeance_de
from .forms import ExportForm, RechercheForm
from .models import Anonymisation


@membership_requis
def personnes(request):
    """Trouver la personne qui exerce son droit : une recherche est exigée (pas de liste
    de tout le département), résultats paginés, nombre de requêtes constant."""
    exiger(perms.peut_exercer_droits(request.membership))
    audit.tracer_recherche(request, "droit_acces")
    form = RechercheForm(request.GET or None)
    recherche = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = None
    if recherche:
        qs = (
            Demandeur.objects.du_departement(request.departement)
            .filter(texte_recherche__contains=normaliser(recherche))
            .annotate(
                nb_dossiers=Count("dossiers"),
                anonymisee=Exists(Anonymisation.objects.filter(demandeur=OuterRef("pk"))),
            )
            .order_by("nom", "prenom", "pk")
        )
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return rendre_avec_htmx(
        request,
        "rgpd/personnes.html",
        "rgpd/_personnes_resultats.html",
        {"form": form, "recherche": recherche, "page": page},
    )


@membership_requis
def acces_personne(request, uuid):
    """Droit d'accès : page de confirmation, puis le fichier (PDF ou JSON), tracé."""
    exiger(perms.peut_exercer_droits(request.membership))
    demandeur = get_object_or_404(
        Demandeur.objects.select_related("departement"),
        uuid=uuid,
        departement=request.departement,
    )
    exiger(perms.peut_exporter_personne(request.membership, demandeur))
    form = ExportForm(donnees_post(request))
    if request.method == "POST" and form.is_valid():
        return _exporter(request, demandeur, form.cleaned_data)
    dernier_contact, echeance = echeance_de(demandeur)
    return render(
        request,
        "rgpd/acces.html",
        {
            "form": form,
            "demandeur": demandeur,
            "resume": acces.resume(demandeur),
            "dernier_contact": dernier_contact,
            "echeance": echeance,
            "anonymisee": Anonymisation.objects.filter(demandeur=demandeur).first(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _exporter(request, demandeur, donnees) -> HttpResponse:
    export = acces.exporter(demandeur)
    format_ = donnees["format"]
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=demandeur,
        details={
            "document": "droit_acces",
            "format": format_,
            "reference": donnees["reference"],
            "rubriques": len(export.rubriques),
        },
    )
    nom = f"droit-acces-{demandeur.uuid}"
    if format_ == "json":
        contenu = json.dumps(export.en_json(), ensure_ascii=False, indent=2)
        reponse = HttpResponse(contenu, content_type="application/json; charset=utf-8")
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.json"'
    else:
        contenu = rendre_pdf(
            "pdf/droit_acces.html", {"export": export}, base_url=settings.BASE_DIR / "static"
        )
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.pdf"'
    reponse["Cache-Control"] = "no-store"
    return reponse
