"""Vues du diagnostic partagé : accès (autre département, hors périmètre, mauvais rôle, bon
rôle), règle de sensibilité pour chaque rôle, saisies et conflits de saisie simultanée,
validations, décision conjointe, versions et comparaison, entrée depuis la fiche."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit, Role
from diagnostics import services
from diagnostics.models import (
    Capacite,
    DecisionOrientation,
    Diagnostic,
    ModeInformation,
    Presence,
    SituationPro,
    StatutFrein,
)
from dossiers.models import Axe, Origine, RoleAffectation, StatutDossier
from dossiers.parcours import services as dossiers_services
from tests.accompagnement.factories import MembershipFactory
from tests.diagnostics.parcours import EMPLOI
from tests.dossiers.scenarios import avec_binome, identite

pytestmark = pytest.mark.django_db

# Marqueurs : ce qui ne doit jamais atteindre France Travail ni l'animatrice.
DETAIL_SANTE = "Souffrance psychique"
COMMENTAIRE_SANTE = "Suivi-CMP-hebdomadaire"
COMMENTAIRE_LOGEMENT = "Commentaire-social-logement"
# Ce que tout le binôme lit : domaine, impact, statut, situations hors santé.
SITUATION_VISIBLE = "Hébergement précaire"

FREINS = {
    "logement": {
        "presence": Presence.PRESENT,
        "impact": "fort",
        "situations": [SITUATION_VISIBLE],
        "commentaire": COMMENTAIRE_LOGEMENT,
    },
    "mobilite": {
        "presence": Presence.PRESENT,
        "impact": "moyen",
        "situations": ["Pas de véhicule"],
    },
    "sante": {
        "presence": Presence.PRESENT,
        "impact": "moyen",
        "situations": [DETAIL_SANTE],
        "commentaire": COMMENTAIRE_SANTE,
    },
    "finances": {"presence": Presence.ABSENT},
}


def dossier_du_territoire(equipe, **kw):
    """Dossier de l'agence et du territoire de l'équipe (le correspondant y a accès), avec
    son binôme."""
    demandeur = dossiers_services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite(**kw)
    )
    dossier = dossiers_services.ouvrir_dossier(
        demandeur=demandeur,
        par=equipe.conseiller,
        origine=Origine.CONSEILLER_FT,
        territoire=equipe.territoire,
    )
    return avec_binome(equipe, dossier)


def brouillon(equipe, dossier=None, *, freins=None):
    dossier = dossier or dossier_du_territoire(equipe)
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    diag = services.enregistrer_emploi(
        diagnostic=diag, par=equipe.dedie, revision=diag.revision_emploi, **EMPLOI
    )
    diag = services.enregistrer_social(
        diagnostic=diag, par=equipe.ts, revision=0, freins=freins or FREINS
    )
    return services.enregistrer_information(
        diagnostic=diag,
        par=equipe.dedie,
        date=dt.date.today(),
        mode=ModeInformation.ENTRETIEN,
        accord=True,
    )


def partage(equipe, dossier=None, **kw):
    diag = brouillon(equipe, dossier, **kw)
    services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    return services.valider_social(diagnostic=diag, par=equipe.ts)


def decide(equipe, diag, axe=Axe.ACCOMPAGNEMENT_GLOBAL):
    return services.decider(
        diagnostic=diag,
        par=equipe.dedie,
        axe=axe,
        motif="" if axe == diag.axe_recommande else "Choix de la personne",
        accord_personne=True,
    )


def url(nom, objet, **query):
    adresse = reverse(f"diagnostics:{nom}", args=[objet.uuid])
    if query:
        adresse += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return adresse


def texte(response) -> str:
    return response.content.decode()


# --- accès -----------------------------------------------------------------------------------

# (route, état du diagnostic nécessaire, rattachement qui y a droit)
BONS_ROLES = [
    ("diagnostic", "brouillon", "conseiller"),
    ("diagnostic", "partage", "animatrice"),
    ("emploi", "brouillon", "dedie"),
    ("emploi", "brouillon", "conseiller"),
    ("social", "brouillon", "ts"),
    ("social", "brouillon", "correspondant"),
    ("information", "brouillon", "dedie"),
    ("information", "brouillon", "ts"),
    ("valider_emploi", "brouillon", "dedie"),
    ("valider_social", "brouillon", "ts"),
    ("nouvelle_version", "partage", "dedie"),
    ("decision", "partage", "ts"),
    ("decision", "partage", "animatrice"),
    ("comparaison", "partage", "correspondant"),
    ("pdf", "partage", "dedie"),
]
MAUVAIS_ROLES = [
    ("emploi", "brouillon", "ts"),
    ("emploi", "brouillon", "animatrice"),
    ("emploi", "partage", "dedie"),  # volet validé : plus modifiable
    ("social", "brouillon", "dedie"),
    ("social", "brouillon", "animatrice"),
    ("information", "brouillon", "animatrice"),
    ("information", "partage", "dedie"),
    ("valider_emploi", "brouillon", "ts"),
    ("valider_social", "brouillon", "conseiller"),
    ("nouvelle_version", "brouillon", "dedie"),  # pas encore partagé
    ("decision", "brouillon", "dedie"),  # pas encore partagé
    ("pdf", "brouillon", "dedie"),  # pas encore partagé
]
ROUTES = sorted({nom for nom, _, _ in BONS_ROLES + MAUVAIS_ROLES})


def fabriquer(equipe, etat):
    return partage(equipe) if etat == "partage" else brouillon(equipe)


@pytest.mark.parametrize(("nom", "etat", "qui"), BONS_ROLES)
def test_bon_role_200(client_de, equipe, nom, etat, qui):
    diag = fabriquer(equipe, etat)
    response = client_de(getattr(equipe, qui)).get(url(nom, diag))
    assert response.status_code == 200, texte(response)[:500]


@pytest.mark.parametrize(("nom", "etat", "qui"), MAUVAIS_ROLES)
def test_mauvais_role_403(client_de, equipe, nom, etat, qui):
    diag = fabriquer(equipe, etat)
    client = client_de(getattr(equipe, qui))
    assert client.get(url(nom, diag)).status_code == 403
    assert client.post(url(nom, diag), {}).status_code == 403


@pytest.mark.parametrize("nom", ROUTES)
def test_autre_departement_404(client_de, equipe, nom):
    diag = partage(equipe)
    etrangere = MembershipFactory(role=Role.ANIMATRICE)
    assert client_de(etrangere).get(url(nom, diag)).status_code == 404


@pytest.mark.parametrize("nom", ROUTES)
@pytest.mark.parametrize("role", [Role.TRAVAILLEUR_SOCIAL, Role.ADMINISTRATEUR])
def test_hors_perimetre_404(client_de, equipe, nom, role):
    diag = partage(equipe)
    intrus = MembershipFactory(role=role, structure__departement=equipe.departement)
    assert client_de(intrus).get(url(nom, diag)).status_code == 404


def test_agence_en_statut_seul_apres_l_axe_2_403(client_de, equipe):
    diag = partage(equipe)
    decide(equipe, diag)
    # Un conseiller de l'agence qui ne tient pas de place ne voit plus que le statut.
    client = client_de(MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence))
    assert client.get(url("diagnostic", diag)).status_code == 403
    assert client.get(url("pdf", diag)).status_code == 403
    assert client.get(reverse("diagnostics:ouvrir", args=[diag.dossier.uuid])).status_code == 403


def test_ouvrir_depuis_la_fiche_acces(client_de, equipe):
    dossier = dossier_du_territoire(equipe)
    adresse = reverse("diagnostics:ouvrir", args=[dossier.uuid])
    assert client_de(MembershipFactory(role=Role.ANIMATRICE)).get(adresse).status_code == 404
    assert client_de(equipe.ts_bis).get(adresse).status_code == 404
    assert client_de(equipe.dedie).get(adresse).status_code == 200


# --- règle de sensibilité : chaque rôle --------------------------------------------------------


@pytest.mark.parametrize(
    ("qui", "voit_detail"),
    [
        ("conseiller", False),
        ("dedie", False),
        ("animatrice", False),
        ("ts", True),
        ("correspondant", True),
    ],
)
def test_page_regle_de_sensibilite_pour_chaque_role(client_de, equipe, qui, voit_detail):
    diag = brouillon(equipe)
    response = client_de(getattr(equipe, qui)).get(url("diagnostic", diag))
    contenu = texte(response)
    assert response.status_code == 200
    # Domaine, impact, statut et situations hors santé : pour tous.
    assert "Santé" in contenu and "Logement" in contenu and SITUATION_VISIBLE in contenu
    assert "Pas de véhicule" in contenu and "Fort" in contenu and "Identifié" in contenu
    for secret in (DETAIL_SANTE, COMMENTAIRE_SANTE, COMMENTAIRE_LOGEMENT):
        assert (secret in contenu) is voit_detail, secret
    assert ("Réservé au côté social" in contenu) is not voit_detail


@pytest.mark.parametrize("qui", ["conseiller", "dedie", "animatrice"])
def test_le_detail_n_est_meme_pas_transmis_au_gabarit(client_de, equipe, qui):
    """Pas un masquage : les données sensibles n'entrent pas dans le contexte."""
    diag = brouillon(equipe)
    freins = client_de(getattr(equipe, qui)).get(url("diagnostic", diag)).context["freins"]
    assert all(f.commentaire is None for f in freins)
    assert {f.domaine for f in freins if f.situations is None} == {"sante"}
    assert (
        not client_de(getattr(equipe, qui))
        .get(url("diagnostic", diag))
        .context["voit_detail_social"]
    )


