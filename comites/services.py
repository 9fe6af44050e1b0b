"""Écritures des comités techniques. Chaque service : arguments nommés, acteur explicite
(`par`, l'animatrice du département de la séance, sauf `signaler`), transaction, trace
d'audit ; un refus lève ErreurMetier avec un message montré tel quel.

Enregistrer une décision appelle les services des dossiers (changement d'axe,
orientation, renouvellement, clôture, affectation) dans la même transaction que le point :
si le service du dossier refuse, rien n'est enregistré (ni le point, ni le dossier)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit, notifications
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import (
    INSTITUTION_PAR_TYPE,
    ActionAudit,
    CategorieNotification,
    Institution,
    Membership,
    Role,
    Structure,
    User,
)
from dossiers.models import (
    Axe,
    DemandeChangementAxe,
    Dossier,
    MotifSortie,
    RoleAffectation,
    StatutDemande,
)
from dossiers.parcours import renouvellement
from dossiers.parcours import services as parcours

from . import lectures, perms
from .models import (
    ETATS_MODIFIABLES,
    PLAFOND_POINTS_SEANCE,
    POINTS_PAR_COMPOSITION,
    EtatSeance,
    MotifInscription,
    MotifSignalement,
    Participant,
    Point,
    Seance,
    Signalement,
    TypeDecision,
    TypeSeance,
)

MESSAGE_DROIT = "Seule l'animatrice fonctionnelle du département prépare et tient ses comités."


def _auditer(action: ActionAudit, objet, par: Membership | None, departement, **details) -> None:
    audit.enregistrer(
        action=action,
        acteur=par.user if par else None,
        objet=objet,
        departement=departement,
        details=details,
    )


def _verrouiller(seance: Seance, par: Membership | None) -> Seance:
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    if par is not None:
        exiger_droit(perms.peut_gerer_seance(par, seance), MESSAGE_DROIT)
    return seance


def _exiger_modifiable(seance: Seance) -> None:
    if seance.etat not in ETATS_MODIFIABLES:
        raise ErreurMetier("La séance est tenue : son ordre du jour ne se modifie plus.")


def _lien(seance: Seance) -> str:
    return reverse("comites:seance", args=[seance.uuid])


# --- Séance et participants -----------------------------------------------------------------


@transaction.atomic
def creer_seance(
    *,
    par: Membership | None,
    departement=None,
    type: TypeSeance,
    debut: dt.datetime,
    lieu: str,
    territoire: Structure | None = None,
) -> Seance:
    """`par=None` : le système (démonstration), qui donne le département."""
    if par is not None:
        exiger_droit(perms.peut_gerer_comites(par), MESSAGE_DROIT)
        departement = par.structure.departement
    if type not in TypeSeance.values:
        raise ErreurMetier("Choisissez le type de comité dans la liste.")
    if not lieu.strip():
        raise ErreurMetier("Le lieu de la séance est obligatoire.")
    if territoire is not None and territoire.departement_id != departement.pk:
        raise ErreurMetier("Ce territoire n'est pas dans le département.")
    seance = Seance.objects.create(
        departement=departement,
        territoire=territoire,
        type=type,
        debut=debut,
        lieu=lieu.strip(),
        cree_par=par.user if par else None,
    )
    if par is not None:
        Participant.objects.create(
            seance=seance, membership=par, institution=par.structure.institution
        )
    _auditer(ActionAudit.CREATION, seance, par, departement)
    return seance


@transaction.atomic
def ajouter_participant(
    *,
    seance: Seance,
    par: Membership | None,
    membership: Membership | None = None,
    nom: str = "",
    institution: str = "",
) -> Participant:
    seance = _verrouiller(seance, par)
    if seance.etat == EtatSeance.COMPTE_RENDU_DIFFUSE:
        raise ErreurMetier("Le compte rendu est diffusé : la liste des participants est close.")
    if membership is not None:
        if membership.structure.departement_id != seance.departement_id or not membership.actif:
            raise ErreurMetier("Ce professionnel n'est pas rattaché au département de la séance.")
        if membership.role == Role.ADMINISTRATEUR:
            raise ErreurMetier("L'administrateur ne participe pas aux comités.")
        if seance.participants.filter(membership=membership).exists():
            raise ErreurMetier(f"{membership.user} participe déjà à la séance.")
        institution = INSTITUTION_PAR_TYPE[membership.structure.type]
        nom = ""
    else:
        if not nom.strip():
            raise ErreurMetier(
                "Indiquez le nom du participant extérieur (ou choisissez un professionnel)."
            )
        if institution not in Institution.values:
            raise ErreurMetier("Choisissez l'institution du participant extérieur.")
    participant = Participant.objects.create(
        seance=seance, membership=membership, nom=nom.strip(), institution=institution
    )
    _auditer(ActionAudit.CREATION, participant, par, seance.departement, seance=str(seance.uuid))
    return participant


@transaction.atomic
def noter_presences(*, seance: Seance, par: Membership, presents: set[int]) -> Seance:
    """Coche les présents (les autres : absents) ; la séance est alors tenue."""
    seance = _verrouiller(seance, par)
    if seance.etat == EtatSeance.COMPTE_RENDU_DIFFUSE:
        raise ErreurMetier("Le compte rendu est diffusé : les présences ne changent plus.")
    participants = seance.participants.all()
    participants.filter(pk__in=presents).update(present=True)
    participants.exclude(pk__in=presents).update(present=False)
    if seance.etat != EtatSeance.TENUE:
        seance.etat, seance.tenue_le = EtatSeance.TENUE, timezone.now()
        seance.save(update_fields=["etat", "tenue_le"])
    _auditer(ActionAudit.MODIFICATION, seance, par, seance.departement, etat=seance.etat)
    return seance


# --- Ordre du jour ------------------------------------------------------------------------


@dataclass
class Composition:
    """Ce qu'une composition a ajouté, et ce qui attend encore dans les files."""

    points: list[Point]
    en_attente: int  # dossiers encore proposés par les files, compté jusqu'à 10 001 au plus
    plafond_atteint: bool  # l'ordre du jour compte PLAFOND_POINTS_SEANCE points ou plus


