"""Toutes les écritures sur les demandeurs et les dossiers. Chaque service : arguments
nommés, acteur explicite, transaction, trace d'audit, objet renvoyé ; un refus lève
ErreurMetier avec un message montré tel quel à l'utilisateur."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit, notifications
from accompagnement.exceptions import ConflitEdition, ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    Departement,
    Membership,
    TypeStructure,
    User,
)
from accompagnement.texte import minuscule_initiale, sans_axe
from dossiers.journal import Modification, journaliser, modification_du_dossier
from dossiers.models import (
    ROLES_POUR_AFFECTATION,
    TRANSITIONS,
    Action,
    Affectation,
    AideFinanciere,
    Axe,
    DecisionAide,
    DemandeChangementAxe,
    Demandeur,
    Dossier,
    ModeRecueil,
    MotifSortie,
    Origine,
    PeriodeOrientation,
    Presence,
    RendezVous,
    RoleAffectation,
    StatutAction,
    StatutDemande,
    StatutDossier,
    TypeEvenement,
)
from dossiers.parcours import perms

PLACES_REQUISES = {
    Axe.RESSOURCES_SOCIALES: (RoleAffectation.CONSEILLER,),
    Axe.ACCOMPAGNEMENT_GLOBAL: (
        RoleAffectation.CONSEILLER_DEDIE,
        RoleAffectation.TRAVAILLEUR_SOCIAL,
    ),
    Axe.SOCIAL_EXCLUSIF: (RoleAffectation.REFERENT_SOCIAL,),
}


class DoublonDetecte(ErreurMetier):
    """La personne existe déjà : la vue montre la fiche existante (si l'utilisateur a le
    droit de la voir) plutôt que d'en créer une seconde."""

    def __init__(self, existant: Demandeur, raison: str):
        super().__init__(
            f"Cette personne existe déjà ({raison}) : {existant}, née le {existant.date_naissance:%d/%m/%Y}."
        )
        self.existant = existant


# --- Demandeurs ----------------------------------------------------------------------------


def chercher_doublon(
    *,
    departement: Departement,
    identifiant_ft: str = "",
    nom: str,
    prenom: str,
    date_naissance: dt.date,
    exclure: Demandeur | None = None,
) -> tuple[Demandeur, str] | None:
    """Même identifiant France Travail, ou mêmes nom, prénom et date de naissance comparés
    sans accents ni casse."""
    qs = Demandeur.objects.filter(departement=departement)
    if exclure is not None:
        qs = qs.exclude(pk=exclure.pk)
    identifiant_ft = (identifiant_ft or "").strip().upper()
    if identifiant_ft and (existant := qs.filter(identifiant_ft=identifiant_ft).first()):
        return existant, "même identifiant France Travail"
    cle = Demandeur.calculer_cle_identite(nom, prenom, date_naissance)
    if existant := qs.filter(cle_identite=cle).first():
        return existant, "mêmes nom, prénom et date de naissance"
    return None


def _verifier_demandeur(demandeur: Demandeur) -> None:
    if demandeur.date_naissance >= timezone.localdate():
        raise ErreurMetier("La date de naissance doit être dans le passé.")
    if demandeur.rsa_date_ouverture and demandeur.rsa_date_ouverture > timezone.localdate():
        raise ErreurMetier("La date d'ouverture du droit RSA ne peut pas être dans le futur.")
    if demandeur.agence_id and (
        demandeur.agence.departement_id != demandeur.departement_id
        or demandeur.agence.type != TypeStructure.AGENCE_FT
    ):
        raise ErreurMetier(
            "L'agence de rattachement doit être une agence France Travail du département."
        )


@transaction.atomic
def creer_demandeur(*, departement: Departement, par: Membership, **champs) -> Demandeur:
    exiger_droit(
        perms.peut_creer_demandeur(par) and par.structure.departement_id == departement.pk,
        "Vous ne pouvez pas enregistrer de personne dans ce département.",
    )
    doublon = chercher_doublon(
        departement=departement,
        identifiant_ft=champs.get("identifiant_ft", ""),
        nom=champs["nom"],
        prenom=champs["prenom"],
        date_naissance=champs["date_naissance"],
    )
    if doublon:
        raise DoublonDetecte(*doublon)
    demandeur = Demandeur(departement=departement, **champs)
    _verifier_demandeur(demandeur)
    demandeur.save()
    audit.enregistrer(
        action=ActionAudit.CREATION, acteur=par.user, departement=departement, objet=demandeur
    )
    return demandeur


