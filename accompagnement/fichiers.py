"""Lecture d'un fichier déposé, commune aux imports (demandeurs, ressources sociales) et aux
documents des dossiers : taille plafonnée (lecture par morceaux), texte ou binaire,
décodage du texte (UTF-8 avec ou sans BOM, sinon Windows-1252 reconnu par
charset-normalizer), type reconnu au contenu (signatures, structure des archives
bureautiques), archives zip vérifiées avant d'être lues (bombes de décompression) et
contenu actif refusé (`verifier_sans_contenu_actif` : PDF lu par pypdf sans JavaScript,
action à l'ouverture ni fichier joint, ni HTML caché ; documents bureautiques sans macro).

Couche la plus basse : n'importe ni `conventions` ni `dossiers`. Les messages, en français,
sont montrés tels quels ; chaque appelant y ajoute son conseil (« Découpez-le… »). Voir
docs/decisions.md (n° 21)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from charset_normalizer import from_bytes
from PIL import Image

from accompagnement.exceptions import ErreurMetier

MO = 1024 * 1024
MORCEAU = MO  # lecture d'un flux par morceaux de 1 Mo
ECHANTILLON = 8192  # octets examinés pour distinguer un texte d'un binaire

MIME_PDF = "application/pdf"
MIME_PNG = "image/png"
MIME_JPEG = "image/jpeg"
MIME_ODT = "application/vnd.oasis.opendocument.text"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_ZIP = "application/zip"  # une archive qui n'est d'aucun format bureautique reconnu
MIME_OLE = "application/x-ole-storage"  # Office 97-2003 (.xls, .doc)
MIME_JSON = "application/json"
MIME_CSV = "text/csv"
MIME_TEXTE = "text/plain"  # un texte ni JSON ni CSV (pas de séparateur sur la 1re ligne)
TEXTES = frozenset({MIME_JSON, MIME_CSV, MIME_TEXTE})
ARCHIVES = frozenset({MIME_ODT, MIME_DOCX, MIME_XLSX, MIME_ZIP})

SIGNATURE_ZIP = b"PK\x03\x04"
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0"
SIGNATURE_PNG = b"\x89PNG\r\n\x1a\n"
SIGNATURE_JPEG = b"\xff\xd8\xff"
SIGNATURE_PDF = b"%PDF-"
SIGNATURES_BINAIRES = (SIGNATURE_PDF, SIGNATURE_PNG, SIGNATURE_JPEG, SIGNATURE_ZIP, SIGNATURE_OLE)
BOM_UTF8 = b"\xef\xbb\xbf"
BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")  # UTF-32 LE commence aussi par \xff\xfe

# Garde-fous des archives zip (XLSX, DOCX, ODT) : un classeur XLSX de 4 Mo et 100 000 lignes
# se décompresse en 70 Mo (taux 16 à 23) ; une bombe, en centaines de mégaoctets ou en
# gigaoctets (taux proche de 1 000, le maximum de deflate). Le taux n'est regardé que pour
# un membre de plus de 10 Mo : une petite image BMP unie, légitime, se compresse aussi fort.
DECOMPRESSE_MAX = 256 * MO
TAUX_MAX = 100
TAUX_A_PARTIR_DE = 10 * MO
MEMBRES_MAX = 10_000

# Encodages essayés après UTF-8 : ceux des tableurs sous Windows en France. Sans cette
# restriction, charset-normalizer prend un court CSV français pour du cp1250 (è → č).
# ISO-8859-1 est compris dans Windows-1252 pour tout caractère imprimable.
ENCODAGES_OCCIDENTAUX = ["cp1252", "latin_1"]
LIBELLES_ENCODAGE = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8 (avec BOM)",
    "cp1252": "Windows-1252",
    "latin_1": "ISO-8859-1",
}

# Dans une archive bureautique, le type de la partie principale déclaré par [Content_Types].xml.
TYPE_PARTIE_PRINCIPALE = {
    MIME_DOCX: ("word/document.xml", b"wordprocessingml.document.main+xml"),
    MIME_XLSX: ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}


class ErreurFichier(ErreurMetier):
    """Le fichier ne peut pas être lu dans son ensemble (vide, trop gros, format, encodage,
    archive anormale…). `erreurs` garde chaque message séparément."""

    def __init__(self, *erreurs: str):
        super().__init__(" ".join(erreurs))
        self.erreurs = list(erreurs)


@dataclass(frozen=True)
class FichierLu:
    contenu: bytes
    type: str | None  # type MIME reconnu au contenu ; None : aucun type connu
    encodage: str | None = None  # pour un texte : codec Python (« utf_8 », « cp1252 »…)
    texte: str | None = None

    @property
    def libelle_encodage(self) -> str:
        return libelle_encodage(self.encodage)


def libelle_encodage(encodage: str | None) -> str:
    """« cp1252 » → « Windows-1252 » (vide pour un fichier qui n'est pas un texte)."""
    return LIBELLES_ENCODAGE.get(encodage or "", encodage or "")


def _phrase(message: str, conseil: str) -> ErreurFichier:
    return ErreurFichier(f"{message} {conseil}".strip())


# --- Taille -----------------------------------------------------------------------------------


def poids(octets: int) -> str:
    """12 939 264 → « 12,3 » (mégaoctets, virgule décimale)."""
    return f"{octets / MO:.1f}".replace(".", ",")


def verifier_taille(
    taille: int, taille_max: int, *, conseil: str = "", au_moins: bool = False
) -> None:
    """Refuse un fichier vide ou plus gros que `taille_max`. `au_moins` : la lecture a été
    arrêtée à la limite, la taille réelle est plus grande encore."""
    if not taille:
        raise ErreurFichier("Le fichier est vide.")
    if taille > taille_max:
        raise _phrase(
            f"Le fichier pèse {poids(taille)} Mo{' au moins' if au_moins else ''} : "
            f"{poids(taille_max).removesuffix(',0')} Mo au plus.",
            conseil,
        )


def lire_flux(
    flux: BinaryIO, *, taille_max: int, taille: int | None = None, conseil: str = ""
) -> bytes:
    """Lit un fichier ouvert (binaire) par morceaux, sans jamais garder plus que
    `taille_max` + un morceau en mémoire. `taille` : la taille annoncée (refus immédiat)."""
    if taille is not None and taille > taille_max:
        verifier_taille(taille, taille_max, conseil=conseil)
    morceaux, lu = [], 0
    while morceau := flux.read(MORCEAU):
        lu += len(morceau)
        if lu > taille_max:
            verifier_taille(lu, taille_max, conseil=conseil, au_moins=True)
        morceaux.append(morceau)
    contenu = b"".join(morceaux)
    verifier_taille(len(contenu), taille_max, conseil=conseil)
    return contenu


# --- Texte ------------------------------------------------------------------------------------


def est_binaire(contenu: bytes) -> bool:
    """Un octet nul dans les premiers 8 Kio : pas un texte (sauf UTF-16, signalé à part)."""
    return b"\x00" in contenu[:ECHANTILLON] and not contenu.startswith(BOMS_UTF16)


def decoder(contenu: bytes, *, conseil: str = "") -> tuple[str, str]:
    """(texte, encodage) d'un fichier texte : UTF-8 (avec ou sans BOM), sinon Windows-1252
    ou ISO-8859-1 si charset-normalizer y voit un texte plausible. Refus motivés : UTF-16,
    contenu binaire, UTF-8 abîmé, encodage non reconnu (avec le numéro de ligne)."""
    if contenu.startswith(BOMS_UTF16):
        raise _phrase("Le fichier est encodé en UTF-16.", conseil)
    if est_binaire(contenu) or contenu.startswith(SIGNATURES_BINAIRES):
        raise _phrase("Ce fichier n'est pas un fichier texte (contenu binaire).", conseil)
    bom = contenu.startswith(BOM_UTF8)
    try:
        return contenu.decode("utf-8-sig"), "utf_8_sig" if bom else "utf_8"
    except UnicodeDecodeError as exc:
        erreur = exc
    if not bom and not _utf8_abime(contenu, erreur.start):
        trouve = from_bytes(contenu, cp_isolation=ENCODAGES_OCCIDENTAUX).best()
        if trouve is not None:
            return str(trouve), trouve.encoding
    ligne = contenu[: erreur.start].count(b"\n") + 1
    raise _phrase(
        f"Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne {ligne}) ni "
        "en Windows-1252.",
        conseil,
    )


def _utf8_abime(contenu: bytes, erreur: int) -> bool:
    """Autour du premier octet illisible (1 Mo), au moins autant de caractères accentués bien
    formés en UTF-8 que d'octets illisibles : un fichier UTF-8 abîmé (tronqué, modifié à la
    main), pas du Windows-1252, où chaque « é » est illisible en UTF-8 et où une suite
    valide (« Ã© ») est rarissime."""
    debut = max(0, erreur - MO // 2)
    essai = contenu[debut : debut + MO].decode("utf-8", errors="replace")
    illisibles = essai.count("\ufffd")
    valides = len(essai) - len(essai.encode("ascii", errors="ignore")) - illisibles
    return valides > 0 and valides >= illisibles


# --- Type reconnu au contenu ------------------------------------------------------------------


def _flux(fichier: bytes | BinaryIO) -> BinaryIO:
    if isinstance(fichier, bytes | bytearray | memoryview):
        return io.BytesIO(fichier)
    fichier.seek(0)
    return fichier


def reconnaitre_type(fichier: bytes | BinaryIO) -> str | None:
    """Le type MIME d'un fichier (octets ou fichier ouvert, relu depuis le début), reconnu à
    son contenu — signatures, structure de l'archive, vérification des images par Pillow —,
    jamais à son nom ni au type annoncé par le navigateur. Un texte est JSON s'il commence
    par « [ » ou « { », CSV si sa première ligne porte un séparateur (« ; », « , »,
    tabulation), texte sinon. None : aucun type connu (binaire quelconque)."""
    flux = _flux(fichier)
    try:
        debut = flux.read(ECHANTILLON)
    finally:
        flux.seek(0)
    if debut.startswith(SIGNATURE_PDF):
        return MIME_PDF
    if debut.startswith(SIGNATURE_PNG):
        return MIME_PNG if _image_valide(flux, "PNG") else None
    if debut.startswith(SIGNATURE_JPEG):
        return MIME_JPEG if _image_valide(flux, "JPEG") else None
    if debut.startswith(SIGNATURE_ZIP):
        return _type_archive(flux)
    if debut.startswith(SIGNATURE_OLE):
        return MIME_OLE
    if est_binaire(debut):
        return None
    return _type_texte(debut)


def _type_texte(debut: bytes) -> str:
    if debut.startswith(BOMS_UTF16):
        return MIME_TEXTE  # le décodage le refusera avec son message
    texte = debut.removeprefix(BOM_UTF8).lstrip()
    if texte[:1] in (b"[", b"{"):
        return MIME_JSON
    premiere = texte.split(b"\n", 1)[0]
    if any(separateur in premiere for separateur in (b";", b",", b"\t")):
        return MIME_CSV
    return MIME_TEXTE


def _image_valide(flux: BinaryIO, format_attendu: str) -> bool:
    try:
        with Image.open(flux) as image:
            image.verify()
            return image.format == format_attendu
    except Exception:  # Pillow lève des erreurs variées sur un fichier corrompu
        return False
    finally:
        flux.seek(0)


def _type_archive(flux: BinaryIO) -> str | None:
    """Un document bureautique est une archive zip : on vérifie qu'elle contient ce que
    son format exige (et non un simple zip renommé, ni un document à macros)."""
    try:
        with zipfile.ZipFile(flux) as archive:
            if lire_membre(archive, "mimetype", 200) == MIME_ODT.encode() and (
                "content.xml" in archive.namelist()
            ):
                return MIME_ODT
            types = lire_membre(archive, "[Content_Types].xml") or b""
            noms = set(archive.namelist())
            for mime, (partie, type_partie) in TYPE_PARTIE_PRINCIPALE.items():
                if partie in noms and type_partie in types:
                    return mime
            return MIME_ZIP
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return None
    finally:
        flux.seek(0)


# --- Archives zip -----------------------------------------------------------------------------


def lire_membre(archive: zipfile.ZipFile, nom: str, maximum: int = MO) -> bytes | None:
    """Un petit membre de l'archive, jamais un membre démesuré (None s'il manque ou dépasse
    `maximum` octets décompressés). zipfile s'arrête à la taille déclarée : un membre qui
    ment sur sa taille échoue au contrôle CRC au lieu de se décompresser sans fin."""
    try:
        info = archive.getinfo(nom)
    except KeyError:
        return None
    if info.file_size > maximum:
        return None
    return archive.read(info)


def verifier_archive(
    fichier: bytes | BinaryIO,
    *,
    decompresse_max: int = DECOMPRESSE_MAX,
    taux_max: int = TAUX_MAX,
    conseil: str = "",
) -> None:
    """Refuse une bombe de décompression avant toute lecture de l'archive : trop de membres,
    taille décompressée totale au-delà de `decompresse_max`, ou gros membre compressé plus
    de `taux_max` fois. Les tailles déclarées font foi : zipfile (et openpyxl, qui s'en
    sert) ne décompresse jamais au-delà (voir `lire_membre`). Une archive illisible n'est
    pas refusée ici : son lecteur dira qu'elle est corrompue."""
    flux = _flux(fichier)
    try:
        with zipfile.ZipFile(flux) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return
    finally:
        flux.seek(0)
    anormale = "L'archive est anormale (possible bombe de décompression) :"
    if len(membres) > MEMBRES_MAX:
        nombre = f"{MEMBRES_MAX:,}".replace(",", " ")
        raise _phrase(f"{anormale} plus de {nombre} fichiers.", conseil)
    total = sum(m.file_size for m in membres)
    if total > decompresse_max:
        raise _phrase(
            f"{anormale} décompressée, elle pèserait {poids(total)} Mo, "
            f"{poids(decompresse_max).removesuffix(',0')} Mo au plus.",
            conseil,
        )
    for membre in membres:
        taux = membre.file_size // max(membre.compress_size, 1)
        if membre.file_size > TAUX_A_PARTIR_DE and taux > taux_max:
            raise _phrase(
                f"{anormale} « {membre.filename[:80]} » y est compressé {taux} fois.",
                conseil,
            )


# --- Contenu actif ----------------------------------------------------------------------------

# PDF : ce qu'un lecteur exécute ou ouvre de lui-même. Clés de dictionnaire interdites, et
# valeurs interdites de /S (type d'action), /Subtype (annotation) et /Type.
CLES_PDF_INTERDITES = {
    "/JS": "du JavaScript",
    "/JavaScript": "du JavaScript",
    "/OpenAction": "une action lancée à l'ouverture",
    "/AA": "des actions automatiques",
    "/EmbeddedFiles": "des fichiers joints",
    "/EF": "des fichiers joints",
    "/RichMedia": "un contenu multimédia actif",
    "/XFA": "un formulaire XFA",
}
VALEURS_PDF_INTERDITES = {
    "/JavaScript": "du JavaScript",
    "/Launch": "une action qui lance un programme",
    "/ImportData": "une action qui importe des données",
    "/SubmitForm": "un formulaire qui envoie des données",
    "/GoToE": "un lien vers un fichier joint",
    "/EmbeddedFile": "des fichiers joints",
    "/FileAttachment": "des fichiers joints",
    "/RichMedia": "un contenu multimédia actif",
}
OBJETS_PDF_MAX = 200_000  # au-delà, le PDF n'est pas un justificatif ordinaire
# Un PDF/HTML polyglotte : des balises qu'un navigateur interpréterait, n'importe où dans le
# fichier (un flux compressé n'en produit pas par hasard : au moins 5 octets précis).
HTML_CACHE = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta\s)",
    re.IGNORECASE,
)
FIN_PDF = b"%%EOF"
REFUS_PDF = "Ce PDF contient {quoi} : il est refusé par sécurité. Imprimez-le en PDF (« Microsoft Print to PDF », « Enregistrer au format PDF ») et déposez la copie."

