"""Le générateur du département de mesure (`manage.py bench_data`, bench/donnees.py) à
petite échelle : contraintes tenues, comptes par type, aucune clé dans le vide, pas de
trace d'historique, déterminisme."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import donnees
from diagnostics.models import Diagnostic, Frein
from dossiers.models import (
    Action,
    Affectation,
    Demandeur,
    Dossier,
    EvenementJournal,
    Note,
    PeriodeOrientation,
    RendezVous,
    Sollicitation,
)
from dossiers.models.historique import DemandeurHistorique, DossierHistorique

N = 200


@pytest.fixture
def departement_de_mesure(db):
    call_command("bench_data", demandeurs=N, seed=7, departement="99", verbosity=0)
    return Dossier.objects.filter(departement__code_insee="99")


def test_comptes_par_type(departement_de_mesure):
    dossiers = departement_de_mesure
    assert Demandeur.objects.filter(departement__code_insee="99").count() == N
    # ~97 dossiers pour 100 personnes (quelques-unes ont un ancien parcours clos).
    assert 0.9 * N <= dossiers.count() <= 1.1 * N
    statuts = Counter(dossiers.values_list("statut", flat=True))
    assert set(statuts) == {"a_orienter", "diagnostic", "accompagnement", "clos"}
    axes = Counter(dossiers.filter(statut="accompagnement").values_list("axe_courant", flat=True))
    assert set(axes) == {"1", "2", "3"}
    filtre = {"dossier__departement__code_insee": "99"}
    # Chaque dossier a son conseiller ; l'axe 2 son binôme ; l'axe 3 son référent social.
    assert Affectation.objects.filter(role="conseiller", **filtre).count() == dossiers.count()
    for role in ("conseiller_dedie", "travailleur_social", "referent_social"):
        assert Affectation.objects.filter(role=role, **filtre).exists()
    assert PeriodeOrientation.objects.filter(**filtre).exists()
    diagnostics = Diagnostic.objects.filter(**filtre)
    assert diagnostics.count() > 0.4 * N
    # Un frein par domaine et par version de diagnostic.
    assert Frein.objects.filter(diagnostic__in=diagnostics).count() == 9 * diagnostics.count()
    assert Note.objects.filter(**filtre).count() > 2 * N
    assert RendezVous.objects.filter(**filtre).count() > N
    assert Action.objects.filter(**filtre).exists()
    assert Sollicitation.objects.filter(**filtre).exists()
    # ~20 événements du journal par demandeur.
    assert 12 * N <= EvenementJournal.objects.filter(**filtre).count() <= 30 * N


def test_coherence(departement_de_mesure):
    assert donnees.cles_orphelines() == {}
    # Un seul dossier ouvert par personne, une seule période et une affectation par place
    # ouvertes : les index uniques partiels ont été vérifiés au COPY ; le modèle relit tout.
    # Les règles des modèles (choix, champs obligatoires) valent aussi pour ces lignes.
    filtre = {"dossier__departement__code_insee": "99"}
    for dossier in departement_de_mesure.select_related("demandeur")[:60]:
        dossier.demandeur.full_clean()
        dossier.full_clean()
    for modele in (
        Affectation,
        PeriodeOrientation,
        Diagnostic,
        Action,
        Note,
        RendezVous,
        Sollicitation,
    ):
        for objet in modele.objects.filter(**filtre)[:40]:
            objet.full_clean(exclude=["uuid"])
    for frein in Frein.objects.filter(diagnostic__dossier__departement__code_insee="99")[:60]:
        frein.full_clean()
    # Les déclencheurs d'historique étaient désactivés pendant le chargement.
    assert not DemandeurHistorique.objects.exists()
    assert not DossierHistorique.objects.exists()
    with connection.cursor() as curseur:
        curseur.execute("SHOW session_replication_role")
        assert curseur.fetchone()[0] == "origin"  # réglage local à la transaction


def test_departement_deja_present(departement_de_mesure):
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("bench_data", demandeurs=5, departement="99", verbosity=0)


def _referentiel():
    return donnees.Referentiel(
        departement_id=1,
        agences=[10, 11],
        territoires=[20, 21],
        direction=30,
        conseillers={10: [100, 101], 11: [102]},
        dedies={10: [110], 11: [111]},
        ts={20: [120, 121], 21: [122]},
        correspondants={20: [(130, 1300)], 21: [(131, 1310)]},
        animatrice=140,
        services=[1, 2, 3],
        tous_les_professionnels=[100, 101, 102, 110, 111, 120, 121, 122],
    )


def _empreinte(graine):
    debuts = dict.fromkeys(donnees.TABLES, 1)
    jour = dt.date(2026, 6, 1)
    return [
        {cle: [tuple(str(v) for v in ligne) for ligne in lignes] for cle, lignes in paquet.items()}
        for paquet in donnees.flux_lignes(_referentiel(), N, graine, debuts, jour)
    ]


def test_deterministe():
    assert _empreinte(3) == _empreinte(3)
    assert _empreinte(3) != _empreinte(4)
