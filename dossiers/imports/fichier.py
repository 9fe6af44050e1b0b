"""Import des demandeurs : lecture du fichier déposé (CSV, XLSX) et fichiers en attente."""

from __future__ import annotations

import contextlib
import csv
import io
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings

from accompagnement import fichiers
from dossiers.imports.champs import LIGNES_MAX, TAILLE_MAX, ErreurFichier, en_texte

# --- Lecture du fichier ----------------------------------------------------------------------


DECOUPER = "Découpez-le en plusieurs fichiers."
RESSAUVER_CSV = "Depuis votre tableur, enregistrez-le au format « CSV UTF-8 »."
RESSAUVER_XLSX = "ouvrez-le dans votre tableur et enregistrez-le de nouveau au format .xlsx."


@dataclass
class Tableau:
    nom_fichier: str
    entetes: list[str]
    lignes: list[tuple[int, list[Any]]]  # (numéro de ligne dans le fichier, cellules)
    encodage: str | None = None  # CSV : codec détecté (« utf_8 », « cp1252 »…) ; XLSX : None
    separateur: str | None = None  # CSV : « ; », « , » ou tabulation ; XLSX : None

    @property
    def libelle_encodage(self) -> str:
        """« UTF-8 », « Windows-1252 »… (vide pour un classeur XLSX)."""
        return fichiers.libelle_encodage(self.encodage)


def lire_fichier(contenu: bytes, nom_fichier: str) -> Tableau:
    """Lit un CSV (UTF-8 avec ou sans BOM, ou Windows-1252 ; séparateur « ; », « , » ou
    tabulation, détecté sur l'en-tête) ou un classeur XLSX (première feuille). La première
    ligne porte les en-têtes ; les lignes entièrement vides sont ignorées, la numérotation
    est celle du tableur (l'en-tête est la ligne 1)."""
    extension = Path(nom_fichier).suffix.lower()
    fichiers.verifier_taille(len(contenu), TAILLE_MAX, conseil=DECOUPER)
    type_ = fichiers.reconnaitre_type(contenu)
    if type_ == fichiers.MIME_OLE or extension == ".xls":
        raise ErreurFichier(
            "Le format .xls (Excel 97-2003) n'est pas pris en charge : enregistrez le classeur "
            "au format .xlsx ou « CSV UTF-8 »."
        )
    if contenu.startswith(fichiers.SIGNATURE_ZIP) or extension == ".xlsx":
        fichiers.verifier_archive(contenu)
        return _tableau(_lire_xlsx(contenu), nom_fichier)
    if extension != ".csv":
        raise ErreurFichier("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
    texte, encodage = fichiers.decoder(contenu, conseil=RESSAUVER_CSV)
    separateur = _separateur(texte)
    tableau = _tableau(_lire_csv(texte, separateur), nom_fichier, encodage)
    tableau.separateur = separateur
    return tableau


def _tableau(rangees, nom_fichier: str, encodage: str | None = None) -> Tableau:
    entetes: list[str] | None = None
    lignes: list[tuple[int, list[Any]]] = []
    for numero, cellules in enumerate(rangees, start=1):
        if entetes is None:
            entetes = [en_texte(c) for c in cellules]
            if not any(entetes):
                raise ErreurFichier(
                    "La première ligne du fichier doit contenir les en-têtes des colonnes "
                    "(Nom, Prénom, Date de naissance…)."
                )
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cellules):
            continue
        if len(lignes) >= LIGNES_MAX:
            raise ErreurFichier(
                f"Le fichier dépasse {LIGNES_MAX:,} lignes : découpez-le.".replace(",", " ")
            )
        lignes.append((numero, list(cellules)))
    if entetes is None:
        raise ErreurFichier("Le fichier est vide.")
    if not lignes:
        raise ErreurFichier("Le fichier ne contient aucune ligne de données sous l'en-tête.")
    return Tableau(nom_fichier=nom_fichier, entetes=entetes, lignes=lignes, encodage=encodage)


def _separateur(texte: str) -> str:
    premiere = texte.split("\n", 1)[0]
    return max((";", ",", "\t"), key=premiere.count)


def _lire_csv(texte: str, separateur: str):
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    try:
        yield from lecteur
    except csv.Error as exc:
        raise ErreurFichier(f"CSV mal formé à la ligne {lecteur.line_num} : {exc}.") from exc


def _lire_xlsx(contenu: bytes):
    corrompu = f"Le classeur Excel est illisible ou corrompu : {RESSAUVER_XLSX}"
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except (
        Exception
    ) as exc:  # openpyxl lève des erreurs variées (zip, XML, clés) sur un fichier abîmé
        raise ErreurFichier(corrompu) from exc
    try:
        if not classeur.worksheets:
            raise ErreurFichier("Le classeur ne contient aucune feuille.")
        feuille = classeur.worksheets[0]
        # Certains logiciels écrivent des dimensions fausses : on lit toute la feuille.
        feuille.reset_dimensions()
        yield from feuille.iter_rows(values_only=True)
    except ErreurFichier:
        raise
    except Exception as exc:  # idem : une feuille abîmée se révèle pendant la lecture
        raise ErreurFichier(corrompu) from exc
    finally:
        classeur.close()


# --- Fichiers déposés en attente (page d'import) ---------------------------------------------
# Entre le dépôt et l'application, le fichier reste sous MEDIA_ROOT/imports/<uuid>, jamais
# servi directement ; la session ne garde que l'uuid.

DUREE_CONSERVATION = 24 * 60 * 60  # un import abandonné ne traîne pas plus d'un jour


def _chemin(reference: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(uuid.UUID(reference))


def conserver_fichier(contenu: bytes) -> str:
    reference = str(uuid.uuid4())
    chemin = _chemin(reference)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(contenu)
    chemin.chmod(0o600)
    return reference


def relire_fichier(reference: str) -> bytes | None:
    try:
        return _chemin(reference).read_bytes()
    except (FileNotFoundError, ValueError):
        return None


def supprimer_fichier(reference: str | None) -> None:
    if reference:
        with contextlib.suppress(ValueError):  # référence altérée : rien à supprimer
            _chemin(reference).unlink(missing_ok=True)


def purger_fichiers_anciens(age: int = DUREE_CONSERVATION) -> int:
    dossier = Path(settings.MEDIA_ROOT) / "imports"
    if not dossier.is_dir():
        return 0
    limite, supprimes = time.time() - age, 0
    for chemin in dossier.iterdir():
        if chemin.is_file() and chemin.stat().st_mtime < limite:
            chemin.unlink(missing_ok=True)
            supprimes += 1
    return supprimes
