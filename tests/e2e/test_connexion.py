import re

from playwright.sync_api import expect


def se_connecter(page, live_server, email, mot_de_passe):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))
    page.get_by_label("Courriel professionnel").fill(email)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()


def test_un_conseiller_se_connecte_et_voit_son_accueil(page, live_server, demo, capture):
    page.goto(f"{live_server.url}/connexion/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    capture("connexion")
    se_connecter(page, live_server, "conseiller@demo.test", demo)
    expect(page.get_by_role("heading", name="Bonjour Camille")).to_be_visible()
    expect(
        page.get_by_text("Conseiller France Travail — Agence France Travail Besançon Planoise")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Annuaire", exact=True)).to_be_visible()
    # Le tableau de coordination n'est pas montré à un conseiller.
    expect(page.get_by_text("Structures et effectifs du département")).to_have_count(0)
    capture("accueil-conseiller")


def test_l_animatrice_voit_ses_files_l_administrateur_les_effectifs(
    page, live_server, demo, capture
):
    se_connecter(page, live_server, "animatrice@demo.test", demo)
    expect(page.get_by_role("heading", name="Dossiers à orienter")).to_be_visible()
    expect(page.get_by_role("heading", name="Axe 2 sans binôme complet")).to_be_visible()
    page.get_by_role("button", name="Claire Vuillemin").click()
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    capture("accueil-animatrice")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    se_connecter(page, live_server, "administrateur@demo.test", demo)
    expect(
        page.get_by_role("heading", name="Structures et effectifs du département")
    ).to_be_visible()
    ligne = page.get_by_role("row", name=re.compile("Agence France Travail Pontarlier"))
    expect(ligne).to_be_visible()


def test_plusieurs_rattachements_choix_puis_deconnexion(page, live_server, demo, capture):
    se_connecter(page, live_server, "multi@demo.test", demo)
    expect(
        page.get_by_role("heading", name="Pour quelle structure travaillez-vous ?")
    ).to_be_visible()
    capture("choix-structure")
    page.get_by_label(
        re.compile("Territoire d'action sociale du Haut-Doubs — Correspondant insertion")
    ).check()
    page.get_by_role("button", name="Continuer").click()
    # Son accueil « Aujourd'hui » : les files du correspondant insertion.
    expect(page.get_by_role("heading", name="Travailleurs sociaux à désigner")).to_be_visible()
    page.get_by_role("button", name=re.compile("Élodie Faivre")).click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
