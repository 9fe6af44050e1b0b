"""Préavis : les référents du dossier sont prévenus 30 jours avant l'anonymisation, une
seule fois par échéance."""

import datetime as dt

import pytest

from accompagnement.audit import mois_avant
from accompagnement.models import Notification
from dossiers.models import Dossier
from rgpd.models import Preavis
from rgpd.preavis import envoyer_preavis
from tests.rgpd.conftest import MAINTENANT

pytestmark = pytest.mark.django_db

DANS_10_JOURS = mois_avant(MAINTENANT, -24) - dt.timedelta(days=10)


def test_les_referents_sont_prevenus_une_fois(equipe, personnes):
    assert envoyer_preavis(maintenant=DANS_10_JOURS) == 1
    notifs = Notification.objects.filter(titre__startswith="Anonymisation prévue")
    destinataires = set(notifs.values_list("destinataire_id", flat=True))
    # Le binôme qui suivait la personne à la sortie ; ni la récente ni l'en-cours.
    assert {equipe.dedie.user.pk, equipe.ts.user.pk} <= destinataires
    assert equipe.ts_bis.user.pk not in destinataires
    notif = notifs.first()
    assert (
        "Éloïse-Ysolde LEFÈVRE-QUINTARD" in notif.titre and str(personnes.echue.uuid) in notif.lien
    )
    echeance = mois_avant(MAINTENANT, -24)
    assert f"{echeance:%d/%m/%Y}" in notif.texte or f"{echeance:%d/%m/%Y}" in notif.titre
    preavis = Preavis.objects.get()
    assert preavis.demandeur_id == personnes.echue.demandeur_id
    assert preavis.destinataires == len(destinataires)
    # Le lendemain : rien de plus.
    assert envoyer_preavis(maintenant=DANS_10_JOURS + dt.timedelta(days=1)) == 0
    assert notifs.count() == len(destinataires)


def test_trop_tot_rien(equipe, personnes):
    assert envoyer_preavis(maintenant=DANS_10_JOURS - dt.timedelta(days=25)) == 0
    assert not Preavis.objects.exists()


def test_un_nouveau_contact_repousse_l_echeance_et_un_nouveau_preavis_partira(equipe, personnes):
    envoyer_preavis(maintenant=DANS_10_JOURS)
    nouveau_contact = DANS_10_JOURS
    Dossier.objects.filter(pk=personnes.echue.pk).update(derniere_activite=nouveau_contact)
    assert envoyer_preavis(maintenant=DANS_10_JOURS + dt.timedelta(days=1)) == 0
    plus_tard = mois_avant(nouveau_contact, -24) - dt.timedelta(days=5)
    assert envoyer_preavis(maintenant=plus_tard) == 1
    assert Preavis.objects.filter(demandeur_id=personnes.echue.demandeur_id).count() == 2


def test_sans_referent_l_animatrice_est_prevenue(equipe, personnes):
    from dossiers.models import Affectation

    # Les places ont été quittées avant la sortie : plus de référent à prévenir.
    Dossier.objects.filter(pk=personnes.echue.pk).update(
        date_cloture=personnes.echue.date_cloture + dt.timedelta(days=1)
    )
    assert not Affectation.objects.filter(
        dossier=personnes.echue, date_fin=personnes.echue.date_cloture + dt.timedelta(days=1)
    ).exists()
    assert envoyer_preavis(maintenant=DANS_10_JOURS) == 1
    destinataires = set(
        Notification.objects.filter(titre__startswith="Anonymisation prévue").values_list(
            "destinataire_id", flat=True
        )
    )
    assert destinataires == {equipe.animatrice.user.pk}
