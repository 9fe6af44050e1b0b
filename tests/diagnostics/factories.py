"""Fabriques du diagnostic et de ses freins (objets seuls, sans passer par les services :
pour les tests qui ont besoin de l'objet, pas de son parcours — voir tests/diagnostics/parcours.py)."""

import factory

from accompagnement.referentiels import DomaineFrein
from diagnostics.models import Diagnostic, Frein
from tests.accompagnement.factories import UserFactory
from tests.dossiers.factories import DossierFactory


class DiagnosticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnostic

    dossier = factory.SubFactory(DossierFactory)
    numero = 1
    cree_par = factory.SubFactory(UserFactory)


class FreinFactory(factory.django.DjangoModelFactory):
    """Un domaine du volet social ; « non abordé » par défaut (sans impact ni statut)."""

    class Meta:
        model = Frein

    diagnostic = factory.SubFactory(DiagnosticFactory)
    domaine = DomaineFrein.LOGEMENT
