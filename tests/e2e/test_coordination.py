"""Coordination dans le navigateur, sans taper d'adresse : le conseiller propose une
personne pour l'accompagnement global, le conseiller dédié de l'agence la voit sur
« Aujourd'hui » et prend le dossier, le correspondant désigne le travailleur social, les
deux remplissent le diagnostic, la décision conjointe oriente en axe 2 avec le binôme ;
le prescripteur voit l'issue. Puis un refus motivé et une réorientation en axe 3. Les
captures de chaque page « Aujourd'hui » : test_captures_aujourdhui.py."""

import datetime as dt
import re

from playwright.sync_api import expect

from accompagnement import demo as donnees_demo
from accompagnement.models import Departement, Membership, Role
from dossiers.models import Axe, Dossier, Origine, Prescription, RoleAffectation, StatutPrescription
from dossiers.parcours import services as dossiers_services
from tests.e2e.conftest import CAPTURES
from tests.e2e.test_connexion import se_connecter
from tests.e2e.test_dossiers import se_deconnecter

LARGEUR = {"width": 1366, "height": 900}


def rattachement(email, role):
    return Membership.objects.select_related("structure", "user").get(user__email=email, role=role)


def dossier_du_conseiller(nom, prenom, *, territoire=False):
    """Un dossier « à orienter » ouvert par le conseiller de démonstration (son agence)."""
    departement = Departement.objects.get(code_insee=donnees_demo.CODE_DEPARTEMENT)
    conseiller = rattachement("conseiller@demo.test", Role.CONSEILLER)
    demandeur = dossiers_services.creer_demandeur(
        departement=departement,
        par=conseiller,
        civilite="mme",
        nom=nom,
        prenom=prenom,
        date_naissance=dt.date(1986, 5, 17),
    )
    besancon = departement.structures.get(nom=donnees_demo.TERRITOIRES[0][0])
    return dossiers_services.ouvrir_dossier(
        demandeur=demandeur,
        par=conseiller,
        origine=Origine.CONSEILLER_FT,
        territoire=besancon if territoire else None,
    )


def message(page, texte):
    expect(page.locator(".ag-messages").get_by_text(texte)).to_be_visible()


def file(page, cle):
    return page.locator(f"#file-{cle}")


def ouvrir_depuis_le_portefeuille(page, nom):
    page.locator("#menu").get_by_role("link", name="Mon portefeuille").click()
    page.get_by_role("link", name=re.compile(nom, re.IGNORECASE)).first.click()


def prescrire(page, *, axe, territoire=True, motif):
    page.get_by_role(
        "link", name="Proposer pour l'accompagnement global ou le suivi social"
    ).click()
    expect(page.get_by_text("aucun détail médical")).to_be_visible()
    page.get_by_label(axe).check()
    if territoire:
        page.get_by_label("Territoire d'action sociale de la personne").select_option(
            label="Territoire d'action sociale de Besançon"
        )
    page.get_by_label("Logement").check()
    page.get_by_label("Mobilité").check()
    page.get_by_label("Motif de la demande").fill(motif)
    page.get_by_label("En entretien").check()
    page.screenshot(path=str(CAPTURES / "prescription-formulaire.png"), full_page=True)
    page.get_by_role("button", name="Envoyer la demande").click()


def choisir_travailleur_social(page, nom):
    """Le sélecteur à recherche : taper le nom, attendre la liste, cocher la personne."""
    page.locator("#id_professionnel").fill(nom)
    expect(page.locator("#id_professionnel-resultats legend")).to_contain_text(f"« {nom} »")
    resultats = page.locator("#id_professionnel-resultats")
    resultats.get_by_role("radio", name=re.compile(nom)).first.check()


def capture_aujourdhui(page, role):
    page.set_viewport_size(LARGEUR)
    page.locator("#menu").get_by_role("link", name="Aujourd'hui").click()
    expect(page.get_by_role("heading", name=re.compile("^Bonjour"))).to_be_visible()
    # Dans var/captures/ ; celles de docs/captures/ en sont des copies relues et versionnées.
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"aujourdhui-{role}.png"), full_page=True)


