"""Page « Aujourd'hui » et files de travail : contenu de chaque file sur un jeu de
données, périmètre (autre département : rien), droits de la liste, nombre de requêtes
identique à 5 et à 50 éléments par file."""

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Role
from diagnostics import services as diagnostics
from dossiers.models import (
    Affectation,
    Axe,
    Dossier,
    ModeSollicitation,
    Prescription,
    RoleAffectation,
)
from dossiers.parcours import services as parcours
from dossiers.prescriptions import services as prescriptions
from dossiers.sollicitations import services as sollicitations
from dossiers.suivi import services as suivi
from reporting import aujourdhui, files
from reporting.files import _ligne_reponse
from reporting.indicateurs import delais_des_demandes_d_entree
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.scenarios import avec_binome, nouveau_dossier, prescrit
from tests.dossiers.sollicitations.test_sollicitations import accord_enregistre, ressource

pytestmark = pytest.mark.django_db

AUJOURDHUI = dt.date.today()
ROLES = ["conseiller", "dedie", "ts", "correspondant", "animatrice"]


def il_y_a(jours):
    return AUJOURDHUI - dt.timedelta(days=jours)


def garnir(equipe, debut, fin):
    """Pour chaque i : un élément dans chacune des files de chaque rôle."""
    service = ressource(equipe.departement, nom=f"Crèche {debut}")
    for i in range(debut, fin):
        # A : demande d'axe 2 en attente depuis 30 jours ; action en retard ; rendez-vous
        # du jour ; sollicitations (une sans réponse, une acceptée).
        a = nouveau_dossier(equipe, date=il_y_a(40), nom=f"Attente{i}", prenom="Anne")
        accord_enregistre(a)
        p = prescrit(equipe, a)
        Prescription.objects.filter(pk=p.pk).update(prescrite_le=il_y_a(30))
        a.refresh_from_db()
        objectif = suivi.ajouter_objectif(
            dossier=a, par=equipe.conseiller, domaine="emploi", intitule="Reprendre un emploi"
        )
        suivi.ajouter_action(
            objectif=objectif,
            par=equipe.conseiller,
            intitule=f"Atelier CV {i}",
            cote="emploi",
            responsable=equipe.conseiller.user,
            date_debut=il_y_a(10),
            date_fin_prevue=il_y_a(2),
        )
        suivi.planifier_rendez_vous(
            dossier=a,
            par=equipe.conseiller,
            debut=timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0),
            type="individuel",
            participants=[equipe.conseiller.user],
        )
        for accepter in (False, True):
            s = sollicitations.creer_sollicitation(
                dossier=a,
                service=service,
                domaine="famille",
                besoin="Garde d'enfant le matin",
                mode=ModeSollicitation.CORRESPONDANT,
                correspondant=equipe.correspondant,
                par=equipe.conseiller,
                coordonnees_contact="06 12 34 56 78",
                envoyer=True,
            )
            if accepter:
                sollicitations.accepter(sollicitation=s, par=equipe.correspondant)
        # B : réorientation vers le Département (axe 3) à désigner.
        prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF, nom=f"Reorientee{i}", prenom="Berthe")
        # C : demande refusée (réponse au conseiller) ; dossier inactif depuis 40 jours.
        c = prescrit(equipe, nom=f"Refusee{i}", prenom="Clara")
        prescriptions.refuser(prescription=c, par=equipe.dedie, motif="Pas de place")
        Dossier.objects.filter(pk=c.dossier_id).update(
            derniere_activite=timezone.now() - dt.timedelta(days=40)
        )
        # D : binôme désigné aujourd'hui, diagnostic commencé (volets à faire).
        d = avec_binome(equipe, nouveau_dossier(equipe, nom=f"Diagnostic{i}", prenom="Denise"))
        diagnostics.demarrer(dossier=d, par=equipe.dedie)
        # E : axe 2 depuis 400 jours (renouvellement), demande de changement d'axe.
        e = avec_binome(
            equipe,
            nouveau_dossier(equipe, date=il_y_a(400), nom=f"Ancienne{i}", prenom="Emma"),
            date=il_y_a(400),
        )
        parcours.orienter(
            dossier=e,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            par=equipe.dedie,
            motif="Freins cumulés",
            accord_personne=True,
            date=il_y_a(400),
        )
        parcours.demander_changement_axe(
            dossier=e, axe=Axe.SOCIAL_EXCLUSIF, motif="Santé", par=equipe.dedie
        )
        # F : axe 2 dont le travailleur social est parti (binôme incomplet).
        f = avec_binome(equipe, nouveau_dossier(equipe, nom=f"Incomplet{i}", prenom="Fanny"))
        parcours.orienter(
            dossier=f,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            par=equipe.dedie,
            motif="Freins cumulés",
            accord_personne=True,
        )
        Affectation.objects.filter(dossier=f, role=RoleAffectation.TRAVAILLEUR_SOCIAL).update(
            date_fin=AUJOURDHUI
        )


