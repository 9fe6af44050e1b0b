"""Listes de dossiers : « Mon portefeuille » par rôle, « Dossiers du département »
(animatrice), « Charges des professionnels » ; filtres, recherche, tri, pagination,
partiel htmx, droits et nombre de requêtes constant."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement import pagination_bornee
from accompagnement.models import Role
from dossiers.models import (
    Affectation,
    Axe,
    Demandeur,
    Dossier,
    MotifSortie,
    Origine,
    RoleAffectation,
    StatutDossier,
)
from dossiers.parcours import services
from dossiers.portefeuilles import perms
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.dossiers.factories import ActionFactory, DemandeurFactory, DossierFactory

pytestmark = pytest.mark.django_db

URL_PORTEFEUILLE = reverse("dossiers:portefeuille")
URL_LISTE = reverse("dossiers:liste")
URL_CHARGES = reverse("dossiers:charges")
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Construction des données ---------------------------------------------------------


def _pro(role, structure, nom, prenom="Alex", **kwargs):
    return MembershipFactory(
        role=role, structure=structure, user__nom=nom, user__prenom=prenom, **kwargs
    )


@pytest.fixture
def monde():
    """Un département (deux agences, deux territoires, un professionnel par rôle) et un
    second département, qui ne doit jamais apparaître."""
    dep = DepartementFactory(code_insee="25")
    agence_a = StructureFactory(departement=dep, agence=True, nom="Agence Planoise")
    agence_b = StructureFactory(departement=dep, agence=True, nom="Agence Morteau")
    territoire_1 = StructureFactory(departement=dep, territoire=True, nom="Territoire Besançon")
    territoire_2 = StructureFactory(departement=dep, territoire=True, nom="Territoire Haut-Doubs")
    direction = StructureFactory(departement=dep, direction=True, nom="Direction insertion")
    autre_dep = DepartementFactory(code_insee="61")
    return SimpleNamespace(
        dep=dep,
        agence_a=agence_a,
        agence_b=agence_b,
        territoire_1=territoire_1,
        territoire_2=territoire_2,
        animatrice=_pro(Role.ANIMATRICE, direction, "Vuillemin", "Claire"),
        administrateur=_pro(Role.ADMINISTRATEUR, direction, "Pernot", "Marc"),
        conseiller=_pro(Role.CONSEILLER, agence_a, "Roussel", "Camille"),
        conseiller_b=_pro(Role.CONSEILLER, agence_b, "Berthier", "Luc"),
        cd=_pro(Role.CONSEILLER_DEDIE, agence_a, "Marchand", "Julien"),
        ts=_pro(Role.TRAVAILLEUR_SOCIAL, territoire_1, "Benali", "Nadia"),
        ts2=_pro(Role.TRAVAILLEUR_SOCIAL, territoire_2, "Colin", "Inès"),
        correspondant=_pro(Role.CORRESPONDANT_INSERTION, territoire_1, "Girard", "Sophie"),
        autre_dep=autre_dep,
        agence_etrangere=StructureFactory(departement=autre_dep, agence=True, nom="Agence Alençon"),
        ts_etranger=_pro(
            Role.TRAVAILLEUR_SOCIAL,
            StructureFactory(departement=autre_dep, territoire=True, nom="Territoire Orne"),
            "Horsdep",
        ),
    )


def nouveau_dossier(dep, agence, **champs):
    """Un dossier « à orienter » ; les champs `demandeur__x` vont à la personne."""
    personne = {k.removeprefix("demandeur__"): v for k, v in champs.items() if "__" in k}
    dossier = {k: v for k, v in champs.items() if "__" not in k}
    demandeur = DemandeurFactory(departement=dep, **personne)
    return DossierFactory(demandeur=demandeur, agence=agence, **dossier)


def en_binome(dossier, cd, ts, par, *, diagnostic=True):
    """Binôme affecté, diagnostic, entrée en axe 2 : par les services, comme en vrai."""
    services.affecter(
        dossier=dossier, place=RoleAffectation.CONSEILLER_DEDIE, professionnel=cd, par=par
    )
    services.affecter(
        dossier=dossier, place=RoleAffectation.TRAVAILLEUR_SOCIAL, professionnel=ts, par=par
    )
    if diagnostic:
        services.demarrer_diagnostic(dossier=dossier, par=par)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=par,
        motif="Freins cumulés",
        accord_personne=True,
        conseiller=cd.user,
        professionnel_social=ts.user,
    )
    dossier.refresh_from_db()
    return dossier


def inactif(dossier, jours):
    """Dernière activité `jours` jours de calendrier avant aujourd'hui, à la même heure
    locale : la liste affiche l'écart en jours de calendrier, et `now() - 60 jours` tombe
    la veille de ce jour-là entre 23 h et minuit quand l'heure d'été sépare les deux dates."""
    Dossier.objects.filter(pk=dossier.pk).update(
        derniere_activite=timezone.localtime() - dt.timedelta(days=jours)
    )


def noms(response) -> list[str]:
    return [d.demandeur.nom for d in response.context["page"].object_list]


@pytest.fixture
def jeu(monde):
    """Des dossiers variés du département, vus par l'animatrice."""
    m = monde
    lefevre = en_binome(
        nouveau_dossier(
            m.dep,
            m.agence_a,
            demandeur__nom="Lefèvre",
            demandeur__prenom="Julie",
            demandeur__nom_naissance="Beaumont",
            demandeur__identifiant_ft="1234567A",
            demandeur__rsa_allocataire=True,
            territoire=m.territoire_1,
            date_orientation=dt.date(2024, 1, 10),
        ),
        m.cd,
        m.ts,
        m.animatrice,
    )
    martin = nouveau_dossier(
        m.dep,
        m.agence_b,
        demandeur__nom="Martin",
        demandeur__prenom="Paul",
        territoire=m.territoire_2,
        origine=Origine.TRAVAILLEUR_SOCIAL,
        date_orientation=dt.date(2024, 3, 5),
    )
    inactif(martin, 60)
    durand = nouveau_dossier(
        m.dep,
        m.agence_a,
        demandeur__nom="Durand",
        demandeur__prenom="Zoé",
        date_orientation=dt.date(2024, 2, 1),
    )
    services.affecter(
        dossier=durand,
        place=RoleAffectation.CONSEILLER_DEDIE,
        professionnel=m.cd,
        par=m.animatrice,
    )
    services.demarrer_diagnostic(dossier=durand, par=m.animatrice)
    inactif(durand, 20)
    petit = nouveau_dossier(
        m.dep,
        m.agence_a,
        demandeur__nom="Petit",
        demandeur__prenom="Léa",
        demandeur__rsa_allocataire=True,
        date_orientation=dt.date(2024, 4, 20),
    )
    services.affecter(
        dossier=petit,
        place=RoleAffectation.CONSEILLER,
        professionnel=m.conseiller,
        par=m.animatrice,
    )
    services.orienter(
        dossier=petit,
        axe=Axe.RESSOURCES_SOCIALES,
        par=m.conseiller,
        motif="Un frein ponctuel",
    )
    inactif(petit, 5)
    bernard = nouveau_dossier(
        m.dep,
        m.agence_b,
        demandeur__nom="Bernard",
        demandeur__prenom="Hugo",
        date_orientation=dt.date(2023, 11, 2),
    )
    services.cloturer(dossier=bernard, motif_sortie=MotifSortie.DEMENAGEMENT, par=m.animatrice)
    inactif(bernard, 90)
    # Une homonyme dans un autre département : jamais visible.
    nouveau_dossier(
        m.autre_dep,
        m.agence_etrangere,
        demandeur__nom="Lefèvre",
        demandeur__prenom="Julie",
        demandeur__nom_naissance="Horsdep",
    )
    return SimpleNamespace(lefevre=lefevre, martin=martin, durand=durand, petit=petit)


