"""Écritures des prescriptions (demandes d'entrée en axe 2 ou 3). Chaque service :
arguments nommés, acteur explicite (`par`, le rattachement qui agit), droit vérifié
(AccesRefuse), une seule modification du dossier (`modification_du_dossier` : verrou,
activité, audit, journal), notifications ; un refus métier lève ErreurMetier."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accompagnement import audit, notifications
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    Membership,
    Role,
    Structure,
    TypeStructure,
)
from accompagnement.referentiels import DomaineFrein
from accompagnement.texte import minuscule_initiale
from dossiers.journal import Modification, modification_du_dossier
from dossiers.models import (
    AXES_PRESCRIPTION,
    Axe,
    Dossier,
    ModeAccord,
    Prescription,
    RoleAffectation,
    StatutPrescription,
    TypeEvenement,
)
from dossiers.parcours import services as parcours
from dossiers.prescriptions import perms

PLACE_SOCIALE = {
    Axe.ACCOMPAGNEMENT_GLOBAL: RoleAffectation.TRAVAILLEUR_SOCIAL,
    Axe.SOCIAL_EXCLUSIF: RoleAffectation.REFERENT_SOCIAL,
}


def lien(prescription: Prescription) -> str:
    return reverse("dossiers:prescription", args=[prescription.uuid])


def destinataires(prescription: Prescription) -> list[Membership]:
    """Qui reçoit la demande (voir perms.est_destinataire) : conseillers dédiés actifs de
    l'agence (axe 2) et correspondants insertion actifs du territoire."""
    dossier = prescription.dossier
    membres = Membership.objects.actifs().filter(user__is_active=True).select_related("user")
    resultat: list[Membership] = []
    if prescription.axe == Axe.ACCOMPAGNEMENT_GLOBAL and dossier.agence_id:
        resultat += membres.filter(role=Role.CONSEILLER_DEDIE, structure_id=dossier.agence_id)
    if dossier.territoire_id:
        resultat += membres.filter(
            role=Role.CORRESPONDANT_INSERTION, structure_id=dossier.territoire_id
        )
    return resultat


def _relire(prescription: Prescription) -> Prescription:
    return (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("dossier__demandeur", "prescripteur")
        .get(pk=prescription.pk)
    )


def _date(date: dt.date | None, dossier: Dossier, libelle: str) -> dt.date:
    return parcours.date_d_evenement(date, dossier, libelle)


def _verifier_territoire(dossier: Dossier, territoire: Structure) -> None:
    if (
        territoire.departement_id != dossier.departement_id
        or territoire.type != TypeStructure.TERRITOIRE_SOCIAL
        or not territoire.actif
    ):
        raise ErreurMetier(
            "Le territoire doit être un territoire d'action sociale actif du département."
        )


def _poser_territoire(m: Modification, territoire: Structure) -> None:
    dossier = m.dossier
    ancien = dossier.territoire
    m.noter_activite(territoire=territoire)
    dossier.territoire = territoire
    m.auditer(
        ActionAudit.MODIFICATION,
        territoire=territoire.nom,
        ancien=ancien.nom if ancien else None,
    )
    m.journaliser(
        TypeEvenement.FICHE,
        f"Territoire d'action sociale : {territoire.nom} (précisé par {m.auteur})",
    )


def _avec_affectations(dossier: Dossier) -> Dossier:
    """Le dossier verrouillé, avec ses affectations pour les fonctions de droit."""
    return (
        Dossier.objects.select_related("departement", "demandeur", "territoire")
        .prefetch_related("affectations")
        .get(pk=dossier.pk)
    )


