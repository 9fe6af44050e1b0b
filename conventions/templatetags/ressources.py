"""Libellés français des valeurs data·inclusion dans les gabarits."""

import re

from django import template

from accompagnement.referentiels import DomaineFrein
from accompagnement.texte import formater_telephone
from conventions import datainclusion as di

register = template.Library()


@register.filter
def libelle_di(valeur: str) -> str:
    """« famille--garde-denfants » → « Garde d'enfants »."""
    return di.libelle(valeur)


@register.filter
def libelles_di(valeurs) -> list[str]:
    return [di.libelle(v) for v in valeurs or []]


@register.filter
def categorie_di(thematique: str) -> str:
    """La catégorie d'une thématique : « famille--garde-denfants » → « Famille »."""
    return di.CATEGORIES.get(di.categorie_de(thematique), "")


@register.filter
def libelles_domaines(domaines) -> list[str]:
    """Les domaines de frein d'un service, en clair (« logement » → « Logement »)."""
    libelles = dict(DomaineFrein.choices)
    return [libelles.get(d, d) for d in domaines or []]


@register.filter
def telephone_fr(numero: str) -> str:
    """« +33381000000 » ou « 0381000000 » → « 03 81 00 00 00 » ; sinon tel quel."""
    return formater_telephone(numero) if numero else numero


JOURS = {
    "Mo": "lun.",
    "Tu": "mar.",
    "We": "mer.",
    "Th": "jeu.",
    "Fr": "ven.",
    "Sa": "sam.",
    "Su": "dim.",
}


@register.filter
def horaires_fr(horaires: str) -> str:
    """Horaires au format OpenStreetMap (celui de data·inclusion) lisibles en français :
    « Mo-Fr 09:00-12:00,14:00-17:00; PH off » → « lun. au ven. 9h00-12h00, 14h00-17h00 ;
    fermé les jours fériés ». Un format inattendu est rendu tel quel."""
    if not horaires or not re.fullmatch(r"[A-Za-z0-9:,;\- ]+", horaires):
        return horaires
    morceaux = []
    for regle in (r.strip() for r in horaires.split(";")):
        if regle == "PH off":
            morceaux.append("fermé les jours fériés")
            continue
        texte = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)-(Mo|Tu|We|Th|Fr|Sa|Su)\b", r"\1 au \2", regle)
        texte = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", lambda m: JOURS[m.group(1)], texte)
        texte = re.sub(r"\b0?(\d{1,2}):(\d{2})\b", r"\1h\2", texte).replace(",", ", ")
        morceaux.append(texte.replace("off", "fermé"))
    return " ; ".join(morceaux)