CONFLIT_FICHE = (
    "La fiche de cette personne a été modifiée par quelqu'un d'autre pendant votre saisie : "
    "rien n'a été écrasé. Votre saisie est conservée ci-dessous ; rechargez la page pour voir "
    "la fiche à jour, puis reportez vos modifications."
)


@transaction.atomic
def modifier_demandeur(
    *, demandeur: Demandeur, par: Membership, version: int | None = None, **champs
) -> Demandeur:
    """`version` : celle de la fiche lue par le formulaire (verrouillage optimiste) ; si
    quelqu'un l'a modifiée entre-temps, `ConflitEdition` (409) et rien n'est écrit."""
    # On relit la fiche : en cas de refus, l'objet de l'appelant n'est pas altéré.
    demandeur = Demandeur.objects.select_for_update().get(pk=demandeur.pk)
    dossiers = list(demandeur.dossiers.prefetch_related("affectations"))
    exiger_droit(
        any(perms.peut_modifier_demandeur(par, dossier) for dossier in dossiers)
        if dossiers
        # Une fiche sans parcours (importée) : qui peut enregistrer une personne ici.
        else perms.peut_creer_demandeur(par)
        and par.structure.departement_id == demandeur.departement_id,
        "Vous ne pouvez pas modifier la fiche de cette personne.",
    )
    if version is not None and int(version) != demandeur.version:
        raise ConflitEdition(CONFLIT_FICHE)
    for nom, valeur in champs.items():
        setattr(demandeur, nom, valeur)
    demandeur.version += 1
    doublon = chercher_doublon(
        departement=demandeur.departement,
        identifiant_ft=demandeur.identifiant_ft,
        nom=demandeur.nom,
        prenom=demandeur.prenom,
        date_naissance=demandeur.date_naissance,
        exclure=demandeur,
    )
    if doublon:
        raise DoublonDetecte(*doublon)
    _verifier_demandeur(demandeur)
    demandeur.save()
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par.user,
        departement=demandeur.departement,
        objet=demandeur,
        details={"champs": sorted(champs)},
    )
    for dossier in demandeur.dossiers.ouverts():
        journaliser(
            dossier=dossier,
            type=TypeEvenement.FICHE,
            auteur=par.user,
            resume=f"Fiche de la personne mise à jour par {par.user}",
        )
    return demandeur


def _recueil(date: dt.date | None, mode: str, quoi: str) -> tuple[dt.date | None, str]:
    if date is None:
        return None, ""
    if date > timezone.localdate():
        raise ErreurMetier(f"{quoi} ne peut pas être daté(e) dans le futur.")
    if mode not in ModeRecueil.values:
        raise ErreurMetier(f"Indiquez comment : {quoi.lower()} (à l'oral, par écrit, signé).")
    return date, mode


