"""Import des demandeurs depuis un fichier CSV ou XLSX.

Quatre temps, partagés par la page d'import et la commande `import_demandeurs` :
1. `lire_fichier()` : octets → en-têtes et lignes (erreur de fichier claire sinon) ;
2. `proposer_correspondance()` : quel en-tête du fichier alimente quel champ du demandeur
   (la correspondance choisie est gardée par département : `enregistrer_correspondance()`) ;
3. `analyser()` : pour chaque ligne, création, mise à jour, inchangée ou liste d'erreurs,
   sans rien écrire, en deux requêtes quelle que soit la taille du fichier ;
4. `appliquer_import()` : tout ou rien, en masse, dans une transaction, avec une trace
   d'audit. Une seule ligne en erreur et rien n'est écrit.

Voir docs/import-demandeurs.md pour le format attendu."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accompagnement import audit
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, Departement, Structure, TypeStructure, User
from accompagnement.texte import normaliser

from .models import (
    Civilite,
    CorrespondanceImport,
    Demandeur,
    Indemnisation,
    NiveauQualification,
    valider_code_commune,
    valider_code_postal,
    valider_identifiant_ft,
    valider_numero_caf,
)

TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo
LIGNES_MAX = 100_000  # garde-fou : un XLSX de 10 Mo peut contenir des millions de cellules
EXTENSIONS = (".csv", ".xlsx")
TAILLE_LOT = 1000  # lignes par requête d'écriture en masse
PAS_PROGRESSION = 250


class ErreurFichier(ErreurMetier):
    """Le fichier ne peut pas être importé dans son ensemble (format, encodage, en-têtes,
    colonnes obligatoires absentes…). `erreurs` garde chaque message séparément."""

    def __init__(self, *erreurs: str):
        super().__init__(" ".join(erreurs))
        self.erreurs = list(erreurs)


class ValeurInvalide(ValueError):
    """Une cellule ne peut pas être convertie ; le message, en français, dit pourquoi."""


# --- Conversion des cellules -----------------------------------------------------------------


def en_texte(valeur: Any) -> str:
    """Le texte d'une cellule, quel que soit son type (CSV : toujours du texte ; XLSX :
    nombres, dates, booléens)."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, dt.datetime | dt.date):
        return f"{valeur:%d/%m/%Y}"
    return " ".join(str(valeur).split())


def _est_nombre(valeur: Any) -> bool:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


def _texte(longueur_max: int) -> Callable[[Any], str]:
    def convertir(valeur: Any) -> str:
        texte = en_texte(valeur)
        if len(texte) > longueur_max:
            raise ValeurInvalide(f"{len(texte)} caractères, {longueur_max} au plus.")
        return texte

    return convertir


def _code(validateur, *, chiffres: int = 0, zeros_perdus: int = 0) -> Callable[[Any], str]:
    """Un code vérifié par le validateur du modèle. Un tableur enregistre volontiers les
    codes comme des nombres et perd le zéro de tête (01000 → 1000) : on le rétablit."""

    def convertir(valeur: Any) -> str:
        texte = en_texte(valeur).replace(" ", "").upper()
        if chiffres and texte.isdigit() and (_est_nombre(valeur) or len(texte) == zeros_perdus):
            texte = texte.zfill(chiffres)
        try:
            validateur(texte)
        except ValidationError as exc:
            raise ValeurInvalide(f"« {texte} » : {exc.messages[0]}") from exc
        return texte

    return convertir


def _date(valeur: Any) -> dt.date:
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    texte = re.sub(r"[ T]00:00(:00)?$", "", en_texte(valeur))
    for format_date in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            date = dt.datetime.strptime(texte, format_date).date()
        except ValueError:
            continue
        if date.year < 1900:
            raise ValeurInvalide(f"« {texte} » : l'année est invalide.")
        return date
    raise ValeurInvalide(
        f"« {texte} » n'est pas une date valide (attendu jj/mm/aaaa ou aaaa-mm-jj)."
    )


def _date_naissance(valeur: Any) -> dt.date:
    date = _date(valeur)
    if date >= timezone.localdate():
        raise ValeurInvalide(f"le {date:%d/%m/%Y} est dans le futur : la date doit être passée.")
    return date