ATTENDU = {
    # rôle → {file : préfixe du nom des personnes attendues}
    "conseiller": {
        "prescriptions_repondues": "REFUSEE",
        "actions": "ATTENTE",
        "rendez_vous": "ATTENTE",
        "sollicitations_repondues": "ATTENTE",
    },
    "dedie": {
        "prescriptions_a_prendre": "ATTENTE",
        "diagnostics_emploi": "DIAGNOSTIC",
        "renouvellements": "ANCIENNE",
    },
    "ts": {"designations": "DIAGNOSTIC", "diagnostics_social": "DIAGNOSTIC"},
    "correspondant": {
        "prescriptions_a_designer": "ATTENTE",
        "reorientations": "REORIENTEE",
        "sollicitations_a_traiter": "ATTENTE",
        "prescriptions_en_retard": "ATTENTE",
    },
    "animatrice": {
        "sans_binome": "INCOMPLET",
        "changements_axe": "ANCIENNE",
        "actions_en_retard": "ATTENTE",
        "renouvellements": "ANCIENNE",
        "sollicitations_sans_reponse": "ATTENTE",
        "prescriptions_en_retard": "ATTENTE",
    },
}


def test_le_contenu_de_chaque_file(equipe):
    garnir(equipe, 0, 2)
    for qui, attendues in ATTENDU.items():
        m = getattr(equipe, qui)
        remplies = {f.file.cle: f for f in files.aujourdhui(m)}
        assert set(remplies) == set(files.FILES_PAR_ROLE[m.role])
        for cle, prefixe in attendues.items():
            f = remplies[cle]
            assert f.total == 2, (qui, cle, f.total)
            assert all(ligne.titre.startswith(prefixe) for ligne in f.lignes), (qui, cle)
            assert all(ligne.url.startswith("/") for ligne in f.lignes)
    # Sans doublon de sens : à orienter (A, B, C, D), inactifs (C), actions du conseiller.
    animatrice = {f.file.cle: f for f in files.aujourdhui(equipe.animatrice)}
    assert animatrice["a_orienter"].total == 6  # A, B et C (D est en diagnostic)
    assert {ligne.titre.split()[0][:7] for ligne in animatrice["inactifs"].lignes} == {"REFUSEE"}
    conseiller = {f.file.cle: f for f in files.aujourdhui(equipe.conseiller)}
    ligne = conseiller["actions"].lignes[0]
    assert ligne.alerte == "en retard" and "Atelier CV" in ligne.detail
    assert ligne.url.endswith("/plan/")


def test_les_plus_recentes_d_abord_et_liens_pour_agir(equipe):
    anciennes = prescrit(equipe, nom="Premiere")
    Prescription.objects.filter(pk=anciennes.pk).update(prescrite_le=il_y_a(3))
    recente = prescrit(equipe, nom="Seconde")
    (f,) = [f for f in files.aujourdhui(equipe.dedie) if f.file.cle == "prescriptions_a_prendre"]
    assert [ligne.titre for ligne in f.lignes] == ["SECONDE Éloïse", "PREMIERE Éloïse"]
    assert f.lignes[0].url == reverse("dossiers:prescription", args=[recente.uuid])


def test_etats_vides_qui_disent_quoi_faire(client_de, equipe):
    contenu = client_de(equipe.dedie).get(reverse("accueil")).content.decode()
    assert "prenez le dossier pour en devenir le référent" in contenu
    assert "Bonjour" in contenu and f"le {AUJOURDHUI:%d/%m/%Y}" in contenu


def test_un_autre_departement_ne_voit_rien(equipe):
    garnir(equipe, 0, 1)
    agence = StructureFactory(agence=True)
    territoire = StructureFactory(territoire=True, departement=agence.departement)
    for role, structure in [
        (Role.CONSEILLER, agence),
        (Role.CONSEILLER_DEDIE, agence),
        (Role.TRAVAILLEUR_SOCIAL, territoire),
        (Role.CORRESPONDANT_INSERTION, territoire),
        (Role.ANIMATRICE, agence),
    ]:
        m = MembershipFactory(role=role, structure=structure)
        assert all(f.total == 0 for f in files.aujourdhui(m)), role


