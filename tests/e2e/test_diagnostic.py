"""Diagnostic partagé dans le navigateur : le conseiller dédié remplit le volet emploi et
enregistre l'information de la personne, le travailleur social remplit le volet social,
chacun valide, la décision conjointe oriente en axe 2 ; captures de la page et du PDF."""

import datetime as dt
import re
import subprocess

from playwright.sync_api import expect

from accompagnement import demo as donnees_demo
from accompagnement.models import Departement, Membership, Role
from dossiers.models import Axe, Dossier, Origine, RoleAffectation
from dossiers.parcours import services as dossiers_services
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter


def rattachement(email, role):
    return Membership.objects.select_related("structure", "user").get(user__email=email, role=role)


def dossier_avec_binome():
    """Un dossier créé par les services, binôme = comptes de démonstration."""
    departement = Departement.objects.get(code_insee=donnees_demo.CODE_DEPARTEMENT)
    conseiller = rattachement("conseiller@demo.test", Role.CONSEILLER)
    dedie = rattachement("conseiller.dedie@demo.test", Role.CONSEILLER_DEDIE)
    ts = rattachement("travailleur.social@demo.test", Role.TRAVAILLEUR_SOCIAL)
    animatrice = rattachement("animatrice@demo.test", Role.ANIMATRICE)
    demandeur = dossiers_services.creer_demandeur(
        departement=departement,
        par=conseiller,
        civilite="mme",
        nom="Vuillaume-Témoin",
        prenom="Léonie",
        date_naissance=dt.date(1987, 9, 21),
    )
    dossier = dossiers_services.ouvrir_dossier(
        demandeur=demandeur,
        par=conseiller,
        origine=Origine.CONSEILLER_FT,
        territoire=ts.structure,
    )
    for place, membre in (
        (RoleAffectation.CONSEILLER_DEDIE, dedie),
        (RoleAffectation.TRAVAILLEUR_SOCIAL, ts),
    ):
        dossiers_services.affecter(
            dossier=dossier, place=place, professionnel=membre, par=animatrice
        )
    return dossier


def message(page, texte):
    expect(page.locator(".ag-messages").get_by_text(texte)).to_be_visible()


