"""Droits sur la base de ressources, une question à la fois, pour chaque rôle."""

import pytest

from accompagnement.models import Role
from conventions import perms
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.conventions.factories import ServiceRessourceFactory, StructureRessourceFactory

pytestmark = pytest.mark.django_db

GESTION = {Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION}


@pytest.fixture
def membre(db):
    def _membre(role):
        return MembershipFactory(role=role)

    return _membre


@pytest.mark.parametrize("role", Role.values)
def test_voir_les_ressources(membre, role):
    assert perms.peut_voir_ressources(membre(role)) is (role != Role.ADMINISTRATEUR)


@pytest.mark.parametrize("role", Role.values)
def test_gerer_les_ressources_et_voir_les_fiches_a_verifier(membre, role):
    membership = membre(role)
    assert perms.peut_gerer_ressources(membership) is (role in GESTION)
    assert perms.peut_voir_a_verifier(membership) is (role in GESTION)


def test_sans_rattachement_rien():
    assert not perms.peut_voir_ressources(None)
    assert not perms.peut_gerer_ressources(None)
    assert not perms.peut_voir_a_verifier(None)
    assert not perms.peut_modifier_ressource(None, None)


@pytest.mark.parametrize("role", Role.values)
def test_modifier_une_ressource_locale_de_son_departement(membre, role):
    membership = membre(role)
    dep = membership.structure.departement
    locale = ServiceRessourceFactory(structure__departement=dep, locale=True)
    importee = ServiceRessourceFactory(structure__departement=dep)
    ailleurs = ServiceRessourceFactory(structure__departement=DepartementFactory(), locale=True)
    assert perms.peut_modifier_ressource(membership, locale) is (role in GESTION)
    assert perms.peut_modifier_ressource(membership, locale.structure) is (role in GESTION)
    assert not perms.peut_modifier_ressource(membership, importee)
    assert not perms.peut_modifier_ressource(membership, StructureRessourceFactory(departement=dep))
    assert not perms.peut_modifier_ressource(membership, ailleurs)
