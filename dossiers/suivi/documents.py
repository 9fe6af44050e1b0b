"""Documents du dossier : type reconnu au contenu, dépôt, téléchargement contrôlé, suppression."""

from __future__ import annotations

import hashlib
import uuid
import zipfile

from django.core.files.storage import default_storage
from django.db import transaction

from accompagnement import notifications
from accompagnement.exceptions import AccesRefuse, ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, CategorieNotification, Membership, User
from dossiers.models import (
    TAILLE_MAX_DOCUMENT,
    CategorieDocument,
    Document,
    Dossier,
    TypeEvenement,
    Visibilite,
)
from dossiers.suivi import perms
from dossiers.suivi.services import PLACES_SOCIALES, _lien, _places_ouvertes, _pour_ecrire

# --- Documents -----------------------------------------------------------------------------

MIME_PDF = "application/pdf"
MIME_PNG = "image/png"
MIME_JPEG = "image/jpeg"
MIME_ODT = "application/vnd.oasis.opendocument.text"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {
    MIME_PDF: (".pdf",),
    MIME_PNG: (".png",),
    MIME_JPEG: (".jpg", ".jpeg"),
    MIME_ODT: (".odt",),
    MIME_DOCX: (".docx",),
    MIME_XLSX: (".xlsx",),
}
FORMATS_ACCEPTES = "PDF, PNG, JPEG, ODT, DOCX ou XLSX"
REFUS_FORMAT = (
    "Ce fichier n'est pas d'un format accepté ({formats}) : son contenu ne correspond pas. "
    "Enregistrez-le en PDF et déposez-le de nouveau."
)
# Dans une archive bureautique, le type de la partie principale déclaré par [Content_Types].xml.
TYPE_PARTIE_PRINCIPALE = {
    MIME_DOCX: ("word/document.xml", b"wordprocessingml.document.main+xml"),
    MIME_XLSX: ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}


def _lire_membre(archive: zipfile.ZipFile, nom: str, maximum: int = 1024 * 1024) -> bytes | None:
    """Lit un petit membre de l'archive (jamais un membre démesuré : bombe de décompression)."""
    try:
        info = archive.getinfo(nom)
    except KeyError:
        return None
    if info.file_size > maximum:
        return None
    return archive.read(info)


def _type_archive(fichier) -> str | None:
    """Un document bureautique est une archive zip : on vérifie qu'elle contient ce que
    son format exige (et non un simple zip renommé, ni un document à macros)."""
    try:
        with zipfile.ZipFile(fichier) as archive:
            if _lire_membre(archive, "mimetype", 200) == MIME_ODT.encode() and (
                "content.xml" in archive.namelist()
            ):
                return MIME_ODT
            types = _lire_membre(archive, "[Content_Types].xml") or b""
            noms = set(archive.namelist())
            for mime, (partie, type_partie) in TYPE_PARTIE_PRINCIPALE.items():
                if partie in noms and type_partie in types:
                    return mime
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return None
    return None


def _image_valide(fichier, format_attendu: str) -> bool:
    from PIL import Image

    try:
        fichier.seek(0)
        with Image.open(fichier) as image:
            image.verify()
            return image.format == format_attendu
    except Exception:  # Pillow lève des erreurs variées sur un fichier corrompu
        return False


def reconnaitre_type(fichier) -> str:
    """Le type MIME d'un fichier déposé, reconnu à son contenu (signatures, structure de
    l'archive), jamais à son nom ni au type annoncé par le navigateur."""
    fichier.seek(0)
    entete = fichier.read(8)
    fichier.seek(0)
    if entete.startswith(b"%PDF-"):
        return MIME_PDF
    if entete.startswith(b"\x89PNG\r\n\x1a\n") and _image_valide(fichier, "PNG"):
        return MIME_PNG
    if entete.startswith(b"\xff\xd8\xff") and _image_valide(fichier, "JPEG"):
        return MIME_JPEG
    if entete.startswith(b"PK\x03\x04") and (mime := _type_archive(fichier)):
        return mime
    raise ErreurMetier(REFUS_FORMAT.format(formats=FORMATS_ACCEPTES))


def _empreinte(fichier) -> str:
    sha = hashlib.sha256()
    for morceau in fichier.chunks():
        sha.update(morceau)
    return sha.hexdigest()


def nom_de_telechargement(document: Document) -> str:
    """Le nom d'origine, avec l'extension du type reconnu s'il en portait une autre."""
    nom = document.nom_origine
    extensions = EXTENSIONS.get(document.type_mime, ())
    if extensions and not nom.lower().endswith(extensions):
        nom = f"{nom.rsplit('.', 1)[0] if '.' in nom else nom}{extensions[0]}"
    return nom


