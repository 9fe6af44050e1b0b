"""Intergiciels du noyau : rattachement courant de l'utilisateur, expiration de la
session par inactivité, contexte de l'historique des écritures, en-têtes de sécurité et
refus des requêtes porteuses d'un caractère NUL ou d'un corps démesuré."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django_htmx.http import HttpResponseClientRedirect
from pghistory.middleware import HistoryMiddleware

from .historique import contexte_de_requete
from .models import Membership

SESSION_KEY = "membership_uuid"
# Horodatage (secondes depuis l'époque) de la dernière requête de la session.
CLE_DERNIERE_ACTIVITE = "derniere_activite"
# On ne réécrit l'horodatage (donc la session) qu'une fois par minute au plus.
PAS_ACTIVITE = 60


class InactiviteMiddleware:
    """Déconnecte après SESSION_INACTIVITE_MINUTES sans requête, puis renvoie vers la
    connexion avec un message ; la durée maximale d'une session reste SESSION_COOKIE_AGE.

    Un intergiciel plutôt que SESSION_SAVE_EVERY_REQUEST + un SESSION_COOKIE_AGE court :
    la session ne s'écrit qu'une fois par minute au plus, la journée de 9 heures reste un
    plafond, et l'utilisateur sait pourquoi il doit se reconnecter (décision 25)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limite = settings.SESSION_INACTIVITE_MINUTES * 60
        user = getattr(request, "user", None)
        if limite and user is not None and user.is_authenticated:
            maintenant = time.time()
            derniere = request.session.get(CLE_DERNIERE_ACTIVITE)
            if isinstance(derniere, int | float) and maintenant - derniere > limite:
                return self._expirer(request)
            if not isinstance(derniere, int | float) or maintenant - derniere >= PAS_ACTIVITE:
                request.session[CLE_DERNIERE_ACTIVITE] = maintenant
        return self.get_response(request)

    def _expirer(self, request):
        logout(request)  # trace la déconnexion dans l'audit, vide la session
        minutes = settings.SESSION_INACTIVITE_MINUTES
        messages.info(
            request,
            f"Votre session a expiré après {minutes} minutes d'inactivité. "
            "Reconnectez-vous pour continuer.",
        )
        response = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request") == "true":
            # Une requête htmx suivrait la redirection dans un fragment de page.
            return HttpResponseClientRedirect(response.url)
        return response


# Chemins où l'on ne force pas le choix de la structure (sinon boucle de redirection).
CHEMINS_SANS_CHOIX = ("/structure/", "/deconnexion/", "/compte/", "/static/", "/healthz", "/admin/")
# Ce qu'un compte sans rattachement actif (sorti) peut encore ouvrir : la page qui le lui
# dit, la déconnexion, son mot de passe. Tout le reste — boîte de réception et
# administration comprises — répond 403 (ticket 11).
CHEMINS_SANS_RATTACHEMENT = ("/structure/", "/deconnexion/", "/compte/", "/static/", "/healthz")


class StructureCouranteMiddleware:
    """Expose `request.membership` (le rattachement sous lequel l'utilisateur travaille),
    `request.departement` et `request.memberships` (tous ses rattachements actifs).

    Un seul rattachement : choisi d'office. Plusieurs : l'utilisateur choisit après la
    connexion ; le choix est gardé en session. Une requête SQL par page, quelle que soit
    la page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.departement = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(Membership.objects.de(user).actifs())
            for membership in memberships:
                # Déjà chargé : les services lisent `par.user` (l'acteur) sans requête.
                membership.user = getattr(user, "_wrapped", user)
            request.memberships = memberships
            choisi = request.session.get(SESSION_KEY)
            courant = next((m for m in memberships if str(m.uuid) == choisi), None)
            if courant is None and len(memberships) == 1:
                courant = memberships[0]
                request.session[SESSION_KEY] = str(courant.uuid)
            if courant is not None:
                request.membership = courant
                request.departement = courant.structure.departement
            elif len(memberships) > 1 and not request.path.startswith(CHEMINS_SANS_CHOIX):
                url = reverse("choisir_structure")
                return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
            elif (
                not memberships
                and not user.is_superuser
                and not request.path.startswith(CHEMINS_SANS_RATTACHEMENT)
            ):
                return render(request, "accompagnement/sans_rattachement.html", status=403)
        return self.get_response(request)


class HistoriqueMiddleware(HistoryMiddleware):
    """Toute écriture faite pendant la requête (services, administration, `.update()`,
    SQL brut) est attribuée dans l'historique au compte, au rattachement (rôle, structure,
    département) et à la page (décision 27). Placé après `StructureCouranteMiddleware`.
    Une connexion ou un changement de structure en cours de requête met à jour le compte
    (pghistory suit `request.user`)."""

    def get_context(self, request):
        return contexte_de_requete(request)


class EntetesSecuriteMiddleware:
    """Politique de sécurité du contenu stricte : aucun script ni style en ligne, aucune
    ressource tierce (tout est servi par l'application)."""

    CSP = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class CaracteresInterditsMiddleware:
    """Un caractère NUL (%00) dans l'adresse ou ses paramètres n'a aucun usage légitime et
    PostgreSQL le refuse dans un texte : la requête répond 400 (page française) au lieu
    d'une erreur 500 au fond d'une requête SQL. Les formulaires (POST) le refusent déjà
    champ par champ (ProhibitNullCharactersValidator de Django)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in cle or any("\x00" in v for v in valeurs)
            for cle, valeurs in request.GET.lists()
        ):
            raise SuspiciousOperation("Caractère NUL dans l'adresse demandée.")
        return self.get_response(request)


class TailleRequeteMiddleware:
    """Refuse une requête dont le corps annoncé (`Content-Length`) dépasse la limite de sa
    route, AVANT que quiconque le lise : 413, page française. Limite par défaut
    `TAILLE_REQUETE_MAX` (un document de 10 Mo et son enveloppe multipart), plus haute pour
    les routes nommées dans `TAILLE_REQUETE_MAX_PAR_ROUTE` (import de la base de ressources).
    Sans `Content-Length` (envoi par morceaux), Django ne lit aucun corps. Les champs hors
    fichiers restent bornés par DATA_UPLOAD_MAX_MEMORY_SIZE, et un fichier au-delà de
    FILE_UPLOAD_MAX_MEMORY_SIZE passe par un fichier temporaire plutôt que par la mémoire."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            annonce = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            annonce = 0  # Django le lit comme un corps vide
        if annonce > self.limite(request.path_info):
            return self.refuser(annonce)
        return self.get_response(request)

    @staticmethod
    def limite(chemin: str) -> int:
        par_route = settings.TAILLE_REQUETE_MAX_PAR_ROUTE
        if par_route:
            try:
                correspondance = resolve(chemin)
            except Resolver404:
                correspondance = None
            if correspondance is not None and correspondance.view_name in par_route:
                return par_route[correspondance.view_name]
        return settings.TAILLE_REQUETE_MAX

    @staticmethod
    def refuser(annonce: int):
        contenu = render_to_string(
            "413.html", {"mo": f"{annonce / 1024 / 1024:.1f}".replace(".", ",")}
        )
        # Pas d'en-tête « Connection » (interdit en WSGI) : le serveur (gunicorn, runserver)
        # écarte lui-même le corps non lu avant la requête suivante, sans le garder.
        return HttpResponse(contenu, status=413)
