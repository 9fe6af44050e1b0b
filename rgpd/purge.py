"""Purge de conservation : anonymisation sur place des personnes échues (docs/rgpd.md,
décision 40).

Ce qui est effacé : identité (nom, prénom, nom de naissance, jour et mois de naissance),
coordonnées (courriel, téléphone, adresse, code postal, commune), identifiants
(France Travail, CAF), textes libres de tous les objets de ses dossiers (remplacés par
`MENTION` s'ils étaient remplis, vides sinon), documents (lignes et fichiers), notifications
qui mènent à ses dossiers, et ses lignes dans les tables d'historique (pghistory).
Ce qui est gardé : civilité (sexe), année de naissance, département, agence, territoire,
situation (RSA, indemnisation, qualification, RQTH, QPV), axes et périodes, statuts, dates,
montants, domaines de freins : tout ce que comptent les indicateurs (reporting/indicateurs.py).

Une instruction par table (UPDATE ou DELETE ensembliste, bornée par le lot de la passe),
le tout dans une transaction : une erreur n'anonymise rien. Idempotente : une personne
anonymisée a sa ligne `Anonymisation` et n'est plus jamais sélectionnée."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

import pgtrigger
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone

from accompagnement.historique import NOM_PROTECTION, modeles_historique
from accompagnement.models import ActionAudit, EvenementAudit
from dossiers.models import Demandeur, Document, Dossier

from . import conservation
from .models import Anonymisation

logger = logging.getLogger(__name__)

MENTION = "[anonymisé]"
NOM_ANONYME = "ANONYME"
PRENOM_ANONYME = "Personne"

# Textes libres qui ne sont pas « masqués » sur la page d'audit (donc absents de
# `champs_masques` des tables d'historique) mais qui peuvent porter l'identité, des
# coordonnées ou une situation : anonymisés aussi.
TEXTES_EN_PLUS: dict[str, tuple[str, ...]] = {
    "dossiers.affectation": ("motif_fin",),
    "dossiers.sollicitation": ("coordonnees_contact", "precisions_reponse", "motif_refus"),
    "dossiers.rendezvous": ("lieu",),
    "dossiers.demandeimportante": ("organisme", "motif_refus"),
    "dossiers.evenementjournal": ("resume",),
}
# Effacés (lignes et fichiers) plutôt qu'anonymisés.
SUPPRIMES = {"dossiers.document"}

# Fiche de la personne : les colonnes d'identité et de coordonnées.
_VIDES = (
    "nom_naissance",
    "email",
    "telephone",
    "adresse",
    "code_postal",
    "commune",
    "code_commune",
    "identifiant_ft",
    "numero_caf",
    "texte_recherche",
)


def chemin_vers_demandeur(modele: type[models.Model]) -> str | None:
    """Le chemin ORM d'un objet vers la personne, ou None s'il n'en a pas."""
    noms = {f.name for f in modele._meta.get_fields()}
    if modele is Dossier:
        return "demandeur_id"
    if "dossier" in noms:
        return "dossier__demandeur_id"
    if "diagnostic" in noms:
        return "diagnostic__dossier__demandeur_id"
    return None


def champs_a_anonymiser() -> dict[type[models.Model], tuple[str, ...]]:
    """Modèle → textes libres à anonymiser : les champs masqués de sa table d'historique
    (textes libres, détail de santé) et ceux de `TEXTES_EN_PLUS`. Découvert, comme la
    page d'audit : un modèle suivi ajouté plus tard est couvert d'office."""
    resultat: dict[type[models.Model], set[str]] = {}
    for historique in modeles_historique():
        modele = historique.pgh_tracked_model
        if modele is Demandeur or chemin_vers_demandeur(modele) is None:
            continue
        if modele._meta.label_lower in SUPPRIMES:
            continue
        resultat.setdefault(modele, set()).update(historique.champs_masques)
    for label, champs in TEXTES_EN_PLUS.items():
        resultat.setdefault(apps.get_model(label), set()).update(champs)
    return {m: tuple(sorted(c)) for m, c in resultat.items()}


