"""Information de la personne et accord pour transmettre ses coordonnées : enregistrés
(date, comment), visibles sur la fiche, exigés avant une sollicitation qui transmet des
coordonnées."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import EvenementAudit
from dossiers.models import Demandeur, ModeSollicitation, Sollicitation
from dossiers.parcours import services as parcours
from dossiers.sollicitations import services as sollicitations
from tests.dossiers.scenarios import nouveau_dossier
from tests.dossiers.sollicitations.test_sollicitations import ressource

pytestmark = pytest.mark.django_db
AUJOURDHUI = timezone.localdate()


def solliciter(equipe, dossier, coordonnees, envoyer=True):
    return sollicitations.creer_sollicitation(
        dossier=dossier,
        service=ressource(equipe.departement),
        domaine="famille",
        besoin="Garde d'enfant",
        mode=ModeSollicitation.DIRECT,
        par=equipe.conseiller,
        coordonnees_contact=coordonnees,
        envoyer=envoyer,
    )


def noter(equipe, dossier, **kw):
    kw.setdefault("information_le", AUJOURDHUI)
    kw.setdefault("information_mode", "oral")
    return parcours.enregistrer_information(dossier=dossier, par=equipe.conseiller, **kw)


def test_enregistrer_puis_retirer_l_accord(equipe):
    dossier = nouveau_dossier(equipe)
    d = noter(equipe, dossier, accord_le=AUJOURDHUI, accord_mode="signe")
    assert d.accord_transmission and d.accord_transmission_mode == "signe"
    assert d.information_le == AUJOURDHUI
    trace = EvenementAudit.objects.filter(objet_id=str(d.uuid)).latest("horodatage")
    assert trace.details["accord_transmission"] is True
    assert dossier.journal.filter(resume__startswith="Accord de la personne").exists()
    d = noter(equipe, dossier)
    assert not d.accord_transmission and d.accord_transmission_mode == ""
    assert dossier.journal.filter(resume__startswith="Accord pour transmettre").exists()


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"information_le": None, "accord_le": AUJOURDHUI, "accord_mode": "oral"}, "suppose"),
        ({"accord_le": AUJOURDHUI + dt.timedelta(days=1), "accord_mode": "oral"}, "futur"),
        ({"accord_le": AUJOURDHUI, "accord_mode": "pigeon"}, "Indiquez comment"),
    ],
)
def test_refus_metier(equipe, champs, message):
    with pytest.raises(ErreurMetier, match=message):
        noter(equipe, nouveau_dossier(equipe), **champs)


def test_seul_qui_a_la_main_enregistre(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(AccesRefuse):
        parcours.enregistrer_information(
            dossier=dossier, par=equipe.ts_bis, information_le=AUJOURDHUI, information_mode="oral"
        )


def test_une_sollicitation_qui_transmet_des_coordonnees_exige_l_accord(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match="accord"):
        solliciter(equipe, dossier, "06 12 34 56 78")
    assert not Sollicitation.objects.exists()
    # Sans coordonnées : le partenaire passe par le professionnel, rien n'est transmis.
    assert solliciter(equipe, dossier, "").statut == "envoyee"
    noter(equipe, dossier, accord_le=AUJOURDHUI, accord_mode="ecrit")
    assert solliciter(equipe, dossier, "06 12 34 56 78").statut == "envoyee"


def test_l_envoi_d_un_brouillon_relit_l_accord(equipe):
    dossier = nouveau_dossier(equipe)
    noter(equipe, dossier, accord_le=AUJOURDHUI, accord_mode="oral")
    brouillon = solliciter(equipe, dossier, "06 12 34 56 78", envoyer=False)
    noter(equipe, dossier)  # accord retiré
    with pytest.raises(ErreurMetier, match="accord"):
        sollicitations.envoyer_sollicitation(sollicitation=brouillon, par=equipe.conseiller)


def test_page_et_fiche(equipe, client_de):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.conseiller)
    fiche = client.get(reverse("dossiers:dossier", args=[dossier.uuid])).content.decode()
    assert "Pas d'accord enregistré" in fiche and "Information non notée" in fiche
    url = reverse("dossiers:information_personne", args=[dossier.uuid])
    assert client.get(url).status_code == 200
    # Accord sans date ni forme : erreurs claires, rien d'enregistré.
    r = client.post(url, {"information_le": AUJOURDHUI.isoformat(), "accord": "on"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "Indiquez comment la personne a été informée." in page
    assert "Indiquez la date de l&#x27;accord." in page
    r = client.post(
        url,
        {
            "information_le": AUJOURDHUI.isoformat(),
            "information_mode": "ecrit",
            "accord": "on",
            "accord_le": AUJOURDHUI.isoformat(),
            "accord_mode": "signe",
        },
    )
    assert r.status_code == 302
    d = Demandeur.objects.get(pk=dossier.demandeur_id)
    assert d.accord_transmission_mode == "signe" and d.information_mode == "ecrit"
    fiche = client.get(reverse("dossiers:dossier", args=[dossier.uuid])).content.decode()
    assert f"Accord du {AUJOURDHUI:%d/%m/%Y} (document signé par la personne)" in fiche
    assert f"Informée le {AUJOURDHUI:%d/%m/%Y} (par écrit" in fiche


def test_page_refusee_sans_la_main(equipe, client_de):
    dossier = nouveau_dossier(equipe)
    url = reverse("dossiers:information_personne", args=[dossier.uuid])
    assert client_de(equipe.ts_bis).get(url).status_code == 404
    assert client_de(equipe.animatrice).get(url).status_code == 200


def test_le_formulaire_de_sollicitation_refuse_les_coordonnees_sans_accord(equipe, client_de):
    dossier = nouveau_dossier(equipe)
    service = ressource(equipe.departement)
    url = reverse("dossiers:sollicitation_nouvelle", args=[dossier.uuid, service.uuid])
    client = client_de(equipe.conseiller)
    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert "Pas d'accord de la personne enregistré" in page
    r = client.post(
        url,
        {
            "domaine": "famille",
            "besoin": "Garde",
            "preference_contact": "telephone",
            "coordonnees_contact": "06 12 34 56 78",
            "mode": "direct",
        },
    )
    assert r.status_code == 400
    assert "notez-le d'abord sur sa fiche" in r.content.decode().replace("&#x27;", "'")
    assert not Sollicitation.objects.exists()
