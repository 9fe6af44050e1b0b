import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import Role
from accompagnement.referentiels import DomaineFrein
from diagnostics import services
from diagnostics.models import (
    Capacite,
    DecisionOrientation,
    Diagnostic,
    Frein,
    ModeInformation,
    Presence,
    StatutFrein,
)
from dossiers.models import Axe, RoleAffectation, StatutDossier
from dossiers.parcours import services as dossiers_services
from tests.accompagnement.factories import MembershipFactory
from tests.diagnostics.parcours import (
    EMPLOI,
    FREINS_AXE_2,
    diagnostic_partage,
    diagnostic_rempli,
    dossier_avec_binome,
)
from tests.dossiers.scenarios import nouveau_dossier

pytestmark = pytest.mark.django_db


def avec_travailleur_social(equipe):
    """Un dossier où seul le travailleur social est affecté (il tient le volet social) :
    le conseiller dédié manque au binôme."""
    dossier = nouveau_dossier(equipe)
    dossiers_services.affecter(
        dossier=dossier,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
    )
    return dossier


def test_demarrer_cree_la_version_1_et_les_neuf_domaines(equipe):
    dossier = nouveau_dossier(equipe)
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    dossier.refresh_from_db()
    assert diag.numero == 1 and diag.freins.count() == len(DomaineFrein.values)
    assert set(diag.freins.values_list("presence", flat=True)) == {Presence.NON_ABORDE}
    assert dossier.statut == StatutDossier.DIAGNOSTIC
    assert dossier.journal.filter(resume__contains="Diagnostic partagé v1 ouvert").exists()


def test_une_seule_version_en_cours(equipe):
    dossier = nouveau_dossier(equipe)
    services.demarrer(dossier=dossier, par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="v1 est en cours"):
        services.demarrer(dossier=dossier, par=equipe.ts)


def test_sans_information_la_validation_est_refusee(equipe):
    dossier = dossier_avec_binome(equipe)
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    diag = services.enregistrer_emploi(diagnostic=diag, par=equipe.dedie, revision=0, **EMPLOI)
    with pytest.raises(ErreurMetier, match="informée"):
        services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="informée"):
        services.valider_social(diagnostic=diag, par=equipe.ts)
    diag.refresh_from_db()
    assert not diag.emploi_valide and not diag.social_valide


def test_contrainte_en_base_validation_apres_information(equipe):
    diag = services.demarrer(dossier=nouveau_dossier(equipe), par=equipe.dedie)
    with pytest.raises(IntegrityError), transaction.atomic():
        Diagnostic.objects.filter(pk=diag.pk).update(
            emploi_valide_le=dt.datetime.now(dt.UTC), emploi_valide_par=equipe.dedie.user
        )


def test_un_seul_volet_valide_n_est_pas_partage(equipe):
    diag = diagnostic_rempli(equipe)
    diag = services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    assert diag.emploi_valide and not diag.est_partage and diag.axe_recommande == ""
    assert not Diagnostic.objects.partages().exists()


def test_les_deux_validations_rendent_partage_et_recommandent(equipe):
    diag = diagnostic_partage(equipe)
    assert diag.est_partage
    assert diag.axe_recommande == Axe.ACCOMPAGNEMENT_GLOBAL
    assert any("Frein d'impact fort : logement" in r for r in diag.raisons_recommandation)
    assert diag.emploi_valide_par == equipe.dedie.user and diag.social_valide_par == equipe.ts.user


def test_apres_partage_tout_est_en_lecture_seule(equipe):
    diag = diagnostic_partage(equipe)
    with pytest.raises(ErreurMetier, match="nouvelle version"):
        services.enregistrer_emploi(
            diagnostic=diag,
            par=equipe.dedie,
            revision=diag.revision_emploi,
            dernier_emploi="x",
        )
    with pytest.raises(ErreurMetier, match="nouvelle version"):
        services.enregistrer_social(
            diagnostic=diag,
            par=equipe.ts,
            revision=diag.revision_social,
            freins={"logement": {"presence": "absent"}},
        )
    with pytest.raises(ErreurMetier, match="nouvelle version"):
        services.enregistrer_information(
            diagnostic=diag, par=equipe.ts, date=dt.date.today(), mode="telephone", accord=True
        )


