"""Import des demandeurs depuis un fichier CSV ou XLSX.

Quatre temps, partagés par la page d'import et la commande `import_demandeurs` :
1. `lire_fichier()` : octets → en-têtes et lignes (erreur de fichier claire sinon) ;
2. `proposer_correspondance()` : quel en-tête du fichier alimente quel champ du demandeur
   (la correspondance choisie est gardée par département : `enregistrer_correspondance()`) ;
3. `analyser()` : pour chaque ligne, création, mise à jour, inchangée ou liste d'erreurs,
   sans rien écrire, en deux requêtes quelle que soit la taille du fichier ;
4. `appliquer_import()` : tout ou rien, en masse, dans une transaction, avec une trace
   d'audit. Une seule ligne en erreur et rien n'est écrit, sauf import partiel choisi
   explicitement (`accepter_partiel`) : les lignes valides, les rejetées rapportées.
   Sur choix explicite (`ouvrir_dossiers`), les dossiers des personnes situées par leur
   agence ou leur commune sont ouverts dans la même transaction (`ouverture`).

Voir docs/import-demandeurs.md pour le format attendu."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accompagnement import audit
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    Departement,
    Membership,
    Structure,
    TypeStructure,
    User,
)
from accompagnement.texte import normaliser
from dossiers.imports.champs import (
    CHAMPS,
    CHAMPS_IDENTITE,
    OBLIGATOIRES,
    PAS_PROGRESSION,
    TAILLE_LOT,
    ErreurFichier,
    ValeurInvalide,
    en_texte,
)
from dossiers.imports.fichier import Tableau
from dossiers.imports.ouverture import ouvrir_les_dossiers
from dossiers.imports.perms import peut_importer_demandeurs
from dossiers.models import (
    CorrespondanceImport,
    Demandeur,
)

# --- Correspondance des colonnes -------------------------------------------------------------

_PARENTHESE = re.compile(r"\(([^)]*)\)")


def correspondance_par_defaut(entetes: list[str]) -> dict[str, str]:
    """Reconnaît les en-têtes usuels (sans accents ni casse) : « Nom », « IDE »,
    « N° CAF »… Un en-tête ne sert qu'à un champ."""
    par_forme = {}
    for entete in entetes:
        if entete:
            par_forme.setdefault(normaliser(entete), entete)
    # « Identifiant FT (IDE) » : reconnu par le texte hors parenthèses ou par la parenthèse.
    for entete in entetes:
        if entete and (parenthese := _PARENTHESE.search(entete)):
            par_forme.setdefault(normaliser(_PARENTHESE.sub(" ", entete)), entete)
            par_forme.setdefault(normaliser(parenthese.group(1)), entete)
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


def _auteur(par: Membership | None) -> User | None:
    return par.user if par is not None else None


def _exiger_import(par: Membership | None, departement: Departement) -> None:
    """L'animatrice du département, par la page ; None : la commande d'exploitation."""
    if par is not None:
        exiger_droit(
            peut_importer_demandeurs(par) and par.structure.departement_id == departement.pk,
            "L'import des demandeurs est réservé à l'animatrice du département.",
        )


@transaction.atomic
def enregistrer_correspondance(
    *, departement: Departement, colonnes: dict[str, str], par: Membership | None
) -> CorrespondanceImport:
    """Garde la correspondance choisie pour que l'import suivant du département se fasse
    sans tout ressaisir. `par` est None pour la commande d'exploitation."""
    _exiger_import(par, departement)
    if inconnus := sorted(set(colonnes) - set(CHAMPS)):
        raise ErreurMetier(f"Champs inconnus : {', '.join(inconnus)}.")
    colonnes = {c: e for c, e in colonnes.items() if e}
    correspondance, _ = CorrespondanceImport.objects.update_or_create(
        departement=departement, defaults={"colonnes": colonnes, "modifie_par": _auteur(par)}
    )
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=_auteur(par),
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
    avertissements: list[str] = field(default_factory=list)  # doublons possibles : non bloquant
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