def test_une_autre_agence_et_un_autre_territoire_ne_voient_pas_les_demandes(equipe):
    prescrit(equipe)
    agence = StructureFactory(agence=True, departement=equipe.departement)
    territoire = StructureFactory(territoire=True, departement=equipe.departement)
    dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
    correspondant = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=territoire)
    assert all(f.total == 0 for f in files.aujourdhui(dedie))
    assert all(f.total == 0 for f in files.aujourdhui(correspondant))


# --- Liste complète -----------------------------------------------------------------------------


def test_liste_filtrable_et_paginee(client_de, equipe):
    for i in range(27):
        prescrit(equipe, nom=f"Personne{i:02d}", prenom="Test")
    client = client_de(equipe.dedie)
    url = reverse("aujourdhui_file")
    page = client.get(url, {"file": "prescriptions_a_prendre"})
    assert page.status_code == 200
    assert len(page.context["lignes"]) == 25 and page.context["page"].paginator.count == 27
    assert (
        len(client.get(url, {"file": "prescriptions_a_prendre", "page": 2}).context["lignes"]) == 2
    )
    filtre = client.get(url, {"file": "prescriptions_a_prendre", "q": "personne07"})
    assert [ligne.titre for ligne in filtre.context["lignes"]] == ["PERSONNE07 Test"]
    # Sans paramètre : la première file du rôle.
    assert client.get(url).context["file"].cle == "prescriptions_a_prendre"


@pytest.mark.parametrize(
    ("qui", "file", "attendu"),
    [
        ("conseiller", "prescriptions_a_prendre", 403),
        ("ts", "a_orienter", 403),
        ("dedie", "inexistante", 404),
        ("administrateur", "a_orienter", 403),
        ("animatrice", "a_orienter", 200),
    ],
)
def test_droits_de_la_liste(client_de, equipe, qui, file, attendu):
    m = (
        MembershipFactory(role=Role.ADMINISTRATEUR, structure=StructureFactory(direction=True))
        if qui == "administrateur"
        else getattr(equipe, qui)
    )
    assert client_de(m).get(reverse("aujourdhui_file"), {"file": file}).status_code == attendu


def test_l_administrateur_garde_l_accueil_des_structures(client_de):
    m = MembershipFactory(role=Role.ADMINISTRATEUR, structure=StructureFactory(direction=True))
    contenu = client_de(m).get(reverse("accueil")).content.decode()
    assert "Structures et effectifs du département" in contenu


# --- Nombre de requêtes constant ------------------------------------------------------------------


def requetes(client, url, **params):
    with CaptureQueriesContext(connection) as contexte:
        assert client.get(url, params).status_code == 200
    return len(contexte)


def test_nombre_de_requetes_identique_a_5_elements_et_au_dela_d_une_page(client_de, equipe):
    # Au-delà d'une page de file (PAR_PAGE) et des 5 lignes de l'accueil : la deuxième
    # mesure compte une page pleine, la pagination et l'accueil tronqué.
    plein = aujourdhui.PAR_PAGE + 5
    garnir(equipe, 0, 5)
    mesures = {}
    for qui in ROLES:
        m = getattr(equipe, qui)
        client = client_de(m)
        mesures[qui] = [requetes(client, reverse("accueil"))] + [
            requetes(client, reverse("aujourdhui_file"), file=cle)
            for cle in files.FILES_PAR_ROLE[m.role]
        ]
        for f in files.aujourdhui(m):
            assert f.total >= 5 or f.file.cle not in ATTENDU[qui], (qui, f.file.cle)
    garnir(equipe, 5, plein)
    for qui in ROLES:
        m = getattr(equipe, qui)
        client = client_de(m)
        apres = [requetes(client, reverse("accueil"))] + [
            requetes(client, reverse("aujourdhui_file"), file=cle)
            for cle in files.FILES_PAR_ROLE[m.role]
        ]
        assert apres == mesures[qui], qui
        totaux = {f.file.cle: f.total for f in files.aujourdhui(m)}
        for cle in ATTENDU[qui]:
            assert totaux[cle] == plein, (qui, cle)


# --- Indicateur des délais ------------------------------------------------------------------------