# Bureautique : les macros (VBA, ActiveX ; Basic et scripts d'OpenDocument), même dans un
# fichier renommé en .docx ou .xlsx.
MEMBRES_MACROS = re.compile(
    r"(?:^|/)(?:vbaProject\.bin|vbaData\.xml|activeX[^/]*)$|(?:^|/)activeX/|^(?:Basic|Scripts)/",
    re.IGNORECASE,
)
TYPES_MACROS = (b"macroenabled", b"vbaproject", b"activex", b"vnd.ms-office.vba")
REFUS_MACROS = (
    "Ce document contient des macros : il est refusé par sécurité. Enregistrez-le sans "
    "macros (.docx, .xlsx ou .odt), ou en PDF, et déposez-le de nouveau."
)


def verifier_sans_contenu_actif(fichier: bytes | BinaryIO, type_: str | None) -> None:
    """Refuse un PDF ou un document bureautique porteur de contenu actif (ErreurFichier).
    Le type est celui reconnu au contenu (`reconnaitre_type`) ; les autres types passent."""
    flux = _flux(fichier)
    try:
        if type_ == MIME_PDF:
            _verifier_pdf(flux.read())
        elif type_ in (MIME_DOCX, MIME_XLSX, MIME_ODT, MIME_ZIP):
            _verifier_macros(flux)
    finally:
        flux.seek(0)


