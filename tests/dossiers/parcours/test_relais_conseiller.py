"""Ticket 11 (gravité haute) : en axe 2 ou 3, le conseiller de l'agence (place d'axe 1)
n'a plus que le statut du dossier, quel que soit le chemin d'entrée — orientation,
changement d'axe, décision conjointe, prise d'une demande d'entrée, renouvellement — et
pour les dossiers existants (migration de données)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from diagnostics import services as diagnostics
from dossiers.models import (
    Affectation,
    Axe,
    Dossier,
    EvenementJournal,
    MotifSortie,
    Note,
    RoleAffectation,
    StatutDossier,
    TypeEvenement,
)
from dossiers.parcours import renouvellement, services
from dossiers.parcours.perms import Niveau, niveau_acces
from dossiers.suivi import services as suivi
from tests.diagnostics.parcours import diagnostic_partage
from tests.dossiers.scenarios import avec_binome, en_axe_2, nouveau_dossier

pytestmark = pytest.mark.django_db


def relu(dossier):
    return Dossier.objects.prefetch_related("affectations").get(pk=dossier.pk)


def place_conseiller(dossier):
    return Affectation.objects.get(dossier=dossier, role=RoleAffectation.CONSEILLER)


def assert_relaye(equipe, dossier, date=None):
    dossier = relu(dossier)
    affectation = place_conseiller(dossier)
    assert affectation.professionnel_id == equipe.conseiller.user_id
    assert affectation.date_fin == (date or dt.date.today())
    assert affectation.motif_fin
    assert niveau_acces(equipe.conseiller, dossier) == Niveau.STATUT
    # Le binôme ou le référent social garde la main.
    assert niveau_acces(equipe.ts, dossier) == Niveau.COMPLET
    assert EvenementJournal.objects.filter(
        dossier=dossier,
        type=TypeEvenement.AFFECTATION,
        resume__contains="quitte la place de conseiller de l'agence",
    ).exists()


def en_axe_1(equipe, **kw):
    dossier = nouveau_dossier(equipe, **kw)
    services.demarrer_diagnostic(dossier=dossier, par=equipe.conseiller)
    services.orienter(
        dossier=dossier,
        axe=Axe.RESSOURCES_SOCIALES,
        par=equipe.conseiller,
        motif="Un frein ponctuel",
    )
    return relu(dossier)


# --- Chaque chemin d'entrée ---------------------------------------------------------------


def test_orienter_en_axe_2_relaie_le_conseiller(equipe):
    dossier = nouveau_dossier(equipe)
    assert relu(dossier).affectations.get().role == RoleAffectation.CONSEILLER
    assert_relaye(equipe, en_axe_2_depuis(equipe, dossier))


def en_axe_2_depuis(equipe, dossier):
    avec_binome(equipe, dossier)
    services.demarrer_diagnostic(dossier=dossier, par=equipe.dedie)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
    )
    return dossier


def test_orienter_en_axe_1_garde_le_conseiller(equipe):
    dossier = en_axe_1(equipe)
    assert place_conseiller(dossier).date_fin is None
    assert niveau_acces(equipe.conseiller, dossier) == Niveau.COMPLET


@pytest.mark.parametrize("axe", [Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF])
def test_changement_d_axe_de_1_vers_2_ou_3_relaie_le_conseiller(equipe, axe):
    dossier = en_axe_1(equipe)
    place = (
        RoleAffectation.TRAVAILLEUR_SOCIAL
        if axe == Axe.ACCOMPAGNEMENT_GLOBAL
        else RoleAffectation.REFERENT_SOCIAL
    )
    if axe == Axe.ACCOMPAGNEMENT_GLOBAL:
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER_DEDIE,
            professionnel=equipe.dedie,
            par=equipe.animatrice,
        )
    services.affecter(dossier=dossier, place=place, professionnel=equipe.ts, par=equipe.animatrice)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=axe, motif="Freins cumulés", par=equipe.conseiller
    )
    services.decider_changement_axe(
        demande=demande,
        accepter=True,
        motif="Validé en comité",
        par=equipe.animatrice,
        accord_personne=True,
    )
    assert_relaye(equipe, dossier)


def test_changement_d_axe_refuse_garde_le_conseiller(equipe):
    dossier = en_axe_1(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.SOCIAL_EXCLUSIF, motif="Santé", par=equipe.conseiller
    )
    services.decider_changement_axe(
        demande=demande, accepter=False, motif="Pas maintenant", par=equipe.animatrice
    )
    assert place_conseiller(dossier).date_fin is None


def test_decision_conjointe_en_axe_2_relaie_le_conseiller(equipe):
    diag = diagnostic_partage(equipe)
    diagnostics.decider(
        diagnostic=diag, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    assert_relaye(equipe, diag.dossier)


def test_renouvellement_relaie_une_place_restee_ouverte(equipe):
    """Un dossier entré en axe 2 avant la règle : le renouvellement rattrape le relais."""
    debut = dt.date.today() - dt.timedelta(days=400)
    dossier = nouveau_dossier(equipe, date=debut)
    avec_binome(equipe, dossier, date=debut)
    services.demarrer_diagnostic(dossier=dossier, par=equipe.dedie, date=debut)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
        date=debut,
    )
    rouvrir_la_place(dossier)
    assert niveau_acces(equipe.conseiller, relu(dossier)) == Niveau.COMPLET  # l'ancien défaut
    renouvellement.renouveler(
        dossier=dossier, par=equipe.dedie, motif="On poursuit", accord_personne=True
    )
    assert_relaye(equipe, dossier)


def rouvrir_la_place(dossier):
    """Le défaut d'avant la correction : la place de conseiller restée ouverte."""
    Affectation.objects.filter(dossier=dossier, role=RoleAffectation.CONSEILLER).update(
        date_fin=None, motif_fin=""
    )


