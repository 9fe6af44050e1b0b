"""Suites du ticket #10 dans le navigateur, sans taper d'adresse : une personne importée
sans dossier trouvée depuis « Nouvelle personne » (« personnes sans dossier ») et à qui le conseiller ouvre un dossier ; le
sélecteur à recherche « Ressource mobilisée » utilisé au clavier ; la clôture qui avertit
des éléments en cours. Captures dans var/captures/ (copies relues dans docs/captures/)."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from conventions.models import ServiceRessource, StructureRessource
from dossiers.parcours import services
from dossiers.suivi import services as suivi
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter
from tests.e2e.test_suivi import _rattachement, champ, dossier_en_axe_2

LARGEUR = {"width": 1366, "height": 900}


def service(departement, nom, structure, commune, code_insee):
    struct, _ = StructureRessource.objects.get_or_create(
        departement=departement,
        source="locale",
        identifiant=f"s-{structure}",
        defaults={"nom": structure, "commune": commune, "date_maj": timezone.localdate()},
    )
    objet = ServiceRessource(
        departement=departement,
        structure=struct,
        source="locale",
        identifiant=f"svc-{nom}-{commune}",
        nom=nom,
        commune=commune,
        code_insee=code_insee,
        date_maj=timezone.localdate(),
        thematiques=["mobilite--louer-un-vehicule"],
    )
    objet.preparer()
    objet.save()
    return objet


def test_personne_importee_sans_dossier_puis_dossier_ouvert(page, live_server, demo, capture):
    conseiller = _rattachement("conseiller@demo.test")
    animatrice = _rattachement("animatrice@demo.test")
    services.creer_demandeur(
        departement=conseiller.structure.departement,
        par=animatrice,
        civilite="m",
        nom="Importé-Témoin",
        prenom="Yanis",
        date_naissance=dt.date(1993, 2, 11),
        agence=conseiller.structure,
        commune="Besançon",
        code_postal="25000",
        code_commune="25056",
    )
    page.set_viewport_size(LARGEUR)
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    page.locator("#menu").get_by_role("link", name="Nouvelle personne").click()
    page.get_by_role("link", name="personnes sans dossier").click()
    expect(page.get_by_role("heading", name="Personnes sans dossier")).to_be_visible()
    page.get_by_label("Rechercher une personne").fill("import")
    ligne = page.get_by_role("row", name=re.compile("Yanis IMPORTÉ-TÉMOIN"))
    expect(ligne).to_be_visible()
    capture("personnes-sans-dossier")
    ligne.get_by_role("link", name=re.compile("Ouvrir un dossier")).click()
    expect(page.get_by_role("heading", name=re.compile("Ouvrir un dossier pour"))).to_be_visible()
    capture("personnes-sans-dossier-ouvrir")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_text(re.compile("Le dossier de .* est ouvert."))).to_be_visible()
    expect(page.get_by_text("À orienter").first).to_be_visible()
    page.locator("#menu").get_by_role("link", name="Nouvelle personne").click()
    page.get_by_role("link", name="personnes sans dossier").click()
    expect(
        page.get_by_text("Toutes les personnes de votre périmètre ont un dossier")
    ).to_be_visible()


def test_ressource_choisie_au_clavier_puis_cloture_avertie(page, live_server, demo, capture):
    dossier = dossier_en_axe_2()
    demandeur = dossier.demandeur
    demandeur.commune, demandeur.code_postal, demandeur.code_commune = "Besançon", "25000", "25056"
    demandeur.save()
    departement = dossier.departement
    service(
        departement,
        "Location solidaire de voitures",
        "Garage Solidaire du Doubs",
        "Montbéliard",
        "25388",
    )
    service(
        departement,
        "Location solidaire de voitures",
        "Mobilité Emploi Besançon",
        "Besançon",
        "25056",
    )
    service(departement, "Crèche à horaires atypiques", "Les Lutins", "Pontarlier", "25462")
    dedie = _rattachement("conseiller.dedie@demo.test")
    suivi.ajouter_objectif(
        dossier=dossier, par=dedie, domaine="mobilite", intitule="Se rendre en formation"
    )
    suivi.planifier_rendez_vous(
        dossier=dossier,
        par=dedie,
        debut=timezone.now() + dt.timedelta(days=4),
        type="individuel",
        participants=[dedie.user],
    )
    page.set_viewport_size(LARGEUR)
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.locator("#menu").get_by_role("link", name="Mon portefeuille").click()
    page.get_by_role("link", name=re.compile("Perrin-Semaine", re.IGNORECASE)).first.click()
    page.get_by_role("link", name="Plan d'action").first.click()
    page.get_by_role("link", name="Ajouter une action à cet objectif").click()
    champ(page, "Action").fill("Louer une voiture pour les trois mois de formation")
    page.get_by_label("Fin prévue").fill((timezone.localdate() + dt.timedelta(days=90)).isoformat())
    # Au clavier : le libellé mène à la recherche ; on tape, la liste se rafraîchit (htmx).
    recherche = page.get_by_label(re.compile("Ressource mobilisée"))
    recherche.focus()
    page.keyboard.type("location")
    resultats = page.locator("#id_ressource-resultats")
    expect(
        resultats.get_by_text("2 services pour « location », ceux de Besançon d'abord")
    ).to_be_visible()
    expect(resultats.get_by_text("Crèche à horaires atypiques")).to_have_count(0)
    premier = resultats.get_by_role("radio").nth(1)
    expect(premier).to_have_accessible_name(re.compile("Mobilité Emploi Besançon, Besançon"))
    # Tab entre dans le groupe (sur « Aucune ressource », cochée), flèche bas : le premier
    # service, celui de la commune de la personne.
    page.keyboard.press("Tab")
    expect(resultats.get_by_role("radio", name="Aucune ressource")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(premier).to_be_checked()
    capture("suivi-action-ressource-recherche")
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.get_by_text("Action ajoutée au plan.")).to_be_visible()
    expect(page.get_by_role("cell", name="Location solidaire de voitures")).to_be_visible()

    # Clôture : l'action ouverte et le rendez-vous à venir sont annoncés, puis annulés.
    page.get_by_role("link", name=re.compile("Dossier de")).first.click()
    expect(page.get_by_role("heading", name="Prochain rendez-vous")).to_be_visible()
    page.get_by_role("link", name="Clôturer", exact=True).click()
    avertissement = page.get_by_role("region", name="Ce dossier a encore des éléments en cours")
    expect(avertissement).to_be_visible()
    expect(avertissement.get_by_text("1 action ouverte")).to_be_visible()
    expect(avertissement.get_by_text("1 rendez-vous à venir")).to_be_visible()
    page.get_by_label("Motif de sortie").select_option(index=1)
    page.get_by_label(re.compile("Les annuler avec la clôture")).check()
    page.get_by_label(re.compile("Je confirme la clôture")).check()
    capture("cloture-elements-en-cours")
    page.get_by_role("button", name="Clôturer le dossier").click()
    expect(page.get_by_text(re.compile("Dossier clos"))).to_be_visible()
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/")
    expect(page.get_by_role("heading", name="Suivi du parcours")).to_be_visible()
    expect(page.get_by_role("heading", name="Prochain rendez-vous")).to_have_count(0)
    se_deconnecter(page)
