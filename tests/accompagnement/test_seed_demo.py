"""`seed_demo` : refus hors démonstration, chaque compte se connecte. Le contenu de la
démo complète et son idempotence : tests/dossiers/test_demo.py (chargée une fois)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from accompagnement import demo
from accompagnement.models import Departement, Membership, Structure, User

pytestmark = pytest.mark.django_db


def compter():
    return (
        Departement.objects.count(),
        Structure.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_refuse_hors_demo(settings):
    settings.DEMO_AUTORISEE = False
    avant = compter()
    with pytest.raises(CommandError, match="DEMO_AUTORISEE"):
        call_command("seed_demo")
    assert compter() == avant


@pytest.fixture(scope="module")
def demo_minimale(django_db_setup, django_db_blocker):
    """La démo minimale chargée une fois pour le module (et non pour chaque compte), dans
    une transaction annulée à la fin ; chaque test tourne dans un point de sauvegarde."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, minimal=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("compte", demo.COMPTES_DEMO, ids=lambda c: c.email)
def test_chaque_compte_de_demo_se_connecte(demo_minimale, client, settings, compte):
    response = client.post(
        reverse("login"),
        {"username": compte.email, "password": settings.DEMO_MOT_DE_PASSE},
        follow=True,
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.email == compte.email
    if len(compte.rattachements) > 1:
        assert response.redirect_chain[-1][0].startswith(reverse("choisir_structure"))
    else:
        assert f"Bonjour {compte.prenom}" in response.content.decode()
