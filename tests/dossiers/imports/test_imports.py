"""Import des demandeurs : lecture (CSV, XLSX, fichiers malformés), correspondance des
colonnes, analyse, application tout ou rien, commande et pages de l'animatrice."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import ActionAudit, EvenementAudit, Role
from dossiers.imports.champs import TAILLE_MAX, ErreurFichier
from dossiers.imports.fichier import lire_fichier
from dossiers.imports.services import (
    Action,
    analyser,
    appliquer_import,
    correspondance_par_defaut,
    enregistrer_correspondance,
    proposer_correspondance,
)
from dossiers.models import CorrespondanceImport, Demandeur, Indemnisation
from tests.accompagnement.factories import DepartementFactory, MembershipFactory, StructureFactory
from tests.dossiers.factories import DemandeurFactory, membre

pytestmark = pytest.mark.django_db

FICHIERS = Path(__file__).parent / "fichiers"
ENTETES = [
    "Civilité",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Identifiant FT",
    "Code postal",
    "Commune",
    "Code INSEE",
    "RSA",
    "N° CAF",
    "Courriel",
    "Téléphone",
]
PRENOMS = ["Élodie", "Karim", "Ana", "Jean-Luc", "Zoé", "Noël", "Inès", "Loïc"]


def personne(i: int, **autres) -> dict:
    valeurs = {
        "Civilité": "Mme" if i % 2 else "M",
        "Nom": f"Martin{i:04d}",
        "Prénom": PRENOMS[i % len(PRENOMS)],
        "Date de naissance": (dt.date(1950, 1, 1) + dt.timedelta(days=41 * i)).strftime("%d/%m/%Y"),
        "Identifiant FT": f"{3000000 + i:07d}A",
        "Code postal": "25000",
        "Commune": "Besançon",
        "Code INSEE": "25056",
        "RSA": "oui" if i % 3 == 0 else "non",
        "N° CAF": f"{5000000 + i:07d}",
        "Courriel": f"personne{i}@exemple.test",
        "Téléphone": "06 12 34 56 78",
    }
    valeurs.update(autres)
    return valeurs


def csv_octets(lignes, entetes=ENTETES, sep=";", bom=False, encodage="utf-8") -> bytes:
    texte = "\n".join(
        [sep.join(entetes), *(sep.join(str(ligne.get(e, "")) for e in entetes) for ligne in lignes)]
    )
    return (b"\xef\xbb\xbf" if bom else b"") + texte.encode(encodage)


def xlsx_octets(lignes_cellules, entetes=ENTETES) -> bytes:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(entetes)
    for cellules in lignes_cellules:
        feuille.append(cellules)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def analyser_octets(contenu, departement, nom="demandeurs.csv", correspondance=None):
    tableau = lire_fichier(contenu, nom)
    if correspondance is None:
        correspondance = proposer_correspondance(tableau.entetes, departement)
    return analyser(tableau, departement=departement, correspondance=correspondance)


def importer(contenu, departement, nom="demandeurs.csv", par=None):
    return appliquer_import(analyse=analyser_octets(contenu, departement, nom), par=par)


@pytest.fixture
def departement():
    return DepartementFactory(code_insee="25", nom="Doubs")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Lecture -----------------------------------------------------------------------------------


def test_csv_utf8_avec_bom_et_point_virgule():
    tableau = lire_fichier((FICHIERS / "demandeurs_exemple.csv").read_bytes(), "exemple.csv")
    assert tableau.entetes[0] == "Civilité"  # le BOM ne colle pas au premier en-tête
    assert [numero for numero, _ in tableau.lignes] == [2, 3, 4]
    assert tableau.lignes[0][1][1:3] == ["Lefèvre", "Élodie"]


def test_csv_virgule_detectee_et_lignes_vides_ignorees_sans_renumeroter():
    contenu = "Nom,Prénom,Date de naissance\nDUPONT,Anne,01/02/1980\n,,\nDURAND,Léa,1990-05-06\n"
    tableau = lire_fichier(contenu.encode(), "f.csv")
    assert tableau.entetes == ["Nom", "Prénom", "Date de naissance"]
    assert [(n, c[0]) for n, c in tableau.lignes] == [(2, "DUPONT"), (4, "DURAND")]


def test_csv_windows_1252_accents_intacts_et_encodage_detecte():
    contenu = "Nom;Prénom;Commune\nDUPONT;Anne;Besançon\nLEFÈVRE;Éloïse;Cœur-à-cœur\n"
    tableau = lire_fichier(contenu.encode("cp1252"), "f.csv")
    assert tableau.entetes == ["Nom", "Prénom", "Commune"]
    assert tableau.lignes[1][1] == ["LEFÈVRE", "Éloïse", "Cœur-à-cœur"]
    assert (tableau.encodage, tableau.libelle_encodage) == ("cp1252", "Windows-1252")
    assert lire_fichier(contenu.encode(), "f.csv").libelle_encodage == "UTF-8"
    assert lire_fichier(xlsx_octets([["x"] * 12]), "f.xlsx").encodage is None


def test_utf8_abime_erreur_claire_avec_numero_de_ligne():
    contenu = "Nom;Prénom\nDUPONT;Anne\nLEFÈVRE;Éloïse\n".encode() + b"DURAND;L\xe9a\n"
    with pytest.raises(ErreurFichier) as exc:
        lire_fichier(contenu, "f.csv")
    # UTF-8 partout sauf un octet : pas lu comme du Windows-1252 (« PrÃ©nom »).
    assert "n'est pas encodé en UTF-8" in exc.value.message
    assert "ligne 4" in exc.value.message
    assert "CSV UTF-8" in exc.value.message


@pytest.mark.parametrize(
    ("contenu", "nom", "attendu"),
    [
        (b"", "f.csv", "Le fichier est vide."),
        (b"Nom;Pr\xc3\xa9nom\n", "f.csv", "aucune ligne de données"),
        (b";;\nDUPONT;Anne\n", "f.csv", "doit contenir les en-têtes"),
        (b"PK\x03\x04pas vraiment un zip", "f.xlsx", "illisible ou corrompu"),
        (b"n'importe quoi", "f.xlsx", "illisible ou corrompu"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "f.xls", "Excel 97-2003"),
        (b"Nom\nDUPONT\n", "f.txt", "Format non pris en charge"),
        (b"\xff\xfeN\x00o\x00m\x00", "f.csv", "UTF-16"),
        (b"Nom\x00\x01\x02", "f.csv", "contenu binaire"),
    ],
)
def test_fichiers_malformes_refuses_clairement(contenu, nom, attendu):
    with pytest.raises(ErreurFichier) as exc:
        lire_fichier(contenu, nom)
    assert attendu in exc.value.message


def test_fichier_trop_gros_refuse():
    with pytest.raises(
        ErreurFichier, match=r"10 Mo au plus\. Découpez-le en plusieurs fichiers\.$"
    ):
        lire_fichier(b"x" * (TAILLE_MAX + 1), "f.csv")


def test_bombe_de_decompression_refusee_avant_openpyxl():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (20 * 1024 * 1024))
    with pytest.raises(ErreurFichier, match="possible bombe de décompression"):
        lire_fichier(tampon.getvalue(), "demandeurs.xlsx")


def test_classeur_au_dela_du_plafond_decompresse_des_imports_refuse():
    """Régression (ticket 11) : 227 Ko devenaient 843 Mo (208 s de CPU). Un classeur qui
    se décompresse au-delà de 100 Mo est refusé avant openpyxl, même au taux ordinaire."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        # Membres de moins de 10 Mo : leur taux de compression n'est pas regardé.
        for i in range(11):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", b"<c/>" * (2_400_000))
    assert len(tampon.getvalue()) < 1024 * 1024
    with pytest.raises(ErreurFichier, match=r"possible bombe de décompression.*100 Mo au plus"):
        lire_fichier(tampon.getvalue(), "demandeurs.xlsx")


