"""Lecture d'un fichier déposé (accompagnement/fichiers.py) : taille plafonnée, texte ou
binaire, décodage (UTF-8, BOM, Windows-1252), type reconnu au contenu, bombes zip."""

import io
import random
import struct
import zipfile

import openpyxl
import pytest
from PIL import Image

from accompagnement import fichiers
from accompagnement.fichiers import ErreurFichier, FichierLu
from tests.accompagnement import pdfs

MO = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ACCENTS = "Nom;Prénom;Commentaire\nLefèvre;Hélène;reçue à Besançon\nCœur;Noël;déjà orientée\n"


def image(format_: str) -> bytes:
    tampon = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(tampon, format_)
    return tampon.getvalue()


def archive(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, contenu in membres.items():
            z.writestr(nom, contenu)
    return tampon.getvalue()


def classeur() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Nom", "Prénom"])
    wb.active.append(["Lefèvre", "Élodie"])
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def docx(type_principal=b"wordprocessingml.document.main+xml") -> bytes:
    types = (
        b'<Types><Override PartName="/word/document.xml" ContentType="application/'
        b"vnd.openxmlformats-officedocument." + type_principal + b'"/></Types>'
    )
    return archive({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>"})


def odt() -> bytes:
    return archive({"mimetype": fichiers.MIME_ODT.encode(), "content.xml": b"<office/>"})


# --- Type reconnu au contenu ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fabrique", "attendu"),
    [
        (lambda: PDF, fichiers.MIME_PDF),
        (lambda: image("PNG"), fichiers.MIME_PNG),
        (lambda: image("JPEG"), fichiers.MIME_JPEG),
        (classeur, fichiers.MIME_XLSX),
        (docx, fichiers.MIME_DOCX),
        (odt, fichiers.MIME_ODT),
        (lambda: archive({"lisez-moi.txt": b"bonjour"}), fichiers.MIME_ZIP),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, fichiers.MIME_OLE),
        (lambda: b'\xef\xbb\xbf  [{"id": "x"}]', fichiers.MIME_JSON),
        (lambda: b'{"structures": []}', fichiers.MIME_JSON),
        (lambda: "Nom;Prénom\nDupont;Anne\n".encode(), fichiers.MIME_CSV),
        (lambda: b"id,nom\n1,x\n", fichiers.MIME_CSV),
        (lambda: b"Nom\tPrenom\n", fichiers.MIME_CSV),
        (lambda: b"<!doctype html><html></html>", fichiers.MIME_TEXTE),
        (lambda: b"\xff\xfeN\x00o\x00m\x00", fichiers.MIME_TEXTE),  # UTF-16 : refusé au décodage
    ],
)
def test_chaque_type_est_reconnu_a_son_contenu(fabrique, attendu):
    contenu = fabrique()
    assert fichiers.reconnaitre_type(contenu) == attendu
    # Même réponse sur un fichier ouvert, relu depuis le début puis rembobiné.
    flux = io.BytesIO(contenu)
    flux.seek(3)
    assert fichiers.reconnaitre_type(flux) == attendu
    assert flux.tell() == 0


@pytest.mark.parametrize(
    "contenu",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode",
        image("PNG")[:20],  # signature PNG, image tronquée
        b"\xff\xd8\xff\xe0pas une image",
        b"PK\x03\x04" + b"\x00" * 30,  # zip cassé
        b"\x00\x01\x02binaire",
    ],
)
def test_un_binaire_inconnu_ou_abime_n_a_pas_de_type(contenu):
    assert fichiers.reconnaitre_type(contenu) is None


def test_un_document_a_macros_n_est_pas_un_docx():
    assert fichiers.reconnaitre_type(docx(b"ms-word.document.macroEnabled.main+xml")) == (
        fichiers.MIME_ZIP
    )


# --- Taille -----------------------------------------------------------------------------------


