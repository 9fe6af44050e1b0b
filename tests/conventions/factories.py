import datetime as dt

import factory

from conventions.models import ServiceRessource, StructureRessource
from tests.accompagnement.factories import DepartementFactory


class StructureRessourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureRessource

    departement = factory.SubFactory(DepartementFactory)
    source = "dora"
    identifiant = factory.Sequence(lambda n: f"dora--structure-{n}")
    nom = factory.Sequence(lambda n: f"Structure ressource {n}")
    date_maj = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    commune = "Besançon"
    code_insee = "25056"
    code_postal = "25000"

    class Params:
        locale = factory.Trait(source="locale")


class ServiceRessourceFactory(factory.django.DjangoModelFactory):
    """Un service (save() calcule les colonnes dérivées : domaines, texte de recherche)."""

    class Meta:
        model = ServiceRessource

    structure = factory.SubFactory(StructureRessourceFactory)
    departement = factory.SelfAttribute("structure.departement")
    source = factory.SelfAttribute("structure.source")
    identifiant = factory.Sequence(lambda n: f"dora--service-{n}")
    nom = factory.Sequence(lambda n: f"Service {n}")
    description = "Un service du département."
    date_maj = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    thematiques = factory.LazyFunction(lambda: ["logement-hebergement--louer-un-logement"])
    publics = factory.LazyFunction(lambda: ["tous-publics"])
    modes_accueil = factory.LazyFunction(lambda: ["en-presentiel"])
    zone_eligibilite = factory.LazyFunction(lambda: ["25056"])
    commune = "Besançon"
    code_insee = "25056"

    class Params:
        ancien = factory.Trait(
            date_maj=factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=400))
        )
        locale = factory.Trait(structure__source="locale")