def test_volet_valide_n_est_plus_modifiable(equipe):
    diag = diagnostic_rempli(equipe)
    services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="volet emploi est validé"):
        services.enregistrer_emploi(
            diagnostic=diag,
            par=equipe.dedie,
            revision=diag.revision_emploi,
            dernier_emploi="x",
        )
    with pytest.raises(ErreurMetier, match="déjà validé"):
        services.valider_emploi(diagnostic=diag, par=equipe.dedie)


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"metiers": [{"code_rome": "123", "libelle": "X"}]}, "Code ROME invalide"),
        ({"metiers": [{"code_rome": "K1302", "libelle": " "}]}, "libellé"),
        ({"besoins": {"inconnu": "besoin"}}, "Évaluation de besoin invalide"),
        ({"fin_dernier_emploi": dt.date.today() + dt.timedelta(days=3)}, "futur"),
    ],
)
def test_volet_emploi_refus(equipe, champs, message):
    diag = services.demarrer(dossier=nouveau_dossier(equipe), par=equipe.dedie)
    with pytest.raises(ErreurMetier, match=message):
        services.enregistrer_emploi(diagnostic=diag, par=equipe.dedie, revision=0, **champs)


def test_volet_social_refus_impact_manquant_et_situation_inconnue(equipe):
    diag = services.demarrer(dossier=dossier_avec_binome(equipe), par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="précisez l'impact"):
        services.enregistrer_social(
            diagnostic=diag,
            par=equipe.ts,
            revision=0,
            freins={"logement": {"presence": "present"}},
        )
    with pytest.raises(ErreurMetier, match="situation inconnue"):
        services.enregistrer_social(
            diagnostic=diag,
            par=equipe.ts,
            revision=0,
            freins={
                "logement": {"presence": "present", "impact": "fort", "situations": ["Inventée"]}
            },
        )
    assert Diagnostic.objects.get(pk=diag.pk).revision_social == 0


def test_valider_social_exige_au_moins_un_domaine_evalue(equipe):
    diag = diagnostic_rempli(equipe, freins={"logement": {"presence": "non_aborde"}})
    Frein.objects.filter(diagnostic=diag).update(presence=Presence.NON_ABORDE, impact="", statut="")
    with pytest.raises(ErreurMetier, match="au moins un domaine"):
        services.valider_social(diagnostic=diag, par=equipe.ts)


def test_conflit_de_saisie_simultanee_volet_emploi(equipe):
    diag = services.demarrer(dossier=nouveau_dossier(equipe), par=equipe.dedie)
    lue_par_les_deux = diag.revision_emploi
    services.enregistrer_emploi(
        diagnostic=diag, par=equipe.dedie, revision=lue_par_les_deux, dernier_emploi="Cariste"
    )
    with pytest.raises(services.ConflitEdition, match="rien n'a été écrasé"):
        services.enregistrer_emploi(
            diagnostic=diag,
            par=equipe.conseiller,
            revision=lue_par_les_deux,
            dernier_emploi="Vendeur",
        )
    diag.refresh_from_db()
    assert diag.dernier_emploi == "Cariste" and diag.revision_emploi == 1


def test_conflit_de_saisie_simultanee_volet_social(equipe):
    diag = services.demarrer(dossier=dossier_avec_binome(equipe), par=equipe.dedie)
    services.enregistrer_social(
        diagnostic=diag, par=equipe.ts, revision=0, freins={"logement": {"presence": "absent"}}
    )
    with pytest.raises(services.ConflitEdition):
        services.enregistrer_social(
            diagnostic=diag,
            par=equipe.correspondant,
            revision=0,
            freins={"logement": {"presence": "present", "impact": "fort"}},
        )
    assert diag.freins.get(domaine="logement").presence == Presence.ABSENT


# --- décision conjointe -------------------------------------------------------------------------


def test_decision_oriente_et_ouvre_la_periode_dans_la_meme_transaction(equipe):
    diag = diagnostic_partage(equipe)
    decision = services.decider(
        diagnostic=diag,
        par=equipe.dedie,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        accord_personne=True,
        conseiller=equipe.dedie.user,
        professionnel_social=equipe.ts.user,
    )
    dossier = diag.dossier
    dossier.refresh_from_db()
    assert decision.axe == decision.axe_recommande == Axe.ACCOMPAGNEMENT_GLOBAL
    assert (
        dossier.statut == StatutDossier.ACCOMPAGNEMENT
        and dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL
    )
    periode = dossier.periodes.get()
    assert periode.professionnel_social == equipe.ts.user and periode.accord_personne