# --- Droits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "attendu"),
    [(role, role != Role.ADMINISTRATEUR) for role in Role],
)
def test_peut_voir_portefeuille(professionnel, role, attendu):
    assert perms.peut_voir_portefeuille(professionnel(role)) is attendu
    assert perms.peut_voir_portefeuille(None) is False


@pytest.mark.parametrize("url", [URL_PORTEFEUILLE, URL_LISTE, URL_CHARGES])
def test_l_administrateur_ne_voit_aucune_liste(client_de, monde, url):
    assert client_de(monde.administrateur).get(url).status_code == 403


@pytest.mark.parametrize("qui", ["conseiller", "cd", "ts", "correspondant"])
def test_la_liste_du_departement_est_reservee_a_l_animatrice(client_de, monde, qui):
    assert client_de(getattr(monde, qui)).get(URL_LISTE).status_code == 403


@pytest.mark.parametrize("qui", ["conseiller", "cd", "ts"])
def test_les_charges_sont_refusees_aux_autres_roles(client_de, monde, qui):
    assert client_de(getattr(monde, qui)).get(URL_CHARGES).status_code == 403


@pytest.mark.parametrize("qui", ["animatrice", "correspondant"])
def test_les_charges_sont_ouvertes_a_l_animatrice_et_au_correspondant(client_de, monde, qui):
    assert client_de(getattr(monde, qui)).get(URL_CHARGES).status_code == 200


@pytest.mark.parametrize("qui", ["conseiller", "cd", "ts", "correspondant"])
def test_chaque_professionnel_a_son_portefeuille(client_de, monde, qui):
    response = client_de(getattr(monde, qui)).get(URL_PORTEFEUILLE)
    assert response.status_code == 200
    assert "Mon portefeuille" in response.content.decode()


def test_l_animatrice_est_renvoyee_vers_la_liste_du_departement(client_de, monde):
    client = client_de(monde.animatrice)
    response = client.get(URL_PORTEFEUILLE, {"statut": "clos"})
    assert response.status_code == 302
    assert response.url == f"{URL_LISTE}?statut=clos"
    assert client.get(URL_LISTE).status_code == 200


