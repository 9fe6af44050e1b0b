"""Diagnostics partagés de démonstration, écrits par les services (volets, information de
la personne, validations des deux professionnels), sur les dossiers chargés par
`dossiers/demo.py` :

- dossiers en diagnostic avec leur binôme : une version à chaque étape (volet emploi en
  saisie, volet emploi validé, volet social validé, partagé en attente de décision) ;
  avec le seul conseiller : le volet emploi commencé ;
- dossiers en accompagnement global : une version partagée avant l'entrée, puis une
  seconde où des freins sont levés ou en cours de traitement ; sur quelques-uns, une
  troisième version en cours (les pages « Aujourd'hui » du binôme en montrent le volet à
  remplir).

Déterministe (dossiers pris dans l'ordre des clés) et idempotent : rien n'est ajouté si
le département a déjà des diagnostics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from accompagnement import demo as demo_noyau
from accompagnement.models import Membership
from dossiers.models import Affectation, Axe, Dossier, RoleAffectation, StatutDossier

from . import services
from .models import (
    SITUATIONS,
    Capacite,
    Diagnostic,
    Impact,
    ModeInformation,
    Presence,
    SituationPro,
    StatutFrein,
)

CD_DEMO = f"conseiller.dedie@{demo_noyau.DOMAINE}"
COTE_EMPLOI = (RoleAffectation.CONSEILLER_DEDIE, RoleAffectation.CONSEILLER)
COTE_SOCIAL = (RoleAffectation.TRAVAILLEUR_SOCIAL, RoleAffectation.REFERENT_SOCIAL)

# Les étapes d'une version, de la moins à la plus avancée.
SAISIE, EMPLOI_VALIDE, SOCIAL_VALIDE, PARTAGE = "saisie", "emploi", "social", "partage"

METIERS = [
    ("N1103", "Magasinier / Magasinière", "Préparateur de commandes en intérim (2022)"),
    ("K1304", "Aide à domicile", "Auxiliaire de vie en CDD (2023)"),
    ("G1603", "Employé / Employée polyvalent(e) de restauration", "Plonge en restauration"),
    ("H2102", "Conducteur / Conductrice de machines", "Agent de production (2021)"),
    ("D1106", "Vendeur / Vendeuse en alimentation", "Vendeuse en boulangerie (2020)"),
]
# Les freins présents d'un dossier (domaine, impact), choisis par son rang.
FREINS = [
    [("logement", Impact.FORT), ("mobilite", Impact.MOYEN), ("finances", Impact.MOYEN)],
    [("famille", Impact.FORT), ("finances", Impact.FORT)],
    [("savoirs_de_base", Impact.MOYEN), ("numerique", Impact.FORT), ("mobilite", Impact.FORT)],
    [("isolement", Impact.FORT), ("administratif_juridique", Impact.MOYEN)],
    [("mobilite", Impact.FORT), ("logement", Impact.MOYEN)],
]
COMMENTAIRES = {
    "logement": "Hébergée chez sa sœur depuis la séparation ; demande de logement à déposer.",
    "mobilite": "Pas de permis ; le premier bus passe après l'embauche du matin.",
    "finances": "Deux mois de loyer en retard, crédit à la consommation en cours.",
    "famille": "Deux enfants de 3 et 6 ans, pas de solution de garde le mercredi.",
    "savoirs_de_base": "Lit avec difficulté les consignes écrites.",
    "numerique": "N'a pas d'ordinateur ; le téléphone sert à tout.",
    "isolement": "Peu de contacts depuis la fin du dernier contrat.",
    "administratif_juridique": "Dossier de complémentaire santé solidaire à compléter.",
}


def _acteurs(dossier: Dossier, rattachements: dict) -> tuple[Membership, Membership | None]:
    places = {a.role: rattachements[(a.professionnel_id, a.structure_id)] for a in dossier.ouvertes}
    emploi = next((places[p] for p in COTE_EMPLOI if p in places), None)
    social = next((places[p] for p in COTE_SOCIAL if p in places), None)
    return emploi, social


def _version(
    dossier: Dossier,
    emploi: Membership,
    social: Membership | None,
    rang: int,
    etape: str,
    *,
    leves: int = 0,
    informee_le: dt.date,
) -> Diagnostic:
    """Une version du diagnostic amenée à `etape` ; `leves` : nombre de freins de la
    version précédente levés (le suivant passe « en cours de traitement »)."""
    code, libelle, dernier = METIERS[rang % len(METIERS)]
    diagnostic = services.demarrer(dossier=dossier, par=emploi)
    if diagnostic.numero == 1:
        diagnostic = services.enregistrer_emploi(
            diagnostic=diagnostic,
            par=emploi,
            revision=diagnostic.revision_emploi,
            situation_pro=SituationPro.SANS_ACTIVITE,
            dernier_emploi=dernier,
            metiers=[{"code_rome": code, "libelle": libelle}],
            permis_b=rang % 3 == 0,
            vehicule=False,
            rayon_mobilite_km=10 + 5 * (rang % 4),
            capacite_recherche=Capacite.PARTIELLEMENT if rang % 2 else Capacite.OUI,
            commentaire_emploi="Projet réaliste ; expérience à valoriser dans le CV.",
        )
    if social is not None:
        if diagnostic.numero == 1:
            presents = FREINS[rang % len(FREINS)]
            freins = {
                domaine: {
                    "presence": Presence.PRESENT,
                    "impact": impact,
                    "situations": SITUATIONS[domaine][:1],
                    "commentaire": COMMENTAIRES[domaine],
                    "statut_le": informee_le,
                }
                for domaine, impact in presents
            }
            freins["sante"] = {"presence": Presence.ABSENT}
        else:
            pesaient = [f for f in diagnostic.freins.order_by("domaine") if f.pese]
            freins = {}
            for n, frein in enumerate(pesaient[: leves + 1]):
                freins[frein.domaine] = {
                    "presence": Presence.PRESENT,
                    "impact": frein.impact,
                    "situations": frein.situations,
                    "commentaire": frein.commentaire,
                    "statut": StatutFrein.LEVE if n < leves else StatutFrein.EN_COURS,
                    "statut_le": informee_le,
                }
        diagnostic = services.enregistrer_social(
            diagnostic=diagnostic, par=social, revision=diagnostic.revision_social, freins=freins
        )
    if etape == SAISIE:
        return diagnostic
    services.enregistrer_information(
        diagnostic=diagnostic,
        par=emploi,
        date=informee_le,
        mode=ModeInformation.ENTRETIEN,
        accord=True,
    )
    if etape in (EMPLOI_VALIDE, PARTAGE):
        diagnostic = services.valider_emploi(diagnostic=diagnostic, par=emploi)
    if etape in (SOCIAL_VALIDE, PARTAGE):
        diagnostic = services.valider_social(diagnostic=diagnostic, par=social)
    return diagnostic


def _dossiers(departement, **filtres) -> list[Dossier]:
    return list(
        Dossier.objects.filter(departement=departement, **filtres)
        .select_related("demandeur", "departement")
        .prefetch_related(
            Prefetch(
                "affectations",
                queryset=Affectation.objects.filter(date_fin__isnull=True),
                to_attr="ouvertes",
            )
        )
        .order_by("pk")
    )


def charger(*, departement) -> str:
    if Diagnostic.objects.filter(dossier__departement=departement).exists():
        total = Diagnostic.objects.filter(dossier__departement=departement).count()
        return f"{total} versions de diagnostic (déjà chargées)"
    aujourdhui = timezone.localdate()
    rattachements = {
        (m.user_id, m.structure_id): m
        for m in Membership.objects.actifs()
        .filter(structure__departement=departement)
        .select_related("user", "structure__departement")
    }
    etapes = [SAISIE, EMPLOI_VALIDE, SOCIAL_VALIDE, PARTAGE]
    # Dossiers en diagnostic : une version à chaque étape.
    rang_binome, rang_seul = 0, 0
    for dossier in _dossiers(departement, statut=StatutDossier.DIAGNOSTIC):
        emploi, social = _acteurs(dossier, rattachements)
        if emploi is None:
            continue
        informee_le = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=10))
        if social is not None:
            etape = etapes[rang_binome % len(etapes)]
            _version(dossier, emploi, social, rang_binome, etape, informee_le=informee_le)
            rang_binome += 1
        elif rang_seul < 4:
            _version(dossier, emploi, None, rang_seul, SAISIE, informee_le=informee_le)
            rang_seul += 1
    # Accompagnement global : v1 partagée, v2 avec des freins levés, parfois une v3.
    par_agence: dict[int, int] = defaultdict(int)
    rang, v3 = 0, 0
    for dossier in _dossiers(
        departement, statut=StatutDossier.ACCOMPAGNEMENT, axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL
    ):
        emploi, social = _acteurs(dossier, rattachements)
        if emploi is None or social is None:
            continue
        du_binome_demo = emploi.user.email == CD_DEMO
        if not du_binome_demo and par_agence[dossier.agence_id] >= 2:
            continue
        if du_binome_demo and rang >= 12:
            continue
        par_agence[dossier.agence_id] += 1
        debut = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=90))
        _version(dossier, emploi, social, rang, PARTAGE, informee_le=debut)
        if rang % 3 != 2:
            leves = 1 + rang % 2
            _version(dossier, emploi, social, rang, PARTAGE, leves=leves, informee_le=aujourdhui)
        if du_binome_demo and rang % 3 != 2 and v3 < 2:
            # Une v3 ouverte : un volet validé, l'autre à remplir par l'autre professionnel.
            etape = EMPLOI_VALIDE if v3 == 0 else SOCIAL_VALIDE
            _version(dossier, emploi, social, rang, etape, leves=0, informee_le=aujourdhui)
            v3 += 1
        rang += 1
    total = Diagnostic.objects.filter(dossier__departement=departement)
    partages = total.filter(emploi_valide_le__isnull=False, social_valide_le__isnull=False)
    return (
        f"{total.count()} versions de diagnostic ({partages.count()} partagées, "
        f"{total.filter(numero__gt=1).count()} au-delà de la première)"
    )