def test_formulaire_emploi_ne_montre_pas_le_detail_social(client_de, equipe):
    diag = brouillon(equipe)
    contenu = texte(client_de(equipe.dedie).get(url("emploi", diag)))
    for secret in (DETAIL_SANTE, COMMENTAIRE_SANTE, COMMENTAIRE_LOGEMENT):
        assert secret not in contenu


def test_page_trace_la_lecture(client_de, equipe):
    diag = brouillon(equipe)
    client_de(equipe.ts).get(url("diagnostic", diag))
    assert EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, objet_id=str(diag.uuid), acteur=equipe.ts.user
    ).exists()


# --- page : contenu et nombre de requêtes -----------------------------------------------------


def test_page_statuts_des_volets_recommandation_et_versions(client_de, equipe):
    diag = partage(equipe)
    contenu = texte(client_de(equipe.dedie).get(url("diagnostic", diag)))
    aujourd_hui = dt.date.today().strftime("%d/%m/%Y")
    assert f"Validé par {equipe.dedie.user} le {aujourd_hui}" in contenu
    assert f"Validé par {equipe.ts.user} le {aujourd_hui}" in contenu
    assert f"Informée le {aujourd_hui} (en entretien)" in contenu
    assert "La personne donne son accord." in contenu
    assert "Axe 2 — accompagnement global" in contenu and "Pourquoi" in contenu
    assert "K1302" in contenu and "Aide à domicile" in contenu
    assert "Décision conjointe</a>" in contenu and "Télécharger le PDF" in contenu
    assert "v1 (affichée)" in contenu and "provisoire" not in contenu