@pytest.mark.parametrize(
    ("qui", "attendu"),
    [
        ("conseiller", {"Mon portefeuille", "Annuaire"}),
        ("cd", {"Mon portefeuille", "Annuaire"}),
        ("ts", {"Mon portefeuille", "Annuaire"}),
        ("correspondant", {"Mon portefeuille", "Charges", "Annuaire"}),
        ("animatrice", {"Dossiers", "Charges", "Annuaire"}),
        ("administrateur", {"Annuaire"}),
    ],
)
def test_le_menu_propose_les_listes_selon_le_role(client_de, monde, qui, attendu):
    response = client_de(getattr(monde, qui)).get(reverse("accueil"))
    libelles = {item["libelle"] for item in response.context["navigation"]}
    mes_entrees = {"Mon portefeuille", "Dossiers", "Charges"}
    assert libelles & mes_entrees == attendu & mes_entrees
    assert {"Annuaire"} <= libelles


# --- Périmètre du portefeuille ------------------------------------------------------------


def test_portefeuille_du_travailleur_social_limite_a_ses_affectations_ouvertes(client_de, monde):
    m = monde
    a_lui = en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Alpha"), m.cd, m.ts, m.animatrice
    )
    a_un_autre = en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Bravo"), m.cd, m.ts2, m.animatrice
    )
    relaye = en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Charlie"), m.cd, m.ts, m.animatrice
    )
    services.affecter(
        dossier=relaye,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=m.ts2,
        par=m.animatrice,
    )
    clos = en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Delta"), m.cd, m.ts, m.animatrice
    )
    services.cloturer(dossier=clos, motif_sortie=MotifSortie.IAE, par=m.animatrice)
    # Oriente par lui mais sans affectation : pas dans son portefeuille.
    services.ouvrir_dossier(
        demandeur=DemandeurFactory(departement=m.dep, nom="Echo"),
        par=m.ts,
        origine=Origine.TRAVAILLEUR_SOCIAL,
    )
    nouveau_dossier(m.autre_dep, m.agence_etrangere, demandeur__nom="Foxtrot")

    assert noms(client_de(m.ts).get(URL_PORTEFEUILLE)) == ["Alpha"]
    assert sorted(noms(client_de(m.ts2).get(URL_PORTEFEUILLE))) == ["Bravo", "Charlie"]
    assert a_lui and a_un_autre