def test_trop_de_cellules_refuse(monkeypatch):
    from dossiers.imports import fichier

    monkeypatch.setattr(fichier, "CELLULES_MAX", 50)
    large = xlsx_octets([["x"] * 20 for _ in range(3)], entetes=[f"C{i}" for i in range(20)])
    with pytest.raises(ErreurFichier, match="dépasse 50 cellules"):
        lire_fichier(large, "f.xlsx")
    csv = ("a;b\n" + "1;2\n" * 30).encode()
    with pytest.raises(ErreurFichier, match="dépasse 50 cellules"):
        lire_fichier(csv, "f.csv")


def test_xlsx_dates_excel_et_codes_numeriques(departement):
    elodie = ["Mme", "Lefèvre", "Élodie", dt.datetime(1985, 3, 12), "1234567A", 1000, "Bourg"]
    karim = ["M", "Girard", "Karim", "1990-07-01", "2345678B", "25300", "Pontarlier"]
    contenu = xlsx_octets([[*elodie, 1053], [*karim, "25462"]], entetes=ENTETES[:8])
    analyse = analyser_octets(contenu, departement, nom="f.xlsx")
    assert [ligne.action for ligne in analyse.lignes] == [Action.CREATION, Action.CREATION]
    premiere = analyse.lignes[0].valeurs
    assert premiere["date_naissance"] == dt.date(1985, 3, 12)
    # Le tableur a perdu le zéro de tête : 01000 et 01053 sont rétablis.
    assert premiere["code_postal"] == "01000"
    assert premiere["code_commune"] == "01053"


# --- Correspondance des colonnes ---------------------------------------------------------------


def test_correspondance_par_defaut_reconnait_les_entetes_usuels():
    entetes = [
        "NOM",
        "prénom",
        "Date de naissance",
        "IDE",
        "CP",
        "Ville",
        "Code INSEE",
        "N° CAF",
        "E-mail",
        "Tél.",
        "Sans rapport",
    ]
    assert correspondance_par_defaut(entetes) == {
        "nom": "NOM",
        "prenom": "prénom",
        "date_naissance": "Date de naissance",
        "identifiant_ft": "IDE",
        "email": "E-mail",
        "telephone": "Tél.",
        "code_postal": "CP",
        "commune": "Ville",
        "code_commune": "Code INSEE",
        "numero_caf": "N° CAF",
    }


def test_colonnes_obligatoires_absentes_erreur_de_fichier_globale(departement):
    contenu = csv_octets([personne(1)], entetes=["Civilité", "Nom", "Courriel"])
    with pytest.raises(ErreurFichier) as exc:
        analyser_octets(contenu, departement)
    assert "Colonnes obligatoires absentes du fichier : Prénom, Date de naissance" in (
        exc.value.message
    )
    assert "« Courriel »" in exc.value.message  # les en-têtes trouvés sont rappelés


def test_correspondance_sauvegardee_puis_reutilisee_par_departement(departement):
    animatrice = membre(Role.ANIMATRICE, departement)
    entetes = ["Civ", "Patronyme", "Prénom", "Né(e) le", "Numéro demandeur"]
    colonnes = {
        "civilite": "Civ",
        "nom": "Patronyme",
        "prenom": "Prénom",
        "date_naissance": "Né(e) le",
        "identifiant_ft": "Numéro demandeur",
    }
    enregistrer_correspondance(departement=departement, colonnes=colonnes, par=animatrice)
    assert CorrespondanceImport.objects.get(departement=departement).colonnes == colonnes
    # Le mois suivant, même fichier : la correspondance revient sans ressaisie.
    assert proposer_correspondance(entetes, departement) == colonnes
    # Un autre département n'en hérite pas : « Patronyme » et « Numéro demandeur » n'y
    # sont pas reconnus.
    autre = DepartementFactory(code_insee="61")
    assert "nom" not in proposer_correspondance(entetes, autre)
    # Le fichier suivant a perdu une colonne : la reconnaissance d'office prend le relais.
    nouveaux = ["Civ", "Nom", "Prénom", "Né(e) le"]
    assert proposer_correspondance(nouveaux, departement)["nom"] == "Nom"
    evenement = EvenementAudit.objects.get(objet_type="dossiers.correspondanceimport")
    assert evenement.action == ActionAudit.MODIFICATION
    assert evenement.acteur == animatrice.user