def test_brouillon_recommandation_provisoire_et_boutons(client_de, equipe):
    diag = brouillon(equipe)
    contenu = texte(client_de(equipe.dedie).get(url("diagnostic", diag)))
    assert "Brouillon" in contenu and "provisoire" in contenu
    assert "Valider le volet emploi" in contenu and "Valider le volet social" not in contenu
    assert "Télécharger le PDF" not in contenu and "Décision conjointe</a>" not in contenu
    contenu_ts = texte(client_de(equipe.ts).get(url("diagnostic", diag)))
    assert "Valider le volet social" in contenu_ts and "Remplir le volet emploi" not in contenu_ts


def test_page_nombre_de_requetes_constant(client_de, equipe, django_assert_max_num_queries):
    diag = partage(equipe)
    client = client_de(equipe.ts)
    with django_assert_max_num_queries(12) as petit:
        assert client.get(url("diagnostic", diag)).status_code == 200
    dossier = diag.dossier
    decide(equipe, diag)
    for _ in range(4):  # plus de versions, de décisions, d'affectations
        diag = partage(equipe, dossier)
        decide(equipe, diag)
        dossiers_services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts_bis,
            par=equipe.animatrice,
        )
        dossiers_services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts,
            par=equipe.animatrice,
        )
    with django_assert_max_num_queries(12) as grand:
        assert client.get(url("diagnostic", diag)).status_code == 200
    assert len(grand.captured_queries) == len(petit.captured_queries)


# --- volet emploi -------------------------------------------------------------------------------


