"""Ticket 11 (gravité basse) : un utilisateur sorti — tous ses rattachements inactifs —
ne lit plus sa boîte de réception, ne reçoit plus de résumé quotidien ni de courriel
immédiat, et ne peut plus rien faire : toutes les routes du projet lui répondent 403,
sauf la page qui le lui dit, son mot de passe et la déconnexion."""

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement import notifications
from accompagnement.middleware import CHEMINS_SANS_RATTACHEMENT
from accompagnement.models import Membership, Notification, Role
from tests.accompagnement.factories import MembershipFactory
from tests.matrice import toutes_les_routes, url_d_exemple

# (nom, URL d'exemple) de chaque route : les paramètres ne désignent rien.
ROUTES = [(r.nom, url_d_exemple(r)) for r in toutes_les_routes()]

pytestmark = pytest.mark.django_db


@pytest.fixture
def sorti(client):
    """Un conseiller dont tous les rattachements ont été désactivés ; il était connecté."""
    membership = MembershipFactory(role=Role.CONSEILLER)
    MembershipFactory(user=membership.user, role=Role.CONSEILLER_DEDIE)
    notifications.envoyer(destinataires=[membership.user], sujet="Dossier confié")
    client.force_login(membership.user)
    session = client.session
    session["membership_uuid"] = str(membership.uuid)
    session.save()
    Membership.objects.filter(user=membership.user).update(actif=False)
    return membership


def test_il_ne_lit_plus_sa_boite_de_reception(client, sorti):
    notification = Notification.objects.get(destinataire=sorti.user)
    reponses = [
        client.get(reverse("notifications")),
        client.post(reverse("notification_ouvrir", args=[notification.uuid])),
        client.post(reverse("notifications_tout_lire")),
    ]
    assert [r.status_code for r in reponses] == [403, 403, 403]
    assert "rattaché à aucune structure active" in reponses[0].content.decode()
    assert "Dossier confié" not in reponses[0].content.decode()
    notification.refresh_from_db()
    assert notification.lue_le is None


ROUTES_FERMEES = [
    (nom, url) for nom, url in ROUTES if not url.startswith(CHEMINS_SANS_RATTACHEMENT)
]


def test_toutes_les_routes_lui_sont_fermees(client, sorti):
    assert len(ROUTES_FERMEES) > 30
    ouvertes = []
    for nom, url in ROUTES_FERMEES:
        for methode in (client.get, client.post):
            statut = methode(url).status_code
            if statut != 403:
                ouvertes.append((nom, methode.__name__, statut))
    assert ouvertes == []
    # La page qui le lui dit, elle, répond.
    assert client.get(reverse("choisir_structure")).status_code == 403
    assert client.get(reverse("password_change")).status_code == 200


def test_un_collegue_actif_garde_l_acces(client_de, sorti):
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=sorti.structure)
    assert client_de(collegue).get(reverse("notifications")).status_code == 200


def test_plus_de_resume_quotidien_ni_de_courriel_immediat(
    django_capture_on_commit_callbacks, taches_immediates, sorti
):
    actif = MembershipFactory(role=Role.CONSEILLER, structure=sorti.structure)
    notifications.envoyer(destinataires=[actif.user], sujet="Pour l'actif")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.envoyer_resumes() == 1
    assert [m.to for m in mail.outbox] == [[actif.user.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.envoyer(
            destinataires=[sorti.user, actif.user], sujet="Décision", immediat=True
        )
    assert [m.to for m in mail.outbox] == [[actif.user.email]]


def test_sortis_distingue_sans_rattachement_et_rattachement_actif(sorti):
    actif = MembershipFactory(role=Role.CONSEILLER)
    sans = MembershipFactory(role=Role.CONSEILLER).user
    Membership.objects.filter(user=sans).delete()
    assert notifications.sortis([sorti.user.pk, actif.user.pk, sans.pk]) == {sorti.user.pk}