# --- Analyse et application --------------------------------------------------------------------


def test_bon_fichier_csv_cree_les_fiches_et_trace_l_import(departement):
    agence = StructureFactory(departement=departement, agence=True, nom="Agence Planoise")
    agence.code = "25031"
    agence.save()
    animatrice = membre(Role.ANIMATRICE, departement)
    entetes = [*ENTETES, "Agence", "Indemnisation", "Droits et devoirs", "Date d'ouverture RSA"]
    lignes = [
        personne(1, Agence="25031", Indemnisation="ARE"),
        personne(2, Agence="agence planoise", **{"Droits et devoirs": "x"}),
        personne(3, **{"Date d'ouverture RSA": "2021-09-01"}),
    ]
    resume = importer(csv_octets(lignes, entetes=entetes), departement, par=animatrice)
    assert (resume.crees, resume.mis_a_jour, resume.inchanges) == (3, 0, 0)
    d1, d2, d3 = Demandeur.objects.du_departement(departement).order_by("nom")
    assert (d1.nom, d1.prenom, d1.civilite) == ("Martin0001", "Karim", "mme")
    assert d1.identifiant_ft == "3000001A" and d1.numero_caf == "5000001"
    assert d1.agence == agence and d2.agence == agence and d3.agence is None
    assert d1.indemnisation == Indemnisation.ARE and d2.indemnisation == Indemnisation.AUCUNE
    assert d2.rsa_droits_devoirs and not d1.rsa_droits_devoirs
    assert d3.rsa_allocataire and d3.rsa_date_ouverture == dt.date(2021, 9, 1)
    # Colonnes dérivées calculées malgré bulk_create.
    assert d1.cle_identite == Demandeur.calculer_cle_identite(
        "Martin0001", "Karim", d1.date_naissance
    )
    assert "martin0001" in d1.texte_recherche
    evenement = EvenementAudit.objects.get(details__objet_type="import_demandeurs")
    assert evenement.action == ActionAudit.CREATION
    assert evenement.acteur == animatrice.user and evenement.departement == departement
    assert evenement.details["crees"] == 3 and evenement.details["fichier"] == "demandeurs.csv"
    assert sorted(evenement.details["demandeurs_crees"]) == sorted(
        str(d.uuid) for d in (d1, d2, d3)
    )


def test_bon_fichier_xlsx_cree_les_fiches(departement):
    identite = ["Mme", "Lefèvre", "Élodie", dt.date(1985, 3, 12), "1234567A"]
    coordonnees = ["25000", "Besançon", "25056", True, 1234567, "elodie@exemple.test", 612345678]
    karim = ["M", "Girard", "Karim", "01/07/1990", "", 25300, "Pontarlier", 25462, "non"]
    contenu = xlsx_octets([[*identite, *coordonnees], karim])
    resume = importer(contenu, departement, nom="demandeurs.xlsx")
    assert resume.crees == 2
    elodie = Demandeur.objects.get(identifiant_ft="1234567A")
    assert elodie.date_naissance == dt.date(1985, 3, 12)
    assert elodie.rsa_allocataire is True and elodie.numero_caf == "1234567"
    assert elodie.telephone == "0612345678"
    karim = Demandeur.objects.get(nom="Girard")
    assert karim.identifiant_ft == "" and karim.code_postal == "25300"


def test_reimport_du_meme_fichier_inchange_puis_mises_a_jour_sans_doublon(departement):
    lignes = [personne(i) for i in range(5)]
    importer(csv_octets(lignes), departement)
    assert Demandeur.objects.count() == 5

    resume = importer(csv_octets(lignes), departement)
    assert (resume.crees, resume.mis_a_jour, resume.inchanges) == (0, 0, 5)

    lignes[1]["Courriel"] = "nouvelle.adresse@exemple.test"
    lignes[2]["RSA"] = "oui" if lignes[2]["RSA"] == "non" else "non"
    analyse = analyser_octets(csv_octets(lignes), departement)
    assert [ligne.action for ligne in analyse.lignes] == [
        Action.INCHANGE,
        Action.MISE_A_JOUR,
        Action.MISE_A_JOUR,
        Action.INCHANGE,
        Action.INCHANGE,
    ]
    assert analyse.lignes[1].libelles_changements == ["Courriel"]
    avant = Demandeur.objects.get(identifiant_ft="3000001A").modifie_le
    resume = appliquer_import(analyse=analyse, par=None)
    assert (resume.crees, resume.mis_a_jour, resume.inchanges) == (0, 2, 3)
    assert Demandeur.objects.count() == 5
    maj = Demandeur.objects.get(identifiant_ft="3000001A")
    assert maj.email == "nouvelle.adresse@exemple.test"
    assert maj.modifie_le > avant


def test_accents_et_casse_ignores_pour_reconnaitre_une_personne(departement):
    existante = DemandeurFactory(
        departement=departement,
        nom="Martin",
        prenom="Élodie",
        date_naissance=dt.date(1990, 1, 2),
        identifiant_ft="",
        email="",
    )
    contenu = csv_octets(
        [
            {
                "Nom": "MARTIN",
                "Prénom": "ELODIE",
                "Date de naissance": "02/01/1990",
                "Courriel": "e@x.fr",
            }
        ],
        entetes=["Nom", "Prénom", "Date de naissance", "Courriel"],
    )
    analyse = analyser_octets(contenu, departement)
    (ligne,) = analyse.lignes
    assert ligne.action == Action.MISE_A_JOUR and ligne.existant == existante
    # La graphie saisie à la main n'est pas écrasée par les majuscules du fichier.
    assert ligne.changements == ["email"]
    appliquer_import(analyse=analyse, par=None)
    existante.refresh_from_db()
    assert (existante.nom, existante.prenom, existante.email) == ("Martin", "Élodie", "e@x.fr")
    assert Demandeur.objects.count() == 1


