"""Ce que les pages des comités montrent, déjà filtré pour le lecteur.

- `propositions` : l'ordre du jour automatique, tiré des files de travail existantes
  (`reporting.files` pour les changements d'axe et les renouvellements,
  `dossiers.prescriptions.lectures.en_cours` pour les demandes d'entrée), plus les
  signalements « à présenter en comité » pas encore repris ; borné (les plus anciens
  d'abord), `en_attente` compte ce qui reste dans les files.
- `points_de_la_seance` : chaque point avec son résumé de situation selon le besoin d'en
  connaître du lecteur (règles existantes : `Note.objects.lisibles_par`,
  `prescriptions.perms.freins_lisibles`, `diagnostics.perms.peut_voir_situations`) —
  jamais de détail de santé ni de note sociale pour un participant France Travail. Le
  nombre de requêtes ne dépend pas du nombre de points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accompagnement.models import Membership, Role
from accompagnement.pagination_bornee import PLAFOND
from accompagnement.texte import requete_prefixe
from diagnostics.models import Diagnostic, Frein
from diagnostics.perms import peut_voir_situations
from dossiers.models import Affectation, Dossier, Note, VisibiliteNote
from dossiers.prescriptions import lectures as prescriptions
from dossiers.prescriptions.perms import MENTION_DOMAINE_RESERVE, freins_lisibles
from reporting.files import FILES

from . import perms
from .models import (
    POINTS_PAR_COMPOSITION,
    MotifInscription,
    MotifSignalement,
    Participant,
    Point,
    Seance,
    Signalement,
)

NOTES_PAR_POINT = 3


# --- Séances --------------------------------------------------------------------------------


def seances_visibles(membership: Membership) -> QuerySet[Seance]:
    """L'animatrice : toutes les séances du département ; les autres : celles où ils sont
    invités. Une requête, quel que soit le nombre de séances."""
    qs = Seance.objects.du_departement(membership.structure.departement_id)
    if not perms.peut_gerer_comites(membership):
        qs = qs.filter(participants__membership=membership)
    return qs.select_related("territoire").order_by("-debut", "-pk")


def seance_visible(request, uuid) -> Seance:
    seance = get_object_or_404(
        Seance.objects.du_departement(request.departement)
        .select_related("territoire", "departement")
        .prefetch_related(
            Prefetch(
                "participants",
                Participant.objects.select_related("membership__user", "membership__structure"),
            )
        ),
        uuid=uuid,
    )
    if not perms.peut_voir_seance(request.membership, seance):
        raise Http404
    return seance


def point_visible(request, uuid) -> Point:
    point = get_object_or_404(
        Point.objects.filter(seance__departement=request.departement).select_related(
            "dossier__demandeur", "seance"
        ),
        uuid=uuid,
    )
    if not perms.peut_gerer_seance(request.membership, point.seance):
        raise Http404
    return point


# --- Ordre du jour automatique ----------------------------------------------------------------


@dataclass
class Proposition:
    dossier_id: int
    motif: str
    prescription_id: int | None = None
    demande_id: int | None = None
    signalement_id: int | None = None
    orientation_demandee: str = ""


def _du_perimetre(qs, seance: Seance, chemin: str = "dossier__"):
    if seance.territoire_id:
        qs = qs.filter(**{f"{chemin}territoire_id": seance.territoire_id})
    return qs


def _motif_du_signalement(s: Signalement) -> str:
    if s.motif == MotifSignalement.SORTIE:
        return MotifInscription.SORTIE
    return MotifInscription.SIGNALEMENT


def _files(seance: Seance, par: Membership) -> list[tuple[QuerySet, Callable]]:
    """Les files de l'ordre du jour, dans l'ordre des motifs, chacune triée les plus
    anciennes d'abord, avec la façon d'en faire une proposition."""
    signalements = Signalement.objects.filter(
        points__isnull=True, dossier__in=Dossier.objects.visibles_par(par).ouverts()
    )
    return [
        (
            prescriptions.en_cours(par).order_by("prescrite_le", "pk"),
            lambda p: Proposition(
                p.dossier_id,
                MotifInscription.PRESCRIPTION,
                prescription_id=p.pk,
                orientation_demandee=p.axe,
            ),
        ),
        (
            FILES["changements_axe"].requete(par).order_by("demande_le", "pk"),
            lambda d: Proposition(
                d.dossier_id,
                MotifInscription.CHANGEMENT_AXE,
                demande_id=d.pk,
                orientation_demandee=d.axe_demande,
            ),
        ),
        (
            FILES["renouvellements"].requete(par).order_by("date_debut", "pk"),
            lambda periode: Proposition(
                periode.dossier_id,
                MotifInscription.RENOUVELLEMENT,
                orientation_demandee=periode.axe,
            ),
        ),
        (
            signalements.order_by("signale_le", "pk"),
            lambda s: Proposition(s.dossier_id, _motif_du_signalement(s), signalement_id=s.pk),
        ),
    ]


def _hors_ordre_du_jour(qs, seance: Seance):
    """La file restreinte au territoire de la séance, sans les dossiers déjà à son ordre
    du jour (sous-requête : l'ordre du jour n'est pas relu en Python)."""
    deja = Point.objects.filter(seance=seance).values("dossier_id")
    return _du_perimetre(qs, seance).exclude(dossier_id__in=deja)


def propositions(
    seance: Seance, par: Membership, limite: int = POINTS_PAR_COMPOSITION
) -> list[Proposition]:
    """Au plus `limite` dossiers que les files de l'animatrice proposent pour la séance
    (son territoire s'il y en a un), sans ceux déjà à l'ordre du jour : un point par
    dossier (le premier motif trouvé), les files dans l'ordre des motifs, chacune les plus
    anciens d'abord. Chaque file est lue par une requête bornée (LIMIT du nombre qui
    manque), et seulement si les précédentes n'ont pas suffi : au plus quatre requêtes,
    quel que soit le volume (une de plus quand une file propose deux fois un dossier)."""
    resultat: dict[int, Proposition] = {}
    for requete, proposer in _files(seance, par):
        while len(resultat) < limite:
            manque = limite - len(resultat)
            lignes = list(
                _hors_ordre_du_jour(requete, seance).exclude(dossier_id__in=list(resultat))[:manque]
            )
            for ligne in lignes:
                resultat.setdefault(ligne.dossier_id, proposer(ligne))
            if len(lignes) < manque:
                break  # la file est épuisée
    return list(resultat.values())


def en_attente(seance: Seance, par: Membership, plafond: int = PLAFOND) -> int:
    """Le nombre de dossiers que les files proposent encore, hors de l'ordre du jour de la
    séance : une requête (union des files), comptée jusqu'à `plafond + 1` au plus (au-delà,
    « plus de 10 000 »)."""
    cles = [
        _hors_ordre_du_jour(requete, seance).order_by().values_list("dossier_id", flat=True)
        for requete, _ in _files(seance, par)
    ]
    return cles[0].union(*cles[1:])[: plafond + 1].count()


def dossiers_a_ajouter(seance: Seance, par: Membership, texte: str) -> QuerySet[Dossier]:
    """Recherche par nom des dossiers ouverts du périmètre, pas encore à l'ordre du jour."""
    requete = requete_prefixe(texte)
    if not requete:
        return Dossier.objects.none()
    qs = (
        Dossier.objects.visibles_par(par)
        .ouverts()
        .filter(demandeur__recherche=SearchQuery(requete, search_type="raw", config="simple"))
        .exclude(points_comite__seance=seance)
        .select_related("demandeur", "agence", "territoire")
        .order_by("demandeur__nom", "pk")
    )
    return _du_perimetre(qs, seance, chemin="")