def _date_passee(valeur: Any) -> dt.date:
    date = _date(valeur)
    if date > timezone.localdate():
        raise ValeurInvalide(f"le {date:%d/%m/%Y} est dans le futur.")
    return date


VRAI = {"oui", "o", "1", "vrai", "x", "true", "yes", "y"}
FAUX = {"non", "n", "0", "faux", "false", "no"}


def _booleen(valeur: Any) -> bool:
    texte = normaliser(en_texte(valeur))
    if texte in VRAI:
        return True
    if texte in FAUX:
        return False
    raise ValeurInvalide(
        f"« {en_texte(valeur)} » : répondez oui ou non (oui/non, 1/0, vrai/faux, x)."
    )


def _choix(correspondances: dict[str, str], attendu: str) -> Callable[[Any], str]:
    table = {normaliser(cle): valeur for cle, valeur in correspondances.items()}

    def convertir(valeur: Any) -> str:
        texte = normaliser(en_texte(valeur))
        if texte in table:
            return table[texte]
        raise ValeurInvalide(f"« {en_texte(valeur)} » n'est pas reconnu ({attendu}).")

    return convertir


def _avec_libelles(choices: type, **autres: str) -> dict[str, str]:
    table = {valeur: valeur for valeur in choices.values}
    table.update({libelle: valeur for valeur, libelle in choices.choices})
    table.update(autres)
    return table


_civilite = _choix(
    {
        **_avec_libelles(Civilite),
        "M.": Civilite.MONSIEUR,
        "Mr": Civilite.MONSIEUR,
        "H": Civilite.MONSIEUR,
        "Homme": Civilite.MONSIEUR,
        "Masculin": Civilite.MONSIEUR,
        "Mlle": Civilite.MADAME,
        "Mademoiselle": Civilite.MADAME,
        "F": Civilite.MADAME,
        "Femme": Civilite.MADAME,
        "Féminin": Civilite.MADAME,
    },
    "M, Monsieur, Mme ou Madame",
)
_indemnisation = _choix(
    {
        **_avec_libelles(Indemnisation),
        "Aucun": Indemnisation.AUCUNE,
        "Non": Indemnisation.AUCUNE,
        "Sans": Indemnisation.AUCUNE,
        "Non indemnisé": Indemnisation.AUCUNE,
    },
    "ARE, ASS ou aucune",
)
_niveau_qualification = _choix(
    {
        **_avec_libelles(NiveauQualification),
        **{f"Niveau {n}": n for n in "345678"},
        "Sans diplôme": NiveauQualification.SANS,
        "Aucun": NiveauQualification.SANS,
        "Aucun diplôme": NiveauQualification.SANS,
        "CAP": NiveauQualification.NIVEAU_3,
        "BEP": NiveauQualification.NIVEAU_3,
        "CAP BEP": NiveauQualification.NIVEAU_3,
        "Bac": NiveauQualification.NIVEAU_4,
        "Baccalauréat": NiveauQualification.NIVEAU_4,
        "Bac+2": NiveauQualification.NIVEAU_5,
        "Bac+3": NiveauQualification.NIVEAU_6,
        "Bac+4": NiveauQualification.NIVEAU_6,
        "Bac+5": NiveauQualification.NIVEAU_7,
        "Doctorat": NiveauQualification.NIVEAU_8,
    },
    "sans, 3 à 8, CAP, bac, bac+2…",
)


def _telephone(valeur: Any) -> str:
    texte = en_texte(valeur)
    if _est_nombre(valeur) and len(texte) == 9:
        texte = "0" + texte  # 0612345678 lu comme le nombre 612345678
    if len(texte) > 20 or not re.fullmatch(r"[0-9 +.()\-]+", texte):
        raise ValeurInvalide(f"« {texte} » n'est pas un numéro de téléphone valide.")
    return texte


def _courriel(valeur: Any) -> str:
    texte = en_texte(valeur)
    try:
        validate_email(texte)
    except ValidationError as exc:
        raise ValeurInvalide(f"« {texte} » n'est pas une adresse de courriel valide.") from exc
    return texte


# --- Les champs importables ------------------------------------------------------------------


