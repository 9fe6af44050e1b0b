from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit, lectures, perms, selecteurs
from .celery import app as celery_app
from .decorators import membership_requis
from .forms import ChoixStructureForm, FiltreAuditForm
from .middleware import SESSION_KEY
from .models import ActionAudit, Membership, Notification, Role, Structure
from .vues import exiger, rendre_avec_htmx


@membership_requis
def accueil(request):
    membership = request.membership
    contexte = {
        "collegues": Membership.objects.actifs()
        .filter(structure=membership.structure)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("user__nom", "user__prenom")[:50],
    }
    if perms.peut_voir_tableau_departement(membership):
        compte = {
            role: Count("memberships", filter=Q(memberships__role=role, memberships__actif=True))
            for role in Role.values
        }
        contexte["structures"] = (
            Structure.objects.du_departement(request.departement).actives().annotate(**compte)
        )
    return render(request, f"accompagnement/accueil/{membership.role}.html", contexte)


def choisir_structure(request):
    suivant = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(suivant, {request.get_host()}, request.is_secure()):
        suivant = ""
    form = ChoixStructureForm(request.POST or None, memberships=request.memberships)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data["membership"]
        request.session[SESSION_KEY] = str(membership.uuid)
        request.membership = membership
        audit.enregistrer(
            action=ActionAudit.CHOIX_STRUCTURE, request=request, objet=membership.structure
        )
        messages.success(
            request,
            f"Vous travaillez pour : {membership.structure.nom} ({membership.get_role_display()}).",
        )
        return redirect(suivant or "accueil")
    if not request.memberships:
        return render(request, "accompagnement/sans_rattachement.html", status=403)
    return render(request, "accompagnement/choisir_structure.html", {"form": form, "next": suivant})


@membership_requis
def annuaire(request):
    recherche = request.GET.get("q", "").strip()[:100]
    audit.tracer_recherche(request, "annuaire")
    qs = (
        Membership.objects.actifs()
        .filter(structure__departement=request.departement)
        .select_related("user", "structure")
        .order_by("user__nom", "user__prenom", "structure__nom")
    )
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    if recherche:
        qs = qs.filter(
            Q(user__nom__icontains=recherche)
            | Q(user__prenom__icontains=recherche)
            | Q(structure__nom__icontains=recherche)
        )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return rendre_avec_htmx(
        request,
        "accompagnement/annuaire.html",
        "accompagnement/includes/_annuaire_resultats.html",
        {"page": page, "recherche": recherche, "roles": Role.choices, "role": role},
    )


def _vide(request) -> str | None:
    vide = request.GET.get("vide")
    return None if vide is None else vide[:60]


@membership_requis
@require_GET
def recherche_professionnels(request):
    """Résultats du sélecteur de professionnel (partiel htmx) : les rattachements actifs du
    département courant aux rôles demandés, comme l'annuaire (tout rattachement le voit).
    Le formulaire qui reçoit le choix le valide de nouveau contre son propre queryset."""
    exiger(perms.peut_voir_annuaire(request.membership))
    name = request.GET.get("name", "")
    if not selecteurs.NOM_DE_CHAMP.match(name):
        name = "professionnel"
    roles = selecteurs.roles_valides(request.GET.get("roles", "").split(","))
    queryset = selecteurs.professionnels_actifs(request.departement, roles)
    if request.GET.get("charge") == "1":
        queryset = selecteurs.avec_charge(queryset)
    contexte = selecteurs.proposer(
        queryset,
        texte=request.GET.get(f"{name}_q", ""),
        choisi=request.GET.get(name, ""),
    )
    identifiant = request.GET.get("id", "")
    if not selecteurs.NOM_DE_CHAMP.match(identifiant):
        identifiant = f"id_{name}"
    contexte |= {"name": name, "id": identifiant, "vide": _vide(request)}
    return render(request, "components/_resultats_professionnel.html", contexte)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Sonde de santé : 200 si la base répond, 503 sinon. Le broker est signalé sans
    rendre le service indisponible (les pages restent utilisables sans lui)."""
    etat = {"database": "ok", "broker": "ok"}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # toute panne de base doit donner 503, jamais une page d'erreur
        etat["database"] = f"indisponible : {exc.__class__.__name__}"
    if celery_app.conf.task_always_eager:
        etat["broker"] = "aucun (tâches exécutées immédiatement)"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            etat["broker"] = f"indisponible : {exc.__class__.__name__}"
    ok = etat["database"] == "ok"
    broker_ko = etat["broker"].startswith("indisponible")
    etat["status"] = "ko" if not ok else ("degrade" if broker_ko else "ok")
    return JsonResponse(etat, status=200 if ok else 503)


def notifications(request):
    """Boîte de réception : non lues d'abord, puis les plus récentes."""
    qs = Notification.objects.filter(destinataire=request.user).order_by(
        models.F("lue_le").asc(nulls_first=True), "-cree_le", "-pk"
    )
    if request.GET.get("non_lues"):
        qs = qs.non_lues()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accompagnement/notifications.html", {"page": page})


