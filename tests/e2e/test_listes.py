"""Les listes de dossiers dans un vrai navigateur : filtres rafraîchis par htmx (sous la
politique de sécurité stricte), adresse mise à jour, captures d'écran."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from accompagnement.models import Role
from dossiers.models import Axe, Origine, RoleAffectation
from dossiers.parcours import services
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.conftest import MOT_DE_PASSE
from tests.dossiers.factories import DemandeurFactory, DossierFactory

PERSONNES = [
    ("Lefèvre", "Julie", True),
    ("Martin", "Paul", False),
    ("Durand", "Zoé", True),
    ("Petit", "Léa", False),
    ("Moreau", "Inès", False),
    ("Girardot", "Hugo", True),
]


@pytest.fixture
def departement(transactional_db):
    dep = DepartementFactory(code_insee="25", nom="Doubs")
    agence = StructureFactory(departement=dep, agence=True, nom="Agence Besançon Planoise")
    territoire = StructureFactory(
        departement=dep, territoire=True, nom="Territoire d'action sociale de Besançon"
    )
    direction = StructureFactory(departement=dep, direction=True, nom="Direction de l'insertion")

    def pro(role, structure, email, prenom, nom):
        return MembershipFactory(
            role=role,
            structure=structure,
            user__email=email,
            user__prenom=prenom,
            user__nom=nom,
        )

    animatrice = pro(Role.ANIMATRICE, direction, "animatrice@e2e.test", "Claire", "Vuillemin")
    cd = pro(Role.CONSEILLER_DEDIE, agence, "cd@e2e.test", "Julien", "Marchand")
    ts = pro(Role.TRAVAILLEUR_SOCIAL, territoire, "ts@e2e.test", "Nadia", "Benali")
    for i, (nom, prenom, rsa) in enumerate(PERSONNES):
        demandeur = DemandeurFactory(departement=dep, nom=nom, prenom=prenom, rsa_allocataire=rsa)
        dossier = DossierFactory(
            demandeur=demandeur,
            agence=agence,
            territoire=territoire,
            date_orientation=dt.date(2025, 1, 6) + dt.timedelta(days=9 * i),
        )
        if i % 3 == 2:
            continue  # reste « à orienter »
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER_DEDIE,
            professionnel=cd,
            par=animatrice,
        )
        if i % 3 == 1:
            continue  # binôme incomplet
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=ts,
            par=animatrice,
        )
        services.demarrer_diagnostic(dossier=dossier, par=animatrice)
        services.orienter(
            dossier=dossier,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            par=animatrice,
            motif="Freins cumulés",
            accord_personne=True,
        )
    services.ouvrir_dossier(
        demandeur=DemandeurFactory(departement=dep, nom="Roux", prenom="Alice"),
        par=ts,
        origine=Origine.TRAVAILLEUR_SOCIAL,
    )
    return dep


def se_connecter(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Courriel professionnel").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_l_animatrice_filtre_la_liste_du_departement(page, live_server, departement, capture):
    se_connecter(page, live_server, "animatrice@e2e.test")
    page.get_by_role("link", name="Dossiers", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Dossiers du département"))).to_be_visible()
    expect(page.get_by_text("7 dossiers")).to_be_visible()
    capture("dossiers-departement")
    # La recherche rafraîchit les résultats sans recharger la page (htmx) et met l'adresse à jour.
    page.get_by_label("Nom, prénom ou identifiant France Travail").fill("lefev")
    expect(page.get_by_text("1 dossier", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=lefev"))
    expect(page.get_by_role("link", name=re.compile("LEFÈVRE"))).to_be_visible()
    page.get_by_label("Nom, prénom ou identifiant France Travail").fill("")
    page.get_by_text("Plus de filtres").click()
    page.get_by_label("Binôme incomplet seulement").check()
    expect(page.get_by_text("5 dossiers")).to_be_visible()
    capture("dossiers-departement-filtres")
    page.get_by_role("link", name="Charges", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("MARCHAND Julien"))).to_be_visible()
    capture("charges")


def test_le_travailleur_social_voit_son_portefeuille(page, live_server, departement, capture):
    se_connecter(page, live_server, "ts@e2e.test")
    page.get_by_role("link", name="Mon portefeuille").click()
    expect(page.get_by_role("heading", name="Mon portefeuille")).to_be_visible()
    expect(page.get_by_text("2 dossiers")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("ROUX"))).to_have_count(0)
    capture("portefeuille-travailleur-social")


def test_compte_borne_et_pagination_au_dela_du_plafond(
    page, live_server, departement, capture, monkeypatch
):
    """À 100 000 demandeurs, la liste dit « Plus de 10 000 dossiers » et s'arrête au
    plafond ; ici, plafond de 5 et pages de 2 pour le voir avec 7 dossiers. Même chose pour
    les compteurs de la page « Aujourd'hui » (plafond de 1)."""
    from accompagnement import pagination_bornee
    from dossiers.portefeuilles import views
    from reporting import files

    monkeypatch.setattr(pagination_bornee, "PLAFOND", 5)
    monkeypatch.setattr(views, "PAR_PAGE", 2)
    monkeypatch.setattr(files, "PLAFOND_COMPTEUR", 1)
    page.set_viewport_size({"width": 1366, "height": 900})
    se_connecter(page, live_server, "animatrice@e2e.test")
    expect(
        page.get_by_role("link", name=re.compile(r"Tout voir \(plus de 1\)")).first
    ).to_be_visible()
    capture("aujourdhui-compteurs-bornes")
    # La liste d'une file est bornée comme son compteur (décision 95).
    page.get_by_role("link", name=re.compile(r"Tout voir \(plus de 1\)")).first.click()
    expect(
        page.get_by_text(re.compile(r"Plus de 1 éléments, .* les 1 premiers sont listés"))
    ).to_be_visible()
    capture("aujourdhui-liste-bornee")
    page.get_by_role("link", name="Dossiers", exact=True).click()
    expect(page.get_by_text("Plus de 5 dossiers")).to_be_visible()
    expect(page.get_by_text("Page 1 sur 3", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Suivant").click()
    expect(page.get_by_text("Page 2 sur 3", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"page=2"))
    page.get_by_role("link", name="Suivant").click()
    expect(page.get_by_text("Page 3 sur 3", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    capture("dossiers-departement-compte-borne")