def test_taille_vide_ou_trop_gros_refuse_avec_le_poids_et_le_conseil():
    with pytest.raises(ErreurFichier, match=r"^Le fichier est vide\.$"):
        fichiers.verifier_taille(0, 10 * MO)
    with pytest.raises(ErreurFichier) as exc:
        fichiers.verifier_taille(12_939_264, 10 * MO, conseil="Découpez-le.")
    assert exc.value.message == "Le fichier pèse 12,3 Mo : 10 Mo au plus. Découpez-le."
    fichiers.verifier_taille(10 * MO, 10 * MO)  # tout juste : accepté


class FluxSansFin(io.RawIOBase):
    """Un flux qui ne finit jamais : la lecture doit s'arrêter d'elle-même."""

    lu = 0

    def read(self, taille=-1):
        self.lu += taille
        return b" " * taille


def test_lecture_d_un_flux_par_morceaux_arretee_a_la_limite():
    flux = FluxSansFin()
    with pytest.raises(ErreurFichier) as exc:
        fichiers.lire_flux(flux, taille_max=10 * MO, conseil="Découpez-le.")
    assert exc.value.message == "Le fichier pèse 11,0 Mo au moins : 10 Mo au plus. Découpez-le."
    assert flux.lu <= 11 * MO  # jamais plus d'un morceau au-delà de la limite
    # Taille annoncée trop grande : refus sans rien lire.
    flux = FluxSansFin()
    with pytest.raises(ErreurFichier, match="60 Mo au plus"):
        fichiers.lire_flux(flux, taille_max=60 * MO, taille=61 * MO)
    assert flux.lu == 0
    assert fichiers.lire_flux(io.BytesIO(b"x" * (3 * MO + 5)), taille_max=10 * MO) == (
        b"x" * (3 * MO + 5)
    )
    with pytest.raises(ErreurFichier, match="vide"):
        fichiers.lire_flux(io.BytesIO(b""), taille_max=10 * MO)


# --- Texte : binaire, BOM, encodages ----------------------------------------------------------


def test_utf8_avec_et_sans_bom():
    assert fichiers.decoder(ACCENTS.encode()) == (ACCENTS, "utf_8")
    texte, encodage = fichiers.decoder(b"\xef\xbb\xbf" + ACCENTS.encode())
    assert texte == ACCENTS  # le BOM ne colle pas au premier en-tête
    assert encodage == "utf_8_sig"
    assert fichiers.libelle_encodage(encodage) == "UTF-8 (avec BOM)"


def test_windows_1252_decode_accents_intacts():
    texte, encodage = fichiers.decoder(ACCENTS.encode("cp1252"))
    assert texte == ACCENTS
    for lettre in "éèàçœ":
        assert lettre in texte
    assert encodage == "cp1252"
    assert fichiers.libelle_encodage(encodage) == "Windows-1252"


def test_iso_8859_1_lu_comme_windows_1252_qui_le_contient():
    texte = "Nom;Prénom;Commune\nGarçon;Hélène;Saint-Étienne\nNoël;Jérôme;Besançon\n"
    assert fichiers.decoder(texte.encode("latin-1"))[0] == texte


def test_binaire_passe_pour_un_csv_refuse():
    with pytest.raises(ErreurFichier) as exc:
        fichiers.decoder(b"Nom\x00\x01\x02", conseil="Enregistrez-le en CSV.")
    assert exc.value.message == (
        "Ce fichier n'est pas un fichier texte (contenu binaire). Enregistrez-le en CSV."
    )
    # Un binaire sans octet nul, mais d'un type connu (PDF, image, zip) : refusé de même.
    for contenu in (PDF, classeur()):
        with pytest.raises(ErreurFichier, match="contenu binaire"):
            fichiers.lire(contenu, taille_max=10 * MO, texte=True)


def test_utf16_refuse():
    with pytest.raises(ErreurFichier, match=r"^Le fichier est encodé en UTF-16\. Conseil\.$"):
        fichiers.decoder("Nom;Prénom\n".encode("utf-16"), conseil="Conseil.")