def definir_territoire(*, dossier: Dossier, territoire: Structure, par: Membership) -> Dossier:
    """Préciser (ou, pour l'animatrice, corriger) le territoire d'un dossier : la route
    vers les correspondants insertion est alors ouverte."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier = _avec_affectations(m.dossier)
        exiger_droit(
            perms.peut_definir_territoire(par, dossier),
            "Vous ne pouvez pas modifier le territoire de ce dossier.",
        )
        _verifier_territoire(dossier, territoire)
        if dossier.territoire_id == territoire.pk:
            m.auditer(ActionAudit.MODIFICATION, territoire=territoire.nom)
            return dossier
        _poser_territoire(m, territoire)
    return dossier


def prescrire(
    *,
    dossier: Dossier,
    par: Membership,
    axe: Axe,
    motif: str,
    accord_le: dt.date,
    accord_mode: ModeAccord,
    freins: list[str] | None = None,
    territoire: Structure | None = None,
    date: dt.date | None = None,
) -> Prescription:
    """Propose la personne pour l'axe 2 ou 3 ; la demande part aux destinataires (notifiés
    une fois, dans l'application et dans leur résumé quotidien)."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier = _avec_affectations(m.dossier)
        en_cours = dossier.prescriptions.en_cours().first()
        if en_cours is not None:
            raise ErreurMetier(
                f"Une demande d'entrée en {en_cours.get_axe_display()} est déjà en cours "
                f"(du {en_cours.prescrite_le:%d/%m/%Y})."
            )
        exiger_droit(
            perms.peut_prescrire(par, dossier),
            "Vous ne pouvez pas proposer cette personne pour l'accompagnement global ou le "
            "suivi social.",
        )
        if axe not in AXES_PRESCRIPTION:
            raise ErreurMetier(
                "Choisissez l'accompagnement global (axe 2) ou le suivi social (axe 3)."
            )
        if not motif.strip():
            raise ErreurMetier("Le motif de la demande est obligatoire.")
        freins = list(dict.fromkeys(freins or []))
        if inconnus := [f for f in freins if f not in DomaineFrein.values]:
            raise ErreurMetier(f"Domaine de frein inconnu : {', '.join(inconnus)}.")
        if accord_mode not in ModeAccord.values:
            raise ErreurMetier("Indiquez comment l'accord de la personne a été recueilli.")
        date = _date(date, dossier, "La date de la demande")
        if accord_le is None or accord_le > timezone.localdate():
            raise ErreurMetier("L'accord de la personne est daté, au plus tard aujourd'hui.")
        if territoire is not None and territoire.pk != dossier.territoire_id:
            if dossier.territoire_id is not None:
                raise ErreurMetier("Le territoire du dossier est déjà connu.")
            _verifier_territoire(dossier, territoire)
            _poser_territoire(m, territoire)
        if dossier.territoire_id is None:
            raise ErreurMetier(
                "Précisez le territoire d'action sociale de la personne : la demande est "
                "adressée aux correspondants insertion de ce territoire."
            )
        prescription = Prescription.objects.create(
            dossier=dossier,
            axe=axe,
            freins=freins,
            motif=motif.strip(),
            accord_le=accord_le,
            accord_mode=accord_mode,
            prescripteur=par.user,
            structure=par.structure,
            prescrite_le=date,
        )
        libelle = Axe(axe).label
        m.auditer(ActionAudit.CREATION, prescription, axe=axe)
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"Demande d'entrée en {libelle} par {par.user} ({par.structure})",
            objet=prescription,
            date=date,
        )
        notifications.envoyer(
            destinataires=[d.user for d in destinataires(prescription) if d.user_id != par.user_id],
            sujet=f"Demande d'entrée en {libelle} : {dossier.demandeur}",
            texte=(
                f"{par.user} ({par.structure}) propose {dossier.demandeur} pour "
                f"l'{libelle.lower()}. Prenez le dossier, désignez le travailleur social ou "
                "refusez avec un motif."
            ),
            lien=lien(prescription),
            categorie=CategorieNotification.AFFECTATION,
        )
    return prescription


def _informer_prescripteur(
    prescription: Prescription, par: Membership, sujet: str, texte: str, *, immediat=False
):
    if prescription.prescripteur_id == par.user_id:
        return
    notifications.envoyer(
        destinataires=[prescription.prescripteur],
        sujet=f"{sujet} : {prescription.dossier.demandeur}",
        texte=texte,
        lien=lien(prescription),
        categorie=CategorieNotification.DECISION,
        immediat=immediat,
    )


