"""Le sélecteur de professionnel à recherche dans un vrai navigateur, au clavier seul :
filtre « Professionnel affecté » de la liste du département, homonymes distingués par
leur structure, liste rafraîchie par htmx (sous la politique de sécurité stricte)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accompagnement.models import Role
from dossiers.models import RoleAffectation
from dossiers.parcours import services
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.dossiers.factories import DemandeurFactory, DossierFactory
from tests.e2e.test_clavier import tabuler_jusqu_a
from tests.e2e.test_listes import se_connecter


@pytest.fixture
def departement(transactional_db):
    dep = DepartementFactory(code_insee="25", nom="Doubs")
    planoise = StructureFactory(departement=dep, agence=True, nom="Agence Besançon Planoise")
    morteau = StructureFactory(departement=dep, agence=True, nom="Agence Morteau")
    direction = StructureFactory(departement=dep, direction=True, nom="Direction de l'insertion")

    def pro(role, structure, email, prenom, nom):
        return MembershipFactory(
            role=role, structure=structure, user__email=email, user__prenom=prenom, user__nom=nom
        )

    animatrice = pro(Role.ANIMATRICE, direction, "animatrice@e2e.test", "Claire", "Vuillemin")
    # Deux homonymes, deux agences.
    cd_planoise = pro(Role.CONSEILLER_DEDIE, planoise, "jm1@e2e.test", "Julien", "Marchand")
    cd_morteau = pro(Role.CONSEILLER_DEDIE, morteau, "jm2@e2e.test", "Julien", "Marchand")
    for i in range(12):
        pro(Role.CONSEILLER, planoise, f"c{i}@e2e.test", f"Prénom{i}", f"Collègue{i:02d}")
    for nom, cd in [("Lefèvre", cd_planoise), ("Durand", cd_planoise)]:
        dossier = DossierFactory(demandeur=DemandeurFactory(departement=dep, nom=nom, prenom="A"))
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER_DEDIE,
            professionnel=cd,
            par=animatrice,
        )
    dossier = DossierFactory(demandeur=DemandeurFactory(departement=dep, nom="Petit", prenom="L"))
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.CONSEILLER_DEDIE,
        professionnel=cd_morteau,
        par=animatrice,
    )
    return dep


def test_filtrer_par_professionnel_au_clavier_seul(page, live_server, departement, capture):
    se_connecter(page, live_server, "animatrice@e2e.test")
    page.goto(f"{live_server.url}{reverse('dossiers:liste')}")
    expect(page.get_by_text("3 dossiers")).to_be_visible()
    # « Plus de filtres » s'ouvre au clavier, puis Tab jusqu'au champ de recherche.
    tabuler_jusqu_a(page, page.locator("summary", has_text="Plus de filtres"))
    page.keyboard.press("Enter")
    recherche = page.get_by_label("Professionnel affecté")
    tabuler_jusqu_a(page, recherche)
    page.keyboard.type("marchand")
    resultats = page.locator("#id_professionnel-resultats")
    expect(resultats.locator("legend")).to_contain_text("« marchand »")
    # Les deux homonymes, distingués par leur structure ; aucun des douze collègues.
    radios = resultats.get_by_role("radio")
    expect(radios).to_have_count(3)
    expect(
        resultats.get_by_text(re.compile("Julien Marchand — .*, Agence Morteau"))
    ).to_be_visible()
    expect(resultats).not_to_contain_text("Collègue")
    capture("selecteur-professionnel-recherche")
    # Tab mène au groupe de radios (le choix coché : « Tous les professionnels ») ; les
    # flèches choisissent, et la liste se rafraîchit (htmx) sans recharger la page.
    page.keyboard.press("Tab")
    expect(resultats.get_by_role("radio", name="Tous les professionnels")).to_be_focused()
    page.keyboard.press("ArrowDown")
    choisi = resultats.get_by_role("radio", checked=True)
    expect(choisi).to_be_focused()
    libelle = resultats.locator(f"label[for='{choisi.get_attribute('id')}']").inner_text()
    attendu = "2 dossiers" if "Planoise" in libelle else "1 dossier"
    expect(page.locator("#resultats").get_by_text(attendu, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"professionnel=[0-9a-f-]{36}"))
    capture("selecteur-professionnel-filtre")
