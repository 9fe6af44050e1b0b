"""La démonstration : une séance à venir, ses participants, son ordre du jour tiré des
files du département de démonstration ; deux chargements, une seule séance."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from comites.models import EtatSeance, MotifInscription, Seance

pytestmark = pytest.mark.django_db


def test_seed_demo_prepare_une_seance_a_venir_une_seule_fois(settings):
    settings.DEMO_AUTORISEE = True
    call_command("seed_demo")
    call_command("seed_demo")
    seance = Seance.objects.get()
    assert seance.etat == EtatSeance.PREPAREE and seance.debut > timezone.now()
    assert seance.participants.count() == 6  # l'animatrice, quatre invités, une personne extérieure
    motifs = set(seance.points.values_list("motif", flat=True))
    assert MotifInscription.CHANGEMENT_AXE in motifs and MotifInscription.PRESCRIPTION in motifs
