"""Conventions de partenariat : règles du service (dates dans l'ordre, deux parties, un
signataire daté par partie avant « signée », transitions d'état, droits), avenants (avant /
après champ par champ, version en vigueur à une date)."""

import datetime as dt
from decimal import Decimal

import pytest

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import ActionAudit, EvenementAudit, Role
from conventions import services
from conventions.lectures import version_en_vigueur
from conventions.models import (
    Avenant,
    Convention,
    EtatConvention,
    Moyen,
    NatureMoyen,
    Partie,
    Signataire,
    TypePartie,
)
from tests.accompagnement.factories import DepartementFactory, MembershipFactory

pytestmark = pytest.mark.django_db

J = dt.date


def nouvelle_convention(departement, *, signataires=True, **champs):
    valeurs = {
        "intitule": "Convention d'accompagnement global",
        "date_signature": J(2014, 1, 29),
        "date_effet": J(2014, 1, 29),
        "date_echeance": J(2016, 12, 31),
        "objectif_personnes_par_an": 400,
        "objectif_delai_entree_jours": 30,
        **champs,
    }
    convention = Convention.objects.create(departement=departement, **valeurs)
    for ordre, (type_, nom, signataire) in enumerate(
        [
            (TypePartie.DEPARTEMENT, "Département du Doubs", ("Claude Jeannerot", "Président")),
            (TypePartie.FRANCE_TRAVAIL, "Pôle emploi", ("Jean Bassères", "Directeur général")),
        ]
    ):
        partie = Partie.objects.create(convention=convention, type=type_, nom=nom, ordre=ordre)
        if signataires:
            Signataire.objects.create(
                partie=partie,
                nom=signataire[0],
                qualite=signataire[1],
                date_signature=valeurs["date_signature"],
            )
    Moyen.objects.create(
        convention=convention,
        nature=NatureMoyen.FINANCEMENT,
        libelle="Co-financement des postes",
        montant=Decimal("400000.00"),
        financeur="Département",
    )
    return convention


@pytest.fixture
def departement():
    return DepartementFactory()


@pytest.fixture
def animatrice(departement):
    return MembershipFactory(role=Role.ANIMATRICE, structure__departement=departement)


# --- Règles de signature -----------------------------------------------------------------------


def test_signer_une_convention_complete(departement, animatrice):
    convention = nouvelle_convention(departement)
    services.signer_convention(convention=convention, par=animatrice)
    convention.refresh_from_db()
    assert convention.etat == EtatConvention.SIGNEE
    evenement = EvenementAudit.objects.get(objet_id=str(convention.uuid))
    assert evenement.action == ActionAudit.MODIFICATION
    assert evenement.departement == departement
    assert evenement.details["etat"] == {"avant": "brouillon", "apres": "signee"}


def test_une_seule_partie_ne_se_signe_pas(departement, animatrice):
    convention = nouvelle_convention(departement)
    convention.parties.last().delete()
    with pytest.raises(ErreurMetier, match="au moins deux parties"):
        services.signer_convention(convention=convention, par=animatrice)
    convention.refresh_from_db()
    assert convention.etat == EtatConvention.BROUILLON


def test_chaque_partie_doit_avoir_un_signataire_date(departement, animatrice):
    convention = nouvelle_convention(departement, signataires=False)
    doubs = convention.parties.get(type=TypePartie.DEPARTEMENT)
    Signataire.objects.create(
        partie=doubs, nom="Claude Jeannerot", qualite="Président", date_signature=J(2014, 1, 29)
    )
    pole_emploi = convention.parties.get(type=TypePartie.FRANCE_TRAVAIL)
    Signataire.objects.create(partie=pole_emploi, nom="Jean Bassères", qualite="DG")
    with pytest.raises(ErreurMetier, match="manque pour Pôle emploi"):
        services.signer_convention(convention=convention, par=animatrice)


@pytest.mark.parametrize(
    ("signature", "effet", "echeance", "message"),
    [
        (J(2014, 2, 1), J(2014, 1, 29), J(2016, 12, 31), "précéder la date de signature"),
        (J(2014, 1, 29), J(2014, 1, 29), J(2014, 1, 29), "doit suivre la date d'effet"),
        (J(2014, 1, 29), J(2015, 1, 1), J(2014, 12, 31), "doit suivre la date d'effet"),
    ],
)
def test_dates_dans_l_ordre(departement, animatrice, signature, effet, echeance, message):
    convention = nouvelle_convention(
        departement, date_signature=signature, date_effet=effet, date_echeance=echeance
    )
    with pytest.raises(ErreurMetier, match=message):
        services.signer_convention(convention=convention, par=animatrice)


