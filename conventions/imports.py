"""Import de la base de ressources sociales d'un département depuis un fichier publié au
format data·inclusion v1 (JSON ou CSV).

Trois temps, partagés par la page d'import, la commande `import_ressources` et la démo :
1. `lire()` : octets → éléments bruts (structures et services) ; un fichier illisible
   (encodage, JSON invalide, trop gros, pas un export data·inclusion) lève ErreurFichier ;
2. `analyser()` : chaque élément est converti (anciennes thématiques v0 → v1), validé par
   les modèles pydantic du paquet `data-inclusion-schema`, puis rapproché de la base sur
   (source, id) : création, mise à jour, inchangé ou rejet motivé. Rien n'est écrit ; deux
   requêtes quelle que soit la taille du fichier ;
3. `appliquer()` : écriture en masse dans une transaction (bulk_create / bulk_update des
   seuls objets changés), une trace d'audit. Une ligne rejetée et rien n'est écrit, sauf
   si l'import partiel est accepté : les lignes valides sont alors écrites.

Un second import du même fichier ne change rien : les valeurs sont comparées, aucune
écriture n'a lieu. Voir docs/ressources-sociales.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import pydantic
from data_inclusion.schema import v1
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accompagnement import audit, fichiers
from accompagnement.exceptions import ErreurMetier
from accompagnement.fichiers import ErreurFichier as ErreurFichier  # fichier refusé en bloc
from accompagnement.models import ActionAudit, Departement, User

from . import datainclusion as di
from .models import ServiceRessource, StructureRessource

TAILLE_MAX = 60 * 1024 * 1024  # 60 Mo
ELEMENTS_MAX = 200_000  # garde-fou : un fichier de 60 Mo de petits objets
EXTENSIONS = (".json", ".csv")
TAILLE_LOT = 1000  # objets par requête d'écriture en masse
PAS_PROGRESSION = 500
ENTETE_MAX = 20_000  # caractères : au-delà, la première ligne n'est pas un en-tête CSV
REJETS_AFFICHES = 300  # rapport gardé en session : les premiers rejets seulement

Progression = Callable[[str, int, int], None]  # (étape, fait, total)


class Genre(StrEnum):
    STRUCTURE = "structure"
    SERVICE = "service"


# --- Lecture ----------------------------------------------------------------------------------


@dataclass
class Element:
    genre: Genre | None  # None : l'élément n'est pas un objet JSON
    position: str  # « ligne 12 », « service n°3 »
    donnees: dict[str, Any]


@dataclass
class Lot:
    nom_fichier: str
    format: str  # json, csv
    elements: list[Element]


DECOUPER = "Découpez-le (par exemple par source)."
EXPORT_UTF8 = "Déposez l'export JSON ou CSV de data·inclusion, en UTF-8."


def lire_flux(flux, nom_fichier: str, taille: int | None = None) -> Lot:
    """Lit un fichier ouvert (binaire) par morceaux, sans jamais dépasser TAILLE_MAX."""
    contenu = fichiers.lire_flux(flux, taille_max=TAILLE_MAX, taille=taille, conseil=DECOUPER)
    return lire(contenu, nom_fichier)


def lire(contenu: bytes, nom_fichier: str) -> Lot:
    """JSON (liste d'objets, ou objet {"structures": [...], "services": [...]}) ou CSV
    (services, ou structures si la colonne structure_id est absente), en UTF-8 (ou
    Windows-1252, celui d'un CSV réenregistré par un tableur)."""
    lu = fichiers.lire(
        contenu,
        taille_max=TAILLE_MAX,
        texte=True,
        conseil_taille=DECOUPER,
        conseil_texte=EXPORT_UTF8,
    )
    if not lu.texte.strip():
        raise ErreurFichier("Le fichier est vide.")
    if lu.type == fichiers.MIME_JSON or Path(nom_fichier).suffix.lower() == ".json":
        elements, format_ = _lire_json(lu.texte), "json"
    else:
        elements, format_ = _lire_csv(lu.texte), "csv"
    if not elements:
        raise ErreurFichier("Le fichier ne contient aucune structure ni aucun service.")
    if len(elements) > ELEMENTS_MAX:
        raise ErreurFichier(
            f"Le fichier contient plus de {ELEMENTS_MAX:,} éléments : découpez-le.".replace(
                ",", " "
            )
        )
    return Lot(nom_fichier=nom_fichier, format=format_, elements=elements)


MESSAGES_JSON = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendu",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
    "Unterminated string starting at": "texte entre guillemets jamais fermé",
    "Extra data": "contenu en trop après la fin des données",
    "Invalid control character at": "caractère de contrôle interdit dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
}


def _lire_json(texte: str) -> list[Element]:
    try:
        donnees = json.loads(texte)
    except json.JSONDecodeError as exc:
        raison = MESSAGES_JSON.get(exc.msg, exc.msg)
        raise ErreurFichier(
            f"JSON invalide à la ligne {exc.lineno}, colonne {exc.colno} : {raison}. "
            "Le fichier est peut-être tronqué ou modifié à la main."
        ) from exc
    except RecursionError as exc:
        raise ErreurFichier("JSON invalide : imbrication trop profonde.") from exc
    if isinstance(donnees, dict):
        if "structures" in donnees or "services" in donnees:
            structures = _liste_json(donnees, "structures")
            services = _liste_json(donnees, "services")
            return [
                *_elements(structures, Genre.STRUCTURE, "structure"),
                *_elements(services, Genre.SERVICE, "service"),
            ]
        if isinstance(donnees.get("items"), list):  # réponse paginée de l'API data·inclusion
            return list(_elements(donnees["items"], None, "élément"))
        if "id" in donnees:
            return list(_elements([donnees], None, "élément"))
        raise ErreurFichier(
            "Objet JSON non reconnu : attendu une liste de structures et de services, ou un "
            'objet {"structures": […], "services": […]}.'
        )
    if isinstance(donnees, list):
        return list(_elements(donnees, None, "élément"))
    raise ErreurFichier(
        "Le JSON ne contient ni liste ni objet : attendu une liste de structures et de services."
    )


def _liste_json(donnees: dict, cle: str) -> list:
    valeur = donnees.get(cle) or []
    if not isinstance(valeur, list):
        raise ErreurFichier(f"« {cle} » doit être une liste d'objets.")
    return valeur


def _elements(objets: list, genre: Genre | None, mot: str) -> Iterable[Element]:
    for numero, objet in enumerate(objets, start=1):
        position = f"{mot} n°{numero}"
        if not isinstance(objet, dict):
            yield Element(genre=None, position=position, donnees={})
            continue
        # Une liste mêlée : un service porte structure_id, une structure non.
        deduit = genre or (Genre.SERVICE if "structure_id" in objet else Genre.STRUCTURE)
        yield Element(genre=deduit, position=position, donnees=objet)


CHAMPS_LISTE = {
    "thematiques",
    "publics",
    "modes_accueil",
    "zone_eligibilite",
    "modes_mobilisation",
    "mobilisable_par",
    "reseaux_porteurs",
    "frais",
    "types",
    "profils",
}


def _lire_csv(texte: str) -> list[Element]:
    premiere = texte.split("\n", 1)[0]
    if len(premiere) > ENTETE_MAX:
        raise ErreurFichier(
            "Ce fichier n'est ni un JSON ni un CSV data·inclusion : sa première ligne n'est pas "
            "un en-tête de colonnes."
        )
    separateur = max((";", ",", "\t"), key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    try:
        entetes = [e.strip().lower() for e in next(lecteur, [])]
        if not {"id", "source", "nom"} <= set(entetes):
            trouves = ", ".join(f"« {e[:40]} »" for e in entetes[:12] if e) or "aucun"
            raise ErreurFichier(
                "Ce fichier n'est pas un export data·inclusion : colonnes id, source et nom "
                f"attendues (et structure_id pour des services). En-têtes trouvés : {trouves}."
            )
        if len(set(entetes)) != len(entetes):
            doubles = sorted({e for e in entetes if entetes.count(e) > 1})
            raise ErreurFichier(f"Colonnes en double dans l'en-tête : {', '.join(doubles)}.")
        genre = Genre.SERVICE if "structure_id" in entetes else Genre.STRUCTURE
        elements = []
        for cellules in lecteur:
            if not any(c.strip() for c in cellules):
                continue
            if len(elements) >= ELEMENTS_MAX:
                raise ErreurFichier(
                    f"Le fichier contient plus de {ELEMENTS_MAX:,} lignes : découpez-le.".replace(
                        ",", " "
                    )
                )
            donnees = {}
            for entete, cellule in zip(entetes, cellules, strict=False):
                if entete and cellule.strip():
                    donnees[entete] = (
                        _liste_csv(cellule) if entete in CHAMPS_LISTE else cellule.strip()
                    )
            if len(cellules) > len(entetes):
                donnees["__colonnes_en_trop__"] = len(cellules) - len(entetes)
            elements.append(
                Element(genre=genre, position=f"ligne {lecteur.line_num}", donnees=donnees)
            )
    except csv.Error as exc:
        raise ErreurFichier(f"CSV mal formé à la ligne {lecteur.line_num} : {exc}.") from exc
    return elements


def _liste_csv(cellule: str) -> list[str]:
    """« a|b », « a, b », « [\"a\", \"b\"] » ou « {a,b} » → ["a", "b"]."""
    texte = cellule.strip()
    if texte[:1] + texte[-1:] in ("[]", "{}"):
        texte = texte[1:-1]
    separateur = "|" if "|" in texte else ","
    return [v for m in texte.split(separateur) if (v := m.strip().strip("\"'").strip())]


# --- Conversion et validation d'un élément ----------------------------------------------------

MODELES = {Genre.STRUCTURE: v1.Structure, Genre.SERVICE: v1.Service}

# Champs du modèle alimentés par le fichier : ceux du schéma, `id` devenant `identifiant`
# (`structure_id` devient la clé étrangère `structure`).
CHAMPS_MODELE = {
    Genre.STRUCTURE: [n for n in v1.Structure.model_fields if n != "id"] + ["identifiant"],
    Genre.SERVICE: [n for n in v1.Service.model_fields if n not in ("id", "structure_id")]
    + ["identifiant"],
}

LIBELLES_CHAMPS = {
    "source": "source",
    "structure_id": "structure (structure_id)",
    "id": "identifiant (id)",
    "nom": "nom",
    "description": "description",
    "date_maj": "date de mise à jour (date_maj)",
    "lien_source": "lien vers la source",
    "siret": "SIRET",
    "type": "type de service",
    "thematiques": "thématiques",
    "frais": "frais",
    "frais_precisions": "précisions sur les frais",
    "publics": "publics",
    "publics_precisions": "précisions sur les publics",
    "conditions_acces": "conditions d'accès",
    "commune": "commune",
    "code_postal": "code postal",
    "code_insee": "code INSEE",
    "adresse": "adresse",
    "complement_adresse": "complément d'adresse",
    "longitude": "longitude",
    "latitude": "latitude",
    "telephone": "téléphone",
    "courriel": "courriel",
    "site_web": "site web",
    "modes_accueil": "modes d'accueil",
    "zone_eligibilite": "zone d'éligibilité",
    "contact_nom_prenom": "contact",
    "lien_mobilisation": "lien de mobilisation",
    "modes_mobilisation": "modes de mobilisation",
    "mobilisable_par": "mobilisable par",
    "mobilisation_precisions": "précisions sur la mobilisation",
    "volume_horaire_hebdomadaire": "volume horaire hebdomadaire",
    "nombre_semaines": "nombre de semaines",
    "horaires_accueil": "horaires d'accueil",
    "accessibilite_lieu": "accessibilité du lieu",
    "reseaux_porteurs": "réseaux porteurs",
}
FORMATS = {
    "code_postal": "5 chiffres attendus",
    "code_insee": "code commune à 5 caractères attendu (ex. 25056)",
    "siret": "14 chiffres attendus",
}
ZONE_ATTENDUE = (
    "code INSEE de commune (5 caractères), de département (2 ou 3), d'EPCI (9 chiffres), "
    "code pays (99xxx) ou « france » attendu"
)


def _apercu(valeur: Any) -> str:
    texte = valeur if isinstance(valeur, str) else json.dumps(valeur, ensure_ascii=False)
    return texte if len(texte) <= 60 else texte[:57] + "…"


def _raison(erreur: dict, champ: str) -> str:
    type_, ctx, valeur = erreur["type"], erreur.get("ctx") or {}, erreur.get("input")
    apercu = _apercu(valeur)
    if type_ == "missing":
        return "obligatoire, absent"
    if type_ == "string_too_short":
        return f"trop court (« {apercu} » : {ctx.get('min_length')} caractères au moins)"
    if type_ == "string_too_long":
        return f"trop long ({len(valeur)} caractères, {ctx.get('max_length')} au plus)"
    if type_ == "string_pattern_mismatch":
        return f"format invalide « {apercu} » ({FORMATS.get(champ, 'format attendu inconnu')})"
    if type_ in ("enum", "literal_error"):
        if champ == "thematiques":
            return f"valeur inconnue « {apercu} » (ni thématique v1, ni ancienne thématique v0)"
        return f"valeur inconnue « {apercu} » (attendu : {ctx.get('expected', '?')})"
    if type_.startswith("date_"):
        return f"date invalide « {apercu} » (attendu AAAA-MM-JJ)"
    if type_.startswith("url_"):
        return f"adresse web invalide « {apercu} » (http:// ou https:// attendu)"
    if type_ == "value_error" and champ == "courriel":
        return f"adresse de courriel invalide « {apercu} »"
    if type_ == "value_error":
        return erreur["msg"].removeprefix("Value error, ").rstrip(".")
    if type_ == "string_type":
        return f"texte attendu, reçu « {apercu} »"
    if type_.startswith(("float_", "finite_")):
        return f"nombre attendu, reçu « {apercu} »"
    if type_.startswith("int_"):
        return f"nombre entier attendu, reçu « {apercu} »"
    if type_ == "greater_than_equal":
        return f"doit être supérieur ou égal à {ctx.get('ge')}"
    if type_ == "too_short":
        return "liste vide : au moins une valeur attendue"
    if type_ in ("list_type", "set_type", "iterable_type", "tuple_type"):
        return f"liste attendue, reçu « {apercu} »"
    return f"valeur invalide « {apercu} »"


def traduire_erreurs(exc: pydantic.ValidationError) -> list[str]:
    """Les erreurs de validation pydantic en phrases françaises « champ : raison. »."""
    return [message for _, message in erreurs_par_champ(exc)]


def erreurs_par_champ(exc: pydantic.ValidationError) -> list[tuple[str, str]]:
    """(champ data·inclusion, « libellé : raison. ») pour chaque valeur en erreur ; les
    erreurs d'une même valeur d'union (zone d'éligibilité) sont regroupées."""
    par_cle: dict[tuple, list[dict]] = {}
    for erreur in exc.errors(include_url=False):
        loc = erreur["loc"]
        cle = tuple(loc[:2]) if len(loc) > 1 and isinstance(loc[1], int) else tuple(loc[:1])
        par_cle.setdefault(cle, []).append(erreur)
    messages = []
    for cle, erreurs in par_cle.items():
        champ = str(cle[0]) if cle else ""
        libelle = LIBELLES_CHAMPS.get(champ, champ)
        if len(cle) > 1:
            libelle = f"{libelle} (valeur n°{cle[1] + 1})"
        if len(erreurs) > 1 and champ == "zone_eligibilite":
            raison = f"code « {_apercu(erreurs[0].get('input'))} » invalide : {ZONE_ATTENDUE}"
        else:
            raison = _raison(erreurs[0], champ)
        messages.append((champ, f"{libelle} : {raison}."))
    return messages


@dataclass
class Constats:
    """Ce qui mérite d'être dit sans bloquer l'import : champs inconnus ignorés,
    conversions des anciennes valeurs v0."""

    inconnus: Counter = field(default_factory=Counter)  # (genre, champ) → nombre
    conversions: Counter = field(default_factory=Counter)  # (ancienne, nouvelle) → nombre

    def avertissements(self) -> list[str]:
        messages = []
        for (genre, champ), nombre in sorted(self.inconnus.items()):
            messages.append(
                f"Champ inconnu « {champ[:60]} » ignoré ({nombre} {genre}{'s' if nombre > 1 else ''})."
            )
        for (ancienne, nouvelle), nombre in sorted(
            self.conversions.items(), key=lambda c: (c[0][0], c[0][1] or "")
        ):
            cible = f"« {nouvelle} »" if nouvelle else "retirée (sans équivalent v1)"
            messages.append(
                f"Thématique v0 « {ancienne[:80]} » → {cible} ({nombre} service{'s' if nombre > 1 else ''})."
            )
        return messages


def _pretraiter(donnees: dict[str, Any], genre: Genre, constats: Constats) -> dict[str, Any]:
    """Vide → absent, textes sans espaces superflus, anciennes valeurs v0 converties,
    champs inconnus retirés (et comptés)."""
    propres: dict[str, Any] = {}
    for cle, valeur in donnees.items():
        if isinstance(valeur, str):
            valeur = valeur.strip()
        if valeur in (None, "", [], {}):
            continue
        propres[str(cle)] = valeur
    if genre == Genre.SERVICE:
        # Anciens noms de champs (v0) ayant un équivalent direct.
        detail = propres.pop("presentation_detail", None)
        resume = propres.pop("presentation_resume", None)
        if "description" not in propres and (detail or resume):
            propres["description"] = detail or resume
        zone = propres.pop("zone_diffusion_code", None)
        if "zone_eligibilite" not in propres and isinstance(zone, str):
            propres["zone_eligibilite"] = [zone]
        if isinstance(propres.get("thematiques"), list) and all(
            isinstance(t, str) for t in propres["thematiques"]
        ):
            thematiques, conversions = di.convertir_thematiques(propres["thematiques"])
            constats.conversions.update(conversions.items())
            if thematiques:
                propres["thematiques"] = thematiques
            else:
                propres.pop("thematiques")
        frais = propres.get("frais")
        if isinstance(frais, list) and all(isinstance(f, str) for f in frais):
            convertis = {di.FRAIS_V0_VERS_V1.get(f, f) for f in frais}
            propres["frais"] = "payant" if "payant" in convertis else next(iter(sorted(convertis)))
    connus = MODELES[genre].model_fields
    trop = propres.pop("__colonnes_en_trop__", 0)
    if trop:
        constats.inconnus[(genre.value, "colonnes sans en-tête")] += 1
    for cle in [c for c in propres if c not in connus]:
        constats.inconnus[(genre.value, cle)] += 1
        del propres[cle]
    return propres


def _valeurs_modele(valide: pydantic.BaseModel, genre: Genre) -> dict[str, Any]:
    """Le modèle pydantic validé → valeurs des champs du modèle Django (textes vides plutôt
    que None, listes triées pour des comparaisons stables)."""
    brut = valide.model_dump(mode="json")
    modele = StructureRessource if genre == Genre.STRUCTURE else ServiceRessource
    valeurs: dict[str, Any] = {}
    for nom in CHAMPS_MODELE[genre]:
        source = "id" if nom == "identifiant" else nom
        try:
            champ = modele._meta.get_field(nom)
        except FieldDoesNotExist:  # champ du schéma non conservé (aucun aujourd'hui)
            continue
        valeur = brut.get(source)
        if nom == "frais":
            valeur = [valeur] if valeur else []
        elif isinstance(champ, models.DateField):
            valeur = dt.date.fromisoformat(valeur)
        elif hasattr(champ, "base_field"):  # ArrayField
            valeur = sorted(valeur or [])
        elif isinstance(champ, models.FloatField | models.IntegerField):
            pass
        elif valeur is None:
            valeur = ""
        valeurs[nom] = valeur
    return valeurs


def _verifier_longueurs(valeurs: dict[str, Any], genre: Genre) -> list[str]:
    """Limites de la base plus strictes que le schéma (téléphone, liens…)."""
    modele = StructureRessource if genre == Genre.STRUCTURE else ServiceRessource
    erreurs = []
    for nom, valeur in valeurs.items():
        longueur_max = getattr(modele._meta.get_field(nom), "max_length", None)
        if longueur_max and isinstance(valeur, str) and len(valeur) > longueur_max:
            libelle = LIBELLES_CHAMPS.get("id" if nom == "identifiant" else nom, nom)
            erreurs.append(
                f"{libelle} : trop long ({len(valeur)} caractères, {longueur_max} au plus)."
            )
    return erreurs


# --- Analyse ----------------------------------------------------------------------------------


class Action(StrEnum):
    CREATION = "creation"
    MISE_A_JOUR = "mise_a_jour"
    INCHANGE = "inchange"
    REJET = "rejet"


@dataclass
class Ligne:
    genre: Genre | None
    position: str
    source: str = ""
    identifiant: str = ""
    nom: str = ""
    structure_id: str = ""
    valeurs: dict[str, Any] = field(default_factory=dict)
    erreurs: list[str] = field(default_factory=list)
    objet: models.Model | None = None  # existant modifié en mémoire, ou nouveau
    nouveau: bool = False
    changements: list[str] = field(default_factory=list)

    @property
    def cle(self) -> tuple[str, str]:
        return (self.source, self.identifiant)

    @property
    def action(self) -> Action:
        if self.erreurs:
            return Action.REJET
        if self.nouveau:
            return Action.CREATION
        return Action.MISE_A_JOUR if self.changements else Action.INCHANGE


@dataclass
class Analyse:
    departement: Departement
    nom_fichier: str
    format: str
    lignes: list[Ligne]
    avertissements: list[str]

    def _de(self, genre: Genre, action: Action) -> list[Ligne]:
        return [ligne for ligne in self.lignes if ligne.genre == genre and ligne.action == action]

    @cached_property
    def rejets(self) -> list[Ligne]:
        return [ligne for ligne in self.lignes if ligne.action == Action.REJET]

    def compteurs(self, genre: Genre) -> dict[str, int]:
        return {
            "crees": len(self._de(genre, Action.CREATION)),
            "mis_a_jour": len(self._de(genre, Action.MISE_A_JOUR)),
            "inchanges": len(self._de(genre, Action.INCHANGE)),
            "rejetes": len(self._de(genre, Action.REJET)),
        }


def _ligne(element: Element, constats: Constats) -> Ligne:
    ligne = Ligne(genre=element.genre, position=element.position)
    if element.genre is None:
        ligne.erreurs.append("L'élément n'est pas un objet JSON (attendu : {\"id\": …, …}).")
        return ligne
    brut = element.donnees
    for cle in ("source", "id", "nom", "structure_id"):
        valeur = brut.get(cle)
        if isinstance(valeur, str | int):
            setattr(ligne, "identifiant" if cle == "id" else cle, str(valeur).strip()[:200])
    donnees = _pretraiter(brut, element.genre, constats)
    try:
        valide = MODELES[element.genre].model_validate(donnees)
    except pydantic.ValidationError as exc:
        ligne.erreurs.extend(traduire_erreurs(exc))
        return ligne
    ligne.valeurs = _valeurs_modele(valide, element.genre)
    ligne.erreurs.extend(_verifier_longueurs(ligne.valeurs, element.genre))
    return ligne


def _marquer_doublons(lignes: list[Ligne]) -> None:
    vues: dict[tuple, str] = {}
    for ligne in lignes:
        if ligne.erreurs or ligne.genre is None:
            continue
        cle = (ligne.genre, *ligne.cle)
        if cle in vues:
            ligne.erreurs.append(
                f"Doublon : même source et même identifiant que {vues[cle]} du fichier."
            )
        else:
            vues[cle] = ligne.position


def _differences(objet: models.Model, valeurs: dict[str, Any]) -> list[str]:
    return [nom for nom, valeur in valeurs.items() if getattr(objet, nom) != valeur]


def _rapprocher_structures(
    lignes: list[Ligne], existantes: dict[tuple, StructureRessource], departement
) -> None:
    for ligne in lignes:
        if ligne.erreurs:
            continue
        existante = existantes.get(ligne.cle)
        if existante is None:
            ligne.objet = StructureRessource(departement=departement, **ligne.valeurs)
            ligne.nouveau = True
            continue
        ligne.changements = _differences(existante, ligne.valeurs)
        for nom in ligne.changements:
            setattr(existante, nom, ligne.valeurs[nom])
        ligne.objet = existante


DERIVES = ("domaines", "texte_recherche", "texte_nom")


def _rapprocher_services(
    lignes: list[Ligne],
    existants: dict[tuple, ServiceRessource],
    structures_fichier: dict[tuple, Ligne],
    structures_base: dict[tuple, StructureRessource],
    departement,
) -> None:
    for ligne in lignes:
        if ligne.erreurs:
            continue
        cle_structure = (ligne.source, ligne.structure_id)
        porteuse = structures_fichier.get(cle_structure)
        if porteuse is not None and porteuse.erreurs:
            ligne.erreurs.append(
                f"Sa structure « {ligne.structure_id} » est rejetée ({porteuse.position})."
            )
            continue
        structure = porteuse.objet if porteuse is not None else structures_base.get(cle_structure)
        if structure is None:
            ligne.erreurs.append(
                f"Structure « {ligne.structure_id} » (source « {ligne.source} ») absente du "
                "fichier et de la base du département."
            )
            continue
        existant = existants.get(ligne.cle)
        if existant is None:
            ligne.objet = ServiceRessource(
                departement=departement, structure=structure, **ligne.valeurs
            ).preparer()
            ligne.nouveau = True
            continue
        changements = _differences(existant, ligne.valeurs)
        if existant.structure_id is None or existant.structure_id != structure.pk:
            changements.append("structure")
        for nom in changements:
            if nom != "structure":
                setattr(existant, nom, ligne.valeurs[nom])
        avant = [getattr(existant, nom) for nom in DERIVES]
        existant.structure = structure  # déjà en mémoire : aucune requête dans preparer()
        existant.preparer()
        # Colonnes dérivées changées seules : la structure a été renommée, par exemple.
        changements += [n for n, a in zip(DERIVES, avant, strict=True) if getattr(existant, n) != a]
        ligne.changements = changements
        ligne.objet = existant


def analyser(
    lot: Lot, *, departement: Departement, progression: Progression | None = None
) -> Analyse:
    """Valide et rapproche chaque élément, sans rien écrire : deux requêtes (structures et
    services existants concernés) quelle que soit la taille du fichier."""
    constats = Constats()
    total = len(lot.elements)
    lignes = []
    for fait, element in enumerate(lot.elements, start=1):
        lignes.append(_ligne(element, constats))
        if progression and (fait % PAS_PROGRESSION == 0 or fait == total):
            progression("Validation", fait, total)
    _marquer_doublons(lignes)
    structures = [ligne for ligne in lignes if ligne.genre == Genre.STRUCTURE]
    services = [ligne for ligne in lignes if ligne.genre == Genre.SERVICE]

    cles_structures = {ligne.cle for ligne in structures if not ligne.erreurs}
    cles_structures |= {(s.source, s.structure_id) for s in services if not s.erreurs}
    existantes = _charger(StructureRessource, departement, cles_structures)
    _rapprocher_structures(structures, existantes, departement)

    structures_fichier = {ligne.cle: ligne for ligne in structures if ligne.identifiant}
    cles_services = {ligne.cle for ligne in services if not ligne.erreurs}
    existants = _charger(ServiceRessource, departement, cles_services)
    _rapprocher_services(services, existants, structures_fichier, existantes, departement)
    return Analyse(
        departement=departement,
        nom_fichier=lot.nom_fichier,
        format=lot.format,
        lignes=lignes,
        avertissements=constats.avertissements(),
    )


def _charger(modele, departement, cles: set[tuple[str, str]]) -> dict[tuple, Any]:
    """Une requête : les objets du département dont (source, identifiant) est dans `cles`."""
    if not cles:
        return {}
    sources = {s for s, _ in cles}
    identifiants = {i for _, i in cles}
    objets = modele.objects.filter(
        departement=departement, source__in=sources, identifiant__in=identifiants
    )
    return {(o.source, o.identifiant): o for o in objets if (o.source, o.identifiant) in cles}


# --- Application ------------------------------------------------------------------------------


@dataclass
class Rejet:
    genre: str
    position: str
    identifiant: str
    nom: str
    raisons: list[str]


@dataclass
class Rapport:
    nom_fichier: str
    structures: dict[str, int]
    services: dict[str, int]
    rejets: list[Rejet]
    nb_rejets: int
    avertissements: list[str]
    ecrit: bool
    partiel: bool

    @property
    def nb_ecritures(self) -> int:
        return sum(self.structures[c] + self.services[c] for c in ("crees", "mis_a_jour"))

    def en_session(self, departement_pk: int) -> dict:
        """Forme compacte pour la session (premiers rejets seulement)."""
        donnees = asdict(self)
        donnees["rejets"] = donnees["rejets"][:REJETS_AFFICHES]
        donnees["avertissements"] = donnees["avertissements"][:200]
        return {**donnees, "nb_ecritures": self.nb_ecritures, "departement": departement_pk}


def _rapport(analyse: Analyse, *, ecrit: bool, partiel: bool) -> Rapport:
    return Rapport(
        nom_fichier=analyse.nom_fichier,
        structures=analyse.compteurs(Genre.STRUCTURE),
        services=analyse.compteurs(Genre.SERVICE),
        rejets=[
            Rejet(
                genre=str(ligne.genre or "élément"),
                position=ligne.position,
                identifiant=ligne.identifiant,
                nom=ligne.nom,
                raisons=ligne.erreurs,
            )
            for ligne in analyse.rejets
        ],
        nb_rejets=len(analyse.rejets),
        avertissements=analyse.avertissements,
        ecrit=ecrit,
        partiel=partiel,
    )


def _champs_modifies(lignes: list[Ligne]) -> list[str]:
    champs = {c for ligne in lignes for c in ligne.changements}
    return sorted(champs)


@transaction.atomic
def appliquer(
    analyse: Analyse,
    *,
    par: User | None,
    accepter_partiel: bool = False,
    progression: Progression | None = None,
) -> Rapport:
    """Écrit l'import analysé. Sans `accepter_partiel`, une seule ligne rejetée et rien
    n'est écrit (le rapport le dit). `par` est None pour la commande et la démo."""
    if analyse.rejets and not accepter_partiel:
        return _rapport(analyse, ecrit=False, partiel=False)
    maintenant = timezone.now()
    valides = [ligne for ligne in analyse.lignes if not ligne.erreurs]
    structures = [ligne for ligne in valides if ligne.genre == Genre.STRUCTURE]
    services = [ligne for ligne in valides if ligne.genre == Genre.SERVICE]
    a_ecrire = sum(1 for ligne in valides if ligne.action != Action.INCHANGE)
    fait = 0

    def avancer(nombre: int) -> None:
        nonlocal fait
        fait += nombre
        if progression and a_ecrire:
            progression("Écriture", fait, a_ecrire)

    try:
        nouvelles = [ligne.objet for ligne in structures if ligne.nouveau]
        StructureRessource.objects.bulk_create(nouvelles, batch_size=TAILLE_LOT)
        avancer(len(nouvelles))
        modifiees = [ligne for ligne in structures if ligne.action == Action.MISE_A_JOUR]
        for ligne in modifiees:
            ligne.objet.modifie_le = maintenant  # bulk_update ne passe pas par auto_now
        if modifiees:
            StructureRessource.objects.bulk_update(
                [ligne.objet for ligne in modifiees],
                [*_champs_modifies(modifiees), "modifie_le"],
                batch_size=TAILLE_LOT,
            )
        avancer(len(modifiees))
        _rafraichir_services_des_renommees(modifiees, {s.cle for s in services}, maintenant)

        nouveaux = [ligne.objet for ligne in services if ligne.nouveau]
        modifies = [ligne for ligne in services if ligne.action == Action.MISE_A_JOUR]
        for service in [*nouveaux, *(ligne.objet for ligne in modifies)]:
            # Structure tout juste créée : sa clé est connue maintenant, et son nom entre
            # dans le texte de recherche (preparer() l'ignore tant qu'elle n'a pas de clé).
            service.structure = service.structure
            service.preparer()
        ServiceRessource.objects.bulk_create(nouveaux, batch_size=TAILLE_LOT)
        avancer(len(nouveaux))
        for ligne in modifies:
            ligne.objet.modifie_le = maintenant
        if modifies:
            champs = {c for c in _champs_modifies(modifies) if c not in DERIVES}
            ServiceRessource.objects.bulk_update(
                [ligne.objet for ligne in modifies],
                [*sorted(champs), *DERIVES, "modifie_le"],
                batch_size=TAILLE_LOT,
            )
        avancer(len(modifies))
    except IntegrityError as exc:
        raise ErreurMetier(
            "La base de ressources a changé pendant l'import (un autre import est en cours ?) : "
            "rien n'a été importé. Relancez l'import."
        ) from exc
    rapport = _rapport(analyse, ecrit=True, partiel=bool(analyse.rejets))
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par,
        departement=analyse.departement,
        details={
            "objet_type": "import_ressources",
            "fichier": analyse.nom_fichier,
            "format": analyse.format,
            "structures": rapport.structures,
            "services": rapport.services,
            "partiel": rapport.partiel,
            "avertissements": rapport.avertissements[:20],
        },
    )
    return rapport


def _rafraichir_services_des_renommees(
    modifiees: list[Ligne], cles_fichier: set[tuple], maintenant
) -> None:
    """Le nom de la structure entre dans le texte de recherche de ses services : ceux qui
    ne figurent pas dans le fichier sont recalculés (une requête)."""
    renommees = {ligne.objet.pk: ligne.objet for ligne in modifiees if "nom" in ligne.changements}
    if not renommees:
        return
    services = [
        s
        for s in ServiceRessource.objects.filter(structure_id__in=renommees)
        if (s.source, s.identifiant) not in cles_fichier
    ]
    for service in services:
        service.structure = renommees[service.structure_id]
        service.preparer()
        service.modifie_le = maintenant
    ServiceRessource.objects.bulk_update(services, [*DERIVES, "modifie_le"], batch_size=TAILLE_LOT)


def importer(
    contenu: bytes,
    nom_fichier: str,
    *,
    departement: Departement,
    par: User | None,
    accepter_partiel: bool = False,
    progression: Progression | None = None,
) -> Rapport:
    """Lecture, analyse et application en un appel (page d'import, démo). Lève
    ErreurFichier si le fichier est illisible dans son ensemble."""
    lot = lire(contenu, nom_fichier)
    analyse = analyser(lot, departement=departement, progression=progression)
    return appliquer(analyse, par=par, accepter_partiel=accepter_partiel, progression=progression)