@transaction.atomic
def composer_ordre_du_jour(*, seance: Seance, par: Membership) -> Composition:
    """Ajoute à l'ordre du jour au plus POINTS_PAR_COMPOSITION dossiers que proposent les
    files (demandes d'entrée, changements d'axe, renouvellements, signalements, les plus
    anciens d'abord), sans doublon et sans dépasser PLAFOND_POINTS_SEANCE points en tout ;
    ce qui y est déjà reste."""
    seance = _verrouiller(seance, par)
    _exiger_modifiable(seance)
    deja = seance.points.count()
    place = max(0, min(POINTS_PAR_COMPOSITION, PLAFOND_POINTS_SEANCE - deja))
    propositions = lectures.propositions(seance, par, limite=place) if place else []
    points = []
    if propositions:
        suivant = (seance.points.aggregate(m=Max("ordre"))["m"] or 0) + 1
        points = Point.objects.bulk_create(
            [
                Point(
                    seance=seance,
                    dossier_id=p.dossier_id,
                    ordre=suivant + i,
                    motif=p.motif,
                    prescription_id=p.prescription_id,
                    demande_id=p.demande_id,
                    signalement_id=p.signalement_id,
                    orientation_demandee=p.orientation_demandee,
                )
                for i, p in enumerate(propositions)
            ]
        )
    composition = Composition(
        points=points,
        en_attente=lectures.en_attente(seance, par),
        plafond_atteint=deja + len(points) >= PLAFOND_POINTS_SEANCE,
    )
    if points:
        _auditer(
            ActionAudit.MODIFICATION,
            seance,
            par,
            seance.departement,
            points_ajoutes=len(points),
            en_attente=composition.en_attente,
        )
    return composition


