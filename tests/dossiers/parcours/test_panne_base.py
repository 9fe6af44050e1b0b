"""Ticket 14, point 4 : une vraie erreur de la base au milieu d'un service de parcours. Une
autre connexion PostgreSQL tient la table du journal en mode SHARE (les lectures passent,
les écritures attendent) et la connexion de l'application a un `lock_timeout` d'une
seconde : la modification de la fiche écrit la personne et l'audit, puis son écriture du
journal échoue (LockNotAvailable). Rien ne doit rester de la moitié faite, et la page le
dit en français, saisie conservée."""

import html

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from accompagnement.models import EvenementAudit
from accompagnement.vues import ERREUR_BASE
from dossiers.models import Demandeur, EvenementJournal
from tests import connexion_pg
from tests.dossiers.parcours.test_fiche_concurrente import donnees_du_formulaire
from tests.dossiers.scenarios import nouveau_dossier

# Données validées : la transaction d'un test ordinaire tiendrait elle-même un verrou
# d'écriture sur le journal, et le LOCK de l'autre connexion l'attendrait.
pytestmark = pytest.mark.django_db(transaction=True)


def _autre_connexion():
    return psycopg.connect(**connexion_pg.parametres())


def test_incident_de_base_au_milieu_du_service_rien_d_applique(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    demandeur = dossier.demandeur
    url = reverse("dossiers:modifier_personne", args=[dossier.uuid])
    client = client_de(equipe.conseiller)
    donnees = donnees_du_formulaire(equipe, demandeur, commune="Pontarlier")
    audits, evenements = EvenementAudit.objects.count(), EvenementJournal.objects.count()

    autre = _autre_connexion()
    try:
        autre.execute("SET lock_timeout = '10s'")  # jamais d'attente sans fin
        autre.execute('LOCK TABLE "dossiers_evenementjournal" IN SHARE MODE')
        with connection.cursor() as curseur:
            curseur.execute("SET lock_timeout = '1s'")
        reponse = client.post(url, donnees)
    finally:
        autre.rollback()
        autre.close()
        with connection.cursor() as curseur:
            curseur.execute("RESET lock_timeout")

    contenu = html.unescape(reponse.content.decode())
    assert reponse.status_code == 503
    assert ERREUR_BASE in contenu
    assert 'value="Pontarlier"' in contenu  # la saisie n'est pas perdue
    relu = Demandeur.objects.get(pk=demandeur.pk)
    assert (relu.commune, relu.version) == (demandeur.commune, demandeur.version)
    assert EvenementAudit.objects.count() == audits  # l'audit écrit avant l'erreur : annulé
    assert EvenementJournal.objects.count() == evenements

    # L'incident passé, la même saisie passe.
    assert client.post(url, donnees).status_code == 302
    relu.refresh_from_db()
    assert relu.commune == "Pontarlier" and relu.version == demandeur.version + 1
