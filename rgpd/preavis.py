"""Préavis d'anonymisation : 30 jours avant l'échéance, les référents des dossiers de la
personne sont prévenus, une fois par échéance (`Preavis`, unique par personne et date).

Référents : les professionnels qui tenaient une place sur ses dossiers à leur clôture
(ou qui la tiennent encore) ; à défaut, les animatrices du département. Quatre requêtes
quel que soit le nombre de personnes, plus les notifications."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from accompagnement import notifications
from accompagnement.models import CategorieNotification, Membership, Role
from dossiers.models import Affectation

from . import conservation
from .models import Preavis


@transaction.atomic
def envoyer_preavis(*, maintenant: dt.datetime | None = None) -> int:
    """Prévient les référents des personnes échues dans 30 jours ; renvoie le nombre de
    personnes pour qui un préavis est parti."""
    maintenant = maintenant or timezone.now()
    deja = Preavis.objects.filter(demandeur=OuterRef("pk"), echeance=OuterRef("echeance_jour"))
    personnes = list(
        conservation.a_prevenir(maintenant)
        .annotate(echeance_jour=TruncDate("echeance_rgpd"))
        .annotate(deja=Exists(deja))
        .filter(deja=False)
        .values("pk", "nom", "prenom", "departement_id", "dernier_contact", "echeance_rgpd")
    )
    if not personnes:
        return 0
    ids = [p["pk"] for p in personnes]
    places = (
        Affectation.objects.filter(dossier__demandeur_id__in=ids, professionnel__is_active=True)
        .filter(Q(date_fin__isnull=True) | Q(date_fin=F("dossier__date_cloture")))
        .select_related("professionnel", "dossier")
        .order_by("dossier__date_orientation", "pk")
    )
    referents: dict[int, dict[int, object]] = defaultdict(dict)
    dossier_de: dict[int, object] = {}
    for place in places:
        referents[place.dossier.demandeur_id][place.professionnel_id] = place.professionnel
        dossier_de[place.dossier.demandeur_id] = place.dossier.uuid
    animatrices: dict[int, list] = defaultdict(list)
    for m in (
        Membership.objects.actifs()
        .filter(
            role=Role.ANIMATRICE,
            structure__departement_id__in={p["departement_id"] for p in personnes},
        )
        .select_related("user", "structure")
    ):
        animatrices[m.structure.departement_id].append(m.user)
    creees = []
    for p in personnes:
        destinataires = list(referents[p["pk"]].values()) or animatrices[p["departement_id"]]
        echeance = timezone.localtime(p["echeance_rgpd"])
        contact = timezone.localtime(p["dernier_contact"])
        uuid_dossier = dossier_de.get(p["pk"])
        envoyees = notifications.envoyer(
            destinataires=destinataires,
            sujet=f"Anonymisation prévue le {echeance:%d/%m/%Y} — {p['prenom']} {p['nom'].upper()}",
            texte=(
                f"Sans nouveau contact, les données de {p['prenom']} {p['nom'].upper()} seront "
                f"anonymisées le {echeance:%d/%m/%Y} (dernier contact le {contact:%d/%m/%Y}, "
                "durée de conservation du département échue). Si l'accompagnement reprend, "
                "ouvrez un nouveau parcours : l'échéance sera repoussée."
            ),
            lien=reverse("dossiers:dossier", args=[uuid_dossier]) if uuid_dossier else "",
            categorie=CategorieNotification.AUTRE,
        )
        creees.append(
            Preavis(
                demandeur_id=p["pk"],
                echeance=echeance.date(),
                envoye_le=maintenant,
                destinataires=len(envoyees),
            )
        )
    Preavis.objects.bulk_create(creees, ignore_conflicts=True)
    return len(creees)