@transaction.atomic
def enregistrer_information(
    *,
    dossier: Dossier,
    par: Membership,
    information_le: dt.date | None,
    information_mode: str = "",
    accord_le: dt.date | None = None,
    accord_mode: str = "",
) -> Demandeur:
    """Information de la personne sur le traitement de ses données et son accord pour
    transmettre ses coordonnées à un partenaire (docs/rgpd.md). Un accord vide le retire.
    L'accord suppose l'information : on n'accepte pas ce qu'on ne connaît pas."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        exiger_droit(
            perms.peut_modifier_demandeur(par, dossier),
            "Vous ne pouvez pas modifier la fiche de cette personne.",
        )
        demandeur = Demandeur.objects.select_for_update().get(pk=dossier.demandeur_id)
        information = _recueil(information_le, information_mode, "L'information")
        accord = _recueil(accord_le, accord_mode, "L'accord")
        if accord[0] is not None and information[0] is None:
            raise ErreurMetier(
                "Informez d'abord la personne du traitement de ses données : l'accord suppose "
                "l'information."
            )
        avant = demandeur.accord_transmission
        demandeur.information_le, demandeur.information_mode = information
        demandeur.accord_transmission_le, demandeur.accord_transmission_mode = accord
        demandeur.save(
            update_fields=[
                "information_le",
                "information_mode",
                "accord_transmission_le",
                "accord_transmission_mode",
                "modifie_le",
            ]
        )
        m.auditer(
            ActionAudit.MODIFICATION,
            demandeur,
            information=bool(information[0]),
            accord_transmission=bool(accord[0]),
        )
        if accord[0] and not avant:
            resume = f"Accord de la personne pour transmettre ses coordonnées, noté par {par.user}"
        elif avant and not accord[0]:
            resume = f"Accord pour transmettre les coordonnées retiré, noté par {par.user}"
        else:
            resume = f"Information de la personne sur ses données notée par {par.user}"
        m.journaliser(TypeEvenement.FICHE, resume)
    return demandeur


# --- Dossiers ------------------------------------------------------------------------------


def date_d_evenement(
    date: dt.date | None, dossier: Dossier, libelle: str, *, futur: bool = False
) -> dt.date:
    """Une date d'événement du dossier : par défaut aujourd'hui ; jamais avant
    l'orientation du dossier et, sauf `futur=True` (un rendez-vous), jamais dans le futur.
    Partagée par tous les services des dossiers."""
    date = date or timezone.localdate()
    if not futur and date > timezone.localdate():
        raise ErreurMetier(f"{libelle} ne peut pas être dans le futur.")
    if date < dossier.date_orientation:
        raise ErreurMetier(
            f"{libelle} ne peut pas précéder l'orientation du dossier "
            f"({dossier.date_orientation:%d/%m/%Y})."
        )
    return date


def _lien(dossier: Dossier) -> str:
    return reverse("dossiers:dossier", args=[dossier.uuid])


def _verifier_transition(dossier: Dossier, nouveau: StatutDossier) -> None:
    if nouveau not in TRANSITIONS[StatutDossier(dossier.statut)]:
        raise ErreurMetier(
            f"Impossible de passer le dossier de « {dossier.get_statut_display()} » à "
            f"« {StatutDossier(nouveau).label} »."
        )


def _changer_statut(m: Modification, nouveau: StatutDossier, **champs) -> None:
    _verifier_transition(m.dossier, nouveau)
    m.noter_activite(statut=nouveau, **champs)


@transaction.atomic
def ouvrir_dossier(
    *,
    demandeur: Demandeur,
    par: Membership,
    origine: Origine,
    motif: str = "",
    territoire=None,
    date: dt.date | None = None,
) -> Dossier:
    """Ouvre un parcours (statut « à orienter »), à la date de l'orientation (aujourd'hui
    par défaut ; antérieure pour reprendre un suivi existant). Un conseiller qui oriente
    devient le conseiller de l'agence du dossier (axe 1)."""
    exiger_droit(
        perms.peut_creer_demandeur(par)
        and par.structure.departement_id == demandeur.departement_id,
        "Vous ne pouvez pas ouvrir de dossier pour cette personne.",
    )
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ErreurMetier("La date d'orientation ne peut pas être dans le futur.")
    if Dossier.objects.select_for_update().filter(demandeur=demandeur).ouverts().exists():
        raise ErreurMetier(
            f"{demandeur} a déjà un dossier ouvert : complétez-le plutôt que d'en ouvrir un second."
        )
    structure = par.structure
    if territoire is None and structure.type == TypeStructure.TERRITOIRE_SOCIAL:
        territoire = structure
    if territoire is not None and territoire.departement_id != demandeur.departement_id:
        raise ErreurMetier("Le territoire doit appartenir au département de la personne.")
    dossier = Dossier.objects.create(
        departement=demandeur.departement,
        demandeur=demandeur,
        origine=origine,
        oriente_par=par.user,
        agence=demandeur.agence
        or (structure if structure.type == TypeStructure.AGENCE_FT else None),
        territoire=territoire,
        motif_orientation=motif,
        date_orientation=date,
    )
    with modification_du_dossier(dossier, par) as m:
        m.auditer(ActionAudit.CREATION)
        m.journaliser(
            TypeEvenement.OUVERTURE,
            f"Dossier ouvert par {par.user} ({par.structure}) — origine : {minuscule_initiale(Origine(origine).label)}",
            date=date,
        )
    if (
        par.role in ROLES_POUR_AFFECTATION[RoleAffectation.CONSEILLER]
        and structure == dossier.agence
    ):
        affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER,
            professionnel=par,
            par=par,
            date=date,
            verifier_droit=False,  # le conseiller qui oriente devient le conseiller du dossier
        )
    return dossier


