"""Documents du dossier : type reconnu au contenu, dépôt, téléchargement contrôlé, suppression."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.storage import default_storage
from django.db import transaction

from accompagnement import fichiers, notifications
from accompagnement.exceptions import AccesRefuse, ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, CategorieNotification, Membership, User
from accompagnement.texte import minuscule_initiale
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

# Les types acceptés (reconnus au contenu par accompagnement/fichiers.py) et leurs extensions.
EXTENSIONS = {
    fichiers.MIME_PDF: (".pdf",),
    fichiers.MIME_PNG: (".png",),
    fichiers.MIME_JPEG: (".jpg", ".jpeg"),
    fichiers.MIME_ODT: (".odt",),
    fichiers.MIME_DOCX: (".docx",),
    fichiers.MIME_XLSX: (".xlsx",),
}
FORMATS_ACCEPTES = "PDF, PNG, JPEG, ODT, DOCX ou XLSX"
REFUS_FORMAT = (
    "Ce fichier n'est pas d'un format accepté ({formats}) : son contenu ne correspond pas. "
    "Enregistrez-le en PDF et déposez-le de nouveau."
)


def reconnaitre_type(fichier) -> str:
    """Le type MIME d'un fichier déposé, reconnu à son contenu, jamais à son nom ni au type
    annoncé par le navigateur, s'il est accepté ; une archive bureautique démesurée une fois
    décompressée (bombe) est refusée."""
    type_mime = fichiers.reconnaitre_type(fichier)
    if type_mime not in EXTENSIONS:
        raise ErreurMetier(REFUS_FORMAT.format(formats=FORMATS_ACCEPTES))
    if type_mime in fichiers.ARCHIVES:
        fichiers.verifier_archive(fichier)
    return type_mime


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
        fichiers.verifier_taille(fichier.size, TAILLE_MAX_DOCUMENT)
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
        libelle = minuscule_initiale(CategorieDocument(categorie).label)
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
            f"({minuscule_initiale(document.get_categorie_display())}) au dossier de {dossier.demandeur}."
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
        chemin, libelle = document.chemin, minuscule_initiale(document.get_categorie_display())
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
