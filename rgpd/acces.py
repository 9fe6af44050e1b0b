"""Droit d'accès (article 15 du RGPD) : tout ce que l'outil détient sur une personne, en
JSON et en PDF (docs/rgpd.md).

Le contenu est découvert, pas énuméré à la main : la fiche, puis chaque modèle rattaché à
ses dossiers (le même chemin que la purge, `rgpd.purge.chemin_vers_demandeur`), champ par
champ avec ses libellés français (choix, dates jj/mm/aaaa, montants, comptes nommés). Une
requête par modèle (clés étrangères jointes), quel que soit le volume. Ne sont pas copiés
les champs techniques (clés, empreintes, colonnes de recherche, chemin de stockage)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from accompagnement.models import Membership
from dossiers.models import Demandeur, Dossier

from .conservation import echeance_de
from .purge import chemin_vers_demandeur

ESPACE_FINE = "\u202f"
TECHNIQUES = {
    "id",
    "version",
    "cle_identite",
    "texte_recherche",
    "recherche",
    "chemin",
    "empreinte",
    "revision_emploi",
    "revision_social",
    "relance_prevue_le",
    "objet_type",
    "objet_id",
}
# Libellés des champs sans nom français (Django les dérive du nom de la colonne).
LIBELLES = {
    "uuid": "Référence",
    "visibilite": "Visibilité",
    "cree_le": "Créé le",
    "modifie_le": "Modifié le",
    "decide_le": "Décidé le",
    "demande_le": "Demandé le",
    "redige_le": "Rédigé le",
    "transmise_le": "Transmise le",
    "presence_notee_le": "Présence notée le",
    "emploi_valide_le": "Volet emploi validé le",
    "social_valide_le": "Volet social validé le",
    "emploi_valide_par": "Volet emploi validé par",
    "social_valide_par": "Volet social validé par",
}


def libelle(champ) -> str:
    nom = str(champ.verbose_name)
    if nom == champ.name.replace("_", " ") and champ.name in LIBELLES:
        return LIBELLES[champ.name]
    return nom[:1].upper() + nom[1:]  # « RSA », « QPV » gardent leurs majuscules


# Rubriques, dans l'ordre : le parcours d'abord, puis le suivi ; un modèle rattaché qui
# n'est pas ici vient à la suite, sous son nom pluriel.
TITRES = {
    "dossiers.dossier": "Dossiers (parcours)",
    "dossiers.periodeorientation": "Périodes sur les axes",
    "dossiers.affectation": "Professionnels du dossier",
    "dossiers.prescription": "Demandes d'entrée en axe 2 ou 3",
    "dossiers.demandechangementaxe": "Demandes de changement d'axe",
    "diagnostics.diagnostic": "Diagnostics",
    "diagnostics.frein": "Freins du diagnostic",
    "diagnostics.decisionorientation": "Décisions d'orientation",
    "dossiers.objectif": "Objectifs du plan d'action",
    "dossiers.action": "Actions du plan",
    "dossiers.rendezvous": "Rendez-vous",
    "dossiers.note": "Notes",
    "dossiers.document": "Documents déposés",
    "dossiers.aidefinanciere": "Aides financières",
    "dossiers.demandeimportante": "Demandes importantes",
    "dossiers.sollicitation": "Sollicitations",
    "reporting.bilanparcours": "Bilans de parcours",
    "dossiers.evenementjournal": "Journal des dossiers",
}
ORDRE = list(TITRES)


@dataclass
class Rubrique:
    cle: str
    titre: str
    lignes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Export:
    demandeur: Demandeur
    genere_le: dt.datetime
    personne: dict[str, str]
    rubriques: list[Rubrique]
    dernier_contact: dt.datetime | None
    echeance: dt.datetime | None

    def en_json(self) -> dict:
        return {
            "document": "Droit d'accès — données détenues sur la personne",
            "departement": str(self.demandeur.departement),
            "genere_le": _valeur(self.genere_le),
            "conservation": {
                "dernier_contact": _valeur(self.dernier_contact),
                "anonymisation_prevue_le": _valeur(self.echeance),
                "duree_mois": self.demandeur.departement.duree_conservation_mois,
            },
            "personne": self.personne,
            "rubriques": {r.titre: r.lignes for r in self.rubriques},
        }


def _valeur(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, dt.datetime):
        return f"{timezone.localtime(v):%d/%m/%Y %H:%M}"
    if isinstance(v, dt.date):
        return f"{v:%d/%m/%Y}"
    if isinstance(v, Decimal):
        entier, _, decimales = f"{v:,.2f}".partition(".")
        return f"{entier.replace(',', ESPACE_FINE)},{decimales} €"
    if isinstance(v, list | tuple):
        return ", ".join(_valeur(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k} : {_valeur(x)}" for k, x in v.items())
    return str(v)


def _champs(modele) -> list[models.Field]:
    return [
        f
        for f in modele._meta.concrete_fields
        if f.name not in TECHNIQUES
        and not isinstance(f, models.GeneratedField)
        and not (f.is_relation and f.related_model is Demandeur)  # la personne elle-même
    ]


def _objet_lie(objet) -> str:
    """Le libellé d'un objet lié, sans requête de plus (jointures de `_queryset`)."""
    if objet is None:
        return ""
    if isinstance(objet, Dossier):
        return f"Dossier orienté le {objet.date_orientation:%d/%m/%Y}"
    if isinstance(objet, Membership):
        return f"{objet.user} ({objet.get_role_display()}, {objet.structure.nom})"
    if isinstance(objet, Demandeur):
        return "la personne"
    if hasattr(objet, "numero") and hasattr(objet, "dossier_id"):  # version de diagnostic
        return f"version {objet.numero}"
    return str(objet)


