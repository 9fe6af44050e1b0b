"""Base de ressources de démonstration : le fichier data·inclusion v1 versionné
`conventions/fixtures/ressources_demo.json` (structures et services fictifs du Doubs, ~300
services couvrant toutes les thématiques, dont une partie « à vérifier »), généré par
`python -m bench.generateur_ressources`, puis les conventions du Doubs et de l'Orne
(`demo_conventions`).

Chargé par `seed_demo` avec l'import réel : idempotent (un second chargement ne change
rien, les ressources sont reconnues par leur source et leur identifiant)."""

from pathlib import Path

from . import demo_conventions
from .imports import importer

FICHIER = Path(__file__).resolve().parent / "fixtures" / "ressources_demo.json"


def charger(*, departement) -> str:
    ressources = _charger_ressources(departement=departement)
    return f"{ressources} ; {demo_conventions.charger(departement=departement)}"


def _charger_ressources(*, departement) -> str:
    rapport = importer(FICHIER.read_bytes(), FICHIER.name, departement=departement, par=None)
    s, c = rapport.services, rapport.structures
    total = s["crees"] + s["mis_a_jour"] + s["inchanges"]
    if rapport.nb_ecritures == 0:
        return f"{total} services de ressources sociales (déjà chargés)"
    return (
        f"{total} services de ressources sociales ({s['crees']} créés, {s['mis_a_jour']} mis "
        f"à jour) dans {c['crees'] + c['mis_a_jour'] + c['inchanges']} structures"
    )