@transaction.atomic
def demarrer_diagnostic(
    *, dossier: Dossier, par: Membership, date: dt.date | None = None
) -> Dossier:
    with modification_du_dossier(dossier, par) as m:
        date = date_d_evenement(date, m.dossier, "La date du diagnostic")
        _verifier_transition(m.dossier, StatutDossier.DIAGNOSTIC)
        exiger_droit(
            perms.peut_orienter(par, m.dossier),
            "Vous ne pouvez pas démarrer le diagnostic de ce dossier.",
        )
        _changer_statut(m, StatutDossier.DIAGNOSTIC, date_diagnostic=date)
        m.auditer(ActionAudit.MODIFICATION, statut=StatutDossier.DIAGNOSTIC)
        m.journaliser(
            TypeEvenement.DIAGNOSTIC,
            f"Dossier passé au statut « diagnostic en cours » par {par.user}",
            date=date,
        )
    return m.dossier


@transaction.atomic
def affecter(
    *,
    dossier: Dossier,
    place: RoleAffectation,
    professionnel: Membership,
    par: Membership,
    motif: str = "",
    date: dt.date | None = None,
    verifier_droit: bool = True,
) -> Affectation:
    """Confie une place du dossier à un professionnel. S'il y avait quelqu'un, c'est un
    relais : son affectation est close à la même date, l'historique reste.
    `verifier_droit=False` : pour un service qui a vérifié un droit plus large (ouverture
    du dossier par son conseiller, décision conjointe du diagnostic)."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        date = date_d_evenement(date, dossier, "La date d'affectation")
        if dossier.est_clos:
            raise ErreurMetier("Ce dossier est clos : on n'y affecte plus personne.")
        if verifier_droit:
            exiger_droit(
                perms.peut_affecter(par, dossier) and place in perms.places_affectables(par),
                f"Vous ne pouvez pas confier la place « {RoleAffectation(place).label} » sur ce dossier.",
            )
        if (
            not professionnel.actif
            or professionnel.structure.departement_id != dossier.departement_id
        ):
            raise ErreurMetier(
                "Ce professionnel n'est pas rattaché à une structure active du département."
            )
        if professionnel.role not in ROLES_POUR_AFFECTATION[place]:
            raise ErreurMetier(
                f"{professionnel.user} est {minuscule_initiale(professionnel.get_role_display())} : "
                f"il ne peut pas être « {RoleAffectation(place).label} »."
            )
        actuelle = dossier.affectations.ouvertes().filter(role=place).first()
        if actuelle is not None:
            if actuelle.professionnel_id == professionnel.user_id:
                raise ErreurMetier(f"{professionnel.user} tient déjà cette place sur ce dossier.")
            if date < actuelle.date_debut:
                raise ErreurMetier(
                    "Le relais ne peut pas précéder le début de l'affectation en cours."
                )
            actuelle.date_fin = date
            actuelle.motif_fin = motif or f"Relais par {professionnel.user}"
            actuelle.save(update_fields=["date_fin", "motif_fin"])
        affectation = Affectation.objects.create(
            dossier=dossier,
            role=place,
            professionnel=professionnel.user,
            structure=professionnel.structure,
            date_debut=date,
            affecte_par=par.user,
        )
        if (
            professionnel.structure.type == TypeStructure.TERRITOIRE_SOCIAL
            and dossier.territoire_id is None
        ):
            m.noter_activite(territoire=professionnel.structure)
        m.auditer(
            ActionAudit.CREATION,
            affectation,
            place=place,
            professionnel=professionnel.user.email,
            relais_de=actuelle.professionnel.email if actuelle else None,
        )
        libelle = RoleAffectation(place).label
        if dossier.statut == StatutDossier.A_ORIENTER:
            libelle = sans_axe(libelle)  # pas encore orienté : dans aucun axe
        resume = f"{professionnel.user} : {minuscule_initiale(libelle)}"
        if actuelle is not None:
            resume += f", en relais de {actuelle.professionnel}"
        m.journaliser(
            TypeEvenement.AFFECTATION,
            f"{resume} (affecté par {par.user})",
            objet=affectation,
            date=date,
        )
    if professionnel.user_id != par.user_id:
        notifications.envoyer(
            destinataires=[professionnel.user],
            sujet=f"Dossier de {dossier.demandeur} confié : {RoleAffectation(place).label}",
            texte=f"Le dossier de {dossier.demandeur} vous est confié ({RoleAffectation(place).label}) par {par.user}.",
            lien=_lien(dossier),
            categorie=CategorieNotification.AFFECTATION,
        )
    return affectation


AXES_SOCIAUX = (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF)


def relayer_place_conseiller(m: Modification, *, date: dt.date, motif: str) -> list[Affectation]:
    """En axe 2 ou 3, le binôme ou le référent social a la main : la place de conseiller de
    l'agence (axe 1) est relayée — close à `date` (au plus tôt à son début), l'historique
    reste. Son titulaire garde la lecture du statut (`perms.niveau_acces` : place quittée,
    agence, dossier orienté). Le seul endroit de cette règle, appelé par chaque entrée en
    axe 2 ou 3 : `orienter`, `decider_changement_axe`, renouvellement, prise d'une demande
    d'entrée, décision conjointe (docs/permissions.md, « Relais du conseiller »)."""
    relayees = list(
        m.dossier.affectations.ouvertes()
        .filter(role=RoleAffectation.CONSEILLER)
        .select_for_update(of=("self",))
        .select_related("professionnel")
    )
    for affectation in relayees:
        affectation.date_fin = max(date, affectation.date_debut)
        affectation.motif_fin = motif
        affectation.save(update_fields=["date_fin", "motif_fin"])
        m.auditer(
            ActionAudit.MODIFICATION,
            affectation,
            place=RoleAffectation.CONSEILLER,
            fin=affectation.date_fin.isoformat(),
            relais=True,
        )
        m.journaliser(
            TypeEvenement.AFFECTATION,
            f"{affectation.professionnel} quitte la place de conseiller de l'agence ({motif}) ;"
            " l'agence garde le statut du dossier",
            objet=affectation,
            date=affectation.date_fin,
        )
    if relayees:
        # Les affectations préchargées (droits) ne sont plus à jour.
        getattr(m.dossier, "_prefetched_objects_cache", {}).pop("affectations", None)
    return relayees


