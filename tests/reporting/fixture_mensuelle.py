"""Un département de test dont les chiffres de mars 2026 se calculent à la main.

Deux agences (A, B), deux territoires (T1, T2). Les dates sont écrites en clair : chaque
test recompte à partir d'elles, sans appeler le code du catalogue."""

import datetime as dt
from decimal import Decimal

from accompagnement.models import Role
from conventions.models import ServiceRessource
from dossiers.models import (
    Affectation,
    AideFinanciere,
    Dossier,
    PeriodeOrientation,
    Prescription,
    RendezVous,
    Sollicitation,
    StatutDossier,
)
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.conventions.factories import ServiceRessourceFactory
from tests.dossiers.factories import DemandeurFactory

D = dt.date
MARS = (2026, 3)


def _dt(jour: dt.date, heure=10):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(jour.year, jour.month, jour.day, heure))


class Fixture:
    pass


def construire(departement=None):
    f = Fixture()
    f.agence_a = StructureFactory(
        agence=True, nom="Agence A", **({"departement": departement} if departement else {})
    )
    dep = f.departement = f.agence_a.departement
    f.agence_b = StructureFactory(agence=True, departement=dep, nom="Agence B")
    f.t1 = StructureFactory(territoire=True, departement=dep, nom="Territoire 1")
    f.t2 = StructureFactory(territoire=True, departement=dep, nom="Territoire 2")
    direction = StructureFactory(direction=True, departement=dep, nom="Direction")
    f.animatrice = MembershipFactory(role=Role.ANIMATRICE, structure=direction)
    f.correspondant_t1 = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=f.t1)
    f.conseiller = MembershipFactory(role=Role.CONSEILLER, structure=f.agence_a)
    f.cd1 = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=f.agence_a, user__nom="Un")
    f.cd2 = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=f.agence_b, user__nom="Deux")
    f.ts1 = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=f.t1, user__nom="Un")
    f.ts2 = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=f.t2, user__nom="Deux")
    auteur = f.animatrice.user

    def dossier(
        nom,
        *,
        civ,
        naissance,
        rsa,
        agence,
        territoire,
        periodes,
        cloture=None,
        niveau="",
        binome=None,
    ):
        demandeur = DemandeurFactory(
            departement=dep,
            nom=nom,
            civilite=civ,
            date_naissance=naissance,
            rsa_allocataire=rsa,
            niveau_qualification=niveau,
        )
        d = Dossier.objects.create(
            departement=dep,
            demandeur=demandeur,
            origine="conseiller_ft",
            agence=agence,
            territoire=territoire,
            date_orientation=periodes[0][1],
            statut=StatutDossier.CLOS if cloture else StatutDossier.ACCOMPAGNEMENT,
            axe_courant=periodes[-1][0],
            date_cloture=cloture[0] if cloture else None,
            motif_sortie=cloture[1] if cloture else "",
        )
        for i, (axe, debut, fin) in enumerate(periodes):
            PeriodeOrientation.objects.create(
                dossier=d,
                axe=axe,
                date_debut=debut,
                date_fin=fin,
                motif="Test",
                decide_par=auteur,
                renouvellement=i > 0 and periodes[i - 1][0] == axe,
            )
        for role, membre, debut in binome or []:
            Affectation.objects.create(
                dossier=d,
                role=role,
                professionnel=membre.user,
                structure=membre.structure,
                date_debut=debut,
                date_fin=cloture[0] if cloture else None,
                affecte_par=auteur,
            )
        return d

    cd, ts = "conseiller_dedie", "travailleur_social"
    # D1 : axe 2 depuis le 01/03/2025, renouvelé le 01/03/2026 (femme, RSA, 35 ans, niveau 5).
    f.d1 = dossier(
        "D1",
        civ="mme",
        naissance=D(1990, 5, 1),
        rsa=True,
        agence=f.agence_a,
        territoire=f.t1,
        niveau="5",
        periodes=[("2", D(2025, 3, 1), D(2026, 3, 1)), ("2", D(2026, 3, 1), None)],
        binome=[(cd, f.cd1, D(2025, 2, 1)), (ts, f.ts1, D(2025, 2, 1))],
    )
    # D2 : axe 1 du 01/02 au 10/03/2026 puis axe 2 (homme, non RSA, 23 ans, sans diplôme).
    f.d2 = dossier(
        "D2",
        civ="m",
        naissance=D(2003, 1, 1),
        rsa=False,
        agence=f.agence_a,
        territoire=f.t1,
        niveau="sans",
        periodes=[("1", D(2026, 2, 1), D(2026, 3, 10)), ("2", D(2026, 3, 10), None)],
        binome=[(cd, f.cd1, D(2026, 3, 1)), (ts, f.ts2, D(2026, 3, 1))],
    )
    # D3 : axe 2 du 01/02/2025 au 20/03/2026, sorti en emploi durable (femme, RSA, 56 ans).
    f.d3 = dossier(
        "D3",
        civ="mme",
        naissance=D(1970, 3, 31),
        rsa=True,
        agence=f.agence_b,
        territoire=f.t2,
        periodes=[("2", D(2025, 2, 1), D(2026, 3, 20))],
        cloture=(D(2026, 3, 20), "emploi_durable"),
        binome=[(cd, f.cd2, D(2025, 2, 1)), (ts, f.ts1, D(2025, 2, 1))],
    )
    # D4 : axe 3 depuis le 05/03/2026 (homme, RSA, 45 ans, niveau 3).
    f.d4 = dossier(
        "D4",
        civ="m",
        naissance=D(1980, 6, 15),
        rsa=True,
        agence=f.agence_b,
        territoire=f.t2,
        niveau="3",
        periodes=[("3", D(2026, 3, 5), None)],
    )
    # D5 : axe 2 du 01/12/2025 au 15/03/2026, abandon (femme, non RSA, 31 ans).
    f.d5 = dossier(
        "D5",
        civ="mme",
        naissance=D(1995, 1, 1),
        rsa=False,
        agence=f.agence_a,
        territoire=f.t2,
        periodes=[("2", D(2025, 12, 1), D(2026, 3, 15))],
        cloture=(D(2026, 3, 15), "abandon"),
        binome=[(cd, f.cd2, D(2025, 12, 1)), (ts, f.ts2, D(2025, 12, 1))],
    )
    # D6 : axe 1 du 25/03 au 28/03/2026, déménagement (homme, non RSA, 66 ans).
    f.d6 = dossier(
        "D6",
        civ="m",
        naissance=D(1960, 1, 1),
        rsa=False,
        agence=f.agence_b,
        territoire=f.t1,
        periodes=[("1", D(2026, 3, 25), D(2026, 3, 28))],
        cloture=(D(2026, 3, 28), "demenagement"),
    )
    # D7 : axe 2 clos le 28/02/2026 (hors du mois, hors du stock de début).
    f.d7 = dossier(
        "D7",
        civ="mme",
        naissance=D(1985, 1, 1),
        rsa=True,
        agence=f.agence_a,
        territoire=f.t1,
        periodes=[("2", D(2025, 10, 1), D(2026, 2, 28))],
        cloture=(D(2026, 2, 28), "iae"),
    )
    # D8 : axe 1 à partir du 01/04/2026 (après le mois).
    f.d8 = dossier(
        "D8",
        civ="m",
        naissance=D(1999, 1, 1),
        rsa=False,
        agence=f.agence_b,
        territoire=f.t1,
        periodes=[("1", D(2026, 4, 1), None)],
    )

    # Demandes d'entrée : P1 (FT) et P2 (social) décidées en mars ; P3 échue en mars sans
    # décision ; P4 trop récente (moins de 21 jours au 31/03).
    def prescription(d, prescrite, structure, *, diagnostic=None, decision=None, axe="2"):
        return Prescription.objects.create(
            dossier=d,
            axe=axe,
            motif="Test",
            accord_le=prescrite,
            accord_mode="entretien",
            prescripteur=auteur,
            structure=structure,
            prescrite_le=prescrite,
            diagnostic_le=diagnostic,
            decision_le=decision,
            statut="terminee" if decision else "en_attente",
        )

    prescription(
        f.d2, D(2026, 2, 15), f.agence_a, diagnostic=D(2026, 2, 25), decision=D(2026, 3, 10)
    )
    prescription(
        f.d4, D(2026, 2, 20), f.t2, diagnostic=D(2026, 2, 27), decision=D(2026, 3, 5), axe="3"
    )
    prescription(f.d8, D(2026, 3, 5), f.agence_b)
    prescription(f.d6, D(2026, 3, 20), f.t1)

    # Aides financières : deux demandées en mars (une accordée 10 jours après), une en février.
    def aide(d, demande, montant, accorde=None, decision=None):
        AideFinanciere.objects.create(
            dossier=d,
            montant_demande=Decimal(montant),
            motif="Test",
            date_demande=demande,
            decision="accordee" if accorde else "en_attente",
            montant_accorde=Decimal(accorde) if accorde else None,
            date_decision=decision,
            demande_par=auteur,
            decision_par=auteur if decision else None,
        )

    aide(f.d1, D(2026, 3, 3), "300.00", "250.00", D(2026, 3, 13))
    aide(f.d2, D(2026, 3, 20), "150.50")
    aide(f.d3, D(2026, 2, 10), "99.00")

    # Rendez-vous de mars : présente, absente, excusée, prévu (non compté), présente.
    for d, jour, presence in [
        (f.d1, D(2026, 3, 4), "present"),
        (f.d1, D(2026, 3, 18), "absent"),
        (f.d2, D(2026, 3, 12), "excuse"),
        (f.d2, D(2026, 3, 30), "prevu"),
        (f.d4, D(2026, 3, 25), "present"),
        (f.d4, D(2026, 2, 25), "present"),
    ]:
        RendezVous.objects.create(
            dossier=d, debut=_dt(jour), type="individuel", presence=presence, cree_par=auteur
        )

    # Sollicitations de l'axe 1 : trois envoyées en mars (acceptée en 4 jours, refusée en
    # 2 jours, expirée), une en février.
    service = ServiceRessourceFactory(
        departement=dep, structure__departement=dep, type="accompagnement"
    )
    assert isinstance(service, ServiceRessource)

    def sollicitation(d, envoi, statut, domaine="logement", **dates):
        Sollicitation.objects.create(
            dossier=d,
            service=service,
            domaine=domaine,
            besoin="Test",
            mode="direct",
            statut=statut,
            auteur=auteur,
            envoyee_le=_dt(envoi),
            echeance=_dt(envoi + dt.timedelta(days=15)),
            motif_refus="Complet" if statut == "refusee" else "",
            **dates,
        )

    sollicitation(f.d2, D(2026, 3, 2), "acceptee", acceptee_le=_dt(D(2026, 3, 6)))
    sollicitation(
        f.d6, D(2026, 3, 26), "refusee", domaine="mobilite", refusee_le=_dt(D(2026, 3, 28))
    )
    sollicitation(f.d8, D(2026, 3, 10), "expiree", expiree_le=_dt(D(2026, 3, 25)))
    sollicitation(f.d2, D(2026, 2, 10), "expiree", expiree_le=_dt(D(2026, 2, 25)))
    return f