def test_decision_cree_le_binome_manquant_atomiquement(equipe):
    dossier = avec_travailleur_social(equipe)
    diag = diagnostic_partage(equipe, dossier)
    services.decider(
        diagnostic=diag,
        par=equipe.animatrice,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        accord_personne=True,
        affectations={
            RoleAffectation.CONSEILLER_DEDIE: equipe.dedie,
            RoleAffectation.TRAVAILLEUR_SOCIAL: equipe.ts,
        },
    )
    assert set(dossier.affectations.ouvertes().values_list("role", flat=True)) >= {
        RoleAffectation.CONSEILLER_DEDIE,
        RoleAffectation.TRAVAILLEUR_SOCIAL,
    }


def test_decision_refusee_ne_laisse_rien_ni_binome_ni_periode(equipe):
    """Sans accord de la personne, l'axe 2 est refusé : les affectations demandées dans la
    même décision sont annulées avec elle."""
    dossier = avec_travailleur_social(equipe)
    diag = diagnostic_partage(equipe, dossier)
    with pytest.raises(ErreurMetier, match="ne peut pas être imposée"):
        services.decider(
            diagnostic=diag,
            par=equipe.animatrice,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            accord_personne=False,
            affectations={
                RoleAffectation.CONSEILLER_DEDIE: equipe.dedie,
                RoleAffectation.TRAVAILLEUR_SOCIAL: equipe.ts,
            },
        )
    assert not dossier.affectations.filter(role=RoleAffectation.CONSEILLER_DEDIE).exists()
    assert not dossier.periodes.exists() and not DecisionOrientation.objects.exists()


def test_ecart_a_la_recommandation_exige_un_motif(equipe):
    diag = diagnostic_partage(equipe)
    with pytest.raises(ErreurMetier, match="motif est obligatoire"):
        services.decider(diagnostic=diag, par=equipe.dedie, axe=Axe.RESSOURCES_SOCIALES)
    decision = services.decider(
        diagnostic=diag,
        par=equipe.dedie,
        axe=Axe.RESSOURCES_SOCIALES,
        motif="La personne préfère un appui ponctuel",
    )
    assert (
        decision.axe_recommande == Axe.ACCOMPAGNEMENT_GLOBAL
        and decision.axe == Axe.RESSOURCES_SOCIALES
    )
    with pytest.raises(ErreurMetier, match="déjà été prise"):
        services.decider(
            diagnostic=diag,
            par=equipe.dedie,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            accord_personne=True,
        )


def test_decision_sur_diagnostic_non_partage_refusee(equipe):
    diag = diagnostic_rempli(equipe)
    with pytest.raises(ErreurMetier, match="diagnostic partagé"):
        services.decider(diagnostic=diag, par=equipe.dedie, axe=Axe.RESSOURCES_SOCIALES, motif="x")


def test_nouvelle_version_reprend_la_precedente_et_change_d_axe(equipe):
    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    v2 = services.demarrer(dossier=dossier, par=equipe.ts)
    assert v2.numero == 2 and v2.precedent == v1
    assert (
        v2.dernier_emploi == v1.dernier_emploi and v2.capacite_recherche == Capacite.PARTIELLEMENT
    )
    assert v2.freins.get(domaine="logement").impact == "fort"
    assert v2.information_le is None  # l'information est à refaire
    # Le logement est réglé, la mobilité aussi ; il reste la santé.
    v2 = services.enregistrer_social(
        diagnostic=v2,
        par=equipe.ts,
        revision=v2.revision_social,
        freins={
            "logement": {"presence": "present", "impact": "fort", "statut": StatutFrein.LEVE},
            "mobilite": {"presence": "absent"},
        },
    )
    v2 = services.enregistrer_information(
        diagnostic=v2, par=equipe.ts, date=dt.date.today(), mode="entretien", accord=True
    )
    services.valider_emploi(diagnostic=v2, par=equipe.dedie)
    v2 = services.valider_social(diagnostic=v2, par=equipe.ts)
    assert v2.axe_recommande == Axe.RESSOURCES_SOCIALES
    comparaison = services.comparer(v1, v2)
    assert comparaison.leves == ["mobilite", "logement"] and comparaison.persistants == ["sante"]
    services.decider(
        diagnostic=v2, par=equipe.dedie, axe=Axe.RESSOURCES_SOCIALES, accord_personne=True
    )
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.RESSOURCES_SOCIALES and dossier.periodes.count() == 2