@transaction.atomic
def ajouter_point(
    *, seance: Seance, par: Membership, dossier: Dossier, motif: str = MotifInscription.AUTRE
) -> Point:
    seance = _verrouiller(seance, par)
    _exiger_modifiable(seance)
    if dossier.departement_id != seance.departement_id:
        raise ErreurMetier("Ce dossier n'est pas dans le département de la séance.")
    if dossier.est_clos:
        raise ErreurMetier("Ce dossier est clos : il ne passe plus en comité.")
    if seance.points.filter(dossier=dossier).exists():
        raise ErreurMetier(f"Le dossier de {dossier.demandeur} est déjà à l'ordre du jour.")
    suivant = (seance.points.aggregate(m=Max("ordre"))["m"] or 0) + 1
    point = Point.objects.create(seance=seance, dossier=dossier, ordre=suivant, motif=motif)
    _auditer(ActionAudit.CREATION, point, par, seance.departement, dossier=str(dossier.uuid))
    return point


def _verrouiller_point(point: Point, par: Membership) -> tuple[Seance, Point]:
    seance = _verrouiller(point.seance, par)
    point = Point.objects.select_for_update().select_related("dossier__demandeur").get(pk=point.pk)
    return seance, point


@transaction.atomic
def retirer_point(*, point: Point, par: Membership) -> Seance:
    seance, point = _verrouiller_point(point, par)
    _exiger_modifiable(seance)
    if point.decide:
        raise ErreurMetier("Ce point est décidé : il reste à l'ordre du jour.")
    _auditer(
        ActionAudit.SUPPRESSION, point, par, seance.departement, dossier=str(point.dossier.uuid)
    )
    point.delete()
    return seance


@transaction.atomic
def deplacer_point(*, point: Point, par: Membership, vers_le_haut: bool) -> Point:
    """Échange le point avec son voisin (au-dessus ou en dessous)."""
    seance, point = _verrouiller_point(point, par)
    _exiger_modifiable(seance)
    points = list(seance.points.select_for_update().order_by("ordre", "pk"))
    rang = next(i for i, p in enumerate(points) if p.pk == point.pk)
    voisin = rang - 1 if vers_le_haut else rang + 1
    if not 0 <= voisin < len(points):
        return point
    points[rang], points[voisin] = points[voisin], points[rang]
    for i, p in enumerate(points, start=1):
        p.ordre = i
    Point.objects.bulk_update(points, ["ordre"])
    return point


@transaction.atomic
def envoyer_ordre_du_jour(*, seance: Seance, par: Membership) -> Seance:
    """Notifie les participants rattachés (boîte de réception et courriel). Le message
    ne contient que la date, le lieu et le nombre de dossiers : le contenu se lit dans
    l'outil, selon les droits de chacun."""
    seance = _verrouiller(seance, par)
    _exiger_modifiable(seance)
    nombre = seance.points.count()
    if not nombre:
        raise ErreurMetier("L'ordre du jour est vide : composez-le avant de l'envoyer.")
    seance.etat, seance.ordre_du_jour_envoye_le = EtatSeance.ORDRE_DU_JOUR_ENVOYE, timezone.now()
    seance.save(update_fields=["etat", "ordre_du_jour_envoye_le"])
    _auditer(ActionAudit.MODIFICATION, seance, par, seance.departement, etat=seance.etat)
    debut = timezone.localtime(seance.debut)
    notifications.envoyer(
        destinataires=_destinataires(seance, par),
        sujet=f"Ordre du jour : {seance.get_type_display()} du {debut:%d/%m/%Y}",
        texte=(
            f"{par.user} vous invite au {seance.get_type_display().lower()} du "
            f"{debut:%d/%m/%Y à %H:%M}, {seance.lieu}. {nombre} dossier"
            f"{'s' if nombre > 1 else ''} à l'ordre du jour."
        ),
        lien=_lien(seance),
        categorie=CategorieNotification.AUTRE,
        immediat=True,
    )
    return seance