def test_diagnostic_partage_de_bout_en_bout(page, live_server, demo, capture):
    dossier = dossier_avec_binome()
    fiche = f"{live_server.url}/dossiers/{dossier.uuid}/"

    # Le conseiller dédié ouvre le diagnostic depuis la fiche et remplit le volet emploi.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(fiche)
    page.get_by_role("button", name="Diagnostic partagé").click()
    message(page, "Le diagnostic partagé est ouvert (version 1).")
    url_diagnostic = page.url
    page.get_by_role("link", name="Remplir le volet emploi").click()
    page.get_by_label("Situation professionnelle").select_option(label="Sans activité")
    page.get_by_label("Ancienneté d'inscription").select_option(label="12 à 24 mois")
    page.get_by_label("Dernier emploi occupé").fill("Employée de restauration collective")
    page.get_by_label("Niveau de qualification").select_option(label="Niveau 3 (CAP, BEP)")
    page.locator("#id_metiers-0-code_rome").fill("g1603")
    page.locator("#id_metiers-0-libelle").fill("Personnel polyvalent en restauration")
    page.locator("#id_metiers-1-code_rome").fill("K2204")
    page.locator("#id_metiers-1-libelle").fill("Nettoyage de locaux")
    page.get_by_label("Type de contrat recherché").select_option(label="CDI")
    page.get_by_label("Rayon de mobilité (km)").fill("15")
    page.get_by_label("Permis B").check()
    page.get_by_label("Définir ou confirmer un projet professionnel").select_option(
        label="Point fort"
    )
    page.get_by_label(
        "Techniques de recherche d'emploi (CV, candidature, entretien)"
    ).select_option(label="Besoin")
    page.get_by_label("Capacité à engager une recherche d'emploi maintenant").select_option(
        label="Partiellement"
    )
    capture("diagnostic-volet-emploi")
    page.get_by_role("button", name="Enregistrer le volet emploi").click()
    message(page, "Volet emploi enregistré.")

    # Information et accord de la personne, puis validation du volet emploi.
    page.get_by_role("link", name="Information de la personne").click()
    page.get_by_label("La personne a été informée le").fill(dt.date.today().isoformat())
    page.get_by_label("En entretien").check()
    page.get_by_label("La personne donne son accord à l'accompagnement qui sera décidé").check()
    page.get_by_role("button", name="Enregistrer").click()
    message(page, "Information de la personne enregistrée.")
    page.get_by_role("link", name="Valider le volet emploi").click()
    page.get_by_role("button", name="Valider le volet emploi").click()
    message(page, "Volet emploi validé.")
    se_deconnecter(page)

    # Le travailleur social remplit le volet social (santé comprise) et le valide.
    se_connecter(page, live_server, "travailleur.social@demo.test", demo)
    page.goto(url_diagnostic)
    page.get_by_role("link", name="Remplir le volet social").click()
    expect(
        page.get_by_text("n'écrivez aucun détail médical hors du domaine « Santé »")
    ).to_be_visible()
    page.locator("#id_logement-presence_2").check()
    page.locator("#id_logement-impact_0").check()  # fort
    page.locator("#domaine-logement").get_by_label("Hébergement précaire").check()
    page.locator("#id_logement-commentaire").fill("Hébergée chez sa sœur depuis mars.")
    page.locator("#id_mobilite-presence_2").check()
    page.locator("#id_mobilite-impact_1").check()  # moyen
    page.locator("#domaine-mobilite").get_by_label("Pas de véhicule").check()
    page.locator("#id_sante-presence_2").check()
    page.locator("#id_sante-impact_1").check()
    page.locator("#domaine-sante").get_by_label("Souffrance psychique").check()
    page.locator("#id_sante-commentaire").fill("Suivi CMP engagé.")
    page.locator("#id_finances-presence_1").check()  # absent
    capture("diagnostic-volet-social")
    page.get_by_role("button", name="Enregistrer le volet social").click()
    message(page, "Volet social enregistré.")
    page.get_by_role("link", name="Valider le volet social").click()
    page.get_by_role("button", name="Valider le volet social").click()
    message(page, "Diagnostic partagé. Recommandation : Axe 2 — accompagnement global.")

    # Décision conjointe : axe pré-rempli avec la recommandation, binôme en place.
    page.get_by_role("link", name="Décision conjointe").click()
    expect(page.get_by_label("Axe 2 — accompagnement global")).to_be_checked()
    expect(page.get_by_label("Conseiller dédié, référent (axe 2)")).to_have_value(
        str(rattachement("conseiller.dedie@demo.test", Role.CONSEILLER_DEDIE).uuid)
    )
    capture("diagnostic-decision")
    page.get_by_role("button", name="Enregistrer la décision").click()
    message(page, "Décision enregistrée : Axe 2 — accompagnement global.")
    expect(page.get_by_text("Souffrance psychique")).to_be_visible()  # côté social
    capture("diagnostic-page-travailleur-social")

    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL

    # PDF téléchargé, converti en images pour être regardé.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = CAPTURES / "diagnostic.pdf"
    telechargement.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    for ancienne in CAPTURES.glob("diagnostic-pdf-*.png"):
        ancienne.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(CAPTURES / "diagnostic-pdf")], check=True
    )
    assert sorted(p.name for p in CAPTURES.glob("diagnostic-pdf-*.png"))
    texte = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "VUILLAUME-TÉMOIN" in texte and "Axe 2 — accompagnement global" in texte
    se_deconnecter(page)

    # Côté France Travail : ni détail de santé ni commentaire social.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    page.goto(url_diagnostic)
    expect(page.get_by_role("heading", name=re.compile("Diagnostic partagé"))).to_be_visible()
    expect(page.get_by_text("Réservé au côté social")).to_be_visible()
    assert "Souffrance psychique" not in page.content()
    assert "Hébergée chez sa sœur" not in page.content()
    capture("diagnostic-page-conseiller-dedie")
    page.goto(fiche)
    expect(page.get_by_text(re.compile("Version 1 — partagé"))).to_be_visible()
    capture("diagnostic-fiche-dossier")
    assert Dossier.objects.get(pk=dossier.pk).diagnostics.count() == 1
