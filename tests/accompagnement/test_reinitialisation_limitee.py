"""Réinitialisation du mot de passe limitée par courriel et par adresse IP (cache de
Django), avec la même réponse neutre dans tous les cas : rien ne révèle si un compte
existe ni si la limite est atteinte."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accompagnement.models import Role

pytestmark = pytest.mark.django_db

REINITIALISATION = "/mot-de-passe-oublie/"


@pytest.fixture
def demander(client, django_capture_on_commit_callbacks, taches_immediates):
    def _demander(email, **entetes):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(REINITIALISATION, {"email": email}, **entetes)

    return _demander


def test_huit_demandes_pour_une_adresse_donnent_trois_courriels(demander, professionnel):
    """Le constat de la revue de sécurité : 8 demandes, 8 courriels."""
    m = professionnel(Role.CONSEILLER)
    assert settings.REINITIALISATION_LIMITE_COURRIEL == 3
    reponses = [demander(m.user.email) for _ in range(8)]
    assert len(mail.outbox) == 3
    assert {m.user.email} == {adresse for message in mail.outbox for adresse in message.to}
    # Même réponse à chaque fois, limite atteinte ou non.
    assert {(r.status_code, r.url) for r in reponses} == {(302, reverse("password_reset_done"))}


def test_la_limite_par_adresse_ignore_la_casse(demander, professionnel):
    m = professionnel(Role.CONSEILLER)
    for email in (m.user.email, m.user.email.upper(), f" {m.user.email.title()} ", m.user.email):
        demander(email)
    assert len(mail.outbox) == 3


def test_la_limite_par_adresse_ip_vaut_pour_toutes_les_adresses(demander, professionnel):
    limite = settings.REINITIALISATION_LIMITE_IP
    assert limite == 10
    comptes = [professionnel(Role.CONSEILLER) for _ in range(limite + 2)]
    # Des demandes pour des adresses inconnues comptent aussi (pas d'énumération gratuite).
    demander("inconnu@exemple.test")
    for m in comptes:
        demander(m.user.email)
    assert len(mail.outbox) == limite - 1
    # Depuis une autre adresse, le compteur est distinct.
    demander(comptes[-1].user.email, REMOTE_ADDR="203.0.113.5")
    assert len(mail.outbox) == limite


def test_un_x_forwarded_for_invente_ne_contourne_pas_la_limite(demander, professionnel):
    comptes = [professionnel(Role.CONSEILLER) for _ in range(settings.REINITIALISATION_LIMITE_IP)]
    for i, m in enumerate([*comptes, professionnel(Role.CONSEILLER)]):
        demander(m.user.email, HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}")
    assert len(mail.outbox) == settings.REINITIALISATION_LIMITE_IP


def test_la_reponse_est_la_meme_pour_un_compte_inconnu_et_une_limite_atteinte(
    client, demander, professionnel
):
    m = professionnel(Role.CONSEILLER)
    for _ in range(settings.REINITIALISATION_LIMITE_COURRIEL):
        demander(m.user.email)
    limitee = demander(m.user.email)
    inconnue = demander("inconnu@exemple.test")
    assert (limitee.status_code, limitee.url) == (inconnue.status_code, inconnue.url)
    page = client.get(limitee.url).content.decode()
    assert "Si un compte correspond à ce courriel" in page


def test_la_limite_se_leve_a_la_fin_de_la_fenetre(demander, professionnel):
    m = professionnel(Role.CONSEILLER)
    for _ in range(settings.REINITIALISATION_LIMITE_COURRIEL + 1):
        demander(m.user.email)
    assert len(mail.outbox) == settings.REINITIALISATION_LIMITE_COURRIEL
    cache.clear()  # la fenêtre d'une heure est écoulée : les compteurs ont expiré
    demander(m.user.email)
    assert len(mail.outbox) == settings.REINITIALISATION_LIMITE_COURRIEL + 1