def champs_emploi(revision, **surcharges):
    donnees = {
        "revision": revision,
        "situation_pro": SituationPro.ACTIVITE_REDUITE,
        "anciennete_inscription": "12_24",
        "dernier_emploi": "Agent d'entretien",
        "fin_dernier_emploi": "2024-03-31",
        "niveau_qualification": "3",
        "formation": "CAP agent polyvalent",
        "type_contrat": "cdi",
        "temps_travail": "partiel",
        "rayon_mobilite_km": "15",
        "permis_b": "on",
        "capacite_recherche": Capacite.OUI,
        "commentaire_emploi": "Motivé, disponible le matin.",
        "besoin_projet": "point_fort",
        "besoin_techniques": "besoin",
        "metiers-TOTAL_FORMS": "3",
        "metiers-INITIAL_FORMS": "0",
        "metiers-MIN_NUM_FORMS": "0",
        "metiers-MAX_NUM_FORMS": "10",
        "metiers-0-code_rome": "k2204",
        "metiers-0-libelle": "Nettoyage de locaux",
        "metiers-1-code_rome": "",
        "metiers-1-libelle": "Agent de propreté urbaine",
        "metiers-2-code_rome": "",
        "metiers-2-libelle": "",
    }
    return {**donnees, **surcharges}


def test_volet_emploi_enregistre_tous_les_champs(client_de, equipe):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    client = client_de(equipe.dedie)
    formulaire = texte(client.get(url("emploi", diag)))
    assert 'name="revision" value="0"' in formulaire
    assert "Techniques de recherche d&#x27;emploi" in formulaire and "Code ROME" in formulaire
    response = client.post(url("emploi", diag), champs_emploi(0))
    assert response.status_code == 302 and response.url == url("diagnostic", diag)
    diag.refresh_from_db()
    assert diag.revision_emploi == 1 and diag.situation_pro == SituationPro.ACTIVITE_REDUITE
    assert diag.metiers == [
        {"code_rome": "K2204", "libelle": "Nettoyage de locaux"},
        {"code_rome": "", "libelle": "Agent de propreté urbaine"},
    ]
    assert diag.besoins == {"projet": "point_fort", "techniques": "besoin"}
    assert diag.permis_b and not diag.vehicule and diag.rayon_mobilite_km == 15
    assert diag.fin_dernier_emploi == dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    ("surcharge", "message"),
    [
        ({"metiers-0-code_rome": "12345"}, "Code ROME invalide"),
        ({"metiers-0-libelle": ""}, "Indiquez le libellé du métier."),
        ({"fin_dernier_emploi": "2999-01-01"}, "ne peut pas être dans le futur"),
        ({"besoin_projet": "excellent"}, "Sélectionnez un choix valide"),
    ],
)
def test_volet_emploi_saisie_invalide(client_de, equipe, surcharge, message):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    response = client_de(equipe.dedie).post(url("emploi", diag), champs_emploi(0, **surcharge))
    assert response.status_code == 400
    assert message in texte(response)
    diag.refresh_from_db()
    assert diag.revision_emploi == 0


def test_conflit_volet_emploi_via_les_vues(equipe):
    """Deux professionnels lisent le volet ; le premier enregistre ; le second reçoit le
    message, sa saisie reste affichée, rien n'est écrasé."""
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    premier, second = Client(), Client()
    for client, membership in ((premier, equipe.dedie), (second, equipe.conseiller)):
        client.force_login(membership.user)
        session = client.session
        session["membership_uuid"] = str(membership.uuid)
        session.save()
    lus = [texte(c.get(url("emploi", diag))) for c in (premier, second)]
    revisions = [re.search(r'name="revision" value="(\d+)"', t).group(1) for t in lus]
    assert revisions == ["0", "0"]
    ok = premier.post(url("emploi", diag), champs_emploi(revisions[0]))
    assert ok.status_code == 302
    conflit = second.post(
        url("emploi", diag),
        champs_emploi(
            revisions[1],
            dernier_emploi="Saisie du second",
            **{"metiers-0-libelle": "Métier du second"},
        ),
    )
    contenu = texte(conflit)
    assert conflit.status_code == 409
    assert (
        "enregistré par quelqu&#x27;un d&#x27;autre" in contenu and "rien n&#x27;a été" in contenu
    )
    assert 'value="Saisie du second"' in contenu and 'value="Métier du second"' in contenu
    assert f'href="{url("emploi", diag)}">rechargez le formulaire' in contenu
    diag.refresh_from_db()
    assert diag.dernier_emploi == "Agent d'entretien" and diag.revision_emploi == 1
    assert diag.metiers[0]["libelle"] == "Nettoyage de locaux"


