import datetime as dt

import factory
from django.utils import timezone

from accompagnement.models import Role
from dossiers.models import (
    Action,
    Civilite,
    CotePorteur,
    DemandeImportante,
    Demandeur,
    Dossier,
    Objectif,
    Origine,
    RendezVous,
    StatutDemandeImportante,
    TypeDemandeImportante,
    TypeRendezVous,
)
from tests.accompagnement.factories import (
    DepartementFactory,
    MembershipFactory,
    StructureFactory,
    UserFactory,
)


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


class ObjectifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objectif

    dossier = factory.SubFactory(DossierFactory)
    domaine = "emploi"
    intitule = "Retrouver un emploi de cariste"
    cree_par = factory.SubFactory(UserFactory)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    objectif = factory.SubFactory(ObjectifFactory)
    dossier = factory.SelfAttribute("objectif.dossier")
    intitule = "Atelier CV"
    cote = CotePorteur.EMPLOI
    responsable = factory.SubFactory(UserFactory)
    date_debut = factory.LazyFunction(dt.date.today)
    date_fin_prevue = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=15))
    cree_par = factory.SubFactory(UserFactory)


class RendezVousFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RendezVous

    dossier = factory.SubFactory(DossierFactory)
    debut = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    type = TypeRendezVous.INDIVIDUEL
    cree_par = factory.SubFactory(UserFactory)


class DemandeImportanteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemandeImportante

    dossier = factory.SubFactory(DossierFactory)
    type = TypeDemandeImportante.values[0]
    objet = "Prévention d'une expulsion locative"
    statut = StatutDemandeImportante.BROUILLON
    cree_par = factory.SubFactory(UserFactory)
    # Une demande sortie du brouillon est datée (contraintes du modèle).
    transmise_le = factory.LazyAttribute(
        lambda o: None if o.statut == StatutDemandeImportante.BROUILLON else timezone.now()
    )


__all__ = [
    "ActionFactory",
    "DemandeImportanteFactory",
    "DemandeurFactory",
    "DossierFactory",
    "ObjectifFactory",
    "RendezVousFactory",
    "Role",
    "membre",
]
