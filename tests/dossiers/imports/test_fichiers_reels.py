"""Import des demandeurs à partir des fichiers qu'un Département exporte vraiment :
CSV Windows-1252 d'Excel, en-tête « Identifiant FT (IDE) », ligne au « ; » en trop, import
partiel sur choix explicite, doublons possibles sous une autre graphie."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import EvenementAudit, Role
from dossiers.imports.fichier import lire_fichier
from dossiers.imports.services import (
    analyser,
    appliquer_import,
    correspondance_par_defaut,
    proposer_correspondance,
)
from dossiers.models import Civilite, Demandeur
from tests.accompagnement.factories import DepartementFactory
from tests.dossiers.factories import DemandeurFactory, membre

pytestmark = pytest.mark.django_db

# Export « CSV (séparateur : point-virgule) » d'Excel sous Windows : Windows-1252, CRLF.
ENTETE_EXCEL = "Civilité;Nom;Prénom;Date de naissance;Identifiant FT (IDE);Code postal;Commune"
LIGNES_EXCEL = [
    "Mme;Lefèvre;Hélène-Marie;12/03/1985;1234567A;25000;Besançon",
    "M;Cœurderoy;Noël;01/07/1990;2345678B;25300;Pontarlier",
    "Mme;Garçon;Zoé;05/11/1979;3456789C;25200;Montbéliard",
]


def fichier_excel(*lignes: str) -> bytes:
    return "\r\n".join([ENTETE_EXCEL, *lignes]).encode("cp1252") + b"\r\n"


def analyser_octets(contenu, departement, nom="export.csv"):
    tableau = lire_fichier(contenu, nom)
    correspondance = proposer_correspondance(tableau.entetes, departement)
    return analyser(tableau, departement=departement, correspondance=correspondance)


@pytest.fixture
def departement():
    return DepartementFactory(code_insee="25", nom="Doubs")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_entete_identifiant_ft_ide_entre_parentheses_reconnu():
    correspondance = correspondance_par_defaut(
        ["Nom", "Prénom", "Identifiant FT (IDE)", "Code postal (CP)"]
    )
    assert correspondance["identifiant_ft"] == "Identifiant FT (IDE)"
    assert correspondance["code_postal"] == "Code postal (CP)"
    assert correspondance_par_defaut(["(IDE)"])["identifiant_ft"] == "(IDE)"


def test_fichier_windows_1252_accents_intacts_a_l_ecriture(departement):
    analyse = analyser_octets(fichier_excel(*LIGNES_EXCEL), departement)
    assert analyse.libelle_encodage == "Windows-1252"
    assert analyse.applicable, analyse.messages_erreur()
    resume = appliquer_import(analyse=analyse, par=None)
    assert resume.crees == 3
    personnes = {(d.nom, d.prenom, d.commune, d.identifiant_ft) for d in Demandeur.objects.all()}
    assert personnes == {
        ("Lefèvre", "Hélène-Marie", "Besançon", "1234567A"),
        ("Cœurderoy", "Noël", "Pontarlier", "2345678B"),
        ("Garçon", "Zoé", "Montbéliard", "3456789C"),
    }


def test_ligne_avec_un_point_virgule_dans_une_valeur_message_clair(departement):
    decalee = "M;Durand;Paul;02/02/1982;4567890D;25000;3; bis rue Battant;Besançon"
    courte = "Mme;Petit;Léa;03/03/1983;5678901E;25000"
    finale_vide = "Mme;Roux;Inès;04/04/1984;6789012F;25000;Besançon;;"
    analyse = analyser_octets(
        fichier_excel(LIGNES_EXCEL[0], decalee, courte, finale_vide), departement
    )
    erreurs = {ligne.numero: ligne.erreurs for ligne in analyse.lignes}
    assert erreurs[3] == ["9 cellules au lieu de 7 : un « ; » dans une valeur ?"]
    assert erreurs[4] == [
        "6 cellules au lieu de 7 : une valeur manquante ou un « ; » effacé sur cette ligne ?"
    ]
    assert erreurs[2] == [] and erreurs[5] == []  # « ;; » final vide toléré


def test_import_partiel_ecrit_exactement_les_lignes_valides(departement):
    lignes = [
        LIGNES_EXCEL[0],
        "M;Faux;Date;31/02/1990;7890123G;25000;Besançon",  # ligne 3 : date invalide
        LIGNES_EXCEL[1],
        "Mme;Trop;Long;01/01/1970;8901234H;25000;Besan;çon",  # ligne 5 : cellule en trop
        LIGNES_EXCEL[2],
    ]
    contenu = fichier_excel(*lignes)
    with pytest.raises(ErreurMetier, match="2 ligne\\(s\\) en erreur : rien n'a été importé"):
        appliquer_import(analyse=analyser_octets(contenu, departement), par=None)
    assert Demandeur.objects.count() == 0

    resume = appliquer_import(
        analyse=analyser_octets(contenu, departement), par=None, accepter_partiel=True
    )
    assert (resume.crees, resume.mis_a_jour) == (3, 0)
    assert [numero for numero, _ in resume.rejetees] == [3, 5]
    assert "Date de naissance" in resume.rejetees[0][1][0]
    assert resume.rejetees[1][1] == ("8 cellules au lieu de 7 : un « ; » dans une valeur ?",)
    assert sorted(Demandeur.objects.values_list("identifiant_ft", flat=True)) == [
        "1234567A",
        "2345678B",
        "3456789C",
    ]
    trace = EvenementAudit.objects.get(details__objet_type="import_demandeurs")
    assert trace.details["partiel"] is True
    assert trace.details["lignes_rejetees"] == [3, 5]


def test_import_partiel_refuse_si_aucune_ligne_valide(departement):
    contenu = fichier_excel("M;Faux;Date;31/02/1990;7890123G;25000;Besançon")
    analyse = analyser_octets(contenu, departement)
    assert not analyse.applicable_en_partie
    with pytest.raises(ErreurMetier, match="Toutes les lignes sont en erreur"):
        appliquer_import(analyse=analyse, par=None, accepter_partiel=True)
    assert Demandeur.objects.count() == 0


@pytest.mark.parametrize(
    ("existante", "importee"),
    [
        (("Le Fèvre", "Anne"), ("Lefèvre", "Anne")),
        (("Lefèvre", "Anne"), ("LE FEVRE", "Anne")),
        (("Martin", "Hélène-Marie"), ("Martin", "Hélène Marie")),
        (("Martin", "Hélène Marie"), ("Martin", "HELENE-MARIE")),
    ],
)
def test_doublons_possibles_avec_une_fiche_existante(departement, existante, importee):
    naissance = dt.date(1980, 5, 6)
    DemandeurFactory(
        departement=departement,
        nom=existante[0],
        prenom=existante[1],
        date_naissance=naissance,
        civilite=Civilite.MADAME,
        identifiant_ft="",
    )
    ligne = f"Mme;{importee[0]};{importee[1]};06/05/1980;;25000;Besançon"
    analyse = analyser_octets(fichier_excel(ligne), departement)
    [resultat] = analyse.lignes
    assert analyse.avec_avertissement == [resultat]
    [avertissement] = resultat.avertissements
    assert f"« {existante[0].upper()} {existante[1]} » (née le 06/05/1980)" in avertissement
    assert "vérifiez qu'il s'agit de la même personne" in avertissement


def test_doublons_possibles_dans_le_fichier_et_homonymes_distincts_non_signales(departement):
    lignes = [
        "Mme;Le Fèvre;Anne;06/05/1980;;25000;Besançon",
        "Mme;Lefèvre;Anne;06/05/1980;;25000;Besançon",  # même personne probable
        "Mme;Lefèvre;Anne;07/05/1980;;25000;Besançon",  # autre date : pas un doublon
        "M;Martin;Paul;01/01/1990;;25000;Besançon",
    ]
    analyse = analyser_octets(fichier_excel(*lignes), departement)
    avertissements = {ligne.numero: ligne.avertissements for ligne in analyse.lignes}
    assert avertissements[3] == [
        "Doublon possible avec la ligne 2 : « LEFÈVRE Anne » et « LE FÈVRE Anne », même date "
        "de naissance."
    ]
    assert avertissements[2] == avertissements[4] == avertissements[5] == []
    assert analyse.applicable  # signalé, pas bloquant : l'animatrice décide


def test_commande_accepter_partiel(departement, tmp_path):
    fichier = tmp_path / "export.csv"
    fichier.write_bytes(
        fichier_excel(LIGNES_EXCEL[0], "M;Faux;Date;31/02/1990;7890123G;25000;Besançon")
    )
    sortie = io.StringIO()
    with pytest.raises(CommandError, match="--accepter-partiel"):
        call_command(
            "import_demandeurs", str(fichier), "--departement", "25", "--wet-run",
            stdout=sortie, stderr=io.StringIO(),
        )  # fmt: skip
    assert Demandeur.objects.count() == 0
    assert "Encodage détecté : Windows-1252" in sortie.getvalue()
    sortie = io.StringIO()
    call_command(
        "import_demandeurs", str(fichier), "--departement", "25", "--wet-run",
        "--accepter-partiel", stdout=sortie, stderr=io.StringIO(),
    )  # fmt: skip
    assert (
        "1 créée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ligne(s) rejetée(s)." in sortie.getvalue()
    )
    assert list(Demandeur.objects.values_list("prenom", flat=True)) == ["Hélène-Marie"]


def test_page_apercu_encodage_case_import_partiel_et_resultat(client_de, departement):
    client = client_de(membre(Role.ANIMATRICE, departement))
    fichier = io.BytesIO(
        fichier_excel(LIGNES_EXCEL[0], "M;Faux;Date;31/02/1990;7890123G;25000;Besançon")
    )
    fichier.name = "export.csv"
    client.post(reverse("dossiers:import"), {"fichier": fichier})
    tableau_entetes = ENTETE_EXCEL.split(";")
    client.post(
        reverse("dossiers:import_correspondance"),
        proposer_correspondance(tableau_entetes, departement),
    )
    contenu = client.get(reverse("dossiers:import_apercu")).content.decode()
    assert "(encodage détecté : Windows-1252)" in contenu
    assert "Importer seulement la ligne valide (import partiel)" in contenu

    # Sans la case cochée : rien n'est écrit.
    refus = client.post(reverse("dossiers:import_appliquer"), follow=True).content.decode()
    assert "rien n&#x27;a été importé" in refus
    assert Demandeur.objects.count() == 0

    resultat = client.post(
        reverse("dossiers:import_appliquer"), {"accepter_partiel": "1"}, follow=True
    ).content.decode()
    assert "importé en partie : 1 ligne rejetée" in resultat
    assert '<th scope="row">3</th>' in resultat
    assert "Date de naissance" in resultat
    assert list(Demandeur.objects.values_list("nom", flat=True)) == ["Lefèvre"]
