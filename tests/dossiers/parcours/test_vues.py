import datetime as dt

import pytest
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit, Role
from dossiers.models import Axe, Dossier, MotifSortie, RoleAffectation, StatutDemande, StatutDossier
from dossiers.parcours import services
from tests.accompagnement.factories import MembershipFactory
from tests.dossiers.scenarios import avec_binome, en_axe_2, nouveau_dossier

pytestmark = pytest.mark.django_db


def url(nom, dossier, *args):
    return reverse(f"dossiers:{nom}", args=[dossier.uuid, *args])


PERSONNE = {
    "personne-civilite": "m",
    "personne-nom": "N'Diaye",
    "personne-prenom": "Moussa",
    "personne-date_naissance": "1990-06-15",
    "personne-identifiant_ft": "1112223c",
    "personne-code_postal": "25000",
    "personne-commune": "Besançon",
    "personne-code_commune": "25056",
    "personne-indemnisation": "are",
    "dossier-origine": "conseiller_ft",
}


# --- fiche -----------------------------------------------------------------------------------


def test_fiche_bon_role_et_audit_de_lecture(client_de, equipe):
    dossier = en_axe_2(equipe)
    response = client_de(equipe.ts).get(url("dossier", dossier))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert "LEFÈVRE" in contenu and "Axe 2 — accompagnement global" in contenu
    assert "Historique des affectations" in contenu
    assert EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, objet_id=str(dossier.uuid), acteur=equipe.ts.user
    ).exists()


def test_fiche_non_orientee_ni_axe_ni_bilan_et_ne_selon_la_civilite(client_de, equipe):
    dossier = nouveau_dossier(equipe, civilite="m", nom="Girard", prenom="Karim")
    if not dossier.affectations.filter(role=RoleAffectation.CONSEILLER).exists():
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER,
            professionnel=equipe.conseiller,
            par=equipe.animatrice,
        )
    contenu = client_de(equipe.conseiller).get(url("dossier", dossier)).content.decode()
    assert "Conseiller de l&#x27;agence</strong>" in contenu
    assert "(axe 1)" not in contenu and "Bilan provisoire" not in contenu
    assert "Né le" in contenu and "Née le" not in contenu and "Né(e)" not in contenu
    evenement = dossier.journal.filter(resume__startswith="Dossier ouvert").get()
    assert "origine : conseiller France Travail" in evenement.resume


def test_fiche_autre_departement_404(client_de, equipe):
    dossier = en_axe_2(equipe)
    etranger = MembershipFactory(role=Role.ANIMATRICE)
    assert client_de(etranger).get(url("dossier", dossier)).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATEUR, Role.TRAVAILLEUR_SOCIAL, Role.CONSEILLER_DEDIE]
)
def test_fiche_hors_perimetre_404(client_de, equipe, role):
    dossier = en_axe_2(equipe)
    intrus = MembershipFactory(role=role, structure__departement=equipe.departement)
    assert client_de(intrus).get(url("dossier", dossier)).status_code == 404


def test_fiche_statut_seul_pour_l_agence_en_axe_2(client_de, equipe):
    dossier = en_axe_2(equipe)
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    response = client_de(collegue).get(url("dossier", dossier))
    contenu = response.content.decode()
    assert response.status_code == 200
    assert "En accompagnement" in contenu and "LEFÈVRE" in contenu
    assert "Historique des affectations" not in contenu and "Coordonnées" not in contenu
    assert "Vous voyez le statut de ce dossier" in contenu


def test_fiche_nombre_de_requetes_constant(client_de, equipe, django_assert_max_num_queries):
    dossier = en_axe_2(equipe)
    client = client_de(equipe.animatrice)
    with django_assert_max_num_queries(20) as petit:
        client.get(url("dossier", dossier))
    for i in range(8):
        autre = equipe.ts_bis if i % 2 == 0 else equipe.ts
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=autre,
            par=equipe.animatrice,
        )
        demande = services.demander_changement_axe(
            dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif=f"essai {i}", par=equipe.dedie
        )
        services.decider_changement_axe(
            demande=demande, accepter=False, motif="non", par=equipe.animatrice
        )
    with django_assert_max_num_queries(20) as grand:
        client.get(url("dossier", dossier))
    assert len(grand.captured_queries) == len(petit.captured_queries)


# --- création ----------------------------------------------------------------------------------