@dataclass(frozen=True)
class Champ:
    nom: str
    libelle: str
    entetes: tuple[str, ...]  # en-têtes usuels, reconnus sans accents ni casse
    convertir: Callable[[Any], Any] | None  # None : converti à l'analyse (agence)
    obligatoire: bool = False
    aide: str = ""
    groupe: str = "identite"

    @cached_property
    def entetes_normalises(self) -> tuple[str, ...]:
        return tuple(normaliser(e) for e in (*self.entetes, self.nom))


CHAMPS: dict[str, Champ] = {
    c.nom: c
    for c in (
        Champ(
            "civilite",
            "Civilité",
            ("Civilité", "Civ", "Titre", "Sexe"),
            _civilite,
            aide="M, Monsieur, Mme, Madame. Obligatoire pour créer une nouvelle fiche.",
        ),
        Champ(
            "nom",
            "Nom d'usage",
            ("Nom", "Nom d'usage", "Nom usuel", "Nom de famille"),
            _texte(100),
            obligatoire=True,
        ),
        Champ("prenom", "Prénom", ("Prénom", "Prénoms"), _texte(100), obligatoire=True),
        Champ(
            "nom_naissance",
            "Nom de naissance",
            ("Nom de naissance", "Nom naissance", "Nom de jeune fille"),
            _texte(100),
        ),
        Champ(
            "date_naissance",
            "Date de naissance",
            ("Date de naissance", "Date naissance", "Date de naiss", "DDN", "Né(e) le", "Né le"),
            _date_naissance,
            obligatoire=True,
            aide="jj/mm/aaaa ou aaaa-mm-jj.",
        ),
        Champ(
            "identifiant_ft",
            "Identifiant France Travail",
            (
                "Identifiant FT",
                "IDE",
                "N° IDE",
                "Numéro IDE",
                "Identifiant France Travail",
                "Identifiant Pôle emploi",
                "Identifiant PE",
                "ID FT",
            ),
            _code(valider_identifiant_ft),
            aide="7 chiffres puis un chiffre ou une lettre (ex. 1234567A).",
            groupe="situation",
        ),
        Champ(
            "email",
            "Courriel",
            ("Courriel", "Email", "E-mail", "Mail", "Adresse électronique", "Adresse mail"),
            _courriel,
            groupe="coordonnees",
        ),
        Champ(
            "telephone",
            "Téléphone",
            ("Téléphone", "Tél", "Tel", "Portable", "Mobile", "Numéro de téléphone"),
            _telephone,
            groupe="coordonnees",
        ),
        Champ(
            "adresse",
            "Adresse",
            ("Adresse", "Adresse postale", "Adresse ligne 1", "Rue"),
            _texte(255),
            groupe="coordonnees",
        ),
        Champ(
            "code_postal",
            "Code postal",
            ("Code postal", "CP"),
            _code(valider_code_postal, chiffres=5, zeros_perdus=4),
            groupe="coordonnees",
        ),
        Champ(
            "commune",
            "Commune",
            ("Commune", "Ville", "Localité"),
            _texte(100),
            groupe="coordonnees",
        ),
        Champ(
            "code_commune",
            "Code INSEE de la commune",
            ("Code INSEE", "Code commune", "Code INSEE commune", "INSEE", "Commune INSEE"),
            _code(valider_code_commune, chiffres=5, zeros_perdus=4),
            groupe="coordonnees",
        ),
        Champ(
            "agence",
            "Agence de rattachement",
            (
                "Agence",
                "Agence FT",
                "Agence France Travail",
                "Code agence",
                "Agence de rattachement",
            ),
            None,
            aide="Nom ou code d'une agence France Travail du département.",
            groupe="coordonnees",
        ),
        Champ(
            "rsa_allocataire",
            "Allocataire du RSA",
            ("RSA", "Allocataire RSA", "Bénéficiaire RSA", "BRSA", "RSA allocataire"),
            _booleen,
            aide="oui/non, 1/0, vrai/faux ou x.",
            groupe="situation",
        ),
        Champ(
            "numero_caf",
            "N° allocataire CAF",
            (
                "N° CAF",
                "Numéro CAF",
                "N° allocataire",
                "N° allocataire CAF",
                "Numéro allocataire",
                "Numéro allocataire CAF",
                "Matricule CAF",
                "CAF",
            ),
            _code(valider_numero_caf, chiffres=7),
            groupe="situation",
        ),
        Champ(
            "rsa_date_ouverture",
            "Ouverture du droit RSA",
            (
                "Date d'ouverture RSA",
                "Date ouverture RSA",
                "Ouverture RSA",
                "Date d'ouverture du droit RSA",
                "Ouverture du droit RSA",
            ),
            _date_passee,
            aide="jj/mm/aaaa ou aaaa-mm-jj.",
            groupe="situation",
        ),
        Champ(
            "rsa_droits_devoirs",
            "Soumis aux droits et devoirs",
            (
                "Droits et devoirs",
                "SDD",
                "Soumis aux droits et devoirs",
                "Soumis droits et devoirs",
            ),
            _booleen,
            aide="oui/non, 1/0, vrai/faux ou x.",
            groupe="situation",
        ),
        Champ(
            "indemnisation",
            "Indemnisation",
            ("Indemnisation", "Type d'indemnisation", "Allocation", "Indemnisé"),
            _indemnisation,
            aide="ARE, ASS ou aucune.",
            groupe="situation",
        ),
        Champ(
            "niveau_qualification",
            "Niveau de qualification",
            (
                "Niveau de qualification",
                "Niveau qualification",
                "Niveau de formation",
                "Niveau de diplôme",
                "Diplôme",
                "Niveau",
            ),
            _niveau_qualification,
            aide="sans, 3 à 8 (ou CAP, bac, bac+2…).",
            groupe="situation",
        ),
        Champ(
            "rqth",
            "RQTH",
            ("RQTH", "BOE", "Travailleur handicapé"),
            _booleen,
            aide="oui/non, 1/0, vrai/faux ou x.",
            groupe="situation",
        ),
        Champ(
            "residant_qpv",
            "Résident QPV",
            ("QPV", "Résident QPV", "Résidant QPV", "Quartier prioritaire"),
            _booleen,
            aide="oui/non, 1/0, vrai/faux ou x.",
            groupe="situation",
        ),
    )
}
OBLIGATOIRES = tuple(c.nom for c in CHAMPS.values() if c.obligatoire)
# Noms et prénoms : une différence d'accents ou de casse seule (« MARTIN » / « Martin »)
# n'écrase pas la graphie saisie à la main.
CHAMPS_IDENTITE = ("nom", "prenom", "nom_naissance")


