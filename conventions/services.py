"""Écritures de la base de ressources saisies à la main (source « locale ») : structures et
services que data·inclusion ne publie pas (permanence d'un partenaire, dispositif du
Département…). L'import des fichiers data·inclusion est dans conventions/imports.py.

Chaque ressource locale reçoit un identifiant généré, est validée avec les mêmes règles
que l'import (modèles du paquet data-inclusion-schema) et datée du jour de sa saisie."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

import pydantic
from data_inclusion.schema import v1
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accompagnement import audit, fichiers
from accompagnement.exceptions import ConflitEdition, ErreurMetier
from accompagnement.models import ActionAudit, Departement, User

from .imports import erreurs_par_champ
from .models import (
    SOURCE_LOCALE,
    TAILLE_MAX_DOCUMENT_SIGNE,
    DocumentSigne,
    ServiceRessource,
    StructureRessource,
)

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


CONFLIT_RESSOURCE = (
    "« {nom} » a été modifié par quelqu'un d'autre pendant votre saisie : rien n'a été "
    "écrasé. Rechargez la page pour voir la fiche à jour, puis reportez vos modifications."
)


def empreinte(objet: StructureRessource | ServiceRessource) -> str:
    """Empreinte des champs modifiables d'une structure ou d'un service locaux, lue avec le
    formulaire (champ caché) : verrouillage optimiste sans colonne de version (décision
    153). Deux lectures des mêmes valeurs ont la même empreinte."""
    service = isinstance(objet, ServiceRessource)
    valeurs = {
        nom: getattr(objet, nom) for nom in (CHAMPS_SERVICE if service else CHAMPS_STRUCTURE)
    }
    if service:
        valeurs["structure"] = objet.structure_id
    texte = json.dumps(valeurs, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(texte.encode()).hexdigest()[:32]


def _exiger_empreinte(objet, lue: str | None) -> None:
    if lue and lue != empreinte(objet):
        raise ConflitEdition(CONFLIT_RESSOURCE.format(nom=objet.nom))


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
    *,
    structure: StructureRessource,
    donnees: dict[str, Any],
    par: User,
    empreinte_lue: str | None = None,
) -> StructureRessource:
    """`empreinte_lue` : celle de la fiche lue par le formulaire ; si la structure a changé
    depuis, `ConflitEdition` (409) et rien n'est écrit."""
    _exiger_locale(structure)
    # Relue : un formulaire lié à l'objet l'a déjà modifié en mémoire.
    structure = StructureRessource.objects.select_for_update().get(pk=structure.pk)
    _exiger_empreinte(structure, empreinte_lue)
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
    empreinte_lue: str | None = None,
) -> ServiceRessource:
    """`empreinte_lue` : comme pour modifier_structure_locale (verrouillage optimiste)."""
    _exiger_locale(service)
    # Relu : un formulaire lié à l'objet l'a déjà modifié en mémoire.
    service = (
        ServiceRessource.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=service.pk)
    )
    _exiger_empreinte(service, empreinte_lue)
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


# --- Conventions de partenariat (voir docs/conventions.md) ------------------------------------
# L'acteur `par` est le rattachement de l'animatrice du département ; `None` désigne le
# système (chargement de la démo, super-utilisateur dans l'administration).


def _exiger_gestion(convention, par) -> None:
    from accompagnement.exceptions import exiger_droit

    from .perms import peut_gerer_conventions

    if par is None:
        return
    exiger_droit(
        peut_gerer_conventions(par, convention.departement_id),
        "Seule l'animatrice fonctionnelle du département gère ses conventions.",
    )


def _tracer(convention, par, action, details):
    audit.enregistrer(
        action=action,
        acteur=par.user if par is not None else None,
        objet=convention,
        details=details,
        departement=convention.departement,
    )


def verifier_dates(convention) -> None:
    """Signature ≤ effet < échéance (quand les dates sont connues)."""
    sig, effet, fin = convention.date_signature, convention.date_effet, convention.date_echeance
    if sig and effet and effet < sig:
        raise ErreurMetier("La date d'effet ne peut pas précéder la date de signature.")
    if effet and fin and fin <= effet:
        raise ErreurMetier("La date d'échéance doit suivre la date d'effet.")
    if sig and fin and fin <= sig:
        raise ErreurMetier("La date d'échéance doit suivre la date de signature.")


def verifier_signable(convention) -> None:
    """Une convention se signe avec au moins deux parties, chacune avec au moins un
    signataire daté, une date de signature et une date d'effet."""
    parties = list(convention.parties.prefetch_related("signataires"))
    if len(parties) < 2:
        raise ErreurMetier("Une convention engage au moins deux parties.")
    sans = [p.nom for p in parties if not any(s.date_signature for s in p.signataires.all())]
    if sans:
        raise ErreurMetier(
            "Chaque partie doit avoir un signataire daté : manque pour " + ", ".join(sans) + "."
        )
    if convention.date_signature is None or convention.date_effet is None:
        raise ErreurMetier("Indiquez la date de signature et la date d'effet.")
    verifier_dates(convention)