def _verifier_pdf(contenu: bytes) -> None:
    """Un vrai analyseur (pypdf) parcourt tous les objets atteignables depuis le trailer
    (catalogue, pages, annotations, formulaires, noms) : pas de JavaScript, d'action à
    l'ouverture (/OpenAction, /AA), de fichier joint, de lancement de programme. Autour,
    le fichier lui-même : rien d'autre qu'un PDF (pas de HTML caché, rien après la fin)."""
    if HTML_CACHE.search(contenu):
        raise ErreurFichier(REFUS_PDF.format(quoi="du HTML caché (fichier polyglotte)"))
    fin = contenu.rfind(FIN_PDF)
    if fin < 0:
        raise ErreurFichier("Ce PDF est incomplet ou abîmé : enregistrez-le de nouveau en PDF.")
    if contenu[fin + len(FIN_PDF) :].strip(b" \t\r\n\x00\x0c"):
        raise ErreurFichier(REFUS_PDF.format(quoi="des données après sa fin (fichier polyglotte)"))
    try:
        # Import tardif : pypdf charge fontTools, inutile au démarrage (comme WeasyPrint).
        import pypdf

        lecteur = pypdf.PdfReader(io.BytesIO(contenu), strict=False)
        if lecteur.is_encrypted and not lecteur.decrypt(""):
            raise ErreurFichier(
                "Ce PDF est protégé par un mot de passe : enregistrez-le sans protection et "
                "déposez-le de nouveau."
            )
        _parcourir_pdf(lecteur.trailer)
    except ErreurFichier:
        raise
    except Exception as exc:  # pypdf lève des erreurs variées sur un fichier abîmé
        raise ErreurFichier(
            "Ce PDF est illisible ou abîmé : enregistrez-le de nouveau en PDF."
        ) from exc


