"""Échéances du parcours : renouvellement à 12 mois (axes 2 et 3) et actions échues."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import CategorieNotification, Notification
from dossiers.models import Axe, CotePorteur, PeriodeOrientation
from dossiers.parcours import renouvellement as renouvellement_parcours
from dossiers.parcours import services
from dossiers.parcours.renouvellement import (
    periodes_a_renouveler,
    peut_renouveler_des,
    renouvellement_du,
)
from dossiers.suivi import services as suivi
from dossiers.tasks import signaler_echeances
from tests.dossiers.scenarios import avec_binome, nouveau_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taches_immediates")]
# Le jour du serveur (fuseau du projet), celui de la fiche et de la tâche quotidienne.
AUJOURD_HUI = timezone.localdate


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


@pytest.mark.parametrize(("jours", "du"), [(364, False), (365, True), (366, True)])
def test_le_bandeau_de_la_fiche_et_la_tache_quotidienne_concordent(equipe, client_de, jours, du):
    dossier = en_axe_2_depuis(equipe, jours)
    periode = dossier.periodes.get()
    assert renouvellement_du(periode, AUJOURD_HUI()) is du
    assert periodes_a_renouveler(AUJOURD_HUI()).filter(pk=periode.pk).exists() is du
    page = (
        client_de(equipe.dedie)
        .get(reverse("dossiers:dossier", args=[dossier.uuid]))
        .content.decode()
    )
    assert ("Renouvellement à décider" in page) is du
    assert signaler_echeances.delay().get()["renouvellements"] == (1 if du else 0)


def test_la_regle_python_et_la_requete_sql_concordent_jour_apres_jour(equipe):
    dossier = en_axe_2_depuis(equipe, 400)
    periode = dossier.periodes.get()
    for ecart in range(360, 371):
        jour = periode.date_debut + dt.timedelta(days=ecart)
        en_sql = periodes_a_renouveler(jour).filter(pk=periode.pk).exists()
        assert renouvellement_du(periode, jour) is en_sql is (ecart >= 365)
    # Une période de l'axe 1 ne se renouvelle jamais.
    periode.axe = Axe.RESSOURCES_SOCIALES
    assert not renouvellement_du(periode, AUJOURD_HUI())
    assert not renouvellement_du(None, AUJOURD_HUI())


@pytest.mark.parametrize(("jours", "possible"), [(334, False), (335, True)])
def test_le_renouvellement_se_decide_a_partir_de_11_mois(equipe, jours, possible):
    dossier = en_axe_2_depuis(equipe, jours)
    periode = dossier.periodes.get()
    assert peut_renouveler_des(periode) == periode.date_debut + dt.timedelta(days=335)
    assert (peut_renouveler_des(periode) <= AUJOURD_HUI()) is possible

    def renouveler():
        return renouvellement_parcours.renouveler(
            dossier=dossier, par=equipe.dedie, motif="Poursuivre", accord_personne=True
        )

    if possible:
        assert renouveler().renouvellement
    else:
        with pytest.raises(ErreurMetier, match=f"{peut_renouveler_des(periode):%d/%m/%Y}"):
            renouveler()


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