def _changer_etat(convention, par, *, depuis, vers, champs=(), details=None):
    from .models import Convention

    with transaction.atomic():
        verrouillee = Convention.objects.select_for_update().get(pk=convention.pk)
        if verrouillee.etat not in depuis:
            raise ErreurMetier(
                f"Cette convention est « {verrouillee.get_etat_display()} » : "
                "changement d'état impossible."
            )
        for champ in champs:
            setattr(verrouillee, champ, getattr(convention, champ))
        ancien = verrouillee.etat
        verrouillee.etat = vers
        verrouillee.save(update_fields=["etat", "modifie_le", *champs])
        _tracer(
            verrouillee,
            par,
            ActionAudit.MODIFICATION,
            {"etat": {"avant": ancien, "apres": vers}, **(details or {})},
        )
    convention.etat = vers
    return verrouillee


def signer_convention(*, convention, par):
    """brouillon → signée."""
    from .models import EtatConvention

    _exiger_gestion(convention, par)
    verifier_signable(convention)
    return _changer_etat(
        convention, par, depuis={EtatConvention.BROUILLON}, vers=EtatConvention.SIGNEE
    )


def mettre_en_vigueur(*, convention, par, aujourdhui=None):
    """signée → en vigueur, à partir de la date d'effet."""
    from .models import EtatConvention

    _exiger_gestion(convention, par)
    aujourdhui = aujourdhui or timezone.localdate()
    if convention.date_effet is None or convention.date_effet > aujourdhui:
        raise ErreurMetier("La convention n'entre en vigueur qu'à sa date d'effet.")
    return _changer_etat(
        convention, par, depuis={EtatConvention.SIGNEE}, vers=EtatConvention.EN_VIGUEUR
    )


def constater_echeance(*, convention, par, aujourdhui=None):
    """en vigueur → échue, une fois la date d'échéance (version en vigueur) passée."""
    from .lectures import version_en_vigueur
    from .models import EtatConvention

    _exiger_gestion(convention, par)
    aujourdhui = aujourdhui or timezone.localdate()
    echeance = version_en_vigueur(convention, aujourdhui)["date_echeance"]
    if echeance is None or echeance >= aujourdhui:
        raise ErreurMetier("L'échéance de la convention n'est pas passée.")
    return _changer_etat(
        convention, par, depuis={EtatConvention.EN_VIGUEUR}, vers=EtatConvention.ECHUE
    )


def resilier_convention(*, convention, par, date, motif):
    """signée ou en vigueur → résiliée, avec une date et un motif."""
    from .models import EtatConvention

    _exiger_gestion(convention, par)
    motif = (motif or "").strip()
    if not motif:
        raise ErreurMetier("Indiquez le motif de la résiliation.")
    if date is None or (convention.date_signature and date < convention.date_signature):
        raise ErreurMetier("La date de résiliation ne peut pas précéder la signature.")
    convention.date_resiliation, convention.motif_resiliation = date, motif
    return _changer_etat(
        convention,
        par,
        depuis={EtatConvention.SIGNEE, EtatConvention.EN_VIGUEUR},
        vers=EtatConvention.RESILIEE,
        champs=("date_resiliation", "motif_resiliation"),
        details={"motif": motif},
    )


def ajouter_avenant(
    *, convention, par, numero, objet, date_signature, date_effet, nouvelles_valeurs
):
    """Consigne un avenant : pour chaque champ modifié, la valeur avant (version en vigueur
    la veille de la date d'effet) et après. La convention signée n'est pas réécrite."""
    from .lectures import CHAMPS_AMENDABLES, valeur_json, version_en_vigueur
    from .models import Avenant, Convention, EtatConvention

    _exiger_gestion(convention, par)
    inconnus = set(nouvelles_valeurs) - set(CHAMPS_AMENDABLES)
    if inconnus:
        raise ErreurMetier("Un avenant ne modifie pas : " + ", ".join(sorted(inconnus)) + ".")
    if not (objet or "").strip():
        raise ErreurMetier("Indiquez l'objet de l'avenant.")
    if date_signature is None or date_effet is None:
        raise ErreurMetier("Indiquez la date de signature et la date d'effet de l'avenant.")
    if date_effet < date_signature:
        raise ErreurMetier("La date d'effet de l'avenant ne peut pas précéder sa signature.")
    with transaction.atomic():
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        if convention.etat not in (EtatConvention.SIGNEE, EtatConvention.EN_VIGUEUR):
            raise ErreurMetier("Seule une convention signée ou en vigueur reçoit un avenant.")
        if convention.date_signature and date_signature < convention.date_signature:
            raise ErreurMetier("Un avenant ne peut pas précéder la signature de la convention.")
        if convention.date_effet and date_effet < convention.date_effet:
            raise ErreurMetier("Un avenant ne peut pas prendre effet avant la convention.")
        if convention.avenants.filter(numero=numero).exists():
            raise ErreurMetier(f"L'avenant n° {numero} existe déjà pour cette convention.")
        veille = date_effet - timedelta(days=1)
        avant = version_en_vigueur(convention, veille)
        changements = {}
        for champ, nouvelle in nouvelles_valeurs.items():
            a, b = valeur_json(champ, avant[champ]), valeur_json(champ, nouvelle)
            if a != b:
                changements[champ] = {"avant": a, "apres": b}
        if not changements:
            raise ErreurMetier("Cet avenant ne change rien à la convention.")
        nouvelle_echeance = changements.get("date_echeance", {}).get("apres")
        if nouvelle_echeance and nouvelle_echeance <= date_effet.isoformat():
            raise ErreurMetier("La nouvelle échéance doit suivre la date d'effet de l'avenant.")
        avenant = Avenant.objects.create(
            convention=convention,
            numero=numero,
            objet=objet.strip(),
            date_signature=date_signature,
            date_effet=date_effet,
            changements=changements,
        )
        _tracer(
            convention,
            par,
            ActionAudit.MODIFICATION,
            {"avenant": numero, "champs": sorted(changements)},
        )
    return avenant