def test_delais_des_demandes_d_entree(equipe, django_assert_num_queries):
    for nom, (demande, diagnostic, decision) in {
        "Rapide": (10, 6, 2),  # 8 jours de la demande à la décision
        "Lente": (40, 20, 5),  # 35 jours
    }.items():
        p = prescrit(equipe, nom=nom)
        Prescription.objects.filter(pk=p.pk).update(
            statut="terminee",
            prescrite_le=il_y_a(demande),
            diagnostic_le=il_y_a(diagnostic),
            decision_le=il_y_a(decision),
            axe_decide=Axe.ACCOMPAGNEMENT_GLOBAL,
        )
    prescrit(equipe, nom="EnCours")  # pas encore décidée : ignorée
    with django_assert_num_queries(1):
        d = delais_des_demandes_d_entree(equipe.departement, il_y_a(30), AUJOURDHUI)
    assert d["nombre"] == 2
    assert d["delai_moyen_demande_diagnostic"] == 12.0  # (4 + 20) / 2
    assert d["delai_moyen_diagnostic_decision"] == 9.5  # (4 + 15) / 2
    assert d["delai_moyen_total"] == 21.5 and d["delai_median_total"] == 21.5
    assert d["part_dans_le_delai"] == 50.0


def test_chaque_mauvais_role_est_refuse_sur_chaque_file(client_de, equipe):
    """Chaque file d'un autre rôle : 403 ; l'administrateur n'a ni « Aujourd'hui » ni file."""
    toutes = {cle for cles in files.FILES_PAR_ROLE.values() for cle in cles}
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure=StructureFactory(direction=True))
    for qui in [*ROLES, "administrateur"]:
        m = admin if qui == "administrateur" else getattr(equipe, qui)
        client = client_de(m)
        siennes = set(files.FILES_PAR_ROLE.get(m.role, ()))
        for cle in sorted(toutes):
            attendu = 200 if cle in siennes else 403
            statut = client.get(reverse("aujourdhui_file"), {"file": cle}).status_code
            assert statut == attendu, (qui, cle, statut)


def test_reponse_a_une_demande_d_entree_sans_ecriture_inclusive():
    """« Nadia Benali désigné(e) » : le genre d'un professionnel n'est pas connu, la phrase
    est tournée pour ne pas en dépendre."""
    maintenant = timezone.now()
    prescription = SimpleNamespace(
        statut="prise",
        pris_le=maintenant,
        pris_par="Julien Marchand",
        designe_le=maintenant,
        travailleur_social="Nadia Benali",
        repondue_le=maintenant,
        dossier=SimpleNamespace(demandeur="CRETIN Anaïs"),
        uuid=uuid.uuid4(),
        get_axe_display=lambda: "Axe 2 — accompagnement global",
    )
    ligne = _ligne_reponse(None, prescription)
    assert ligne.detail == (
        "Axe 2 — accompagnement global — Prise en charge : prise par Julien Marchand, "
        "travail social confié à Nadia Benali"
    )


# --- Compteurs bornés -----------------------------------------------------------------------------


def test_compteur_borne_au_dela_du_plafond(client_de, equipe, monkeypatch):
    garnir(equipe, 0, 6)
    monkeypatch.setattr(files, "PLAFOND_COMPTEUR", 2)
    remplies = {f.file.cle: f for f in files.aujourdhui(equipe.animatrice)}
    borne = remplies["sans_binome"]
    # Compté jusqu'au plafond + 1 seulement ; les premières lignes restent lues.
    assert borne.total == 3 and borne.depasse and borne.total_lisible == "plus de 2"
    assert len(borne.lignes) == 5
    client = client_de(equipe.animatrice)
    accueil = client.get(reverse("accueil")).content.decode()
    assert "Tout voir (plus de 2)" in accueil
    assert 'plus de 2<span class="visually-hidden"> éléments</span>' in accueil
    liste = client.get(reverse("aujourdhui_file"), {"file": "sans_binome"}).content.decode()
    assert ">plus de 2</span>" in liste  # l'onglet de la file


def test_compteur_exact_sous_le_plafond(equipe):
    garnir(equipe, 0, 2)
    remplies = {f.file.cle: f for f in files.aujourdhui(equipe.animatrice)}
    assert remplies["sans_binome"].total_lisible == "2"
    assert not remplies["sans_binome"].depasse
    assert files.FileRemplie(remplies["sans_binome"].file, 1001, []).total_lisible == (
        "plus de 1\u202f000"
    )
