"""La semaine d'un binôme dans le navigateur, sur un dossier en axe 2 préparé par les
services : le conseiller dédié planifie un rendez-vous tripartite, pose un objectif et
deux actions, écrit une note partagée ; le travailleur social écrit une note sociale et
dépose un document. Le conseiller ne voit pas la note sociale."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Membership
from dossiers.models import Axe, Origine, RoleAffectation
from dossiers.parcours import services
from tests.accompagnement import pdfs
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter

PDF = pdfs.pdf_valide()


def _rattachement(email):
    return Membership.objects.select_related("user", "structure").get(user__email=email)


def dossier_en_axe_2():
    conseiller = _rattachement("conseiller@demo.test")
    dedie = _rattachement("conseiller.dedie@demo.test")
    ts = _rattachement("travailleur.social@demo.test")
    animatrice = _rattachement("animatrice@demo.test")
    demandeur = services.creer_demandeur(
        departement=conseiller.structure.departement,
        par=conseiller,
        civilite="mme",
        nom="Perrin-Semaine",
        prenom="Maëlys",
        date_naissance=dt.date(1990, 5, 17),
    )
    dossier = services.ouvrir_dossier(
        demandeur=demandeur,
        par=conseiller,
        origine=Origine.CONSEILLER_FT,
        date=timezone.localdate() - dt.timedelta(days=21),
    )
    for place, membre in (
        (RoleAffectation.CONSEILLER_DEDIE, dedie),
        (RoleAffectation.TRAVAILLEUR_SOCIAL, ts),
    ):
        services.affecter(dossier=dossier, place=place, professionnel=membre, par=animatrice)
    services.demarrer_diagnostic(dossier=dossier, par=dedie)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=dedie,
        motif="Logement précaire et projet de formation de cariste",
        accord_personne=True,
    )
    return dossier


def champ(page, libelle):
    """Le champ de ce libellé exact (crispy ajoute « * » aux champs obligatoires)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(libelle)}\s*\*?\s*$"))


def choisir(page, libelle, texte):
    """Choisit dans la liste « libelle » l'option qui contient « texte »."""
    liste = champ(page, libelle)
    option = liste.locator("option", has_text=texte).first
    liste.select_option(value=option.get_attribute("value"))


def ajouter_action(page, intitule, cote, responsable, fin):
    page.get_by_role("link", name="Ajouter une action à cet objectif").first.click()
    champ(page, "Action").fill(intitule)
    champ(page, cote).check()
    choisir(page, "Responsable", responsable)
    page.get_by_label("Fin prévue").fill(fin.isoformat())
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.get_by_text("Action ajoutée au plan.")).to_be_visible()


