"""Boîte d'envoi des tâches et échecs enregistrés (décisions 80 et 83) : une demande
envoyée après la validation est marquée envoyée ; une tâche qui échoue pour de bon laisse
une ligne `EchecTache`, que le super-utilisateur lit dans l'administration (et lui seul).
Le broker injoignable et le worker tué : tests/reporting/test_pannes.py."""

import pytest
from celery import shared_task
from django.urls import reverse

from accompagnement import taches
from accompagnement.models import EchecTache, EnvoiTache, Role
from tests.accompagnement.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taches_immediates")]

FAITES = []


@shared_task(name="tests.accompagnement.tache_qui_echoue")
def tache_qui_echoue(motif: str) -> None:
    raise ValueError(f"disque plein ({motif})")


@shared_task(name="tests.accompagnement.tache_qui_reussit")
def tache_qui_reussit(valeur: int) -> int:
    FAITES.append(valeur)
    return valeur


def test_envoi_apres_validation_marque_envoye(django_capture_on_commit_callbacks):
    FAITES.clear()
    with django_capture_on_commit_callbacks(execute=True):
        envoi = taches.envoyer_apres_commit(tache_qui_reussit, 7)
        assert FAITES == []  # rien ne part avant la validation
    envoi.refresh_from_db()
    assert FAITES == [7]
    assert envoi.envoyee_le is not None and envoi.tentatives == 1 and envoi.arguments == [7]
    assert not taches.en_attente(envoi)
    # Rien n'est renvoyé ; les envois réussis de plus d'une semaine sont supprimés.
    assert taches.relancer_envois_en_attente() == 0
    plus_tard = envoi.envoyee_le + taches.CONSERVATION_ENVOIS + taches.DELAI_AVANT_RELANCE
    assert taches.relancer_envois_en_attente(plus_tard) == 0
    assert not EnvoiTache.objects.exists()


def test_echec_definitif_enregistre_et_lu_par_le_super_utilisateur(client):
    # Le traceur de Celery, comme dans un worker (sans relancer l'exception à l'appelant).
    resultat = tache_qui_echoue.apply(("export 12",), throw=False)
    assert resultat.failed()
    echec = EchecTache.objects.get()
    assert echec.tache == "tests.accompagnement.tache_qui_echoue"
    assert echec.exception == "ValueError" and echec.message == "disque plein (export 12)"
    assert "ValueError" in echec.trace and echec.task_id

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    liste = client.get(reverse("admin:accompagnement_echectache_changelist"))
    assert liste.status_code == 200 and "disque plein (export 12)" in liste.content.decode()
    fiche = client.get(reverse("admin:accompagnement_echectache_change", args=[echec.pk]))
    assert fiche.status_code == 200 and "Pile d" in fiche.content.decode()
    assert client.get(reverse("admin:accompagnement_echectache_add")).status_code == 403


def test_l_administrateur_d_un_departement_ne_voit_pas_les_echecs(client):
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, user__is_staff=True)
    client.force_login(admin.user)
    assert client.get(reverse("admin:accompagnement_echectache_changelist")).status_code == 403
    assert client.get(reverse("admin:accompagnement_envoitache_changelist")).status_code == 403