def _passer_prise_en_charge(prescription: Prescription) -> list[str]:
    champs = ["repondue_le"]
    prescription.repondue_le = timezone.now()
    if prescription.statut == StatutPrescription.EN_ATTENTE:
        prescription.statut = StatutPrescription.PRISE_EN_CHARGE
        champs.append("statut")
    return champs


def prendre(
    *, prescription: Prescription, par: Membership, date: dt.date | None = None
) -> Prescription:
    """Le conseiller dédié devient le référent du dossier (place « conseiller dédié ») ;
    la place de conseiller de l'agence (axe 1) du prescripteur est relayée."""
    with modification_du_dossier(prescription.dossier, par) as m:
        prescription = _relire(prescription)
        dossier = prescription.dossier = m.dossier = _avec_affectations(m.dossier)
        exiger_droit(
            perms.peut_prendre(par, prescription), "Vous ne pouvez pas prendre ce dossier."
        )
        date = _date(date, dossier, "La date de prise en charge")
        parcours.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER_DEDIE,
            professionnel=par,
            par=par,
            date=date,
            verifier_droit=False,  # droit vérifié ci-dessus : peut_prendre
        )
        conseiller = dossier.affectations.ouvertes().filter(role=RoleAffectation.CONSEILLER).first()
        if conseiller is not None and conseiller.date_debut <= date:
            conseiller.date_fin = date
            conseiller.motif_fin = (
                f"Relais par le conseiller dédié {par.user} (accompagnement global)"
            )
            conseiller.save(update_fields=["date_fin", "motif_fin"])
            m.auditer(ActionAudit.MODIFICATION, conseiller, fin=date.isoformat())
        prescription.pris_par, prescription.pris_le = par.user, date
        prescription.save(
            update_fields=["pris_par", "pris_le", *_passer_prise_en_charge(prescription)]
        )
        m.auditer(ActionAudit.MODIFICATION, prescription, etape="prise", par=par.user.email)
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"Demande d'entrée prise par {par.user}, conseiller dédié référent",
            objet=prescription,
            date=date,
        )
        _informer_prescripteur(
            prescription,
            par,
            "Demande prise en charge",
            f"{par.user} ({par.structure}) a pris le dossier de {dossier.demandeur} : il en "
            "devient le référent. Le diagnostic partagé suit.",
        )
    return prescription


def designer(
    *,
    prescription: Prescription,
    par: Membership,
    travailleur_social: Membership,
    date: dt.date | None = None,
) -> Prescription:
    """Le correspondant insertion désigne le travailleur social du binôme (axe 2) ou le
    référent social (axe 3)."""
    with modification_du_dossier(prescription.dossier, par) as m:
        prescription = _relire(prescription)
        dossier = prescription.dossier = m.dossier = _avec_affectations(m.dossier)
        exiger_droit(
            perms.peut_designer(par, prescription),
            "Vous ne pouvez pas désigner le travailleur social de ce dossier.",
        )
        if travailleur_social.structure.departement_id != dossier.departement_id:
            raise ErreurMetier("Ce professionnel n'est pas rattaché au département.")
        date = _date(date, dossier, "La date de désignation")
        place = PLACE_SOCIALE[Axe(prescription.axe)]
        tenue = dossier.affectations.ouvertes().filter(role=place).first()
        if tenue is None or tenue.professionnel_id != travailleur_social.user_id:
            parcours.affecter(
                dossier=dossier,
                place=place,
                professionnel=travailleur_social,
                par=par,
                date=date,
                verifier_droit=False,  # droit vérifié ci-dessus : peut_designer
            )
        prescription.designe_par, prescription.designe_le = par.user, date
        prescription.travailleur_social = travailleur_social.user
        prescription.save(
            update_fields=[
                "designe_par",
                "designe_le",
                "travailleur_social",
                *_passer_prise_en_charge(prescription),
            ]
        )
        m.auditer(
            ActionAudit.MODIFICATION,
            prescription,
            etape="designation",
            professionnel=travailleur_social.user.email,
        )
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"{par.user} désigne {travailleur_social.user} : "
            f"{minuscule_initiale(RoleAffectation(place).label)}",
            objet=prescription,
            date=date,
        )
        _informer_prescripteur(
            prescription,
            par,
            "Travailleur social désigné",
            f"{par.user} a désigné {travailleur_social.user} ({travailleur_social.structure}) "
            f"pour le dossier de {dossier.demandeur}.",
        )
    return prescription