def _rendre_place_conseiller(dossier: Dossier, *, par: Membership, date: dt.date) -> None:
    """Retour en axe 1 : la place de conseiller de l'agence revient à celui qui l'a quittée
    au passage en axe 2 ou 3, s'il est toujours rattaché à la même structure ; sinon elle
    reste à confier (l'entrée le dit)."""
    if dossier.affectations.ouvertes().filter(role=RoleAffectation.CONSEILLER).exists():
        return
    derniere = (
        dossier.affectations.filter(role=RoleAffectation.CONSEILLER, date_fin__isnull=False)
        .order_by("-date_fin", "-pk")
        .first()
    )
    if derniere is None:
        return
    membership = (
        Membership.objects.actifs()
        .filter(
            user_id=derniere.professionnel_id,
            structure_id=derniere.structure_id,
            role__in=ROLES_POUR_AFFECTATION[RoleAffectation.CONSEILLER],
        )
        .select_related("user", "structure")
        .first()
    )
    if membership is not None:
        affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER,
            professionnel=membership,
            par=par,
            motif="Retour en axe 1",
            date=date,
            verifier_droit=False,  # la décision du changement d'axe a été vérifiée
        )


def _places_manquantes(dossier: Dossier, axe: Axe, date: dt.date) -> list[str]:
    """Places requises pour l'axe qui ne sont pas tenues à la date d'entrée."""
    tenues = set(
        dossier.affectations.ouvertes().filter(date_debut__lte=date).values_list("role", flat=True)
    )
    return [RoleAffectation(p).label for p in PLACES_REQUISES[Axe(axe)] if p not in tenues]


def _verifier_entree(dossier: Dossier, axe: Axe, accord_personne: bool, date: dt.date) -> None:
    if axe in (Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF) and not accord_personne:
        raise ErreurMetier(
            "L'entrée en axe 2 ou 3 ne peut pas être imposée : l'accord de la personne est requis."
        )
    if manquantes := _places_manquantes(dossier, axe, date):
        raise ErreurMetier(
            f"Avant d'entrer en {Axe(axe).label} au {date:%d/%m/%Y}, affectez : "
            f"{', '.join(manquantes)} (affectation commencée au plus tard à cette date)."
        )


