"""Intergiciels du noyau : rattachement courant de l'utilisateur, en-têtes de sécurité et
refus des requêtes porteuses d'un caractère NUL."""

from urllib.parse import urlencode

from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.urls import reverse

from .models import Membership

SESSION_KEY = "membership_uuid"

# Chemins où l'on ne force pas le choix de la structure (sinon boucle de redirection).
CHEMINS_SANS_CHOIX = ("/structure/", "/deconnexion/", "/compte/", "/static/", "/healthz", "/admin/")


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
        return self.get_response(request)


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
