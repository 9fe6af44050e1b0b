"""Parcours d'import des demandeurs par l'animatrice, dans un vrai navigateur."""

import re

from playwright.sync_api import expect

from dossiers.models import Demandeur
from tests.e2e.test_connexion import se_connecter

ENTETE = "Civilité;Nom;Prénom;Date de naissance;IDE;Code postal;Commune;RSA;Agence"
LIGNES = [
    "Mme;Lefèvre;Élodie;12/03/1985;1234567A;25000;Besançon;oui;Agence France Travail Pontarlier",
    "M;Girard;Karim;1990-07-01;2345678B;25300;Pontarlier;non;",
    "Mme;Da Silva;Ana;05/11/1978;;25200;Montbéliard;x;",
    "M;Bonnet;Hugo;31/02/1982;3456789C;25000;Besançon;non;",
    "Mme;Roy;Inès;14/08/1995;12AB;25000;Besançon;oui;Agence de Mars",
]


def fichier(lignes):
    contenu = "\n".join([ENTETE, *lignes]).encode()
    return {"name": "demandeurs.csv", "mimeType": "text/csv", "buffer": contenu}


def test_l_animatrice_importe_un_fichier_corrige_apres_l_apercu(
    page, live_server, demo, capture, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    se_connecter(page, live_server, "animatrice@demo.test", demo)
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Importer des demandeurs")).to_be_visible()
    capture("import-depot")
    page.get_by_label("Fichier des demandeurs").set_input_files(fichier(LIGNES))
    page.get_by_role("button", name="Déposer et continuer").click()

    expect(page.get_by_role("heading", name="Correspondance des colonnes")).to_be_visible()
    expect(page.get_by_label("Identifiant France Travail")).to_have_value("IDE")
    capture("import-correspondance")
    page.get_by_role("button", name="Voir l'aperçu").click()

    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()
    expect(page.get_by_role("heading", name="Le fichier doit être corrigé")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^6 ROY Inès"))).to_contain_text(
        "agence inconnue « Agence de Mars »"
    )
    # Des lignes valides : l'import partiel est proposé, sur case à cocher obligatoire.
    expect(page.get_by_role("button", name="Importer", exact=True)).to_have_count(0)
    expect(
        page.get_by_label("Importer seulement les 3 lignes valides (import partiel)")
    ).not_to_be_checked()
    expect(page.get_by_role("button", name="Importer les lignes valides")).to_be_visible()
    capture("import-apercu-erreurs")
    assert Demandeur.objects.count() == 0

    page.get_by_role("link", name="déposez-le de nouveau").click()
    page.get_by_label("Fichier des demandeurs").set_input_files(fichier(LIGNES[:3]))
    page.get_by_role("button", name="Déposer et continuer").click()
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()
    expect(page.get_by_role("heading", name="Le fichier doit être corrigé")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile(r"^2 LEFÈVRE Élodie"))).to_contain_text(
        "Nouvelle fiche"
    )
    capture("import-apercu")
    page.get_by_role("button", name="Importer", exact=True).click()

    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible()
    expect(page.get_by_role("row", name="Fiches créées 3")).to_be_visible()
    capture("import-resultat")
    assert Demandeur.objects.get(identifiant_ft="1234567A").agence.nom.endswith("Pontarlier")