def test_mise_a_jour_des_seuls_champs_fournis_et_cellule_vide_ne_remplace_rien(departement):
    existante = DemandeurFactory(
        departement=departement, identifiant_ft="1234567A", telephone="0381000000", email="a@b.fr"
    )
    contenu = csv_octets(
        [
            {
                "Nom": existante.nom,
                "Prénom": existante.prenom,
                "Date de naissance": f"{existante.date_naissance:%d/%m/%Y}",
                "IDE": "1234567a",
                "Téléphone": "",
                "RSA": "1",
            }
        ],
        entetes=["Nom", "Prénom", "Date de naissance", "IDE", "Téléphone", "RSA"],
    )
    resume = importer(contenu, departement)
    assert resume.mis_a_jour == 1
    existante.refresh_from_db()
    assert existante.rsa_allocataire is True
    assert existante.telephone == "0381000000"  # cellule vide : valeur gardée
    assert existante.email == "a@b.fr"  # colonne absente : valeur gardée


def test_un_autre_departement_n_est_jamais_rapproche(departement):
    ailleurs = DemandeurFactory(
        departement=DepartementFactory(code_insee="61"), identifiant_ft="3000001A"
    )
    resume = importer(csv_octets([personne(1)]), departement)
    assert resume.crees == 1
    ailleurs.refresh_from_db()
    assert ailleurs.email != "personne1@exemple.test"
    assert Demandeur.objects.filter(identifiant_ft="3000001A").count() == 2


def test_fichier_avec_erreurs_rien_n_est_ecrit_et_chaque_erreur_a_sa_ligne(departement):
    DemandeurFactory(departement=departement)
    StructureFactory(departement=departement, agence=True, nom="Agence Planoise")
    demain = timezone.localdate() + dt.timedelta(days=1)
    entetes = [*ENTETES, "Agence"]
    lignes = [
        personne(1),  # ligne 2 : valide
        personne(2, **{"Date de naissance": "31/02/1980"}),  # 3
        personne(3, **{"Date de naissance": f"{demain:%d/%m/%Y}"}),  # 4
        personne(4, **{"Identifiant FT": "12AB"}),  # 5
        personne(5, **{"Code postal": "25A00"}),  # 6
        personne(6, **{"Identifiant FT": "3000001A"}),  # 7 : même IDE que la ligne 2
        personne(7, Agence="Agence de Mars"),  # 8
        personne(8, Nom=""),  # 9
        personne(9, Civilité=""),  # 10 : création sans civilité
        personne(10, RSA="peut-être", Courriel="pas-un-courriel"),  # 11
    ]
    analyse = analyser_octets(csv_octets(lignes, entetes=entetes), departement)
    messages = analyse.messages_erreur()
    attendus = [
        "Ligne 3 : Date de naissance : « 31/02/1980 » n'est pas une date valide",
        f"Ligne 4 : Date de naissance : le {demain:%d/%m/%Y} est dans le futur",
        "Ligne 5 : Identifiant France Travail : « 12AB » : L'identifiant France Travail compte 8",
        "Ligne 6 : Code postal : « 25A00 » : Le code postal compte 5 chiffres",
        "Ligne 7 : Doublon dans le fichier : même identifiant France Travail que la ligne 2.",
        "Ligne 8 : Agence de rattachement : agence inconnue « Agence de Mars »",
        "Ligne 9 : Nom d'usage : valeur obligatoire manquante.",
        "Ligne 10 : Civilité : obligatoire pour créer une nouvelle fiche",
        "Ligne 11 : Courriel : « pas-un-courriel » n'est pas une adresse de courriel valide.",
        "Ligne 11 : Allocataire du RSA : « peut-être » : répondez oui ou non",
    ]
    for attendu in attendus:
        assert any(m.startswith(attendu) for m in messages), (attendu, messages)
    assert len(analyse.en_erreur) == 9 and len(analyse.creations) == 1
    with pytest.raises(ErreurMetier, match="9 ligne\\(s\\) en erreur : rien n'a été importé"):
        appliquer_import(analyse=analyse, par=None)
    assert Demandeur.objects.count() == 1
    assert not EvenementAudit.objects.filter(details__objet_type="import_demandeurs").exists()


def test_code_postal_a_quatre_chiffres_complete_mais_trois_chiffres_refuse(departement):
    """« 2500 » est un 02500 dont le tableur a perdu le zéro ; « 250 » reste une erreur."""
    lignes = [personne(1, **{"Code postal": "2500"}), personne(2, **{"Code postal": "250"})]
    analyse = analyser_octets(csv_octets(lignes), departement)
    assert analyse.lignes[0].valeurs["code_postal"] == "02500"
    assert analyse.lignes[1].erreurs == [
        "Code postal : « 250 » : Le code postal compte 5 chiffres (ex. 25000)."
    ]


def test_conflit_identifiant_et_identite_de_deux_fiches_differentes(departement):
    a = DemandeurFactory(departement=departement, identifiant_ft="1111111A")
    b = DemandeurFactory(departement=departement, identifiant_ft="2222222B")
    contenu = csv_octets(
        [
            # IDE de A, identité de B.
            {
                "Nom": b.nom,
                "Prénom": b.prenom,
                "Date de naissance": f"{b.date_naissance:%d/%m/%Y}",
                "IDE": "1111111A",
            },
            # Identité de A, un autre IDE que le sien.
            {
                "Nom": a.nom,
                "Prénom": a.prenom,
                "Date de naissance": f"{a.date_naissance:%d/%m/%Y}",
                "IDE": "3333333C",
            },
        ],
        entetes=["Nom", "Prénom", "Date de naissance", "IDE"],
    )
    analyse = analyser_octets(contenu, departement)
    premiere, seconde = analyse.lignes
    assert premiere.erreurs[0].startswith("Conflit : l'identifiant France Travail 1111111A")
    assert "existe déjà avec un autre identifiant France Travail (1111111A)" in seconde.erreurs[0]


def test_doublon_interne_par_identite_sans_accents(departement):
    lignes = [
        personne(1, **{"Identifiant FT": ""}),
        personne(1, **{"Identifiant FT": "", "Nom": "MARTIN0001", "Prénom": "karim"}),
    ]
    analyse = analyser_octets(csv_octets(lignes), departement)
    assert analyse.lignes[1].erreurs == [
        "Doublon dans le fichier : mêmes nom, prénom et date de naissance que la ligne 2."
    ]


