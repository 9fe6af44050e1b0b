"""Outils communs des vues de toutes les applications : données liées en POST, exigence
d'un droit, schéma formulaire → service → redirection, rendu partiel pour htmx. Génériques :
rien ici ne connaît les dossiers (accompagnement est la couche la plus basse)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from accompagnement.exceptions import AccesRefuse, ConflitEdition, ErreurMetier

logger = logging.getLogger(__name__)

# Incident de la base pendant un service (connexion perdue, verrou ou délai dépassé,
# interblocage) : la transaction du service est annulée en entier (décision 82).
ERREUR_BASE = (
    "L'enregistrement n'a pas pu aboutir à cause d'un incident momentané de la base de "
    "données : rien n'a été enregistré. Votre saisie est conservée ci-dessous ; réessayez "
    "dans un instant, et si l'incident se répète, signalez-le à l'administrateur."
)


def donnees_post(request):
    """Données liées au formulaire seulement en POST (un POST vide reste un envoi)."""
    return request.POST if request.method == "POST" else None


def exiger(autorise: bool) -> None:
    """Dans une vue : 403 si le droit (une fonction de `perms.py`) est refusé."""
    if not autorise:
        raise PermissionDenied


def traiter_formulaire(
    request,
    form,
    *,
    executer: Callable[[dict], Any],
    succes: str | Callable[[Any], str],
    suite: str | Callable[[Any], str],
    gabarit: str,
    contexte: dict | Callable[[], dict] | None = None,
    valide: bool | None = None,
    champ_erreur: str | None = None,
) -> HttpResponse:
    """Schéma commun des saisies : formulaire → service → redirection.

    En POST, si le formulaire est valide (ou `valide`, quand d'autres formulaires
    l'accompagnent), `executer(cleaned_data)` appelle le service. Succès : message `succes`
    et redirection vers `suite` (chacun peut être une fonction du résultat du service).
    Refus métier : erreur du formulaire (ou de son champ `champ_erreur`), saisie conservée,
    400 ; conflit d'édition : 409 ; refus de droit levé par le service (AccesRefuse) : 403 ;
    incident de la base pendant le service (transaction annulée en entier) : message clair,
    saisie conservée, 503.
    Sinon, `gabarit` est rendu avec `form`, `conflit` et `contexte` (un dict, ou une
    fonction appelée seulement si la page est rendue)."""
    conflit = indisponible = False
    if request.method == "POST" and (form.is_valid() if valide is None else valide):
        try:
            resultat = executer(form.cleaned_data)
        except AccesRefuse as refus:
            raise PermissionDenied(refus.message) from refus
        except ErreurMetier as erreur:
            form.add_error(champ_erreur, erreur.message)
            conflit = isinstance(erreur, ConflitEdition)
        except (OperationalError, InterfaceError):
            logger.exception("Incident de la base pendant %s %s", request.method, request.path)
            form.add_error(None, ERREUR_BASE)
            indisponible = True
        else:
            messages.success(request, succes(resultat) if callable(succes) else succes)
            return redirect(suite(resultat) if callable(suite) else suite)
    contexte = (contexte() if callable(contexte) else contexte) or {}
    statut = 409 if conflit else 503 if indisponible else 400 if request.method == "POST" else 200
    contexte = {"form": form, "conflit": conflit, **contexte}
    return render(request, gabarit, contexte, status=statut)


def page_action(
    request,
    form,
    *,
    gabarit: str,
    titre: str,
    bouton: str,
    executer: Callable[[dict], Any],
    succes: str | Callable[[Any], str],
    suite: str | Callable[[Any], str],
    intro: str = "",
    danger: bool = False,
    **contexte,
) -> HttpResponse:
    """Une page d'action (titre, introduction, formulaire, bouton, annuler) : le schéma
    formulaire → service → redirection de `traiter_formulaire`."""
    contexte |= {"titre": titre, "intro": intro, "bouton": bouton, "danger": danger}
    return traiter_formulaire(
        request,
        form,
        executer=executer,
        succes=succes,
        suite=suite,
        gabarit=gabarit,
        contexte=contexte,
    )


def rendre_avec_htmx(
    request, gabarit: str, partiel: str, contexte: dict, **options
) -> HttpResponse:
    """Le partiel seul pour une requête htmx (filtre, page suivante), la page entière
    sinon, y compris quand htmx reconstruit l'historique (retour arrière sans cache) ; la
    réponse varie selon l'en-tête HX-Request (un cache garde les deux)."""
    if request.htmx and not request.htmx.history_restore_request:
        gabarit = partiel
    reponse = render(request, gabarit, contexte, **options)
    patch_vary_headers(reponse, ("HX-Request",))
    return reponse
