import pytest
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit, Role
from tests.accompagnement.factories import MembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_un_seul_rattachement_est_choisi_d_office(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    client.force_login(m.user)
    response = client.get(reverse("accueil"))
    assert response.status_code == 200
    assert response.wsgi_request.membership == m
    assert response.wsgi_request.departement == m.structure.departement
    assert client.session["membership_uuid"] == str(m.uuid)


def test_plusieurs_rattachements_imposent_un_choix_puis_le_gardent(client):
    user = UserFactory()
    ts = MembershipFactory(user=user, role=Role.TRAVAILLEUR_SOCIAL)
    corr = MembershipFactory(
        user=user,
        role=Role.CORRESPONDANT_INSERTION,
        structure=StructureFactory(territoire=True, departement=ts.structure.departement),
    )
    client.force_login(user)
    response = client.get(reverse("annuaire"))
    assert response.status_code == 302
    assert response.url == f"{reverse('choisir_structure')}?next=%2Fannuaire%2F"

    page = client.get(response.url)
    assert page.status_code == 200
    assert corr.structure.nom in page.content.decode()

    response = client.post(
        reverse("choisir_structure"), {"membership": str(corr.uuid), "next": "/annuaire/"}
    )
    assert response.status_code == 302 and response.url == "/annuaire/"
    suite = client.get("/annuaire/")
    assert suite.wsgi_request.membership == corr
    assert EvenementAudit.objects.filter(action=ActionAudit.CHOIX_STRUCTURE, acteur=user).exists()


def test_on_ne_peut_pas_choisir_le_rattachement_d_un_autre(client):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.TRAVAILLEUR_SOCIAL)
    MembershipFactory(user=user, role=Role.CONSEILLER)
    autre = MembershipFactory(role=Role.ANIMATRICE)
    client.force_login(user)
    response = client.post(reverse("choisir_structure"), {"membership": str(autre.uuid)})
    assert response.status_code == 200
    assert "membership_uuid" not in client.session
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_redirection_externe_refusee_apres_le_choix(client):
    user = UserFactory()
    m = MembershipFactory(user=user, role=Role.TRAVAILLEUR_SOCIAL)
    MembershipFactory(user=user, role=Role.CONSEILLER)
    client.force_login(user)
    response = client.post(
        reverse("choisir_structure"),
        {"membership": str(m.uuid), "next": "https://malveillant.example"},
    )
    assert response.url == reverse("accueil")


def test_rattachement_inactif_ignore(client):
    m = MembershipFactory(role=Role.CONSEILLER, actif=False)
    client.force_login(m.user)
    response = client.get(reverse("accueil"))
    assert response.status_code == 403
    assert "rattaché à aucune structure active" in response.content.decode()
    assert response.wsgi_request.membership is None


def test_structure_desactivee_ne_donne_plus_acces(client):
    m = MembershipFactory(role=Role.CONSEILLER, structure__actif=False)
    client.force_login(m.user)
    assert client.get(reverse("accueil")).status_code == 403


def test_un_rattachement_choisi_puis_desactive_n_est_plus_utilise(client_de, professionnel):
    m = professionnel(Role.CONSEILLER)
    client = client_de(m)
    m.actif = False
    m.save()
    assert client.get(reverse("accueil")).status_code == 403


@pytest.mark.parametrize(
    "chemin",
    [
        "/annuaire/?q=%00",
        "/annuaire/?q=abc%00def",
        "/annuaire/?role%00=x",
        "/dossiers/portefeuille/?q=%00",
    ],
)
def test_caractere_nul_repond_400_sans_erreur_500(client_de, professionnel, chemin):
    """Revue de sécurité : /annuaire/?q=%00 répondait 500 (PostgreSQL refuse le NUL)."""
    client = client_de(professionnel(Role.CONSEILLER))
    response = client.get(chemin)
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