# --- volet social ------------------------------------------------------------------------------


def champs_social(revision, **surcharges):
    donnees = {"revision": revision}
    for domaine in (
        "mobilite",
        "famille",
        "sante",
        "savoirs_de_base",
        "logement",
        "finances",
        "administratif_juridique",
        "numerique",
        "isolement",
    ):
        donnees[f"{domaine}-presence"] = Presence.NON_ABORDE
    donnees.update(
        {
            "logement-presence": Presence.PRESENT,
            "logement-impact": "fort",
            "logement-situations": ["Hébergement précaire", "Impayés de loyer"],
            "logement-commentaire": "Hébergée chez sa sœur.",
            "logement-statut": StatutFrein.EN_COURS,
            "logement-statut_le": "2025-01-15",
            "sante-presence": Presence.PRESENT,
            "sante-impact": "moyen",
            "sante-situations": ["Accès aux soins"],
            "sante-autre_situation": "Rendez-vous à planifier",
            "finances-presence": Presence.ABSENT,
        }
    )
    return {**donnees, **surcharges}


def test_volet_social_enregistre_les_domaines(client_de, equipe):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    client = client_de(equipe.ts)
    formulaire = texte(client.get(url("social", diag)))
    assert "aucun détail médical hors du domaine « Santé »" in formulaire
    assert formulaire.count('type="radio"') == 9 * (3 + 3)  # présence et impact
    assert "Procédure d&#x27;expulsion" in formulaire and "Souffrance psychique" in formulaire
    response = client.post(url("social", diag), champs_social(0))
    assert response.status_code == 302
    freins = {f.domaine: f for f in diag.freins.all()}
    assert freins["logement"].impact == "fort" and freins["logement"].statut == "en_cours"
    assert freins["logement"].statut_le == dt.date(2025, 1, 15)
    assert freins["logement"].situations == ["Hébergement précaire", "Impayés de loyer"]
    assert freins["sante"].situations == ["Accès aux soins", "Autre : Rendez-vous à planifier"]
    assert freins["sante"].statut == StatutFrein.IDENTIFIE  # par défaut
    assert freins["finances"].presence == Presence.ABSENT and freins["finances"].impact == ""
    # La saisie revient telle quelle dans le formulaire (case « autre » comprise).
    relu = texte(client.get(url("social", diag)))
    assert 'value="Rendez-vous à planifier"' in relu


def test_volet_social_frein_present_sans_impact(client_de, equipe):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    response = client_de(equipe.ts).post(
        url("social", diag), champs_social(0, **{"logement-impact": ""})
    )
    assert response.status_code == 400
    assert "Précisez l&#x27;impact du frein" in texte(response)
    assert diag.freins.get(domaine="logement").presence == Presence.NON_ABORDE


def test_conflit_volet_social_via_les_vues(equipe):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    premier, second = Client(), Client()
    for client, membership in ((premier, equipe.ts), (second, equipe.correspondant)):
        client.force_login(membership.user)
        session = client.session
        session["membership_uuid"] = str(membership.uuid)
        session.save()
    for client in (premier, second):
        assert 'name="revision" value="0"' in texte(client.get(url("social", diag)))
    assert premier.post(url("social", diag), champs_social(0)).status_code == 302
    conflit = second.post(
        url("social", diag),
        champs_social(0, **{"logement-commentaire": "Version du correspondant"}),
    )
    assert conflit.status_code == 409
    assert "Saisie simultanée" in texte(conflit)
    assert "Version du correspondant" in texte(conflit)
    assert diag.freins.get(domaine="logement").commentaire == "Hébergée chez sa sœur."


# --- information, validations ----------------------------------------------------------------