# --- Points et résumés de situation ---------------------------------------------------------------


@dataclass
class Resume:
    """Le résumé de situation d'un dossier pour un lecteur donné."""

    referents: list[str] = field(default_factory=list)
    freins: list[str] = field(default_factory=list)
    raison: str = ""  # du signalement, de la demande d'entrée ou de changement d'axe
    freins_pressentis: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _freins_lisibles(lecteur: Membership | None, diagnostics: list[Diagnostic]) -> list[str]:
    """Les domaines qui pèsent au dernier diagnostic ; un domaine sensible (santé) n'est
    nommé qu'au lecteur qui peut en lire le détail (côté social)."""
    if not diagnostics:
        return []
    libelles, masque = [], False
    for frein in diagnostics[0].freins_qui_pesent:
        if peut_voir_situations(lecteur, frein.domaine):
            libelles.append(frein.get_domaine_display())
        else:
            masque = True
    if masque:
        libelles.append(MENTION_DOMAINE_RESERVE)
    return libelles


def resume(lecteur: Membership | None, point: Point) -> Resume:
    dossier = point.dossier
    r = Resume(
        referents=[f"{a.professionnel} ({a.get_role_display()})" for a in dossier.places_ouvertes],
        freins=_freins_lisibles(lecteur, dossier.diagnostics_lus),
        notes=dossier.notes_lisibles[:NOTES_PAR_POINT],
    )
    if point.signalement_id:
        if perms.lit_raison_reservee(lecteur, point.signalement):
            r.raison = point.signalement.raison
        else:
            r.raison = "Raison réservée au côté social."
    elif point.demande_id:
        r.raison = point.demande.motif
    elif point.prescription_id:
        r.freins_pressentis = freins_lisibles(lecteur, point.prescription)
    return r