@pytest.mark.parametrize("taille", [10, 200])
def test_requetes_de_l_analyse_et_de_l_application_bornees(
    departement, taille, django_assert_max_num_queries
):
    """Moitié de fiches existantes (mises à jour), moitié de nouvelles : le nombre de
    requêtes ne dépend pas de la taille du fichier."""
    StructureFactory(departement=departement, agence=True, nom="Agence Planoise")
    lignes = [personne(i, Agence="Agence Planoise") for i in range(taille)]
    importer(csv_octets(lignes[: taille // 2]), departement)
    for ligne in lignes:
        ligne["Courriel"] = "change@exemple.test"
    tableau = lire_fichier(csv_octets(lignes, entetes=[*ENTETES, "Agence"]), "f.csv")
    correspondance = proposer_correspondance(tableau.entetes, departement)
    with django_assert_max_num_queries(2):  # agences + fiches concernées
        analyse = analyser(tableau, departement=departement, correspondance=correspondance)
    assert len(analyse.creations) == len(analyse.mises_a_jour) == taille // 2
    # savepoint + bulk_create + bulk_update + audit + libération du savepoint
    with django_assert_max_num_queries(5):
        resume = appliquer_import(analyse=analyse, par=None)
    assert (resume.crees, resume.mis_a_jour) == (taille // 2, taille // 2)
    assert Demandeur.objects.filter(email="change@exemple.test").count() == taille


# --- Commande ----------------------------------------------------------------------------------


def commande(*args):
    sortie, erreurs = io.StringIO(), io.StringIO()
    call_command("import_demandeurs", *args, stdout=sortie, stderr=erreurs)
    return sortie.getvalue(), erreurs.getvalue()


def test_commande_a_blanc_n_ecrit_rien_et_montre_l_apercu(departement):
    sortie, erreurs = commande(str(FICHIERS / "demandeurs_exemple.csv"), "--departement", "25")
    assert "Analyse : 3 création(s), 0 mise(s) à jour" in sortie
    assert "Nom d'usage ← « Nom »" in sortie
    assert "À blanc : rien n'a été écrit" in sortie
    assert "\r[" + "#" * 30 + "] 3/3" in erreurs  # barre de progression
    assert Demandeur.objects.count() == 0
    assert not CorrespondanceImport.objects.exists()


def test_commande_wet_run_ecrit_et_garde_la_correspondance(departement):
    sortie, _ = commande(
        str(FICHIERS / "demandeurs_exemple.csv"), "--departement", "25", "--wet-run"
    )
    assert "Import terminé : 3 créée(s), 0 mise(s) à jour, 0 inchangée(s)." in sortie
    elodie = Demandeur.objects.get(identifiant_ft="1234567A")
    assert (elodie.prenom, elodie.commune, elodie.niveau_qualification) == (
        "Élodie",
        "Besançon",
        "4",
    )
    assert Demandeur.objects.get(nom="Girard").niveau_qualification == "3"  # « CAP »
    assert CorrespondanceImport.objects.get(departement=departement).colonnes["numero_caf"] == (
        "N° CAF"
    )
    assert EvenementAudit.objects.get(details__objet_type="import_demandeurs").acteur is None
    # Relancée, elle ne crée aucun doublon.
    sortie, _ = commande(
        str(FICHIERS / "demandeurs_exemple.csv"), "--departement", "25", "--wet-run"
    )
    assert "0 créée(s), 0 mise(s) à jour, 3 inchangée(s)" in sortie
    assert Demandeur.objects.count() == 3


def test_commande_erreurs_code_de_sortie_non_nul_et_rien_d_ecrit(departement, tmp_path):
    fichier = tmp_path / "erreurs.csv"
    fichier.write_bytes(
        csv_octets([personne(1), personne(2, **{"Date de naissance": "2/30/1980"})])
    )
    sortie, erreurs = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_demandeurs",
            str(fichier),
            "--departement",
            "25",
            "--wet-run",
            stdout=sortie,
            stderr=erreurs,
        )
    assert exc.value.returncode == 1
    assert "1 ligne(s) en erreur : rien n'a été importé" in str(exc.value)
    assert "Ligne 3 : Date de naissance : « 2/30/1980 » n'est pas une date valide" in (
        erreurs.getvalue()
    )
    assert Demandeur.objects.count() == 0


def test_commande_colonnes_imposees(departement, tmp_path):
    fichier = tmp_path / "autre.csv"
    fichier.write_text(
        "Civ,Patronyme,Prénom,Naissance\nMme,Durand,Léa,1990-05-06\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="Colonnes obligatoires absentes"):
        commande(str(fichier), "--departement", "25")
    commande(
        str(fichier),
        "--departement",
        "25",
        "--colonnes",
        "nom=Patronyme, date_naissance=Naissance",
        "--wet-run",
    )
    assert Demandeur.objects.get().nom == "Durand"
    colonnes = CorrespondanceImport.objects.get(departement=departement).colonnes
    assert colonnes["nom"] == "Patronyme" and colonnes["civilite"] == "Civ"
    # La fois suivante, plus besoin de --colonnes.
    sortie, _ = commande(str(fichier), "--departement", "25")
    assert "1 inchangée(s)" in sortie


@pytest.mark.parametrize(
    ("arguments", "attendu"),
    [
        (["--departement", "99"], "Aucun département de code INSEE « 99 »"),
        (["--departement", "25", "--colonnes", "inconnu=X"], "champ inconnu « inconnu »"),
        (["--departement", "25", "--colonnes", "nom"], "n'est pas de la forme champ=En-tête"),
    ],
)
def test_commande_arguments_invalides(departement, arguments, attendu):
    with pytest.raises(CommandError, match=attendu):
        commande(str(FICHIERS / "demandeurs_exemple.csv"), *arguments)


def test_commande_fichier_windows_1252_lu_fichier_abime_refuse(departement, tmp_path):
    fichier = tmp_path / "ansi.csv"
    fichier.write_bytes(csv_octets([personne(0)], encodage="cp1252"))
    sortie, _ = commande(str(fichier), "--departement", "25", "-v", "2")
    assert "Ligne 2 : Création — Martin0000 Élodie" in sortie
    assert "Analyse : 1 création(s)" in sortie
    fichier.write_bytes(csv_octets([personne(0)]) + b"\nDURAND;L\xe9a\n")
    with pytest.raises(CommandError, match="n'est pas encodé en UTF-8"):
        commande(str(fichier), "--departement", "25")
    fichier.write_bytes(b"x" * (TAILLE_MAX + 1))
    with pytest.raises(CommandError, match="10 Mo au plus"):
        commande(str(fichier), "--departement", "25")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        commande(str(tmp_path / "absent.csv"), "--departement", "25")


# --- Pages de l'animatrice ---------------------------------------------------------------------

ROUTES_GET = ["dossiers:import", "dossiers:import_correspondance", "dossiers:import_apercu"]
ROUTES_GET += ["dossiers:import_resultat"]
ROUTES_POST = ["dossiers:import_appliquer", "dossiers:import_abandonner"]


def deposer(client, contenu, nom="demandeurs.csv"):
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    return client.post(reverse("dossiers:import"), {"fichier": fichier})


def fichiers_en_attente(media) -> list[Path]:
    dossier = Path(media) / "imports"
    return list(dossier.iterdir()) if dossier.exists() else []


@pytest.fixture
def animatrice(departement):
    return membre(Role.ANIMATRICE, departement)


@pytest.mark.parametrize("route", ROUTES_GET + ROUTES_POST)
def test_anonyme_renvoye_vers_la_connexion(client, route):
    response = client.get(reverse(route))
    assert response.status_code == 302 and response.url.startswith("/connexion/")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANIMATRICE])
def test_les_autres_roles_n_importent_pas(client_de, departement, role, media):
    client = client_de(membre(role, departement))
    for route in ROUTES_GET:
        assert client.get(reverse(route)).status_code == 403, route
    for route in ROUTES_POST:
        assert client.post(reverse(route)).status_code == 403, route
    assert deposer(client, csv_octets([personne(1)])).status_code == 403
    assert fichiers_en_attente(media) == []


def test_menu_import_reserve_a_l_animatrice(client_de, departement, animatrice):
    url = reverse("dossiers:import")
    assert f'href="{url}"' in client_de(animatrice).get(reverse("accueil")).content.decode()
    conseiller = membre(Role.CONSEILLER, departement)
    assert f'href="{url}"' not in client_de(conseiller).get(reverse("accueil")).content.decode()


def test_parcours_complet_depot_correspondance_apercu_application(
    client_de, departement, animatrice, media
):
    existante = DemandeurFactory(departement=departement, identifiant_ft="3000002A")
    client = client_de(animatrice)
    page = client.get(reverse("dossiers:import"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    lignes = [personne(1), personne(2, Nom=existante.nom, Prénom=existante.prenom)]
    lignes[1]["Date de naissance"] = f"{existante.date_naissance:%d/%m/%Y}"
    response = deposer(client, csv_octets(lignes, bom=True))
    assert response.status_code == 302
    assert response.url == reverse("dossiers:import_correspondance")
    (fichier,) = fichiers_en_attente(media)
    assert client.session["import_demandeurs"]["fichier"] == fichier.name

    page = client.get(reverse("dossiers:import_correspondance"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["identifiant_ft"] == "Identifiant FT"
    assert form.initial["numero_caf"] == "N° CAF"
    assert "Martin0001" in page.content.decode()  # exemple de valeur sous l'en-tête
    donnees = {nom: form.initial.get(nom, "") for nom in form.fields}
    response = client.post(reverse("dossiers:import_correspondance"), donnees)
    assert response.status_code == 302 and response.url == reverse("dossiers:import_apercu")
    assert CorrespondanceImport.objects.get(departement=departement).colonnes["nom"] == "Nom"
    assert Demandeur.objects.count() == 1  # l'aperçu n'écrit rien

    page = client.get(reverse("dossiers:import_apercu"))
    contenu = page.content.decode()
    assert page.status_code == 200
    analyse = page.context["analyse"]
    assert (len(analyse.creations), len(analyse.mises_a_jour)) == (1, 1)
    assert "MARTIN0001" in contenu and "Nouvelle fiche" in contenu
    assert "<caption>Lignes 1 à 2 sur 2</caption>" in contenu
    assert "disabled" not in contenu

    response = client.post(reverse("dossiers:import_appliquer"))
    assert response.status_code == 302 and response.url == reverse("dossiers:import_resultat")
    assert Demandeur.objects.count() == 2
    existante.refresh_from_db()
    assert existante.email == "personne2@exemple.test"
    assert fichiers_en_attente(media) == []  # fichier supprimé après application
    assert "import_demandeurs" not in client.session
    page = client.get(reverse("dossiers:import_resultat"))
    assert page.status_code == 200
    assert page.context["resume"]["crees"] == 1 and page.context["resume"]["mis_a_jour"] == 1
    evenement = EvenementAudit.objects.get(details__objet_type="import_demandeurs")
    assert evenement.acteur == animatrice.user


def test_depot_refuse_les_mauvais_fichiers_sans_rien_garder(client_de, animatrice, media):
    client = client_de(animatrice)
    cas = [
        (b"Nom;Prenom\n", "demandeurs.ods", "Déposez un fichier .csv ou .xlsx."),
        ("Nom;Prénom\nÉLOÏSE;A\n".encode() + b"L\xe9a;B\n", "abime.csv", "encodé en UTF-8"),
        (b"PK\x03\x04abime", "abime.xlsx", "illisible ou corrompu"),
        (b"", "vide.csv", "Le fichier est vide."),
    ]
    for contenu, nom, attendu in cas:
        response = deposer(client, contenu, nom)
        assert response.status_code == 200, nom
        assert attendu in response.content.decode(), nom
    assert fichiers_en_attente(media) == []


def test_depot_trop_gros_refuse(client_de, animatrice, media):
    trop_gros = csv_octets([personne(1)]) + b"\n" * TAILLE_MAX
    response = deposer(client_de(animatrice), trop_gros)
    message = "Le fichier pèse 10,0 Mo : 10 Mo au plus. Découpez-le en plusieurs fichiers."
    assert message in response.content.decode()
    assert fichiers_en_attente(media) == []


def test_depot_windows_1252_encodage_detecte_montre(client_de, animatrice, media):
    client = client_de(animatrice)
    response = deposer(client, csv_octets([personne(1)], encodage="cp1252"))
    assert response.status_code == 302
    page = client.get(reverse("dossiers:import_correspondance")).content.decode()
    assert "(encodage détecté : Windows-1252)" in page
    assert "Besançon" in page  # exemple de valeur sous l'en-tête, accent intact


def test_apercu_avec_erreurs_bouton_desactive_et_application_refusee(
    client_de, departement, animatrice, media
):
    client = client_de(animatrice)
    lignes = [personne(1), personne(2, **{"Date de naissance": "99/99/1999"})]
    deposer(client, csv_octets(lignes))
    correspondance = proposer_correspondance(ENTETES, departement)
    client.post(reverse("dossiers:import_correspondance"), correspondance)
    page = client.get(reverse("dossiers:import_apercu"))
    contenu = page.content.decode()
    # Une ligne valide : l'import partiel est proposé, sur case à cocher obligatoire.
    assert 'name="accepter_partiel" value="1" id="id_accepter_partiel" required' in contenu
    assert "Importer seulement la ligne valide (import partiel)" in contenu
    assert "« 99/99/1999 » n&#x27;est pas une date valide" in contenu
    assert 'class="table-danger"' in contenu
    seules = client.get(reverse("dossiers:import_apercu"), {"erreurs": "1"})
    assert [ligne.numero for ligne in seules.context["page"].object_list] == [3]

    response = client.post(reverse("dossiers:import_appliquer"), follow=True)
    assert "1 ligne(s) en erreur : rien n&#x27;a été importé" in response.content.decode()
    assert Demandeur.objects.count() == 0
    assert len(fichiers_en_attente(media)) == 1  # gardé : on peut corriger la correspondance


def test_correspondance_sans_colonne_obligatoire_refusee(client_de, animatrice):
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(1)]))
    response = client.post(reverse("dossiers:import_correspondance"), {"nom": "Nom"})
    assert response.status_code == 200
    assert "Choisissez la colonne du fichier qui contient : Prénom." in response.content.decode()
    assert not CorrespondanceImport.objects.exists()


def test_import_commence_dans_un_autre_departement_introuvable(client_de, departement, media):
    animatrice = membre(Role.ANIMATRICE, departement)
    ailleurs = MembershipFactory(
        user=animatrice.user,
        role=Role.ANIMATRICE,
        structure__departement=DepartementFactory(code_insee="61"),
    )
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(1)]))
    client.post(
        reverse("dossiers:import_correspondance"), proposer_correspondance(ENTETES, departement)
    )
    # L'utilisatrice passe sous son rattachement de l'Orne : l'import du Doubs n'y est pas.
    session = client.session
    session["membership_uuid"] = str(ailleurs.uuid)
    session.save()
    assert client.get(reverse("dossiers:import_apercu")).status_code == 404
    assert client.get(reverse("dossiers:import_correspondance")).status_code == 404
    assert client.post(reverse("dossiers:import_appliquer")).status_code == 404
    assert Demandeur.objects.count() == 0


