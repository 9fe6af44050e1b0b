"""Verrouillage après des échecs de connexion répétés (django-axes) : par couple
(courriel, adresse IP), levé après le délai, message en français sur la page de connexion
du projet ; échecs tracés dans l'audit avec le département du compte visé ; tentatives
visibles dans l'administration, limitées au département."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import F
from django.urls import reverse

from accompagnement.management.commands.seed_demo import PERMISSIONS_COORDINATION
from accompagnement.models import ActionAudit, EvenementAudit, Role
from tests.accompagnement.factories import MembershipFactory, StructureFactory, UserFactory
from tests.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

CONNEXION = "/connexion/"


def echouer(client, email, fois, **entetes):
    reponses = [
        client.post(CONNEXION, {"username": email, "password": "mauvais"}, **entetes)
        for _ in range(fois)
    ]
    return reponses[-1]


def connecte(client):
    return "_auth_user_id" in client.session


def test_trente_mauvais_mots_de_passe_puis_le_bon_ne_connectent_pas(client, professionnel):
    """Le constat de la revue de sécurité : aucune limite aujourd'hui."""
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, 30)
    response = client.post(CONNEXION, {"username": m.user.email, "password": MOT_DE_PASSE})
    assert response.status_code == 429
    assert not connecte(client)


def test_le_verrou_tombe_a_la_limite_avec_un_message_en_francais(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    limite = settings.AXES_FAILURE_LIMIT
    assert limite == 5
    avant = echouer(client, m.user.email, limite - 1)
    assert avant.status_code == 200
    assert "Courriel ou mot de passe incorrect" in avant.content.decode()

    bloque = echouer(client, m.user.email, 1)
    assert bloque.status_code == 429
    contenu = bloque.content.decode()
    # La page de connexion du projet, pas le texte brut (anglais) de django-axes.
    assert '<html lang="fr">' in contenu and "Courriel professionnel" in contenu
    assert "Trop de tentatives de connexion" in contenu
    assert "15 minutes" in contenu
    assert "Account locked" not in contenu
    assert m.user.email in contenu  # le courriel reste saisi


def test_sous_la_limite_le_bon_mot_de_passe_connecte_et_remet_le_compteur_a_zero(
    client, professionnel
):
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(CONNEXION, {"username": m.user.email, "password": MOT_DE_PASSE})
    assert response.status_code == 302 and connecte(client)
    assert not AccessAttempt.objects.filter(username=m.user.email).exists()


def test_la_casse_du_courriel_ne_contourne_pas_le_verrou(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    for i in range(settings.AXES_FAILURE_LIMIT):
        email = m.user.email.upper() if i % 2 else m.user.email
        client.post(CONNEXION, {"username": email, "password": "mauvais"})
    response = client.post(CONNEXION, {"username": m.user.email.upper(), "password": MOT_DE_PASSE})
    assert response.status_code == 429 and not connecte(client)


def test_un_x_forwarded_for_invente_ne_contourne_pas_le_verrou(client, professionnel):
    """Sans proxy de confiance, l'adresse est celle de la connexion (REMOTE_ADDR) : changer
    X-Forwarded-For à chaque essai ne remet pas le compteur à zéro."""
    m = professionnel(Role.CONSEILLER)
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            CONNEXION,
            {"username": m.user.email, "password": "mauvais"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}",
        )
    response = client.post(
        CONNEXION,
        {"username": m.user.email, "password": MOT_DE_PASSE},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429 and not connecte(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_axes_compte_par_l_adresse_de_l_audit():
    assert settings.AXES_CLIENT_IP_CALLABLE == "accompagnement.reseau.adresse_client"


def test_derriere_le_proxy_de_confiance_le_verrou_vise_l_adresse_du_client(
    client, professionnel, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    bloque = client.post(
        CONNEXION,
        {"username": m.user.email, "password": MOT_DE_PASSE},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert bloque.status_code == 429
    # Un autre poste derrière le même proxy n'est pas bloqué.
    autre = client.post(
        CONNEXION,
        {"username": m.user.email, "password": MOT_DE_PASSE},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert autre.status_code == 302


def test_le_verrou_vaut_pour_le_couple_courriel_et_adresse(client, professionnel):
    """Une faute de frappe répétée ne bloque ni les collègues de la même agence (même
    adresse de sortie), ni le titulaire du compte depuis un autre poste."""
    m = professionnel(Role.CONSEILLER)
    collegue = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, settings.AXES_FAILURE_LIMIT)

    autre_compte = client.post(
        CONNEXION, {"username": collegue.user.email, "password": MOT_DE_PASSE}
    )
    assert autre_compte.status_code == 302
    client.logout()
    autre_poste = client.post(
        CONNEXION,
        {"username": m.user.email, "password": MOT_DE_PASSE},
        REMOTE_ADDR="203.0.113.9",
    )
    assert autre_poste.status_code == 302


def test_le_verrou_se_leve_apres_le_delai(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, settings.AXES_FAILURE_LIMIT)
    # Le temps passe : les tentatives ont plus de AXES_COOLOFF_MINUTES.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    response = client.post(CONNEXION, {"username": m.user.email, "password": MOT_DE_PASSE})
    assert response.status_code == 302 and connecte(client)


def test_les_essais_pendant_le_verrou_restent_traces_dans_l_audit(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email, settings.AXES_FAILURE_LIMIT + 2)
    client.post(CONNEXION, {"username": m.user.email, "password": MOT_DE_PASSE})
    echecs = EvenementAudit.objects.filter(action=ActionAudit.ECHEC_CONNEXION)
    assert echecs.count() == settings.AXES_FAILURE_LIMIT + 3
    assert not EvenementAudit.objects.filter(action=ActionAudit.CONNEXION).exists()


# --- Audit des échecs : le département du compte visé ----------------------------------


def test_un_echec_est_classe_dans_le_departement_du_compte(client, professionnel):
    m = professionnel(Role.CONSEILLER)
    echouer(client, m.user.email.upper(), 1)
    trace = EvenementAudit.objects.get(action=ActionAudit.ECHEC_CONNEXION)
    assert trace.departement == m.structure.departement
    assert trace.details == {"identifiant": m.user.email.upper()}
    assert trace.acteur is None
    assert trace.adresse_ip == "127.0.0.1"


def test_un_compte_de_deux_departements_donne_un_evenement_par_departement(client):
    user = UserFactory()
    a = MembershipFactory(user=user, role=Role.CONSEILLER)
    b = MembershipFactory(user=user, role=Role.TRAVAILLEUR_SOCIAL, actif=False)
    MembershipFactory(
        user=user,
        role=Role.CONSEILLER,
        structure=StructureFactory(agence=True, departement=a.structure.departement),
    )
    assert a.structure.departement != b.structure.departement
    echouer(client, user.email, 1)
    traces = EvenementAudit.objects.filter(action=ActionAudit.ECHEC_CONNEXION)
    assert {t.departement for t in traces} == {a.structure.departement, b.structure.departement}
    assert traces.count() == 2


def test_un_courriel_inconnu_donne_un_evenement_sans_departement(client):
    echouer(client, "personne@exemple.test", 1)
    trace = EvenementAudit.objects.get(action=ActionAudit.ECHEC_CONNEXION)
    assert trace.departement is None
    assert trace.details == {"identifiant": "personne@exemple.test"}


# --- Administration : tentatives limitées au département ---------------------------------


@pytest.fixture
def deux_departements(db):
    groupe = Group.objects.create(name="Coordination départementale")
    groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
    direction_a = StructureFactory(direction=True)
    direction_b = StructureFactory(direction=True)

    class Monde:
        admin_a = MembershipFactory(role=Role.ADMINISTRATEUR, structure=direction_a)
        conseiller_a = MembershipFactory(
            role=Role.CONSEILLER,
            structure=StructureFactory(agence=True, departement=direction_a.departement),
        )
        conseiller_b = MembershipFactory(
            role=Role.CONSEILLER,
            structure=StructureFactory(agence=True, departement=direction_b.departement),
        )

    Monde.admin_a.user.is_staff = True
    Monde.admin_a.user.save(update_fields=["is_staff"])
    Monde.admin_a.user.groups.add(groupe)
    return Monde


def verrouiller(client, *emails):
    for email in emails:
        echouer(client, email, settings.AXES_FAILURE_LIMIT)
    client.cookies.clear()


def test_l_administrateur_voit_les_echecs_de_son_departement_dans_le_journal(
    client, deux_departements
):
    m = deux_departements
    verrouiller(client, m.conseiller_a.user.email)
    client.force_login(m.admin_a.user)
    page = client.get(reverse("admin:accompagnement_evenementaudit_changelist"))
    assert page.status_code == 200
    assert "Échec de connexion" in page.content.decode()


def test_l_administrateur_ne_voit_que_les_tentatives_des_comptes_de_son_departement(
    client, deux_departements
):
    m = deux_departements
    verrouiller(client, m.conseiller_a.user.email, m.conseiller_b.user.email, "x@inconnu.test")
    assert AccessAttempt.objects.count() == 3
    client.force_login(m.admin_a.user)
    liste = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert liste.status_code == 200
    contenu = liste.content.decode()
    assert m.conseiller_a.user.email in contenu
    assert m.conseiller_b.user.email not in contenu
    assert "x@inconnu.test" not in contenu

    de_b = AccessAttempt.objects.get(username=m.conseiller_b.user.email)
    fiche = client.get(reverse("admin:axes_accessattempt_change", args=[de_b.pk]))
    assert fiche.status_code == 302  # objet introuvable dans son périmètre
    suppression = client.post(
        reverse("admin:axes_accessattempt_delete", args=[de_b.pk]), {"post": "yes"}
    )
    assert suppression.status_code == 302
    assert AccessAttempt.objects.filter(pk=de_b.pk).exists()


def test_l_administrateur_debloque_un_compte_de_son_departement(client, deux_departements):
    m = deux_departements
    verrouiller(client, m.conseiller_a.user.email)
    client.force_login(m.admin_a.user)
    tentative = AccessAttempt.objects.get(username=m.conseiller_a.user.email)
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[tentative.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    connexion = client.post(
        CONNEXION, {"username": m.conseiller_a.user.email, "password": MOT_DE_PASSE}
    )
    assert connexion.status_code == 302


def test_le_super_utilisateur_voit_toutes_les_tentatives(client, deux_departements):
    m = deux_departements
    verrouiller(client, m.conseiller_a.user.email, m.conseiller_b.user.email, "x@inconnu.test")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    contenu = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    for email in (m.conseiller_a.user.email, m.conseiller_b.user.email, "x@inconnu.test"):
        assert email in contenu


def test_les_journaux_d_axes_redondants_ne_sont_pas_exposes(client, deux_departements):
    """Les connexions réussies sont déjà dans le journal d'audit : django-axes n'en garde
    pas de copie (AccessLog), et l'administration ne montre que les tentatives."""
    client.post(
        CONNEXION,
        {"username": deux_departements.conseiller_a.user.email, "password": MOT_DE_PASSE},
    )
    assert not AccessLog.objects.exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/axes/accesslog/").status_code == 404
