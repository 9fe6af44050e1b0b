"""Suivi d'un dossier en accompagnement : plan d'action, notes, rendez-vous, documents,
aides. Lectures dans le périmètre du rattachement (404 au-delà), droit vérifié par
dossiers.perms (403), écritures par les services de dossiers/suivi.py (refus métier →
message clair, saisie conservée). Chaque page lue est tracée dans l'audit."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import ActionAudit
from accompagnement.vues import donnees_post, exiger, page_action
from dossiers.models import (
    Action,
    AideFinanciere,
    DemandeImportante,
    Document,
    Note,
    Objectif,
    Presence,
    RendezVous,
    StatutAction,
)
from dossiers.parcours.forms import ConfirmationForm
from dossiers.parcours.lectures import dossier_visible
from dossiers.suivi import aides as aides_suivi
from dossiers.suivi import documents as documents_suivi
from dossiers.suivi import forms as forms_suivi
from dossiers.suivi import perms
from dossiers.suivi import services as suivi
from dossiers.suivi.lectures import (
    ACTIONS_PAR_OBJECTIF_PLAN,
    freins_a_proposer,
    objectifs_du_plan,
    ressources_pour_action,
)

NOTES_PAR_PAGE = 20
RDV_PAR_PAGE = 20


def _lecture(request, uuid, vue: str):
    """Le dossier, si le rattachement voit son suivi ; la lecture est tracée."""
    dossier = dossier_visible(request, uuid)
    exiger(perms.peut_voir_suivi(request.membership, dossier))
    audit.enregistrer(
        action=ActionAudit.LECTURE, request=request, objet=dossier, details={"suivi": vue}
    )
    return dossier


def _ecriture(request, uuid, autorise=perms.peut_ecrire_suivi):
    dossier = dossier_visible(request, uuid)
    exiger(autorise(request.membership, dossier))
    return dossier


def _formulaire(request, dossier, form, *, retour, **page):
    """Formulaire → service → retour à la page du suivi ; un conflit d'édition répond 409."""
    return page_action(
        request,
        form,
        gabarit="dossiers/suivi/formulaire.html",
        suite=retour,
        dossier=dossier,
        retour=retour,
        **page,
    )


def _retour(nom, dossier) -> str:
    return reverse(f"dossiers:{nom}", args=[dossier.uuid])


# --- Plan d'action -------------------------------------------------------------------------


@membership_requis
def plan(request, uuid):
    dossier = _lecture(request, uuid, "plan")
    m = request.membership
    objectifs = objectifs_du_plan(
        m, dossier, limite=ACTIONS_PAR_OBJECTIF_PLAN, deplie=request.GET.get("objectif")
    )
    peut_ecrire = perms.peut_ecrire_suivi(m, dossier)
    contexte = {
        "dossier": dossier,
        "objectifs": objectifs,
        "en_retard": sum(o.nb_en_retard for o in objectifs),
        "peut_ecrire": peut_ecrire,
        "freins_proposes": freins_a_proposer(dossier, objectifs) if peut_ecrire else [],
    }
    return render(request, "dossiers/suivi/plan.html", contexte)


@membership_requis
def objectif_ajouter(request, uuid):
    dossier = _ecriture(request, uuid)
    form = forms_suivi.ObjectifForm(donnees_post(request))
    return _formulaire(
        request,
        dossier,
        form,
        titre="Ajouter un objectif au plan d'action",
        bouton="Ajouter l'objectif",
        executer=lambda d: suivi.ajouter_objectif(dossier=dossier, par=request.membership, **d),
        succes="Objectif ajouté au plan d'action.",
        retour=_retour("suivi_plan", dossier),
    )


@membership_requis
def action_ajouter(request, uuid, objectif):
    dossier = _ecriture(request, uuid)
    objectif = get_object_or_404(Objectif, uuid=objectif, dossier=dossier)
    # Un objectif d'un domaine sensible dont on ne lit pas l'intitulé ne reçoit pas d'action
    # de sa main : on agirait à l'aveugle sous un titre qu'on n'a pas le droit de lire.
    exiger(perms.peut_lire_detail_objectif(request.membership, objectif))
    form = forms_suivi.ActionForm(
        donnees_post(request), dossier=dossier, objectif=objectif, membership=request.membership
    )

    def executer(d):
        d.pop("version", None)
        suivi.ajouter_action(objectif=objectif, par=request.membership, **d)

    return _formulaire(
        request,
        dossier,
        form,
        titre="Ajouter une action",
        intro=f"Objectif : {objectif.intitule}",
        bouton="Ajouter l'action",
        executer=executer,
        succes="Action ajoutée au plan.",
        retour=_retour("suivi_plan", dossier),
    )


