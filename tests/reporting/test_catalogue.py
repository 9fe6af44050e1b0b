"""Le catalogue des indicateurs sur le département de test (tests/reporting/fixture_mensuelle.py) :
chaque valeur attendue est recomptée ici, à la main, à partir des dates de la fixture."""

import datetime as dt
import statistics

import pytest

from reporting import catalogue
from reporting.catalogue import PAR_CLE, Mois, Perimetre
from tests.reporting.fixture_mensuelle import construire

MARS = Mois(2026, 3)


@pytest.fixture
def f(db):
    return construire()


def valeur(f, cle, structure=None, axe=None, mois=MARS):
    return PAR_CLE[cle].calculer(Perimetre(f.departement, structure), mois, axe)


def ventilation(f, cle, dim, structure=None):
    lignes = PAR_CLE[cle].ventiler(Perimetre(f.departement, structure), MARS, dim)
    return {ligne["libelle"]: ligne["valeur"] for ligne in lignes}


def test_mois():
    assert (MARS.debut, MARS.fin, MARS.veille) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.date(2026, 2, 28),
    )
    assert Mois(2026, 1).precedent == Mois(2025, 12) and Mois(2025, 12).suivant == Mois(2026, 1)
    assert MARS.an_dernier == Mois(2025, 3) and MARS.libelle == "mars 2026"
    assert Mois.depuis_texte("2026-03") == MARS
    with pytest.raises(ValueError, match="AAAA-MM"):
        Mois.depuis_texte("2026-13")


def test_flux_et_stocks_par_axe(f):
    # Stock au 28/02 : D1 (axe 2), D2 (axe 1), D3 (axe 2), D5 (axe 2) ; D7 sort le 28/02.
    assert valeur(f, "stock_debut") == 4
    assert ventilation(f, "stock_debut", "axe") == {
        "Axe 1 — ressources sociales": 1,
        "Axe 2 — accompagnement global": 3,
    }
    # Entrées de mars : renouvellement de D1 (2), D2 en axe 2, D4 en axe 3, D6 en axe 1.
    assert valeur(f, "entrees") == 4
    assert [valeur(f, "entrees", axe=a) for a in "123"] == [1, 2, 1]
    # Sorties de mars : D1 (fin avant renouvellement), D2 (axe 1), D3, D5 (axe 2), D6 (axe 1).
    assert valeur(f, "sorties_axe") == 5
    assert [valeur(f, "sorties_axe", axe=a) for a in "123"] == [2, 3, 0]
    # File active au 31/03 : D1 et D2 en axe 2, D4 en axe 3.
    assert valeur(f, "file_active") == 3
    assert [valeur(f, "file_active", axe=a) for a in "123"] == [0, 2, 1]
    assert valeur(f, "renouvellements") == 1
    assert valeur(f, "changements_axe") == 1
    assert ventilation(f, "changements_axe", "transition") == {"Axe 1 → axe 2": 1}


@pytest.mark.parametrize("structure", [None, "agence_a", "agence_b", "t1", "t2"])
def test_identite_de_stock_par_axe_et_par_perimetre(f, structure):
    s = getattr(f, structure) if structure else None
    for axe in [None, "1", "2", "3"]:
        debut, fin = valeur(f, "stock_debut", s, axe), valeur(f, "file_active", s, axe)
        entrees, sorties = valeur(f, "entrees", s, axe), valeur(f, "sorties_axe", s, axe)
        assert debut + entrees - sorties == fin, (structure, axe)


def test_sorties_du_dispositif(f):
    # D3 (emploi durable), D5 (abandon), D6 (déménagement) ; D7 est sorti en février.
    assert valeur(f, "sorties") == 3
    assert ventilation(f, "sorties", "motif") == {
        "Abandon / non-adhésion": 1,
        "Déménagement": 1,
        "Emploi durable (CDI, CDD ou intérim de 6 mois et plus)": 1,
    }
    assert valeur(f, "taux_sorties_positives") == round(100 * 1 / 3, 1)
    assert valeur(f, "taux_emploi_durable") == round(100 * 1 / 3, 1)
    assert valeur(f, "taux_sorties_positives", mois=Mois(2026, 2)) == 100.0  # D7 (IAE)


def test_durees_en_axe_2(f):
    # Sorties de l'axe 2 en mars : D3 et D5 (la fin de D1 est suivie d'un renouvellement).
    d3 = (dt.date(2026, 3, 20) - dt.date(2025, 2, 1)).days
    d5 = (dt.date(2026, 3, 15) - dt.date(2025, 12, 1)).days
    assert valeur(f, "duree_axe2_moyenne") == round((d3 + d5) / 2, 1)
    assert valeur(f, "duree_axe2_mediane") == round(statistics.median([d3, d5]), 1)
    assert valeur(f, "part_axe2_plus_12_mois") == 50.0  # D3 : 412 jours


