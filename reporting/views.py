"""Bilan d'un parcours : récapitulatif automatique, conclusion du binôme, export PDF."""

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit
from accompagnement.pdf import rendre_pdf
from accompagnement.taches import en_attente, envoyer_apres_commit
from accompagnement.vues import donnees_post, exiger, rendre_avec_htmx, traiter_formulaire
from conventions import lectures as conventions_lectures
from dossiers.journal import journaliser
from dossiers.models import TypeEvenement
from dossiers.parcours.lectures import dossier_visible

from . import exports, perms, services, tableau, tasks
from .bilan import recapituler
from .catalogue import CATALOGUE, PAR_CLE
from .forms import ConclusionForm, FiltresForm, RegenerationForm
from .models import (
    BilanParcours,
    EtatExport,
    EtatSynthese,
    ExportDiffere,
    RapportMensuel,
    SyntheseConvention,
)
from .tableau import Filtres


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
        # Le département courant : c'est celui du dossier (`dossier_visible`), sans requête.
        "departement": request.departement,
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
    reponse["Cache-Control"] = "no-store"  # comme le PDF du diagnostic : données sensibles
    return reponse


# --- Tableau de bord, listes des tuiles, rapports mensuels, exports ---------------------------


def _filtres(request) -> tuple[FiltresForm, Filtres]:
    form = FiltresForm(request.GET or None, departement=request.departement)
    filtres = Filtres(mois=tableau.mois_par_defaut())
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        filtres = Filtres(
            mois=c["mois"] or filtres.mois,
            territoire=c["territoire"],
            agence=c["agence"],
            axe=c["axe"],
        )
    return form, filtres


@membership_requis
def tableau_de_bord(request):
    exiger(perms.peut_voir_tableau_de_bord(request.membership))
    form, filtres = _filtres(request)
    chiffres = tableau.chiffres(request.departement, filtres)
    return render(
        request,
        "reporting/tableau/tableau.html",
        {
            "form": form,
            "filtres": filtres,
            "mois_proposes": form.mois_proposes(filtres.mois),
            "tuiles": tableau.tuiles(request.departement, filtres, chiffres),
            "graphiques": tableau.graphiques(request.departement, filtres, chiffres),
            "rapport_fige": chiffres.rapport,
            "files": tableau.files_comptees(request.membership),
            "catalogue": CATALOGUE,
        },
    )


def _indicateur_de_liste(request):
    ind = PAR_CLE.get(request.GET.get("indicateur", ""))
    if ind is None or not ind.tuile:
        raise Http404("Indicateur inconnu.")
    return ind


@membership_requis
def liste_tuile(request):
    exiger(perms.peut_voir_tableau_de_bord(request.membership))
    ind = _indicateur_de_liste(request)
    form, filtres = _filtres(request)
    qs = exports.elements(ind, tableau.liste(request.departement, filtres, ind))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    lignes = [
        {"objet": o, "dossier": exports.dossier_de(ind, o), "date": exports.date_element(o)}
        for o in page
    ]
    audit.enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        details={
            "page": "liste du tableau de bord",
            "indicateur": ind.cle,
            "filtres": filtres.requete(),
        },
    )
    return render(
        request,
        "reporting/tableau/liste.html",
        {
            "ind": ind,
            "filtres": filtres,
            "page": page,
            "lignes": lignes,
            "publie": tableau.chiffre_publie(request.departement, filtres, ind),
            "form": form,
            "peut_nominatif": perms.peut_exporter_nominatif(request.membership),
            "seuil_differe": settings.REPORTING_SEUIL_EXPORT_DIFFERE,
            "conservation": settings.REPORTING_EXPORT_CONSERVATION_JOURS,
        },
    )


def _reponse_fichier(contenu: bytes, nom: str, format_: str) -> HttpResponse:
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    reponse = HttpResponse(contenu, content_type=types[format_])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format_}"'
    return reponse


def _format(request) -> str:
    format_ = request.GET.get("format", "")
    if format_ not in ("csv", "xlsx"):
        raise Http404("Format d'export inconnu.")
    return format_