@membership_requis
def ressources_action(request, uuid, objectif):
    """Résultats du sélecteur « Ressource mobilisée » (partiel htmx ; la page entière du
    formulaire sans htmx) : mêmes droits que l'ajout d'une action sous cet objectif."""
    dossier = _ecriture(request, uuid)
    objectif = get_object_or_404(Objectif, uuid=objectif, dossier=dossier)
    exiger(perms.peut_lire_detail_objectif(request.membership, objectif))
    contexte = ressources_pour_action(
        dossier=dossier,
        objectif=objectif,
        texte=request.GET.get("ressource_q", "")[:200],
        choisi=request.GET.get("ressource", ""),
    )
    contexte |= {"name": "ressource", "id": "id_ressource"}
    return render(request, "dossiers/suivi/_resultats_ressource.html", contexte)


def _action_du_dossier(request, uuid, action):
    dossier = _ecriture(request, uuid)
    action = get_object_or_404(
        Action.objects.select_related("objectif", "responsable", "ressource"),
        uuid=action,
        dossier=dossier,
    )
    exiger(perms.peut_lire_detail_objectif(request.membership, action.objectif))
    return dossier, action


@membership_requis
def action_modifier(request, uuid, action):
    dossier, action = _action_du_dossier(request, uuid, action)
    initial = {nom: getattr(action, nom) for nom in ("intitule", "cote", "commentaire")}
    initial |= {
        "responsable": action.responsable_id,
        "ressource": action.ressource,
        "date_debut": action.date_debut,
        "date_fin_prevue": action.date_fin_prevue,
        "version": action.version,
    }
    form = forms_suivi.ActionForm(
        donnees_post(request),
        dossier=dossier,
        objectif=action.objectif,
        membership=request.membership,
        initial=initial,
    )

    def executer(d):
        version = d.pop("version")
        suivi.modifier_action(action=action, par=request.membership, version=version, **d)

    return _formulaire(
        request,
        dossier,
        form,
        titre=f"Modifier l'action « {action.intitule} »",
        bouton="Enregistrer",
        executer=executer,
        succes="Action mise à jour.",
        retour=_retour("suivi_plan", dossier),
    )


@membership_requis
def action_statut(request, uuid, action):
    dossier, action = _action_du_dossier(request, uuid, action)
    form = forms_suivi.StatutActionForm(
        donnees_post(request), action=action, initial={"version": action.version}
    )
    return _formulaire(
        request,
        dossier,
        form,
        titre=f"Statut de l'action « {action.intitule} »",
        intro=f"Statut actuel : {action.get_statut_display().lower()}.",
        bouton="Changer le statut",
        executer=lambda d: suivi.changer_statut_action(
            action=action, par=request.membership, statut=StatutAction(d["statut"]), **_sans(d)
        ),
        succes="Statut de l'action mis à jour.",
        retour=_retour("suivi_plan", dossier),
    )


def _sans(donnees: dict, cle: str = "statut") -> dict:
    return {k: v for k, v in donnees.items() if k != cle}


# --- Notes ---------------------------------------------------------------------------------


@membership_requis
def notes(request, uuid):
    """Les notes lisibles, et le formulaire pour en écrire une (envoyé ici même)."""
    m = request.membership
    if request.method == "POST":
        dossier = _ecriture(request, uuid, perms.peut_ajouter_note)
        return _formulaire(
            request,
            dossier,
            forms_suivi.NoteForm(request.POST, membership=m),
            titre="Ajouter une note",
            bouton="Enregistrer la note",
            executer=lambda d: suivi.ajouter_note(dossier=dossier, par=m, **d),
            succes="Note enregistrée.",
            retour=_retour("suivi_notes", dossier),
        )
    dossier = _lecture(request, uuid, "notes")
    lisibles = Note.objects.filter(dossier=dossier).lisibles_par(m).select_related("auteur")
    contexte = {
        "dossier": dossier,
        "page": Paginator(lisibles, NOTES_PAR_PAGE).get_page(request.GET.get("page")),
        "form": forms_suivi.NoteForm(membership=m) if perms.peut_ajouter_note(m, dossier) else None,
    }
    return render(request, "dossiers/suivi/notes.html", contexte)


