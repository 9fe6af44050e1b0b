"""Lectures du noyau : la page d'audit du département (décision 27).

Elle fusionne, dans un seul fil trié du plus récent au plus ancien, le journal des accès
(`EvenementAudit` : consultations, exports, connexions, actions des services) et
l'historique des écritures (tables `…Historique` de pghistory, découvertes par
`historique.modeles_historique`). Une requête SQL (UNION ALL, une branche par table, chacune
bornée par son index « département, date ») rend une page ; les libellés (comptes,
structures, personnes) se lisent ensuite en une requête par sorte, quel que soit le nombre
de lignes. Pagination par curseur (date, table, identifiant) : pas de OFFSET.

`accompagnement` n'importe pas les applications métier : les personnes accompagnées
(dossiers) et les objets qui les concernent (diagnostics, bilans) sont fournis par
inscription au démarrage (`inscrire_personnes`, `inscrire_objets_des_personnes`), comme les
domaines de freins le sont à dossiers par diagnostics.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from .historique import OPERATIONS_JOURNAL, Historique, modeles_historique
from .models import ActionAudit, Departement, EvenementAudit, Role, Structure, User

TAILLE_PAGE = 50

ACTIONS_ECRITURE = {"creation", "modification", "suppression"}
LABELS_PGH = {valeur: cle for cle, valeur in OPERATIONS_JOURNAL.items()}


class Source:
    TOUT = ""
    ACCES = "acces"
    ECRITURES = "ecritures"
    CHOIX = [
        (TOUT, "Accès et modifications"),
        (ACCES, "Journal des accès (consultations, exports, connexions, actions)"),
        (ECRITURES, "Historique des modifications des données"),
    ]


ORIGINES = {
    "web": "Application",
    "administration": "Administration",
    "commande": "Commande d'exploitation",
    "tache": "Tâche planifiée",
}

# Détails du journal des accès : clé → libellé (les clés inconnues sont montrées telles
# quelles, avec une majuscule, jamais en JSON brut).
LIBELLES_DETAILS = {
    "niveau": "Niveau d'accès",
    "page": "Page",
    "suivi": "Vue",
    "version": "Version",
    "champs": "Champs",
    "statut": "Statut",
    "axe": "Axe",
    "axe_recommande": "Axe recommandé",
    "motif_sortie": "Motif de sortie",
    "telechargement": "Téléchargement",
    "document": "Document",
    "via": "Par",
    "volet": "Volet",
    "domaines": "Domaines",
    "validation": "Validation",
    "information": "Personne informée le",
    "mode": "Mode",
    "accord": "Accord de la personne",
    "place": "Place",
    "professionnel": "Professionnel",
    "relais_de": "Relais de",
    "renouvellement": "Renouvellement",
    "role": "Rôle",
    "structure": "Structure",
    "utilisateur": "Compte",
    "actif": "Actif",
    "fichier": "Fichier",
    "lignes": "Lignes",
    "crees": "Créés",
    "mis_a_jour": "Mis à jour",
    "inchanges": "Inchangés",
    "colonnes": "Colonnes",
    "nom": "Nom",
    "identifiant": "Identifiant saisi",
    "format": "Format",
    "partiel": "Partiel",
    "motif": "Motif",
    "liste": "Liste",
    "recherche": "Termes cherchés",
    "comparee_a": "Comparée à la version",
    "type": "Type d'événement",
}
# Les valeurs codées d'une recherche tracée, par paramètre.
VALEURS_RECHERCHE = {
    "action": dict(ActionAudit.choices),
    "role": dict(Role.choices),
    "source": dict(Source.CHOIX),
}
# Les paramètres d'une recherche tracée (accompagnement.audit.tracer_recherche).
LIBELLES_RECHERCHE = {
    "q": "Texte",
    "statut": "Statut",
    "axe": "Axe",
    "role": "Rôle",
    "domaine": "Domaine",
    "personne": "Personne",
    "utilisateur": "Professionnel",
    "du": "Du",
    "au": "Au",
    "action": "Action",
    "source": "Source",
    "territoire": "Territoire",
    "echeance": "Échéance",
    "retard": "En retard",
}
VALEURS_DETAILS = {
    "page": {
        "audit": "Journal d'audit",
        "bilan": "Bilan du parcours",
        "journal": "Journal du dossier",
        "personne": "Formulaire de la fiche de la personne",
        "information": "Information et accord de la personne",
        "comparaison": "Comparaison de versions du diagnostic",
        "choix_service": "Choix du service à solliciter",
        "etape_etude": "Sollicitation : prise à l'étude",
        "etape_accepter": "Sollicitation : acceptation",
        "etape_refuser": "Sollicitation : refus",
        "etape_realiser": "Sollicitation : réalisation",
        "etape_envoyer": "Sollicitation : envoi",
        "etape_relancer": "Sollicitation : relance",
    },
    "liste": {
        "portefeuille": "Mon portefeuille",
        "departement": "Dossiers du département",
        "charges": "Charges des professionnels",
        "annuaire": "Annuaire des professionnels",
        "sollicitations": "Sollicitations à traiter",
        "droit_acces": "Droit d'accès : recherche d'une personne",
    },
    "niveau": {"complet": "Complet", "statut": "Identité et statut"},
    "volet": {"emploi": "Emploi", "social": "Social"},
    "suivi": {
        "plan": "Plan d'action",
        "notes": "Notes",
        "rendez_vous": "Rendez-vous",
        "documents": "Documents",
        "aides": "Aides",
    },
    "validation": {"emploi": "Volet emploi", "social": "Volet social"},
    "role": dict(Role.choices),
}
# Détails nommés autrement que le champ de l'objet dont ils donnent la valeur.
ALIAS_DETAILS = {"place": "role"}
# Champs sans `verbose_name` : Django en fait un libellé sans accents (« cree par »). On
# rétablit les accents ici plutôt qu'en changeant les modèles (une migration par champ).
ACCENTS = {
    "cle": "clé",
    "cree": "créé",
    "debut": "début",
    "decide": "décidé",
    "departement": "département",
    "depose": "déposé",
    "duree": "durée",
    "echeance": "échéance",
    "ecrites": "écrites",
    "eligibilite": "éligibilité",
    "etat": "état",
    "evenement": "événement",
    "identite": "identité",
    "modifie": "modifié",
    "notee": "notée",
    "perimetre": "périmètre",
    "precedent": "précédent",
    "precisions": "précisions",
    "presence": "présence",
    "prevue": "prévue",
    "recommande": "recommandé",
    "redige": "rédigé",
    "reseaux": "réseaux",
    "revision": "révision",
    "signalee": "signalée",
    "thematiques": "thématiques",
    "visibilite": "visibilité",
}


def accentuer(nom: str) -> str:
    """« cree_par » → « Créé par », « presence notee par » → « Présence notée par »."""
    mots = nom.replace("_", " ").split()
    return capfirst(" ".join(ACCENTS.get(mot, mot) for mot in mots))


def libelle_champ(champ: models.Field) -> str:
    """Le libellé d'un champ : son `verbose_name`, accentué s'il a été déduit du nom."""
    if champ.verbose_name == champ.name.replace("_", " "):
        return accentuer(champ.name)
    return str(capfirst(champ.verbose_name))


# Détails qui désignent un objet (déjà montré par les colonnes « Objet » et « Personne »).
DETAILS_CACHES = {"dossier", "objet_type", "structure_uuid"}
OBJETS_SANS_MODELE = {
    "import_demandeurs": "Import de personnes",
    "import_ressources": "Import de ressources",
}
MASQUE = "contenu non affiché"
VIDE = "(vide)"


# --- Inscription des fournisseurs (inversion de dépendance) -----------------------------------


@dataclass
class FournisseurPersonnes:
    """Fourni par dossiers : chercher une personne du département, la nommer, et nommer la
    personne d'une fiche ou d'un dossier désignés par leur UUID (journal des accès)."""

    chercher: Callable[[Departement, str], list[tuple[int, str]]]
    libelles: Callable[[Iterable[int]], dict[int, str]]
    libelles_par_objet: Callable[[Iterable[str]], dict[str, str]]


_personnes: list[FournisseurPersonnes] = []
# (demandeur_ids) → {objet_type: [objet_id, …]} : les objets du journal des accès qui
# concernent ces personnes ; la clé « dossiers.dossier » sert aussi aux détails « dossier ».
_objets_des_personnes: list[Callable[[list[int]], dict[str, list[str]]]] = []


def inscrire_personnes(fournisseur: FournisseurPersonnes) -> None:
    _personnes[:] = [fournisseur]


def inscrire_objets_des_personnes(fonction: Callable[[list[int]], dict[str, list[str]]]) -> None:
    if fonction not in _objets_des_personnes:
        _objets_des_personnes.append(fonction)


def chercher_personnes(departement, texte: str) -> list[tuple[int, str]]:
    return _personnes[0].chercher(departement, texte) if _personnes and texte else []


# --- Filtres et curseur -----------------------------------------------------------------------


@dataclass
class Filtres:
    personnes: list[int] | None = None  # None : pas de filtre ; [] : aucune trouvée
    utilisateur: int | None = None
    debut: date | None = None
    fin: date | None = None
    action: str = ""
    source: str = Source.TOUT


@dataclass(frozen=True)
class Curseur:
    horodatage: datetime
    sorte: str
    modele: str
    id: int

    def jeton(self) -> str:
        brut = json.dumps([self.horodatage.isoformat(), self.sorte, self.modele, self.id])
        return base64.urlsafe_b64encode(brut.encode()).decode().rstrip("=")

    @classmethod
    def lire(cls, jeton: str | None) -> Curseur | None:
        if not jeton:
            return None
        try:
            brut = base64.urlsafe_b64decode(jeton + "=" * (-len(jeton) % 4))
            horodatage, sorte, modele, id_ = json.loads(brut)
            instant = parse_datetime(horodatage)
            if instant is None or sorte not in {"a", "h"} or not isinstance(id_, int):
                return None
            return cls(instant, sorte, str(modele)[:100], id_)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None


# --- Requête -------------------------------------------------------------------------------


def _bornes(filtres: Filtres) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    debut = datetime.combine(filtres.debut, time.min, tz) if filtres.debut else None
    fin = datetime.combine(filtres.fin + timedelta(days=1), time.min, tz) if filtres.fin else None
    return debut, fin


# Une branche par table (noms tirés des modèles ; toute valeur passe en paramètre), bornée
# par son index « département, date » : ORDER BY … LIMIT dans chaque branche.
_SQL_FIL = (
    "SELECT * FROM ({branches}) AS fil "
    "ORDER BY horodatage DESC, sorte DESC, modele DESC, id DESC LIMIT %s"
)
_SQL_ACCES = (
    "(SELECT 'a' AS sorte, '' AS modele, a.id AS id, a.horodatage AS horodatage, "
    "a.action::text AS action, a.acteur_id AS acteur_id, a.role::text AS role, "
    "a.structure::text AS structure, "
    "a.objet_type::text AS objet_type, a.objet_id::text AS objet_id, "
    "NULL::bigint AS demandeur_id, a.details AS donnees, NULL::jsonb AS contexte, "
    "HOST(a.adresse_ip) AS adresse_ip "
    'FROM "{table}" a WHERE {conditions} '
    "ORDER BY a.horodatage DESC, a.id DESC LIMIT %s)"
)
_SQL_HISTORIQUE = (
    "(SELECT 'h' AS sorte, %s AS modele, e.pgh_id::bigint AS id, "
    "e.pgh_created_at AS horodatage, e.pgh_label AS action, "
    "NULLIF(COALESCE(e.pgh_context ->> 'user', e.pgh_context ->> 'utilisateur'), '')::bigint "
    "AS acteur_id, (e.pgh_context ->> 'role') AS role, "
    '(SELECT s.nom::text FROM "accompagnement_structure" s '
    "WHERE s.id::text = (e.pgh_context ->> 'structure')) AS structure, %s AS objet_type, "
    "e.pgh_obj_id::text AS objet_id, e.pgh_demandeur_id AS demandeur_id, "
    "CASE WHEN e.pgh_label = 'update' THEN e.pgh_diff ELSE TO_JSONB(e) END AS donnees, "
    "e.pgh_context AS contexte, NULL::text AS adresse_ip "
    'FROM "{table}" e WHERE {conditions} '
    "ORDER BY e.pgh_created_at DESC, e.pgh_id DESC LIMIT %s)"
)


def _branche_acces(departement_id, filtres, curseur, objets) -> tuple[str, list] | None:
    if filtres.source == Source.ECRITURES:
        return None
    conditions, params = ["a.departement_id = %s"], [departement_id]
    debut, fin = _bornes(filtres)
    if debut:
        conditions.append("a.horodatage >= %s")
        params.append(debut)
    if fin:
        conditions.append("a.horodatage < %s")
        params.append(fin)
    if filtres.utilisateur:
        conditions.append("a.acteur_id = %s")
        params.append(filtres.utilisateur)
    if filtres.action:
        conditions.append("a.action = %s")
        params.append(filtres.action)
    if filtres.personnes is not None:
        morceaux = []
        for objet_type, ids in sorted(objets.items()):
            morceaux.append("(a.objet_type = %s AND a.objet_id = ANY(%s))")
            params.extend([objet_type, list(ids)])
        dossiers = list(objets.get("dossiers.dossier", []))
        morceaux.append("(a.details ->> 'dossier') = ANY(%s)")
        params.append(dossiers)
        conditions.append("(" + " OR ".join(morceaux) + ")")
    if curseur:
        conditions.append("(a.horodatage, 'a', '', a.id) < (%s, %s, %s, %s)")
        params.extend([curseur.horodatage, curseur.sorte, curseur.modele, curseur.id])
    sql = _SQL_ACCES.format(
        table=EvenementAudit._meta.db_table, conditions=" AND ".join(conditions)
    )
    return sql, [*params, TAILLE_PAGE + 1]


def _branche_historique(
    modele: type[Historique], departement_id, filtres, curseur
) -> tuple[str, list] | None:
    if filtres.source == Source.ACCES:
        return None
    if filtres.action and filtres.action not in ACTIONS_ECRITURE:
        return None
    suivi = modele.pgh_tracked_model
    if filtres.personnes is not None and modele.sql_demandeur == "NULL":
        return None  # un compte, un rattachement : pas une personne accompagnée
    if suivi is User:
        # Un compte n'a pas de département : ceux où il est (ou a été) rattaché.
        conditions = [
            'e.pgh_obj_id IN (SELECT m."user_id" FROM "accompagnement_membership" m '
            'JOIN "accompagnement_structure" s ON s."id" = m."structure_id" '
            'WHERE s."departement_id" = %s)'
        ]
    else:
        conditions = ["e.pgh_departement_id = %s"]
    params: list[Any] = [departement_id]
    debut, fin = _bornes(filtres)
    if debut:
        conditions.append("e.pgh_created_at >= %s")
        params.append(debut)
    if fin:
        conditions.append("e.pgh_created_at < %s")
        params.append(fin)
    if filtres.utilisateur:
        conditions.append(
            "COALESCE(e.pgh_context ->> 'user', e.pgh_context ->> 'utilisateur') = %s"
        )
        params.append(str(filtres.utilisateur))
    if filtres.action:
        conditions.append("e.pgh_label = %s")
        params.append(LABELS_PGH[filtres.action])
    if filtres.personnes is not None:
        conditions.append("e.pgh_demandeur_id = ANY(%s)")
        params.append(filtres.personnes)
    label = modele._meta.label
    if curseur:
        conditions.append("(e.pgh_created_at, 'h', %s, e.pgh_id) < (%s, %s, %s, %s)")
        params.extend([label, curseur.horodatage, curseur.sorte, curseur.modele, curseur.id])
    sql = _SQL_HISTORIQUE.format(table=modele._meta.db_table, conditions=" AND ".join(conditions))
    return sql, [label, suivi._meta.label_lower, *params, TAILLE_PAGE + 1]


COLONNES = (
    "sorte",
    "modele",
    "id",
    "horodatage",
    "action",
    "acteur_id",
    "role",
    "structure",
    "objet_type",
    "objet_id",
    "demandeur_id",
    "donnees",
    "contexte",
    "adresse_ip",
)


def _lignes_brutes(departement, filtres: Filtres, curseur: Curseur | None) -> list[dict]:
    objets: dict[str, list[str]] = {}
    if filtres.personnes is not None:
        if not filtres.personnes:
            return []
        for fonction in _objets_des_personnes:
            for objet_type, ids in fonction(filtres.personnes).items():
                objets.setdefault(objet_type, []).extend(ids)
    branches = [_branche_acces(departement.pk, filtres, curseur, objets)]
    branches += [
        _branche_historique(m, departement.pk, filtres, curseur) for m in modeles_historique()
    ]
    branches = [b for b in branches if b is not None]
    if not branches:
        return []
    sql = _SQL_FIL.format(branches=" UNION ALL ".join(b[0] for b in branches))
    params = [p for b in branches for p in b[1]] + [TAILLE_PAGE + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        lignes = [dict(zip(COLONNES, row, strict=True)) for row in cursor.fetchall()]
    for ligne in lignes:
        # Django laisse les colonnes JSONB en texte (JSONField les décode d'ordinaire).
        for cle in ("donnees", "contexte"):
            if isinstance(ligne[cle], str):
                ligne[cle] = json.loads(ligne[cle])
    return lignes


# --- Mise en forme ------------------------------------------------------------------------------


@dataclass
class Detail:
    champ: str
    avant: str | None = None
    apres: str | None = None
    valeur: str | None = None


@dataclass
class Ligne:
    horodatage: datetime
    sorte: str
    action: str
    acteur: str
    role: str
    structure: str
    objet: str
    personne: str
    origine: str
    adresse_ip: str
    details: list[Detail] = field(default_factory=list)

    @property
    def est_modification(self) -> bool:
        return self.sorte == "h"


@dataclass
class Page:
    lignes: list[Ligne]
    suivant: str | None
    personnes: list[tuple[int, str]] | None


def _modeles_par_label() -> dict[str, type[Historique]]:
    return {m._meta.label: m for m in modeles_historique()}


def _champs_par_colonne(modele: type[models.Model]) -> dict[str, models.Field]:
    return {f.column: f for f in modele._meta.concrete_fields}


def _masque(historique: type[Historique], champ: models.Field) -> bool:
    return champ.name in historique.champs_masques or isinstance(champ, models.TextField)


def _ignorer(champ: models.Field | None) -> bool:
    """Colonnes techniques : identifiants, horodatages automatiques, version."""
    if champ is None:
        return True
    return (
        champ.primary_key
        or champ.name in {"uuid", "version"}
        or getattr(champ, "auto_now", False)
        or getattr(champ, "auto_now_add", False)
        or isinstance(champ, models.GeneratedField)
    )


@dataclass
class _Noms:
    comptes: dict[int, str]
    structures: dict[int, str]
    departements: dict[int, str]
    personnes: dict[int, str]
    personnes_par_dossier: dict[str, str]


def _a_nommer(lignes, modeles) -> dict[str, set]:
    """Les identifiants à nommer sur la page : comptes, structures, départements, personnes."""
    ids: dict[str, set] = {"comptes": set(), "structures": set(), "personnes": set()}
    ids["departements"] = set()
    ids["dossiers"] = set()
    cibles = {
        "accompagnement.user": "comptes",
        "accompagnement.structure": "structures",
        "accompagnement.departement": "departements",
        "dossiers.demandeur": "personnes",
    }
    for brut in lignes:
        if brut["acteur_id"]:
            ids["comptes"].add(brut["acteur_id"])
        if brut["demandeur_id"]:
            ids["personnes"].add(brut["demandeur_id"])
        if brut["sorte"] == "a":
            if brut["objet_type"] in {"dossiers.dossier", "dossiers.demandeur"}:
                ids["dossiers"].add(brut["objet_id"])
            elif isinstance((brut["donnees"] or {}).get("dossier"), str):
                ids["dossiers"].add(brut["donnees"]["dossier"])
            recherche = (brut["donnees"] or {}).get("recherche")
            if isinstance(recherche, dict) and str(recherche.get("utilisateur", "")).isdigit():
                ids["comptes"].add(int(recherche["utilisateur"]))
            continue
        historique = modeles.get(brut["modele"])
        if historique is None:
            continue
        champs = _champs_par_colonne(historique.pgh_tracked_model)
        for colonne, valeur in (brut["donnees"] or {}).items():
            champ = champs.get(colonne)
            if champ is None or not champ.is_relation or not champ.many_to_one:
                continue
            cible = cibles.get(champ.related_model._meta.label_lower)
            valeurs = valeur if brut["action"] == "update" else [valeur]
            if cible:
                ids[cible].update(v for v in valeurs if isinstance(v, int))
    return ids


def _noms(ids: dict[str, set]) -> _Noms:
    comptes = {
        u.pk: u.get_full_name() or u.email
        for u in User.objects.filter(pk__in=ids["comptes"]).only("prenom", "nom", "email")
    }
    structures = dict(
        Structure.objects.filter(pk__in=ids["structures"]).order_by().values_list("pk", "nom")
    )
    departements = {d.pk: str(d) for d in Departement.objects.filter(pk__in=ids["departements"])}
    personnes: dict[int, str] = {}
    par_dossier: dict[str, str] = {}
    if _personnes:
        if ids["personnes"]:
            personnes = _personnes[0].libelles(ids["personnes"])
        if ids["dossiers"]:
            par_dossier = _personnes[0].libelles_par_objet(ids["dossiers"])
    return _Noms(comptes, structures, departements, personnes, par_dossier)


def _date(valeur: str) -> str:
    instant = parse_datetime(valeur)
    if instant is not None and ("T" in valeur or " " in valeur):
        if timezone.is_aware(instant):
            instant = timezone.localtime(instant)
        return instant.strftime("%d/%m/%Y %H:%M")
    jour = parse_date(valeur)
    return jour.strftime("%d/%m/%Y") if jour else valeur


def _valeur(historique, champ: models.Field, valeur, noms: _Noms) -> str:
    if _masque(historique, champ):
        return MASQUE
    if valeur is None or valeur in ("", [], {}):
        return VIDE
    if champ.is_relation and champ.many_to_one:
        cible = champ.related_model._meta.label_lower
        table = {
            "accompagnement.user": noms.comptes,
            "accompagnement.structure": noms.structures,
            "accompagnement.departement": noms.departements,
            "dossiers.demandeur": noms.personnes,
        }.get(cible)
        if table is not None and valeur in table:
            return table[valeur]
        return f"{capfirst(champ.related_model._meta.verbose_name)} n° {valeur}"
    if champ.choices:
        choix = dict(champ.flatchoices)
        if isinstance(valeur, list):
            return ", ".join(str(choix.get(v, v)) for v in valeur)
        return str(choix.get(valeur, valeur))
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(champ, models.DateTimeField | models.DateField) and isinstance(valeur, str):
        return _date(valeur)
    if isinstance(champ, models.DecimalField):
        try:
            return f"{Decimal(str(valeur)):.2f}".replace(".", ",")
        except InvalidOperation:
            return str(valeur)
    if isinstance(valeur, list):
        return ", ".join(str(v) for v in valeur)
    if isinstance(valeur, dict):
        return ", ".join(f"{k} : {v}" for k, v in valeur.items())
    return str(valeur)


def _details_historique(brut, historique, noms: _Noms) -> list[Detail]:
    suivi = historique.pgh_tracked_model
    champs = _champs_par_colonne(suivi)
    details = []
    for colonne, valeur in sorted(
        (brut["donnees"] or {}).items(), key=lambda cv: _ordre(champs, cv[0])
    ):
        champ = champs.get(colonne)
        if colonne.startswith("pgh_") or _ignorer(champ):
            continue
        libelle = libelle_champ(champ)
        if brut["action"] == "update":
            avant, apres = valeur
            details.append(
                Detail(
                    libelle,
                    avant=_valeur(historique, champ, avant, noms),
                    apres=_valeur(historique, champ, apres, noms),
                )
            )
        elif valeur not in (None, "", [], {}):
            details.append(Detail(libelle, valeur=_valeur(historique, champ, valeur, noms)))
    return details


def _ordre(champs, colonne):
    noms = list(champs)
    return noms.index(colonne) if colonne in champs else len(noms)


def _modele_de(objet_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(objet_type) if "." in objet_type else None
    except LookupError:
        return None


def _details_acces(brut, noms: _Noms) -> list[Detail]:
    donnees = brut["donnees"] or {}
    modele = _modele_de(brut["objet_type"])
    champs = {f.name: f for f in modele._meta.concrete_fields} if modele else {}
    details = []
    for cle, valeur in donnees.items():
        if cle in DETAILS_CACHES:
            continue
        champ = champs.get(ALIAS_DETAILS.get(cle, cle))
        libelle = LIBELLES_DETAILS.get(cle) or (
            libelle_champ(champ) if champ is not None else accentuer(cle)
        )
        if cle == "champs" and isinstance(valeur, list):
            valeur = ", ".join(libelle_champ(champs[v]) if v in champs else str(v) for v in valeur)
        elif champ is not None and champ.choices and isinstance(valeur, str):
            valeur = dict(champ.flatchoices).get(valeur, valeur)
        elif cle in VALEURS_DETAILS and isinstance(valeur, str):
            valeur = VALEURS_DETAILS[cle].get(valeur, valeur)
        elif cle == "utilisateur" and isinstance(valeur, int):
            valeur = noms.comptes.get(valeur, valeur)
        elif isinstance(champ, models.DateTimeField | models.DateField) and isinstance(valeur, str):
            valeur = _date(valeur)  # « 2026-12-03T16:00:00+01:00 » → « 03/12/2026 16:00 »
        elif isinstance(valeur, bool):
            valeur = "Oui" if valeur else "Non"
        elif isinstance(valeur, list):
            valeur = ", ".join(str(v) for v in valeur)
        elif isinstance(valeur, dict):
            valeur = ", ".join(
                f"{LIBELLES_RECHERCHE.get(k, capfirst(str(k).replace('_', ' ')))} : "
                f"{_terme(k, v, noms)}"
                for k, v in valeur.items()
            )
        elif valeur is None:
            valeur = VIDE
        details.append(Detail(str(libelle), valeur=str(valeur)))
    return details


def _terme(cle: str, valeur, noms: _Noms) -> str:
    """Un terme cherché, lisible : les codes des listes de choix par leur libellé."""
    if cle == "utilisateur" and str(valeur).isdigit():
        return noms.comptes.get(int(valeur), f"compte n° {valeur}")
    return str(VALEURS_RECHERCHE.get(cle, {}).get(valeur, valeur))


def _objet(brut) -> str:
    if brut["sorte"] == "a":
        special = (brut["donnees"] or {}).get("objet_type")
        if special in OBJETS_SANS_MODELE:
            return OBJETS_SANS_MODELE[special]
    modele = _modele_de(brut["objet_type"])
    if modele is not None:
        return str(capfirst(modele._meta.verbose_name))
    return "—" if not brut["objet_type"] else str(capfirst(brut["objet_type"]))


def _origine(brut) -> str:
    if brut["sorte"] == "a":
        return "Application" if brut["adresse_ip"] else ""
    contexte = brut["contexte"]
    if not contexte:
        return "Hors application (base de données)"
    origine = ORIGINES.get(contexte.get("origine"), "Application")
    nom = contexte.get("nom") or contexte.get("tache_nom") or ""
    return f"{origine} « {nom} »" if nom else origine


def _acteur(brut, noms: _Noms) -> str:
    ident = brut["acteur_id"]
    if ident:
        return noms.comptes.get(ident, f"Compte n° {ident} (supprimé)")
    if brut["sorte"] == "a" and (brut["donnees"] or {}).get("via"):
        return "Partenaire (lien signé)"
    if (
        brut["sorte"] == "h"
        and brut["contexte"]
        and brut["contexte"].get("origine")
        in {
            "commande",
            "tache",
        }
    ):
        return "Système"
    return "Inconnu"


def _action(brut) -> str:
    code = (
        OPERATIONS_JOURNAL.get(brut["action"], brut["action"])
        if brut["sorte"] == "h"
        else brut["action"]
    )
    return str(dict(ActionAudit.choices).get(code, capfirst(code)))


def _personne(brut, noms: _Noms) -> str:
    if brut["demandeur_id"]:
        return noms.personnes.get(brut["demandeur_id"], "")
    if brut["sorte"] == "a":
        if brut["objet_type"] in {"dossiers.dossier", "dossiers.demandeur"}:
            return noms.personnes_par_dossier.get(brut["objet_id"], "")
        dossier = (brut["donnees"] or {}).get("dossier")
        if isinstance(dossier, str):
            return noms.personnes_par_dossier.get(dossier, "")
    return ""


def page_d_audit(departement, filtres: Filtres, curseur: Curseur | None = None) -> Page:
    """Une page du fil d'audit du département, déjà mise en forme (libellés français)."""
    bruts = _lignes_brutes(departement, filtres, curseur)
    suivant = None
    if len(bruts) > TAILLE_PAGE:
        bruts = bruts[:TAILLE_PAGE]
        dernier = bruts[-1]
        suivant = Curseur(
            dernier["horodatage"], dernier["sorte"], dernier["modele"], dernier["id"]
        ).jeton()
    modeles = _modeles_par_label()
    noms = _noms(_a_nommer(bruts, modeles))
    lignes = []
    for brut in bruts:
        historique = modeles.get(brut["modele"]) if brut["sorte"] == "h" else None
        if brut["sorte"] == "h" and historique is None:
            continue
        role = brut["role"] or ""
        lignes.append(
            Ligne(
                horodatage=timezone.localtime(brut["horodatage"]),
                sorte=brut["sorte"],
                action=_action(brut),
                acteur=_acteur(brut, noms),
                role=str(dict(Role.choices).get(role, "")) if role else "",
                structure=brut["structure"] or "",
                objet=_objet(brut),
                personne=_personne(brut, noms),
                origine=_origine(brut),
                adresse_ip=brut["adresse_ip"] or "",
                details=(
                    _details_historique(brut, historique, noms)
                    if historique is not None
                    else _details_acces(brut, noms)
                ),
            )
        )
    return Page(lignes=lignes, suivant=suivant, personnes=None)


def comptes_du_departement(departement):
    """Les comptes proposés au filtre « utilisateur » : rattachés au département."""
    return (
        User.objects.filter(memberships__structure__departement=departement)
        .distinct()
        .order_by("nom", "prenom")
        .only("pk", "prenom", "nom", "email")
    )