class LignesParAction:
    """Ce que l'aperçu lit d'une analyse, qu'elle soit en mémoire (`Analyse`) ou stockée
    (`apercu.ApercuImport`) : les lignes par action et ce qu'on peut en faire. Une classe
    fille fournit `lignes`, `correspondance` et `_avec(action)`."""

    @cached_property
    def creations(self):
        return self._avec(Action.CREATION)

    @cached_property
    def mises_a_jour(self):
        return self._avec(Action.MISE_A_JOUR)

    @cached_property
    def inchangees(self):
        return self._avec(Action.INCHANGE)

    @cached_property
    def en_erreur(self):
        return self._avec(Action.ERREUR)

    @property
    def applicable(self) -> bool:
        return not self.en_erreur

    @property
    def nombre_valides(self) -> int:
        return len(self.lignes) - len(self.en_erreur)

    @property
    def applicable_en_partie(self) -> bool:
        """Des lignes en erreur, mais d'autres valides : import partiel possible sur choix."""
        return bool(self.en_erreur) and len(self.en_erreur) < len(self.lignes)

    @property
    def situe_les_personnes(self) -> bool:
        """Le fichier donne l'agence ou la commune : les dossiers peuvent être ouverts."""
        return bool({"agence", "commune"} & self.correspondance.keys())


@dataclass
class Analyse(LignesParAction):
    departement: Departement
    nom_fichier: str
    correspondance: dict[str, str]
    lignes: list[LigneAnalysee]
    libelle_encodage: str = ""

    def _avec(self, action: Action) -> list[LigneAnalysee]:
        return [ligne for ligne in self.lignes if ligne.action == action]

    @cached_property
    def avec_avertissement(self) -> list[LigneAnalysee]:
        return [ligne for ligne in self.lignes if ligne.avertissements and not ligne.erreurs]

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


def _nombre_de_cellules(cellules, nb_entetes: int, separateur: str | None) -> str | None:
    """CSV : une ligne qui n'a pas autant de cellules que l'en-tête a presque toujours un
    séparateur dans une valeur (adresse « 3 ; bis rue… ») ou une cellule perdue : toutes ses
    valeurs seraient décalées. Des cellules vides en trop (« ;; » final) sont tolérées."""
    if separateur is None:
        return None
    nombre = len(cellules)
    while nombre > nb_entetes and not en_texte(cellules[nombre - 1]):
        nombre -= 1
    if nombre == nb_entetes:
        return None
    signe = "tabulation" if separateur == "\t" else f"« {separateur} »"
    if nombre > nb_entetes:
        return f"{nombre} cellules au lieu de {nb_entetes} : un {signe} dans une valeur ?"
    return (
        f"{nombre} cellules au lieu de {nb_entetes} : une valeur manquante ou un {signe} "
        "effacé sur cette ligne ?"
    )


