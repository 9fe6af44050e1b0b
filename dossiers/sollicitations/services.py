"""Sollicitations de ressources sociales (axe 1) : toutes les écritures (une fonction par
étape, transaction, acteur explicite, audit, journal du dossier, notifications), le lien
signé de réponse du partenaire sans compte, l'expiration et les relances, et les
indicateurs (lecture seule). Voir docs/sollicitations.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    Departement,
    Membership,
    Role,
)
from accompagnement.referentiels import DomaineFrein
from accompagnement.taches import envoyer_apres_commit
from accompagnement.tasks import envoyer_courriel
from conventions.models import ServiceRessource
from dossiers.journal import Modification, modification_du_dossier
from dossiers.models import (
    STATUTS_EN_ATTENTE,
    TRANSITIONS_SOLLICITATION,
    Dossier,
    ModeSollicitation,
    PreferenceContact,
    Sollicitation,
    StatutSollicitation,
    TypeEvenement,
)
from dossiers.sollicitations import perms
from dossiers.sollicitations.partenaire import lien_reponse
from dossiers.suivi.services import realiser_actions_liees

# Délai de réponse par défaut (jours) : au-delà, une sollicitation sans réponse expire ; une
# relance automatique part à mi-délai. Un département peut avoir le sien : réglage
# SOLLICITATIONS_DELAI_JOURS = {"25": 21} (code INSEE → jours), voir docs/sollicitations.md.
DELAI_REPONSE_JOURS = 15
# Sel dédié : un jeton signé pour un autre usage (réinitialisation…) n'est jamais accepté ici.
REFUS_GESTION = (
    "Seul un professionnel qui suit le dossier envoie une sollicitation, la relance ou en "
    "constate la réalisation."
)
REFUS_REPONSE = "Vous ne pouvez pas répondre à cette sollicitation."


def delai_reponse(departement: Departement) -> int:
    reglages = getattr(settings, "SOLLICITATIONS_DELAI_JOURS", None) or {}
    return max(1, int(reglages.get(departement.code_insee, DELAI_REPONSE_JOURS)))


# --- Outils internes ----------------------------------------------------------------------


def personne_abregee(sollicitation: Sollicitation) -> str:
    """Prénom et initiale du nom : ce qu'un partenaire ou un courriel a besoin de lire."""
    demandeur = sollicitation.dossier.demandeur
    return f"{demandeur.prenom} {demandeur.nom[:1].upper()}."


@contextmanager
def _etape(
    sollicitation: Sollicitation,
    par: Membership | None,
    *,
    version: int | None = None,
    activite: bool = True,
) -> Iterator[tuple[Modification, Sollicitation]]:
    """Une étape : la modification du dossier de la sollicitation (verrou, audit,
    journal ; `activite=False` pour une étape du destinataire ou du système, qui n'est pas
    du suivi), et la sollicitation relue sous ce verrou : deux réponses simultanées passent
    l'une après l'autre, la seconde voit l'état laissé par la première."""
    with modification_du_dossier(sollicitation.dossier, par, activite=activite) as m:
        sollicitation = Sollicitation.objects.select_related(
            "service__structure",
            "correspondant__user",
            "correspondant__structure",
            "auteur",
        ).get(pk=sollicitation.pk)
        sollicitation.dossier = m.dossier
        _verifier_version(sollicitation, version)
        yield m, sollicitation


def _verifier_version(sollicitation: Sollicitation, version: int | None) -> None:
    if version is not None and int(version) != sollicitation.version:
        raise ErreurMetier(
            "Cette sollicitation a été modifiée entre-temps par quelqu'un d'autre : "
            "rechargez la page pour voir son état actuel."
        )


def _changer_statut(
    sollicitation: Sollicitation, nouveau: StatutSollicitation, **champs
) -> Sollicitation:
    actuel = StatutSollicitation(sollicitation.statut)
    if nouveau not in TRANSITIONS_SOLLICITATION[actuel]:
        raise ErreurMetier(
            f"Impossible de passer la sollicitation de « {actuel.label} » à "
            f"« {StatutSollicitation(nouveau).label} »."
        )
    champs["statut"] = nouveau
    for nom, valeur in champs.items():
        setattr(sollicitation, nom, valeur)
    sollicitation.version += 1
    sollicitation.save(update_fields=[*champs, "version"])
    return sollicitation


