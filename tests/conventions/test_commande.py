"""Commande `import_ressources` : à blanc par défaut, --wet-run, --accepter-partiel, barre
de progression, fichiers refusés."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conventions.models import ServiceRessource, StructureRessource
from tests.accompagnement.factories import DepartementFactory
from tests.conventions.test_imports import INVALIDE, octets, service, structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def dep():
    return DepartementFactory(code_insee="25", nom="Doubs")


def lancer(chemin, *options, departement="25"):
    sortie, erreurs = StringIO(), StringIO()
    call_command(
        "import_ressources",
        str(chemin),
        "--departement",
        departement,
        *options,
        stdout=sortie,
        stderr=erreurs,
    )
    return sortie.getvalue(), erreurs.getvalue()


def test_a_blanc_par_defaut(dep, tmp_path, demo_octets):
    fichier = tmp_path / "demo.json"
    fichier.write_bytes(demo_octets)
    nombre = len(json.loads(demo_octets)["services"])
    sortie, erreurs = lancer(fichier)
    assert "À blanc : rien n'a été écrit" in sortie
    assert f"services : {nombre} créé(s), 0 mis à jour, 0 inchangé(s)." in sortie
    assert ServiceRessource.objects.count() == 0
    assert "Validation [" in erreurs  # barre de progression


def test_wet_run_importe_puis_ne_change_plus_rien(dep, tmp_path, demo_octets):
    fichier = tmp_path / "demo.json"
    fichier.write_bytes(demo_octets)
    nombre = len(json.loads(demo_octets)["services"])
    sortie, erreurs = lancer(fichier, "--wet-run")
    assert f"{nombre} créé(s)" in sortie and "Import terminé" in sortie
    assert "Écriture" in erreurs
    assert ServiceRessource.objects.count() == nombre
    sortie, _ = lancer(fichier, "--wet-run")
    assert f"services 0 créé(s), 0 mis à jour, {nombre} inchangé(s)" in sortie


def test_une_ligne_invalide_arrete_tout(dep, tmp_path):
    fichier = tmp_path / "ressources.json"
    fichier.write_bytes(octets([structure()], [service(1), INVALIDE]))
    with pytest.raises(CommandError, match="1 élément\\(s\\) rejeté\\(s\\) : rien n'a été importé"):
        lancer(fichier, "--wet-run")
    assert StructureRessource.objects.count() == 0


def test_l_import_partiel_ecrit_les_lignes_valides_et_rapporte_les_autres(dep, tmp_path):
    fichier = tmp_path / "ressources.json"
    fichier.write_bytes(octets([structure()], [service(1), INVALIDE]))
    sortie, erreurs = lancer(fichier, "--wet-run", "--accepter-partiel")
    assert "Rejet — service n°2, service « dora--sv3 » : " in erreurs
    assert "courriel : adresse de courriel invalide" in erreurs
    assert "Import partiel : 1 élément(s) rejeté(s)." in sortie
    assert list(ServiceRessource.objects.values_list("identifiant", flat=True)) == ["dora--sv1"]


def test_fichier_refuse(dep, tmp_path):
    fichier = tmp_path / "ressources.json"
    fichier.write_bytes(b'{"structures": [')
    with pytest.raises(CommandError, match=r"JSON invalide .* Rien n'a été importé\."):
        lancer(fichier)
    with pytest.raises(CommandError, match="Fichier introuvable"):
        lancer(tmp_path / "absent.json")


def test_departement_inconnu(db, tmp_path):
    with pytest.raises(CommandError, match="Aucun département de code INSEE « 99 »"):
        lancer(tmp_path / "x.json", departement="99")
