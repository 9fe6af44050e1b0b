"""Une personne sans dossier n'est jamais une impasse (ticket #10, point 4) : la liste
« Personnes sans dossier » de chaque périmètre (agence, territoire, département), l'ouverture
d'un dossier par tout rôle autorisé, et le message de doublon de « Nouvelle personne » qui ne
dit « suivie par une autre équipe » que si quelqu'un la suit vraiment (et dit qui)."""

import datetime as dt
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import Role
from dossiers.models import Dossier, StatutDossier
from dossiers.parcours import services
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.scenarios import identite, nouveau_dossier

pytestmark = pytest.mark.django_db

LISTE = reverse("dossiers:sans_dossier")


def importee(equipe, nom="Martin", *, agence=None, code_commune="25056", **kw):
    """Une personne enregistrée sans dossier, comme après un import."""
    return services.creer_demandeur(
        departement=equipe.departement,
        par=equipe.animatrice,
        **identite(nom=nom, prenom=kw.pop("prenom", "Jeanne"), **kw),
        agence=agence,
        commune="Besançon",
        code_postal="25000",
        code_commune=code_commune,
    )


def ouvrir_url(personne):
    return reverse("dossiers:ouvrir_pour", args=[personne.uuid])


def test_chaque_role_voit_les_personnes_sans_dossier_de_son_perimetre(client_de, equipe):
    autre_agence = StructureFactory(agence=True, departement=equipe.departement, nom="Agence Nord")
    a_nous = importee(equipe, "Agence-centre", agence=equipe.agence)
    ailleurs = importee(equipe, "Agence-nord", agence=autre_agence, code_commune="25388")
    suivie = nouveau_dossier(equipe, nom="Suivie")  # a un dossier : n'apparaît jamais
    # Le territoire suit déjà un dossier à Besançon (25056) : ses professionnels y voient
    # les personnes sans dossier de cette commune.
    dossier_du_territoire = nouveau_dossier(equipe, nom="Territoire")
    dossier_du_territoire.demandeur.code_commune = "25056"
    dossier_du_territoire.demandeur.save(update_fields=["code_commune"])
    dossier_du_territoire.territoire = equipe.territoire
    dossier_du_territoire.save(update_fields=["territoire"])
    attendus = {
        "conseiller": {a_nous},
        "dedie": {a_nous},
        "ts": {a_nous},
        "correspondant": {a_nous},
        "animatrice": {a_nous, ailleurs},
    }
    for qui, personnes in attendus.items():
        contenu = client_de(getattr(equipe, qui)).get(LISTE).content.decode()
        for p in (a_nous, ailleurs):
            assert (ouvrir_url(p) in contenu) == (p in personnes), (qui, p)
        assert suivie.demandeur.nom.upper() not in contenu


def test_administrateur_refuse_et_autre_departement_invisible(client_de, equipe):
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    assert client_de(admin).get(LISTE).status_code == 403
    personne = importee(equipe, agence=equipe.agence)
    animatrice_ailleurs = MembershipFactory(role=Role.ANIMATRICE)
    contenu = client_de(animatrice_ailleurs).get(LISTE).content.decode()
    assert "0 personne sans dossier" in contenu and ouvrir_url(personne) not in contenu
    assert client_de(animatrice_ailleurs).get(ouvrir_url(personne)).status_code == 404
    assert client_de(admin).get(ouvrir_url(personne)).status_code == 403


