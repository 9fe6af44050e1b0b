"""Filtres d'affichage communs, chargés d'office dans tous les gabarits (réglage
TEMPLATES « builtins ») : pluriel à la française, téléphone, taille de fichier."""

import re

from django import template

from accompagnement import texte
from accompagnement.texte import formater_telephone, minuscule_initiale, normaliser, taille_lisible

register = template.Library()


@register.filter
def pluriel(valeur, suffixes: str = "s") -> str:
    """Comme `pluralize`, mais à la française : singulier pour 0 et 1 (« 0 jour »,
    « 1 ligne », « 2 lignes »). `suffixes` : « s » ou « singulier,pluriel » (« a,ont »)."""
    if "," in suffixes:
        singulier, _, multiple = suffixes.partition(",")
    else:
        singulier, multiple = "", suffixes
    try:
        nombre = (
            len(valeur) if hasattr(valeur, "__len__") and not isinstance(valeur, str) else valeur
        )
        nombre = abs(float(nombre))
    except (TypeError, ValueError):
        return ""
    return multiple if nombre >= 2 else singulier


@register.filter
def telephone(numero) -> str:
    """« 0381517919 », « +33 3 81 51 79 19 », « 03.81.51.79.19 » → « 03 81 51 79 19 »."""
    return formater_telephone(numero)


@register.filter
def taille_fichier(octets) -> str:
    """1536 → « 1,5 Ko », 2 411 724 → « 2,3 Mo » (unités françaises, virgule décimale)."""
    return taille_lisible(octets)


@register.filter
def du_territoire(nom: str) -> str:
    """« du territoire X » sans redite : « Territoire d'action sociale de Besançon » →
    « du territoire d'action sociale de Besançon » ; « Haut-Doubs » → « du territoire
    Haut-Doubs »."""
    if normaliser(nom).startswith("territoire"):
        return f"du {minuscule_initiale(nom)}"
    return f"du territoire {nom}"


@register.filter
def sans_axe(libelle: str) -> str:
    """« Conseiller de l'agence (axe 1) » → « Conseiller de l'agence »."""
    return texte.sans_axe(libelle)


_PREFIXES_LONGS = (
    (re.compile(r"^Agence( France Travail)?\s+", re.I), "FT "),
    (re.compile(r"^Territoire d'action sociale\s+(de\s+|du\s+|des\s+|d')?", re.I), "TAS "),
)


@register.filter
def nom_court(nom: str) -> str:
    """Nom de structure pour une colonne étroite : « Agence France Travail Besançon
    Planoise » → « FT Besançon Planoise », « Territoire d'action sociale du Haut-Doubs »
    → « TAS Haut-Doubs » (le nom complet reste en infobulle, voir les gabarits)."""
    texte = str(nom or "")
    for motif, court in _PREFIXES_LONGS:
        if motif.search(texte):
            return motif.sub(court, texte, count=1)
    return texte