def test_information_puis_validation_des_deux_volets(client_de, equipe):
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    services.enregistrer_emploi(diagnostic=diag, par=equipe.dedie, revision=0, **EMPLOI)
    services.enregistrer_social(diagnostic=diag, par=equipe.ts, revision=0, freins=FREINS)
    dedie = client_de(equipe.dedie)
    refus = dedie.post(url("valider_emploi", diag), {})
    assert refus.status_code == 400 and "Enregistrez d&#x27;abord la date" in texte(refus)
    aujourd_hui = dt.date.today().isoformat()
    reponse = dedie.post(
        url("information", diag), {"date": aujourd_hui, "mode": "telephone", "accord": "on"}
    )
    assert reponse.status_code == 302
    assert dedie.post(url("valider_emploi", diag), {}).status_code == 302
    ts = client_de(equipe.ts)
    response = ts.post(url("valider_social", diag), {}, follow=True)
    assert "Diagnostic partagé. Recommandation : Axe 2 — accompagnement global." in texte(response)
    diag.refresh_from_db()
    assert diag.est_partage and diag.information_mode == ModeInformation.TELEPHONE
    assert diag.emploi_valide_par == equipe.dedie.user and diag.social_valide_par == equipe.ts.user


def test_information_date_future_refusee(client_de, equipe):
    diag = brouillon(equipe)
    response = client_de(equipe.ts).post(
        url("information", diag), {"date": "2999-01-01", "mode": "entretien"}
    )
    assert response.status_code == 400 and "dans le futur" in texte(response)


# --- décision conjointe ------------------------------------------------------------------------


def champs_decision(equipe, **surcharges):
    donnees = {
        "axe": Axe.ACCOMPAGNEMENT_GLOBAL,
        "motif": "",
        "date": dt.date.today().isoformat(),
        "accord_personne": "on",
        "conseiller": str(equipe.dedie.uuid),
        "professionnel_social": str(equipe.ts.uuid),
        "conseiller_dedie": str(equipe.dedie.uuid),
        "travailleur_social": str(equipe.ts.uuid),
    }
    return {k: v for k, v in {**donnees, **surcharges}.items() if v is not None}


def test_decision_pre_remplie_avec_recommandation_et_affectations(client_de, equipe):
    diag = partage(equipe)
    contenu = texte(client_de(equipe.ts).get(url("decision", diag)))
    assert re.search(r'value="2"[^>]*checked', contenu)
    assert re.search(rf'<option value="{equipe.dedie.uuid}" selected>', contenu)
    assert re.search(rf'<option value="{equipe.ts.uuid}" selected>', contenu)
    assert "Recommandation : Axe 2 — accompagnement global" in contenu


def test_decision_axe_2_oriente_le_dossier(client_de, equipe):
    diag = partage(equipe)
    response = client_de(equipe.ts).post(url("decision", diag), champs_decision(equipe))
    assert response.status_code == 302
    decision = DecisionOrientation.objects.get(diagnostic=diag)
    assert (
        decision.axe == Axe.ACCOMPAGNEMENT_GLOBAL
        and decision.professionnel_social == equipe.ts.user
    )
    diag.dossier.refresh_from_db()
    assert diag.dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL
    assert diag.dossier.statut == StatutDossier.ACCOMPAGNEMENT
    # Une seule décision par diagnostic.
    assert client_de(equipe.ts).get(url("decision", diag)).status_code == 403


def test_decision_ecart_sans_motif_message_clair(client_de, equipe):
    diag = partage(equipe)
    response = client_de(equipe.dedie).post(
        url("decision", diag), champs_decision(equipe, axe=Axe.RESSOURCES_SOCIALES)
    )
    assert response.status_code == 400
    assert "diffère de la recommandation (Axe 2 — accompagnement global)" in texte(response)
    assert not DecisionOrientation.objects.exists()


def test_decision_axe_2_sans_binome_choisi_refusee(client_de, equipe):
    diag = partage(equipe)
    response = client_de(equipe.dedie).post(
        url("decision", diag), champs_decision(equipe, travailleur_social="")
    )
    assert response.status_code == 400
    assert "choisissez : Travailleur social du binôme (axe 2)" in texte(response)


def test_decision_axe_3_avec_referent_social(client_de, equipe):
    diag = partage(equipe)
    response = client_de(equipe.animatrice).post(
        url("decision", diag),
        champs_decision(
            equipe,
            axe=Axe.SOCIAL_EXCLUSIF,
            motif="Hébergement à trouver d'abord",
            referent_social=str(equipe.ts_bis.uuid),
        ),
    )
    assert response.status_code == 302
    dossier = diag.dossier
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.SOCIAL_EXCLUSIF
    assert dossier.affectations.ouvertes().get(
        role=RoleAffectation.REFERENT_SOCIAL
    ).professionnel == (equipe.ts_bis.user)


