"""Filtres d'affichage communs (chargés d'office dans tous les gabarits) et libellés
accordés : pluriel à la française, téléphone, taille de fichier, né / née, territoire."""

import pytest
from django.template import Context, Template

from accompagnement.texte import formater_telephone, minuscule_initiale, taille_lisible
from dossiers.models import Civilite, Demandeur


def rendre(gabarit: str, **contexte) -> str:
    return Template(gabarit).render(Context(contexte))


@pytest.mark.parametrize(
    ("nombre", "attendu"),
    [(0, "0 jour"), (1, "1 jour"), (1.5, "1,5 jour"), (2, "2 jours"), (31, "31 jours")],
)
def test_pluriel_a_la_francaise_zero_et_un_au_singulier(nombre, attendu):
    assert rendre("{{ n }} jour{{ n|pluriel }}", n=nombre) == attendu


def test_pluriel_avec_deux_formes_et_sur_une_liste():
    gabarit = "{{ n }} fiche{{ n|pluriel }} ser{{ n|pluriel:'a,ont' }} créée{{ n|pluriel }}"
    assert rendre(gabarit, n=0) == "0 fiche sera créée"
    assert rendre(gabarit, n=3) == "3 fiches seront créées"
    assert rendre("ligne{{ l|pluriel }}", l=[1]) == "ligne"
    assert rendre("ligne{{ l|pluriel }}", l=[1, 2]) == "lignes"
    assert rendre("x{{ v|pluriel }}", v="abc") == "x"  # texte non numérique : rien


@pytest.mark.parametrize(
    "saisi",
    ["0381517919", "03 81 51 79 19", "03.81.51.79.19", "+33381517919", "+33 3 81 51 79 19",
     "0033381517919", "03-81-51-79-19"],
)  # fmt: skip
def test_telephone_un_seul_format(saisi):
    assert formater_telephone(saisi) == "03 81 51 79 19"
    assert rendre("{{ t|telephone }}", t=saisi) == "03 81 51 79 19"


def test_telephone_etranger_ou_incomplet_tel_quel():
    assert formater_telephone("+41 22 123 45 67") == "+41 22 123 45 67"
    assert formater_telephone("3919") == "3919"
    assert formater_telephone("") == "" and formater_telephone(None) == ""


@pytest.mark.parametrize(
    ("octets", "attendu"),
    [(0, "0 octet"), (850, "850 octets"), (1024, "1 Ko"), (1536, "1,5 Ko"),
     (2_411_724, "2,3 Mo"), (10 * 1024 * 1024, "10 Mo"), (3 * 1024**3, "3 Go")],
)  # fmt: skip
def test_taille_de_fichier_en_ko_et_mo(octets, attendu):
    assert taille_lisible(octets) == attendu
    assert rendre("{{ t|taille_fichier }}", t=octets) == attendu


def test_minuscule_initiale_garde_les_noms_propres_et_les_sigles():
    assert minuscule_initiale("Conseiller France Travail") == "conseiller France Travail"
    assert minuscule_initiale("Contrat / CER") == "contrat / CER"
    assert minuscule_initiale("CER") == "CER"


def test_du_territoire_sans_redite():
    gabarit = "Les dossiers {{ nom|du_territoire }}"
    assert (
        rendre(gabarit, nom="Territoire d'action sociale de Besançon")
        == "Les dossiers du territoire d&#x27;action sociale de Besançon"
    )
    assert rendre(gabarit, nom="Haut-Doubs") == "Les dossiers du territoire Haut-Doubs"


def test_ne_ou_nee_selon_la_civilite():
    assert Demandeur(civilite=Civilite.MADAME).ne == "née"
    assert Demandeur(civilite=Civilite.MONSIEUR).ne == "né"
    assert rendre("{{ d.ne|capfirst }} le", d=Demandeur(civilite=Civilite.MONSIEUR)) == "Né le"


@pytest.mark.parametrize(
    ("nom", "court"),
    [
        ("Agence France Travail Besançon Planoise", "FT Besançon Planoise"),
        ("Agence Besançon Planoise", "FT Besançon Planoise"),
        ("Territoire d'action sociale de Besançon", "TAS Besançon"),
        ("Territoire d'action sociale du Haut-Doubs", "TAS Haut-Doubs"),
        ("Direction de l'insertion", "Direction de l'insertion"),
    ],
)
def test_nom_court_pour_la_colonne_agence_et_territoire(nom, court):
    assert rendre("{% autoescape off %}{{ n|nom_court }}{% endautoescape %}", n=nom) == court


def test_sans_axe_pour_un_dossier_pas_encore_oriente():
    assert rendre("{{ l|sans_axe }}", l="Conseiller de l'agence (axe 1)") == (
        "Conseiller de l&#x27;agence"
    )