def test_portefeuille_du_conseiller_dedie(client_de, monde):
    m = monde
    en_binome(nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Alpha"), m.cd, m.ts, m.animatrice)
    # Un dossier de son agence sans lui : visible par ailleurs, mais pas dans son portefeuille.
    nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Bravo")
    assert noms(client_de(m.cd).get(URL_PORTEFEUILLE)) == ["Alpha"]


def test_portefeuille_du_conseiller_avec_les_personnes_qu_il_a_orientees(client_de, monde):
    m = monde
    # Ouvert dans son agence : il devient le conseiller du dossier.
    services.ouvrir_dossier(
        demandeur=DemandeurFactory(departement=m.dep, nom="Alpha"),
        par=m.conseiller,
        origine=Origine.CONSEILLER_FT,
    )
    # Orienté par lui vers une autre agence, encore « à orienter » : dans son portefeuille.
    oriente = services.ouvrir_dossier(
        demandeur=DemandeurFactory(departement=m.dep, nom="Bravo", agence=m.agence_b),
        par=m.conseiller,
        origine=Origine.CONSEILLER_FT,
    )
    services.affecter(
        dossier=oriente,
        place=RoleAffectation.CONSEILLER,
        professionnel=m.conseiller_b,
        par=m.animatrice,
    )
    # Orienté par lui, mais le diagnostic a commencé ailleurs : plus dans son portefeuille.
    parti = services.ouvrir_dossier(
        demandeur=DemandeurFactory(departement=m.dep, nom="Charlie", agence=m.agence_b),
        par=m.conseiller,
        origine=Origine.CONSEILLER_FT,
    )
    services.demarrer_diagnostic(dossier=parti, par=m.animatrice)
    nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Delta")

    response = client_de(m.conseiller).get(URL_PORTEFEUILLE)
    assert noms(response) == ["Alpha", "Bravo"]
    contenu = response.content.decode()
    # Bravo n'est connu de lui que par l'identité et le statut : ni affectations ni agence.
    ligne_bravo = re.search(r"BRAVO.*?</tr>", contenu, re.S).group(0)
    assert "Accès limité à l'identité et au statut." in ligne_bravo
    assert "À orienter" in ligne_bravo
    assert "BERTHIER" not in ligne_bravo and "Agence Morteau" not in ligne_bravo
    ligne_alpha = re.search(r"ALPHA.*?</tr>", contenu, re.S).group(0)
    assert "ROUSSEL Camille" in ligne_alpha and "Agence Planoise" in ligne_alpha


def test_portefeuille_du_correspondant_son_territoire(client_de, monde):
    m = monde
    nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Alpha", territoire=m.territoire_1)
    nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Bravo", territoire=m.territoire_2)
    clos = nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Charlie", territoire=m.territoire_1)
    services.cloturer(dossier=clos, motif_sortie=MotifSortie.AUTRE, par=m.animatrice)
    # Hors de son territoire, mais il y tient la place de référent social.
    ailleurs = nouveau_dossier(m.dep, m.agence_b, demandeur__nom="Delta", territoire=m.territoire_2)
    services.affecter(
        dossier=ailleurs,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=m.correspondant,
        par=m.animatrice,
    )
    nouveau_dossier(m.autre_dep, m.agence_etrangere, demandeur__nom="Echo")
    assert noms(client_de(m.correspondant).get(URL_PORTEFEUILLE)) == ["Alpha", "Delta"]


def test_la_liste_du_departement_montre_tout_le_departement_et_rien_d_autre(client_de, monde, jeu):
    response = client_de(monde.animatrice).get(URL_LISTE)
    assert sorted(noms(response)) == ["Bernard", "Durand", "Lefèvre", "Martin", "Petit"]
    contenu = response.content.decode()
    assert "Horsdep" not in contenu and "Alençon" not in contenu
    assert "5 dossiers" in contenu


# --- Colonnes -----------------------------------------------------------------------------


def test_les_colonnes_d_une_ligne_complete(client_de, monde, jeu):
    contenu = client_de(monde.animatrice).get(URL_LISTE, {"q": "lefevre"}).content.decode()
    lien = reverse("dossiers:dossier", args=[jeu.lefevre.uuid])
    assert f'href="{lien}"' in contenu
    ligne = re.search(r"LEFÈVRE.*?</tr>", contenu, re.S).group(0)
    for attendu in [
        "Julie",
        "1234567A",
        "En accompagnement",
        "Axe 2",
        "accompagnement global",
        "MARCHAND Julien",
        "conseiller dédié",
        "BENALI Nadia",
        "travailleur social",
        "Agence Planoise",
        "Territoire Besançon",
        "10/01/2024",
        "aujourd'hui",
        "Oui",
    ]:
        assert attendu in ligne, attendu
    assert "Binôme incomplet" not in ligne


def test_dernier_contact_en_jours_et_binome_incomplet(client_de, monde, jeu):
    m = monde
    # Relais du travailleur social : le binôme reste complet, le nouveau nom apparaît.
    services.affecter(
        dossier=jeu.lefevre,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=m.ts2,
        par=m.animatrice,
    )
    incomplet = en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Incomplet"), m.cd, m.ts, m.animatrice
    )
    Affectation.objects.filter(dossier=incomplet, role=RoleAffectation.TRAVAILLEUR_SOCIAL).update(
        date_fin=timezone.localdate()
    )
    contenu = client_de(m.animatrice).get(URL_LISTE).content.decode()
    ligne = re.search(r"LEFÈVRE.*?</tr>", contenu, re.S).group(0)
    assert "COLIN Inès" in ligne and "BENALI" not in ligne
    assert "Binôme incomplet" in re.search(r"INCOMPLET.*?</tr>", contenu, re.S).group(0)
    assert "il y a 60 jours" in re.search(r"MARTIN.*?</tr>", contenu, re.S).group(0)


# --- Filtres ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parametres", "attendus"),
    [
        ({"statut": StatutDossier.A_ORIENTER}, {"Martin"}),
        ({"statut": StatutDossier.DIAGNOSTIC}, {"Durand"}),
        ({"statut": StatutDossier.CLOS}, {"Bernard"}),
        ({"axe": Axe.ACCOMPAGNEMENT_GLOBAL}, {"Lefèvre"}),
        ({"axe": Axe.RESSOURCES_SOCIALES}, {"Petit"}),
        ({"rsa": "true"}, {"Lefèvre", "Petit"}),
        ({"rsa": "false"}, {"Martin", "Durand", "Bernard"}),
        ({"origine": Origine.TRAVAILLEUR_SOCIAL}, {"Martin"}),
        ({"oriente_du": "2024-02-01"}, {"Martin", "Durand", "Petit"}),
        ({"oriente_au": "2024-02-01"}, {"Lefèvre", "Durand", "Bernard"}),
        ({"oriente_du": "2024-01-01", "oriente_au": "2024-03-01"}, {"Lefèvre", "Durand"}),
        ({"sans_binome": "on"}, {"Martin", "Durand"}),
        ({"inactif_depuis": "30"}, {"Martin", "Bernard"}),
        ({"inactif_depuis": "10"}, {"Martin", "Durand", "Bernard"}),
        ({"statut": StatutDossier.A_ORIENTER, "rsa": "true"}, set()),
    ],
)
def test_chaque_filtre(client_de, monde, jeu, parametres, attendus):
    assert set(noms(client_de(monde.animatrice).get(URL_LISTE, parametres))) == attendus


def test_filtres_agence_et_territoire_par_uuid(client_de, monde, jeu):
    client = client_de(monde.animatrice)
    par_agence = client.get(URL_LISTE, {"agence": str(monde.agence_b.uuid)})
    assert set(noms(par_agence)) == {"Martin", "Bernard"}
    par_territoire = client.get(URL_LISTE, {"territoire": str(monde.territoire_1.uuid)})
    assert set(noms(par_territoire)) == {"Lefèvre"}