def _parcourir_pdf(racine) -> None:
    """Parcours en largeur, chaque objet indirect une fois (les cycles sont fréquents :
    /Parent des pages)."""
    from pypdf import generic as pdf

    vus: set[tuple[int, int]] = set()
    a_voir = [racine]
    while a_voir:
        objet = a_voir.pop()
        if isinstance(objet, pdf.IndirectObject):
            cle = (objet.idnum, objet.generation)
            if cle in vus:
                continue
            vus.add(cle)
            if len(vus) > OBJETS_PDF_MAX:
                raise ErreurFichier(REFUS_PDF.format(quoi="un nombre d'objets démesuré"))
            objet = objet.get_object()
        if isinstance(objet, pdf.DictionaryObject):  # un flux (StreamObject) en est un
            for cle, valeur in objet.items():
                if cle in CLES_PDF_INTERDITES:
                    raise ErreurFichier(REFUS_PDF.format(quoi=CLES_PDF_INTERDITES[cle]))
                if cle in ("/S", "/Subtype", "/Type") and valeur in VALEURS_PDF_INTERDITES:
                    raise ErreurFichier(REFUS_PDF.format(quoi=VALEURS_PDF_INTERDITES[valeur]))
                a_voir.append(valeur)
        elif isinstance(objet, pdf.ArrayObject):
            a_voir.extend(objet)