@require_POST
def notification_ouvrir(request, uuid):
    """Marque lue puis suit le lien (chemin interne seulement)."""
    notification = get_object_or_404(Notification, uuid=uuid, destinataire=request.user)
    if notification.lue_le is None:
        notification.lue_le = timezone.now()
        notification.save(update_fields=["lue_le"])
    lien = notification.lien
    if lien.startswith("/") and not lien.startswith("//"):
        return redirect(lien)
    return redirect("notifications")


@require_POST
def notifications_tout_lire(request):
    nombre = (
        Notification.objects.filter(destinataire=request.user)
        .non_lues()
        .update(lue_le=timezone.now())
    )
    messages.success(
        request,
        f"{nombre} notification{'s' if nombre > 1 else ''} marquée{'s' if nombre > 1 else ''} comme lue{'s' if nombre > 1 else ''}.",
    )
    return redirect("notifications")


@membership_requis
@require_GET
def journal_audit(request):
    """Journal d'audit du département : accès (consultations, exports, connexions, actions)
    et modifications des données (avant → après), filtrables, du plus récent au plus
    ancien, par pages de 50 (curseur). Animatrice et administrateur, leur département."""
    exiger(perms.peut_consulter_audit(request.membership))
    departement = request.departement
    form = FiltreAuditForm(request.GET or None, departement=departement)
    filtres = lectures.Filtres()
    personnes = None
    if form.is_bound and form.is_valid():
        donnees = form.cleaned_data
        if donnees["personne"]:
            personnes = lectures.chercher_personnes(departement, donnees["personne"])
            filtres.personnes = [pk for pk, _ in personnes]
        utilisateur = donnees["utilisateur"]
        filtres.utilisateur = utilisateur.pk if utilisateur else None
        filtres.debut, filtres.fin = donnees["du"], donnees["au"]
        filtres.action = donnees["action"]
        filtres.source = donnees["source"]
    page = None
    if not form.errors:
        page = lectures.page_d_audit(
            departement, filtres, lectures.Curseur.lire(request.GET.get("apres"))
        )
    suivant = None
    if page is not None and page.suivant:
        parametres = request.GET.copy()
        parametres["apres"] = page.suivant
        suivant = f"?{parametres.urlencode()}"
    debut = request.GET.copy()
    debut.pop("apres", None)
    termes = audit.termes_cherches(request)
    audit.enregistrer(
        action=ActionAudit.LECTURE,
        request=request,
        details={"page": "audit", **({"recherche": termes} if termes else {})},
    )
    return render(
        request,
        "accompagnement/audit.html",
        {
            "form": form,
            "page": page,
            "personnes": personnes,
            "suivant": suivant,
            "premiere_page": f"?{debut.urlencode()}" if debut else "?",
            "pagine": bool(request.GET.get("apres")),
            "conservation": settings.AUDIT_CONSERVATION_MOIS,
        },
        status=400 if form.errors else 200,
    )
