"""Lectures des conventions : la version en vigueur à une date (convention signée puis
avenants appliqués dans l'ordre de leur date d'effet)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .models import Convention

# Ce qu'un avenant peut modifier, et comment la valeur s'écrit en JSON dans `changements`.
CHAMPS_AMENDABLES = {
    "intitule": "texte",
    "date_echeance": "date",
    "renouvellement": "texte",
    "axes": "liste",
    "programmes": "liste",
    "objectif_personnes_par_an": "entier",
    "objectif_delai_entree_jours": "entier",
    "objectifs_autres": "liste",
    "moyens": "moyens",
}


def valeur_json(champ: str, valeur):
    """La valeur d'un champ amendable telle qu'un avenant la consigne (JSON)."""
    if valeur is None:
        return None
    genre = CHAMPS_AMENDABLES[champ]
    if genre == "date":
        return valeur.isoformat() if isinstance(valeur, dt.date) else str(valeur)
    if genre == "entier":
        return int(valeur)
    if genre == "moyens":
        return [_moyen_json(m.en_dict() if hasattr(m, "en_dict") else m) for m in valeur]
    if genre == "liste":
        return list(valeur)
    return str(valeur)


def _moyen_json(moyen: dict) -> dict:
    return {
        **moyen,
        "etp": None if moyen.get("etp") is None else str(Decimal(moyen["etp"])),
        "montant": None if moyen.get("montant") is None else str(Decimal(moyen["montant"])),
    }


def valeur_python(champ: str, valeur):
    if valeur is None:
        return None
    genre = CHAMPS_AMENDABLES[champ]
    if genre == "date":
        return dt.date.fromisoformat(valeur)
    if genre == "moyens":
        return [
            {
                **m,
                "etp": None if m.get("etp") is None else Decimal(m["etp"]),
                "montant": None if m.get("montant") is None else Decimal(m["montant"]),
            }
            for m in valeur
        ]
    return valeur


def version_signee(convention: Convention) -> dict:
    """Les champs amendables tels que signés (avant tout avenant), en JSON."""
    valeurs = {
        champ: valeur_json(champ, getattr(convention, champ))
        for champ in CHAMPS_AMENDABLES
        if champ != "moyens"
    }
    valeurs["moyens"] = valeur_json("moyens", list(convention.moyens.all()))
    return valeurs


def version_en_vigueur(convention: Convention, date: dt.date, *, avenants=None) -> dict:
    """Les champs amendables en vigueur le jour `date` (valeurs Python), avec la liste des
    avenants appliqués. `avenants` : déjà chargés (préchargement), sinon lus."""
    valeurs = version_signee(convention)
    if avenants is None:
        avenants = convention.avenants.all()
    appliques = []
    for avenant in sorted(avenants, key=lambda a: (a.date_effet, a.numero)):
        if avenant.date_effet > date:
            continue
        for champ, changement in avenant.changements.items():
            valeurs[champ] = changement["apres"]
        appliques.append(avenant)
    version = {champ: valeur_python(champ, v) for champ, v in valeurs.items()}
    version["avenants_appliques"] = appliques
    return version


def conventions_du_departement(departement):
    return Convention.objects.filter(departement=departement).order_by("-date_signature", "pk")


def convention_detaillee(departement, uuid):
    """Une convention du département avec tout ce que sa fiche affiche (nombre de requêtes
    constant : parties, signataires, engagements, moyens, avenants, documents signés
    préchargés)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Convention.objects.filter(departement=departement).prefetch_related(
            "parties__signataires",
            "parties__engagements",
            "moyens",
            "avenants",
            "documents_signes__avenant",
        ),
        uuid=uuid,
    )