def test_utf8_abime_refuse_avec_le_numero_de_ligne():
    """Un fichier UTF-8 dont un octet est abîmé n'est pas lu comme du Windows-1252 (il
    deviendrait « PrÃ©nom ») : refusé, avec la ligne du premier caractère illisible."""
    contenu = ACCENTS.encode() + "Dupont;Zoé;à revoir\n".encode()[:-12] + b"\xe9\n"
    with pytest.raises(ErreurFichier) as exc:
        fichiers.decoder(contenu)
    assert exc.value.message.startswith(
        "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne 4)"
    )


def test_octets_au_hasard_refuses():
    hasard = random.Random(7).randbytes(MO).replace(b"\x00", b"a")
    with pytest.raises(ErreurFichier, match="n'est pas encodé en UTF-8"):
        fichiers.decoder(hasard)


# --- Archives zip : bombes de décompression ---------------------------------------------------


def test_membre_lu_seulement_s_il_est_petit():
    with zipfile.ZipFile(io.BytesIO(archive({"petit": b"x" * 10, "gros": b"0" * MO}))) as z:
        assert fichiers.lire_membre(z, "petit") == b"x" * 10
        assert fichiers.lire_membre(z, "gros", maximum=1000) is None
        assert fichiers.lire_membre(z, "absent") is None


def test_bombe_zip_refusee_par_son_taux_de_compression():
    bombe = archive({"xl/sharedStrings.xml": b"0" * (50 * MO)})  # taux ≈ 1 000
    assert len(bombe) < 100_000
    with pytest.raises(ErreurFichier) as exc:
        fichiers.verifier_archive(bombe)
    assert exc.value.message.startswith(
        "L'archive est anormale (possible bombe de décompression) : « xl/sharedStrings.xml » "
        "y est compressé"
    )


def test_bombe_zip_refusee_par_sa_taille_decompressee_totale():
    hasard = random.Random(1)
    membres = {f"feuille{i}.xml": hasard.randbytes(400_000) for i in range(3)}
    with pytest.raises(ErreurFichier, match="décompressée, elle pèserait 1,1 Mo, 1 Mo au plus"):
        fichiers.verifier_archive(archive(membres), decompresse_max=MO)
    fichiers.verifier_archive(archive(membres))  # plafond par défaut (256 Mo) : acceptée


def test_bombe_zip_refusee_par_le_nombre_de_membres(monkeypatch):
    monkeypatch.setattr(fichiers, "MEMBRES_MAX", 5)
    with pytest.raises(ErreurFichier, match="plus de 5 fichiers"):
        fichiers.verifier_archive(archive({f"m{i}": b"" for i in range(6)}))


def test_une_archive_qui_ment_sur_ses_tailles_ne_se_decompresse_pas_au_dela():
    contenu = bytearray(archive({"a.xml": b"0" * (10 * MO)}))
    vraie, annoncee = struct.pack("<I", 10 * MO), struct.pack("<I", 1000)
    for signature, decalage in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local, central
        position = contenu.find(signature) + decalage
        assert contenu[position : position + 4] == vraie
        contenu[position : position + 4] = annoncee
    fichiers.verifier_archive(bytes(contenu))  # 1 000 octets annoncés : rien à redire…
    with zipfile.ZipFile(io.BytesIO(bytes(contenu))) as z, pytest.raises(zipfile.BadZipFile):
        fichiers.lire_membre(z, "a.xml")  # … mais la lecture s'arrête là, sur une erreur CRC


def test_un_vrai_classeur_passe_et_une_archive_cassee_est_laissee_au_lecteur():
    fichiers.verifier_archive(classeur())
    fichiers.verifier_archive(archive({"word/media/fond.bmp": b"\xff" * (5 * MO)}))  # petit
    fichiers.verifier_archive(b"PK\x03\x04" + b"\x00" * 30)  # illisible : pas une bombe


# --- Tout en un -------------------------------------------------------------------------------


def test_lire_un_texte_rend_contenu_type_encodage_et_texte():
    contenu = ACCENTS.encode("cp1252")
    lu = fichiers.lire(contenu, taille_max=10 * MO, texte=True)
    assert lu == FichierLu(
        contenu=contenu, type=fichiers.MIME_CSV, encodage="cp1252", texte=ACCENTS
    )
    assert lu.libelle_encodage == "Windows-1252"