# --- Rendez-vous ---------------------------------------------------------------------------


@membership_requis
def rendez_vous(request, uuid):
    """Les rendez-vous à venir (peu nombreux), puis les passés par pages : un dossier
    suivi depuis des années en a des centaines (ticket #14). Quatre requêtes par page."""
    dossier = _lecture(request, uuid, "rendez_vous")
    maintenant = timezone.now()
    base = (
        RendezVous.objects.filter(dossier=dossier)
        .select_related("presence_notee_par")
        .prefetch_related("participants")
    )
    a_venir = base.a_venir(maintenant).order_by("debut", "pk")
    passes = base.exclude(presence=Presence.PREVU, debut__gte=maintenant).order_by("-debut", "-pk")
    contexte = {
        "dossier": dossier,
        "a_venir": list(a_venir),
        "page": Paginator(passes, RDV_PAR_PAGE).get_page(request.GET.get("page")),
        "peut_ecrire": perms.peut_ecrire_suivi(request.membership, dossier),
    }
    return render(request, "dossiers/suivi/rendez_vous.html", contexte)


@membership_requis
def rendez_vous_ajouter(request, uuid):
    dossier = _ecriture(request, uuid)
    form = forms_suivi.RendezVousForm(
        donnees_post(request), dossier=dossier, membership=request.membership
    )
    return _formulaire(
        request,
        dossier,
        form,
        titre="Planifier un rendez-vous",
        bouton="Planifier",
        executer=lambda d: suivi.planifier_rendez_vous(
            dossier=dossier, par=request.membership, **d
        ),
        succes="Rendez-vous planifié.",
        retour=_retour("suivi_rendez_vous", dossier),
    )


@membership_requis
def rendez_vous_presence(request, uuid, rendez_vous):
    dossier = _ecriture(request, uuid)
    rdv = get_object_or_404(RendezVous, uuid=rendez_vous, dossier=dossier)
    form = forms_suivi.PresenceForm(donnees_post(request), rendez_vous=rdv)
    return _formulaire(
        request,
        dossier,
        form,
        titre=f"Présence au rendez-vous du {rdv.debut:%d/%m/%Y}",
        intro=str(rdv),
        bouton="Enregistrer",
        executer=lambda d: suivi.noter_presence(
            rendez_vous=rdv, par=request.membership, presence=d["presence"]
        ),
        succes="Présence enregistrée.",
        retour=_retour("suivi_rendez_vous", dossier),
    )


# --- Documents -----------------------------------------------------------------------------


@membership_requis
def documents(request, uuid):
    dossier = _lecture(request, uuid, "documents")
    lisibles = list(
        Document.objects.filter(dossier=dossier)
        .lisibles_par(request.membership)
        .select_related("depose_par")
    )
    contexte = {
        "dossier": dossier,
        "documents": lisibles,
        "peut_ecrire": perms.peut_ecrire_suivi(request.membership, dossier),
    }
    return render(request, "dossiers/suivi/documents.html", contexte)


@membership_requis
def document_deposer(request, uuid):
    dossier = _ecriture(request, uuid)
    donnees = donnees_post(request)
    form = forms_suivi.DocumentForm(
        donnees, request.FILES if donnees is not None else None, membership=request.membership
    )
    return _formulaire(
        request,
        dossier,
        form,
        titre="Déposer un document",
        intro="Le type du fichier est vérifié à son contenu. Le binôme est prévenu du dépôt.",
        bouton="Déposer",
        multipart=True,
        executer=lambda d: documents_suivi.deposer_document(
            dossier=dossier, par=request.membership, **d
        ),
        succes="Document déposé.",
        retour=_retour("suivi_documents", dossier),
    )


def _document(request, uuid, document, *, ecriture=False):
    dossier = _ecriture(request, uuid) if ecriture else dossier_visible(request, uuid)
    document = get_object_or_404(Document, uuid=document, dossier=dossier)
    document.dossier = dossier  # affectations préchargées : les droits sans requête
    exiger(perms.peut_lire_document(request.membership, document))
    return dossier, document