def test_durees_comptent_le_parcours_renouvele(f):
    """D1 sort en avril 2027 : son parcours commence à la première période (01/03/2025)."""
    from dossiers.models import PeriodeOrientation

    PeriodeOrientation.objects.filter(dossier=f.d1, date_fin__isnull=True).update(
        date_fin=dt.date(2027, 4, 2)
    )
    attendu = (dt.date(2027, 4, 2) - dt.date(2025, 3, 1)).days
    assert valeur(f, "duree_axe2_moyenne", mois=Mois(2027, 4)) == attendu
    assert valeur(f, "part_axe2_plus_12_mois", mois=Mois(2027, 4)) == 100.0


def test_delais_des_demandes_d_entree(f):
    # Décidées en mars : P1 (15/02 → 25/02 → 10/03) et P2 (20/02 → 27/02 → 05/03).
    assert valeur(f, "delai_prescription_diagnostic") == (10 + 7) / 2
    assert valeur(f, "delai_diagnostic_entree") == (13 + 6) / 2
    assert valeur(f, "delai_prescription_entree_moyen") == (23 + 13) / 2
    assert valeur(f, "delai_prescription_entree_median") == statistics.median([23, 13])
    # Échues en mars (prescrites du 08/02 au 10/03) : P1 (23 jours, hors délai), P2 (13 jours),
    # P3 (sans décision) ; P4 (20/03) n'a pas 21 jours au 31/03.
    assert valeur(f, "part_entree_21_jours") == round(100 * 1 / 3, 1)
    # Prescrites en mars : P3 (agence, France Travail), P4 (territoire, côté social).
    assert valeur(f, "prescriptions") == 2
    assert ventilation(f, "prescriptions", "origine") == {"France Travail": 1, "Côté social": 1}


def test_sollicitations_de_l_axe_1(f):
    assert valeur(f, "sollicitations_envoyees") == 3
    assert valeur(f, "sollicitations_acceptees") == 1
    assert valeur(f, "sollicitations_refusees") == 1
    assert valeur(f, "sollicitations_expirees") == 1
    assert valeur(f, "sollicitations_delai_median") == statistics.median([4, 2])
    assert ventilation(f, "sollicitations_envoyees", "domaine") == {"Logement": 2, "Mobilité": 1}
    assert ventilation(f, "sollicitations_envoyees", "type_partenaire") == {"accompagnement": 3}


def test_aides_financieres(f):
    assert valeur(f, "aides_nombre") == 2
    assert valeur(f, "aides_montant_demande") == 300.00 + 150.50
    assert valeur(f, "aides_montant_accorde") == 250.00
    assert valeur(f, "aides_delai_decision") == 10.0


def test_rendez_vous_honores(f):
    # Notés en mars : présente (D1), absente (D1), excusée (D2), présente (D4).
    assert valeur(f, "taux_rendez_vous_honores") == 50.0


def test_charges_des_professionnels(f):
    # Au 31/03 : cd1 tient D1 et D2 ; cd2 n'a plus rien (D3 et D5 clos).
    assert valeur(f, "charge_conseiller_dedie") == 2.0
    assert ventilation(f, "charge_conseiller_dedie", "professionnel") == {
        f"{f.cd1.user.prenom} {f.cd1.user.nom}": 2.0
    }
    # ts1 tient D1, ts2 tient D2.
    assert valeur(f, "charge_travailleur_social") == 1.0
    # cd1 fait binôme avec ts1 (D1) et ts2 (D2).
    assert valeur(f, "ts_par_conseiller_dedie") == 2.0


def test_profil_des_entrants(f):
    # Entrées : D1 (F, RSA, niveau 5), D2 (H, non RSA, sans diplôme), D4 (H, RSA, niveau 3),
    # D6 (H, non RSA, niveau non renseigné).
    assert valeur(f, "entrants_rsa") == 50.0
    assert valeur(f, "entrants_femmes") == 25.0
    assert valeur(f, "entrants_qualification_basse") == round(100 * 2 / 3, 1)