def _remplacement(modele: type[models.Model], nom: str):
    champ = modele._meta.get_field(nom)
    if isinstance(champ, ArrayField):
        return Value([], output_field=champ)
    if isinstance(champ, models.JSONField):
        return Value(champ.get_default(), output_field=champ)
    # Un texte rempli devient la mention (les contraintes « motivé » restent vraies), un
    # texte vide le reste.
    return Case(When(**{nom: ""}, then=Value("")), default=Value(MENTION), output_field=champ)


@dataclass
class Personne:
    pk: int
    uuid: uuid.UUID
    departement: str
    dernier_contact: dt.datetime
    echeance: dt.datetime


@dataclass
class Rapport:
    maintenant: dt.datetime
    execute: bool
    personnes: list[Personne] = field(default_factory=list)
    lignes: dict[str, int] = field(default_factory=dict)
    fichiers: int = 0

    def lignes_du_rapport(self) -> list[str]:
        verbe = "anonymisée(s)" if self.execute else "à anonymiser (essai à blanc)"
        lignes = [f"{len(self.personnes)} personne(s) {verbe}."]
        for p in self.personnes:
            lignes.append(
                f"  - département {p.departement}, personne {p.uuid} : dernier contact le "
                f"{timezone.localtime(p.dernier_contact):%d/%m/%Y}, échue le "
                f"{timezone.localtime(p.echeance):%d/%m/%Y}"
            )
        for table, nombre in sorted(self.lignes.items()):
            action = "touchées" if self.execute else "à traiter"
            lignes.append(f"  {table} : {nombre} ligne(s) {action}")
        if self.fichiers:
            action = "effacés" if self.execute else "à effacer"
            lignes.append(f"  fichiers des documents : {self.fichiers} {action}")
        return lignes


def _selection(maintenant, departement):
    return list(
        conservation.echues(maintenant, departement)
        .order_by("departement__code_insee", "pk")
        .values_list(
            "pk",
            "uuid",
            "departement__code_insee",
            "departement_id",
            "dernier_contact",
            "echeance_rgpd",
            "departement__duree_conservation_mois",
        )
    )


def _compter(rapport: Rapport, personnes) -> None:
    """Essai à blanc : ce que chaque instruction toucherait (lecture seule)."""
    ids = [p.pk for p in personnes]
    rapport.lignes["dossiers.demandeur"] = len(ids)
    for modele in [*champs_a_anonymiser(), Document]:
        n = modele.objects.filter(**{f"{chemin_vers_demandeur(modele)}__in": ids}).count()
        if n:
            rapport.lignes[modele._meta.label_lower] = n
    rapport.fichiers = rapport.lignes.get("dossiers.document", 0)
    for historique in modeles_historique():
        n = historique.objects.filter(pgh_demandeur_id__in=ids).count()
        if n:
            rapport.lignes[historique._meta.label_lower] = n


def anonymiser(
    *, maintenant: dt.datetime | None = None, executer: bool = False, departement=None
) -> Rapport:
    """Sélectionne les personnes échues et, si `executer`, les anonymise (sinon, essai à
    blanc : rien n'est écrit, le rapport dit ce qui le serait)."""
    maintenant = maintenant or timezone.now()
    rapport = Rapport(maintenant=maintenant, execute=executer)
    if not executer:
        selection = _selection(maintenant, departement)
        rapport.personnes = [Personne(s[0], s[1], s[2], s[4], s[5]) for s in selection]
        _compter(rapport, rapport.personnes)
        return rapport
    with transaction.atomic():
        _anonymiser(rapport, maintenant, departement)
    logger.info("Purge RGPD : %s", " | ".join(rapport.lignes_du_rapport()))
    return rapport


