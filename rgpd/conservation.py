"""Durée de conservation et dernier contact (docs/rgpd.md).

**Dernier contact** d'une personne : la plus récente des dates suivantes, sur tous ses
dossiers du département —

- la dernière activité d'un dossier (`Dossier.derniere_activite`, avancée par toute
  écriture d'un professionnel : note, rendez-vous, action, sollicitation, diagnostic,
  changement d'axe, sortie…) ;
- le dernier rendez-vous déjà passé (`RendezVous.debut` ≤ maintenant) ;
- la dernière note (`Note.cree_le`) ;
- la sortie du dispositif (`Dossier.date_cloture`) ;
- à défaut de tout dossier, la création de la fiche (`Demandeur.cree_le`).

**Échéance** : dernier contact + `Departement.duree_conservation_mois` (24 mois par défaut,
référentiel CNIL de l'accompagnement social). Une personne qui a un dossier ouvert n'est
jamais échue : l'accompagnement est en cours (le dossier inactif relève des files de
travail, pas de la purge). Le calcul est une seule requête (sous-requêtes agrégées).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Greatest
from django.utils import timezone

from dossiers.models import Demandeur, Dossier, Note, RendezVous, StatutDossier

from .models import Anonymisation

PREAVIS_JOURS = 30


class _Mois(Func):
    """`n` mois en intervalle PostgreSQL (un mois calendaire, pas 30 jours)."""

    template = "(%(expressions)s * INTERVAL '1 month')"
    output_field = DurationField()


def _maximum(modele, champ: str, chemin: str, **filtre) -> Subquery:
    return Subquery(
        modele.objects.filter(**{chemin: OuterRef("pk")}, **filtre)
        .order_by()
        .values(chemin)
        .annotate(m=Max(champ))
        .values("m"),
        output_field=DateTimeField(),
    )


def avec_dernier_contact(qs: QuerySet[Demandeur], maintenant: dt.datetime) -> QuerySet:
    """Annote `dernier_contact` et `echeance_rgpd` (dernier contact + durée du département)."""
    dernier = Greatest(
        _maximum(Dossier, "derniere_activite", "demandeur"),
        _maximum(Dossier, Cast("date_cloture", DateTimeField()), "demandeur"),
        _maximum(RendezVous, "debut", "dossier__demandeur", debut__lte=maintenant),
        _maximum(Note, "cree_le", "dossier__demandeur"),
        F("cree_le"),
    )
    return qs.annotate(dernier_contact=dernier).annotate(
        echeance_rgpd=ExpressionWrapper(
            F("dernier_contact") + _Mois(F("departement__duree_conservation_mois")),
            output_field=DateTimeField(),
        )
    )


def conservees(departement=None) -> QuerySet[Demandeur]:
    """Les personnes encore identifiées (pas anonymisées) sans dossier ouvert."""
    qs = Demandeur.objects.exclude(
        Exists(Anonymisation.objects.filter(demandeur=OuterRef("pk")))
    ).exclude(
        Exists(Dossier.objects.filter(demandeur=OuterRef("pk")).exclude(statut=StatutDossier.CLOS))
    )
    if departement is not None:
        qs = qs.filter(departement=departement)
    return qs


def echues(maintenant: dt.datetime | None = None, departement=None) -> QuerySet:
    """Les personnes dont l'échéance de conservation est passée : à anonymiser."""
    maintenant = maintenant or timezone.now()
    return avec_dernier_contact(conservees(departement), maintenant).filter(
        echeance_rgpd__lte=maintenant
    )


def a_prevenir(maintenant: dt.datetime | None = None, departement=None) -> QuerySet:
    """Les personnes anonymisées dans les `PREAVIS_JOURS` jours : leurs référents sont
    prévenus (une fois par échéance, voir rgpd.preavis)."""
    maintenant = maintenant or timezone.now()
    return avec_dernier_contact(conservees(departement), maintenant).filter(
        echeance_rgpd__gt=maintenant,
        echeance_rgpd__lte=maintenant + dt.timedelta(days=PREAVIS_JOURS),
    )


def echeance_de(demandeur: Demandeur, maintenant: dt.datetime | None = None):
    """(dernier contact, échéance) d'une personne, pour l'afficher."""
    maintenant = maintenant or timezone.now()
    ligne = (
        avec_dernier_contact(Demandeur.objects.filter(pk=demandeur.pk), maintenant)
        .values("dernier_contact", "echeance_rgpd")
        .first()
    )
    return (ligne["dernier_contact"], ligne["echeance_rgpd"]) if ligne else (None, None)
