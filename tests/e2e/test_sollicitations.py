"""Sollicitation d'une ressource dans le navigateur : un conseiller trouve un service de
garde d'enfants pour une personne et le sollicite via le correspondant insertion ; le
correspondant l'accepte depuis sa file ; le conseiller constate la réalisation."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Membership, Structure
from conventions.models import ServiceRessource, StructureRessource
from dossiers.models import CotePorteur, Origine, Sollicitation, StatutSollicitation
from dossiers.parcours import services
from dossiers.suivi import services as suivi
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter

TERRITOIRE = "Territoire d'action sociale de Besançon"


def preparer(departement):
    """Une personne orientée par le conseiller de démonstration, et la base de ressources
    du département : une crèche (famille) et une auto-école sociale (mobilité)."""
    conseiller = Membership.objects.get(user__email="conseiller@demo.test")
    territoire = Structure.objects.get(departement=departement, nom=TERRITOIRE)
    demandeur = services.creer_demandeur(
        departement=departement,
        par=conseiller,
        civilite="mme",
        nom="Vernier-Témoin",
        prenom="Agathe",
        date_naissance=dt.date(1990, 5, 12),
    )
    dossier = services.ouvrir_dossier(
        demandeur=demandeur, par=conseiller, origine=Origine.CONSEILLER_FT, territoire=territoire
    )
    # Informée et d'accord pour la transmission de ses coordonnées (docs/rgpd.md).
    services.enregistrer_information(
        dossier=dossier,
        par=conseiller,
        information_le=timezone.localdate(),
        information_mode="oral",
        accord_le=timezone.localdate(),
        accord_mode="signe",
    )
    for nom, thematique, structure in (
        ("Crèche à vocation d'insertion professionnelle", "famille--garde-denfants", "Les P'tits Loups"),
        ("Auto-école sociale", "mobilite--preparer-son-permis-de-conduire", "Mobilité 25"),
    ):  # fmt: skip
        porteuse = StructureRessource.objects.create(
            departement=departement,
            source="dora",
            identifiant=f"structure-{nom}",
            nom=structure,
            date_maj=timezone.localdate(),
            commune="Besançon",
        )
        ServiceRessource.objects.create(
            departement=departement,
            structure=porteuse,
            source="dora",
            identifiant=f"service-{nom}",
            nom=nom,
            description="Places réservées aux parents en reprise d'emploi ou en formation.",
            date_maj=timezone.localdate(),
            thematiques=[thematique],
            commune="Besançon",
            courriel="contact@exemple.test",
        )
    return dossier


def test_solliciter_via_le_correspondant_accepter_puis_realiser(page, live_server, demo, capture):
    dossier = preparer(Structure.objects.get(nom=TERRITOIRE).departement)
    url_fiche = f"{live_server.url}/dossiers/{dossier.uuid}/"

    # Le conseiller cherche un service de garde d'enfants et le sollicite.
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    page.goto(url_fiche)
    page.get_by_role("link", name="Solliciter une ressource").click()
    expect(
        page.get_by_role("heading", name=re.compile("Solliciter une ressource pour Agathe"))
    ).to_be_visible()
    page.get_by_label("Domaine de frein visé").select_option(value="famille")
    page.get_by_role("button", name="Rechercher").click()
    premiere = page.locator("#resultats tbody tr").first
    expect(premiere).to_contain_text("Crèche à vocation d'insertion professionnelle")
    expect(premiere).to_contain_text("Domaine visé")
    page.get_by_label("Rechercher un service").fill("garde")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#resultats tbody tr")).to_have_count(1)
    capture("sollicitation-choix-service")
    page.get_by_role("link", name=re.compile("^Solliciter Crèche")).click()

    page.get_by_label("Besoin exprimé").fill(
        "Garde de sa fille (2 ans) les matins pour reprendre un emploi."
    )
    page.get_by_label("Coordonnées et disponibilités à transmettre").fill(
        "06 11 22 33 44, plutôt l'après-midi"
    )
    page.get_by_label(re.compile("Via le correspondant insertion")).check()
    sophie = page.locator("#id_correspondant option", has_text="Sophie Girard")
    page.locator("#id_correspondant").select_option(value=sophie.get_attribute("value"))
    capture("sollicitation-formulaire")
    page.get_by_role("button", name="Envoyer la sollicitation").click()
    expect(page.get_by_text("Sollicitation envoyée.")).to_be_visible()
    section = page.get_by_role("region", name="Sollicitations")
    expect(section).to_contain_text("Envoyée")
    expect(section).to_contain_text("Via Sophie Girard")
    capture("sollicitation-fiche-envoyee")
    se_deconnecter(page)

    # Le correspondant la trouve dans sa file et l'accepte.
    se_connecter(page, live_server, "correspondant@demo.test", demo)
    page.get_by_role("link", name="Sollicitations", exact=True).click()
    expect(page.get_by_text("1 à traiter")).to_be_visible()
    ligne = page.get_by_role("row", name=re.compile("VERNIER-TÉMOIN"))
    expect(ligne).to_contain_text("Garde de sa fille")
    capture("sollicitation-file-correspondant")
    ligne.get_by_role("link", name=re.compile("^Accepter")).click()
    page.get_by_label("Précisions pour le professionnel").fill(
        "Place disponible le 2 mars, rendez-vous avec la directrice."
    )
    capture("sollicitation-acceptation")
    page.get_by_role("button", name="Accepter", exact=True).click()
    expect(page.get_by_text("Sollicitation acceptée")).to_be_visible()
    expect(page.get_by_text("0 à traiter")).to_be_visible()
    se_deconnecter(page)

    # Le conseiller voit la réponse ; le plan d'action porte une action liée à la
    # sollicitation (« Place en crèche »).
    conseiller = Membership.objects.get(user__email="conseiller@demo.test")
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=conseiller, domaine="famille", intitule="Faire garder sa fille"
    )
    suivi.ajouter_action(
        objectif=objectif,
        par=conseiller,
        intitule="Obtenir une place en crèche",
        cote=CotePorteur.EMPLOI,
        responsable=conseiller.user,
        date_debut=timezone.localdate(),
        date_fin_prevue=timezone.localdate() + dt.timedelta(days=30),
        sollicitation=Sollicitation.objects.get(),
    )
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    page.goto(url_fiche)
    section = page.get_by_role("region", name="Sollicitations")
    expect(section).to_contain_text("Acceptée")
    expect(section).to_contain_text("Place disponible le 2 mars")
    section.get_by_role("button", name=re.compile("^Marquer réalisée")).click()
    expect(page.get_by_text("Sollicitation marquée réalisée.")).to_be_visible()
    expect(page.get_by_role("region", name="Sollicitations")).to_contain_text("Réalisée")
    expect(page.get_by_role("region", name="Derniers événements")).to_contain_text("réalisée")
    capture("sollicitation-fiche-realisee")
    s = Sollicitation.objects.get()
    assert s.statut == StatutSollicitation.REALISEE and s.relances == 0
    # L'action liée est réalisée avec la sollicitation : le plan d'action le montre.
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/plan/")
    ligne = page.get_by_role("row", name=re.compile("Obtenir une place en crèche"))
    expect(ligne).to_contain_text("Réalisée")
    capture("sollicitation-action-realisee")


def test_le_partenaire_repond_par_son_lien(page, live_server, demo, capture):
    from urllib.parse import urlsplit

    from dossiers.sollicitations import partenaire as sollicitations
    from dossiers.sollicitations import services as services_sollicitations

    dossier = preparer(Structure.objects.get(nom=TERRITOIRE).departement)
    conseiller = Membership.objects.get(user__email="conseiller@demo.test")
    s = services_sollicitations.creer_sollicitation(
        dossier=dossier,
        service=ServiceRessource.objects.get(nom="Auto-école sociale"),
        domaine="mobilite",
        besoin="Préparer le code de la route, horaires compatibles avec une formation.",
        mode="direct",
        par=conseiller,
        preference_contact="courriel",
        coordonnees_contact="agathe.v@exemple.test",
        envoyer=True,
    )
    lien = f"{live_server.url}{urlsplit(sollicitations.lien_reponse(s)).path}"

    page.goto(lien)  # sans compte
    expect(page.get_by_role("heading", name="Sollicitation — Auto-école sociale")).to_be_visible()
    expect(page.get_by_text("Agathe V.", exact=True)).to_be_visible()
    expect(page.get_by_text("VERNIER")).to_have_count(0)
    capture("sollicitation-lien-partenaire")
    page.get_by_label("Je refuse").check()
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Indiquez le motif du refus.")).to_be_visible()
    page.get_by_label("Motif du refus").fill("Plus de place avant septembre.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Merci : votre réponse est enregistrée")).to_be_visible()
    expect(page.get_by_text("n'attend plus de réponse")).to_be_visible()
    capture("sollicitation-lien-partenaire-repondu")
    s.refresh_from_db()
    assert s.statut == StatutSollicitation.REFUSEE and s.reponse_par_lien

    page.goto(lien[:-3] + "xx/")
    expect(page.get_by_role("heading", name="Lien non valide")).to_be_visible()