# --- Lecture du fichier ----------------------------------------------------------------------


@dataclass
class Tableau:
    nom_fichier: str
    entetes: list[str]
    lignes: list[tuple[int, list[Any]]]  # (numéro de ligne dans le fichier, cellules)


def lire_fichier(contenu: bytes, nom_fichier: str) -> Tableau:
    """Lit un CSV (UTF-8, avec ou sans BOM ; séparateur « ; », « , » ou tabulation,
    détecté sur l'en-tête) ou un classeur XLSX (première feuille). La première ligne porte
    les en-têtes ; les lignes entièrement vides sont ignorées, la numérotation est celle
    du tableur (l'en-tête est la ligne 1)."""
    extension = Path(nom_fichier).suffix.lower()
    if not contenu:
        raise ErreurFichier("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise ErreurFichier(
            f"Le fichier pèse {len(contenu) / 1024 / 1024:.1f} Mo : 10 Mo au plus. "
            "Découpez-le en plusieurs fichiers."
        )
    if contenu.startswith(b"\xd0\xcf\x11\xe0") or extension == ".xls":
        raise ErreurFichier(
            "Le format .xls (Excel 97-2003) n'est pas pris en charge : enregistrez le classeur "
            "au format .xlsx ou « CSV UTF-8 »."
        )
    if contenu.startswith(b"PK\x03\x04") or extension == ".xlsx":
        rangees = _lire_xlsx(contenu)
    elif extension == ".csv":
        rangees = _lire_csv(contenu)
    else:
        raise ErreurFichier("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
    return _tableau(rangees, nom_fichier)


def _tableau(rangees, nom_fichier: str) -> Tableau:
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
    return Tableau(nom_fichier=nom_fichier, entetes=entetes, lignes=lignes)


def _lire_csv(contenu: bytes):
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ErreurFichier(
            "Le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 » depuis "
            "votre tableur."
        )
    if b"\x00" in contenu[:8192]:
        raise ErreurFichier("Ce fichier n'est pas un fichier texte CSV (contenu binaire).")
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ligne = contenu[: exc.start].count(b"\n") + 1
        raise ErreurFichier(
            f"Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne {ligne}). "
            "Depuis votre tableur, enregistrez-le au format « CSV UTF-8 » : les autres "
            "encodages (Windows-1252, ISO-8859-1…) déformeraient les accents des noms."
        ) from exc
    premiere = texte.split("\n", 1)[0]
    separateur = max((";", ",", "\t"), key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    try:
        yield from lecteur
    except csv.Error as exc:
        raise ErreurFichier(f"CSV mal formé à la ligne {lecteur.line_num} : {exc}.") from exc


def _lire_xlsx(contenu: bytes):
    corrompu = (
        "Le classeur Excel est illisible ou corrompu : ouvrez-le dans votre tableur et "
        "enregistrez-le de nouveau au format .xlsx."
    )
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


# --- Correspondance des colonnes -------------------------------------------------------------


def correspondance_par_defaut(entetes: list[str]) -> dict[str, str]:
    """Reconnaît les en-têtes usuels (sans accents ni casse) : « Nom », « IDE »,
    « N° CAF »… Un en-tête ne sert qu'à un champ."""
    par_forme = {}
    for entete in entetes:
        if entete:
            par_forme.setdefault(normaliser(entete), entete)
    resultat: dict[str, str] = {}
    pris: set[str] = set()
    for champ in CHAMPS.values():
        for forme in champ.entetes_normalises:
            entete = par_forme.get(forme)
            if entete and entete not in pris:
                resultat[champ.nom] = entete
                pris.add(entete)
                break
    return resultat


def proposer_correspondance(entetes: list[str], departement: Departement) -> dict[str, str]:
    """La correspondance gardée pour le département (pour les en-têtes présents dans ce
    fichier), complétée par la reconnaissance des en-têtes usuels."""
    gardee = (
        CorrespondanceImport.objects.filter(departement=departement)
        .values_list("colonnes", flat=True)
        .first()
    ) or {}
    presents = set(entetes)
    resultat = {c: e for c, e in gardee.items() if c in CHAMPS and e in presents}
    restants = [e for e in entetes if e not in resultat.values()]
    for champ, entete in correspondance_par_defaut(restants).items():
        resultat.setdefault(champ, entete)
    return {c: resultat[c] for c in CHAMPS if c in resultat}


def verifier_correspondance(entetes: list[str], correspondance: dict[str, str]) -> None:
    erreurs = []
    if inconnus := sorted(set(correspondance) - set(CHAMPS)):
        erreurs.append(f"Champs inconnus : {', '.join(inconnus)}.")
    manquants = [CHAMPS[c].libelle for c in OBLIGATOIRES if not correspondance.get(c)]
    if manquants:
        trouves = ", ".join(f"« {e} »" for e in entetes if e) or "aucun"
        erreurs.append(
            f"Colonnes obligatoires absentes du fichier : {', '.join(manquants)}. "
            f"En-têtes trouvés : {trouves}."
        )
    for champ, entete in correspondance.items():
        if not entete or champ not in CHAMPS:
            continue
        if entete not in entetes:
            erreurs.append(
                f"La colonne « {entete} » choisie pour « {CHAMPS[champ].libelle} » est absente "
                "du fichier."
            )
        elif entetes.count(entete) > 1:
            erreurs.append(
                f"La colonne « {entete} » apparaît plusieurs fois dans l'en-tête : "
                "renommez l'une d'elles."
            )
    if erreurs:
        raise ErreurFichier(*erreurs)


@transaction.atomic
def enregistrer_correspondance(
    *, departement: Departement, colonnes: dict[str, str], par: User | None
) -> CorrespondanceImport:
    """Garde la correspondance choisie pour que l'import suivant du département se fasse
    sans tout ressaisir."""
    if inconnus := sorted(set(colonnes) - set(CHAMPS)):
        raise ErreurMetier(f"Champs inconnus : {', '.join(inconnus)}.")
    colonnes = {c: e for c, e in colonnes.items() if e}
    correspondance, _ = CorrespondanceImport.objects.update_or_create(
        departement=departement, defaults={"colonnes": colonnes, "modifie_par": par}
    )
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par,
        departement=departement,
        objet=correspondance,
        details={"colonnes": colonnes},
    )
    return correspondance


# --- Analyse (aperçu, sans écriture) ---------------------------------------------------------


class Action(StrEnum):
    CREATION = "creation"
    MISE_A_JOUR = "mise_a_jour"
    INCHANGE = "inchange"
    ERREUR = "erreur"


LIBELLES_ACTION = {
    Action.CREATION: "Création",
    Action.MISE_A_JOUR: "Mise à jour",
    Action.INCHANGE: "Inchangée",
    Action.ERREUR: "Erreur",
}


@dataclass
class LigneAnalysee:
    numero: int
    brut: dict[str, str] = field(default_factory=dict)  # texte lu, par champ (affichage)
    valeurs: dict[str, Any] = field(default_factory=dict)  # valeurs converties non vides
    erreurs: list[str] = field(default_factory=list)
    existant: Demandeur | None = None
    changements: list[str] = field(default_factory=list)

    @property
    def action(self) -> Action:
        if self.erreurs:
            return Action.ERREUR
        if self.existant is None:
            return Action.CREATION
        return Action.MISE_A_JOUR if self.changements else Action.INCHANGE

    @property
    def libelle_action(self) -> str:
        return LIBELLES_ACTION[self.action]

    @property
    def libelles_changements(self) -> list[str]:
        return [CHAMPS[c].libelle for c in self.changements]

    @property
    def cle_identite(self) -> str | None:
        v = self.valeurs
        if {"nom", "prenom", "date_naissance"} <= v.keys():
            return Demandeur.calculer_cle_identite(v["nom"], v["prenom"], v["date_naissance"])
        return None


@dataclass
class Analyse:
    departement: Departement
    nom_fichier: str
    correspondance: dict[str, str]
    lignes: list[LigneAnalysee]

    def _avec(self, action: Action) -> list[LigneAnalysee]:
        return [ligne for ligne in self.lignes if ligne.action == action]

    @cached_property
    def creations(self) -> list[LigneAnalysee]:
        return self._avec(Action.CREATION)

    @cached_property
    def mises_a_jour(self) -> list[LigneAnalysee]:
        return self._avec(Action.MISE_A_JOUR)

    @cached_property
    def inchangees(self) -> list[LigneAnalysee]:
        return self._avec(Action.INCHANGE)

    @cached_property
    def en_erreur(self) -> list[LigneAnalysee]:
        return self._avec(Action.ERREUR)

    @property
    def applicable(self) -> bool:
        return not self.en_erreur

    def messages_erreur(self) -> list[str]:
        return [f"Ligne {ligne.numero} : {e}" for ligne in self.en_erreur for e in ligne.erreurs]


def _convertisseur_agence(departement: Departement) -> Callable[[Any], Structure]:
    agences = list(
        Structure.objects.du_departement(departement).actives().filter(type=TypeStructure.AGENCE_FT)
    )
    par_nom = {normaliser(a.nom): a for a in agences}
    par_code = {a.code.strip().upper(): a for a in agences if a.code.strip()}

    def convertir(valeur: Any) -> Structure:
        texte = en_texte(valeur)
        agence = par_code.get(texte.upper()) or par_nom.get(normaliser(texte))
        if agence is None:
            raise ValeurInvalide(
                f"agence inconnue « {texte} » : ni le nom ni le code d'une agence France "
                "Travail active du département."
            )
        return agence

    return convertir


def _convertir_ligne(numero, cellules, colonnes, convertisseurs) -> LigneAnalysee:
    ligne = LigneAnalysee(numero=numero)
    for champ, indice in colonnes.items():
        brut = cellules[indice] if indice < len(cellules) else None
        texte = en_texte(brut)
        ligne.brut[champ] = texte
        if not texte:
            if CHAMPS[champ].obligatoire:
                ligne.erreurs.append(f"{CHAMPS[champ].libelle} : valeur obligatoire manquante.")
            continue
        try:
            ligne.valeurs[champ] = convertisseurs[champ](brut)
        except ValeurInvalide as exc:
            ligne.erreurs.append(f"{CHAMPS[champ].libelle} : {exc}")
    return ligne


def _charger_existants(departement: Departement, lignes: list[LigneAnalysee]) -> list[Demandeur]:
    """Une requête : les fiches du département qui portent un identifiant ou une clé
    d'identité du fichier (et non tout le département)."""
    identifiants = {v for ligne in lignes if (v := ligne.valeurs.get("identifiant_ft"))}
    cles = {c for ligne in lignes if (c := ligne.cle_identite)}
    if not identifiants and not cles:
        return []
    return list(
        Demandeur.objects.du_departement(departement).filter(
            Q(cle_identite__in=cles) | Q(identifiant_ft__in=identifiants)
        )
    )


def _valeur_actuelle(demandeur: Demandeur, champ: str):
    return demandeur.agence_id if champ == "agence" else getattr(demandeur, champ)


def _differe(demandeur: Demandeur, champ: str, valeur) -> bool:
    actuelle = _valeur_actuelle(demandeur, champ)
    if champ == "agence":
        return actuelle != valeur.pk
    if champ in CHAMPS_IDENTITE:
        return normaliser(actuelle) != normaliser(valeur)
    return actuelle != valeur


def _decrire(demandeur: Demandeur) -> str:
    return f"{demandeur} (né(e) le {demandeur.date_naissance:%d/%m/%Y})"


def _rapprocher(lignes: list[LigneAnalysee], existants: list[Demandeur]) -> None:
    """Rapproche chaque ligne d'une fiche existante (identifiant France Travail, sinon
    nom + prénom + date de naissance sans accents ni casse) et repère les doublons
    internes au fichier et les conflits."""
    par_identifiant = {d.identifiant_ft: d for d in existants if d.identifiant_ft}
    par_cle = {d.cle_identite: d for d in existants}
    vus_identifiant: dict[str, int] = {}
    vus_cle: dict[str, int] = {}
    vus_fiche: dict[int, int] = {}
    for ligne in lignes:
        cle = ligne.cle_identite
        if cle is None:
            continue  # identité incomplète : déjà en erreur
        identifiant = ligne.valeurs.get("identifiant_ft", "")
        erreurs = []
        if identifiant and identifiant in vus_identifiant:
            erreurs.append(
                "Doublon dans le fichier : même identifiant France Travail que la ligne "
                f"{vus_identifiant[identifiant]}."
            )
        elif cle in vus_cle:
            erreurs.append(
                "Doublon dans le fichier : mêmes nom, prénom et date de naissance que la "
                f"ligne {vus_cle[cle]}."
            )
        if identifiant:
            vus_identifiant.setdefault(identifiant, ligne.numero)
        vus_cle.setdefault(cle, ligne.numero)

        par_id = par_identifiant.get(identifiant) if identifiant else None
        par_identite = par_cle.get(cle)
        if par_id and par_identite and par_id.pk != par_identite.pk:
            erreurs.append(
                f"Conflit : l'identifiant France Travail {identifiant} est celui de "
                f"{_decrire(par_id)}, mais une autre fiche existe pour ces nom, prénom et date "
                f"de naissance : {_decrire(par_identite)}."
            )
        elif (
            par_id is None
            and par_identite
            and identifiant
            and par_identite.identifiant_ft not in ("", identifiant)
        ):
            erreurs.append(
                f"{_decrire(par_identite)} existe déjà avec un autre identifiant France Travail "
                f"({par_identite.identifiant_ft}) : vérifiez l'identifiant {identifiant}."
            )
        existant = par_id or par_identite
        if not erreurs and existant is not None and existant.pk in vus_fiche:
            erreurs.append(
                f"Doublon dans le fichier : la ligne {vus_fiche[existant.pk]} met déjà à jour "
                f"{_decrire(existant)}."
            )
        if existant is not None:
            vus_fiche.setdefault(existant.pk, ligne.numero)
        ligne.erreurs.extend(erreurs)
        if ligne.erreurs:
            continue
        if existant is None:
            if "civilite" not in ligne.valeurs:
                ligne.erreurs.append(
                    "Civilité : obligatoire pour créer une nouvelle fiche (M ou Mme)."
                )
            continue
        ligne.existant = existant
        ligne.changements = [
            c for c, valeur in ligne.valeurs.items() if _differe(existant, c, valeur)
        ]


def analyser(
    tableau: Tableau,
    *,
    departement: Departement,
    correspondance: dict[str, str],
    progression: Callable[[int, int], None] | None = None,
) -> Analyse:
    """L'aperçu de l'import, sans rien écrire : deux requêtes (agences, fiches
    existantes concernées) quelle que soit la taille du fichier. Lève ErreurFichier si
    la correspondance ne convient pas au fichier (colonnes obligatoires absentes…)."""
    verifier_correspondance(tableau.entetes, correspondance)
    colonnes = {c: tableau.entetes.index(e) for c, e in correspondance.items() if e}
    convertisseurs = {c: CHAMPS[c].convertir for c in colonnes}
    if "agence" in colonnes:
        convertisseurs["agence"] = _convertisseur_agence(departement)
    total = len(tableau.lignes)
    lignes = []
    for fait, (numero, cellules) in enumerate(tableau.lignes, start=1):
        lignes.append(_convertir_ligne(numero, cellules, colonnes, convertisseurs))
        if progression and fait % PAS_PROGRESSION == 0:
            progression(fait, total)
    _rapprocher(lignes, _charger_existants(departement, lignes))
    if progression:
        progression(total, total)
    return Analyse(
        departement=departement,
        nom_fichier=tableau.nom_fichier,
        correspondance=dict(correspondance),
        lignes=lignes,
    )


# --- Application (écriture en masse, tout ou rien) -------------------------------------------


@dataclass(frozen=True)
class ResumeImport:
    crees: int
    mis_a_jour: int
    inchanges: int


@transaction.atomic
def appliquer_import(*, analyse: Analyse, par: User | None) -> ResumeImport:
    """Écrit l'import analysé : créations en masse, mises à jour en masse des seuls
    champs fournis et changés, une trace d'audit. Refuse tout si une ligne est en erreur.
    `par` est None pour la commande d'exploitation (aucun compte derrière)."""
    if not analyse.applicable:
        raise ErreurMetier(
            f"{len(analyse.en_erreur)} ligne(s) en erreur : rien n'a été importé. Corrigez le "
            "fichier puis relancez l'import."
        )
    departement = analyse.departement
    nouveaux = [
        Demandeur(departement=departement, **ligne.valeurs).preparer()
        for ligne in analyse.creations
    ]
    maintenant = timezone.now()
    modifies, champs = [], set()
    for ligne in analyse.mises_a_jour:
        demandeur = ligne.existant
        for champ in ligne.changements:
            setattr(demandeur, champ, ligne.valeurs[champ])
        champs.update(ligne.changements)
        demandeur.modifie_le = maintenant  # bulk_update ne passe pas par auto_now
        modifies.append(demandeur.preparer())
    try:
        Demandeur.objects.bulk_create(nouveaux, batch_size=TAILLE_LOT)
        if modifies:
            Demandeur.objects.bulk_update(
                modifies,
                [*sorted(champs), "cle_identite", "texte_recherche", "modifie_le"],
                batch_size=TAILLE_LOT,
            )
    except IntegrityError as exc:
        # Une fiche créée ou modifiée entre l'analyse et l'application.
        raise ErreurMetier(
            "Les fiches ont changé pendant l'import (une personne du fichier vient d'être "
            "créée ou modifiée) : rien n'a été importé. Relancez l'analyse."
        ) from exc
    resume = ResumeImport(
        crees=len(nouveaux), mis_a_jour=len(modifies), inchanges=len(analyse.inchangees)
    )
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par,
        departement=departement,
        details={
            "objet_type": "import_demandeurs",
            "fichier": analyse.nom_fichier,
            "lignes": len(analyse.lignes),
            "crees": resume.crees,
            "mis_a_jour": resume.mis_a_jour,
            "inchanges": resume.inchanges,
            "correspondance": analyse.correspondance,
            "champs_mis_a_jour": sorted(champs),
            "demandeurs_crees": [str(d.uuid) for d in nouveaux],
            "demandeurs_mis_a_jour": [str(d.uuid) for d in modifies],
        },
    )
    return resume


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