def test_comparaison_nouveaux_et_aggraves(equipe):
    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    v2 = services.demarrer(dossier=dossier, par=equipe.ts)
    v2 = services.enregistrer_social(
        diagnostic=v2,
        par=equipe.ts,
        revision=v2.revision_social,
        freins={
            "mobilite": {"presence": "present", "impact": "fort"},
            "finances": {"presence": "present", "impact": "moyen"},
        },
    )
    v2 = services.enregistrer_emploi(
        diagnostic=v2,
        par=equipe.dedie,
        revision=v2.revision_emploi,
        capacite_recherche=Capacite.NON,
    )
    comparaison = services.comparer(v1, v2)
    assert comparaison.nouveaux == ["finances"] and comparaison.aggraves == ["mobilite"]
    assert comparaison.capacite_a_change and comparaison.capacite_apres == Capacite.NON


def test_les_freins_du_dernier_diagnostic_orientent_les_sollicitations(equipe):
    from dossiers.sollicitations.lectures import domaines_prioritaires

    dossier = dossier_avec_binome(equipe)
    assert domaines_prioritaires(dossier) == []
    diagnostic_partage(equipe, dossier)
    # Logement (fort) d'abord, puis mobilité et santé (moyen) ; les absents n'y sont pas.
    assert domaines_prioritaires(dossier) == ["logement", "mobilite", "sante"]


# --- droits vérifiés par les services ----------------------------------------------------------


def test_les_services_du_diagnostic_refusent_un_acteur_sans_le_droit(equipe):
    """Chaque volet est écrit par son côté : le service refuse lui-même (AccesRefuse)."""
    dossier = dossier_avec_binome(equipe)
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    with pytest.raises(AccesRefuse):
        services.demarrer(dossier=dossier, par=admin)
    assert not dossier.diagnostics.exists()
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    refus = {
        "volet emploi par le côté social": lambda: services.enregistrer_emploi(
            diagnostic=diag, par=equipe.ts, revision=0, **EMPLOI
        ),
        "volet social par le côté France Travail": lambda: services.enregistrer_social(
            diagnostic=diag, par=equipe.dedie, revision=0, freins={}
        ),
        "information par l'animatrice": lambda: services.enregistrer_information(
            diagnostic=diag,
            par=equipe.animatrice,
            date=dt.date.today(),
            mode=ModeInformation.ENTRETIEN,
            accord=True,
        ),
    }
    for cas, appel in refus.items():
        with pytest.raises(AccesRefuse):
            appel()
            pytest.fail(cas)
    diag.refresh_from_db()
    assert (diag.revision_emploi, diag.revision_social, diag.information_le) == (0, 0, None)
    diag = services.enregistrer_emploi(diagnostic=diag, par=equipe.dedie, revision=0, **EMPLOI)
    diag = services.enregistrer_social(
        diagnostic=diag, par=equipe.ts, revision=0, freins={"logement": FREINS_AXE_2["logement"]}
    )
    diag = services.enregistrer_information(
        diagnostic=diag,
        par=equipe.ts,
        date=dt.date.today(),
        mode=ModeInformation.ENTRETIEN,
        accord=True,
    )
    with pytest.raises(AccesRefuse):
        services.valider_social(diagnostic=diag, par=equipe.dedie)
    with pytest.raises(AccesRefuse):
        services.valider_emploi(diagnostic=diag, par=equipe.ts)
    services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    partage = services.valider_social(diagnostic=diag, par=equipe.ts)
    etranger = MembershipFactory(role=Role.CONSEILLER, structure__departement=equipe.departement)
    with pytest.raises(AccesRefuse):
        services.decider(diagnostic=partage, par=etranger, axe=partage.axe_recommande)
    assert not DecisionOrientation.objects.filter(diagnostic=partage).exists()
