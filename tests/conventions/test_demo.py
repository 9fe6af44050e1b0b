"""Démonstration : le fichier data·inclusion versionné se charge, idempotent ; le
générateur est déterministe."""

import pytest

from bench.generateur_ressources import FIXTURE, generer
from conventions import datainclusion as di
from conventions import demo
from conventions.models import ServiceRessource
from tests.accompagnement.factories import DepartementFactory

pytestmark = pytest.mark.django_db


def test_la_demo_se_charge_une_fois(db):
    dep = DepartementFactory(code_insee="25")
    premier = demo.charger(departement=dep)
    nombre = ServiceRessource.objects.filter(departement=dep).count()
    assert nombre >= 200
    assert premier.startswith(f"{nombre} services de ressources sociales ({nombre} créés")
    assert (
        demo.charger(departement=dep) == f"{nombre} services de ressources sociales (déjà chargés)"
    )
    assert ServiceRessource.objects.count() == nombre


def test_le_fichier_versionne_est_celui_du_generateur(demo_donnees):
    """Régénérer (python -m bench.generateur_ressources) redonne le même fichier : pas de
    retouche à la main qui se perdrait."""
    assert FIXTURE == demo.FICHIER
    assert generer() == demo_donnees


def test_le_fichier_de_demo_couvre_toutes_les_thematiques(demo_donnees):
    services = demo_donnees["services"]
    assert len(services) >= 200
    thematiques = {t for s in services for t in s["thematiques"]}
    assert thematiques == set(di.THEMATIQUES)
    assert {s["structure_id"] for s in services} <= {s["id"] for s in demo_donnees["structures"]}
    codes = {c for s in services for c in s["zone_eligibilite"]}
    assert all(c.startswith("25") or c == "france" for c in codes)


def test_le_generateur_atteint_le_volume_demande():
    donnees = generer(services_min=1500)
    assert len(donnees["services"]) == 1500
    assert len({s["id"] for s in donnees["services"]}) == 1500
    assert len({s["id"] for s in donnees["structures"]}) == len(donnees["structures"])