def _tracer(
    m: Modification,
    sollicitation: Sollicitation,
    *,
    resume: str,
    action: ActionAudit = ActionAudit.MODIFICATION,
    details: dict | None = None,
    journal: bool = True,
) -> None:
    """Audit et journal du dossier, dans la modification de l'étape."""
    m.auditer(action, sollicitation, statut=sollicitation.statut, **(details or {}))
    if journal:
        m.journaliser(
            TypeEvenement.SOLLICITATION,
            resume,
            objet=sollicitation,
            visibilite=perms.visibilite_journal(sollicitation),
        )


def _nom_service(sollicitation: Sollicitation) -> str:
    return f"« {sollicitation.service.nom} » ({sollicitation.service.structure.nom})"


def _courriel_partenaire(sollicitation: Sollicitation) -> str:
    service = sollicitation.service
    return service.courriel or service.structure.courriel


def _prevenir_destinataire(
    sollicitation: Sollicitation, *, relance: bool = False, url_base: str = ""
) -> None:
    """À l'envoi et à chaque relance : le correspondant désigné, ou le partenaire (courriel
    du service, à défaut de sa structure) avec un lien signé neuf. Le courriel ne porte
    ni le nom de la personne ni son besoin : la page du lien les montre."""
    service = sollicitation.service
    objet = "Relance : sollicitation" if relance else "Nouvelle sollicitation"
    echeance = f"{timezone.localtime(sollicitation.echeance):%d/%m/%Y}"
    if sollicitation.mode == ModeSollicitation.CORRESPONDANT:
        # Une demande adressée, avec une échéance : tout de suite, pas dans le résumé du jour.
        notifications.envoyer(
            destinataires=[sollicitation.correspondant.user],
            sujet=f"{objet} à traiter — {service.nom}",
            texte=(
                f"{sollicitation.auteur} vous adresse une sollicitation du service {_nom_service(sollicitation)} "
                f"pour {personne_abregee(sollicitation)}. Sans réponse, elle expirera le {echeance}."
            ),
            lien=reverse("dossiers:sollicitations_a_traiter"),
            categorie=CategorieNotification.SOLLICITATION,
            immediat=True,
        )
        return
    # Le partenaire n'a pas de compte (donc pas de boîte de réception) : un courriel direct,
    # parti seulement si la transaction aboutit.
    sujet = f"[Accompagnement global] {objet} d'accompagnement — {service.nom}"
    corps = (
        f"Bonjour,\n\n{sollicitation.auteur} ({_structure_auteur(sollicitation)}) sollicite votre "
        f"service « {service.nom} » pour une personne accompagnée.\n"
        f"Pour voir la demande et y répondre (accepter ou refuser), ouvrez ce lien personnel, "
        f"valable jusqu'au {echeance} :\n{lien_reponse(sollicitation, url_base)}\n\n"
        "Ne transférez pas ce lien.\n\n— Accompagnement global"
    )
    adresse = _courriel_partenaire(sollicitation)
    # Boîte d'envoi : broker injoignable, le courriel part à son retour (décision 80).
    envoyer_apres_commit(envoyer_courriel, sujet, corps, [adresse])


def _structure_auteur(sollicitation: Sollicitation) -> str:
    membership = (
        Membership.objects.actifs()
        .filter(user=sollicitation.auteur, structure__departement=sollicitation.dossier.departement)
        .select_related("structure")
        .first()
    )
    return membership.structure.nom if membership else sollicitation.dossier.departement.nom


def _prevenir_auteur(
    sollicitation: Sollicitation, *, par: Membership | None, texte: str, immediat: bool = True
) -> None:
    """Une réponse (ou l'expiration) : à l'auteur, tout de suite sauf simple accusé de
    réception ; jamais à lui-même."""
    if par is not None and par.user_id == sollicitation.auteur_id:
        return
    notifications.envoyer(
        destinataires=[sollicitation.auteur],
        sujet=(
            f"Sollicitation {sollicitation.get_statut_display().lower()} — "
            f"{sollicitation.service.nom} ({sollicitation.dossier.demandeur})"
        ),
        texte=texte,
        lien=reverse("dossiers:dossier", args=[sollicitation.dossier.uuid]),
        categorie=CategorieNotification.SOLLICITATION,
        immediat=immediat,
    )