def test_signature_sans_dates_refusee(departement, animatrice):
    convention = nouvelle_convention(departement, date_effet=None)
    with pytest.raises(ErreurMetier, match="date de signature et la date d'effet"):
        services.signer_convention(convention=convention, par=animatrice)


def test_on_ne_signe_pas_deux_fois(departement, animatrice):
    convention = nouvelle_convention(departement)
    services.signer_convention(convention=convention, par=animatrice)
    with pytest.raises(ErreurMetier, match="« Signée »"):
        services.signer_convention(convention=convention, par=animatrice)


# --- Droits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.ADMINISTRATEUR, Role.TRAVAILLEUR_SOCIAL])
def test_seule_l_animatrice_gere(departement, role):
    convention = nouvelle_convention(departement)
    autre = MembershipFactory(role=role, structure__departement=departement)
    with pytest.raises(AccesRefuse):
        services.signer_convention(convention=convention, par=autre)


def test_animatrice_d_un_autre_departement_refusee(departement):
    convention = nouvelle_convention(departement)
    ailleurs = MembershipFactory(role=Role.ANIMATRICE)
    assert ailleurs.structure.departement != departement
    with pytest.raises(AccesRefuse):
        services.signer_convention(convention=convention, par=ailleurs)
    convention.refresh_from_db()
    assert convention.etat == EtatConvention.BROUILLON


# --- Cycle de vie --------------------------------------------------------------------------------


def test_cycle_signee_en_vigueur_echue(departement, animatrice):
    convention = nouvelle_convention(departement, date_effet=J(2014, 3, 1))
    services.signer_convention(convention=convention, par=animatrice)
    with pytest.raises(ErreurMetier, match="qu'à sa date d'effet"):
        services.mettre_en_vigueur(convention=convention, par=animatrice, aujourdhui=J(2014, 2, 1))
    services.mettre_en_vigueur(convention=convention, par=animatrice, aujourdhui=J(2014, 3, 1))
    with pytest.raises(ErreurMetier, match="n'est pas passée"):
        services.constater_echeance(
            convention=convention, par=animatrice, aujourdhui=J(2016, 12, 31)
        )
    services.constater_echeance(convention=convention, par=animatrice, aujourdhui=J(2017, 1, 1))
    convention.refresh_from_db()
    assert convention.etat == EtatConvention.ECHUE


def test_resilier_demande_un_motif(departement, animatrice):
    convention = nouvelle_convention(departement)
    services.signer_convention(convention=convention, par=animatrice)
    with pytest.raises(ErreurMetier, match="motif"):
        services.resilier_convention(
            convention=convention, par=animatrice, date=J(2015, 1, 1), motif="  "
        )
    services.resilier_convention(
        convention=convention, par=animatrice, date=J(2015, 1, 1), motif="Nouvelle convention"
    )
    convention.refresh_from_db()
    assert convention.etat == EtatConvention.RESILIEE
    assert convention.motif_resiliation == "Nouvelle convention"
    assert convention.date_resiliation == J(2015, 1, 1)


# --- Avenants et version en vigueur -----------------------------------------------------------


@pytest.fixture
def signee(departement, animatrice):
    convention = nouvelle_convention(departement)
    services.signer_convention(convention=convention, par=animatrice)
    return convention


def test_avenant_consigne_avant_et_apres(signee, animatrice):
    avenant = services.ajouter_avenant(
        convention=signee,
        par=animatrice,
        numero=1,
        objet="Prolongation et objectif relevé",
        date_signature=J(2016, 11, 15),
        date_effet=J(2017, 1, 1),
        nouvelles_valeurs={"date_echeance": J(2018, 12, 31), "objectif_personnes_par_an": 500},
    )
    assert avenant.changements == {
        "date_echeance": {"avant": "2016-12-31", "apres": "2018-12-31"},
        "objectif_personnes_par_an": {"avant": 400, "apres": 500},
    }
    signee.refresh_from_db()
    # La convention signée n'est pas réécrite.
    assert signee.date_echeance == J(2016, 12, 31)
    assert signee.objectif_personnes_par_an == 400