def test_les_choix_de_structures_et_de_professionnels_restent_dans_le_departement(
    client_de, monde, jeu
):
    response = client_de(monde.animatrice).get(URL_LISTE)
    form = response.context["filtre"].form
    agences = {s.nom for s in form.fields["agence"].queryset}
    territoires = {s.nom for s in form.fields["territoire"].queryset}
    professionnels = {m.user.nom for m in form.fields["professionnel"].queryset}
    assert agences == {"Agence Planoise", "Agence Morteau"}
    assert territoires == {"Territoire Besançon", "Territoire Haut-Doubs"}
    assert professionnels == {"Roussel", "Berthier", "Marchand", "Benali", "Colin", "Girard"}


def test_une_structure_d_un_autre_departement_est_refusee_par_le_filtre(client_de, monde, jeu):
    response = client_de(monde.animatrice).get(
        URL_LISTE, {"agence": str(monde.agence_etrangere.uuid)}
    )
    assert response.status_code == 200
    assert "agence" in response.context["filtre"].form.errors
    assert "Horsdep" not in response.content.decode()


def test_filtre_professionnel_sur_les_affectations_ouvertes(client_de, monde, jeu):
    m = monde
    client = client_de(m.animatrice)
    assert set(noms(client.get(URL_LISTE, {"professionnel": str(m.cd.uuid)}))) == {
        "Lefèvre",
        "Durand",
    }
    assert set(noms(client.get(URL_LISTE, {"professionnel": str(m.ts.uuid)}))) == {"Lefèvre"}
    # Relais : l'ancien travailleur social ne tient plus la place.
    services.affecter(
        dossier=jeu.lefevre,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=m.ts2,
        par=m.animatrice,
    )
    assert noms(client.get(URL_LISTE, {"professionnel": str(m.ts.uuid)})) == []
    assert noms(client.get(URL_LISTE, {"professionnel": str(m.ts2.uuid)})) == ["Lefèvre"]
    refuse = client.get(URL_LISTE, {"professionnel": str(m.ts_etranger.uuid)})
    assert "professionnel" in refuse.context["filtre"].form.errors


def test_les_filtres_s_appliquent_aussi_au_portefeuille(client_de, monde, jeu):
    client = client_de(monde.cd)
    assert set(noms(client.get(URL_PORTEFEUILLE))) == {"Lefèvre", "Durand"}
    assert noms(client.get(URL_PORTEFEUILLE, {"sans_binome": "on"})) == ["Durand"]
    assert noms(client.get(URL_PORTEFEUILLE, {"q": "jul"})) == ["Lefèvre"]


# --- Recherche ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texte",
    ["lefevre", "LEFÈVRE", "Lefè", "JUL", "julie lef", "beaum", "1234567a", "12345", " lefèvre  "],
)
def test_recherche_sans_accents_ni_casse_par_prefixe(client_de, monde, jeu, texte):
    assert noms(client_de(monde.animatrice).get(URL_LISTE, {"q": texte})) == ["Lefèvre"]


@pytest.mark.parametrize("texte", ["zzz", "julie martin", "efevre", "7654321"])
def test_recherche_sans_resultat(client_de, monde, jeu, texte):
    response = client_de(monde.animatrice).get(URL_LISTE, {"q": texte})
    assert noms(response) == []
    contenu = response.content.decode()
    assert "0 dossier" in contenu
    assert "Aucun dossier ne correspond à ces critères." in contenu


def test_une_recherche_sans_mot_utile_ne_filtre_pas(client_de, monde, jeu):
    assert len(noms(client_de(monde.animatrice).get(URL_LISTE, {"q": " ' - "}))) == 5


# --- Tri ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tri", "attendu"),
    [
        ("", ["Bernard", "Durand", "Lefèvre", "Martin", "Petit"]),
        ("nom", ["Bernard", "Durand", "Lefèvre", "Martin", "Petit"]),
        ("-nom", ["Petit", "Martin", "Lefèvre", "Durand", "Bernard"]),
        ("date_orientation", ["Bernard", "Lefèvre", "Durand", "Martin", "Petit"]),
        ("-date_orientation", ["Petit", "Martin", "Durand", "Lefèvre", "Bernard"]),
        ("derniere_activite", ["Bernard", "Martin", "Durand", "Petit", "Lefèvre"]),
        ("-derniere_activite", ["Lefèvre", "Petit", "Durand", "Martin", "Bernard"]),
    ],
)
def test_tri(client_de, monde, jeu, tri, attendu):
    assert noms(client_de(monde.animatrice).get(URL_LISTE, {"o": tri})) == attendu


def test_un_tri_inconnu_garde_l_ordre_alphabetique(client_de, monde, jeu):
    response = client_de(monde.animatrice).get(URL_LISTE, {"o": "inconnu"})
    assert response.status_code == 200
    assert noms(response) == ["Bernard", "Durand", "Lefèvre", "Martin", "Petit"]
    charges_inconnu = client_de(monde.animatrice).get(URL_CHARGES, {"o": "inconnu"})
    assert [x.user.nom for x in charges_inconnu.context["page"].object_list] == sorted(
        ["Roussel", "Berthier", "Marchand", "Benali", "Colin", "Girard"]
    )


