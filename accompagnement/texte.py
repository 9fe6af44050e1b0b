"""Normalisation du texte pour la recherche et le dédoublonnage, faite en Python : le
PostgreSQL embarqué n'a pas l'extension `unaccent` (voir docs/decisions.md)."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normaliser(texte: str | None) -> str:
    """« Éloïse  D'Arçy-Lefèvre » → « eloise d arcy lefevre » : sans accents, minuscules,
    ponctuation réduite à des espaces simples."""
    if not texte:
        return ""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    sans_accents = sans_accents.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    sans_accents = sans_accents.replace("Æ", "ae").replace("Œ", "oe")
    return _NON_ALNUM.sub(" ", sans_accents.lower()).strip()


def minuscule_initiale(texte: str) -> str:
    """Libellé repris au fil d'une phrase : « Conseiller France Travail » → « conseiller
    France Travail » (et non « conseiller france travail ») ; un sigle reste tel quel
    (« CER » → « CER »)."""
    if not texte or (len(texte) > 1 and texte[1].isupper()):
        return texte
    return texte[0].lower() + texte[1:]


def formater_telephone(numero: str | None) -> str:
    """Un seul format pour les numéros français : « +33381517919 », « 0381517919 »,
    « 03.81.51.79.19 » → « 03 81 51 79 19 ». Un numéro étranger ou incomplet reste tel
    quel (on n'invente pas de chiffres)."""
    if not numero:
        return ""
    chiffres = re.sub(r"[^\d+]", "", str(numero))
    if chiffres.startswith("+33") and len(chiffres) == 12:
        chiffres = "0" + chiffres[3:]
    elif chiffres.startswith("0033") and len(chiffres) == 13:
        chiffres = "0" + chiffres[4:]
    if re.fullmatch(r"0\d{9}", chiffres):
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
    return str(numero)


def taille_lisible(octets) -> str:
    """Taille de fichier en unités françaises : « 850 octets », « 1,5 Ko », « 2,3 Mo »."""
    try:
        taille = int(octets or 0)
    except (TypeError, ValueError):
        return ""
    if taille < 1024:
        return f"{taille} octet{'s' if taille >= 2 else ''}"
    for unite in ("Ko", "Mo", "Go"):
        taille_unite = taille / 1024
        if taille_unite < 1024 or unite == "Go":
            chiffre = f"{taille_unite:.1f}".replace(".", ",").removesuffix(",0")
            return f"{chiffre} {unite}"
        taille = taille_unite
    return ""  # pragma: no cover


def sans_axe(libelle: str) -> str:
    """« Conseiller de l'agence (axe 1) » → « Conseiller de l'agence » : pour un dossier
    pas encore orienté, qui n'est dans aucun axe."""
    return re.sub(r"\s*\(axe \d\)$", "", str(libelle or ""))


def requete_prefixe(texte: str) -> str:
    """Requête plein texte PostgreSQL (configuration `simple`) où chaque mot saisi est un
    préfixe : « lefev jul » → « lefev:* & jul:* ». Sûre : seuls [a-z0-9] subsistent."""
    mots = normaliser(texte).split()
    return " & ".join(f"{mot}:*" for mot in mots[:8])
