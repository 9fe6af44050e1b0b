"""Droits des comités, une question à la fois."""

import pytest

from comites import perms, services
from comites.models import MotifSignalement
from tests.comites.fabrique import seance
from tests.dossiers.scenarios import en_axe_2

pytestmark = pytest.mark.django_db

ROLES = ("conseiller", "dedie", "ts", "correspondant", "animatrice")


def test_seule_l_animatrice_gere_les_comites(equipe):
    assert [r for r in ROLES if perms.peut_gerer_comites(getattr(equipe, r))] == ["animatrice"]
    assert not perms.peut_gerer_comites(None)


def test_une_seance_se_lit_par_ses_participants_et_l_animatrice_du_departement(equipe):
    from tests.accompagnement.factories import MembershipFactory, StructureFactory

    s = seance(equipe)
    services.ajouter_participant(seance=s, par=equipe.animatrice, membership=equipe.ts)
    lecteurs = [r for r in ROLES if perms.peut_voir_seance(getattr(equipe, r), s)]
    assert lecteurs == ["ts", "animatrice"]
    ailleurs = MembershipFactory(role="animatrice", structure=StructureFactory(direction=True))
    assert not perms.peut_voir_seance(ailleurs, s) and not perms.peut_gerer_seance(ailleurs, s)


def test_signaler_exige_l_acces_complet_a_un_dossier_ouvert(equipe):
    dossier = en_axe_2(equipe)
    dossier.refresh_from_db()
    # Le conseiller de l'agence ne lit que le statut d'un dossier en axe 2 ; le
    # correspondant lit en entier les dossiers de son territoire.
    assert [r for r in ROLES if perms.peut_signaler(getattr(equipe, r), dossier)] == [
        "dedie",
        "ts",
        "correspondant",
        "animatrice",
    ]


def test_une_raison_reservee_se_lit_du_cote_social_et_par_son_auteur(equipe):
    dossier = en_axe_2(equipe)
    signalement = services.signaler(
        dossier=dossier,
        par=equipe.dedie,
        motif=MotifSignalement.SITUATION,
        raison="Raison",
        reserve_social=True,
    )
    lisent = [r for r in ROLES if perms.lit_raison_reservee(getattr(equipe, r), signalement)]
    assert lisent == ["dedie", "ts", "correspondant"]
