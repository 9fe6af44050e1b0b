"""Administration des conventions : l'animatrice d'un département ne voit et ne modifie que
les conventions de son département ; signer et ajouter un avenant passent par le service."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accompagnement.management.commands.seed_demo import PERMISSIONS_COORDINATION
from accompagnement.models import Role
from conventions.models import Avenant, EtatConvention
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.conventions.test_conventions import nouvelle_convention

pytestmark = pytest.mark.django_db


@pytest.fixture
def groupe():
    groupe = Group.objects.create(name="Coordination départementale")
    groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
    return groupe


def staff(role, departement, groupe):
    membership = MembershipFactory(role=role, structure__departement=departement)
    membership.user.is_staff = True
    membership.user.save(update_fields=["is_staff"])
    membership.user.groups.add(groupe)
    return membership


@pytest.fixture
def monde(groupe):
    dep_a, dep_b = DepartementFactory(nom="Doubs"), DepartementFactory(nom="Orne")
    return {
        "a": nouvelle_convention(dep_a, intitule="Convention du Doubs"),
        "b": nouvelle_convention(dep_b, intitule="Convention de l'Orne"),
        "animatrice_a": staff(Role.ANIMATRICE, dep_a, groupe),
        "administrateur_a": staff(Role.ADMINISTRATEUR, dep_a, groupe),
    }


def test_liste_cloisonnee(client, monde):
    client.force_login(monde["animatrice_a"].user)
    reponse = client.get(reverse("admin:conventions_convention_changelist"))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Convention du Doubs" in contenu
    assert "Convention de l&#x27;Orne" not in contenu and "Convention de l'Orne" not in contenu
    autre = reverse("admin:conventions_convention_change", args=[monde["b"].pk])
    assert client.get(autre).status_code == 302  # objet hors périmètre : renvoi à l'accueil
    partie_b = monde["b"].parties.first()
    assert (
        client.get(reverse("admin:conventions_partie_change", args=[partie_b.pk])).status_code
        == 302
    )


def test_signer_par_l_action(client, monde):
    client.force_login(monde["animatrice_a"].user)
    url = reverse("admin:conventions_convention_changelist")
    reponse = client.post(
        url,
        {"action": "signer", "_selected_action": [monde["a"].pk, monde["b"].pk]},
        follow=True,
    )
    assert reponse.status_code == 200
    monde["a"].refresh_from_db()
    monde["b"].refresh_from_db()
    assert monde["a"].etat == EtatConvention.SIGNEE
    assert monde["b"].etat == EtatConvention.BROUILLON  # hors périmètre : ignorée
    assert "« Convention du Doubs » : signée." in reponse.content.decode()


def test_l_administrateur_ne_signe_pas(client, monde):
    client.force_login(monde["administrateur_a"].user)
    reponse = client.post(
        reverse("admin:conventions_convention_changelist"),
        {"action": "signer", "_selected_action": [monde["a"].pk]},
        follow=True,
    )
    monde["a"].refresh_from_db()
    assert monde["a"].etat == EtatConvention.BROUILLON
    assert "Seule l&#x27;animatrice fonctionnelle" in reponse.content.decode()


def test_ajouter_un_avenant(client, monde):
    from conventions import services

    services.signer_convention(convention=monde["a"], par=monde["animatrice_a"])
    client.force_login(monde["animatrice_a"].user)
    url = reverse("admin:conventions_avenant_add")
    formulaire = client.get(url).content.decode()
    assert "Convention du Doubs" in formulaire and "Orne" not in formulaire
    donnees = {
        "convention": monde["a"].pk,
        "numero": 1,
        "objet": "Prolongation",
        "date_signature": "15/11/2016",
        "date_effet": "01/01/2017",
        "nouvelle_date_echeance": "31/12/2018",
    }
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:3000]
    avenant = Avenant.objects.get()
    assert avenant.changements == {"date_echeance": {"avant": "2016-12-31", "apres": "2018-12-31"}}

    # Refus du service (numéro déjà pris) : message, rien d'écrit.
    reponse = client.post(url, {**donnees, "numero": 1}, follow=True)
    assert Avenant.objects.count() == 1
    # Convention hors périmètre : refusée par le formulaire.
    reponse = client.post(url, {**donnees, "numero": 2, "convention": monde["b"].pk})
    assert reponse.status_code == 200
    assert Avenant.objects.count() == 1


def test_avenant_vide_refuse(client, monde):
    client.force_login(monde["animatrice_a"].user)
    reponse = client.post(
        reverse("admin:conventions_avenant_add"),
        {
            "convention": monde["a"].pk,
            "numero": 1,
            "objet": "Rien",
            "date_signature": "15/11/2016",
            "date_effet": "01/01/2017",
        },
    )
    assert "Indiquez au moins une valeur modifiée" in reponse.content.decode()
    assert not Avenant.objects.exists()


def test_refus_du_service_affiche_et_n_ecrit_rien(client, monde):
    client.force_login(monde["animatrice_a"].user)
    reponse = client.post(
        reverse("admin:conventions_avenant_add"),
        {
            "convention": monde["a"].pk,  # encore en brouillon
            "numero": 1,
            "objet": "Prolongation",
            "date_signature": "15/11/2016",
            "date_effet": "01/01/2017",
            "nouvelle_date_echeance": "31/12/2018",
        },
        follow=True,
    )
    assert reponse.status_code == 200
    assert (
        "Seule une convention signée ou en vigueur reçoit un avenant." in reponse.content.decode()
    )
    assert not Avenant.objects.exists()