def test_tranches_d_age_au_dernier_jour_du_mois(f):
    # Au 31/03/2026 : D1 35 ans, D2 23 ans, D4 45 ans, D6 66 ans.
    assert ventilation(f, "entrees", "tranche_age") == {
        "35 à 44 ans": 1,
        "Moins de 25 ans": 1,
        "45 à 54 ans": 1,
        "55 ans et plus": 1,
    }
    # D3 a 56 ans au 31/03/2026 (née le 31/03/1970) : 55 ans et plus le jour même.
    assert ventilation(f, "stock_debut", "tranche_age")["55 ans et plus"] == 1


def test_ventilations_egales_au_total(f):
    """Pour chaque dénombrement et chacune de ses ventilations, la somme des lignes égale
    la valeur totale."""
    p = Perimetre(f.departement)
    verifies = 0
    for ind in catalogue.CATALOGUE:
        if not ind.additif:
            continue
        total = ind.calculer(p, MARS)
        for dim in ind.dimensions():
            lignes = ind.ventiler(p, MARS, dim)
            assert sum(ligne["valeur"] for ligne in lignes) == total, (ind.cle, dim)
            verifies += 1
    assert verifies > 50


def test_departement_egal_somme_des_territoires_et_des_agences(f):
    for cle in ["file_active", "entrees", "sorties_axe", "sorties", "stock_debut"]:
        total = valeur(f, cle)
        assert total == valeur(f, cle, f.t1) + valeur(f, cle, f.t2), cle
        assert total == valeur(f, cle, f.agence_a) + valeur(f, cle, f.agence_b), cle
    assert ventilation(f, "file_active", "territoire") == {"Territoire 1": 2, "Territoire 2": 1}
    assert ventilation(f, "file_active", "conseiller_dedie") == {
        f"{f.cd1.user.prenom} {f.cd1.user.nom}": 2,
        "Non renseigné": 1,
    }
    assert ventilation(f, "file_active", "rsa") == {"Allocataire du RSA": 2, "Non allocataire": 1}
    assert ventilation(f, "file_active", "sexe") == {"Femme": 1, "Homme": 2}


def test_un_autre_departement_ne_compte_pas(f):
    autre = construire()
    assert valeur(f, "file_active") == 3
    assert PAR_CLE["file_active"].calculer(Perimetre(autre.departement), MARS) == 3
    assert valeur(f, "file_active", f.t1) == 2


def test_chaque_indicateur_a_libelle_definition_et_unite():
    for ind in catalogue.CATALOGUE:
        assert ind.libelle and len(ind.definition) > 40 and ind.unite, ind.cle
    assert len({i.cle for i in catalogue.CATALOGUE}) == len(catalogue.CATALOGUE)


def test_freins_identifies_et_leves(f):
    """D1 : version 1 partagée le 10/03 (logement et mobilité présents, santé absent),
    version 2 partagée le 25/03 qui recopie les freins, mobilité levée le 20/03 (un seul
    frein levé par dossier et domaine même si la version 1 porte aussi la date). D2 :
    version partagée en février (hors du mois), logement levé le 05/03."""
    from diagnostics.models import Diagnostic, Frein
    from tests.reporting.fixture_mensuelle import _dt

    def diagnostic(d, numero, partage, precedent=None):
        u = f.cd1.user
        return Diagnostic.objects.create(
            dossier=d,
            numero=numero,
            precedent=precedent,
            cree_par=u,
            information_le=partage.date(),
            information_mode="entretien",
            emploi_valide_le=partage,
            emploi_valide_par=u,
            social_valide_le=partage,
            social_valide_par=f.ts1.user,
        )

    v1 = diagnostic(f.d1, 1, _dt(dt.date(2026, 3, 10)))
    v2 = diagnostic(f.d1, 2, _dt(dt.date(2026, 3, 25)), precedent=v1)
    for v in (v1, v2):
        Frein.objects.create(
            diagnostic=v, domaine="logement", presence="present", statut="identifie"
        )
        Frein.objects.create(
            diagnostic=v,
            domaine="mobilite",
            presence="present",
            statut="leve",
            statut_le=dt.date(2026, 3, 20),
        )
        Frein.objects.create(diagnostic=v, domaine="sante", presence="absent")
    w = diagnostic(f.d2, 1, _dt(dt.date(2026, 2, 10)))
    Frein.objects.create(
        diagnostic=w,
        domaine="logement",
        presence="present",
        statut="leve",
        statut_le=dt.date(2026, 3, 5),
    )
    # Identifiés (versions partagées en mars) : D1 logement, D1 mobilité.
    assert valeur(f, "freins_identifies") == 2
    # Levés en mars : D1 mobilité (une fois), D2 logement.
    assert valeur(f, "freins_leves") == 2
    assert ventilation(f, "freins_leves", "domaine") == {"Logement": 1, "Mobilité": 1}