# --- Migration de données -------------------------------------------------------------------


def test_migration_relaie_les_dossiers_ouverts_en_axe_2_et_3(equipe):
    en_2 = en_axe_2(equipe)
    rouvrir_la_place(en_2)
    en_1 = en_axe_1(equipe, nom="Bernard")
    clos = en_axe_2(equipe, nom="Martin")
    services.cloturer(dossier=clos, motif_sortie=MotifSortie.ABANDON, par=equipe.dedie)
    assert niveau_acces(equipe.conseiller, relu(en_2)) == Niveau.COMPLET

    migration = importlib.import_module("dossiers.migrations.0009_relais_place_conseiller_axes_2_3")
    migration.relayer(apps, None)

    affectation = place_conseiller(en_2)
    periode = en_2.periodes.get(date_fin__isnull=True)
    assert affectation.date_fin == max(periode.date_debut, affectation.date_debut)
    assert "axe 2 ou 3" in affectation.motif_fin
    assert niveau_acces(equipe.conseiller, relu(en_2)) == Niveau.STATUT
    assert place_conseiller(en_1).date_fin is None  # axe 1 : le conseiller garde la main
    assert relu(clos).statut == StatutDossier.CLOS


# --- Ce que le conseiller ne fait plus (pages) ----------------------------------------------


def url(nom, dossier):
    return reverse(f"dossiers:{nom}", args=[dossier.uuid])


@pytest.fixture
def dossier_axe_2(equipe):
    dossier = en_axe_2(equipe)
    suivi.ajouter_note(
        dossier=dossier, par=equipe.dedie, texte="Dette de loyer", visibilite="partagee"
    )
    return dossier


@pytest.mark.parametrize(
    "page", ["suivi_notes", "suivi_aides", "suivi_plan", "suivi_documents", "journal"]
)
def test_le_conseiller_ne_lit_plus_le_suivi(client_de, equipe, dossier_axe_2, page):
    reponse = client_de(equipe.conseiller).get(url(page, dossier_axe_2))
    assert reponse.status_code in (403, 404)
    # Le binôme, lui, lit la page.
    assert client_de(equipe.dedie).get(url(page, dossier_axe_2)).status_code == 200


def test_le_conseiller_voit_le_statut_seulement(client_de, equipe, dossier_axe_2):
    reponse = client_de(equipe.conseiller).get(url("dossier", dossier_axe_2))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Vous voyez le statut de ce dossier" in contenu
    assert "En accompagnement" in contenu
    assert "Dette de loyer" not in contenu and "Historique des affectations" not in contenu


def test_le_conseiller_n_agit_plus_sur_le_dossier(client_de, equipe, dossier_axe_2):
    client = client_de(equipe.conseiller)
    note = client.post(
        url("suivi_notes", dossier_axe_2), {"texte": "Intrusion", "visibilite": "partagee"}
    )
    changement = client.post(
        url("demander_changement", dossier_axe_2), {"axe": Axe.RESSOURCES_SOCIALES, "motif": "x"}
    )
    cloture = client.post(
        url("cloturer", dossier_axe_2),
        {
            "motif_sortie": MotifSortie.ABANDON,
            "date": dt.date.today().isoformat(),
            "confirmation": "on",
        },
    )
    assert {note.status_code, changement.status_code, cloture.status_code} <= {403, 404}
    assert not Note.objects.filter(texte="Intrusion").exists()
    assert not dossier_axe_2.demandes_changement.exists()
    assert relu(dossier_axe_2).statut == StatutDossier.ACCOMPAGNEMENT


def test_retour_en_axe_1_rend_la_place_au_conseiller_relaye(equipe):
    dossier = en_axe_2(equipe)
    assert place_conseiller(dossier).date_fin == dt.date.today()
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="Freins levés", par=equipe.dedie
    )
    services.decider_changement_axe(
        demande=demande, accepter=True, motif="Validé en comité", par=equipe.animatrice
    )
    dossier = relu(dossier)
    assert dossier.axe_courant == Axe.RESSOURCES_SOCIALES
    ouverte = dossier.affectations.get(role=RoleAffectation.CONSEILLER, date_fin__isnull=True)
    assert ouverte.professionnel_id == equipe.conseiller.user_id
    assert niveau_acces(equipe.conseiller, dossier) == Niveau.COMPLET


def test_apres_la_decision_conjointe_le_conseiller_ne_lit_ni_diagnostic_ni_bilan(client_de, equipe):
    diag = diagnostic_partage(equipe)
    diagnostics.decider(
        diagnostic=diag, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    pages = [
        reverse("diagnostics:diagnostic", args=[diag.uuid]),
        reverse("diagnostics:pdf", args=[diag.uuid]),
        reverse("reporting:bilan", args=[diag.dossier.uuid]),
    ]
    for page in pages:
        assert client_de(equipe.conseiller).get(page).status_code in (403, 404), page
    assert client_de(equipe.dedie).get(pages[0]).status_code == 200