def _convertir_ligne(
    numero, cellules, colonnes, convertisseurs, nb_entetes: int = 0, separateur=None
) -> LigneAnalysee:
    ligne = LigneAnalysee(numero=numero)
    if message := _nombre_de_cellules(cellules, nb_entetes, separateur):
        # Valeurs décalées : on ne les interprète pas (les erreurs qui suivraient égareraient).
        ligne.erreurs.append(message)
        for champ, indice in colonnes.items():
            ligne.brut[champ] = en_texte(cellules[indice]) if indice < len(cellules) else ""
        return ligne
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
    """Une requête : les fiches du département qui portent un identifiant, une clé
    d'identité ou une date de naissance du fichier (celles-ci pour repérer les doublons
    possibles : « Le Fèvre » / « Lefèvre »), et non tout le département."""
    identifiants = {v for ligne in lignes if (v := ligne.valeurs.get("identifiant_ft"))}
    cles = {c for ligne in lignes if (c := ligne.cle_identite)}
    dates = {d for ligne in lignes if (d := ligne.valeurs.get("date_naissance"))}
    if not identifiants and not cles:
        return []
    return list(
        Demandeur.objects.du_departement(departement).filter(
            Q(cle_identite__in=cles)
            | Q(identifiant_ft__in=identifiants)
            | Q(date_naissance__in=dates)
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
    return f"{demandeur} ({demandeur.ne} le {demandeur.date_naissance:%d/%m/%Y})"


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


def _compacte(texte: str) -> str:
    """« Le Fèvre », « LEFEVRE », « Le-Fèvre » → « lefevre » : sans espaces ni tirets."""
    return normaliser(texte).replace(" ", "")


def _graphie(texte: str) -> str:
    """Casse et accents ignorés, mais tirets et espaces gardés : « Hélène-Marie » ≠
    « Hélène Marie », alors que `normaliser` les confond."""
    decompose = unicodedata.normalize("NFKD", texte or "")
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    return " ".join(sans_accents.casefold().split())


def _cle_compacte(nom: str, prenom: str, date_naissance) -> str:
    return f"{_compacte(nom)}|{_compacte(prenom)}|{date_naissance:%Y-%m-%d}"


def _personne(nom: str, prenom: str) -> str:
    return f"« {nom.upper()} {prenom} »"


def _signaler_doublons_possibles(lignes: list[LigneAnalysee], existants: list[Demandeur]) -> None:
    """Même personne probable sous une autre graphie (espace, tiret, particule) : « Le
    Fèvre » / « Lefèvre », « Hélène-Marie » / « Hélène Marie ». Signalé, non bloquant :
    l'animatrice vérifie avant d'importer (l'homonymie réelle existe)."""
    fiches_par_cle: dict[str, list[Demandeur]] = {}
    for demandeur in existants:
        cle = _cle_compacte(demandeur.nom, demandeur.prenom, demandeur.date_naissance)
        fiches_par_cle.setdefault(cle, []).append(demandeur)
    vues: dict[str, LigneAnalysee] = {}
    for ligne in lignes:
        if ligne.cle_identite is None:
            continue
        nom, prenom = ligne.valeurs["nom"], ligne.valeurs["prenom"]
        cle = _cle_compacte(nom, prenom, ligne.valeurs["date_naissance"])
        graphie = (_graphie(nom), _graphie(prenom))
        precedente = vues.setdefault(cle, ligne)
        if precedente is not ligne:
            autre_nom, autre_prenom = precedente.valeurs["nom"], precedente.valeurs["prenom"]
            if (_graphie(autre_nom), _graphie(autre_prenom)) != graphie:
                ligne.avertissements.append(
                    f"Doublon possible avec la ligne {precedente.numero} : "
                    f"{_personne(nom, prenom)} et {_personne(autre_nom, autre_prenom)}, "
                    "même date de naissance."
                )
        for fiche in fiches_par_cle.get(cle, []):
            if (_graphie(fiche.nom), _graphie(fiche.prenom)) == graphie:
                continue
            quoi = (
                "rapprochée de la fiche"
                if ligne.existant is not None and ligne.existant.pk == fiche.pk
                else "doublon possible avec la fiche"
            )
            ligne.avertissements.append(
                f"Graphie différente, {quoi} {_personne(fiche.nom, fiche.prenom)} "
                f"({fiche.ne} le {fiche.date_naissance:%d/%m/%Y}) : vérifiez qu'il s'agit "
                "de la même personne."
            )


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
        lignes.append(
            _convertir_ligne(
                numero,
                cellules,
                colonnes,
                convertisseurs,
                nb_entetes=len(tableau.entetes),
                separateur=tableau.separateur,
            )
        )
        if progression and fait % PAS_PROGRESSION == 0:
            progression(fait, total)
    existants = _charger_existants(departement, lignes)
    _rapprocher(lignes, existants)
    _signaler_doublons_possibles(lignes, existants)
    if progression:
        progression(total, total)
    return Analyse(
        departement=departement,
        nom_fichier=tableau.nom_fichier,
        correspondance=dict(correspondance),
        lignes=lignes,
        libelle_encodage=tableau.libelle_encodage,
    )


# --- Application (écriture en masse, tout ou rien) -------------------------------------------


@dataclass(frozen=True)
class ResumeImport:
    crees: int
    mis_a_jour: int
    inchanges: int
    # Import partiel : (numéro de ligne, motifs) des lignes écartées.
    rejetees: tuple[tuple[int, tuple[str, ...]], ...] = ()
    dossiers_ouverts: int = 0


@transaction.atomic
def appliquer_import(
    *,
    analyse: Analyse,
    par: Membership | None,
    accepter_partiel: bool = False,
    ouvrir_dossiers: bool = False,
) -> ResumeImport:
    """Écrit l'import analysé : créations en masse, mises à jour en masse des seuls
    champs fournis et changés, une trace d'audit. Tout ou rien par défaut : une ligne en
    erreur et rien n'est écrit ; sur choix explicite (`accepter_partiel`), les lignes
    valides sont écrites et les rejetées rapportées (numéro et motif).
    `par` est None pour la commande d'exploitation (aucun compte derrière).
    `ouvrir_dossiers` : ouvre aussi, au nom de `par`, le dossier des personnes du fichier
    situées par leur agence ou la commune d'un territoire (`imports.ouverture`)."""
    if ouvrir_dossiers and par is None:
        raise ErreurMetier(
            "Ouvrir les dossiers exige un professionnel qui les ouvre (--par en commande)."
        )
    if not analyse.applicable and not accepter_partiel:
        raise ErreurMetier(
            f"{len(analyse.en_erreur)} ligne(s) en erreur : rien n'a été importé. Corrigez le "
            "fichier puis relancez l'import, ou acceptez l'import partiel."
        )
    if len(analyse.en_erreur) == len(analyse.lignes):
        raise ErreurMetier("Toutes les lignes sont en erreur : rien n'a été importé.")
    departement = analyse.departement
    _exiger_import(par, departement)
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
        demandeur.version = F("version") + 1  # une saisie en cours sur la fiche est en conflit
        modifies.append(demandeur.preparer())
    try:
        Demandeur.objects.bulk_create(nouveaux, batch_size=TAILLE_LOT)
        if modifies:
            Demandeur.objects.bulk_update(
                modifies,
                [*sorted(champs), "cle_identite", "texte_recherche", "modifie_le", "version"],
                batch_size=TAILLE_LOT,
            )
    except IntegrityError as exc:
        # Une fiche créée ou modifiée entre l'analyse et l'application.
        raise ErreurMetier(
            "Les fiches ont changé pendant l'import (une personne du fichier vient d'être "
            "créée ou modifiée) : rien n'a été importé. Relancez l'analyse."
        ) from exc
    ouverts = []
    if ouvrir_dossiers:
        personnes = [d.pk for d in nouveaux] + [
            ligne.existant.pk for ligne in [*analyse.mises_a_jour, *analyse.inchangees]
        ]
        ouverts = ouvrir_les_dossiers(
            demandeurs=personnes, departement=departement, par=par, nom_fichier=analyse.nom_fichier
        )
    resume = ResumeImport(
        crees=len(nouveaux),
        mis_a_jour=len(modifies),
        inchanges=len(analyse.inchangees),
        rejetees=tuple((ligne.numero, tuple(ligne.erreurs)) for ligne in analyse.en_erreur),
        dossiers_ouverts=len(ouverts),
    )
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=_auteur(par),
        departement=departement,
        details={
            "objet_type": "import_demandeurs",
            "fichier": analyse.nom_fichier,
            "lignes": len(analyse.lignes),
            "crees": resume.crees,
            "mis_a_jour": resume.mis_a_jour,
            "inchanges": resume.inchanges,
            "partiel": bool(resume.rejetees),
            "lignes_rejetees": [numero for numero, _ in resume.rejetees],
            "correspondance": analyse.correspondance,
            "champs_mis_a_jour": sorted(champs),
            "demandeurs_crees": [str(d.uuid) for d in nouveaux],
            "demandeurs_mis_a_jour": [str(d.uuid) for d in modifies],
            "dossiers_ouverts": [str(d.uuid) for d in ouverts],
        },
    )
    return resume