def _anonymiser(rapport: Rapport, maintenant, departement) -> None:
    # Verrou des fiches choisies : une écriture concurrente (nouveau contact) attend la
    # fin de la purge, ou la purge attend qu'elle soit validée.
    selection = _selection(maintenant, departement)
    Demandeur.objects.filter(pk__in=[s[0] for s in selection]).select_for_update().exists()
    rapport.personnes = [Personne(s[0], s[1], s[2], s[4], s[5]) for s in selection]
    if not selection:
        return
    lot = uuid.uuid4()
    Anonymisation.objects.bulk_create(
        Anonymisation(
            demandeur_id=s[0],
            departement_id=s[3],
            lot=lot,
            dernier_contact=s[4],
            duree_conservation_mois=s[6],
            anonymisee_le=maintenant,
        )
        for s in selection
    )
    du_lot = Anonymisation.objects.filter(lot=lot).values("demandeur_id")

    # 1. La fiche : identité et coordonnées ; civilité et année de naissance gardées.
    rapport.lignes["dossiers.demandeur"] = Demandeur.objects.filter(pk__in=du_lot).update(
        nom=Value(NOM_ANONYME),
        prenom=Value(PRENOM_ANONYME),
        date_naissance=TruncYear("date_naissance"),  # le 1er janvier de l'année
        cle_identite=Concat(Value("anonyme|"), Cast("uuid", CharField())),
        **dict.fromkeys(_VIDES, ""),
    )
    # 2. Les textes libres de chaque objet de ses dossiers : une instruction par table.
    for modele, champs in champs_a_anonymiser().items():
        filtre = {f"{chemin_vers_demandeur(modele)}__in": du_lot}
        nombre = modele.objects.filter(**filtre).update(
            **{nom: _remplacement(modele, nom) for nom in champs}
        )
        if nombre:
            rapport.lignes[modele._meta.label_lower] = nombre
    # 3. Les documents : lignes supprimées, fichiers effacés après validation.
    documents = Document.objects.filter(dossier__demandeur_id__in=du_lot)
    chemins = list(documents.values_list("chemin", flat=True))
    if chemins:
        rapport.lignes["dossiers.document"], _ = documents.delete()
        rapport.fichiers = len(chemins)
        transaction.on_commit(lambda: _effacer_fichiers(chemins))
    # 4. Les notifications qui mènent à ses dossiers (leur texte la nomme).
    with connection.cursor() as curseur:
        curseur.execute(
            'DELETE FROM "accompagnement_notification" n USING "dossiers_dossier" d, '
            '"rgpd_anonymisation" a WHERE a."lot" = %s AND d."demandeur_id" = a."demandeur_id" '
            'AND POSITION(d."uuid"::text IN n."lien") > 0',
            [lot],
        )
        if curseur.rowcount:
            rapport.lignes["accompagnement.notification"] = curseur.rowcount
    # 5. L'historique (ajout seul) : les anciennes valeurs portent l'identité, y compris
    # les lignes que les instructions ci-dessus viennent d'y ajouter. Seule cette purge et
    # celle de l'audit lèvent la protection, le temps de leur transaction (décision 40).
    historiques = modeles_historique()
    with pgtrigger.ignore(*(f"{h._meta.label}:{NOM_PROTECTION}" for h in historiques)):
        for historique in historiques:
            nombre, _ = historique.objects.filter(pgh_demandeur_id__in=du_lot).delete()
            if nombre:
                rapport.lignes[historique._meta.label_lower] = nombre
    # 6. La trace de la purge, sans identité : une par personne, dans son département.
    EvenementAudit.objects.bulk_create(
        EvenementAudit(
            horodatage=maintenant,
            departement_id=s[3],
            action=ActionAudit.SUPPRESSION,
            objet_type="dossiers.demandeur",
            objet_id=str(s[1]),
            details={
                "rgpd": "anonymisation",
                "lot": str(lot),
                "dernier_contact": s[4].date().isoformat(),
                "duree_conservation_mois": s[6],
            },
        )
        for s in selection
    )


def _effacer_fichiers(chemins: list[str]) -> None:
    for chemin in chemins:
        try:
            default_storage.delete(chemin)
        except OSError:  # déjà absent : l'effacement est idempotent
            logger.warning("Fichier de document introuvable à l'effacement : %s", chemin)