def _ligne(objet, champs) -> dict[str, str]:
    ligne = {}
    for f in champs:
        if f.choices and not isinstance(f, ArrayField):
            valeur = getattr(objet, f"get_{f.name}_display")()
        elif f.is_relation:
            valeur = _objet_lie(getattr(objet, f.name))
        else:
            valeur = getattr(objet, f.attname)
        texte = _valeur(valeur)
        if texte:
            ligne[libelle(f)] = texte
    return ligne


def modeles_rattaches() -> list[type[models.Model]]:
    """Tous les modèles rattachés aux dossiers d'une personne, dans l'ordre des rubriques."""
    trouves = [
        m
        for m in apps.get_models()
        if chemin_vers_demandeur(m) is not None and not m.__name__.endswith("Historique")
    ]
    rang = {label: i for i, label in enumerate(ORDRE)}
    return sorted(trouves, key=lambda m: (rang.get(m._meta.label_lower, len(rang)), m._meta.label))


def titre(modele) -> str:
    return (
        TITRES.get(modele._meta.label_lower) or str(modele._meta.verbose_name_plural).capitalize()
    )


def _queryset(modele, demandeur):
    relations = []
    for f in _champs(modele):
        if f.is_relation and f.many_to_one:
            relations.append(f.name)
            if f.related_model is Membership:
                relations += [f"{f.name}__user", f"{f.name}__structure"]
    qs = modele.objects.filter(**{chemin_vers_demandeur(modele): demandeur.pk})
    return qs.select_related(*relations).order_by("pk")


def resume(demandeur: Demandeur) -> list[tuple[str, int]]:
    """Ce que contiendra l'export : rubrique et nombre de lignes (page de confirmation).
    Une requête par modèle."""
    resultat = []
    for modele in modeles_rattaches():
        n = modele.objects.filter(**{chemin_vers_demandeur(modele): demandeur.pk}).count()
        if n:
            resultat.append((titre(modele), n))
    return resultat


def exporter(demandeur: Demandeur) -> Export:
    demandeur = Demandeur.objects.select_related("departement", "agence").get(pk=demandeur.pk)
    rubriques = []
    for modele in modeles_rattaches():
        champs = _champs(modele)
        lignes = [_ligne(o, champs) for o in _queryset(modele, demandeur)]
        if lignes:
            rubriques.append(Rubrique(modele._meta.label_lower, titre(modele), lignes))
    dernier_contact, echeance = echeance_de(demandeur)
    return Export(
        demandeur=demandeur,
        genere_le=timezone.now(),
        personne=_ligne(demandeur, _champs(Demandeur)),
        rubriques=rubriques,
        dernier_contact=dernier_contact,
        echeance=echeance,
    )