def test_tri_par_statut_suit_le_parcours(client_de, monde, jeu):
    response = client_de(monde.animatrice).get(URL_LISTE, {"o": "statut"})
    statuts = [d.statut for d in response.context["page"].object_list]
    assert statuts == [
        StatutDossier.A_ORIENTER,
        StatutDossier.DIAGNOSTIC,
        StatutDossier.ACCOMPAGNEMENT,
        StatutDossier.ACCOMPAGNEMENT,
        StatutDossier.CLOS,
    ]
    inverse = client_de(monde.animatrice).get(URL_LISTE, {"o": "-statut"})
    assert [d.statut for d in inverse.context["page"].object_list] == statuts[::-1]


# --- Pagination, compteur, état vide, htmx ----------------------------------------------


def test_pagination_par_25_et_compteur(client_de, monde):
    for i in range(30):
        nouveau_dossier(monde.dep, monde.agence_a, demandeur__nom=f"Personne{i:02d}")
    client = client_de(monde.animatrice)
    premiere = client.get(URL_LISTE)
    contenu = premiere.content.decode()
    assert "30 dossiers" in contenu
    assert contenu.count('<th scope="row"') == 25
    assert "Page 1 sur 2" in contenu
    assert 'href="?page=2"' in contenu
    seconde = client.get(URL_LISTE, {"page": 2})
    assert noms(seconde) == [f"Personne{i:02d}" for i in range(25, 30)]
    # La pagination garde les filtres.
    filtre = client.get(URL_LISTE, {"q": "personne", "o": "-nom"}).content.decode()
    assert "?q=personne&amp;o=-nom&amp;page=2" in filtre


def test_compte_borne_au_dela_du_plafond(client_de, monde, monkeypatch):
    """Au-delà du plafond, la liste ne compte plus : « Plus de 30 dossiers », et les pages
    s'arrêtent au plafond (30 lignes : 2 pages de 25) ; une page au-delà renvoie à la
    dernière page accessible, jamais à une erreur."""
    monkeypatch.setattr(pagination_bornee, "PLAFOND", 30)
    for i in range(32):
        nouveau_dossier(monde.dep, monde.agence_a, demandeur__nom=f"Personne{i:02d}")
    client = client_de(monde.animatrice)
    contenu = client.get(URL_LISTE).content.decode()
    assert "Plus de 30 dossiers" in contenu and "32 dossiers" not in contenu
    assert "au-delà, affinez la recherche ou changez le tri" in contenu
    assert "Dossiers, plus de 30 au total, page 1 sur 2" in contenu
    assert "Page 1 sur 2" in contenu
    seconde = client.get(URL_LISTE, {"page": 2})
    assert noms(seconde) == [f"Personne{i:02d}" for i in range(25, 30)]
    assert noms(client.get(URL_LISTE, {"page": 3})) == noms(seconde)
    # Un filtre qui ramène sous le plafond retrouve le compte exact.
    filtre = client.get(URL_LISTE, {"q": "personne01"}).content.decode()
    assert "1 dossier" in filtre and "Plus de 30 dossiers" not in filtre


def test_page_profonde_lue_par_cles_dans_l_ordre_du_tri(client_de, monde):
    """La page est choisie par ses clés (tri et filtres), puis habillée : même ordre, mêmes
    indicateurs (action en retard, référents) qu'une lecture directe, sur une page au-delà
    de la première et dans les deux sens du tri."""
    for i in range(30):
        nouveau_dossier(monde.dep, monde.agence_a, demandeur__nom=f"Personne{i:02d}")
    retard = en_binome(
        nouveau_dossier(monde.dep, monde.agence_a, demandeur__nom="Personne27b"),
        monde.cd,
        monde.ts,
        monde.animatrice,
    )
    ActionFactory(
        objectif__dossier=retard,
        date_debut=timezone.localdate() - dt.timedelta(days=20),
        date_fin_prevue=timezone.localdate() - dt.timedelta(days=3),
    )
    client = client_de(monde.animatrice)
    seconde = client.get(URL_LISTE, {"page": 2})
    lignes = list(seconde.context["page"].object_list)
    assert [d.demandeur.nom for d in lignes] == [
        "Personne25",
        "Personne26",
        "Personne27",
        "Personne27b",
        "Personne28",
        "Personne29",
    ]
    (ligne,) = [d for d in lignes if d.pk == retard.pk]
    binome = {RoleAffectation.CONSEILLER_DEDIE, RoleAffectation.TRAVAILLEUR_SOCIAL}
    assert ligne.action_en_retard and {a.role for a in ligne.referents} == binome
    assert not any(d.action_en_retard for d in lignes if d.pk != retard.pk)
    inverse = client.get(URL_LISTE, {"page": 2, "o": "-nom"})
    assert noms(inverse) == [
        "Personne05",
        "Personne04",
        "Personne03",
        "Personne02",
        "Personne01",
        "Personne00",
    ]