def _ouvrir_periode(
    dossier, *, axe, date, motif, decide_par, accord_personne, conseiller, professionnel_social
):
    derniere = dossier.periodes.order_by("-date_debut", "-pk").first()
    if derniere is not None and (derniere.date_fin is None or date < derniere.date_fin):
        raise ErreurMetier("Cette période chevaucherait la précédente : vérifiez la date.")
    return PeriodeOrientation.objects.create(
        dossier=dossier,
        axe=axe,
        date_debut=date,
        motif=motif,
        decide_par=decide_par,
        accord_personne=accord_personne,
        conseiller=conseiller,
        professionnel_social=professionnel_social,
    )


@transaction.atomic
def orienter(
    *,
    dossier: Dossier,
    axe: Axe,
    par: Membership,
    motif: str,
    accord_personne: bool = False,
    conseiller: User | None = None,
    professionnel_social: User | None = None,
    date: dt.date | None = None,
) -> PeriodeOrientation:
    """Première entrée sur un axe (décision conjointe) : ouvre la période et passe le
    dossier « en accompagnement ». Pour changer d'axe ensuite : demande puis décision."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        if not motif.strip():
            raise ErreurMetier("Le motif de l'orientation est obligatoire.")
        if dossier.periodes.filter(date_fin__isnull=True).exists():
            raise ErreurMetier(
                "Ce dossier est déjà sur un axe : faites une demande de changement d'axe."
            )
        exiger_droit(perms.peut_orienter(par, dossier), "Vous ne pouvez pas orienter ce dossier.")
        date = date_d_evenement(date, dossier, "La date d'entrée")
        _verifier_entree(dossier, axe, accord_personne, date)
        periode = _ouvrir_periode(
            dossier,
            axe=axe,
            date=date,
            motif=motif,
            decide_par=par.user,
            accord_personne=accord_personne,
            conseiller=conseiller,
            professionnel_social=professionnel_social,
        )
        _changer_statut(m, StatutDossier.ACCOMPAGNEMENT, axe_courant=axe, date_entree=date)
        m.auditer(ActionAudit.CREATION, periode, axe=axe)
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"Entrée en {minuscule_initiale(Axe(axe).label)} (décision de {par.user}"
            + (", avec l'accord de la personne)" if accord_personne else ")"),
            objet=periode,
            date=date,
        )
        if axe in AXES_SOCIAUX:
            relayer_place_conseiller(
                m, date=date, motif=f"Entrée en {minuscule_initiale(Axe(axe).label)}"
            )
    return periode


@transaction.atomic
def demander_changement_axe(
    *, dossier: Dossier, axe: Axe, motif: str, par: Membership, verifier_droit: bool = True
) -> DemandeChangementAxe:
    """`verifier_droit=False` : pour la décision conjointe du diagnostic, qui demande et
    décide d'un même geste."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        if dossier.statut != StatutDossier.ACCOMPAGNEMENT:
            raise ErreurMetier("Seul un dossier en accompagnement peut changer d'axe.")
        if axe == dossier.axe_courant:
            raise ErreurMetier(f"Le dossier est déjà en {Axe(axe).label}.")
        if not motif.strip():
            raise ErreurMetier("Le motif de la demande est obligatoire.")
        if dossier.demandes_changement.filter(statut=StatutDemande.EN_ATTENTE).exists():
            raise ErreurMetier("Une demande de changement d'axe attend déjà une décision.")
        if verifier_droit:
            exiger_droit(
                perms.peut_demander_changement_axe(par, dossier),
                "Vous ne pouvez pas demander de changement d'axe pour ce dossier.",
            )
        demande = DemandeChangementAxe.objects.create(
            dossier=dossier, axe_demande=axe, motif=motif, demande_par=par.user
        )
        m.auditer(ActionAudit.CREATION, demande)
        m.journaliser(
            TypeEvenement.CHANGEMENT_AXE,
            f"Demande de passage en {Axe(axe).label} par {par.user}",
            objet=demande,
        )
    destinataires = [
        a.professionnel for a in dossier.affectations.ouvertes().select_related("professionnel")
    ]
    notifications.envoyer(
        destinataires=[u for u in destinataires if u.pk != par.user_id],
        sujet=f"Demande de passage en {Axe(axe).label} : {dossier.demandeur}",
        texte=f"{par.user} demande le passage du dossier de {dossier.demandeur} en {Axe(axe).label}.\nMotif : {motif}",
        lien=_lien(dossier),
        categorie=CategorieNotification.CHANGEMENT_AXE,
    )
    return demande


