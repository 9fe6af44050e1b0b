"""Parcours types construits par les services, partagés par les tests des dossiers.
La fixture `equipe` est dans tests/conftest.py."""

import datetime as dt

from dossiers.models import Axe, Origine, RoleAffectation
from dossiers.parcours import services
from dossiers.prescriptions import services as prescriptions


def identite(**kw):
    base = {
        "civilite": "mme",
        "nom": "Lefèvre",
        "prenom": "Éloïse",
        "date_naissance": dt.date(1988, 4, 2),
    }
    return {**base, **kw}


def nouveau_dossier(equipe, date=None, **kw):
    demandeur = services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite(**kw)
    )
    return services.ouvrir_dossier(
        demandeur=demandeur, par=equipe.conseiller, origine=Origine.CONSEILLER_FT, date=date
    )


def avec_binome(equipe, dossier, date=None):
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.CONSEILLER_DEDIE,
        professionnel=equipe.dedie,
        par=equipe.animatrice,
        date=date,
    )
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
        date=date,
    )
    return dossier


def en_axe_2(equipe, **kw):
    dossier = avec_binome(equipe, nouveau_dossier(equipe, **kw))
    services.demarrer_diagnostic(dossier=dossier, par=equipe.dedie)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="Freins cumulés",
        accord_personne=True,
    )
    dossier.refresh_from_db()
    return dossier


def prescrit(equipe, dossier=None, *, axe=Axe.ACCOMPAGNEMENT_GLOBAL, par=None, **kw):
    """Le conseiller propose la personne (axe 2 par défaut) ; territoire : celui de l'équipe."""
    dossier = dossier or nouveau_dossier(equipe, **kw)
    return prescriptions.prescrire(
        dossier=dossier,
        par=par or equipe.conseiller,
        axe=axe,
        freins=["logement", "mobilite"],
        motif="Hébergement précaire et pas de véhicule : recherche d'emploi freinée.",
        accord_le=dt.date.today(),
        accord_mode="entretien",
        territoire=None if dossier.territoire_id else equipe.territoire,
    )
