"""Écritures de la base de ressources saisies à la main (source « locale ») : structures et
services que data·inclusion ne publie pas (permanence d'un partenaire, dispositif du
Département…). L'import des fichiers data·inclusion est dans conventions/imports.py.

Chaque ressource locale reçoit un identifiant généré, est validée avec les mêmes règles
que l'import (modèles du paquet data-inclusion-schema) et datée du jour de sa saisie."""

from __future__ import annotations

import secrets
from typing import Any

import pydantic
from data_inclusion.schema import v1
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accompagnement import audit
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, Departement, User

from .imports import erreurs_par_champ
from .models import SOURCE_LOCALE, ServiceRessource, StructureRessource

CHAMPS_STRUCTURE = (
    "nom",
    "siret",
    "description",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
    "reseaux_porteurs",
)
CHAMPS_SERVICE = (
    "nom",
    "description",
    "type",
    "thematiques",
    "publics",
    "publics_precisions",
    "frais",
    "frais_precisions",
    "conditions_acces",
    "zone_eligibilite",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "mobilisation_precisions",
    "lien_mobilisation",
    "telephone",
    "courriel",
    "contact_nom_prenom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "horaires_accueil",
)


# --- Validation (partagée avec les formulaires) -----------------------------------------------


def _format_data_inclusion(valeurs: dict[str, Any], *, service: bool) -> dict[str, Any]:
    """Valeurs du modèle → objet data·inclusion v1 (les vides sont omis)."""
    donnees: dict[str, Any] = {
        "source": SOURCE_LOCALE,
        "id": "locale--verification",
        "date_maj": timezone.localdate().isoformat(),
    }
    if service:
        donnees["structure_id"] = "locale--verification"
    for nom, valeur in valeurs.items():
        if valeur in (None, "", []):
            continue
        donnees[nom] = valeur[0] if nom == "frais" else valeur
    return donnees


def erreurs_data_inclusion(valeurs: dict[str, Any], *, service: bool) -> list[tuple[str, str]]:
    """Les erreurs de la ressource au regard du schéma data·inclusion v1 : (champ, message)."""
    modele = v1.Service if service else v1.Structure
    try:
        modele.model_validate(_format_data_inclusion(valeurs, service=service))
    except pydantic.ValidationError as exc:
        return erreurs_par_champ(exc)
    return []


def _valider(valeurs: dict[str, Any], *, service: bool) -> None:
    if erreurs := erreurs_data_inclusion(valeurs, service=service):
        raise ErreurMetier(" ".join(message for _, message in erreurs))


def _identifiant(nom: str) -> str:
    return f"{slugify(nom)[:80] or 'ressource'}-{secrets.token_hex(4)}"


def _exiger_locale(ressource) -> None:
    if not ressource.est_locale:
        raise ErreurMetier(
            f"Cette ressource est importée (source « {ressource.source} ») : corrigez-la à la "
            "source, sinon le prochain import effacerait la modification."
        )


def _champs(donnees: dict[str, Any], autorises: tuple[str, ...]) -> dict[str, Any]:
    if inconnus := sorted(set(donnees) - set(autorises)):
        raise ErreurMetier(f"Champs non modifiables : {', '.join(inconnus)}.")
    return dict(donnees)


# --- Structures -------------------------------------------------------------------------------


@transaction.atomic
def creer_structure_locale(
    *, departement: Departement, donnees: dict[str, Any], par: User
) -> StructureRessource:
    valeurs = _champs(donnees, CHAMPS_STRUCTURE)
    _valider(valeurs, service=False)
    structure = StructureRessource.objects.create(
        departement=departement,
        source=SOURCE_LOCALE,
        identifiant=_identifiant(valeurs["nom"]),
        date_maj=timezone.localdate(),
        **valeurs,
    )
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par,
        departement=departement,
        objet=structure,
        details={"nom": structure.nom},
    )
    return structure


@transaction.atomic
def modifier_structure_locale(
    *, structure: StructureRessource, donnees: dict[str, Any], par: User
) -> StructureRessource:
    _exiger_locale(structure)
    # Relue : un formulaire lié à l'objet l'a déjà modifié en mémoire.
    structure = StructureRessource.objects.select_for_update().get(pk=structure.pk)
    valeurs = _champs(donnees, CHAMPS_STRUCTURE)
    _valider(valeurs, service=False)
    changes = [nom for nom, valeur in valeurs.items() if getattr(structure, nom) != valeur]
    if not changes:
        return structure
    for nom in changes:
        setattr(structure, nom, valeurs[nom])
    structure.date_maj = timezone.localdate()
    structure.save()
    if "nom" in changes:
        # Le nom de la structure entre dans le texte de recherche de ses services.
        services = list(structure.services.all())
        for service in services:
            service.structure = structure
            service.preparer()
        ServiceRessource.objects.bulk_update(services, ["texte_recherche"])
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par,
        departement=structure.departement,
        objet=structure,
        details={"champs": changes},
    )
    return structure


# --- Services ---------------------------------------------------------------------------------


@transaction.atomic
def creer_service_local(
    *, structure: StructureRessource, donnees: dict[str, Any], par: User
) -> ServiceRessource:
    """Un service saisi à la main, porté par une structure du département (importée ou
    locale)."""
    valeurs = _champs(donnees, CHAMPS_SERVICE)
    _valider(valeurs, service=True)
    service = ServiceRessource(
        departement=structure.departement,
        structure=structure,
        source=SOURCE_LOCALE,
        identifiant=_identifiant(valeurs["nom"]),
        date_maj=timezone.localdate(),
        cree_par=par,
        **valeurs,
    )
    service.save()  # save() appelle preparer()
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par,
        departement=structure.departement,
        objet=service,
        details={"nom": service.nom, "structure": str(structure.uuid)},
    )
    return service


@transaction.atomic
def modifier_service_local(
    *,
    service: ServiceRessource,
    donnees: dict[str, Any],
    par: User,
    structure: StructureRessource | None = None,
) -> ServiceRessource:
    _exiger_locale(service)
    # Relu : un formulaire lié à l'objet l'a déjà modifié en mémoire.
    service = (
        ServiceRessource.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=service.pk)
    )
    valeurs = _champs(donnees, CHAMPS_SERVICE)
    _valider(valeurs, service=True)
    changes = [nom for nom, valeur in valeurs.items() if getattr(service, nom) != valeur]
    if structure is not None and structure.pk != service.structure_id:
        if structure.departement_id != service.departement_id:
            raise ErreurMetier("La structure porteuse doit appartenir au même département.")
        service.structure = structure
        changes.append("structure")
    for nom in changes:
        if nom != "structure":
            setattr(service, nom, valeurs[nom])
    if changes:
        service.date_maj = timezone.localdate()
        service.save()
        audit.enregistrer(
            action=ActionAudit.MODIFICATION,
            acteur=par,
            departement=service.departement,
            objet=service,
            details={"champs": changes},
        )
    return service


@transaction.atomic
def confirmer_a_jour(*, service: ServiceRessource, par: User) -> ServiceRessource:
    """Le correspondant a vérifié la fiche (appel, site) : elle est datée du jour."""
    _exiger_locale(service)
    service.date_maj = timezone.localdate()
    service.save(update_fields=["date_maj", "modifie_le"])
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par,
        departement=service.departement,
        objet=service,
        details={"champs": ["date_maj"], "motif": "fiche vérifiée"},
    )
    return service
