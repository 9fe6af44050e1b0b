"""Règle des données sensibles et droits d'édition, rôle par rôle."""

import pytest

from accompagnement.models import Role
from diagnostics import perms, services
from tests.accompagnement.factories import MembershipFactory
from tests.diagnostics.parcours import diagnostic_partage, dossier_avec_binome

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("qui", "detail_social"),
    [
        ("ts", True),
        ("correspondant", True),
        ("dedie", False),
        ("conseiller", False),
        ("animatrice", False),
    ],
)
def test_detail_sante_et_commentaires_reserves_au_cote_social(equipe, qui, detail_social):
    membership = getattr(equipe, qui)
    assert perms.peut_voir_commentaires_sociaux(membership) is detail_social
    assert perms.peut_voir_situations(membership, "sante") is detail_social
    # Hors santé, les situations observées servent au binôme entier.
    assert perms.peut_voir_situations(membership, "logement")


def test_administrateur_ne_voit_pas_le_diagnostic(equipe):
    dossier = dossier_avec_binome(equipe)
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    assert not perms.peut_voir_diagnostic(admin, dossier)
    assert not perms.peut_demarrer(admin, dossier)


def test_chacun_edite_son_volet(equipe):
    dossier = dossier_avec_binome(equipe)
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    assert perms.peut_editer_emploi(equipe.dedie, diag) and not perms.peut_editer_social(
        equipe.dedie, diag
    )
    assert perms.peut_editer_social(equipe.ts, diag) and not perms.peut_editer_emploi(
        equipe.ts, diag
    )
    assert not perms.peut_editer_emploi(equipe.animatrice, diag)
    intrus = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure__departement=equipe.departement
    )
    assert not perms.peut_editer_social(intrus, diag)  # hors du dossier


def test_decider_une_seule_fois_et_exporter(equipe):
    diag = diagnostic_partage(equipe)
    assert perms.peut_decider(equipe.dedie, diag, deja_decide=False)
    assert perms.peut_decider(equipe.animatrice, diag, deja_decide=False)
    assert not perms.peut_decider(equipe.dedie, diag, deja_decide=True)
    assert perms.peut_exporter_pdf(equipe.ts, diag)
    assert not perms.peut_editer_emploi(equipe.dedie, diag)  # validé : lecture seule
