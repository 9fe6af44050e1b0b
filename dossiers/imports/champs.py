"""Import des demandeurs : conversion des cellules et champs importables."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from accompagnement.fichiers import ErreurFichier as ErreurFichier  # le fichier entier refusé
from accompagnement.texte import normaliser
from dossiers.models import (
    Civilite,
    Indemnisation,
    NiveauQualification,
    valider_code_commune,
    valider_code_postal,
    valider_identifiant_ft,
    valider_numero_caf,
)

TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo
LIGNES_MAX = 100_000  # garde-fou : un XLSX de 10 Mo peut contenir des millions de cellules
# Garde-fous d'un classeur, en plus des lignes : cellules lues (100 000 lignes de 30
# colonnes) et taille décompressée (100 000 lignes ordinaires font 70 Mo de XML ; le plafond
# commun des archives, 256 Mo, laisserait openpyxl analyser plusieurs minutes).
CELLULES_MAX = 3_000_000
DECOMPRESSE_MAX = 100 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
TAILLE_LOT = 1000  # lignes par requête d'écriture en masse
PAS_PROGRESSION = 250


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
