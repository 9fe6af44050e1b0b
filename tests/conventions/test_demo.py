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
    assert premier.endswith("2 conventions (2 créées, dont le Doubs avec un avenant)")
    assert demo.charger(departement=dep) == (
        f"{nombre} services de ressources sociales (déjà chargés) ; 2 conventions (déjà chargées)"
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


def test_les_conventions_de_demo_suivent_les_sources(db):
    import datetime as dt
    from decimal import Decimal

    from conventions import demo_conventions
    from conventions.lectures import version_en_vigueur
    from conventions.models import Avenant, Convention, EtatConvention

    dep = DepartementFactory(code_insee="25")
    demo_conventions.charger(departement=dep)
    demo_conventions.charger(departement=dep)
    assert Convention.objects.count() == 2 and Avenant.objects.count() == 1

    doubs = Convention.objects.get(departement=dep)
    assert doubs.etat == EtatConvention.EN_VIGUEUR
    assert doubs.date_signature == dt.date(2014, 1, 29)
    signataires = sorted(s.nom for p in doubs.parties.all() for s in p.signataires.all())
    assert signataires == ["Claude Jeannerot", "Jean Bassères"]
    postes = {m.libelle: m.nombre for m in doubs.moyens.all()}
    assert postes["Conseillers dédiés à l'accompagnement global"] == 8
    assert postes["Correspondants insertion (assistants sociaux)"] == 8
    assert postes["Animatrice fonctionnelle"] == 1
    # L'avenant (fictif) fixe échéance et objectifs à partir du 1er janvier 2015.
    assert version_en_vigueur(doubs, dt.date(2014, 12, 31))["objectif_personnes_par_an"] is None
    en_2015 = version_en_vigueur(doubs, dt.date(2015, 1, 1))
    assert en_2015["objectif_personnes_par_an"] == 400
    assert en_2015["date_echeance"] == dt.date(2017, 12, 31)

    orne = Convention.objects.get(departement__code_insee="61")
    assert orne.etat == EtatConvention.EN_VIGUEUR
    assert orne.date_signature == dt.date(2016, 7, 7)
    financements = {m.financeur: m.montant for m in orne.moyens.filter(nature="financement")}
    assert financements["Conseil départemental de l'Orne"] == Decimal("56000.00")
    assert financements["Fonds social européen (FSE)"] is None
    assert any("Alençon" in e.texte for p in orne.parties.all() for e in p.engagements.all())