def _par_qui(par: Membership | None, via_lien: bool) -> str:
    if via_lien:
        return "le partenaire (réponse au lien reçu par courriel)"
    return str(par.user) if par is not None else "le système"


# --- Écritures ----------------------------------------------------------------------------


# --- Écritures ----------------------------------------------------------------------------


@transaction.atomic
def creer_sollicitation(
    *,
    dossier: Dossier,
    service: ServiceRessource,
    domaine: str,
    besoin: str,
    mode: ModeSollicitation,
    par: Membership,
    preference_contact: str = PreferenceContact.TELEPHONE,
    coordonnees_contact: str = "",
    correspondant: Membership | None = None,
    envoyer: bool = False,
    url_base: str = "",
) -> Sollicitation:
    """Prépare une sollicitation (brouillon) ; `envoyer=True` l'envoie dans la foulée."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        if dossier.est_clos:
            raise ErreurMetier("Ce dossier est clos : on n'y sollicite plus de ressource.")
        exiger_droit(
            perms.peut_solliciter(par, dossier),
            "Vous ne pouvez pas solliciter de ressource pour ce dossier.",
        )
        if service.departement_id != dossier.departement_id or not service.actif:
            raise ErreurMetier(
                "Ce service n'est pas (ou plus) proposé dans la base du département."
            )
        if domaine not in DomaineFrein.values:
            raise ErreurMetier("Choisissez le domaine de frein visé dans la liste.")
        if preference_contact not in PreferenceContact.values:
            raise ErreurMetier("Choisissez la préférence de contact de la personne dans la liste.")
        if not besoin.strip():
            raise ErreurMetier("Décrivez en quelques mots le besoin de la personne.")
        if mode == ModeSollicitation.CORRESPONDANT:
            _verifier_correspondant(dossier, correspondant)
        elif mode == ModeSollicitation.DIRECT:
            correspondant = None
        else:
            raise ErreurMetier(
                "Choisissez comment solliciter le service : directement ou via le correspondant."
            )
        _verifier_accord(dossier, coordonnees_contact)
        sollicitation = Sollicitation(
            dossier=dossier,
            service=service,
            domaine=domaine,
            besoin=besoin.strip(),
            preference_contact=preference_contact,
            coordonnees_contact=coordonnees_contact.strip(),
            mode=mode,
            correspondant=correspondant,
            auteur=par.user,
        )
        try:
            sollicitation.full_clean()
        except ValidationError as erreur:
            raise ErreurMetier(" ".join(erreur.messages)) from erreur
        sollicitation.save()
        _tracer(
            m,
            sollicitation,
            action=ActionAudit.CREATION,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} préparée par {par.user} (brouillon)",
            details={"service": str(service.uuid), "mode": mode},
            journal=not envoyer,  # envoyée aussitôt : un seul événement au journal, l'envoi
        )
        if envoyer:
            sollicitation = envoyer_sollicitation(
                sollicitation=sollicitation, par=par, url_base=url_base
            )
    return sollicitation


REFUS_SANS_ACCORD = (
    "La personne n'a pas donné son accord pour que ses coordonnées soient transmises au "
    "partenaire : enregistrez-le d'abord sur sa fiche (« Information et accord »), ou "
    "laissez les coordonnées vides."
)


def _verifier_accord(dossier: Dossier, coordonnees: str) -> None:
    """Des coordonnées ne partent vers un partenaire qu'avec l'accord enregistré de la
    personne (docs/rgpd.md) ; la fiche est relue (l'accord a pu être retiré)."""
    if coordonnees.strip() and not (
        type(dossier.demandeur)
        .objects.filter(pk=dossier.demandeur_id, accord_transmission_le__isnull=False)
        .exists()
    ):
        raise ErreurMetier(REFUS_SANS_ACCORD)


def _verifier_correspondant(dossier: Dossier, correspondant: Membership | None) -> None:
    if dossier.territoire_id is None:
        raise ErreurMetier(
            "Ce dossier n'a pas de territoire d'action sociale : sollicitez le service "
            "directement, ou renseignez d'abord le territoire."
        )
    if correspondant is None:
        raise ErreurMetier("Désignez le correspondant insertion du territoire.")
    if (
        correspondant.role != Role.CORRESPONDANT_INSERTION
        or correspondant.structure_id != dossier.territoire_id
        or not correspondant.actif
        or not correspondant.user.is_active
    ):
        raise ErreurMetier(
            f"{correspondant.user} n'est pas correspondant insertion du territoire du dossier."
        )


@transaction.atomic
def envoyer_sollicitation(
    *,
    sollicitation: Sollicitation,
    par: Membership,
    version: int | None = None,
    url_base: str = "",
) -> Sollicitation:
    with _etape(sollicitation, par, version=version) as (m, sollicitation):
        if sollicitation.dossier.est_clos:
            raise ErreurMetier("Ce dossier est clos : la sollicitation ne peut plus être envoyée.")
        exiger_droit(perms.peut_gerer_sollicitation(par, sollicitation), REFUS_GESTION)
        if sollicitation.mode == ModeSollicitation.DIRECT and not _courriel_partenaire(
            sollicitation
        ):
            raise ErreurMetier(
                "Ce service n'a pas d'adresse courriel dans la base : sollicitez-le via le "
                "correspondant insertion, ou contactez-le par téléphone."
            )
        if sollicitation.mode == ModeSollicitation.CORRESPONDANT:
            _verifier_correspondant(sollicitation.dossier, sollicitation.correspondant)
        _verifier_accord(sollicitation.dossier, sollicitation.coordonnees_contact)
        maintenant = timezone.now()
        delai = delai_reponse(sollicitation.dossier.departement)
        _changer_statut(
            sollicitation,
            StatutSollicitation.ENVOYEE,
            envoyee_le=maintenant,
            delai_jours=delai,
            echeance=maintenant + dt.timedelta(days=delai),
            relance_prevue_le=maintenant + dt.timedelta(days=delai) / 2,
        )
        destinataire = (
            f"au correspondant {sollicitation.correspondant.user}"
            if sollicitation.mode == ModeSollicitation.CORRESPONDANT
            else "directement au service"
        )
        _tracer(
            m,
            sollicitation,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} envoyée {destinataire} par {par.user}",
        )
        _prevenir_destinataire(sollicitation, url_base=url_base)
    return sollicitation