@membership_requis
def document_telecharger(request, uuid, document):
    """Seule porte vers le fichier : droits, audit de chaque téléchargement, en-têtes qui
    empêchent le navigateur de l'interpréter (pièce jointe, nosniff, bac à sable)."""
    dossier, document = _document(request, uuid, document)
    try:
        contenu = default_storage.open(document.chemin, "rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    audit.enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        objet=document,
        details={"telechargement": True, "dossier": str(dossier.uuid)},
    )
    response = FileResponse(
        contenu,
        as_attachment=True,
        filename=documents_suivi.nom_de_telechargement(document),
        content_type=document.type_mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@membership_requis
def document_supprimer(request, uuid, document):
    dossier, document = _document(request, uuid, document, ecriture=True)
    exiger(perms.peut_supprimer_document(request.membership, document))
    return _formulaire(
        request,
        dossier,
        ConfirmationForm(donnees_post(request)),
        titre=f"Supprimer le document « {document.nom_origine} » ?",
        intro="Le fichier sera supprimé définitivement ; le journal gardera la trace de la suppression.",
        bouton="Supprimer définitivement",
        danger=True,
        executer=lambda _: documents_suivi.supprimer_document(
            document=document, par=request.membership
        ),
        succes="Document supprimé.",
        retour=_retour("suivi_documents", dossier),
    )


# --- Aides ---------------------------------------------------------------------------------


@membership_requis
def aides(request, uuid):
    dossier = _lecture(request, uuid, "aides")
    contexte = {
        "dossier": dossier,
        "aides": list(
            AideFinanciere.objects.filter(dossier=dossier).select_related(
                "demande_par", "decision_par"
            )
        ),
        "demandes": list(
            DemandeImportante.objects.filter(dossier=dossier).select_related(
                "cree_par", "modifie_par"
            )
        ),
        "peut_ecrire": perms.peut_ecrire_suivi(request.membership, dossier),
    }
    return render(request, "dossiers/suivi/aides.html", contexte)


@membership_requis
def aide_demander(request, uuid):
    dossier = _ecriture(request, uuid)
    return _formulaire(
        request,
        dossier,
        forms_suivi.AideForm(donnees_post(request)),
        titre="Demande d'aide financière ponctuelle",
        intro="Procédure légère : la demande, puis la décision et le montant accordé.",
        bouton="Enregistrer la demande",
        executer=lambda d: aides_suivi.demander_aide(dossier=dossier, par=request.membership, **d),
        succes="Demande d'aide enregistrée.",
        retour=_retour("suivi_aides", dossier),
    )


@membership_requis
def aide_decider(request, uuid, aide):
    dossier = _ecriture(request, uuid)
    aide = get_object_or_404(AideFinanciere, uuid=aide, dossier=dossier)
    return _formulaire(
        request,
        dossier,
        forms_suivi.DecisionAideForm(donnees_post(request)),
        titre=f"Décision sur l'aide de {aide.montant_demande_affiche}",
        intro=f"Demandée le {aide.date_demande:%d/%m/%Y} — motif : {aide.motif}",
        bouton="Enregistrer la décision",
        executer=lambda d: aides_suivi.decider_aide(
            aide=aide,
            par=request.membership,
            accorder=d["decision"] == "accorder",
            montant_accorde=d["montant_accorde"],
            date_decision=d["date_decision"],
            commentaire=d["commentaire"],
        ),
        succes="Décision enregistrée.",
        retour=_retour("suivi_aides", dossier),
    )


@membership_requis
def demande_importante_creer(request, uuid):
    dossier = _ecriture(request, uuid)
    return _formulaire(
        request,
        dossier,
        forms_suivi.DemandeImportanteForm(donnees_post(request)),
        titre="Préparer une demande importante",
        intro="Expulsion locative, déscolarisation d'un enfant… La demande reste en brouillon jusqu'à sa transmission.",
        bouton="Enregistrer le brouillon",
        executer=lambda d: aides_suivi.creer_demande_importante(
            dossier=dossier, par=request.membership, **d
        ),
        succes="Demande enregistrée en brouillon.",
        retour=_retour("suivi_aides", dossier),
    )


@membership_requis
def demande_importante_statut(request, uuid, demande):
    dossier = _ecriture(request, uuid)
    demande = get_object_or_404(DemandeImportante, uuid=demande, dossier=dossier)
    return _formulaire(
        request,
        dossier,
        forms_suivi.StatutDemandeImportanteForm(donnees_post(request), demande=demande),
        titre=f"Demande « {demande.get_type_display()} »",
        intro=f"Statut actuel : {demande.get_statut_display().lower()}.",
        bouton="Changer le statut",
        executer=lambda d: aides_suivi.changer_statut_demande_importante(
            demande=demande, par=request.membership, **d
        ),
        succes="Statut de la demande mis à jour.",
        retour=_retour("suivi_aides", dossier),
    )
