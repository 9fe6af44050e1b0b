"""Services du suivi d'un dossier en accompagnement : plan d'action (objectifs, actions),
notes, rendez-vous, documents, aides. Toutes les écritures passent ici : arguments nommés,
acteur explicite (le rattachement sous lequel il travaille), transaction, droits vérifiés
par dossiers.perms, audit, journal du dossier ; un refus lève ErreurMetier avec un message
montré tel quel. Voir docs/suivi-parcours.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.exceptions import AccesRefuse, ConflitEdition, ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, CategorieNotification, Membership, User
from dossiers.journal import Modification, modification_du_dossier
from dossiers.models import (
    DOMAINES_OBJECTIF,
    STATUTS_ACTION_TERMINES,
    TRANSITIONS_ACTION,
    TRANSITIONS_PRESENCE,
    Action,
    CotePorteur,
    Dossier,
    Note,
    Objectif,
    Presence,
    RendezVous,
    RoleAffectation,
    StatutAction,
    TypeEvenement,
    TypeRendezVous,
    Visibilite,
    VisibiliteNote,
)
from dossiers.parcours.services import date_d_evenement
from dossiers.suivi import perms

LONGUEUR_MAX_NOTE = 5000
PLACES_EMPLOI = {RoleAffectation.CONSEILLER, RoleAffectation.CONSEILLER_DEDIE}
PLACES_SOCIALES = {RoleAffectation.TRAVAILLEUR_SOCIAL, RoleAffectation.REFERENT_SOCIAL}


# --- Outils communs ------------------------------------------------------------------------


@contextmanager
def _pour_ecrire(
    dossier: Dossier,
    par: Membership,
    *,
    droit=perms.peut_ecrire_suivi,
    clos: str = "Ce dossier est clos : son suivi se consulte mais ne se modifie plus.",
    refus: str = "Vous n'avez pas la main sur le suivi de ce dossier.",
) -> Iterator[Modification]:
    """Une écriture du suivi : la modification du dossier (verrou, activité, audit,
    journal), sur un dossier ouvert, par qui en a le droit."""
    with modification_du_dossier(dossier, par) as m:
        if m.dossier.est_clos:
            raise ErreurMetier(clos)
        exiger_droit(droit(par, m.dossier), refus)
        yield m


def _places_ouvertes(dossier: Dossier) -> dict[int, set[str]]:
    """{professionnel: places ouvertes} sur le dossier."""
    places: dict[int, set[str]] = {}
    for user_id, role in dossier.affectations.ouvertes().values_list("professionnel_id", "role"):
        places.setdefault(user_id, set()).add(role)
    return places


def _majuscule(texte: str) -> str:
    """Majuscule initiale sans toucher au reste (str.capitalize() met le reste en minuscules)."""
    return texte[:1].upper() + texte[1:]


def _lien(nom: str, dossier: Dossier) -> str:
    return reverse(f"dossiers:{nom}", args=[dossier.uuid])


# --- Plan d'action -------------------------------------------------------------------------


def _libelle_domaine(domaine: str) -> str:
    """« Famille (garde d'enfant, aidant, parentalité) » → « famille »."""
    return dict(DOMAINES_OBJECTIF)[domaine].split(" (")[0].lower()


@transaction.atomic
def ajouter_objectif(*, dossier: Dossier, par: Membership, domaine: str, intitule: str) -> Objectif:
    with _pour_ecrire(dossier, par) as m:
        dossier = m.dossier
        if domaine not in dict(DOMAINES_OBJECTIF):
            raise ErreurMetier(
                "Choisissez le domaine de l'objectif : l'emploi ou un domaine de frein."
            )
        intitule = intitule.strip()
        if not intitule:
            raise ErreurMetier("Formulez l'objectif en quelques mots.")
        objectif = Objectif.objects.create(
            dossier=dossier, domaine=domaine, intitule=intitule[:300], cree_par=par.user
        )
        m.auditer(ActionAudit.CREATION, objectif, domaine=domaine)
        # Domaine sensible (santé) : le journal, lu par tout le binôme, ne reprend pas l'intitulé.
        detail = "" if objectif.sensible else f" : {objectif.intitule}"
        m.journaliser(
            type=TypeEvenement.ACTION,
            resume=f"Objectif ajouté au plan d'action (domaine {_libelle_domaine(domaine)}){detail} — par {par.user}",
            objet=objectif,
        )
    return objectif


def _verifier_action(dossier: Dossier, champs: dict) -> None:
    if not champs["intitule"].strip():
        raise ErreurMetier("Décrivez l'action en quelques mots.")
    if champs["cote"] not in CotePorteur.values:
        raise ErreurMetier("Choisissez le côté qui porte l'action : emploi ou social.")
    debut, fin = champs["date_debut"], champs["date_fin_prevue"]
    date_d_evenement(debut, dossier, "Le début de l'action", futur=True)
    if fin < debut:
        raise ErreurMetier("La fin prévue ne peut pas précéder le début de l'action.")
    responsable = champs["responsable"]
    if responsable is None or responsable.pk not in _places_ouvertes(dossier):
        raise ErreurMetier(
            f"{responsable or 'Ce professionnel'} ne suit pas ce dossier : le responsable est "
            "un professionnel affecté au dossier."
        )
    ressource = champs.get("ressource")
    if ressource is not None and ressource.departement_id != dossier.departement_id:
        raise ErreurMetier("Cette ressource n'appartient pas à la base du département.")


def _de(complement: str) -> str:
    """« de » élidé : « Ajout d'une action », « Ajout de l'action « … » »."""
    return f"d'{complement}" if complement.startswith("une ") else f"de {complement}"


def _resume_action(action: Action, objectif: Objectif) -> str:
    """Le journal ne reprend pas l'intitulé d'une action d'un domaine sensible."""
    if objectif.sensible:
        return f"une action (domaine {_libelle_domaine(objectif.domaine)})"
    return f"l'action « {action.intitule} »"


@transaction.atomic
def ajouter_action(
    *,
    objectif: Objectif,
    par: Membership,
    intitule: str,
    cote: CotePorteur,
    responsable: User,
    date_debut: dt.date,
    date_fin_prevue: dt.date,
    ressource=None,
    commentaire: str = "",
    sollicitation=None,
) -> Action:
    with _pour_ecrire(objectif.dossier, par) as m:
        dossier = m.dossier
        if sollicitation is not None and sollicitation.dossier_id != dossier.pk:
            raise ErreurMetier("La sollicitation liée doit appartenir au même dossier.")
        objectif = Objectif.objects.get(pk=objectif.pk, dossier=dossier)
        champs = {
            "intitule": intitule,
            "cote": cote,
            "responsable": responsable,
            "date_debut": date_debut,
            "date_fin_prevue": date_fin_prevue,
            "ressource": ressource,
        }
        _verifier_action(dossier, champs)
        action = Action.objects.create(
            dossier=dossier,
            objectif=objectif,
            intitule=intitule.strip()[:300],
            cote=cote,
            responsable=responsable,
            date_debut=date_debut,
            date_fin_prevue=date_fin_prevue,
            ressource=ressource or (sollicitation.service if sollicitation is not None else None),
            sollicitation=sollicitation,
            commentaire=commentaire.strip()[:500],
            cree_par=par.user,
        )
        m.auditer(ActionAudit.CREATION, action, objectif=str(objectif.uuid), cote=cote)
        m.journaliser(
            type=TypeEvenement.ACTION,
            resume=(
                f"Ajout {_de(_resume_action(action, objectif))} (côté {CotePorteur(cote).label.lower()}, "
                f"responsable {responsable}, fin prévue le {date_fin_prevue:%d/%m/%Y}) — par {par.user}"
            ),
            objet=action,
        )
        if responsable.pk != par.user_id:
            notifications.envoyer(
                destinataires=[responsable],
                sujet=f"Une action du plan vous est confiée : {dossier.demandeur}",
                texte=(
                    f"{par.user} vous confie {_resume_action(action, objectif)} dans le plan "
                    f"d'action de {dossier.demandeur} (fin prévue le {date_fin_prevue:%d/%m/%Y})."
                ),
                lien=_lien("suivi_plan", dossier),
                categorie=CategorieNotification.ACTION,
            )
    return action


def _relire_action(action: Action, dossier: Dossier, version: int) -> Action:
    action = Action.objects.select_related("objectif").get(pk=action.pk, dossier=dossier)
    if int(version) != action.version:
        raise ConflitEdition(
            "Cette action a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a "
            "été écrasé. Rechargez la page pour voir sa version, puis reportez vos modifications."
        )
    return action


def _mettre_a_jour(action: Action, version: int, **champs) -> Action:
    """Mise à jour conditionnelle sur la version lue : la seconde de deux modifications
    simultanées ne trouve plus sa version et est refusée, rien n'est écrasé."""
    faite = Action.objects.filter(pk=action.pk, version=version).update(
        version=F("version") + 1, modifie_le=timezone.now(), **champs
    )
    if not faite:
        raise ConflitEdition(
            "Cette action a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a "
            "été écrasé. Rechargez la page pour voir sa version, puis reportez vos modifications."
        )
    action.refresh_from_db()
    return action


CHAMPS_MODIFIABLES = (
    "intitule",
    "cote",
    "responsable",
    "date_debut",
    "date_fin_prevue",
    "ressource",
    "commentaire",
)


@transaction.atomic
def modifier_action(*, action: Action, par: Membership, version: int, **champs) -> Action:
    """Modifie une action en cours de vie (pas son statut : voir changer_statut_action)."""
    inconnus = set(champs) - set(CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValueError(f"Champs non modifiables : {', '.join(sorted(inconnus))}")
    with _pour_ecrire(action.dossier, par) as m:
        dossier = m.dossier
        action = _relire_action(action, dossier, version)
        if action.terminee:
            raise ErreurMetier(
                f"Cette action est {action.get_statut_display().lower()} : elle ne se modifie plus."
            )
        complets = {nom: champs.get(nom, getattr(action, nom)) for nom in CHAMPS_MODIFIABLES}
        _verifier_action(dossier, complets)
        complets["intitule"] = complets["intitule"].strip()[:300]
        complets["commentaire"] = (complets["commentaire"] or "").strip()[:500]
        action = _mettre_a_jour(action, version, **complets)
        m.auditer(ActionAudit.MODIFICATION, action, champs=sorted(champs))
        m.journaliser(
            type=TypeEvenement.ACTION,
            resume=f"Modification {_de(_resume_action(action, action.objectif))} — par {par.user}",
            objet=action,
        )
    return action


@transaction.atomic
def changer_statut_action(
    *,
    action: Action,
    par: Membership,
    statut: StatutAction,
    version: int,
    date: dt.date | None = None,
    commentaire: str = "",
) -> Action:
    """Transition explicite (TRANSITIONS_ACTION) ; une action terminée est datée."""
    with _pour_ecrire(action.dossier, par) as m:
        dossier = m.dossier
        action = _relire_action(action, dossier, version)
        if statut not in TRANSITIONS_ACTION[StatutAction(action.statut)]:
            raise ErreurMetier(
                f"Impossible de passer l'action de « {action.get_statut_display()} » à "
                f"« {StatutAction(statut).label} »."
            )
        champs = {"statut": statut}
        if statut in STATUTS_ACTION_TERMINES:
            fin = date_d_evenement(date, dossier, "La date de fin de l'action")
            if fin < action.date_debut:
                raise ErreurMetier("L'action ne peut pas se terminer avant d'avoir commencé.")
            champs["date_fin_reelle"] = fin
        if commentaire.strip():
            champs["commentaire"] = commentaire.strip()[:500]
        ancien = action.get_statut_display().lower()
        action = _mettre_a_jour(action, version, **champs)
        m.auditer(ActionAudit.MODIFICATION, action, statut=statut)
        m.journaliser(
            type=TypeEvenement.ACTION,
            date=champs.get("date_fin_reelle"),
            resume=(
                f"{_majuscule(_resume_action(action, action.objectif))} passe de « {ancien} » à "
                f"« {action.get_statut_display().lower()} » — par {par.user}"
            ),
            objet=action,
        )
    return action


# --- Notes ---------------------------------------------------------------------------------


@transaction.atomic
def ajouter_note(
    *, dossier: Dossier, par: Membership, texte: str, visibilite: VisibiliteNote
) -> Note:
    """Journal : une note partagée y laisse « note ajoutée » (partagé), une note sociale
    « note sociale ajoutée » (visibilité sociale) ; une note privée n'y laisse rien, le
    journal étant lu par tout le binôme (l'audit, lui, trace la création)."""
    with _pour_ecrire(
        dossier,
        par,
        droit=perms.peut_ajouter_note,
        clos="Ce dossier est clos : on n'y ajoute plus de note.",
        refus="Vous ne pouvez pas écrire dans ce dossier.",
    ) as m:
        dossier = m.dossier
        if visibilite not in VisibiliteNote.values:
            raise ErreurMetier("Choisissez qui pourra lire la note.")
        if visibilite not in perms.visibilites_note_permises(par):
            raise AccesRefuse("Seuls les professionnels du côté social écrivent une note sociale.")
        texte = texte.strip()
        if not texte:
            raise ErreurMetier("La note est vide.")
        if len(texte) > LONGUEUR_MAX_NOTE:
            raise ErreurMetier(f"Une note compte au plus {LONGUEUR_MAX_NOTE} caractères.")
        note = Note.objects.create(
            dossier=dossier, auteur=par.user, visibilite=visibilite, texte=texte
        )
        m.auditer(ActionAudit.CREATION, note, visibilite=visibilite)
        if visibilite == VisibiliteNote.PARTAGEE:
            m.journaliser(TypeEvenement.NOTE, f"Note ajoutée par {par.user}", objet=note)
        elif visibilite == VisibiliteNote.SOCIALE:
            m.journaliser(
                TypeEvenement.NOTE,
                f"Note sociale ajoutée par {par.user}",
                objet=note,
                visibilite=Visibilite.SOCIALE,
            )
    return note


# --- Rendez-vous ---------------------------------------------------------------------------


def _type_court(type: str) -> str:
    """« Tripartite (la personne et le binôme) » → « tripartite »."""
    return TypeRendezVous(type).label.split(" (")[0].lower()


def _a_la_minute(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y à %H:%M}"


@transaction.atomic
def planifier_rendez_vous(
    *,
    dossier: Dossier,
    par: Membership,
    debut: dt.datetime,
    type: TypeRendezVous,
    participants: list[User],
    lieu: str = "",
    objet: str = "",
) -> RendezVous:
    """Un rendez-vous à venir, ou passé (saisi après coup : la présence se note ensuite)."""
    with _pour_ecrire(dossier, par) as m:
        dossier = m.dossier
        if type not in TypeRendezVous.values:
            raise ErreurMetier("Choisissez le type de rendez-vous.")
        if debut is None or timezone.is_naive(debut):
            raise ErreurMetier("Indiquez la date et l'heure du rendez-vous.")
        date_d_evenement(timezone.localdate(debut), dossier, "Le rendez-vous", futur=True)
        participants = list({u.pk: u for u in participants}.values())
        if not participants:
            raise ErreurMetier("Choisissez au moins un professionnel participant.")
        places = _places_ouvertes(dossier)
        etrangers = [str(u) for u in participants if u.pk not in places]
        if etrangers:
            raise ErreurMetier(
                f"Ne suivent pas ce dossier : {', '.join(etrangers)}. Les participants sont des "
                "professionnels affectés au dossier."
            )
        if type == TypeRendezVous.TRIPARTITE:
            tenues = set().union(*(places[u.pk] for u in participants))
            if not (tenues & PLACES_EMPLOI and tenues & PLACES_SOCIALES):
                raise ErreurMetier(
                    "Un rendez-vous tripartite réunit la personne et le binôme : choisissez le "
                    "conseiller et le travailleur social."
                )
        rendez_vous = RendezVous.objects.create(
            dossier=dossier,
            debut=debut,
            type=type,
            lieu=lieu.strip()[:200],
            objet=objet.strip()[:300],
            cree_par=par.user,
        )
        rendez_vous.participants.set(participants)
        m.auditer(ActionAudit.CREATION, rendez_vous, debut=debut.isoformat(), type=type)
        m.journaliser(
            type=TypeEvenement.RENDEZ_VOUS,
            resume=(
                f"Rendez-vous du {_a_la_minute(debut)} ({_type_court(type)}) planifié par {par.user}"
            ),
            objet=rendez_vous,
        )
        notifications.envoyer(
            destinataires=[u for u in participants if u.pk != par.user_id],
            sujet=f"Rendez-vous le {_a_la_minute(debut)} : {dossier.demandeur}",
            texte=(
                f"{par.user} a planifié un rendez-vous ({_type_court(type)}) avec "
                f"{dossier.demandeur} le {_a_la_minute(debut)}{f', {rendez_vous.lieu}' if rendez_vous.lieu else ''}."
            ),
            lien=_lien("suivi_rendez_vous", dossier),
        )
    return rendez_vous


@transaction.atomic
def noter_presence(*, rendez_vous: RendezVous, par: Membership, presence: Presence) -> RendezVous:
    with _pour_ecrire(rendez_vous.dossier, par) as m:
        dossier = m.dossier
        rendez_vous = RendezVous.objects.select_for_update().get(pk=rendez_vous.pk, dossier=dossier)
        if presence not in TRANSITIONS_PRESENCE[Presence(rendez_vous.presence)]:
            raise ErreurMetier(
                f"La présence est déjà « {rendez_vous.get_presence_display().lower()} »"
                if presence == rendez_vous.presence
                else f"Impossible de revenir à « {Presence(presence).label.lower()} »."
            )
        if presence in (Presence.PRESENT, Presence.ABSENT) and rendez_vous.debut > timezone.now():
            raise ErreurMetier(
                "Ce rendez-vous n'a pas encore eu lieu : seule une absence excusée se note à l'avance."
            )
        rendez_vous.presence = presence
        rendez_vous.presence_notee_par = par.user
        rendez_vous.presence_notee_le = timezone.now()
        rendez_vous.save(update_fields=["presence", "presence_notee_par", "presence_notee_le"])
        m.auditer(ActionAudit.MODIFICATION, rendez_vous, presence=presence)
        m.journaliser(
            type=TypeEvenement.RENDEZ_VOUS,
            date=min(timezone.localdate(rendez_vous.debut), timezone.localdate()),
            resume=(
                f"Rendez-vous du {_a_la_minute(rendez_vous.debut)} : personne "
                f"{Presence(presence).label.lower()} (noté par {par.user})"
            ),
            objet=rendez_vous,
        )
    return rendez_vous


def realiser_actions_liees(m: Modification, *, sollicitation) -> int:
    """Une sollicitation réalisée réalise les actions du plan qui y sont liées (appelé par
    le service des sollicitations, dans sa modification du dossier)."""
    aujourd_hui = timezone.localdate()
    nombre = 0
    for action in sollicitation.actions_du_plan.exclude(
        statut__in=STATUTS_ACTION_TERMINES
    ).select_related("objectif"):
        _mettre_a_jour(
            action,
            action.version,
            statut=StatutAction.REALISEE,
            date_fin_reelle=max(aujourd_hui, action.date_debut),
        )
        m.journaliser(
            TypeEvenement.ACTION,
            f"{_majuscule(_resume_action(action, action.objectif))} réalisée avec la sollicitation — par {m.auteur}",
            objet=action,
        )
        nombre += 1
    return nombre
