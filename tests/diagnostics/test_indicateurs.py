"""Freins levés par domaine entre deux versions partagées successives (indicateur §5)."""

import datetime as dt

import pytest
from django.utils import timezone

from accompagnement.models import Role
from accompagnement.referentiels import DomaineFrein
from diagnostics import services
from diagnostics.models import Diagnostic, Presence, StatutFrein
from reporting.indicateurs import freins_leves_par_domaine
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.diagnostics.test_vues import dossier_du_territoire, partage

pytestmark = pytest.mark.django_db

AUJOURD_HUI = dt.date.today()
MOIS = (AUJOURD_HUI - dt.timedelta(days=30), AUJOURD_HUI)

# v1 (FREINS de test_vues) : logement fort, mobilité moyen, santé moyen. v2 : logement absent (levé),
# mobilité marquée « levé » (levé), santé toujours là (persistant), numérique nouveau.
PROGRES = {
    "logement": {"presence": Presence.ABSENT},
    "mobilite": {"presence": Presence.PRESENT, "impact": "moyen", "statut": StatutFrein.LEVE},
    "numerique": {"presence": Presence.PRESENT, "impact": "moyen"},
}


def deux_versions(equipe, **identite):
    v1 = partage(equipe, dossier_du_territoire(equipe, **identite))
    return v1, partage(equipe, v1.dossier, freins=PROGRES)


def equipe_d_un_autre_departement():
    agence = StructureFactory(agence=True)
    dep = agence.departement

    class Autre:
        departement = dep
        territoire = StructureFactory(territoire=True, departement=dep)
        conseiller = MembershipFactory(role=Role.CONSEILLER, structure=agence)
        dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        animatrice = MembershipFactory(role=Role.ANIMATRICE, structure=agence)

    Autre.ts = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=Autre.territoire)
    return Autre


def test_freins_leves_compte_par_domaine(equipe):
    deux_versions(equipe)
    resultat = freins_leves_par_domaine(equipe.departement, *MOIS)
    assert list(resultat) == DomaineFrein.values  # tous les domaines, dans l'ordre
    assert resultat["logement"] == 1 and resultat["mobilite"] == 1
    assert resultat["sante"] == 0 and resultat["numerique"] == 0
    assert sum(resultat.values()) == 2


def test_periode_d_apres_la_seconde_validation(equipe):
    _, v2 = deux_versions(equipe)
    autrefois = timezone.now() - dt.timedelta(days=90)
    Diagnostic.objects.filter(pk=v2.pk).update(
        emploi_valide_le=autrefois - dt.timedelta(days=2), social_valide_le=autrefois
    )
    assert sum(freins_leves_par_domaine(equipe.departement, *MOIS).values()) == 0
    jour = timezone.localdate(autrefois)
    assert freins_leves_par_domaine(equipe.departement, jour, jour)["logement"] == 1
    # La première validation seule ne compte pas : c'est le partage qui date la version.
    veille = jour - dt.timedelta(days=2)
    assert sum(freins_leves_par_domaine(equipe.departement, veille, veille).values()) == 0


def test_ignore_les_brouillons_les_premieres_versions_et_les_autres_departements(equipe):
    v1 = partage(equipe, dossier_du_territoire(equipe))
    partage(equipe, dossier_du_territoire(equipe, nom="Seule", prenom="Version"))
    # v2 en brouillon : le frein « levé » n'est pas encore partagé.
    v2 = services.demarrer(dossier=v1.dossier, par=equipe.dedie)
    services.enregistrer_social(
        diagnostic=v2, par=equipe.ts, revision=0, freins={"logement": PROGRES["logement"]}
    )
    autre = equipe_d_un_autre_departement()
    deux_versions(autre)
    assert sum(freins_leves_par_domaine(equipe.departement, *MOIS).values()) == 0
    assert freins_leves_par_domaine(autre.departement, *MOIS)["logement"] == 1


def test_nombre_de_requetes_borne(equipe, django_assert_num_queries):
    deux_versions(equipe)
    with django_assert_num_queries(1):
        petit = freins_leves_par_domaine(equipe.departement, *MOIS)
    for i in range(4):
        deux_versions(equipe, nom=f"Personne{i}", prenom="Test")
    with django_assert_num_queries(1):
        grand = freins_leves_par_domaine(equipe.departement, *MOIS)
    assert grand["logement"] == petit["logement"] + 4 == 5