def test_decision_axe_2_sans_accord_refusee(client_de, equipe):
    diag = partage(equipe)
    response = client_de(equipe.dedie).post(
        url("decision", diag), champs_decision(equipe, accord_personne=None)
    )
    assert response.status_code == 400 and "ne peut pas être imposée" in texte(response)


# --- versions et comparaison -------------------------------------------------------------------


def test_nouvelle_version_puis_comparaison(client_de, equipe):
    v1 = partage(equipe)
    decide(equipe, v1)
    client = client_de(equipe.dedie)
    response = client.post(url("nouvelle_version", v1), {})
    v2 = Diagnostic.objects.get(dossier=v1.dossier, numero=2)
    assert response.status_code == 302 and response.url == url("diagnostic", v2)
    services.enregistrer_emploi(
        diagnostic=v2, par=equipe.dedie, revision=v2.revision_emploi, capacite_recherche="oui"
    )
    services.enregistrer_social(
        diagnostic=v2,
        par=equipe.ts,
        revision=v2.revision_social,
        freins={
            "logement": {"presence": Presence.ABSENT},  # levé
            "mobilite": {"presence": Presence.PRESENT, "impact": "fort"},  # aggravé
            "sante": {"presence": Presence.PRESENT, "impact": "sans_impact"},  # atténué
            "numerique": {"presence": Presence.PRESENT, "impact": "moyen"},  # nouveau
        },
    )
    contenu = texte(client.get(url("comparaison", v2)))
    synthese = contenu.split("Domaine par domaine")[0]
    attendus = {
        "Freins levés": "Logement",
        "Nouveaux freins": "Numérique",
        "Freins aggravés": "Mobilité",
        "Freins atténués": "Santé",
    }
    for titre, domaine in attendus.items():
        bloc = synthese.split(titre)[1].split("</div></div></div>")[0]
        assert domaine in bloc, titre
    assert "Partiellement → <strong>Oui</strong>" in contenu
    assert "la v2 est encore un brouillon" in contenu
    # Depuis la v1, la comparaison se fait avec l'autre version disponible.
    assert "De la <a" in texte(client.get(url("comparaison", v1)))
    assert "Comparer avec la version précédente" in texte(client.get(url("diagnostic", v2)))


def test_comparaison_avec_une_seule_version(client_de, equipe):
    diag = brouillon(equipe)
    contenu = texte(client_de(equipe.ts).get(url("comparaison", diag)))
    assert "rien à comparer" in contenu


def test_comparaison_ignore_une_version_d_un_autre_dossier(client_de, equipe):
    v1 = partage(equipe)
    ailleurs = partage(equipe, dossier_du_territoire(equipe, nom="Autre", prenom="Personne"))
    contenu = texte(client_de(equipe.ts).get(url("comparaison", v1, avec=ailleurs.uuid)))
    assert "rien à comparer" in contenu


# --- entrée depuis la fiche du dossier ---------------------------------------------------------


def test_fiche_bouton_diagnostic_partage_demarre_puis_ouvre(client_de, equipe):
    dossier = dossier_du_territoire(equipe)
    client = client_de(equipe.dedie)
    fiche = texte(client.get(reverse("dossiers:dossier", args=[dossier.uuid])))
    adresse = reverse("diagnostics:ouvrir", args=[dossier.uuid])
    assert "Aucun diagnostic partagé pour ce parcours." in fiche and adresse in fiche
    response = client.post(adresse)
    diag = Diagnostic.objects.get(dossier=dossier)
    assert response.status_code == 302 and response.url == url("diagnostic", diag)
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.DIAGNOSTIC
    # Ensuite le bouton ouvre la version en cours, sans en créer d'autre.
    assert client.post(adresse).url == url("diagnostic", diag)
    assert client.get(adresse).url == url("diagnostic", diag)
    fiche = texte(client.get(reverse("dossiers:dossier", args=[dossier.uuid])))
    assert "Version 1 — en cours" in fiche and url("diagnostic", diag) in fiche
    assert Diagnostic.objects.filter(dossier=dossier).count() == 1