@membership_requis
def export_liste(request):
    exiger(perms.peut_exporter_liste(request.membership))
    ind = _indicateur_de_liste(request)
    format_ = _format(request)
    nominatif = request.GET.get("nominatif") == "1"
    exiger(not nominatif or perms.peut_exporter_nominatif(request.membership))
    _form, filtres = _filtres(request)
    qs = tableau.liste(request.departement, filtres, ind)
    nombre = qs.count()
    if nombre > settings.REPORTING_SEUIL_EXPORT_DIFFERE:
        return _export_differe(request, ind, filtres, format_, nominatif, nombre)
    lignes = list(exports.lignes_de_liste(ind, qs, filtres.mois, nominatif))
    entetes = exports.entetes_de_liste(nominatif)
    contenu = (
        exports.ecrire_csv(entetes, lignes)
        if format_ == "csv"
        else exports.ecrire_xlsx(ind.libelle, entetes, lignes)
    )
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        departement=request.departement,
        details={
            "export": "liste",
            "indicateur": ind.cle,
            "filtres": filtres.requete(),
            "format": format_,
            "nominatif": nominatif,
            "lignes": len(lignes),
        },
    )
    return _reponse_fichier(contenu, f"{ind.cle}-{filtres.mois}", format_)


def _export_differe(request, ind, filtres, format_, nominatif, nombre):
    """Au-delà du seuil : l'export est enregistré et produit par une tâche ; la page de
    l'export montre sa progression."""
    with transaction.atomic():
        export = services.demander_export(
            par=request.membership,
            indicateur=ind.cle,
            filtres=filtres.requete(),
            format_=format_,
            nominatif=nominatif,
            lignes=nombre,
        )
        envoi = envoyer_apres_commit(tasks.produire_export, export.pk)
    # Hors de toute transaction, l'envoi a déjà été tenté (à la validation ci-dessus).
    if not transaction.get_connection().in_atomic_block and en_attente(envoi):
        messages.warning(
            request,
            "Le service de calcul est momentanément injoignable : l'export est enregistré "
            "« en attente » et partira dès son retour. Cette page indique son état.",
        )
    else:
        messages.info(
            request,
            f"L'export compte {nombre:,} lignes : il est préparé en arrière-plan. ".replace(
                ",", "\u202f"
            )
            + "Cette page indique sa progression.",
        )
    return redirect("reporting:export_differe", uuid=export.uuid)


def _export_du_demandeur(request, uuid) -> ExportDiffere:
    """Un export différé n'existe que pour celui qui l'a demandé (404 pour tout autre
    compte, animatrice comprise), et seulement pendant sa conservation."""
    return get_object_or_404(
        ExportDiffere.objects.du_demandeur(request.user)
        .filter(expire_le__gt=timezone.now())
        .defer("fichier"),
        uuid=uuid,
    )


@membership_requis
def export_differe(request, uuid):
    export = _export_du_demandeur(request, uuid)
    ind = PAR_CLE.get(export.indicateur)
    f = tasks.filtres_de(export)
    filtres = ", ".join(
        str(x) for x in (f.mois.libelle, f.territoire, f.agence, f.axe and f"axe {f.axe}") if x
    )
    gabarit = (
        "reporting/tableau/_export_etat.html"
        if request.headers.get("HX-Request")
        else "reporting/tableau/export.html"
    )
    return render(
        request,
        gabarit,
        {
            "export": export,
            "ind": ind,
            "filtres": filtres,
            "conservation": settings.REPORTING_EXPORT_CONSERVATION_JOURS,
        },
    )