def refuser(*, prescription: Prescription, par: Membership, motif: str) -> Prescription:
    """Refus motivé ; le prescripteur en est informé aussitôt (courriel compris)."""
    with modification_du_dossier(prescription.dossier, par) as m:
        prescription = _relire(prescription)
        dossier = prescription.dossier = m.dossier = _avec_affectations(m.dossier)
        exiger_droit(
            perms.peut_refuser(par, prescription), "Vous ne pouvez pas refuser cette demande."
        )
        if not motif.strip():
            raise ErreurMetier(
                "Le motif du refus est obligatoire : il est transmis au prescripteur."
            )
        prescription.statut = StatutPrescription.REFUSEE
        prescription.refuse_par, prescription.refusee_le = par.user, timezone.localdate()
        prescription.motif_refus = motif.strip()
        prescription.repondue_le = timezone.now()
        prescription.save(
            update_fields=["statut", "refuse_par", "refusee_le", "motif_refus", "repondue_le"]
        )
        m.auditer(ActionAudit.MODIFICATION, prescription, etape="refus")
        m.journaliser(
            TypeEvenement.ORIENTATION,
            f"Demande d'entrée en {prescription.get_axe_display()} refusée par {par.user}",
            objet=prescription,
        )
        _informer_prescripteur(
            prescription,
            par,
            "Demande refusée",
            f"{par.user} ({par.structure}) a refusé la demande d'entrée en "
            f"{prescription.get_axe_display()} pour {dossier.demandeur}.\nMotif : {motif.strip()}",
            immediat=True,
        )
    return prescription


def noter_diagnostic(*, dossier: Dossier, date: dt.date | None = None) -> None:
    """Le diagnostic partagé commence (appelé par diagnostics.services.demarrer, dans sa
    modification du dossier) : la date est gardée pour le délai prescription → diagnostic."""
    date = date or timezone.localdate()
    dossier.prescriptions.en_cours().filter(diagnostic_le__isnull=True).update(diagnostic_le=date)


def terminer(*, dossier: Dossier, axe: Axe, par: Membership, date: dt.date | None = None) -> None:
    """La décision conjointe (diagnostics.services.decider, dans sa modification du
    dossier) termine la demande en cours ; le prescripteur voit l'issue. Une réorientation
    en axe 3 relaie la place de conseiller de l'agence : France Travail garde le statut
    seul (docs/permissions.md)."""
    date = date or timezone.localdate()
    prescription = (
        dossier.prescriptions.en_cours()
        .select_for_update(of=("self",))
        .select_related("prescripteur", "dossier__demandeur")
        .first()
    )
    if prescription is None:
        return
    prescription.statut = StatutPrescription.TERMINEE
    prescription.decision_le, prescription.axe_decide = date, axe
    prescription.diagnostic_le = prescription.diagnostic_le or dossier.date_diagnostic or date
    prescription.repondue_le = timezone.now()
    prescription.save(
        update_fields=["statut", "decision_le", "axe_decide", "diagnostic_le", "repondue_le"]
    )
    if axe == Axe.SOCIAL_EXCLUSIF:
        dossier.affectations.ouvertes().filter(
            role=RoleAffectation.CONSEILLER, date_debut__lte=date
        ).update(date_fin=date, motif_fin="Réorientation vers le suivi social exclusif")
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par.user,
        departement=dossier.departement,
        objet=prescription,
        details={"dossier": str(dossier.uuid), "etape": "decision", "axe": axe},
    )
    _informer_prescripteur(
        prescription,
        par,
        "Décision conjointe",
        f"La décision conjointe pour {dossier.demandeur} a été prise le {date:%d/%m/%Y} : "
        f"{Axe(axe).label}.",
    )