def test_fiche_sans_droit_de_demarrer(client_de, equipe):
    dossier = dossier_du_territoire(equipe)
    dossiers_services.cloturer(dossier=dossier, motif_sortie="autre", par=equipe.animatrice)
    client = client_de(equipe.animatrice)
    fiche = texte(client.get(reverse("dossiers:dossier", args=[dossier.uuid])))
    assert "Aucun diagnostic partagé" in fiche
    assert reverse("diagnostics:ouvrir", args=[dossier.uuid]) not in fiche
    assert client.post(reverse("diagnostics:ouvrir", args=[dossier.uuid])).status_code == 403


@pytest.mark.parametrize("rayon", ["501", "32768", "99999999999"])
def test_rayon_de_mobilite_demesure_refuse_sans_erreur_500(client_de, equipe, rayon):
    """Revue de sécurité : ≥ 32 768 km dépassait la colonne et répondait 500."""
    diag = services.demarrer(dossier=dossier_du_territoire(equipe), par=equipe.dedie)
    response = client_de(equipe.dedie).post(
        url("emploi", diag), champs_emploi(0, rayon_mobilite_km=rayon)
    )
    assert response.status_code == 400
    assert "Indiquez un rayon de 500 km au plus." in texte(response)
    diag.refresh_from_db()
    assert diag.revision_emploi == 0 and diag.rayon_mobilite_km is None


def _selectionne(contenu: str, champ: str) -> str | None:
    """La valeur choisie du select `champ` de la page."""
    select = re.search(rf'<select name="{champ}".*?</select>', contenu, re.S).group(0)
    choisi = re.search(r'<option value="([^"]+)" selected>', select)
    return choisi.group(1) if choisi else None


def test_decision_presents_pre_remplis_depuis_qui_remplit_et_le_binome(client_de, equipe):
    """Régression (ticket #10, point 3) : « conseiller présent » était le conseiller d'axe 1
    au lieu de celui qui remplit ; à défaut, c'est le binôme qui est pré-rempli."""
    diag = partage(equipe)  # le conseiller tient encore sa place d'axe 1
    par_le_dedie = texte(client_de(equipe.dedie).get(url("decision", diag)))
    assert _selectionne(par_le_dedie, "conseiller") == str(equipe.dedie.uuid)
    assert _selectionne(par_le_dedie, "professionnel_social") == str(equipe.ts.uuid)
    par_le_conseiller = texte(client_de(equipe.conseiller).get(url("decision", diag)))
    assert _selectionne(par_le_conseiller, "conseiller") == str(equipe.conseiller.uuid)
    for qui in ("ts", "animatrice"):
        contenu = texte(client_de(getattr(equipe, qui)).get(url("decision", diag)))
        assert _selectionne(contenu, "conseiller") == str(equipe.dedie.uuid)
        assert _selectionne(contenu, "professionnel_social") == str(equipe.ts.uuid)
    correspondant = texte(client_de(equipe.correspondant).get(url("decision", diag)))
    assert _selectionne(correspondant, "professionnel_social") == str(equipe.correspondant.uuid)


def test_decision_liste_d_abord_l_agence_et_le_territoire(client_de, equipe):
    """Régression (ticket #10, point 3) : les listes montraient tous les professionnels du
    département à plat ; ceux de l'agence et du territoire du dossier viennent d'abord."""
    from tests.accompagnement.factories import StructureFactory, UserFactory

    ailleurs = StructureFactory(agence=True, departement=equipe.departement, nom="Agence Nord")
    loin = MembershipFactory(
        role=Role.CONSEILLER_DEDIE,
        structure=ailleurs,
        user=UserFactory(nom="Aaron", prenom="Abel"),  # premier par ordre alphabétique
    )
    diag = partage(equipe)
    contenu = texte(client_de(equipe.dedie).get(url("decision", diag)))
    select = re.search(r'<select name="conseiller_dedie".*?</select>', contenu, re.S).group(0)
    assert '<optgroup label="Agence Centre">' in select
    assert '<optgroup label="Autres structures du département">' in select
    assert select.index(str(equipe.dedie.uuid)) < select.index(str(loin.uuid))
    assert select.index("Agence Centre") < select.index("Autres structures du département")
    social = re.search(r'<select name="travailleur_social".*?</select>', contenu, re.S).group(0)
    assert '<optgroup label="Territoire Centre">' in social