@transaction.atomic
def prendre_a_l_etude(
    *, sollicitation: Sollicitation, par: Membership, version: int | None = None
) -> Sollicitation:
    """Accusé de réception : le délai de réponse repart de zéro pour la décision."""
    with _etape(sollicitation, par, version=version, activite=False) as (m, sollicitation):
        exiger_droit(perms.peut_repondre_sollicitation(par, sollicitation), REFUS_REPONSE)
        maintenant = timezone.now()
        delai = dt.timedelta(days=sollicitation.delai_jours)
        _changer_statut(
            sollicitation,
            StatutSollicitation.A_L_ETUDE,
            etude_le=maintenant,
            repondu_par=par.user,
            echeance=maintenant + delai,
            relance_prevue_le=maintenant + delai / 2,
        )
        _tracer(
            m,
            sollicitation,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} prise à l'étude par {par.user}",
        )
        _prevenir_auteur(
            sollicitation,
            par=par,
            texte=f"Votre sollicitation du service {_nom_service(sollicitation)} pour {sollicitation.dossier.demandeur} est à l'étude ({par.user}).",
            immediat=False,
        )
    return sollicitation


def _verifier_repondant(
    sollicitation: Sollicitation, par: Membership | None, via_lien: bool
) -> None:
    if via_lien and sollicitation.mode != ModeSollicitation.DIRECT:
        raise ErreurMetier("Cette sollicitation passe par le correspondant insertion.")
    if par is None and not via_lien:
        raise ErreurMetier("La réponse doit être enregistrée par un professionnel identifié.")
    if not via_lien:
        exiger_droit(perms.peut_repondre_sollicitation(par, sollicitation), REFUS_REPONSE)