def test_compteur_au_singulier(client_de, monde, jeu):
    contenu = client_de(monde.animatrice).get(URL_LISTE, {"q": "martin"}).content.decode()
    assert "1 dossier<" in contenu or "1 dossier " in contenu
    assert "1 dossiers" not in contenu


def test_portefeuille_vide(client_de, monde):
    contenu = client_de(monde.ts).get(URL_PORTEFEUILLE).content.decode()
    assert "0 dossier" in contenu
    assert "Votre portefeuille est vide pour le moment" in contenu
    assert "<table" not in contenu


def test_partiel_htmx(client_de, monde, jeu):
    client = client_de(monde.animatrice)
    response = client.get(URL_LISTE, {"statut": "clos"}, **HTMX)
    contenu = response.content.decode()
    assert response.templates[0].name == "dossiers/portefeuilles/_liste_resultats.html"
    assert "<html" not in contenu and "<form" not in contenu
    assert "1 dossier" in contenu and "BERNARD" in contenu and "LEFÈVRE" not in contenu
    assert "HX-Request" in response["Vary"]
    # Page entière sans htmx, et quand htmx reconstruit l'historique.
    assert "<html" in client.get(URL_LISTE).content.decode()
    restauration = client.get(URL_LISTE, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in restauration.content.decode()


def test_formulaire_de_filtres_accessible_et_branche_sur_htmx(client_de, monde):
    contenu = client_de(monde.animatrice).get(URL_LISTE).content.decode()
    formulaire = re.search(r"<form method=\"get\".*?</form>", contenu, re.S).group(0)
    assert f'hx-get="{URL_LISTE}"' in formulaire
    assert 'hx-target="#resultats"' in formulaire and 'hx-push-url="true"' in formulaire
    for champ in ["q", "statut", "axe", "agence", "territoire", "professionnel", "rsa"]:
        assert f'for="id_{champ}"' in formulaire, champ
    for champ in ["origine", "oriente_du", "oriente_au", "inactif_depuis", "sans_binome", "o"]:
        assert f'for="id_{champ}"' in formulaire, champ
    assert "<script" not in contenu.split("</head>")[1]
    assert " style=" not in contenu
    assert 'id="resultats"' in contenu


# --- Nombre de requêtes -------------------------------------------------------------------


def _requetes(client, url):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def _dossiers_en_binome(monde, nombre, depart=0):
    m = monde
    for i in range(depart, depart + nombre):
        en_binome(
            nouveau_dossier(
                m.dep, m.agence_a, demandeur__nom=f"Binome{i:02d}", territoire=m.territoire_1
            ),
            m.cd,
            m.ts,
            m.animatrice,
        )


@pytest.mark.parametrize("qui, url", [("animatrice", URL_LISTE), ("ts", URL_PORTEFEUILLE)])
def test_nombre_de_requetes_constant(client_de, monde, django_assert_max_num_queries, qui, url):
    client = client_de(getattr(monde, qui))
    _dossiers_en_binome(monde, 5)
    petit = _requetes(client, url)
    assert petit <= 12
    _dossiers_en_binome(monde, 35, depart=5)
    with django_assert_max_num_queries(petit):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert _requetes(client, url) == petit


# --- Charges des professionnels -----------------------------------------------------------


def charges(response) -> dict[str, dict]:
    return {
        m.user.nom: {
            "role": m.role,
            "conseiller": m.conseiller,
            "conseiller_dedie": m.conseiller_dedie,
            "travailleur_social": m.travailleur_social,
            "referent_social": m.referent_social,
            "total": m.total,
        }
        for m in response.context["page"].object_list
    }


def test_charges_par_place_ouverte(client_de, monde, jeu):
    m = monde
    # Relais : Benali ne tient plus la place sur Lefèvre ; Colin, si.
    services.affecter(
        dossier=jeu.lefevre,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=m.ts2,
        par=m.animatrice,
    )
    services.affecter(
        dossier=jeu.martin,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=m.correspondant,
        par=m.animatrice,
    )
    MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure=m.territoire_1, user__nom="Parti", actif=False
    )
    response = client_de(m.animatrice).get(URL_CHARGES)
    lignes = charges(response)
    # Ni l'animatrice, ni l'administrateur, ni un autre département, ni un rattachement inactif.
    assert set(lignes) == {"Roussel", "Berthier", "Marchand", "Benali", "Colin", "Girard"}
    assert lignes["Marchand"] == {
        "role": Role.CONSEILLER_DEDIE,
        "conseiller": 0,
        "conseiller_dedie": 2,
        "travailleur_social": 0,
        "referent_social": 0,
        "total": 2,
    }
    assert lignes["Benali"]["total"] == 0
    assert lignes["Colin"]["travailleur_social"] == 1
    assert lignes["Girard"]["referent_social"] == 1
    assert lignes["Roussel"]["conseiller"] == 1
    assert lignes["Berthier"]["total"] == 0
    contenu = response.content.decode()
    assert "6 professionnels" in contenu
    assert "70 à 100" in contenu