def _verifier_macros(flux: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(flux) as archive:
            noms = archive.namelist()
            types = (lire_membre(archive, "[Content_Types].xml") or b"").lower()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return  # illisible : son lecteur le dira
    if any(MEMBRES_MACROS.search(nom) for nom in noms) or any(
        marque in types for marque in TYPES_MACROS
    ):
        raise ErreurFichier(REFUS_MACROS)


# --- Tout en un -------------------------------------------------------------------------------


def lire(
    contenu: bytes,
    *,
    taille_max: int,
    texte: bool = False,
    conseil_taille: str = "",
    conseil_texte: str = "",
) -> FichierLu:
    """Les vérifications de tout dépôt : ni vide ni trop gros, type reconnu au contenu,
    archive zip vérifiée (bombe), texte décodé. `texte` : seul un texte est attendu (un
    binaire, même d'un type connu, est alors refusé avec `conseil_texte`)."""
    verifier_taille(len(contenu), taille_max, conseil=conseil_taille)
    type_ = reconnaitre_type(contenu)
    if texte or type_ in TEXTES:
        if type_ not in TEXTES:
            raise _phrase("Ce fichier n'est pas un fichier texte (contenu binaire).", conseil_texte)
        decode, encodage = decoder(contenu, conseil=conseil_texte)
        return FichierLu(contenu=contenu, type=type_, encodage=encodage, texte=decode)
    if type_ in ARCHIVES:
        verifier_archive(contenu)
    verifier_sans_contenu_actif(contenu, type_)
    return FichierLu(contenu=contenu, type=type_)
