"""Le comité technique dans un vrai navigateur : l'animatrice crée la séance, compose
l'ordre du jour depuis les files, l'envoie, enregistre trois décisions (appliquées aux
dossiers), note les présences, diffuse et télécharge le compte rendu PDF ; captures de la
page de séance et du compte rendu dans var/captures/."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from accompagnement.models import Role
from dossiers.models import Axe, StatutDossier
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.comites.fabrique import files_remplies
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_ressources import se_connecter

pytestmark = pytest.mark.e2e


@pytest.fixture
def equipe_e2e(transactional_db):
    agence = StructureFactory(agence=True, nom="Agence Alençon")
    dep = agence.departement
    territoire = StructureFactory(territoire=True, departement=dep, nom="Territoire d'Alençon")
    direction = StructureFactory(direction=True, departement=dep, nom="Cohésion sociale")

    def membre(role, structure, email, prenom, nom):
        return MembershipFactory(
            role=role, structure=structure, user__email=email, user__prenom=prenom, user__nom=nom
        )

    class Equipe:
        departement = dep
        conseiller = membre(Role.CONSEILLER, agence, "conseiller@e2e.test", "Camille", "Roussel")
        dedie = membre(Role.CONSEILLER_DEDIE, agence, "dedie@e2e.test", "Julien", "Marchand")
        ts = membre(Role.TRAVAILLEUR_SOCIAL, territoire, "ts@e2e.test", "Nadia", "Benali")
        correspondant = membre(
            Role.CORRESPONDANT_INSERTION, territoire, "correspondant@e2e.test", "Sophie", "Girard"
        )
        animatrice = membre(Role.ANIMATRICE, direction, "animatrice@e2e.test", "Claire", "Martin")

    Equipe.agence, Equipe.territoire = agence, territoire
    Equipe.dossiers = files_remplies(Equipe)
    return Equipe


def _decider(page, personne: str, decision: str, motivation: str, **champs):
    page.get_by_role("link", name=f"Enregistrer la décision pour {personne}").click()
    page.locator("#id_decision").select_option(decision)
    page.locator("#id_motivation").fill(motivation)
    for nom, valeur in champs.items():
        champ = page.locator(f"#id_{nom}")
        if valeur is True:
            champ.check()
        else:
            champ.select_option(valeur)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        page.get_by_text(f"Décision enregistrée et appliquée au dossier de {personne}.")
    ).to_be_visible()


def test_l_animatrice_tient_un_comite_et_telecharge_le_compte_rendu(
    page, live_server, equipe_e2e, capture
):
    se_connecter(page, live_server, "animatrice@e2e.test")
    page.get_by_role("link", name="Comités", exact=True).click()
    page.get_by_role("link", name="Nouvelle séance").click()
    page.get_by_label("Date et heure").fill("2026-12-08T14:00")
    page.get_by_label("Lieu").fill("Cohésion sociale, Alençon")
    page.get_by_role("button", name="Créer la séance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comité technique des orientations professionnelles"
    )
    page.get_by_role("button", name="Composer l'ordre du jour depuis les files").click()
    expect(
        page.get_by_text(
            "5 dossiers ajoutés depuis les files ; les files n'en proposent pas d'autre."
        )
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Ordre du jour \(5 dossiers\)"))
    ).to_be_visible()
    capture("comite-ordre-du-jour-compose")
    # Modifier avant la séance : un dossier descend, puis l'ordre du jour part.
    page.get_by_role("button", name=re.compile("^Descendre")).first.click()
    expect(page.get_by_text("Ordre du jour réordonné.")).to_be_visible()
    page.get_by_role("link", name="Ajouter un participant").click()
    page.get_by_label("Professionnel de l'outil").select_option(
        label="Julien Marchand — Conseiller dédié (accompagnement global), Agence Alençon"
    )
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_role("button", name="Envoyer l'ordre du jour aux participants").click()
    expect(page.get_by_text("Ordre du jour envoyé aux participants.")).to_be_visible()

    _decider(
        page,
        "CHANGEMENT Éloïse",
        "accepter_changement",
        "Freins levés : l'agence reprend l'accompagnement",
        accord_personne=True,
    )
    _decider(
        page,
        "SORTIE Éloïse",
        "cloturer",
        "CDI confirmé par l'employeur",
        motif_sortie="emploi_durable",
    )
    _decider(
        page, "SITUATION Éloïse", "Ajourner (rien ne change dans le dossier)", "À revoir en janvier"
    )
    expect(page.get_by_text("Décision : Accepter le changement d'axe")).to_be_visible()
    capture("comite-seance")

    page.get_by_label(re.compile("Claire Martin")).check()
    page.get_by_label(re.compile("Julien Marchand")).check()
    page.get_by_role("button", name="Enregistrer les présences (séance tenue)").click()
    page.get_by_role("button", name="Diffuser le compte rendu").click()
    expect(page.get_by_text("Compte rendu diffusé aux participants.")).to_be_visible()
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le compte rendu (PDF)").click()
    chemin = CAPTURES / "compte-rendu-comite.pdf"
    CAPTURES.mkdir(parents=True, exist_ok=True)
    attente.value.save_as(chemin)
    assert chemin.read_bytes().startswith(b"%PDF")
    texte = subprocess.run(
        ["pdftotext", "-layout", str(chemin), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Compte rendu" in texte and "CDI confirmé par l'employeur" in texte

    changement, sortie = equipe_e2e.dossiers["changement"], equipe_e2e.dossiers["sortie"]
    changement.refresh_from_db()
    sortie.refresh_from_db()
    assert changement.axe_courant == Axe.RESSOURCES_SOCIALES
    assert sortie.statut == StatutDossier.CLOS


def test_le_travailleur_social_signale_un_dossier_a_presenter_en_comite(
    page, live_server, equipe_e2e, capture
):
    dossier = equipe_e2e.dossiers["renouvellement"]
    se_connecter(page, live_server, "ts@e2e.test")
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/")
    page.get_by_role("link", name="À présenter en comité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "À présenter en comité — RENOUVELLE Éloïse"
    )
    page.locator("#id_motif").select_option("situation")
    page.locator("#id_raison").fill("Projet de formation à arbitrer avec l'agence")
    page.locator("#id_reserve_social").check()
    capture("comite-signaler")
    page.get_by_role("button", name="Signaler au comité").click()
    expect(
        page.get_by_text("Dossier signalé : il sera proposé au prochain comité.")
    ).to_be_visible()
    assert dossier.signalements.get().reserve_social
