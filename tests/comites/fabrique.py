"""Séances et dossiers types des comités, construits par les services."""

import datetime as dt

from django.utils import timezone

from comites import services
from comites.models import MotifSignalement, TypeSeance
from dossiers.models import Axe
from dossiers.parcours import services as parcours
from dossiers.suivi import services as suivi
from tests.diagnostics.parcours import diagnostic_partage
from tests.dossiers.scenarios import avec_binome, en_axe_2, nouveau_dossier, prescrit

NOTE_SOCIALE = "Dette de loyer et violences conjugales signalées au CCAS"
RAISON_RESERVEE = "Hospitalisation récente, à ne pas diffuser"


def seance(equipe, **kw):
    return services.creer_seance(
        par=equipe.animatrice,
        type=kw.pop("type", TypeSeance.ORIENTATIONS),
        debut=kw.pop("debut", timezone.now() + dt.timedelta(days=7)),
        lieu=kw.pop("lieu", "Cohésion sociale, Alençon"),
        **kw,
    )


def en_axe_2_depuis(equipe, jours: int, **kw):
    """Un dossier entré en axe 2 il y a `jours` jours (renouvellement dû à 365)."""
    debut = timezone.localdate() - dt.timedelta(days=jours)
    dossier = avec_binome(equipe, nouveau_dossier(equipe, date=debut, **kw), date=debut)
    parcours.demarrer_diagnostic(dossier=dossier, par=equipe.dedie, date=debut)
    parcours.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
        date=debut,
    )
    dossier.refresh_from_db()
    return dossier


def files_remplies(equipe):
    """Un dossier par motif d'inscription : demande d'entrée, changement d'axe,
    renouvellement dû, sortie signalée, situation signalée (raison réservée au social)."""
    d = {}
    d["prescription"] = prescrit(equipe, nouveau_dossier(equipe, nom="Prescrit")).dossier
    d["changement"] = en_axe_2(equipe, nom="Changement")
    parcours.demander_changement_axe(
        dossier=d["changement"],
        axe=Axe.RESSOURCES_SOCIALES,
        motif="Freins levés : retour à l'agence",
        par=equipe.dedie,
    )
    d["renouvellement"] = en_axe_2_depuis(equipe, 366, nom="Renouvelle")
    d["sortie"] = en_axe_2(equipe, nom="Sortie")
    services.signaler(
        dossier=d["sortie"],
        par=equipe.dedie,
        motif=MotifSignalement.SORTIE,
        raison="CDI signé le mois dernier",
    )
    d["situation"] = en_axe_2(equipe, nom="Situation")
    services.signaler(
        dossier=d["situation"],
        par=equipe.ts,
        motif=MotifSignalement.SITUATION,
        raison=RAISON_RESERVEE,
        reserve_social=True,
    )
    diagnostic_partage(equipe, d["situation"])  # un frein « santé » pèse
    suivi.ajouter_note(
        dossier=d["situation"], par=equipe.ts, texte=NOTE_SOCIALE, visibilite="sociale"
    )
    suivi.ajouter_note(
        dossier=d["situation"],
        par=equipe.dedie,
        texte="Rendez-vous employeur le 12",
        visibilite="partagee",
    )
    return d


def signalements_anciens(equipe, nombre: int, *, jours: int = 30):
    """`nombre` dossiers ouverts signalés « situation à présenter », les signalements datés
    d'il y a `jours + nombre - 1` à `jours` jours (le premier est le plus ancien). Construits
    par les fabriques (rapides) : le volume des files, pas un parcours."""
    from comites.models import Signalement
    from tests.dossiers.factories import DossierFactory

    maintenant = timezone.now()
    dossiers = []
    for i in range(nombre):
        dossier = DossierFactory(
            demandeur__departement=equipe.departement,
            demandeur__nom=f"Ancien{i:03d}",
            agence=equipe.agence,
        )
        Signalement.objects.create(
            dossier=dossier,
            motif=MotifSignalement.SITUATION,
            raison=f"Situation n° {i}",
            signale_par=equipe.dedie.user,
            signale_le=maintenant - dt.timedelta(days=jours + nombre - 1 - i),
        )
        dossiers.append(dossier)
    return dossiers