@transaction.atomic
def accepter(
    *,
    sollicitation: Sollicitation,
    par: Membership | None,
    precisions: str = "",
    version: int | None = None,
    via_lien: bool = False,
) -> Sollicitation:
    """`par=None` : seulement pour le partenaire qui répond par son lien signé (sans compte)."""
    with _etape(sollicitation, par, version=version) as (m, sollicitation):
        _verifier_repondant(sollicitation, par, via_lien)
        _changer_statut(
            sollicitation,
            StatutSollicitation.ACCEPTEE,
            acceptee_le=timezone.now(),
            repondu_par=m.auteur,
            reponse_par_lien=via_lien,
            precisions_reponse=precisions.strip()[:500],
            relance_prevue_le=None,
        )
        qui = _par_qui(par, via_lien)
        _tracer(
            m,
            sollicitation,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} acceptée par {qui}",
            details={"via_lien": via_lien},
        )
        suite = (
            f"\nPrécisions : {sollicitation.precisions_reponse}"
            if sollicitation.precisions_reponse
            else ""
        )
        _prevenir_auteur(
            sollicitation,
            par=par,
            texte=f"Votre sollicitation du service {_nom_service(sollicitation)} pour {sollicitation.dossier.demandeur} a été acceptée par {qui}.{suite}",
        )
    return sollicitation


@transaction.atomic
def refuser(
    *,
    sollicitation: Sollicitation,
    par: Membership | None,
    motif: str,
    version: int | None = None,
    via_lien: bool = False,
) -> Sollicitation:
    """`par=None` : seulement pour le partenaire qui répond par son lien signé (sans compte)."""
    with _etape(sollicitation, par, version=version) as (m, sollicitation):
        _verifier_repondant(sollicitation, par, via_lien)
        if not (motif or "").strip():
            raise ErreurMetier("Le motif du refus est obligatoire.")
        _changer_statut(
            sollicitation,
            StatutSollicitation.REFUSEE,
            refusee_le=timezone.now(),
            repondu_par=m.auteur,
            reponse_par_lien=via_lien,
            motif_refus=motif.strip()[:500],
            relance_prevue_le=None,
        )
        qui = _par_qui(par, via_lien)
        _tracer(
            m,
            sollicitation,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} refusée par {qui}",
            details={"via_lien": via_lien},
        )
        _prevenir_auteur(
            sollicitation,
            par=par,
            texte=(
                f"Votre sollicitation du service {_nom_service(sollicitation)} pour {sollicitation.dossier.demandeur} "
                f"a été refusée par {qui}.\nMotif : {sollicitation.motif_refus}"
            ),
        )
    return sollicitation


@transaction.atomic
def marquer_realisee(
    *, sollicitation: Sollicitation, par: Membership, version: int | None = None
) -> Sollicitation:
    """La personne a bénéficié du service (constaté par le professionnel qui la suit)."""
    with _etape(sollicitation, par, version=version) as (m, sollicitation):
        exiger_droit(perms.peut_gerer_sollicitation(par, sollicitation), REFUS_GESTION)
        _changer_statut(sollicitation, StatutSollicitation.REALISEE, realisee_le=timezone.now())
        realiser_actions_liees(m, sollicitation=sollicitation)
        _tracer(
            m,
            sollicitation,
            resume=f"Sollicitation du service {_nom_service(sollicitation)} réalisée (constaté par {par.user})",
        )
    return sollicitation


