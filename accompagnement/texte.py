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


def requete_prefixe(texte: str) -> str:
    """Requête plein texte PostgreSQL (configuration `simple`) où chaque mot saisi est un
    préfixe : « lefev jul » → « lefev:* & jul:* ». Sûre : seuls [a-z0-9] subsistent."""
    mots = normaliser(texte).split()
    return " & ".join(f"{mot}:*" for mot in mots[:8])