def test_lire_un_binaire_rend_son_type_sans_texte():
    lu = fichiers.lire(image("PNG"), taille_max=10 * MO)
    assert (lu.type, lu.encodage, lu.texte, lu.libelle_encodage) == (
        fichiers.MIME_PNG,
        None,
        None,
        "",
    )
    assert fichiers.lire(b"\x00\x01binaire", taille_max=10 * MO).type is None


def test_lire_refuse_trop_gros_et_bombe():
    with pytest.raises(ErreurFichier, match=r"^Le fichier pèse 1,0 Mo : 0,5 Mo au plus\. Réduisez"):
        fichiers.lire(b"x" * MO, taille_max=MO // 2, conseil_taille="Réduisez-le.")
    with pytest.raises(ErreurFichier, match="bombe de décompression"):
        fichiers.lire(archive({"x.xml": b"0" * (20 * MO)}), taille_max=10 * MO)


# --- Contenu actif : PDF lu par pypdf, macros des documents bureautiques -----------------------


def test_un_vrai_pdf_de_weasyprint_avec_lien_est_accepte():
    """Un PDF ordinaire (celui que produit l'application elle-même, avec un lien et des
    polices embarquées) passe : seules les actions automatiques et le JavaScript sont refusés."""
    from weasyprint import HTML

    contenu = HTML(
        string='<h1>Bilan</h1><p>Voir <a href="https://exemple.fr/">le site</a>.</p>'
    ).write_pdf()
    assert fichiers.reconnaitre_type(contenu) == fichiers.MIME_PDF
    fichiers.verifier_sans_contenu_actif(contenu, fichiers.MIME_PDF)
    assert fichiers.lire(contenu, taille_max=10 * MO).type == fichiers.MIME_PDF


@pytest.mark.parametrize(
    ("fabrique", "message"),
    [
        (pdfs.pdf_javascript, "du JavaScript"),
        (pdfs.pdf_nom_echappe, "du JavaScript"),
        (pdfs.pdf_action_a_l_ouverture, "une action lancée à l'ouverture"),
        (pdfs.pdf_actions_automatiques_de_page, "des actions automatiques"),
        (pdfs.pdf_fichier_joint, "des fichiers joints"),
        (pdfs.pdf_polyglotte_html_apres, "HTML caché"),
        (pdfs.pdf_polyglotte_html_dedans, "HTML caché"),
    ],
)
def test_pdf_a_contenu_actif_refuse_aussi_par_lire(fabrique, message):
    with pytest.raises(ErreurFichier, match=message):
        fichiers.lire(fabrique(), taille_max=10 * MO)


def test_pdf_polyglotte_html_avant_n_est_pas_un_pdf():
    assert fichiers.reconnaitre_type(pdfs.pdf_polyglotte_html_avant()) != fichiers.MIME_PDF


@pytest.mark.parametrize(
    "membres",
    [
        {"word/vbaProject.bin": b"macro"},
        {"xl/VBAPROJECT.BIN": b"macro"},
        {"word/activeX/activeX1.xml": b"<ax/>"},
        {"Basic/Standard/Module1.xml": b"<m/>"},
    ],
)
def test_document_a_macros_refuse_meme_renomme(membres):
    contenu = archive(
        {
            "[Content_Types].xml": (
                b'<Types><Override PartName="/word/document.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "word/document.xml": b"<w:document/>",
            **membres,
        }
    )
    with pytest.raises(ErreurFichier, match="contient des macros"):
        fichiers.lire(contenu, taille_max=10 * MO)


def test_type_macroenabled_declare_refuse():
    with pytest.raises(ErreurFichier, match="contient des macros"):
        fichiers.verifier_sans_contenu_actif(
            docx(b"ms-word.document.macroEnabled.main+xml"), fichiers.MIME_ZIP
        )
    fichiers.verifier_sans_contenu_actif(docx(), fichiers.MIME_DOCX)  # un docx ordinaire passe
    fichiers.verifier_sans_contenu_actif(classeur(), fichiers.MIME_XLSX)
