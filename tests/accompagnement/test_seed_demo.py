import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accompagnement import demo
from accompagnement.models import Departement, Membership, Role, Structure, TypeStructure, User

pytestmark = pytest.mark.django_db


def compter():
    return (
        Departement.objects.count(),
        Structure.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_est_idempotent_et_modele_sur_le_doubs(settings, tmp_path):
    settings.DEMO_AUTORISEE = True
    settings.MEDIA_ROOT = tmp_path  # les documents de démonstration
    call_command("seed_demo", stdout=None)
    premier = compter()
    call_command("seed_demo")
    assert compter() == premier
    dep = Departement.objects.get(code_insee="25")
    assert dep.structures.filter(type=TypeStructure.AGENCE_FT).count() == 8
    assert dep.structures.filter(type=TypeStructure.TERRITOIRE_SOCIAL).count() >= 4
    assert dep.structures.filter(type=TypeStructure.DIRECTION_INSERTION).count() == 1
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    # 1 conseiller dédié par agence (plus le compte de démonstration).
    assert Membership.objects.filter(role=Role.CONSEILLER_DEDIE).count() == 9


def test_seed_demo_refuse_hors_demo(settings):
    settings.DEMO_AUTORISEE = False
    with pytest.raises(CommandError, match="DEMO_AUTORISEE"):
        call_command("seed_demo")
    assert compter() == (0, 0, 0, 0)


@pytest.mark.parametrize("compte", demo.COMPTES_DEMO, ids=lambda c: c.email)
def test_chaque_compte_de_demo_se_connecte(client, settings, compte):
    call_command("seed_demo", force=True, minimal=True)
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