def test_sans_import_en_cours_retour_au_depot(client_de, animatrice):
    client = client_de(animatrice)
    for route in ["dossiers:import_correspondance", "dossiers:import_apercu"]:
        response = client.get(reverse(route))
        assert response.status_code == 302 and response.url == reverse("dossiers:import")


def test_abandonner_supprime_le_fichier(client_de, animatrice, media):
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(1)]))
    assert len(fichiers_en_attente(media)) == 1
    response = client.post(reverse("dossiers:import_abandonner"))
    assert response.status_code == 302
    assert fichiers_en_attente(media) == []
    assert "import_demandeurs" not in client.session


def test_un_nouveau_depot_remplace_le_precedent(client_de, animatrice, media):
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(1)]))
    deposer(client, csv_octets([personne(2)]))
    (fichier,) = fichiers_en_attente(media)
    assert client.session["import_demandeurs"]["fichier"] == fichier.name


@pytest.mark.parametrize("taille", [10, 200])
def test_apercu_et_application_nombre_de_requetes_borne(
    client_de, departement, animatrice, taille, django_assert_max_num_queries
):
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(i) for i in range(taille)]))
    client.post(
        reverse("dossiers:import_correspondance"), proposer_correspondance(ENTETES, departement)
    )
    # session, utilisateur, rattachement, fiches concernées (pas d'agence dans ce fichier)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dossiers:import_apercu")).status_code == 200
    # + savepoints, création en masse, audit, session
    with django_assert_max_num_queries(11):
        assert client.post(reverse("dossiers:import_appliquer")).status_code == 302
    assert Demandeur.objects.count() == taille