@transaction.atomic
def decider_changement_axe(
    *,
    demande: DemandeChangementAxe,
    accepter: bool,
    motif: str,
    par: Membership,
    accord_personne: bool = False,
    date: dt.date | None = None,
    conseiller: User | None = None,
    professionnel_social: User | None = None,
    verifier_droit: bool = True,
) -> DemandeChangementAxe:
    """Acceptée : la période en cours se termine à `date` et la suivante commence à
    `date` (intervalles semi-ouverts, donc sans chevauchement). Refusée : rien ne change.
    `verifier_droit=False` : pour la décision conjointe du diagnostic."""
    with modification_du_dossier(demande.dossier, par) as m:
        dossier = m.dossier
        demande = DemandeChangementAxe.objects.select_for_update().get(pk=demande.pk)
        date = date_d_evenement(date, dossier, "La date du changement d'axe")
        if demande.statut != StatutDemande.EN_ATTENTE:
            raise ErreurMetier("Cette demande a déjà été décidée.")
        if not motif.strip():
            raise ErreurMetier("Le motif de la décision est obligatoire.")
        demande.dossier = dossier
        if verifier_droit:
            exiger_droit(
                perms.peut_decider_changement_axe(par, demande),
                "Vous ne pouvez pas décider de cette demande de changement d'axe.",
            )
        if accepter:
            if dossier.statut != StatutDossier.ACCOMPAGNEMENT:
                raise ErreurMetier("Le dossier n'est plus en accompagnement.")
            if demande.axe_demande == Axe.RESSOURCES_SOCIALES:
                _rendre_place_conseiller(dossier, par=par, date=date)
            _verifier_entree(dossier, demande.axe_demande, accord_personne, date)
            courante = dossier.periodes.get(date_fin__isnull=True)
            if date < courante.date_debut:
                raise ErreurMetier(
                    "Le changement ne peut pas précéder le début de la période en cours."
                )
            courante.date_fin = date
            courante.save(update_fields=["date_fin"])
            _ouvrir_periode(
                dossier,
                axe=demande.axe_demande,
                date=date,
                motif=motif,
                decide_par=par.user,
                accord_personne=accord_personne,
                conseiller=conseiller,
                professionnel_social=professionnel_social,
            )
            m.noter_activite(axe_courant=demande.axe_demande)
        demande.statut = StatutDemande.ACCEPTEE if accepter else StatutDemande.REFUSEE
        demande.decide_par, demande.decide_le = par.user, timezone.now()
        demande.motif_decision = motif
        demande.save(update_fields=["statut", "decide_par", "decide_le", "motif_decision"])
        m.auditer(ActionAudit.MODIFICATION, demande, statut=demande.statut)
        m.journaliser(
            TypeEvenement.CHANGEMENT_AXE,
            f"Passage en {demande.get_axe_demande_display()} "
            f"{demande.get_statut_display().lower()} par {par.user}",
            objet=demande,
            date=date,
        )
        if accepter and demande.axe_demande in AXES_SOCIAUX:
            relayer_place_conseiller(
                m, date=date, motif=f"Passage en {Axe(demande.axe_demande).label}"
            )
    notifications.envoyer(
        destinataires=[demande.demande_par],
        sujet=f"Changement d'axe {demande.get_statut_display().lower()}",
        texte=(
            f"Votre demande de passage du dossier de {dossier.demandeur} en {demande.get_axe_demande_display()} "
            f"a été {demande.get_statut_display().lower()} par {par.user}.\nMotif : {motif}"
        ),
        lien=_lien(dossier),
        categorie=CategorieNotification.DECISION,
        immediat=True,  # une décision qui le concerne : tout de suite, pas dans le résumé
    )
    return demande