def remplir_volet_emploi(page):
    page.get_by_role("link", name="Remplir le volet emploi").click()
    page.get_by_label("Situation professionnelle").select_option(label="Sans activité")
    page.get_by_label("Ancienneté d'inscription").select_option(label="12 à 24 mois")
    page.get_by_label("Dernier emploi occupé").fill("Agent de propreté")
    page.get_by_label("Niveau de qualification").select_option(label="Niveau 3 (CAP, BEP)")
    page.locator("#id_metiers-0-code_rome").fill("K2204")
    page.locator("#id_metiers-0-libelle").fill("Nettoyage de locaux")
    page.get_by_label("Capacité à engager une recherche d'emploi maintenant").select_option(
        label="Partiellement"
    )
    page.get_by_role("button", name="Enregistrer le volet emploi").click()
    message(page, "Volet emploi enregistré.")
    page.get_by_role("link", name="Information de la personne").click()
    page.get_by_label("La personne a été informée le").fill(dt.date.today().isoformat())
    page.get_by_label("En entretien").check()
    page.get_by_label("La personne donne son accord à l'accompagnement qui sera décidé").check()
    page.get_by_role("button", name="Enregistrer").click()
    message(page, "Information de la personne enregistrée.")
    page.get_by_role("link", name="Valider le volet emploi").click()
    page.get_by_role("button", name="Valider le volet emploi").click()
    message(page, "Volet emploi validé.")


def remplir_volet_social(page):
    page.get_by_role("link", name="Remplir le volet social").click()
    page.locator("#id_logement-presence_2").check()
    page.locator("#id_logement-impact_0").check()  # fort
    page.locator("#domaine-logement").get_by_label("Hébergement précaire").check()
    page.locator("#id_mobilite-presence_2").check()
    page.locator("#id_mobilite-impact_1").check()  # moyen
    page.locator("#domaine-mobilite").get_by_label("Pas de véhicule").check()
    page.get_by_role("button", name="Enregistrer le volet social").click()
    message(page, "Volet social enregistré.")
    page.get_by_role("link", name="Valider le volet social").click()
    page.get_by_role("button", name="Valider le volet social").click()
    message(page, "Diagnostic partagé. Recommandation : Axe 2 — accompagnement global.")


def test_passage_de_relais_jusqu_au_binome(page, live_server, demo):
    dossier = dossier_du_conseiller("Carrez-Témoin", "Odile")

    # 1. Le conseiller propose la personne depuis sa fiche (territoire inconnu : précisé).
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    ouvrir_depuis_le_portefeuille(page, "Carrez-Témoin")
    prescrire(
        page,
        axe="Axe 2 — accompagnement global",
        motif="Hébergée chez un tiers, sans véhicule : démarches d'emploi bloquées.",
    )
    message(page, "Demande envoyée")
    expect(page.get_by_text("En attente de prise en charge")).to_be_visible()
    se_deconnecter(page)

    # 2. Le conseiller dédié de l'agence la voit sur « Aujourd'hui » et prend le dossier.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    a_prendre = file(page, "prescriptions_a_prendre")
    expect(a_prendre.get_by_role("link", name="CARREZ-TÉMOIN Odile")).to_be_visible()
    a_prendre.get_by_role("link", name="CARREZ-TÉMOIN Odile").click()
    expect(page.get_by_text("Mobilité, Logement")).to_be_visible()
    page.screenshot(path=str(CAPTURES / "prescription-demande.png"), full_page=True)
    page.get_by_role("link", name="Prendre le dossier").click()
    page.get_by_role("button", name="Prendre le dossier").click()
    message(page, "Vous êtes le référent de ce dossier.")
    # Il démarre le diagnostic depuis la demande et remplit le volet emploi.
    page.get_by_role("link", name="ouvrir le diagnostic partagé").click()
    page.get_by_role("button", name="Démarrer le diagnostic").click()
    message(page, "Le diagnostic partagé est ouvert (version 1).")
    remplir_volet_emploi(page)
    se_deconnecter(page)

    # 3. Le correspondant insertion désigne le travailleur social (charges affichées).
    se_connecter(page, live_server, "correspondant@demo.test", demo)
    a_designer = file(page, "prescriptions_a_designer")
    a_designer.get_by_role("link", name="CARREZ-TÉMOIN Odile").click()
    page.get_by_role("link", name="Désigner le travailleur social").click()
    expect(
        page.locator(
            "#id_professionnel-resultats label", has_text=re.compile(r"Nadia Benali — .* en cours")
        )
    ).to_have_count(1)
    choisir_travailleur_social(page, "Nadia Benali")
    page.screenshot(path=str(CAPTURES / "prescription-designation.png"), full_page=True)
    page.get_by_role("button", name="Désigner").click()
    message(page, "Travailleur social désigné ; il est prévenu.")
    se_deconnecter(page)

    # 4. Le travailleur social trouve le diagnostic qui attend son volet, puis la décision.
    se_connecter(page, live_server, "travailleur.social@demo.test", demo)
    expect(
        file(page, "designations").get_by_role("link", name="CARREZ-TÉMOIN Odile")
    ).to_be_visible()
    file(page, "diagnostics_social").get_by_role("link", name="CARREZ-TÉMOIN Odile").click()
    remplir_volet_social(page)
    page.get_by_role("link", name="Décision conjointe").click()
    expect(page.get_by_label("Axe 2 — accompagnement global")).to_be_checked()
    page.get_by_role("button", name="Enregistrer la décision").click()
    message(page, "Décision enregistrée : Axe 2 — accompagnement global.")
    se_deconnecter(page)

    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL
    binome = {a.role: a.professionnel.email for a in dossier.affectations.ouvertes()}
    assert binome == {
        RoleAffectation.CONSEILLER_DEDIE: "conseiller.dedie@demo.test",
        RoleAffectation.TRAVAILLEUR_SOCIAL: "travailleur.social@demo.test",
    }
    assert Prescription.objects.get(dossier=dossier).statut == StatutPrescription.TERMINEE

    # 5. Le prescripteur voit l'issue sur « Aujourd'hui » et sur la demande.
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    reponses = file(page, "prescriptions_repondues")
    expect(
        reponses.get_by_text("Décision conjointe : Axe 2 — accompagnement global")
    ).to_be_visible()
    reponses.get_by_role("link", name="CARREZ-TÉMOIN Odile").click()
    expect(page.get_by_text(re.compile("Décision conjointe du .* :"))).to_be_visible()
    expect(page.get_by_text("Julien Marchand, depuis le")).to_be_visible()


