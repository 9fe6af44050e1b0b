"""Verrouillage des connexions (django-axes) : identifiant compté et page affichée.

django-axes compte les échecs par couple (courriel, adresse IP) ; ces deux fonctions sont
branchées par les réglages `AXES_USERNAME_CALLABLE` et `AXES_LOCKOUT_CALLABLE`. Voir la
décision 23 de docs/decisions.md."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.shortcuts import render

from .forms import ConnexionForm


def identifiant_saisi(request, credentials=None) -> str | None:
    """Le courriel saisi, sans espaces ni majuscules : la connexion ignore la casse, le
    compteur aussi (sinon `A@x.fr` et `a@x.fr` auraient chacun leurs essais)."""
    valeur = (credentials or {}).get("username")
    if valeur is None and request is not None:
        valeur = getattr(request, "POST", {}).get("username")
    valeur = str(valeur or "").strip().lower()[:255]
    return valeur or None


def message_verrouillage(request=None) -> str:
    delai = get_cool_off(request)
    minutes = max(1, round(delai.total_seconds() / 60)) if delai else None
    duree = f"pendant {minutes} minutes" if minutes else "jusqu'à son déblocage"
    return (
        "Trop de tentatives de connexion infructueuses : par sécurité, la connexion à ce "
        f"compte depuis ce poste est bloquée {duree}. Réessayez plus tard, ou demandez à "
        "l'administrateur de votre département de la débloquer."
    )


def reponse_verrouillage(request, original_response=None, credentials=None):
    """La page de connexion du projet, avec le message de verrouillage (statut 429)."""
    saisi = (credentials or {}).get("username") or request.POST.get("username", "")
    contexte = {
        "form": ConnexionForm(request, initial={"username": saisi}),
        "verrouillage": message_verrouillage(request),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", contexte, status=429)