@membership_requis
def mes_exports(request):
    exiger(perms.peut_exporter_liste(request.membership))
    qs = (
        ExportDiffere.objects.du_demandeur(request.user)
        .filter(expire_le__gt=timezone.now())
        .defer("fichier")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    for e in page:
        e.libelle = PAR_CLE[e.indicateur].libelle if e.indicateur in PAR_CLE else e.indicateur
    return render(
        request,
        "reporting/tableau/mes_exports.html",
        {"page": page, "seuil": settings.REPORTING_SEUIL_EXPORT_DIFFERE},
    )


@membership_requis
def telecharger_export(request, uuid):
    export = _export_du_demandeur(request, uuid)
    if export.etat != EtatExport.TERMINE:
        raise Http404("Cet export n'est pas encore prêt.")
    contenu = ExportDiffere.objects.values_list("fichier", flat=True).get(pk=export.pk)
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=export,
        departement=export.departement,
        details={
            "export": "liste différée téléchargée",
            "indicateur": export.indicateur,
            "filtres": export.filtres,
            "format": export.format,
            "nominatif": export.nominatif,
            "lignes": export.lignes_total,
        },
    )
    return _reponse_fichier(bytes(contenu), f"{export.indicateur}-{export.uuid}", export.format)


@membership_requis
def rapports(request):
    exiger(perms.perimetres_de_rapport(request.membership) is not None)
    page = Paginator(tableau.rapports_lisibles(request.membership), 30).get_page(
        request.GET.get("page")
    )
    courants = tableau.versions_courantes(list(page))
    return render(
        request,
        "reporting/tableau/rapports.html",
        {
            "page": page,
            "courants": courants,
            "peut_regenerer": perms.peut_regenerer_rapport(
                request.membership, request.departement.pk
            ),
        },
    )


def _rapport_lisible(request, uuid) -> RapportMensuel:
    rapport = get_object_or_404(tableau.rapports_lisibles(request.membership), uuid=uuid)
    return RapportMensuel.objects.get(pk=rapport.pk)


@membership_requis
def rapport(request, uuid):
    """La page d'un rapport figé : ses chiffres (rien n'est recalculé), comparaisons,
    graphiques, ventilations d'un indicateur au choix, versions et téléchargements."""
    rapport = get_object_or_404(
        tableau.rapports_lisibles(request.membership).defer(None).defer("pdf"), uuid=uuid
    )
    vue = tableau.page_de_rapport(rapport, request.GET.get("indicateur", ""))
    audit.enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        objet=rapport,
        details={"page": "rapport mensuel", "indicateur": vue["choisi"]["cle"]},
    )
    return render(
        request,
        "reporting/tableau/rapport.html",
        {
            "rapport": rapport,
            **vue,
            "peut_regenerer": perms.peut_regenerer_rapport(
                request.membership, rapport.departement_id
            ),
        },
    )


@membership_requis
def rapport_pdf(request, uuid):
    rapport = _rapport_lisible(request, uuid)
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=rapport,
        details={"export": "rapport", "format": "pdf"},
    )
    return _reponse_fichier(
        bytes(rapport.pdf), f"rapport-{rapport.mois:%Y-%m}-v{rapport.version}", "pdf"
    )


@membership_requis
def export_rapport(request, uuid):
    rapport = _rapport_lisible(request, uuid)
    format_ = _format(request)
    lignes = list(exports.lignes_de_rapport(rapport))
    entetes = exports.COLONNES_RAPPORT
    contenu = (
        exports.ecrire_csv(entetes, lignes)
        if format_ == "csv"
        else exports.ecrire_xlsx(f"Rapport {rapport.mois:%m-%Y}", entetes, lignes)
    )
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=rapport,
        details={"export": "rapport", "format": format_, "lignes": len(lignes)},
    )
    return _reponse_fichier(contenu, f"rapport-{rapport.mois:%Y-%m}-v{rapport.version}", format_)


