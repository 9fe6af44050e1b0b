"""Démonstration des comités techniques : la prochaine séance du comité technique des
orientations professionnelles du département, ses participants (un par côté, plus une
personne extérieure) et son ordre du jour composé depuis les files de travail.

Chargé par `seed_demo` après les dossiers (ordre des applications) ; idempotent : la
séance de démonstration à venir est reconnue par son lieu et n'est composée qu'une fois."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accompagnement import demo as noyau
from accompagnement.models import Institution, Membership, Role

from . import services
from .models import EtatSeance, Seance, TypeSeance

LIEU = "Direction de l'insertion et de l'emploi, salle du comité"
INVITES = (
    f"conseiller.dedie@{noyau.DOMAINE}",
    f"travailleur.social@{noyau.DOMAINE}",
    f"correspondant@{noyau.DOMAINE}",
    f"conseiller@{noyau.DOMAINE}",
)


def _prochain_mardi(aujourdhui: dt.date) -> dt.datetime:
    jour = aujourdhui + dt.timedelta(days=(1 - aujourdhui.weekday()) % 7 or 7)
    return timezone.make_aware(dt.datetime.combine(jour, dt.time(14, 0)))


def charger(*, departement) -> str:
    deja = Seance.objects.filter(
        departement=departement, lieu=LIEU, etat=EtatSeance.PREPAREE
    ).first()
    if deja is not None:
        return f"comité du {timezone.localtime(deja.debut):%d/%m/%Y} déjà préparé"
    animatrice = (
        Membership.objects.select_related("user", "structure__departement")
        .filter(
            user__email=f"animatrice@{noyau.DOMAINE}",
            role=Role.ANIMATRICE,
            structure__departement=departement,
        )
        .first()
    )
    if animatrice is None:
        return "pas d'animatrice : aucun comité"
    seance = services.creer_seance(
        par=animatrice,
        type=TypeSeance.ORIENTATIONS,
        debut=_prochain_mardi(timezone.localdate()),
        lieu=LIEU,
    )
    invites = Membership.objects.filter(
        user__email__in=INVITES, structure__departement=departement, actif=True
    ).select_related("structure")
    for membership in invites:
        services.ajouter_participant(seance=seance, par=animatrice, membership=membership)
    services.ajouter_participant(
        seance=seance,
        par=animatrice,
        nom="Mme Perrin (mission locale)",
        institution=Institution.PARTENAIRE,
    )
    composition = services.composer_ordre_du_jour(seance=seance, par=animatrice)
    return f"comité du {timezone.localtime(seance.debut):%d/%m/%Y} préparé, {len(composition.points)} dossiers à l'ordre du jour"
