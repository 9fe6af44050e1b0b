"""Une action du plan liée à une sollicitation est réalisée avec elle."""

import datetime as dt

import pytest

from accompagnement.exceptions import ErreurMetier
from dossiers.models import CotePorteur, ModeSollicitation, StatutAction
from dossiers.sollicitations import services as sollicitations
from dossiers.suivi import services as suivi
from tests.dossiers.scenarios import avec_binome, en_axe_2, nouveau_dossier
from tests.dossiers.sollicitations.test_sollicitations import BESOIN, ressource

pytestmark = pytest.mark.django_db


def test_sollicitation_realisee_realise_l_action_liee(equipe):
    dossier = en_axe_2(equipe)
    service = ressource(equipe.departement)
    sollicitation = sollicitations.creer_sollicitation(
        dossier=dossier,
        service=service,
        domaine="famille",
        besoin=BESOIN,
        mode=ModeSollicitation.CORRESPONDANT,
        par=equipe.dedie,
        correspondant=equipe.correspondant,
        envoyer=True,
    )
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.dedie, domaine="famille", intitule="Faire garder les enfants"
    )
    action = suivi.ajouter_action(
        objectif=objectif,
        par=equipe.dedie,
        intitule="Place en crèche",
        cote=CotePorteur.SOCIAL,
        responsable=equipe.ts.user,
        date_debut=dt.date.today(),
        date_fin_prevue=dt.date.today() + dt.timedelta(days=20),
        sollicitation=sollicitation,
    )
    assert action.ressource == service  # la ressource de la sollicitation par défaut
    sollicitations.accepter(sollicitation=sollicitation, par=equipe.correspondant)
    sollicitations.marquer_realisee(sollicitation=sollicitation, par=equipe.dedie)
    action.refresh_from_db()
    assert action.statut == StatutAction.REALISEE and action.date_fin_reelle == dt.date.today()
    assert dossier.journal.filter(resume__contains="réalisée avec la sollicitation").exists()


def test_la_sollicitation_liee_doit_etre_du_meme_dossier(equipe):
    dossier = en_axe_2(equipe)
    autre = avec_binome(equipe, nouveau_dossier(equipe, prenom="Autre"))
    sollicitation = sollicitations.creer_sollicitation(
        dossier=autre,
        service=ressource(equipe.departement),
        domaine="famille",
        besoin=BESOIN,
        mode=ModeSollicitation.CORRESPONDANT,
        par=equipe.conseiller,
        correspondant=equipe.correspondant,
    )
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.dedie, domaine="famille", intitule="Garde"
    )
    with pytest.raises(ErreurMetier, match="même dossier"):
        suivi.ajouter_action(
            objectif=objectif,
            par=equipe.dedie,
            intitule="x",
            cote=CotePorteur.SOCIAL,
            responsable=equipe.ts.user,
            date_debut=dt.date.today(),
            date_fin_prevue=dt.date.today(),
            sollicitation=sollicitation,
        )