def points_de_la_seance(seance: Seance, lecteur: Membership | None) -> list[tuple[Point, Resume]]:
    """Les points dans l'ordre, chacun avec son résumé pour `lecteur` (None : un lecteur
    sans aucun droit de lecture sociale, pour un destinataire extérieur). Nombre de
    requêtes constant."""
    notes = Note.objects.lisibles_par(lecteur).exclude(visibilite=VisibiliteNote.PRIVEE)
    points = list(
        seance.points.select_related(
            "dossier__demandeur",
            "dossier__agence",
            "dossier__territoire",
            "prescription__prescripteur",
            "demande",
            "signalement",
            "responsable",
            "decide_par",
        )
        .prefetch_related(
            Prefetch(
                "dossier__affectations",
                Affectation.objects.ouvertes().select_related("professionnel").order_by("pk"),
                to_attr="places_ouvertes",
            ),
            # Préchargements bornés par dossier (ROW_NUMBER) : le dernier diagnostic et les
            # dernières notes seulement, quelle que soit l'histoire du dossier.
            Prefetch(
                "dossier__diagnostics",
                Diagnostic.objects.order_by("-numero").prefetch_related(
                    Prefetch(
                        "freins",
                        Frein.objects.qui_pesent().order_by("domaine"),
                        to_attr="freins_qui_pesent",
                    )
                )[:1],
                to_attr="diagnostics_lus",
            ),
            Prefetch(
                "dossier__notes",
                notes.select_related("auteur")[:NOTES_PAR_POINT],
                to_attr="notes_lisibles",
            ),
        )
        .order_by("ordre", "pk")
    )
    return [(p, resume(lecteur, p)) for p in points]


def professionnels_du_departement(seance: Seance) -> QuerySet[Membership]:
    """Les rattachements actifs du département (participants, responsables, places)."""
    return (
        Membership.objects.filter(structure__departement_id=seance.departement_id, actif=True)
        .exclude(role=Role.ADMINISTRATEUR)
        .select_related("user", "structure")
        .order_by("structure__nom", "user__nom", "user__prenom")
    )