def _destinataires(seance: Seance, par: Membership) -> list[User]:
    return [
        p.membership.user
        for p in seance.participants.filter(membership__isnull=False).select_related(
            "membership__user"
        )
        if p.membership.user_id != par.user_id
    ]


# --- Décisions ----------------------------------------------------------------------------


def _demande_en_attente(point: Point) -> DemandeChangementAxe:
    demande = point.dossier.demandes_changement.filter(statut=StatutDemande.EN_ATTENTE).first()
    if demande is None:
        raise ErreurMetier(
            "Aucune demande de changement d'axe n'attend de décision pour ce dossier."
        )
    return demande


def _appliquer(point: Point, par: Membership, decision: str, d: dict) -> str:
    """Appelle le service du dossier ; renvoie l'orientation décidée (ou "")."""
    dossier, motivation = point.dossier, d["motivation"]
    accord = d.get("accord_personne", False)
    if decision in (TypeDecision.ACCEPTER_CHANGEMENT, TypeDecision.REFUSER_CHANGEMENT):
        accepter = decision == TypeDecision.ACCEPTER_CHANGEMENT
        demande = parcours.decider_changement_axe(
            demande=_demande_en_attente(point),
            accepter=accepter,
            motif=motivation,
            par=par,
            accord_personne=accord,
        )
        return demande.axe_demande if accepter else dossier.axe_courant
    if decision == TypeDecision.ORIENTER:
        axe = d.get("axe")
        if axe not in Axe.values:
            raise ErreurMetier("Choisissez l'axe de l'orientation.")
        parcours.orienter(
            dossier=dossier, axe=axe, par=par, motif=motivation, accord_personne=accord
        )
        return axe
    if decision == TypeDecision.RENOUVELER:
        renouvellement.renouveler(
            dossier=dossier, par=par, motif=motivation, accord_personne=accord
        )
        return dossier.axe_courant
    if decision == TypeDecision.CLOTURER:
        parcours.cloturer(
            dossier=dossier,
            motif_sortie=d.get("motif_sortie") or "",
            par=par,
            commentaire=motivation,
            annuler_en_cours=d.get("annuler_en_cours", False),
        )
        return ""
    if decision == TypeDecision.AFFECTER:
        place, professionnel = d.get("place"), d.get("professionnel")
        if place not in RoleAffectation.values or professionnel is None:
            raise ErreurMetier("Choisissez la place à confier et le professionnel.")
        parcours.affecter(
            dossier=dossier, place=place, professionnel=professionnel, par=par, motif=motivation
        )
        return dossier.axe_courant
    if decision == TypeDecision.AJOURNER:
        return ""
    raise ErreurMetier("Choisissez une décision dans la liste.")


