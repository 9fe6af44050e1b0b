"""Expiration de la session après SESSION_INACTIVITE_MINUTES sans requête : on recule
l'horodatage de la dernière activité gardé en session (aucune attente réelle)."""

import html
import time

import pytest
from django.urls import reverse

from accompagnement.middleware import CLE_DERNIERE_ACTIVITE
from accompagnement.models import ActionAudit, EvenementAudit, Role

pytestmark = pytest.mark.django_db


def reculer(client, minutes):
    session = client.session
    session[CLE_DERNIERE_ACTIVITE] = time.time() - minutes * 60
    session.save()


def test_trente_minutes_sans_activite_deconnectent_avec_un_message(client_de, professionnel):
    client = client_de(professionnel(Role.CONSEILLER))
    assert client.get(reverse("annuaire")).status_code == 200
    reculer(client, 31)
    response = client.get(reverse("annuaire"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/annuaire/"
    assert "_auth_user_id" not in client.session
    page = html.unescape(client.get(response.url).content.decode())
    assert "Votre session a expiré après 30 minutes d'inactivité" in page
    assert EvenementAudit.objects.filter(action=ActionAudit.DECONNEXION).count() == 1
    # Le message ne s'affiche qu'une fois.
    assert "Votre session a expiré" not in client.get(reverse("login")).content.decode()


def test_une_activite_recente_garde_la_session_et_la_prolonge(client_de, professionnel):
    client = client_de(professionnel(Role.CONSEILLER))
    client.get(reverse("accueil"))
    reculer(client, 29)
    assert client.get(reverse("annuaire")).status_code == 200
    assert time.time() - client.session[CLE_DERNIERE_ACTIVITE] < 5
    # 29 minutes plus tard encore (58 depuis la première) : la requête précédente a remis
    # le compteur à zéro.
    reculer(client, 29)
    assert client.get(reverse("annuaire")).status_code == 200
    assert "_auth_user_id" in client.session


def test_le_delai_se_regle(client_de, professionnel, settings):
    settings.SESSION_INACTIVITE_MINUTES = 10
    client = client_de(professionnel(Role.CONSEILLER))
    client.get(reverse("accueil"))
    reculer(client, 11)
    response = client.get(reverse("accueil"), follow=True)
    page = html.unescape(response.content.decode())
    assert "Votre session a expiré après 10 minutes d'inactivité" in page


def test_une_requete_htmx_expiree_recharge_toute_la_page(client_de, professionnel):
    client = client_de(professionnel(Role.CONSEILLER))
    client.get(reverse("accueil"))
    reculer(client, 45)
    response = client.get(reverse("annuaire"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/annuaire/"
    assert "_auth_user_id" not in client.session


def test_le_reglage_est_de_trente_minutes_par_defaut():
    from django.conf import settings

    assert settings.SESSION_INACTIVITE_MINUTES == 30
