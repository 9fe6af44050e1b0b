"""Les tâches quotidiennes d'échéances sont ensemblistes : le même nombre de requêtes pour
2 et pour 6 échéances (notifications créées en un INSERT), chaque échéance signalée une
fois, à chacun des destinataires."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.models import CategorieNotification, Notification
from dossiers.models import Axe, CotePorteur, EvenementJournal
from dossiers.parcours import services
from dossiers.parcours.renouvellement import signaler_renouvellements
from dossiers.suivi import services as suivi
from dossiers.suivi.echeances import signaler_actions_echues
from tests.dossiers.parcours.test_echeances import AUJOURD_HUI, en_axe_2_depuis
from tests.dossiers.scenarios import avec_binome, nouveau_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taches_immediates")]


def _actions_echues(equipe, dossier, nombre):
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="logement", intitule="Trouver un logement"
    )
    for i in range(nombre):
        suivi.ajouter_action(
            objectif=objectif,
            par=equipe.ts,
            intitule=f"Démarche {i}",
            cote=CotePorteur.SOCIAL,
            responsable=equipe.ts.user,
            date_debut=AUJOURD_HUI() - dt.timedelta(days=30),
            date_fin_prevue=AUJOURD_HUI() - dt.timedelta(days=1),
        )


def _en_axe_2(equipe, jours, n):
    debut = AUJOURD_HUI() - dt.timedelta(days=jours)
    dossier = avec_binome(equipe, nouveau_dossier(equipe, date=debut, nom=f"Durand{n}"), debut)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
        date=debut,
    )
    return dossier


def _requetes(fonction):
    with CaptureQueriesContext(connection) as requetes:
        resultat = fonction()
    return resultat, len(requetes.captured_queries)


def test_actions_echues_nombre_de_requetes_constant(equipe):
    dossier = en_axe_2_depuis(equipe, 60)
    _actions_echues(equipe, dossier, 2)
    nombre, requetes_a_2 = _requetes(signaler_actions_echues)
    assert nombre == 2
    _actions_echues(equipe, dossier, 6)
    nombre, requetes_a_6 = _requetes(signaler_actions_echues)
    assert nombre == 6
    assert requetes_a_2 == requetes_a_6
    notifications = Notification.objects.filter(categorie=CategorieNotification.ACTION)
    assert notifications.count() == 8
    assert {n.destinataire for n in notifications} == {equipe.ts.user}
    assert all(n.lien == f"/dossiers/{dossier.uuid}/plan/" for n in notifications)
    assert signaler_actions_echues() == 0  # une seule fois


def test_renouvellements_nombre_de_requetes_constant(equipe):
    a_12_mois = [_en_axe_2(equipe, 366, n) for n in range(2)]
    nombre, requetes_a_2 = _requetes(signaler_renouvellements)
    assert nombre == 2
    a_12_mois += [_en_axe_2(equipe, 370, n) for n in range(2, 5)]
    nombre, requetes_a_5 = _requetes(signaler_renouvellements)
    assert nombre == 3
    assert requetes_a_2 == requetes_a_5
    # Toute l'équipe ouverte de chaque dossier est prévenue, et le journal le note.
    for dossier in a_12_mois:
        equipe_du_dossier = {a.professionnel for a in dossier.affectations.ouvertes()}
        prevenus = {
            n.destinataire
            for n in Notification.objects.filter(
                categorie=CategorieNotification.RENOUVELLEMENT, lien=f"/dossiers/{dossier.uuid}/"
            )
        }
        assert prevenus == equipe_du_dossier
        assert EvenementJournal.objects.filter(
            dossier=dossier, resume__contains="renouvellement à décider"
        ).exists()
    assert signaler_renouvellements() == 0
