import re

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit, Role
from tests.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.django_db


def test_page_de_connexion_en_francais(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert '<html lang="fr">' in contenu
    assert "Courriel professionnel" in contenu and "Mot de passe oublié" in contenu
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_connexion_par_courriel_sans_casse_puis_accueil(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    response = client.post(
        reverse("login"), {"username": m.user.email.upper(), "password": MOT_DE_PASSE}
    )
    assert response.status_code == 302
    assert response.url == reverse("accueil")
    assert EvenementAudit.objects.filter(action=ActionAudit.CONNEXION, acteur=m.user).count() == 1


def test_echec_de_connexion_message_clair_et_trace(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    response = client.post(reverse("login"), {"username": m.user.email, "password": "faux"})
    assert response.status_code == 200
    assert "Courriel ou mot de passe incorrect" in response.content.decode()
    trace = EvenementAudit.objects.get(action=ActionAudit.ECHEC_CONNEXION)
    assert trace.details == {"identifiant": m.user.email}
    assert "faux" not in str(trace.details)


def test_deconnexion_par_post(client_de, professionnel):
    m = professionnel(Role.CONSEILLER)
    client = client_de(m)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("accueil")).status_code == 302
    assert EvenementAudit.objects.filter(action=ActionAudit.DECONNEXION).count() == 1


def test_changement_de_mot_de_passe(client_de, professionnel):
    m = professionnel(Role.TRAVAILLEUR_SOCIAL)
    client = client_de(m)
    assert client.get(reverse("password_change")).status_code == 200
    nouveau = "Un-nouveau-mot-de-passe-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau},
    )
    assert response.status_code == 302
    m.user.refresh_from_db()
    assert m.user.check_password(nouveau)


def test_changement_refuse_un_mot_de_passe_trop_court(client_de, professionnel):
    client = client_de(professionnel(Role.TRAVAILLEUR_SOCIAL))
    response = client.post(
        reverse("password_change"),
        {"old_password": MOT_DE_PASSE, "new_password1": "court", "new_password2": "court"},
    )
    assert response.status_code == 200
    assert "trop court" in response.content.decode()


def test_reinitialisation_par_courriel_de_bout_en_bout(
    client, professionnel, django_capture_on_commit_callbacks, taches_immediates
):
    m = professionnel(Role.CONSEILLER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": m.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [m.user.email]
    assert "réinitialisation" in message.subject
    lien = re.search(r"https?://[^/]+(/reinitialiser/\S+/)", message.body).group(1)
    page = client.get(lien, follow=True)
    assert "Choisir un nouveau mot de passe" in page.content.decode()
    nouveau = "Encore-un-mot-de-passe-42"
    fin = client.post(
        page.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau}
    )
    assert fin.status_code == 302
    m.user.refresh_from_db()
    assert m.user.check_password(nouveau)


def test_reinitialisation_pour_un_courriel_inconnu_ne_revele_rien(client):
    response = client.post(reverse("password_reset"), {"email": "inconnu@exemple.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_lien_de_reinitialisation_invalide(client):
    response = client.get("/reinitialiser/MQ/mauvais-jeton/")
    assert response.status_code == 200
    assert "Lien invalide ou expiré" in response.content.decode()


def test_pages_d_erreur_en_francais(client_de, professionnel):
    client = client_de(professionnel(Role.CONSEILLER))
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_page_500_autonome():
    from django.template.loader import render_to_string

    assert "Le service a rencontré une erreur" in render_to_string("500.html")