def test_fiche_creee_entre_l_apercu_et_l_application_rien_n_est_ecrit(departement):
    """Tout ou rien jusque dans la base : si une personne du fichier est créée entre
    l'analyse et l'application, la contrainte d'unicité refuse et tout est annulé."""
    analyse = analyser_octets(csv_octets([personne(1), personne(2)]), departement)
    DemandeurFactory(departement=departement, identifiant_ft="3000002A")
    with pytest.raises(ErreurMetier, match="Les fiches ont changé pendant l'import"):
        appliquer_import(analyse=analyse, par=None)
    assert list(Demandeur.objects.values_list("identifiant_ft", flat=True)) == ["3000002A"]


def test_commande_barre_de_progression_et_detail_des_lignes(departement, tmp_path):
    fichier = tmp_path / "gros.csv"
    fichier.write_bytes(csv_octets([personne(i) for i in range(600)]))
    sortie, erreurs = commande(str(fichier), "--departement", "25", "--verbosity", "2")
    assert "\r[" + "#" * 12 + " " * 18 + "] 250/600" in erreurs
    assert "\r[" + "#" * 25 + " " * 5 + "] 500/600" in erreurs
    assert erreurs.rstrip().endswith("] 600/600")
    assert "Ligne 601 : Création — Martin0599" in sortie
    assert Demandeur.objects.count() == 0