def test_version_en_vigueur_a_une_date(signee, animatrice):
    services.ajouter_avenant(
        convention=signee,
        par=animatrice,
        numero=1,
        objet="Prolongation",
        date_signature=J(2016, 11, 15),
        date_effet=J(2017, 1, 1),
        nouvelles_valeurs={"date_echeance": J(2018, 12, 31)},
    )
    moyens = [m.en_dict() for m in signee.moyens.all()]
    moyens[0]["montant"] = "450000.00"
    services.ajouter_avenant(
        convention=signee,
        par=animatrice,
        numero=2,
        objet="Financement revu",
        date_signature=J(2017, 6, 1),
        date_effet=J(2017, 7, 1),
        nouvelles_valeurs={"moyens": moyens, "date_echeance": J(2019, 12, 31)},
    )
    avant = version_en_vigueur(signee, J(2016, 12, 31))
    assert avant["date_echeance"] == J(2016, 12, 31)
    assert avant["avenants_appliques"] == []
    assert avant["moyens"][0]["montant"] == Decimal("400000.00")

    premier = version_en_vigueur(signee, J(2017, 1, 1))
    assert premier["date_echeance"] == J(2018, 12, 31)
    assert [a.numero for a in premier["avenants_appliques"]] == [1]
    assert premier["moyens"][0]["montant"] == Decimal("400000.00")

    second = version_en_vigueur(signee, J(2018, 1, 1))
    assert second["date_echeance"] == J(2019, 12, 31)
    assert second["moyens"][0]["montant"] == Decimal("450000.00")
    # Le second avenant a relevé l'échéance fixée par le premier.
    a2 = Avenant.objects.get(convention=signee, numero=2)
    assert a2.changements["date_echeance"] == {"avant": "2018-12-31", "apres": "2019-12-31"}


def test_l_echeance_suit_la_version_en_vigueur(signee, animatrice):
    services.mettre_en_vigueur(convention=signee, par=animatrice, aujourdhui=J(2014, 2, 1))
    services.ajouter_avenant(
        convention=signee,
        par=animatrice,
        numero=1,
        objet="Prolongation",
        date_signature=J(2016, 11, 15),
        date_effet=J(2016, 12, 1),
        nouvelles_valeurs={"date_echeance": J(2018, 12, 31)},
    )
    with pytest.raises(ErreurMetier, match="n'est pas passée"):
        services.constater_echeance(convention=signee, par=animatrice, aujourdhui=J(2017, 1, 1))


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"date_signature": J(2013, 1, 1), "date_effet": J(2017, 1, 1)}, "précéder la signature"),
        ({"date_signature": J(2017, 2, 1), "date_effet": J(2017, 1, 1)}, "sa signature"),
        ({"date_signature": J(2013, 1, 1), "date_effet": J(2013, 2, 1)}, "précéder la signature"),
    ],
)
def test_dates_d_avenant(signee, animatrice, champs, message):
    with pytest.raises(ErreurMetier, match=message):
        services.ajouter_avenant(
            convention=signee,
            par=animatrice,
            numero=1,
            objet="Prolongation",
            nouvelles_valeurs={"date_echeance": J(2018, 12, 31)},
            **champs,
        )
    assert not Avenant.objects.exists()


def test_avenant_refuse_sans_changement_champ_inconnu_ou_brouillon(departement, signee, animatrice):
    commun = {
        "par": animatrice,
        "objet": "Rien",
        "date_signature": J(2015, 1, 1),
        "date_effet": J(2015, 1, 1),
    }
    with pytest.raises(ErreurMetier, match="ne change rien"):
        services.ajouter_avenant(
            convention=signee,
            numero=1,
            nouvelles_valeurs={"objectif_personnes_par_an": 400},
            **commun,
        )
    with pytest.raises(ErreurMetier, match="ne modifie pas : departement"):
        services.ajouter_avenant(
            convention=signee, numero=1, nouvelles_valeurs={"departement": 3}, **commun
        )
    with pytest.raises(ErreurMetier, match="nouvelle échéance"):
        services.ajouter_avenant(
            convention=signee,
            numero=1,
            nouvelles_valeurs={"date_echeance": J(2014, 6, 1)},
            **commun,
        )
    brouillon = nouvelle_convention(departement)
    with pytest.raises(ErreurMetier, match="signée ou en vigueur"):
        services.ajouter_avenant(
            convention=brouillon,
            numero=1,
            nouvelles_valeurs={"objectif_personnes_par_an": 1},
            **commun,
        )
    services.ajouter_avenant(
        convention=signee, numero=1, nouvelles_valeurs={"objectif_personnes_par_an": 450}, **commun
    )
    with pytest.raises(ErreurMetier, match="n° 1 existe déjà"):
        services.ajouter_avenant(
            convention=signee,
            numero=1,
            nouvelles_valeurs={"objectif_personnes_par_an": 460},
            **commun,
        )
    assert Avenant.objects.count() == 1


def test_avenant_refuse_a_un_autre_role(departement, signee):
    conseiller = MembershipFactory(role=Role.CONSEILLER, structure__departement=departement)
    with pytest.raises(AccesRefuse):
        services.ajouter_avenant(
            convention=signee,
            par=conseiller,
            numero=1,
            objet="Prolongation",
            date_signature=J(2016, 1, 1),
            date_effet=J(2016, 1, 1),
            nouvelles_valeurs={"date_echeance": J(2018, 12, 31)},
        )
    assert not Avenant.objects.exists()
