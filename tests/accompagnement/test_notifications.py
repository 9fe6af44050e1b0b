import pytest
from django.core import mail
from django.urls import reverse

from accompagnement import notifications
from accompagnement.models import CategorieNotification, Notification, Role
from accompagnement.tasks import envoyer_resumes_quotidiens
from tests.accompagnement.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_plusieurs_evenements_un_seul_resume(django_capture_on_commit_callbacks, taches_immediates):
    alice, bruno = UserFactory(prenom="Alice"), UserFactory(prenom="Bruno")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            notifications.envoyer(
                destinataires=[alice], sujet=f"Événement {i}", lien=f"/dossiers/{i}/"
            )
        notifications.envoyer(destinataires=[bruno, alice], sujet="Commun")
    assert mail.outbox == []  # rien à l'unité
    with django_capture_on_commit_callbacks(execute=True):
        assert envoyer_resumes_quotidiens.delay().get() == 2
    par_destinataire = {m.to[0]: m for m in mail.outbox}
    assert set(par_destinataire) == {alice.email, bruno.email}
    resume_alice = par_destinataire[alice.email]
    assert "4 nouveautés" in resume_alice.subject
    assert (
        all(f"Événement {i}" in resume_alice.body for i in range(3))
        and "Commun" in resume_alice.body
    )
    assert "http://127.0.0.1:8000/dossiers/1/" in resume_alice.body
    # Idempotent : un second passage n'envoie rien de plus.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert envoyer_resumes_quotidiens.delay().get() == 0
    assert mail.outbox == []


def test_une_decision_part_aussitot_et_pas_dans_le_resume(
    django_capture_on_commit_callbacks, taches_immediates
):
    alice = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.envoyer(
            destinataires=[alice],
            sujet="Changement d'axe acceptée",
            categorie=CategorieNotification.DECISION,
            immediat=True,
        )
    assert [m.subject for m in mail.outbox] == ["[Accompagnement global] Changement d'axe acceptée"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.envoyer_resumes() == 0
    assert mail.outbox == []
    assert Notification.objects.get().lue_le is None  # reste à lire dans la boîte


def test_rien_si_la_transaction_echoue(django_capture_on_commit_callbacks, taches_immediates):
    from django.db import transaction

    alice = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifications.envoyer(destinataires=[alice], sujet="x", immediat=True)
        raise RuntimeError
    assert mail.outbox == [] and not Notification.objects.exists()


def test_boite_de_reception_lue_non_lue_et_badge(client_de):
    m = MembershipFactory(role=Role.CONSEILLER)
    autre = MembershipFactory(role=Role.CONSEILLER)
    notifications.envoyer(destinataires=[m.user], sujet="Pour moi", lien="/annuaire/")
    notifications.envoyer(destinataires=[autre.user], sujet="Pas pour moi")
    client = client_de(m)
    page = client.get(reverse("notifications"))
    contenu = page.content.decode()
    assert "Pour moi" in contenu and "Pas pour moi" not in contenu
    assert '1<span class="visually-hidden"> non lue</span>' in contenu
    n = Notification.objects.get(destinataire=m.user)
    reponse = client.post(reverse("notification_ouvrir", args=[n.uuid]))
    assert reponse.status_code == 302 and reponse.url == "/annuaire/"
    n.refresh_from_db()
    assert n.lue_le is not None
    # La notification d'un autre : 404.
    etrangere = Notification.objects.get(destinataire=autre.user)
    assert client.post(reverse("notification_ouvrir", args=[etrangere.uuid])).status_code == 404


def test_tout_marquer_lu_et_lien_externe_refuse(client_de):
    m = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL)
    notifications.envoyer(destinataires=[m.user], sujet="a")
    notifications.envoyer(destinataires=[m.user], sujet="b", lien="//malveillant.example/")
    client = client_de(m)
    piege = Notification.objects.get(titre="b")
    assert client.post(reverse("notification_ouvrir", args=[piege.uuid])).url == reverse(
        "notifications"
    )
    client.post(reverse("notifications_tout_lire"))
    assert not Notification.objects.filter(destinataire=m.user).non_lues().exists()


def test_ouvrir_exige_post(client_de):
    m = MembershipFactory(role=Role.CONSEILLER)
    notifications.envoyer(destinataires=[m.user], sujet="a")
    n = Notification.objects.get()
    assert client_de(m).get(reverse("notification_ouvrir", args=[n.uuid])).status_code == 405