@transaction.atomic
def relancer(
    *,
    sollicitation: Sollicitation,
    par: Membership | None,
    version: int | None = None,
    automatique: bool = False,
    url_base: str = "",
) -> Sollicitation:
    """Relance le destinataire d'une sollicitation en attente (un lien neuf pour le
    partenaire). L'échéance ne bouge pas ; plus de relance automatique ensuite.
    `par=None` : la relance automatique (système)."""
    with _etape(sollicitation, par, version=version, activite=False) as (m, sollicitation):
        if sollicitation.statut not in STATUTS_EN_ATTENTE:
            raise ErreurMetier("Seule une sollicitation en attente de réponse peut être relancée.")
        if not automatique:
            exiger_droit(perms.peut_gerer_sollicitation(par, sollicitation), REFUS_GESTION)
        maintenant = timezone.now()
        if automatique and (
            sollicitation.relance_prevue_le is None or sollicitation.relance_prevue_le > maintenant
        ):
            raise ErreurMetier("Pas de relance automatique prévue pour cette sollicitation.")
        if not automatique and not sollicitation.relancable:
            raise ErreurMetier(
                "Cette sollicitation a été envoyée ou relancée aujourd'hui : relancez-la demain "
                "au plus tôt."
            )
        sollicitation.relances += 1
        sollicitation.derniere_relance_le = maintenant
        sollicitation.relance_prevue_le = None
        sollicitation.version += 1
        sollicitation.save(
            update_fields=["relances", "derniere_relance_le", "relance_prevue_le", "version"]
        )
        comment = "automatique, à mi-délai" if automatique else f"par {m.auteur}"
        _tracer(
            m,
            sollicitation,
            resume=f"Relance n° {sollicitation.relances} de la sollicitation du service {_nom_service(sollicitation)} ({comment})",
            details={"relances": sollicitation.relances, "automatique": automatique},
        )
        _prevenir_destinataire(sollicitation, relance=True, url_base=url_base)
    return sollicitation


@transaction.atomic
def expirer(*, sollicitation: Sollicitation, maintenant: dt.datetime) -> Sollicitation:
    """Passe « expirée » une sollicitation en attente dont l'échéance est atteinte (le
    système : pas d'acteur)."""
    with _etape(sollicitation, None, activite=False) as (m, sollicitation):
        if sollicitation.statut not in STATUTS_EN_ATTENTE or sollicitation.echeance > maintenant:
            raise ErreurMetier("Cette sollicitation n'est pas (ou plus) à expirer.")
        _changer_statut(
            sollicitation,
            StatutSollicitation.EXPIREE,
            expiree_le=maintenant,
            relance_prevue_le=None,
        )
        _tracer(
            m,
            sollicitation,
            resume=(
                f"Sollicitation du service {_nom_service(sollicitation)} expirée sans réponse "
                f"après {sollicitation.delai_jours} jours"
            ),
        )
        _prevenir_auteur(
            sollicitation,
            par=None,
            texte=(
                f"Votre sollicitation du service {_nom_service(sollicitation)} pour {sollicitation.dossier.demandeur} "
                f"a expiré sans réponse après {sollicitation.delai_jours} jours. Vous pouvez solliciter un autre service."
            ),
        )
    return sollicitation


def _en_attente(**filtres) -> list[Sollicitation]:
    """Les sollicitations en attente visées, réduites à leurs clés : chaque étape relit la
    sienne sous le verrou de son dossier, dans sa propre transaction."""
    cles = (
        Sollicitation.objects.en_attente()
        .filter(**filtres)
        .order_by("pk")
        .values_list("pk", "dossier_id")
    )
    return [Sollicitation(pk=pk, dossier_id=dossier_id) for pk, dossier_id in cles]


def expirer_sollicitations(*, maintenant: dt.datetime | None = None) -> int:
    """Passe « expirée » toute sollicitation en attente dont l'échéance est atteinte.
    Idempotent : une seconde exécution ne trouve plus rien."""
    maintenant = maintenant or timezone.now()
    nombre = 0
    for sollicitation in _en_attente(echeance__lte=maintenant):
        try:
            expirer(sollicitation=sollicitation, maintenant=maintenant)
        except ErreurMetier:
            continue  # traitée entre-temps : plus rien à expirer
        nombre += 1
    return nombre


def relancer_a_mi_delai(*, maintenant: dt.datetime | None = None) -> int:
    """Relance automatique (une fois par délai) des sollicitations en attente arrivées à
    mi-délai sans relance. Chaque relance a sa propre transaction."""
    maintenant = maintenant or timezone.now()
    nombre = 0
    for sollicitation in _en_attente(relance_prevue_le__lte=maintenant, echeance__gt=maintenant):
        try:
            relancer(sollicitation=sollicitation, par=None, automatique=True)
        except ErreurMetier:
            continue  # traitée entre-temps : rien à relancer
        nombre += 1
    return nombre
