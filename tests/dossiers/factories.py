import datetime as dt

import factory

from accompagnement.models import Role
from dossiers.models import Civilite, Demandeur, Dossier, Origine
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory


class DemandeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demandeur

    departement = factory.SubFactory(DepartementFactory)
    civilite = Civilite.MADAME
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    # Modulo : dans une longue session de tests, la suite dépassait aujourd'hui (une date de
    # naissance « dans le futur » que l'import refuse) ; 1970 à 2022 au plus.
    date_naissance = factory.Sequence(
        lambda n: dt.date(1970, 1, 1) + dt.timedelta(days=97 * (n % 200))
    )
    identifiant_ft = factory.Sequence(lambda n: f"{1000000 + n:07d}X")
    code_postal = "25000"
    commune = "Besançon"
    code_commune = "25056"


class DossierFactory(factory.django.DjangoModelFactory):
    """Un dossier « à orienter ». Pour un parcours complet, passer par les services
    (voir tests/dossiers/conftest.py : `parcours`)."""

    class Meta:
        model = Dossier

    demandeur = factory.SubFactory(DemandeurFactory)
    departement = factory.SelfAttribute("demandeur.departement")
    origine = Origine.CONSEILLER_FT
    agence = factory.SubFactory(
        StructureFactory, agence=True, departement=factory.SelfAttribute("..departement")
    )


def membre(role, departement, structure=None, **kwargs):
    """Un professionnel du département donné (structure du bon type créée au besoin)."""
    if structure is None:
        return MembershipFactory(role=role, structure__departement=departement, **kwargs)
    return MembershipFactory(role=role, structure=structure, **kwargs)


__all__ = ["DemandeurFactory", "DossierFactory", "Role", "membre"]
