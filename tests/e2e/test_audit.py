"""Audit des lectures dans un vrai navigateur : le travailleur social cherche une personne,
ouvre son dossier et son journal ; l'animatrice retrouve ces lectures (termes cherchés,
structure d'où l'on a lu) sur la page d'audit, filtrée par personne et par action."""

import re

from playwright.sync_api import expect

from tests.e2e.test_listes import departement, se_connecter  # noqa: F401 (fixture)


def test_l_animatrice_retrouve_les_lectures_du_travailleur_social(
    page, live_server, departement, capture
):
    se_connecter(page, live_server, "ts@e2e.test")
    page.get_by_role("link", name="Mon portefeuille").click()
    page.get_by_label("Nom, prénom ou identifiant France Travail").fill("lefev")
    expect(page).to_have_url(re.compile(r"q=lefev"))
    page.get_by_role("link", name=re.compile("LEFÈVRE")).click()
    expect(page.get_by_role("heading", name=re.compile("LEFÈVRE"))).to_be_visible()
    page.goto(page.url.rstrip("/") + "/journal/")
    expect(page.get_by_role("heading", name=re.compile("Journal"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Nadia Benali")).click()
    page.get_by_role("button", name="Se déconnecter").click()

    se_connecter(page, live_server, "animatrice@e2e.test")
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_role("heading", name=re.compile("Journal d'audit"))).to_be_visible()
    page.get_by_label("Personne accompagnée").fill("Lefèvre")
    page.get_by_label("Action").select_option(label="Consultation")
    page.get_by_role("button", name="Filtrer").click()
    tableau = page.get_by_role("table")
    expect(tableau.get_by_text("Journal du dossier")).to_be_visible()
    expect(
        tableau.get_by_text("Travailleur social — Territoire d'action sociale de Besançon").first
    ).to_be_visible()
    expect(tableau.get_by_text("conseiller_dedie")).to_have_count(0)
    expect(tableau.get_by_text("dossiers.dossier")).to_have_count(0)
    capture("audit-lectures-personne")
    # Les termes cherchés : filtre « Consultation » sans personne.
    page.get_by_label("Personne accompagnée").fill("")
    page.get_by_role("button", name="Filtrer").click()
    expect(tableau.get_by_text("Texte : lefev").first).to_be_visible()
    capture("audit-lectures-recherches")