@transaction.atomic
def enregistrer_decision(
    *,
    point: Point,
    par: Membership,
    decision: str,
    motivation: str,
    avis: str = "",
    axe: str = "",
    accord_personne: bool = False,
    motif_sortie: MotifSortie | str = "",
    annuler_en_cours: bool = False,
    place: str = "",
    professionnel: Membership | None = None,
    prochaine_etape: str = "",
    echeance: dt.date | None = None,
    responsable: User | None = None,
) -> Point:
    """Le point et le dossier changent ensemble ou pas du tout (une seule transaction :
    le refus d'un service des dossiers annule aussi le point)."""
    seance, point = _verrouiller_point(point, par)
    if seance.etat == EtatSeance.COMPTE_RENDU_DIFFUSE:
        raise ErreurMetier("Le compte rendu est diffusé : les décisions de la séance sont closes.")
    if point.decide:
        raise ErreurMetier("Ce point a déjà sa décision.")
    if not motivation.strip():
        raise ErreurMetier("La motivation de la décision est obligatoire.")
    if prochaine_etape.strip() and (echeance is None or responsable is None):
        raise ErreurMetier("Une prochaine étape a une échéance et un responsable.")
    donnees = {
        "motivation": motivation.strip(),
        "axe": axe,
        "accord_personne": accord_personne,
        "motif_sortie": motif_sortie,
        "annuler_en_cours": annuler_en_cours,
        "place": place,
        "professionnel": professionnel,
    }
    orientation = _appliquer(point, par, decision, donnees)
    point.decision, point.motivation, point.avis = decision, motivation.strip(), avis.strip()
    point.orientation_decidee = orientation or ""
    point.prochaine_etape, point.echeance = prochaine_etape.strip(), echeance
    point.responsable = responsable if prochaine_etape.strip() else None
    point.decide_par, point.decide_le = par.user, timezone.now()
    point.save()
    _auditer(
        ActionAudit.MODIFICATION,
        point,
        par,
        seance.departement,
        dossier=str(point.dossier.uuid),
        decision=decision,
    )
    if point.responsable_id and point.responsable_id != par.user_id:
        notifications.envoyer(
            destinataires=[point.responsable],
            sujet=f"Comité technique : prochaine étape pour {point.dossier.demandeur}",
            texte=f"{point.prochaine_etape} (échéance le {echeance:%d/%m/%Y}).",
            lien=reverse("dossiers:dossier", args=[point.dossier.uuid]),
            categorie=CategorieNotification.DECISION,
        )
    return point


@transaction.atomic
def diffuser_compte_rendu(*, seance: Seance, par: Membership) -> Seance:
    """La séance tenue, le compte rendu est diffusé aux participants rattachés : chacun le
    télécharge dans l'outil, rendu selon ses droits (besoin d'en connaître)."""
    seance = _verrouiller(seance, par)
    if seance.etat != EtatSeance.TENUE:
        raise ErreurMetier("Notez d'abord les présences : le compte rendu suit la séance tenue.")
    seance.etat, seance.compte_rendu_diffuse_le = EtatSeance.COMPTE_RENDU_DIFFUSE, timezone.now()
    seance.save(update_fields=["etat", "compte_rendu_diffuse_le"])
    _auditer(ActionAudit.MODIFICATION, seance, par, seance.departement, etat=seance.etat)
    debut = timezone.localtime(seance.debut)
    notifications.envoyer(
        destinataires=_destinataires(seance, par),
        sujet=f"Compte rendu : {seance.get_type_display()} du {debut:%d/%m/%Y}",
        texte="Le compte rendu de la séance est disponible (PDF) dans l'outil.",
        lien=reverse("comites:compte_rendu", args=[seance.uuid]),
        categorie=CategorieNotification.DECISION,
        immediat=True,
    )
    return seance


# --- Signalement « à présenter en comité » ----------------------------------------------------


@transaction.atomic
def signaler(
    *,
    dossier: Dossier,
    par: Membership,
    motif: str,
    raison: str,
    reserve_social: bool = False,
) -> Signalement:
    exiger_droit(
        perms.peut_signaler(par, dossier), "Vous ne pouvez pas signaler ce dossier au comité."
    )
    if motif not in MotifSignalement.values:
        raise ErreurMetier("Choisissez le motif du signalement.")
    if not raison.strip():
        raise ErreurMetier("La raison est obligatoire : dites ce que le comité doit examiner.")
    if Signalement.objects.filter(dossier=dossier, points__isnull=True).exists():
        raise ErreurMetier("Ce dossier est déjà signalé : il attend la prochaine séance.")
    signalement = Signalement.objects.create(
        dossier=dossier,
        motif=motif,
        raison=raison.strip(),
        reserve_social=reserve_social,
        signale_par=par.user,
    )
    _auditer(ActionAudit.CREATION, signalement, par, dossier.departement, dossier=str(dossier.uuid))
    return signalement