def test_refus_motive_et_reorientation_vers_le_departement(page, live_server, demo):
    dossier_du_conseiller("Refus-Témoin", "Paule", territoire=True)
    dossier_axe3 = dossier_du_conseiller("Social-Témoin", "Irène", territoire=True)

    se_connecter(page, live_server, "conseiller@demo.test", demo)
    ouvrir_depuis_le_portefeuille(page, "Refus-Témoin")
    prescrire(page, axe="Axe 2 — accompagnement global", territoire=False, motif="Freins cumulés.")
    message(page, "Demande envoyée")
    page.locator("#menu").get_by_role("link", name="Mon portefeuille").click()
    page.get_by_role("link", name=re.compile("Social-Témoin", re.IGNORECASE)).first.click()
    prescrire(
        page,
        axe="Axe 3 — suivi social exclusif",
        territoire=False,
        motif="Expulsion locative en cours : recherche d'emploi suspendue.",
    )
    message(page, "les correspondants insertion du territoire sont prévenus")
    se_deconnecter(page)

    # Le conseiller dédié refuse, avec un motif et une confirmation.
    se_connecter(page, live_server, "conseiller.dedie@demo.test", demo)
    a_prendre = file(page, "prescriptions_a_prendre")
    expect(a_prendre.get_by_role("link", name="SOCIAL-TÉMOIN Irène")).to_have_count(0)  # axe 3
    a_prendre.get_by_role("link", name="REFUS-TÉMOIN Paule").click()
    page.get_by_role("link", name="Refuser…").click()
    page.get_by_label("Motif du refus").fill("Déjà accompagnée par le CCAS.")
    page.get_by_role("button", name="Refuser la demande").click()
    expect(page.get_by_text("Je confirme le refus de cette demande")).to_be_visible()
    page.get_by_label("Je confirme le refus de cette demande").check()
    page.get_by_role("button", name="Refuser la demande").click()
    message(page, "Demande refusée ; le prescripteur est informé.")
    se_deconnecter(page)

    # Le correspondant désigne le référent social de la réorientation (axe 3).
    se_connecter(page, live_server, "correspondant@demo.test", demo)
    expect(file(page, "prescriptions_a_designer").get_by_text("REFUS-TÉMOIN")).to_have_count(0)
    file(page, "reorientations").get_by_role("link", name="SOCIAL-TÉMOIN Irène").click()
    page.get_by_role("link", name="Désigner le travailleur social").click()
    choisir_travailleur_social(page, "Nadia Benali")
    page.get_by_role("button", name="Désigner").click()
    message(page, "Travailleur social désigné ; il est prévenu.")
    se_deconnecter(page)
    assert {a.role for a in Dossier.objects.get(pk=dossier_axe3.pk).affectations.ouvertes()} >= {
        RoleAffectation.REFERENT_SOCIAL
    }

    # Le prescripteur lit le motif du refus sur « Aujourd'hui ».
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    reponses = file(page, "prescriptions_repondues")
    expect(
        reponses.get_by_text(re.compile("Refusée par .* : Déjà accompagnée par le CCAS."))
    ).to_be_visible()
    expect(
        reponses.get_by_text(re.compile("Prise en charge : travail social confié à Nadia Benali"))
    ).to_be_visible()
