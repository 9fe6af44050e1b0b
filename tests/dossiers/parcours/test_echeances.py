"""Échéances du parcours : renouvellement à 12 mois (axes 2 et 3) et actions échues."""

import datetime as dt

import pytest
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import CategorieNotification, Notification
from dossiers.models import Axe, CotePorteur, PeriodeOrientation
from dossiers.parcours import renouvellement as renouvellement_parcours
from dossiers.parcours import services
from dossiers.suivi import services as suivi
from dossiers.tasks import signaler_echeances
from tests.dossiers.scenarios import avec_binome, nouveau_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taches_immediates")]
AUJOURD_HUI = dt.date.today


def en_axe_2_depuis(equipe, jours):
    debut = AUJOURD_HUI() - dt.timedelta(days=jours)
    dossier = avec_binome(equipe, nouveau_dossier(equipe, date=debut), date=debut)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
        date=debut,
    )
    dossier.refresh_from_db()
    return dossier


def test_a_12_mois_le_renouvellement_est_signale_une_fois(equipe, client_de):
    dossier = en_axe_2_depuis(equipe, 370)
    resultat = signaler_echeances.delay().get()
    assert resultat["renouvellements"] == 1
    notifiees = Notification.objects.filter(categorie=CategorieNotification.RENOUVELLEMENT)
    assert {n.destinataire for n in notifiees} >= {equipe.dedie.user, equipe.ts.user}
    assert dossier.journal.filter(resume__contains="renouvellement à décider").count() == 1
    # Rejouée : rien de plus.
    assert signaler_echeances.delay().get()["renouvellements"] == 0
    page = (
        client_de(equipe.dedie)
        .get(reverse("dossiers:dossier", args=[dossier.uuid]))
        .content.decode()
    )
    assert (
        "Renouvellement à décider" in page
        and reverse("dossiers:renouveler", args=[dossier.uuid]) in page
    )


def test_avant_12_mois_rien_n_est_signale(equipe):
    en_axe_2_depuis(equipe, 200)
    assert signaler_echeances.delay().get()["renouvellements"] == 0
    assert not Notification.objects.filter(categorie=CategorieNotification.RENOUVELLEMENT).exists()


def test_renouveler_ouvre_une_nouvelle_periode_sur_le_meme_axe(equipe, client_de):
    dossier = en_axe_2_depuis(equipe, 366)
    reponse = client_de(equipe.ts).post(
        reverse("dossiers:renouveler", args=[dossier.uuid]),
        {
            "motif": "Logement en cours de relogement",
            "accord_personne": "on",
            "date": AUJOURD_HUI().isoformat(),
        },
    )
    assert reponse.status_code == 302
    ancienne, nouvelle = PeriodeOrientation.objects.filter(dossier=dossier).order_by(
        "date_debut", "pk"
    )
    assert ancienne.date_fin == nouvelle.date_debut == AUJOURD_HUI()
    assert (
        nouvelle.axe == Axe.ACCOMPAGNEMENT_GLOBAL
        and nouvelle.renouvellement
        and nouvelle.date_fin is None
    )


def test_renouveler_refus(equipe):
    trop_tot = en_axe_2_depuis(equipe, 100)
    with pytest.raises(ErreurMetier, match="Pas encore à échéance"):
        renouvellement_parcours.renouveler(
            dossier=trop_tot, par=equipe.dedie, motif="x", accord_personne=True
        )
    services.cloturer(dossier=trop_tot, motif_sortie="autre", par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="en accompagnement"):
        renouvellement_parcours.renouveler(
            dossier=trop_tot, par=equipe.dedie, motif="x", accord_personne=True
        )


def test_renouveler_exige_l_accord_et_un_motif(equipe):
    dossier = en_axe_2_depuis(equipe, 380)
    with pytest.raises(ErreurMetier, match="accord"):
        renouvellement_parcours.renouveler(
            dossier=dossier, par=equipe.dedie, motif="Poursuivre", accord_personne=False
        )
    with pytest.raises(ErreurMetier, match="motif"):
        renouvellement_parcours.renouveler(
            dossier=dossier, par=equipe.dedie, motif=" ", accord_personne=True
        )
    assert dossier.periodes.count() == 1


def test_action_echue_signalee_a_son_responsable_une_fois(equipe):
    dossier = en_axe_2_depuis(equipe, 60)
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="logement", intitule="Trouver un logement"
    )
    suivi.ajouter_action(
        objectif=objectif,
        par=equipe.ts,
        intitule="Dossier SIAO",
        cote=CotePorteur.SOCIAL,
        responsable=equipe.ts.user,
        date_debut=AUJOURD_HUI() - dt.timedelta(days=30),
        date_fin_prevue=AUJOURD_HUI() - dt.timedelta(days=1),
    )
    suivi.ajouter_action(
        objectif=objectif,
        par=equipe.ts,
        intitule="Visite",
        cote=CotePorteur.SOCIAL,
        responsable=equipe.ts.user,
        date_debut=AUJOURD_HUI(),
        date_fin_prevue=AUJOURD_HUI() + dt.timedelta(days=10),
    )
    assert signaler_echeances.delay().get()["actions"] == 1
    notification = Notification.objects.get(
        categorie=CategorieNotification.ACTION, titre__startswith="Action à échéance"
    )
    assert notification.destinataire == equipe.ts.user
    assert signaler_echeances.delay().get()["actions"] == 0
