"""Files de travail de la page « Aujourd'hui » : pour chaque rôle, ce qui attend une
action, chaque élément menant là où l'on agit. Une file = une fonction qui renvoie un
queryset déjà restreint au lecteur, et une fonction qui fait une ligne d'un objet (sans
requête) ; lister une file coûte une requête quel que soit son volume, et les comptes des
files d'un rôle une requête pour toutes.

Ici (couche `reporting`) parce que certaines files lisent le diagnostic partagé ; les
files des prescriptions viennent de `dossiers.prescriptions.lectures`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Membership, Role
from accompagnement.pagination_bornee import nombre_lisible
from diagnostics.models import Diagnostic
from dossiers.models import (
    Action,
    Affectation,
    Axe,
    DemandeChangementAxe,
    Dossier,
    PeriodeOrientation,
    Prescription,
    RendezVous,
    RoleAffectation,
    Sollicitation,
    StatutDemande,
    StatutDossier,
    StatutSollicitation,
)
from dossiers.parcours.renouvellement import periodes_a_renouveler
from dossiers.prescriptions import lectures as prescriptions
from dossiers.prescriptions import perms as perms_prescriptions
from dossiers.sollicitations import perms as perms_sollicitations
from dossiers.sollicitations.lectures import file_a_traiter
from dossiers.suivi import perms as perms_suivi

ECHEANCE_PROCHE = dt.timedelta(days=7)  # une action « à échéance » : dans les 7 jours
JOURS_INACTIVITE = 30
JOURS_RECENTS = 30
PLACES_EMPLOI = (RoleAffectation.CONSEILLER, RoleAffectation.CONSEILLER_DEDIE)
PLACES_SOCIALES = (RoleAffectation.TRAVAILLEUR_SOCIAL, RoleAffectation.REFERENT_SOCIAL)


@dataclass
class Ligne:
    titre: str  # la personne
    detail: str
    date: dt.date | None
    url: str
    alerte: str = ""  # courte mention mise en évidence (« en retard »)


@dataclass(frozen=True)
class File:
    cle: str
    titre: str
    vide: str  # état vide : ce qu'il y a à faire
    requete: Callable[[Membership], QuerySet]
    ligne: Callable[[Membership, object], Ligne]
    recherche: str  # chemin vers le nom de la personne, pour filtrer la liste
    # Compter dans l'ordre du tri (voir `compter`) : pour les files dont le tri suit un
    # index partiel et dont le compte, sans tri, prend un plan par hachage.
    compte_trie: bool = False


def _aujourdhui() -> dt.date:
    return timezone.localdate()


def _fiche(dossier) -> str:
    return reverse("dossiers:dossier", args=[dossier.uuid])


def _places_ouvertes(membership: Membership, places=None, champ: str = "dossier"):
    """Condition « le lecteur tient une place ouverte dans le dossier »."""
    sous = Affectation.objects.filter(
        dossier=OuterRef(champ), professionnel=membership.user, date_fin__isnull=True
    )
    if places:
        sous = sous.filter(role__in=places)
    return Exists(sous)


# --- Prescriptions ----------------------------------------------------------------------


def _ligne_prescription(membership, p: Prescription) -> Ligne:
    freins = ", ".join(perms_prescriptions.freins_lisibles(membership, p))
    detail = f"{p.get_axe_display()} — demandée par {p.prescripteur} ({p.structure})"
    if freins:
        detail += f" ; freins pressentis : {freins}"
    return Ligne(
        titre=str(p.dossier.demandeur),
        detail=detail,
        date=p.prescrite_le,
        url=reverse("dossiers:prescription", args=[p.uuid]),
        alerte=f"depuis {p.anciennete_jours} jours" if p.en_retard else "",
    )


def _ligne_reponse(membership, p: Prescription) -> Ligne:
    if p.statut == "refusee":
        detail = f"Refusée par {p.refuse_par} : {p.motif_refus}"
    elif p.statut == "terminee":
        detail = f"Décision conjointe : {p.get_axe_decide_display()}"
    else:
        etapes = []
        if p.pris_le:
            etapes.append(f"prise par {p.pris_par}")
        if p.designe_le:
            etapes.append(f"travail social confié à {p.travailleur_social}")
        detail = "Prise en charge : " + ", ".join(etapes)
    return Ligne(
        titre=str(p.dossier.demandeur),
        detail=f"{p.get_axe_display()} — {detail}",
        date=timezone.localdate(p.repondue_le),
        url=reverse("dossiers:prescription", args=[p.uuid]),
    )


def _prescriptions(fonction, tri="-prescrite_le"):
    return lambda m: prescriptions.pour_affichage(fonction(m)).order_by(tri, "-pk")


# --- Suivi : actions, rendez-vous, renouvellements --------------------------------------


def _actions_a_echeance(membership: Membership) -> QuerySet:
    """Actions pas terminées dont la fin prévue est passée ou dans les 7 jours, dans les
    dossiers ouverts où le lecteur tient une place."""
    return (
        Action.objects.non_terminees()
        .filter(date_fin_prevue__lte=_aujourdhui() + ECHEANCE_PROCHE)
        .exclude(dossier__statut=StatutDossier.CLOS)
        .filter(_places_ouvertes(membership))
        .select_related("dossier__demandeur", "objectif", "responsable")
        .order_by("-date_fin_prevue", "-pk")
    )


def _actions_en_retard(membership: Membership) -> QuerySet:
    return (
        Action.objects.en_retard()
        .filter(dossier__departement_id=membership.structure.departement_id)
        .exclude(dossier__statut=StatutDossier.CLOS)
        .select_related("dossier__demandeur", "objectif", "responsable")
        .order_by("-date_fin_prevue", "-pk")
    )


def _ligne_action(membership, a: Action) -> Ligne:
    lisible = perms_suivi.peut_lire_detail_objectif(membership, a.objectif)
    intitule = a.intitule if lisible else "Action (détail réservé au côté social)"
    return Ligne(
        titre=str(a.dossier.demandeur),
        detail=f"{intitule} — {a.get_cote_display().lower()}, {a.responsable}",
        date=a.date_fin_prevue,
        url=reverse("dossiers:suivi_plan", args=[a.dossier.uuid]),
        alerte="en retard" if a.date_fin_prevue < _aujourdhui() else "",
    )


def _rendez_vous_du_jour(membership: Membership) -> QuerySet:
    # La journée locale en plage d'instants (`debut__date` convertissait chaque rendez-vous
    # du professionnel) : lue dans l'index des débuts (décision 95).
    debut = timezone.make_aware(dt.datetime.combine(_aujourdhui(), dt.time.min))
    return (
        RendezVous.objects.filter(
            participants=membership.user,
            debut__gte=debut,
            debut__lt=timezone.make_aware(
                dt.datetime.combine(_aujourdhui() + dt.timedelta(days=1), dt.time.min)
            ),
            dossier__departement_id=membership.structure.departement_id,
        )
        .exclude(dossier__statut=StatutDossier.CLOS)
        .select_related("dossier__demandeur")
        .order_by("-debut", "-pk")
    )


def _ligne_rendez_vous(membership, r: RendezVous) -> Ligne:
    heure = timezone.localtime(r.debut)
    detail = f"{heure:%H:%M} — {r.get_type_display()}"
    if r.lieu:
        detail += f", {r.lieu}"
    return Ligne(
        titre=str(r.dossier.demandeur),
        detail=detail,
        date=heure.date(),
        url=reverse("dossiers:suivi_rendez_vous", args=[r.dossier.uuid]),
    )


def _renouvellements(membership: Membership) -> QuerySet:
    qs = periodes_a_renouveler(_aujourdhui()).filter(
        dossier__departement_id=membership.structure.departement_id
    )
    if membership.role != Role.ANIMATRICE:
        qs = qs.filter(_places_ouvertes(membership))
    return qs.select_related("dossier__demandeur").order_by("-date_debut", "-pk")


def _ligne_renouvellement(membership, p: PeriodeOrientation) -> Ligne:
    return Ligne(
        titre=str(p.dossier.demandeur),
        detail=f"{p.get_axe_display()} depuis le {p.date_debut:%d/%m/%Y} : renouveler ou sortir",
        date=p.date_debut,
        url=reverse(
            "dossiers:renouveler" if membership.role != Role.ANIMATRICE else "dossiers:dossier",
            args=[p.dossier.uuid],
        ),
    )


# --- Diagnostics ------------------------------------------------------------------------


def _diagnostics_en_attente(volet: str, places) -> Callable[[Membership], QuerySet]:
    def requete(membership: Membership) -> QuerySet:
        return (
            Diagnostic.objects.filter(**{f"{volet}_valide_le__isnull": True})
            .exclude(dossier__statut=StatutDossier.CLOS)
            .filter(_places_ouvertes(membership, places))
            .select_related("dossier__demandeur")
            .order_by("-cree_le", "-pk")
        )

    return requete


def _ligne_diagnostic(volet: str):
    def ligne(membership, d: Diagnostic) -> Ligne:
        autre = d.social_valide if volet == "emploi" else d.emploi_valide
        return Ligne(
            titre=str(d.dossier.demandeur),
            detail=f"Diagnostic v{d.numero} : volet {volet} à remplir et valider"
            + (" (l'autre volet est validé)" if autre else ""),
            date=timezone.localdate(d.cree_le),
            url=reverse("diagnostics:diagnostic", args=[d.uuid]),
        )

    return ligne


# --- Désignations (travailleur social) --------------------------------------------------


def _designations(membership: Membership) -> QuerySet:
    return (
        Affectation.objects.ouvertes()
        .filter(
            professionnel=membership.user,
            role__in=PLACES_SOCIALES,
            date_debut__gte=_aujourdhui() - dt.timedelta(days=JOURS_RECENTS),
        )
        .exclude(dossier__statut=StatutDossier.CLOS)
        .select_related("dossier__demandeur", "affecte_par")
        .order_by("-date_debut", "-pk")
    )


def _ligne_designation(membership, a: Affectation) -> Ligne:
    return Ligne(
        titre=str(a.dossier.demandeur),
        detail=f"{a.get_role_display()} — confié par {a.affecte_par}",
        date=a.date_debut,
        url=_fiche(a.dossier),
    )


# --- Sollicitations ---------------------------------------------------------------------


def _service_lisible(membership: Membership, s: Sollicitation) -> str:
    """Le service d'une sollicitation d'un domaine sensible ne se lit que côté social."""
    if perms_sollicitations.peut_lire_besoin(membership, s):
        return s.service.nom
    return "Ressource d'un domaine réservé au côté social"


def _sollicitations_repondues(membership: Membership) -> QuerySet:
    depuis = timezone.now() - dt.timedelta(days=JOURS_RECENTS)
    return (
        Sollicitation.objects.visibles_par(membership)
        .filter(auteur=membership.user)
        .filter(Q(acceptee_le__gte=depuis) | Q(refusee_le__gte=depuis))
        .pour_affichage()
        .order_by(Coalesce("acceptee_le", "refusee_le").desc(), "-pk")
    )


def _ligne_sollicitation_repondue(membership, s: Sollicitation) -> Ligne:
    return Ligne(
        titre=str(s.dossier.demandeur),
        detail=f"{_service_lisible(membership, s)} : {s.get_statut_display().lower()}"
        + (f" — {s.motif_refus}" if s.motif_refus else ""),
        date=timezone.localdate(s.date_reponse) if s.date_reponse else None,
        url=_fiche(s.dossier) + "#titre-sollicitations",
    )


def _sollicitations_a_traiter(membership: Membership) -> QuerySet:
    return file_a_traiter(membership).en_attente().pour_affichage().order_by("-envoyee_le", "-pk")


def _ligne_sollicitation(membership, s: Sollicitation) -> Ligne:
    return Ligne(
        titre=str(s.dossier.demandeur),
        detail=f"{_service_lisible(membership, s)} — {s.get_statut_display().lower()}, "
        f"par {s.auteur}",
        date=timezone.localdate(s.envoyee_le) if s.envoyee_le else None,
        url=reverse("dossiers:sollicitations_a_traiter") + f"?statut={s.statut}",
        alerte="bientôt expirée"
        if s.echeance and s.echeance < timezone.now() + dt.timedelta(days=3)
        else "",
    )


# --- Coordination (animatrice) ----------------------------------------------------------


def _dossiers(membership: Membership) -> QuerySet:
    return Dossier.objects.visibles_par(membership).select_related("demandeur", "agence")


def _a_orienter(membership: Membership) -> QuerySet:
    return (
        _dossiers(membership)
        .filter(statut=StatutDossier.A_ORIENTER)
        .order_by("-date_orientation", "-pk")
    )


def _ligne_a_orienter(membership, d: Dossier) -> Ligne:
    return Ligne(
        titre=str(d.demandeur),
        detail=f"À orienter — {d.agence or 'agence inconnue'}",
        date=d.date_orientation,
        url=_fiche(d),
    )


def _sans_binome(membership: Membership) -> QuerySet:
    return (
        _dossiers(membership)
        .sans_binome()
        .filter(axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL)
        .order_by("-date_entree", "-pk")
    )


def _ligne_sans_binome(membership, d: Dossier) -> Ligne:
    return Ligne(
        titre=str(d.demandeur),
        detail="Axe 2 sans binôme complet : affectez le conseiller dédié ou le travailleur social",
        date=d.date_entree,
        url=reverse("dossiers:affecter", args=[d.uuid]),
    )


def _changements_axe(membership: Membership) -> QuerySet:
    return (
        DemandeChangementAxe.objects.filter(
            statut=StatutDemande.EN_ATTENTE,
            dossier__in=Dossier.objects.visibles_par(membership).ouverts(),
        )
        .select_related("dossier__demandeur", "demande_par")
        .order_by("-demande_le", "-pk")
    )


def _ligne_changement(membership, d: DemandeChangementAxe) -> Ligne:
    return Ligne(
        titre=str(d.dossier.demandeur),
        detail=f"Vers {d.get_axe_demande_display()} — demandé par {d.demande_par}",
        date=timezone.localdate(d.demande_le),
        url=reverse("dossiers:decider_changement", args=[d.dossier.uuid, d.uuid]),
    )


def _inactifs(membership: Membership) -> QuerySet:
    return (
        _dossiers(membership)
        .ouverts()
        .inactifs_depuis(JOURS_INACTIVITE)
        .order_by("-derniere_activite", "-pk")
    )


def _ligne_inactif(membership, d: Dossier) -> Ligne:
    jours = (_aujourdhui() - timezone.localdate(d.derniere_activite)).days
    return Ligne(
        titre=str(d.demandeur),
        detail=f"{d.get_statut_display()} — aucune activité depuis {jours} jours",
        date=timezone.localdate(d.derniere_activite),
        url=_fiche(d),
    )


def _sollicitations_sans_reponse(membership: Membership) -> QuerySet:
    return (
        Sollicitation.objects.visibles_par(membership)
        .filter(statut__in=(StatutSollicitation.ENVOYEE, StatutSollicitation.A_L_ETUDE))
        .pour_affichage()
        .order_by("-envoyee_le", "-pk")
    )


# --- Les files --------------------------------------------------------------------------

DEMANDEUR = "dossier__demandeur__texte_recherche"

FILES: dict[str, File] = {
    f.cle: f
    for f in (
        File(
            "prescriptions_a_prendre",
            "Demandes d'entrée à prendre",
            "Aucune demande d'entrée en accompagnement global n'attend dans votre agence. "
            "Quand un collègue propose une personne, elle apparaît ici : prenez le dossier "
            "pour en devenir le référent.",
            _prescriptions(prescriptions.a_prendre),
            _ligne_prescription,
            DEMANDEUR,
        ),
        File(
            "prescriptions_a_designer",
            "Travailleurs sociaux à désigner",
            "Aucune demande d'accompagnement global n'attend de travailleur social sur votre "
            "territoire.",
            _prescriptions(prescriptions.a_designer),
            _ligne_prescription,
            DEMANDEUR,
        ),
        File(
            "reorientations",
            "Réorientations vers le Département (axe 3)",
            "Aucune réorientation vers le suivi social exclusif n'attend de référent social.",
            _prescriptions(prescriptions.reorientations),
            _ligne_prescription,
            DEMANDEUR,
        ),
        File(
            "prescriptions_en_retard",
            "Demandes d'entrée de plus de 21 jours",
            "Toutes les demandes d'entrée en cours ont moins de 21 jours : l'objectif est tenu.",
            _prescriptions(prescriptions.en_retard),
            _ligne_prescription,
            DEMANDEUR,
        ),
        File(
            "prescriptions_repondues",
            "Réponses à vos demandes d'entrée",
            "Aucune réponse ces 30 derniers jours. Pour proposer une personne, ouvrez sa "
            "fiche : « Proposer pour l'accompagnement global ou le suivi social ».",
            _prescriptions(prescriptions.repondues, tri="-repondue_le"),
            _ligne_reponse,
            DEMANDEUR,
        ),
        File(
            "diagnostics_emploi",
            "Diagnostics : volet emploi à faire",
            "Aucun diagnostic n'attend votre volet emploi. Après la prise d'un dossier, "
            "démarrez le diagnostic partagé depuis sa fiche.",
            _diagnostics_en_attente("emploi", PLACES_EMPLOI),
            _ligne_diagnostic("emploi"),
            DEMANDEUR,
        ),
        File(
            "diagnostics_social",
            "Diagnostics : volet social à faire",
            "Aucun diagnostic n'attend votre volet social.",
            _diagnostics_en_attente("social", PLACES_SOCIALES),
            _ligne_diagnostic("social"),
            DEMANDEUR,
        ),
        File(
            "designations",
            "Nouveaux dossiers confiés",
            "Aucun dossier ne vous a été confié ces 30 derniers jours. Le correspondant "
            "insertion de votre territoire vous désigne pour un binôme ou un suivi social.",
            _designations,
            _ligne_designation,
            DEMANDEUR,
        ),
        File(
            "actions",
            "Actions à échéance ou en retard",
            "Aucune action de vos dossiers n'arrive à échéance dans les 7 jours.",
            _actions_a_echeance,
            _ligne_action,
            DEMANDEUR,
        ),
        File(
            "rendez_vous",
            "Rendez-vous du jour",
            "Aucun rendez-vous aujourd'hui. Les rendez-vous se prennent depuis le suivi d'un "
            "dossier.",
            _rendez_vous_du_jour,
            _ligne_rendez_vous,
            DEMANDEUR,
        ),
        File(
            "renouvellements",
            "Renouvellements à décider (12 mois)",
            "Aucun accompagnement n'atteint ses 12 mois : rien à renouveler.",
            _renouvellements,
            _ligne_renouvellement,
            DEMANDEUR,
            compte_trie=True,
        ),
        File(
            "sollicitations_repondues",
            "Réponses à vos sollicitations",
            "Aucune réponse ces 30 derniers jours. Une sollicitation se fait depuis la fiche "
            "d'un dossier (axe 1), vers une ressource de la base.",
            _sollicitations_repondues,
            _ligne_sollicitation_repondue,
            DEMANDEUR,
        ),
        File(
            "sollicitations_a_traiter",
            "Sollicitations à traiter",
            "Aucune sollicitation n'attend de réponse.",
            _sollicitations_a_traiter,
            _ligne_sollicitation,
            DEMANDEUR,
        ),
        File(
            "sollicitations_sans_reponse",
            "Sollicitations sans réponse",
            "Toutes les sollicitations envoyées ont reçu une réponse.",
            _sollicitations_sans_reponse,
            _ligne_sollicitation,
            DEMANDEUR,
            compte_trie=True,
        ),
        File(
            "a_orienter",
            "Dossiers à orienter",
            "Aucun dossier n'attend son orientation.",
            _a_orienter,
            _ligne_a_orienter,
            "demandeur__texte_recherche",
        ),
        File(
            "sans_binome",
            "Axe 2 sans binôme complet",
            "Tous les dossiers en accompagnement global ont leur binôme.",
            _sans_binome,
            _ligne_sans_binome,
            "demandeur__texte_recherche",
        ),
        File(
            "changements_axe",
            "Demandes de changement d'axe en attente",
            "Aucune demande de changement d'axe n'attend de décision.",
            _changements_axe,
            _ligne_changement,
            DEMANDEUR,
        ),
        File(
            "actions_en_retard",
            "Actions en retard",
            "Aucune action en retard dans le département.",
            _actions_en_retard,
            _ligne_action,
            DEMANDEUR,
        ),
        File(
            "inactifs",
            f"Dossiers inactifs depuis {JOURS_INACTIVITE} jours",
            f"Tous les dossiers ouverts ont bougé ces {JOURS_INACTIVITE} derniers jours.",
            _inactifs,
            _ligne_inactif,
            "demandeur__texte_recherche",
        ),
    )
}

FILES_PAR_ROLE: dict[str, tuple[str, ...]] = {
    Role.CONSEILLER: (
        "prescriptions_repondues",
        "actions",
        "rendez_vous",
        "sollicitations_repondues",
    ),
    Role.CONSEILLER_DEDIE: (
        "prescriptions_a_prendre",
        "diagnostics_emploi",
        "actions",
        "rendez_vous",
        "renouvellements",
        "prescriptions_repondues",
    ),
    Role.TRAVAILLEUR_SOCIAL: (
        "designations",
        "diagnostics_social",
        "actions",
        "rendez_vous",
        "prescriptions_repondues",
    ),
    Role.CORRESPONDANT_INSERTION: (
        "prescriptions_a_designer",
        "sollicitations_a_traiter",
        "reorientations",
        "prescriptions_en_retard",
    ),
    Role.ANIMATRICE: (
        "a_orienter",
        "sans_binome",
        "changements_axe",
        "actions_en_retard",
        "inactifs",
        "renouvellements",
        "sollicitations_sans_reponse",
        "prescriptions_en_retard",
    ),
}


def files_du_role(membership: Membership | None) -> list[File]:
    if membership is None:
        return []
    return [FILES[cle] for cle in FILES_PAR_ROLE.get(membership.role, ())]


# Au-delà, le compteur dit « plus de 1 000 » : compter exactement 60 000 actions en retard
# à chaque affichage de l'accueil ne sert à rien de plus (les premières lignes suffisent).
PLAFOND_COMPTEUR = 1000


def compter(qs: QuerySet, trie: bool = False) -> int:
    """Le nombre de lignes, compté jusqu'à `PLAFOND_COMPTEUR + 1` au plus (un LIMIT sous le
    COUNT).

    Sans tri, PostgreSQL choisit le plan ; il le choisit mal quand il croit atteindre vite
    le plafond (il lit alors tous les dossiers du département pour une jointure par
    hachage, 90 à 160 ms, et n'en garde que quelques centaines). Avec `trie`, le compte
    garde l'ordre de la file : il suit l'index partiel de la file, ligne à ligne, et
    s'arrête au plafond (décision 95)."""
    return (qs if trie else qs.order_by())[: PLAFOND_COMPTEUR + 1].count()


def compter_ensemble(requetes: list[tuple[QuerySet, bool]]) -> list[int]:
    """Les comptes de `compter` pour plusieurs files, en **une** requête : un `SELECT` de
    sous-requêtes scalaires, une par file, que PostgreSQL planifie chacune comme le compte
    seul (même LIMIT, même tri). Huit allers-retours de moins sur l'accueil de l'animatrice
    et sur les onglets de ses listes (décision 95)."""
    morceaux, parametres, totaux = [], [], []
    for qs, trie in requetes:
        borne = (qs if trie else qs.order_by()).values("pk")[: PLAFOND_COMPTEUR + 1]
        try:
            sql, params = borne.query.sql_with_params()
        except EmptyResultSet:  # queryset vide (`none()`) : rien à demander
            totaux.append(0)
            continue
        totaux.append(None)
        # Le SQL vient du compilateur de l'ORM, les valeurs restent des paramètres.
        morceaux.append(f"(SELECT count(*) FROM ({sql}) AS file_{len(morceaux)})")  # noqa: S608 — SQL compilé par l'ORM, valeurs en paramètres
        parametres.extend(params)
    if morceaux:
        with connection.cursor() as curseur:
            curseur.execute("SELECT " + ", ".join(morceaux), parametres)
            comptes = iter(curseur.fetchone())
        totaux = [next(comptes) if t is None else t for t in totaux]
    return totaux


@dataclass
class FileRemplie:
    file: File
    total: int  # borné à PLAFOND_COMPTEUR + 1
    lignes: list[Ligne]

    @property
    def depasse(self) -> bool:
        return self.total > PLAFOND_COMPTEUR

    @property
    def total_lisible(self) -> str:
        """« 12 », ou « plus de 1 000 » au-delà du plafond."""
        return f"plus de {nombre_lisible(PLAFOND_COMPTEUR)}" if self.depasse else str(self.total)


def remplir(
    membership: Membership, file: File, limite: int = 5, total: int | None = None
) -> FileRemplie:
    """Le total (borné) et les premières lignes d'une file : deux requêtes (une si le
    total est déjà compté)."""
    qs = file.requete(membership)
    if total is None:
        total = compter(qs, file.compte_trie)
    objets = list(qs[:limite]) if total else []
    return FileRemplie(file, total, [file.ligne(membership, o) for o in objets])


def aujourdhui(membership: Membership, limite: int = 5) -> list[FileRemplie]:
    """Les files du rôle, comptées ensemble (une requête), avec leurs premières lignes
    (une requête par file qui n'est pas vide)."""
    du_role = files_du_role(membership)
    totaux = compter_ensemble([(f.requete(membership), f.compte_trie) for f in du_role])
    return [remplir(membership, f, limite, total) for f, total in zip(du_role, totaux, strict=True)]