def test_recherche_pagination_et_etat_vide(client_de, equipe):
    for i in range(30):
        importee(equipe, f"Nom{i:02d}", agence=equipe.agence, prenom=f"P{i}")
    importee(equipe, "Lefèvre", agence=equipe.agence, prenom="Éloïse")
    client = client_de(equipe.conseiller)
    page1 = client.get(LISTE).content.decode()
    assert "31 personnes sans dossier" in page1 and "Page 1 sur 2" in page1
    trouve = client.get(LISTE, {"q": "lefev"}).content.decode()
    assert "1 personne sans dossier pour « lefev »" in trouve and "LEFÈVRE" in trouve
    partiel = client.get(LISTE, {"q": "zzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partiel and "Aucune personne sans dossier ne correspond" in partiel
    vide = client_de(equipe.ts).get(LISTE).content.decode()
    assert "Toutes les personnes de votre périmètre ont un dossier" in vide


def _requetes(client, adresse) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


@pytest.mark.parametrize("qui", ["conseiller", "animatrice", "ts"])
def test_liste_nombre_de_requetes_constant(client_de, equipe, qui, django_assert_max_num_queries):
    dossier = nouveau_dossier(equipe, nom="Territoire")
    dossier.territoire = equipe.territoire
    dossier.save(update_fields=["territoire"])
    dossier.demandeur.code_commune = "25056"
    dossier.demandeur.save(update_fields=["code_commune"])
    for i in range(5):
        importee(equipe, f"Petit{i}", agence=equipe.agence)
    client = client_de(getattr(equipe, qui))
    petit = _requetes(client, LISTE)
    for i in range(45):
        importee(equipe, f"Grand{i}", agence=equipe.agence)
    with django_assert_max_num_queries(petit):
        assert "50 personnes sans dossier" in client.get(LISTE).content.decode()


@pytest.mark.parametrize("qui", ["conseiller", "dedie", "ts", "correspondant", "animatrice"])
def test_tout_role_autorise_ouvre_un_dossier(client_de, equipe, qui):
    personne = importee(equipe, agence=equipe.agence)
    client = client_de(getattr(equipe, qui))
    formulaire = client.get(ouvrir_url(personne))
    assert formulaire.status_code == 200 and "Ouvrir le dossier" in formulaire.content.decode()
    reponse = client.post(
        ouvrir_url(personne), {"origine": "conseiller_ft", "territoire": equipe.territoire.pk}
    )
    dossier = Dossier.objects.get(demandeur=personne)
    assert reponse.status_code == 302 and reponse.url == reverse(
        "dossiers:dossier", args=[dossier.uuid]
    )
    assert dossier.statut == StatutDossier.A_ORIENTER
    assert client.get(reponse.url).status_code == 200  # il voit le dossier qu'il a ouvert
    assert ouvrir_url(personne) not in client.get(LISTE).content.decode()
    # Une seconde ouverture : la personne a un dossier ouvert, 404.
    assert client.get(ouvrir_url(personne)).status_code == 404


# --- Le message de doublon de « Nouvelle personne » ------------------------------------------

SAISIE = {
    "personne-civilite": "mme",
    "personne-nom": "Lefèvre",
    "personne-prenom": "Éloïse",
    "personne-date_naissance": "1988-04-02",
    "personne-indemnisation": "are",
    "dossier-origine": "conseiller_ft",
}


def test_doublon_d_une_personne_importee_propose_de_lui_ouvrir_un_dossier(client_de, equipe):
    """Régression : une personne importée (sans dossier) était refusée avec un faux « suivie
    par une autre équipe »."""
    personne = importee(equipe, "Lefèvre", prenom="Éloïse", agence=equipe.agence)
    reponse = client_de(equipe.conseiller).post(reverse("dossiers:creer"), SAISIE)
    contenu = reponse.content.decode()
    assert reponse.status_code == 400 and "Personne déjà enregistrée" in contenu
    assert "suivie par une autre équipe" not in contenu
    assert "Personne ne la suit aujourd'hui" in contenu and ouvrir_url(personne) in contenu


def test_doublon_d_une_personne_suivie_dit_qui_la_suit(client_de, equipe):
    nouveau_dossier(equipe)  # le conseiller de l'agence tient la place d'axe 1
    ts_ailleurs = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure__departement=equipe.departement
    )
    reponse = client_de(ts_ailleurs).post(
        reverse("dossiers:creer"), {**SAISIE, "dossier-origine": "travailleur_social"}
    )
    contenu = html.unescape(reponse.content.decode())
    assert "Elle est suivie par une autre équipe" in contenu
    assert (
        f"{equipe.conseiller.user.get_full_name()} (conseiller de l'agence (axe 1), Agence Centre)"
        in contenu
    )
    assert "Lui ouvrir un dossier" not in contenu


def test_doublon_d_une_personne_dont_le_dossier_est_clos(client_de, equipe):
    from dossiers.models import MotifSortie

    dossier = nouveau_dossier(equipe, date=dt.date.today() - dt.timedelta(days=3))
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.ABANDON, par=equipe.conseiller)
    ts_ailleurs = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure__departement=equipe.departement
    )
    contenu = (
        client_de(ts_ailleurs)
        .post(reverse("dossiers:creer"), {**SAISIE, "dossier-origine": "travailleur_social"})
        .content.decode()
    )
    assert "suivie par une autre équipe" not in contenu
    assert ouvrir_url(dossier.demandeur) in contenu