def test_les_fichiers_abandonnes_depuis_plus_d_un_jour_sont_purges(media):
    import os
    import time

    from dossiers.imports.fichier import conserver_fichier, purger_fichiers_anciens, relire_fichier

    ancien, recent = conserver_fichier(b"ancien"), conserver_fichier(b"recent")
    chemin_ancien = Path(media) / "imports" / ancien
    il_y_a_deux_jours = time.time() - 2 * 24 * 3600
    os.utime(chemin_ancien, (il_y_a_deux_jours, il_y_a_deux_jours))
    assert purger_fichiers_anciens() == 1
    assert relire_fichier(ancien) is None and relire_fichier(recent) == b"recent"
    assert relire_fichier("../../etc/passwd") is None  # une référence n'est qu'un UUID


# --- Droits vérifiés par les services ------------------------------------------------------------


def test_l_import_refuse_un_acteur_sans_le_droit(departement):
    """Seule l'animatrice du département importe (la commande d'exploitation, sans
    acteur, aussi) : le service refuse lui-même les autres (AccesRefuse)."""
    contenu = csv_octets([personne(1)])
    colonnes = {"nom": "Nom"}
    for intrus in (
        membre(Role.CONSEILLER, departement),
        membre(Role.ANIMATRICE, DepartementFactory(code_insee="61")),
    ):
        with pytest.raises(AccesRefuse):
            importer(contenu, departement, par=intrus)
        with pytest.raises(AccesRefuse):
            enregistrer_correspondance(departement=departement, colonnes=colonnes, par=intrus)
    assert not Demandeur.objects.exists() and not CorrespondanceImport.objects.exists()
    assert not EvenementAudit.objects.exists()
    assert importer(contenu, departement, par=None).crees == 1


# --- Aperçu stocké : une analyse, puis des pages relues (ticket #14) ----------------------------


@pytest.fixture
def appels_analyser(monkeypatch):
    """Compte les appels réels de `analyser` par les vues (la vraie fonction s'exécute)."""
    from dossiers.imports import views

    appels = []
    vraie = views.analyser

    def compter(*args, **kwargs):
        appels.append(1)
        return vraie(*args, **kwargs)

    monkeypatch.setattr(views, "analyser", compter)
    return appels


def test_apercu_analyse_une_fois_puis_pagine_depuis_l_analyse_stockee(
    client_de, departement, animatrice, media, appels_analyser
):
    client = client_de(animatrice)
    lignes = [personne(i) for i in range(1, 251)]
    lignes[149]["Date de naissance"] = "99/99/1999"
    deposer(client, csv_octets(lignes))
    correspondance = proposer_correspondance(ENTETES, departement)
    client.post(reverse("dossiers:import_correspondance"), correspondance)
    url = reverse("dossiers:import_apercu")

    premiere = client.get(url)
    assert "<caption>Lignes 1 à 100 sur 250</caption>" in premiere.content.decode()
    assert len(appels_analyser) == 1
    # Pages suivantes et bascule « lignes en erreur » : plus d'analyse ni de fiche relue,
    # seulement les requêtes de toute page connectée (session, compte, rattachement…).
    with CaptureQueriesContext(connection) as requetes:
        troisieme = client.get(url, {"page": 3})
    assert len(requetes) <= 4
    assert not [q for q in requetes.captured_queries if "dossiers_demandeur" in q["sql"]]
    assert "<caption>Lignes 201 à 250 sur 250</caption>" in troisieme.content.decode()
    assert "MARTIN0250" in troisieme.content.decode()
    erreurs = client.get(url, {"erreurs": "1"})
    assert [ligne.numero for ligne in erreurs.context["page"].object_list] == [151]
    assert "« 99/99/1999 » n&#x27;est pas une date valide" in erreurs.content.decode()
    analyse = erreurs.context["analyse"]
    assert (len(analyse.creations), len(analyse.en_erreur), analyse.nombre_valides) == (249, 1, 249)
    assert len(appels_analyser) == 1

    # Une nouvelle correspondance vaut une nouvelle analyse, une seule encore.
    client.post(reverse("dossiers:import_correspondance"), correspondance)
    client.get(url)
    client.get(url, {"page": 2})
    assert len(appels_analyser) == 2
    # L'application refait l'analyse (les fiches ont pu changer), puis tout est supprimé.
    client.post(reverse("dossiers:import_appliquer"), {"accepter_partiel": "1"})
    assert len(appels_analyser) == 3
    assert Demandeur.objects.count() == 249
    assert not list((Path(media) / "imports-apercus").iterdir())


def test_apercu_stocke_montre_la_meme_chose_que_l_analyse(
    client_de, departement, animatrice, media
):
    existante = DemandeurFactory(departement=departement, identifiant_ft="3000002A")
    client = client_de(animatrice)
    lignes = [personne(1), personne(2, Nom=existante.nom, Prénom=existante.prenom)]
    lignes[1]["Date de naissance"] = f"{existante.date_naissance:%d/%m/%Y}"
    deposer(client, csv_octets(lignes))
    client.post(
        reverse("dossiers:import_correspondance"), proposer_correspondance(ENTETES, departement)
    )
    changements = analyser_octets(csv_octets(lignes), departement).lignes[1].libelles_changements
    assert changements
    for _ in range(2):  # analysé, puis relu : la même page
        page = client.get(reverse("dossiers:import_apercu"))
        contenu = page.content.decode()
        assert "MARTIN0001" in contenu and "Nouvelle fiche" in contenu
        assert f"{existante.date_naissance:%d/%m/%Y}" in contenu
        assert ", ".join(changements) in contenu
        assert len(page.context["analyse"].mises_a_jour) == 1
