import pytest

from accompagnement.models import Role
from tests.accompagnement.factories import MembershipFactory, StructureFactory


@pytest.fixture
def equipe(db):
    """Un département avec une agence, un territoire et un professionnel par rôle."""
    agence = StructureFactory(agence=True, nom="Agence Centre")
    dep = agence.departement
    territoire = StructureFactory(territoire=True, departement=dep, nom="Territoire Centre")
    direction = StructureFactory(direction=True, departement=dep, nom="Direction")

    class Equipe:
        departement = dep
        conseiller = MembershipFactory(role=Role.CONSEILLER, structure=agence)
        dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        dedie_bis = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        ts = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=territoire)
        ts_bis = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=territoire)
        correspondant = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=territoire)
        animatrice = MembershipFactory(role=Role.ANIMATRICE, structure=direction)

    Equipe.agence, Equipe.territoire = agence, territoire
    return Equipe