def test_une_place_tenue_pour_une_autre_structure_compte_pour_celle_ci(client_de, monde):
    """Un même professionnel rattaché à deux structures : chaque ligne compte ce qu'il
    tient au titre de cette structure."""
    m = monde
    double = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure=m.territoire_2, user=m.ts.user
    )
    en_binome(nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Alpha"), m.cd, m.ts, m.animatrice)
    en_binome(
        nouveau_dossier(m.dep, m.agence_a, demandeur__nom="Bravo"), m.cd, double, m.animatrice
    )
    response = client_de(m.animatrice).get(URL_CHARGES, {"structure": str(m.territoire_2.uuid)})
    lignes = list(response.context["page"].object_list)
    benali = next(x for x in lignes if x.user == m.ts.user)
    assert benali.structure == m.territoire_2
    assert benali.travailleur_social == 1


def _dossiers_en_masse(monde, professionnel, place, nombre, prefixe):
    """Beaucoup de dossiers d'un coup (écritures en masse, préparées comme l'exige le modèle)."""
    demandeurs = Demandeur.objects.bulk_create(
        [
            Demandeur(
                departement=monde.dep,
                civilite="mme",
                nom=f"{prefixe}{i:03d}",
                prenom="Test",
                date_naissance=dt.date(1980, 1, 1) + dt.timedelta(days=i),
            ).preparer()
            for i in range(nombre)
        ]
    )
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                departement=monde.dep,
                demandeur=d,
                origine=Origine.CONSEILLER_FT,
                agence=monde.agence_a,
            )
            for d in demandeurs
        ]
    )
    Affectation.objects.bulk_create(
        [
            Affectation(
                dossier=d,
                role=place,
                professionnel=professionnel.user,
                structure=professionnel.structure,
                affecte_par=monde.animatrice.user,
            )
            for d in dossiers
        ]
    )


def test_repere_au_dela_de_100_dossiers(client_de, monde):
    m = monde
    _dossiers_en_masse(m, m.cd, RoleAffectation.CONSEILLER_DEDIE, 101, "Lourd")
    _dossiers_en_masse(m, m.ts, RoleAffectation.TRAVAILLEUR_SOCIAL, 100, "Plein")
    contenu = client_de(m.animatrice).get(URL_CHARGES).content.decode()
    marchand = re.search(r"<tr[^>]*>\s*<th[^>]*><span[^>]*>MARCHAND.*?</tr>", contenu, re.S)
    benali = re.search(r"<tr[^>]*>\s*<th[^>]*><span[^>]*>BENALI.*?</tr>", contenu, re.S)
    assert "table-warning" in marchand.group(0) and "Au-delà de 100" in marchand.group(0)
    assert "table-warning" not in benali.group(0) and "Au-delà de 100" not in benali.group(0)


def test_charges_triables_et_filtrables(client_de, monde):
    m = monde
    _dossiers_en_masse(m, m.ts, RoleAffectation.TRAVAILLEUR_SOCIAL, 3, "Ts")
    _dossiers_en_masse(m, m.cd, RoleAffectation.CONSEILLER_DEDIE, 5, "Cd")
    _dossiers_en_masse(m, m.ts2, RoleAffectation.REFERENT_SOCIAL, 1, "Rs")
    client = client_de(m.correspondant)
    par_total = client.get(URL_CHARGES, {"o": "-total"})
    assert [x.user.nom for x in par_total.context["page"].object_list][:3] == [
        "Marchand",
        "Benali",
        "Colin",
    ]
    par_nom = client.get(URL_CHARGES, {"o": "nom"})
    assert [x.user.nom for x in par_nom.context["page"].object_list] == sorted(
        ["Roussel", "Berthier", "Marchand", "Benali", "Colin", "Girard"]
    )
    sociaux = client.get(URL_CHARGES, {"role": Role.TRAVAILLEUR_SOCIAL, "o": "total"})
    assert [x.user.nom for x in sociaux.context["page"].object_list] == ["Colin", "Benali"]
    contenu = par_total.content.decode()
    assert 'aria-sort="descending"' in contenu
    # L'en-tête « Total » déjà trié décroissant propose le tri croissant.
    assert '?o=total"' in contenu


def test_charges_partiel_htmx(client_de, monde):
    response = client_de(monde.animatrice).get(URL_CHARGES, {"o": "-total"}, **HTMX)
    assert response.templates[0].name == "dossiers/portefeuilles/_charges_resultats.html"
    assert "<html" not in response.content.decode()


def test_charges_nombre_de_requetes_constant(client_de, monde, django_assert_max_num_queries):
    m = monde
    client = client_de(m.animatrice)
    petit = _requetes(client, URL_CHARGES)
    assert petit <= 10
    for i in range(30):
        structure = StructureFactory(departement=m.dep, territoire=True, nom=f"Territoire {i}")
        pro = _pro(Role.TRAVAILLEUR_SOCIAL, structure, f"Social{i:02d}")
        _dossiers_en_masse(m, pro, RoleAffectation.TRAVAILLEUR_SOCIAL, 2, f"S{i:02d}-")
    with django_assert_max_num_queries(petit):
        response = client.get(URL_CHARGES)
    assert len(response.context["page"].object_list) == 36