@transaction.atomic
def cloturer(
    *,
    dossier: Dossier,
    motif_sortie: MotifSortie,
    par: Membership,
    date: dt.date | None = None,
    commentaire: str = "",
    annuler_en_cours: bool = False,
) -> Dossier:
    """Clôture : période et affectations closes. Avec `annuler_en_cours`, les actions
    ouvertes sont annulées par la structure, les aides en attente annulées et les
    rendez-vous à venir annulés ; sinon ils restent tels quels dans le dossier clos."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        if motif_sortie not in MotifSortie.values:
            raise ErreurMetier("Choisissez un motif de sortie dans la liste.")
        _verifier_transition(dossier, StatutDossier.CLOS)
        exiger_droit(perms.peut_cloturer(par, dossier), "Vous ne pouvez pas clôturer ce dossier.")
        date = date_d_evenement(date, dossier, "La date de sortie")
        ouvertes = dossier.affectations.ouvertes()
        if ouvertes.filter(date_debut__gt=date).exists():
            raise ErreurMetier(
                "La sortie ne peut pas précéder le début d'une affectation en cours : vérifiez la date."
            )
        courante = dossier.periodes.filter(date_fin__isnull=True).first()
        if courante is not None:
            if date < courante.date_debut:
                raise ErreurMetier(
                    "La sortie ne peut pas précéder le début de la période en cours."
                )
            courante.date_fin = date
            courante.save(update_fields=["date_fin"])
        ouvertes.update(date_fin=date, motif_fin="Clôture du dossier")
        dossier.demandes_changement.filter(statut=StatutDemande.EN_ATTENTE).update(
            statut=StatutDemande.REFUSEE,
            decide_par=par.user,
            decide_le=timezone.now(),
            motif_decision="Dossier clos",
        )
        if annuler_en_cours:
            _annuler_en_cours(m, date, par)
        _changer_statut(
            m,
            StatutDossier.CLOS,
            date_cloture=date,
            motif_sortie=motif_sortie,
            commentaire_sortie=commentaire,
        )
        m.auditer(ActionAudit.MODIFICATION, statut=StatutDossier.CLOS, motif_sortie=motif_sortie)
        m.journaliser(
            TypeEvenement.CLOTURE,
            f"Dossier clos par {par.user} : {MotifSortie(motif_sortie).label}",
            date=date,
        )
    return dossier


def _annuler_en_cours(m: Modification, date: dt.date, par: Membership) -> None:
    """Annule ce que la clôture laisserait en suspens (trois mises à jour, un événement)."""
    dossier = m.dossier
    actions = Action.objects.filter(dossier=dossier).non_terminees()
    nb_actions = actions.update(
        statut=StatutAction.ANNULEE,
        # Une action qui n'a pas encore commencé se termine le jour de son début.
        date_fin_reelle=Greatest(Value(date), F("date_debut")),
        commentaire="Annulée à la clôture du dossier",
        version=F("version") + 1,
        modifie_le=timezone.now(),
    )
    nb_aides = AideFinanciere.objects.filter(
        dossier=dossier, decision=DecisionAide.EN_ATTENTE
    ).update(
        decision=DecisionAide.ANNULEE,
        date_decision=date,
        commentaire_decision="Demande annulée à la clôture du dossier",
        decision_par=par.user,
    )
    nb_rdv = (
        RendezVous.objects.filter(dossier=dossier)
        .a_venir()
        .update(
            presence=Presence.ANNULE, presence_notee_par=par.user, presence_notee_le=timezone.now()
        )
    )
    if nb_actions or nb_aides or nb_rdv:
        m.auditer(
            ActionAudit.MODIFICATION,
            annulation_a_la_cloture={
                "actions": nb_actions,
                "aides": nb_aides,
                "rendez_vous": nb_rdv,
            },
        )
        m.journaliser(
            TypeEvenement.CLOTURE,
            f"À la clôture, {par.user} annule {nb_actions} action(s) ouverte(s), "
            f"{nb_aides} aide(s) en attente et {nb_rdv} rendez-vous à venir",
            date=date,
        )


@transaction.atomic
def rouvrir(
    *,
    dossier: Dossier,
    par: Membership,
    origine: Origine,
    motif: str = "",
    date: dt.date | None = None,
) -> Dossier:
    """Un nouveau parcours pour une personne dont le dossier est clos ; l'ancien reste
    consultable tel quel."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    if not dossier.est_clos:
        raise ErreurMetier("Seul un dossier clos peut être rouvert.")
    exiger_droit(
        perms.peut_rouvrir(par, dossier),
        "Vous ne pouvez pas ouvrir de nouveau parcours pour cette personne.",
    )
    if date is not None and date < dossier.date_cloture:
        raise ErreurMetier(
            "Le nouveau parcours ne peut pas commencer avant la clôture du précédent."
        )
    return ouvrir_dossier(
        demandeur=dossier.demandeur,
        par=par,
        origine=origine,
        motif=motif,
        territoire=dossier.territoire,
        date=date,
    )