# --- Documents signés (stockage contrôlé des documents) --------------------------------------

TYPES_DOCUMENT_SIGNE = {
    fichiers.MIME_PDF: ".pdf",
    fichiers.MIME_PNG: ".png",
    fichiers.MIME_JPEG: ".jpg",
}
REFUS_DOCUMENT_SIGNE = (
    "Ce fichier n'est ni un PDF, ni une image PNG ou JPEG : son contenu ne correspond pas. "
    "Enregistrez l'exemplaire signé en PDF et déposez-le de nouveau."
)


def verifier_document_signe(fichier) -> str:
    """Le type d'un exemplaire signé, reconnu au contenu (jamais au nom ni au type annoncé
    par le navigateur), et les contrôles des dépôts (`accompagnement/fichiers.py` : taille,
    PDF sans JavaScript, action à l'ouverture, fichier joint ni HTML caché)."""
    if fichier is None:
        raise ErreurMetier("Choisissez le fichier signé à déposer.")
    fichiers.verifier_taille(fichier.size, TAILLE_MAX_DOCUMENT_SIGNE)
    type_mime = fichiers.reconnaitre_type(fichier)
    if type_mime not in TYPES_DOCUMENT_SIGNE:
        raise ErreurMetier(REFUS_DOCUMENT_SIGNE)
    fichiers.verifier_sans_contenu_actif(fichier, type_mime)
    return type_mime


@transaction.atomic
def deposer_document_signe(
    *, convention, par, fichier, intitule: str, avenant=None
) -> DocumentSigne:
    """Joint un exemplaire signé à la convention (ou à l'un de ses avenants). Tout est
    vérifié avant d'écrire ; le fichier est rangé en dernier (une erreur avant lui annule
    la transaction : ni ligne en base ni fichier sur disque), comme les documents des
    dossiers."""
    _exiger_gestion(convention, par)
    intitule = (intitule or "").strip()
    if not intitule:
        raise ErreurMetier("Donnez un intitulé au document (ex. : convention signée).")
    if avenant is not None and avenant.convention_id != convention.pk:
        raise ErreurMetier("Cet avenant n'appartient pas à cette convention.")
    type_mime = verifier_document_signe(fichier)
    sha = hashlib.sha256()
    for morceau in fichier.chunks():
        sha.update(morceau)
    identifiant = uuid.uuid4()
    chemin = f"conventions/{convention.departement.code_insee}/{identifiant}"
    document = DocumentSigne.objects.create(
        uuid=identifiant,
        convention=convention,
        avenant=avenant,
        intitule=intitule[:200],
        nom_origine=(getattr(fichier, "name", "") or "document").rsplit("/", 1)[-1][:255],
        type_mime=type_mime,
        taille=fichier.size,
        empreinte=sha.hexdigest(),
        chemin=chemin,
        depose_par=par.user if par is not None else None,
    )
    _tracer(
        convention,
        par,
        ActionAudit.CREATION,
        {
            "document_signe": str(document.uuid),
            "avenant": avenant.numero if avenant else None,
            "type": type_mime,
            "taille": document.taille,
            "empreinte": document.empreinte,
        },
    )
    fichier.seek(0)
    ecrit = default_storage.save(chemin, fichier)
    if ecrit != chemin:  # jamais pour un nom neuf ; sinon la ligne pointerait ailleurs
        default_storage.delete(ecrit)
        raise ErreurMetier("Le document n'a pas pu être rangé : réessayez.")
    return document


def nom_de_telechargement(document: DocumentSigne) -> str:
    """Le nom d'origine, avec l'extension du type reconnu s'il en portait une autre."""
    nom, extension = document.nom_origine, TYPES_DOCUMENT_SIGNE.get(document.type_mime, "")
    if extension and not nom.lower().endswith(
        (extension, ".jpeg") if extension == ".jpg" else extension
    ):
        nom = f"{nom.rsplit('.', 1)[0] if '.' in nom else nom}{extension}"
    return nom
