"""Outils communs des vues : données liées en POST, exigence d'un droit, schéma
formulaire → service → redirection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier


def donnees_post(request):
    """Données liées au formulaire seulement en POST (un POST vide reste un envoi)."""
    return request.POST if request.method == "POST" else None


def exiger(autorise: bool) -> None:
    if not autorise:
        raise PermissionDenied


def action_formulaire(
    request, dossier, form, *, titre, intro, bouton, executer, succes, danger=False, suite=None
):
    """Schéma commun des actions : formulaire → service → retour à la fiche."""
    if request.method == "POST" and form.is_valid():
        try:
            executer(form.cleaned_data)
        except ErreurMetier as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(request, succes)
            return redirect(suite or reverse("dossiers:dossier", args=[dossier.uuid]))
    contexte = {
        "dossier": dossier,
        "form": form,
        "titre": titre,
        "intro": intro,
        "bouton": bouton,
        "danger": danger,
    }
    return render(
        request, "dossiers/parcours/action.html", contexte, status=400 if form.errors else 200
    )
