"""Ouverture des dossiers des personnes importées, sur choix explicite.

Une personne du fichier reçoit un dossier « à orienter » quand le fichier permet de la
situer : son agence France Travail (colonne « Agence »), ou sa commune quand c'est celle
d'un territoire d'action sociale du département (la commune du territoire, `Structure.commune`).
Une personne qui a déjà un dossier ouvert n'en reçoit pas un second. Chaque dossier est
ouvert par le service du parcours (`parcours.services.ouvrir_dossier`) : mêmes règles,
même journal et même audit qu'une ouverture à la main, au nom de qui importe.

L'import est au-dessus du parcours dans l'ordre des couches (pyproject.toml,
import-linter) : il s'en sert, le parcours ne connaît pas l'import."""

from __future__ import annotations

from collections.abc import Iterable

from accompagnement.models import Membership, Structure, TypeStructure
from accompagnement.texte import normaliser
from dossiers.models import Demandeur, Dossier, Origine
from dossiers.parcours.services import ouvrir_dossier


def territoires_par_commune(departement) -> dict[str, Structure]:
    """Commune (sans accents ni casse) → territoire d'action sociale actif du département.
    Une commune portée par deux territoires ne désigne personne : ignorée."""
    vus: dict[str, list[Structure]] = {}
    territoires = (
        Structure.objects.du_departement(departement)
        .actives()
        .filter(type=TypeStructure.TERRITOIRE_SOCIAL)
        .exclude(commune="")
    )
    for territoire in territoires:
        vus.setdefault(normaliser(territoire.commune), []).append(territoire)
    return {commune: liste[0] for commune, liste in vus.items() if len(liste) == 1}


def ouvrir_les_dossiers(
    *, demandeurs: Iterable[int], departement, par: Membership, nom_fichier: str
) -> list[Dossier]:
    """Ouvre un dossier pour chaque personne (pk) qui n'en a pas d'ouvert et que le fichier
    situe (agence, ou commune d'un territoire). Rend les dossiers ouverts."""
    territoires = territoires_par_commune(departement)
    candidats = (
        Demandeur.objects.du_departement(departement)
        .filter(pk__in=list(demandeurs))
        .exclude(pk__in=Dossier.objects.ouverts().values("demandeur_id"))
        .select_related("agence", "departement")
        .order_by("pk")
    )
    motif = f"Import du fichier « {nom_fichier} »"
    ouverts = []
    for demandeur in candidats:
        territoire = territoires.get(normaliser(demandeur.commune)) if demandeur.commune else None
        if demandeur.agence_id is None and territoire is None:
            continue  # ni agence ni territoire : la personne reste « sans dossier »
        ouverts.append(
            ouvrir_dossier(
                demandeur=demandeur,
                par=par,
                origine=Origine.AUTRE,
                motif=motif,
                territoire=territoire,
            )
        )
    return ouverts
