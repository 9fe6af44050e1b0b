"""Diagnostics types construits par les services, pour les tests."""

import datetime as dt

from diagnostics import services
from diagnostics.models import Capacite, ModeInformation, Presence, SituationPro
from tests.dossiers.scenarios import avec_binome, nouveau_dossier

EMPLOI = {
    "situation_pro": SituationPro.SANS_ACTIVITE,
    "capacite_recherche": Capacite.PARTIELLEMENT,
    "metiers": [{"code_rome": "k1302", "libelle": "Aide à domicile"}],
    "besoins": {"projet": "point_fort", "techniques": "besoin"},
    "rayon_mobilite_km": 20,
}
FREINS_AXE_2 = {
    "logement": {
        "presence": Presence.PRESENT,
        "impact": "fort",
        "situations": ["Hébergement précaire"],
    },
    "mobilite": {
        "presence": Presence.PRESENT,
        "impact": "moyen",
        "situations": ["Pas de véhicule"],
    },
    "sante": {
        "presence": Presence.PRESENT,
        "impact": "moyen",
        "situations": ["Souffrance psychique"],
        "commentaire": "Suivi au CMP depuis 2023",
    },
    "finances": {"presence": Presence.ABSENT},
}


def dossier_avec_binome(equipe):
    return avec_binome(equipe, nouveau_dossier(equipe))


def diagnostic_rempli(equipe, dossier=None, *, freins=None, emploi=None):
    dossier = dossier or dossier_avec_binome(equipe)
    diag = services.demarrer(dossier=dossier, par=equipe.dedie)
    diag = services.enregistrer_emploi(
        diagnostic=diag, par=equipe.dedie, revision=diag.revision_emploi, **(emploi or EMPLOI)
    )
    diag = services.enregistrer_social(
        diagnostic=diag,
        par=equipe.ts,
        revision=diag.revision_social,
        freins=freins or FREINS_AXE_2,
    )
    return services.enregistrer_information(
        diagnostic=diag,
        par=equipe.dedie,
        date=dt.date.today(),
        mode=ModeInformation.ENTRETIEN,
        accord=True,
    )


def diagnostic_partage(equipe, dossier=None, **kw):
    diag = diagnostic_rempli(equipe, dossier, **kw)
    services.valider_emploi(diagnostic=diag, par=equipe.dedie)
    return services.valider_social(diagnostic=diag, par=equipe.ts)