@membership_requis
def regenerer_rapport(request, uuid):
    rapport = _rapport_lisible(request, uuid)
    exiger(perms.peut_regenerer_rapport(request.membership, rapport.departement_id))
    form = RegenerationForm(donnees_post(request))
    version = services.prochaine_version(rapport)

    def executer(c):
        args = (
            rapport.departement_id,
            rapport.structure_id,
            f"{rapport.mois:%Y-%m}",
            version,
            c["motif"],
            request.membership.pk,
        )
        # Vérifie le droit et le motif tout de suite ; le calcul part après la transaction.
        if not c["motif"].strip():
            raise ErreurMetier("Indiquez pourquoi le rapport est régénéré.")
        # Broker injoignable : la demande reste en attente et part à son retour.
        envoyer_apres_commit(tasks.generer_rapport_mensuel, *args)

    return traiter_formulaire(
        request,
        form,
        executer=executer,
        succes=f"Régénération lancée : la version {version} apparaîtra dans la liste.",
        suite=reverse("reporting:rapports"),
        gabarit="reporting/tableau/regenerer.html",
        contexte=lambda: {"rapport": rapport, "version": version},
        champ_erreur="motif",
    )


# --- Synthèse PDF d'une convention -------------------------------------------------------------

SYNTHESES_PAR_PAGE = 10


def _convention_gerable(request, uuid):
    """La convention du département courant (404 sinon), si le rattachement en gère les
    synthèses (403 sinon)."""
    convention = conventions_lectures.convention_detaillee(request.departement, uuid)
    exiger(perms.peut_generer_synthese(request.membership, convention))
    return convention


def _syntheses(request, convention, **contexte):
    qs = SyntheseConvention.objects.de_la_convention(convention).select_related("demandee_par")
    page = Paginator(qs.defer("chiffres"), SYNTHESES_PAR_PAGE).get_page(request.GET.get("page"))
    return rendre_avec_htmx(
        request,
        "reporting/synthese/syntheses.html",
        "reporting/synthese/_syntheses.html",
        {
            "convention": convention,
            "page": page,
            "en_cours": any(not s.fini for s in page),
            **contexte,
        },
    )


@membership_requis
def syntheses_convention(request, uuid):
    """Les versions de la synthèse d'une convention et leur état ; le bloc se recharge
    (htmx, toutes les 2 s) tant qu'une génération est en attente ou en cours."""
    return _syntheses(request, _convention_gerable(request, uuid))


@membership_requis
@require_POST
def synthese_generer(request, uuid):
    convention = _convention_gerable(request, uuid)
    synthese, creee = services.demander_synthese(convention=convention, par=request.membership)
    if creee:
        # Broker injoignable : la demande reste en attente et part à son retour (décision 80).
        envoyer_apres_commit(tasks.generer_synthese_convention, synthese.pk)
        message = f"Génération de la version {synthese.version} lancée."
    else:
        message = (
            f"La version {synthese.version} est déjà en cours de génération : "
            "elle n'est pas lancée une seconde fois."
        )
    if request.htmx:
        return _syntheses(request, convention, message=message)
    messages.success(request, message)
    return redirect(reverse("conventions:convention", args=[convention.uuid]) + "#syntheses")


@membership_requis
def synthese_telecharger(request, uuid):
    """Seule porte vers le fichier : droits, fichier complet (taille et empreinte de la
    ligne), audit de chaque téléchargement."""
    synthese = get_object_or_404(
        SyntheseConvention.objects.filter(departement=request.departement)
        .select_related("convention")
        .defer("chiffres"),
        uuid=uuid,
    )
    exiger(perms.peut_lire_synthese(request.membership, synthese))
    if synthese.etat != EtatSynthese.PRETE:
        raise Http404("Cette synthèse n'est pas prête.")
    try:
        with default_storage.open(synthese.chemin, "rb") as fichier:
            contenu = fichier.read()
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    if len(contenu) != synthese.taille:
        raise Http404("Fichier incomplet.")
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        request=request,
        objet=synthese,
        departement=synthese.departement,
        details={
            "export": "synthèse de convention",
            "convention": str(synthese.convention.uuid),
            "version": synthese.version,
            "format": "pdf",
        },
    )
    reponse = _reponse_fichier(contenu, synthese.nom_de_fichier.removesuffix(".pdf"), "pdf")
    reponse["Cache-Control"] = "private, no-store"
    return reponse
