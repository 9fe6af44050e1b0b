"""Usage au clavier seul (RGAA 7.3, 12.8, 10.7) : connexion, création d'une personne et
ouverture de son dossier sans souris. Chaque champ est atteint par Tab dans l'ordre de la
page, rempli au clavier, et le focus reste visible ; l'analyse axe-core des pages visitées
est faite par la fixture `accessibilite` (conftest)."""

from playwright.sync_api import expect

TABULATIONS_MAX = 80


def tabuler_jusqu_a(page, cible, *, arriere: bool = False):
    """Appuie sur Tab jusqu'à ce que `cible` ait le focus (échoue sinon) et vérifie que
    le focus est visible (contour de :focus-visible)."""
    touche = "Shift+Tab" if arriere else "Tab"
    if cible.evaluate("e => e === document.activeElement"):
        return  # déjà là (autofocus)
    for _ in range(TABULATIONS_MAX):
        page.keyboard.press(touche)
        if cible.evaluate("e => e === document.activeElement"):
            contour = cible.evaluate("e => getComputedStyle(e).outlineStyle")
            assert contour != "none", "focus invisible sur l'élément atteint au clavier"
            return
    raise AssertionError(f"{cible} n'est pas atteignable au clavier ({TABULATIONS_MAX} Tab)")


def test_connexion_et_creation_d_un_dossier_au_clavier_seul(page, live_server, demo, capture):
    page.goto(f"{live_server.url}/connexion/")
    tabuler_jusqu_a(page, page.get_by_label("Courriel professionnel"))
    page.keyboard.type("conseiller@demo.test")
    tabuler_jusqu_a(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(demo)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bonjour Camille")).to_be_visible()
    # Premier arrêt d'une page connectée : le lien d'évitement vers le contenu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"

    tabuler_jusqu_a(page, page.get_by_role("link", name="Nouvelle personne"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Civilité")).to_be_visible()

    tabuler_jusqu_a(page, page.get_by_label("Civilité"))
    page.keyboard.type("Madame")
    tabuler_jusqu_a(page, page.get_by_label("Nom d'usage"))
    page.keyboard.type("Clavier-Seul")
    tabuler_jusqu_a(page, page.locator("#id_personne-prenom"))
    page.keyboard.type("Maëlys")
    tabuler_jusqu_a(page, page.get_by_label("Date de naissance"))
    # 03/03 : même saisie que le champ date suive l'ordre jj/mm ou mm/jj (Chromium sans
    # interface garde l'ordre américain malgré --lang).
    page.keyboard.type("03031991")
    tabuler_jusqu_a(page, page.get_by_label("Allocataire du RSA"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Allocataire du RSA")).to_be_checked()
    tabuler_jusqu_a(page, page.get_by_label("Territoire d'action sociale"))
    page.keyboard.type("Territoire d'action sociale de Besançon")
    tabuler_jusqu_a(page, page.get_by_label("Motif de l'orientation vers le dispositif"))
    page.keyboard.type("Demande faite au guichet, saisie au clavier.")
    # Retour arrière possible (Shift+Tab) sans piège au clavier.
    tabuler_jusqu_a(page, page.get_by_label("Territoire d'action sociale"), arriere=True)
    tabuler_jusqu_a(page, page.get_by_label("Motif de l'orientation vers le dispositif"))
    capture("clavier-creation")
    tabuler_jusqu_a(page, page.get_by_role("button", name="Enregistrer et ouvrir le dossier"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Madame Maëlys CLAVIER-SEUL")).to_be_visible()
    expect(page.get_by_text("Née le")).to_be_visible()
    expect(page.get_by_text("03/03/1991")).to_be_visible()
    expect(page.get_by_text("CLAVIER-SEUL Maëlys est enregistrée")).to_be_visible()