def test_creer_une_personne_et_son_dossier(client_de, equipe):
    client = client_de(equipe.conseiller)
    assert client.get(reverse("dossiers:creer")).status_code == 200
    response = client.post(reverse("dossiers:creer"), PERSONNE)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == url("dossier", dossier)
    assert (
        dossier.demandeur.identifiant_ft == "1112223C"
        and dossier.statut == StatutDossier.A_ORIENTER
    )


def test_creer_un_doublon_montre_la_fiche_existante(client_de, equipe):
    client = client_de(equipe.conseiller)
    client.post(reverse("dossiers:creer"), PERSONNE)
    existant = Dossier.objects.get()
    doublon = {
        **PERSONNE,
        "personne-nom": "NDIAYE",
        "personne-identifiant_ft": "",
        "personne-prenom": "MOUSSA",
    }
    doublon["personne-nom"] = "n'diaye"
    response = client.post(reverse("dossiers:creer"), doublon)
    assert response.status_code == 400
    contenu = response.content.decode()
    assert "Personne déjà enregistrée" in contenu and url("dossier", existant) in contenu
    assert Dossier.objects.count() == 1
    # La saisie est conservée.
    assert 'value="MOUSSA"' in contenu


def test_creer_un_doublon_invisible_donne_un_message_sans_lien(client_de, equipe):
    client_de(equipe.conseiller).post(reverse("dossiers:creer"), PERSONNE)
    ts_ailleurs = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL, structure__departement=equipe.departement
    )
    response = client_de(ts_ailleurs).post(
        reverse("dossiers:creer"), {**PERSONNE, "dossier-origine": "travailleur_social"}
    )
    contenu = response.content.decode()
    assert response.status_code == 400 and "contactez l'animatrice" in contenu
    assert "Ouvrir sa fiche" not in contenu


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("personne-identifiant_ft", "12AB", "7 chiffres puis un chiffre ou une lettre"),
        ("personne-date_naissance", "2099-01-01", "doit être dans le passé"),
        ("personne-code_postal", "2500", "5 chiffres"),
        ("personne-code_commune", "39300", "ne correspond pas au département du code postal"),
        ("personne-numero_caf", "1234567", "cochez « allocataire du RSA »"),
    ],
)
def test_creer_erreurs_claires(client_de, equipe, champ, valeur, message):
    response = client_de(equipe.conseiller).post(
        reverse("dossiers:creer"), {**PERSONNE, champ: valeur}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Dossier.objects.exists()


def test_creer_interdit_a_l_administrateur(client_de, equipe):
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    assert client_de(admin).get(reverse("dossiers:creer")).status_code == 403


# --- actions -----------------------------------------------------------------------------------


def test_affecter_par_l_animatrice_avec_charge_affichee(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.animatrice)
    page = client.get(url("affecter", dossier))
    assert page.status_code == 200 and "dossier" in page.content.decode()
    response = client.post(
        url("affecter", dossier),
        {
            "place": RoleAffectation.TRAVAILLEUR_SOCIAL,
            "professionnel": str(equipe.ts.uuid),
            "date": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert dossier.affectations.ouvertes().filter(professionnel=equipe.ts.user).exists()


def test_affecter_mauvais_role_403_et_autre_departement_404(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    assert client_de(equipe.conseiller).get(url("affecter", dossier)).status_code == 403
    assert (
        client_de(MembershipFactory(role=Role.ANIMATRICE)).get(url("affecter", dossier)).status_code
        == 404
    )


def test_correspondant_affecte_seulement_les_places_sociales(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
    )
    response = client_de(equipe.correspondant).post(
        url("affecter", dossier),
        {
            "place": RoleAffectation.CONSEILLER_DEDIE,
            "professionnel": str(equipe.dedie.uuid),
            "date": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not dossier.affectations.filter(role=RoleAffectation.CONSEILLER_DEDIE).exists()


def test_orienter_sans_binome_message_du_service(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    response = client_de(equipe.conseiller).post(
        url("orienter", dossier),
        {
            "axe": "2",
            "motif": "Freins cumulés",
            "accord_personne": "on",
            "date": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert (
        "affectez : Conseiller dédié — référent (axe 2), Travailleur social du binôme"
        in response.content.decode()
    )


def test_orienter_en_axe_2_avec_binome(client_de, equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    response = client_de(equipe.dedie).post(
        url("orienter", dossier),
        {
            "axe": "2",
            "motif": "Freins cumulés",
            "accord_personne": "on",
            "date": dt.date.today().isoformat(),
            "conseiller": str(equipe.dedie.uuid),
            "professionnel_social": str(equipe.ts.uuid),
        },
    )
    assert response.status_code == 302
    periode = dossier.periodes.get()
    assert (
        periode.conseiller == equipe.dedie.user and periode.professionnel_social == equipe.ts.user
    )


def test_changement_d_axe_par_les_vues(client_de, equipe):
    dossier = en_axe_2(equipe)
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
    )
    ts = client_de(equipe.ts)
    assert (
        ts.post(
            url("demander_changement", dossier), {"axe": "3", "motif": "Hospitalisation"}
        ).status_code
        == 302
    )
    demande = dossier.demandes_changement.get()
    # Le demandeur ne tranche pas seul sa demande.
    assert ts.get(url("decider_changement", dossier, demande.uuid)).status_code == 403
    dedie = client_de(equipe.dedie)
    fiche = dedie.get(url("dossier", dossier)).content.decode()
    assert (
        "Demande en attente" in fiche and url("decider_changement", dossier, demande.uuid) in fiche
    )
    response = dedie.post(
        url("decider_changement", dossier, demande.uuid),
        {
            "decision": "accepter",
            "motif": "Comité",
            "accord_personne": "on",
            "date": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.ACCEPTEE


def test_cloturer_exige_une_confirmation_puis_rouvrir(client_de, equipe):
    dossier = en_axe_2(equipe)
    client = client_de(equipe.dedie)
    donnees = {
        "motif_sortie": MotifSortie.FORMATION_QUALIFIANTE,
        "date": dt.date.today().isoformat(),
    }
    refus = client.post(url("cloturer", dossier), donnees)
    assert refus.status_code == 400 and "Cochez la case pour confirmer" in refus.content.decode()
    assert (
        client.post(url("cloturer", dossier), {**donnees, "confirmation": "on"}).status_code == 302
    )
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.CLOS
    # Le conseiller de l'agence (qui a orienté) rouvre un parcours.
    conseiller = client_de(equipe.conseiller)
    response = conseiller.post(
        url("rouvrir", dossier), {"origine": "conseiller_ft", "motif": "Nouvelle difficulté"}
    )
    nouveau = Dossier.objects.exclude(pk=dossier.pk).get()
    assert response.status_code == 302 and response.url == url("dossier", nouveau)
    assert (
        "Autres parcours de la personne" in conseiller.get(url("dossier", nouveau)).content.decode()
    )


def test_modifier_la_fiche(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.conseiller)
    donnees = {
        k.removeprefix("personne-"): v for k, v in PERSONNE.items() if k.startswith("personne-")
    }
    donnees.update(
        nom="Lefèvre", prenom="Éloïse", date_naissance="1988-04-02", telephone="0381818181"
    )
    assert client.post(url("modifier_personne", dossier), donnees).status_code == 302
    dossier.demandeur.refresh_from_db()
    assert dossier.demandeur.telephone == "0381818181"


def test_demarrer_le_diagnostic(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.conseiller)
    assert client.get(url("demarrer_diagnostic", dossier)).status_code == 200
    assert client.post(url("demarrer_diagnostic", dossier)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.DIAGNOSTIC
    # Plus d'action de démarrage une fois lancé : la page est refusée ? non, l'orientation reste possible.
    assert client.post(url("demarrer_diagnostic", dossier)).status_code == 400


ACTIONS = [
    "modifier_personne",
    "demarrer_diagnostic",
    "orienter",
    "affecter",
    "demander_changement",
    "cloturer",
    "rouvrir",
]


@pytest.mark.parametrize("action", ACTIONS)
def test_chaque_action_autre_departement_404(client_de, equipe, action):
    dossier = en_axe_2(equipe)
    etrangere = MembershipFactory(role=Role.ANIMATRICE)
    assert client_de(etrangere).get(url(action, dossier)).status_code == 404
    assert client_de(etrangere).post(url(action, dossier), {}).status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_chaque_action_refusee_a_qui_n_a_que_le_statut(client_de, equipe, action):
    """Un conseiller de l'agence voit le statut d'un dossier d'axe 2 mais n'agit pas dessus."""
    dossier = en_axe_2(equipe)
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    assert client_de(collegue).get(url(action, dossier)).status_code == 403
    assert client_de(collegue).post(url(action, dossier), {}).status_code == 403
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.ACCOMPAGNEMENT


def test_decider_autre_departement_404_et_hors_binome_403(client_de, equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    cible = url("decider_changement", dossier, demande.uuid)
    assert client_de(MembershipFactory(role=Role.ANIMATRICE)).get(cible).status_code == 404
    assert client_de(equipe.correspondant).get(cible).status_code == 403
    assert client_de(equipe.animatrice).get(cible).status_code == 200