def test_la_semaine_d_un_binome(page, live_server, demo, capture, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = dossier_en_axe_2()
    fiche = f"{live_server.url}/dossiers/{dossier.uuid}/"
    jeudi = timezone.localdate() + dt.timedelta(days=3)

    # Lundi : le conseiller dédié planifie un tripartite et pose le plan d'action.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(fiche)
    expect(page.get_by_role("heading", name="Suivi du parcours")).to_be_visible()
    expect(page.get_by_text("Aucun rendez-vous prévu.")).to_be_visible()
    page.get_by_role("link", name="Planifier un rendez-vous").click()
    page.get_by_label("Date et heure").fill(f"{jeudi.isoformat()}T14:30")
    page.get_by_label("Type").select_option(label="Tripartite (la personne et le binôme)")
    page.get_by_label(re.compile("Nadia Benali")).check()
    page.get_by_label("Lieu (facultatif)").fill("Agence de Planoise, bureau 3")
    capture("suivi-rendez-vous-formulaire")
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text("Rendez-vous planifié.")).to_be_visible()
    expect(
        page.get_by_role(
            "cell", name=re.compile("Julien Marchand, Nadia Benali|Nadia Benali, Julien Marchand")
        )
    ).to_be_visible()
    capture("suivi-rendez-vous")

    page.get_by_role("link", name="Plan d'action").click()
    page.get_by_role("link", name="Ajouter un objectif").click()
    page.get_by_label("Domaine").select_option(label="Emploi (projet professionnel)")
    champ(page, "Objectif").fill("Entrer en formation de cariste d'ici l'été")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    expect(page.get_by_text("Objectif ajouté au plan d'action.")).to_be_visible()
    ajouter_action(
        page,
        "Inscription à la session CACES",
        "Emploi",
        "Julien Marchand",
        timezone.localdate() + dt.timedelta(days=30),
    )
    ajouter_action(
        page,
        "Demande d'aide à la garde pendant la formation",
        "Social",
        "Nadia Benali",
        timezone.localdate() + dt.timedelta(days=14),
    )
    expect(page.get_by_role("rowheader", name="Inscription à la session CACES")).to_be_visible()
    capture("suivi-plan-d-action")

    page.get_by_role("link", name="Notes").click()
    expect(page.get_by_text("Pas de détail de santé dans une note partagée").first).to_be_visible()
    expect(page.get_by_label("Sociale (professionnels du côté social seulement)")).to_have_count(0)
    champ(page, "Note").fill("Motivée par le CACES ; a besoin d'une solution de garde le matin.")
    capture("suivi-note-partagee")
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_text("Note enregistrée.")).to_be_visible()
    se_deconnecter(page)

    # Mercredi : le travailleur social écrit une note sociale et dépose un justificatif.
    se_connecter(page, live_server, "travailleur.social@demo.test", demo)
    page.goto(f"{fiche}notes/")
    page.get_by_label("Sociale (professionnels du côté social seulement)").check()
    champ(page, "Note").fill("Dossier FSL à monter : dette de loyer de deux mois.")
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_text("Note enregistrée.")).to_be_visible()
    expect(page.get_by_text("Motivée par le CACES", exact=False)).to_be_visible()
    capture("suivi-notes-travailleur-social")

    page.get_by_role("link", name="Documents").click()
    page.get_by_role("link", name="Déposer un document").click()
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "avis-echeance-loyer.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("Catégorie").select_option(label="Justificatif")
    page.get_by_label("Confidentiel : réservé aux professionnels du côté social").check()
    capture("suivi-document-formulaire")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Document déposé.")).to_be_visible()
    expect(
        page.get_by_role("rowheader", name=re.compile("avis-echeance-loyer.pdf"))
    ).to_be_visible()
    capture("suivi-documents")

    page.goto(fiche)
    expect(page.locator("time", has_text=f"{jeudi:%d/%m/%Y} à 14:30")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Inscription à la session CACES")).to_be_visible()
    capture("suivi-fiche-travailleur-social")
    se_deconnecter(page)

    # Le conseiller retrouve le tout, sauf la note sociale et le document confidentiel.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(f"{fiche}notes/")
    expect(page.get_by_text("Motivée par le CACES", exact=False)).to_be_visible()
    expect(page.get_by_text("Dossier FSL", exact=False)).to_have_count(0)
    page.goto(f"{fiche}documents/")
    expect(page.get_by_text("Aucun document.")).to_be_visible()
    page.goto(fiche)
    capture("suivi-fiche-conseiller")

    # Le portefeuille montre le prochain rendez-vous de la personne.
    page.get_by_role("link", name="Mon portefeuille").click()
    ligne = page.get_by_role("row", name=re.compile("PERRIN-SEMAINE"))
    expect(ligne.locator("time", has_text=f"{jeudi:%d/%m/%Y}")).to_contain_text("à 14:30")
    capture("suivi-portefeuille")

    # Fin de parcours : le conseiller dédié clôture avec un motif, puis lit et conclut le
    # bilan.
    page.goto(fiche)
    page.get_by_role("link", name="Clôturer").click()
    page.get_by_label("Motif de sortie").select_option(label="Formation qualifiante")
    # Clôture avertie : deux actions ouvertes et un rendez-vous à venir sont encore en cours.
    expect(
        page.get_by_role("heading", name="Ce dossier a encore des éléments en cours")
    ).to_be_visible()
    page.get_by_label(re.compile("Les annuler avec la clôture")).check()
    page.get_by_label(re.compile("Je confirme la clôture")).check()
    capture("suivi-cloture")
    page.get_by_role("button", name="Clôturer le dossier").click()
    expect(page.get_by_role("heading", name="Bilan du parcours")).to_be_visible()
    expect(page.get_by_text("Formation qualifiante")).to_be_visible()
    expect(page.get_by_role("heading", name="Le parcours")).to_be_visible()
    page.get_by_role("textbox", name=re.compile("Conclusion du binôme")).fill(
        "Entrée en formation CACES ; suivi logement passé au CCAS."
    )
    page.get_by_role("button", name="Enregistrer la conclusion").click()
    expect(page.get_by_text("Conclusion enregistrée.")).to_be_visible()
    capture("suivi-bilan")