@transaction.atomic
def deposer_document(
    *,
    dossier: Dossier,
    par: Membership,
    fichier,
    categorie: CategorieDocument,
    confidentiel: bool = False,
) -> Document:
    """Tout est vérifié avant d'écrire quoi que ce soit ; le fichier est écrit en dernier
    (une erreur avant lui annule la transaction : ni ligne en base ni fichier sur disque)."""
    with _pour_ecrire(dossier, par) as m:
        dossier = m.dossier
        if fichier is None:
            raise ErreurMetier("Choisissez le fichier à déposer.")
        if categorie not in CategorieDocument.values:
            raise ErreurMetier("Choisissez la catégorie du document.")
        if confidentiel and not perms.peut_marquer_confidentiel(par):
            raise AccesRefuse(
                "Seuls les professionnels du côté social déposent un document confidentiel."
            )
        if not fichier.size:
            raise ErreurMetier("Ce fichier est vide.")
        if fichier.size > TAILLE_MAX_DOCUMENT:
            poids = f"{fichier.size / 1024 / 1024:.1f}".replace(".", ",")
            raise ErreurMetier(f"Ce fichier pèse {poids} Mo : 10 Mo au plus.")
        type_mime = reconnaitre_type(fichier)
        identifiant = uuid.uuid4()
        chemin = f"documents/{dossier.departement.code_insee}/{identifiant}"
        document = Document.objects.create(
            uuid=identifiant,
            dossier=dossier,
            categorie=categorie,
            nom_origine=(getattr(fichier, "name", "") or "document").rsplit("/", 1)[-1][:255],
            type_mime=type_mime,
            taille=fichier.size,
            empreinte=_empreinte(fichier),
            chemin=chemin,
            confidentiel=confidentiel,
            depose_par=par.user,
        )
        m.auditer(
            ActionAudit.CREATION,
            document,
            categorie=categorie,
            confidentiel=confidentiel,
            type=type_mime,
            taille=document.taille,
        )
        libelle = CategorieDocument(categorie).label.lower()
        m.journaliser(
            type=TypeEvenement.DOCUMENT,
            resume=(
                f"Document {'confidentiel ' if confidentiel else ''}ajouté ({libelle}) par {par.user}"
            ),
            objet=document,
            visibilite=Visibilite.SOCIALE if confidentiel else Visibilite.PARTAGEE,
        )
        _notifier_document(dossier, par, document)
    ecrit = default_storage.save(chemin, fichier)
    if ecrit != chemin:  # jamais pour un nom neuf ; sinon la ligne pointerait ailleurs
        default_storage.delete(ecrit)
        raise ErreurMetier("Le document n'a pas pu être rangé : réessayez.")
    return document


def _notifier_document(dossier: Dossier, par: Membership, document: Document) -> None:
    """Le binôme est prévenu (sans le nom du fichier, qui peut en dire trop) ; un document
    confidentiel ne l'est qu'aux places sociales."""
    ids = [
        user_id
        for user_id, places in _places_ouvertes(dossier).items()
        if user_id != par.user_id and (not document.confidentiel or places & PLACES_SOCIALES)
    ]
    notifications.envoyer(
        destinataires=User.objects.filter(pk__in=ids),
        sujet=f"Document ajouté au dossier de {dossier.demandeur}",
        texte=(
            f"{par.user} a ajouté un document{' confidentiel' if document.confidentiel else ''} "
            f"({document.get_categorie_display().lower()}) au dossier de {dossier.demandeur}."
        ),
        lien=_lien("suivi_documents", dossier),
        categorie=CategorieNotification.DOCUMENT,
    )


@transaction.atomic
def supprimer_document(*, document: Document, par: Membership) -> None:
    """La ligne disparaît dans la transaction ; le fichier, une fois celle-ci validée."""
    with _pour_ecrire(document.dossier, par) as m:
        dossier = m.dossier
        try:
            document = Document.objects.select_for_update().get(pk=document.pk, dossier=dossier)
        except Document.DoesNotExist:
            raise ErreurMetier("Ce document a déjà été supprimé.") from None
        document.dossier = dossier
        exiger_droit(
            perms.peut_supprimer_document(par, document),
            "Vous ne pouvez pas supprimer ce document.",
        )
        chemin, libelle = document.chemin, document.get_categorie_display().lower()
        m.auditer(
            ActionAudit.SUPPRESSION,
            document,
            categorie=document.categorie,
            empreinte=document.empreinte,
        )
        m.journaliser(
            type=TypeEvenement.DOCUMENT,
            resume=f"Document {'confidentiel ' if document.confidentiel else ''}supprimé ({libelle}) par {par.user}",
            visibilite=Visibilite.SOCIALE if document.confidentiel else Visibilite.PARTAGEE,
        )
        document.delete()
        transaction.on_commit(lambda: default_storage.delete(chemin))
