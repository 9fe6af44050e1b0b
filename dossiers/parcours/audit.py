"""Ce que la page d'audit du noyau (accompagnement.lectures) lit des personnes
accompagnées, fourni par inscription au démarrage (DossiersConfig.ready) : le noyau
n'importe pas dossiers (sens des dépendances)."""

from __future__ import annotations

from collections.abc import Iterable

from accompagnement.texte import normaliser
from dossiers.models import Civilite, DemandeChangementAxe, Demandeur, Dossier

MAX_PERSONNES = 20


def _libelle(nom: str, prenom: str, date_naissance, civilite: str) -> str:
    ne = "née" if civilite == Civilite.MADAME else "né"  # comme Demandeur.ne
    return f"{nom.upper()} {prenom} ({ne} le {date_naissance:%d/%m/%Y})"


def chercher(departement, texte: str) -> list[tuple[int, str]]:
    """Les personnes du département dont le nom, le prénom ou l'identifiant contient le
    texte (insensible aux accents et à la casse), au plus MAX_PERSONNES."""
    mots = normaliser(texte).split()
    if not mots:
        return []
    qs = Demandeur.objects.du_departement(departement)
    for mot in mots[:5]:
        qs = qs.filter(texte_recherche__contains=mot)
    lignes = qs.order_by("nom", "prenom").values_list(
        "pk", "nom", "prenom", "date_naissance", "civilite"
    )
    return [(pk, _libelle(n, p, d, c)) for pk, n, p, d, c in lignes[:MAX_PERSONNES]]


def libelles(ids: Iterable[int]) -> dict[int, str]:
    lignes = Demandeur.objects.filter(pk__in=list(ids)).values_list(
        "pk", "nom", "prenom", "date_naissance", "civilite"
    )
    return {pk: _libelle(n, p, d, c) for pk, n, p, d, c in lignes}


def libelles_par_objet(uuids: Iterable[str]) -> dict[str, str]:
    """{UUID d'un dossier ou d'une fiche : la personne}."""
    valides = [u for u in uuids if isinstance(u, str) and len(u) == 36]
    if not valides:
        return {}
    dossiers = Dossier.objects.filter(uuid__in=valides).values_list(
        "uuid",
        "demandeur__nom",
        "demandeur__prenom",
        "demandeur__date_naissance",
        "demandeur__civilite",
    )
    fiches = Demandeur.objects.filter(uuid__in=valides).values_list(
        "uuid", "nom", "prenom", "date_naissance", "civilite"
    )
    return {str(u): _libelle(n, p, d, c) for u, n, p, d, c in [*dossiers, *fiches]}


def objets_des_personnes(ids: list[int]) -> dict[str, list[str]]:
    """Les objets du journal des accès qui concernent ces personnes : leur fiche, leurs
    dossiers (et, par les détails « dossier », tout ce qui s'y rattache), leurs demandes de
    changement d'axe."""
    dossiers = [
        str(u) for u in Dossier.objects.filter(demandeur_id__in=ids).values_list("uuid", flat=True)
    ]
    return {
        "dossiers.demandeur": [
            str(u) for u in Demandeur.objects.filter(pk__in=ids).values_list("uuid", flat=True)
        ],
        "dossiers.dossier": dossiers,
        "dossiers.demandechangementaxe": [
            str(u)
            for u in DemandeChangementAxe.objects.filter(dossier__demandeur_id__in=ids).values_list(
                "uuid", flat=True
            )
        ],
    }
