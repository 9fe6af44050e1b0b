"""Le calcul groupé (une requête GROUPING SETS par indicateur pour tous les périmètres et
toutes les ventilations) rend exactement ce que rendent `calculer` et `ventiler` périmètre
par périmètre : les chiffres des rapports ne changent pas."""

import pytest

from reporting import groupe, mensuel
from reporting.catalogue import CATALOGUE, Mois, Perimetre
from tests.reporting.fixture_mensuelle import construire

MARS = Mois(2026, 3)


@pytest.fixture
def f(db):
    return construire()


def _perimetres(f):
    return [
        (None, Perimetre(f.departement)),
        (("territoire", f.t1.pk), Perimetre(f.departement, f.t1)),
        (("territoire", f.t2.pk), Perimetre(f.departement, f.t2)),
        (("agence", f.agence_a.pk), Perimetre(f.departement, f.agence_a)),
        (("agence", f.agence_b.pk), Perimetre(f.departement, f.agence_b)),
    ]


@pytest.mark.parametrize("mois", [MARS, MARS.an_dernier])
def test_le_calcul_groupe_egale_le_calcul_par_perimetre(f, mois):
    compares = 0
    for ind in CATALOGUE:
        resultat = groupe.calculer(ind, Perimetre(f.departement), mois, ("territoire", "agence"))
        tot = groupe.totaux(ind, Perimetre(f.departement), mois, ("territoire", "agence"))
        for portee, p in _perimetres(f):
            attendu = ind.calculer(p, mois)
            obtenu = resultat.get(portee)
            valeur = obtenu["valeur"] if obtenu else groupe.valeur_vide(ind, mois)
            assert valeur == attendu, (ind.cle, portee)
            assert tot.get(portee, groupe.valeur_vide(ind, mois)) == attendu, (ind.cle, portee)
            for cle in ind.dimensions():
                lignes = obtenu["ventilations"][cle] if obtenu else []
                assert lignes == ind.ventiler(p, mois, cle), (ind.cle, portee, cle)
                compares += 1
    assert compares > 5 * 250


def test_un_seul_perimetre_en_une_requete_par_indicateur(f, django_assert_max_num_queries):
    p = Perimetre(f.departement, f.t1)
    for ind in CATALOGUE:
        # une requête, plus au plus une par ventilation nommée (territoire, agence,
        # conseiller dédié, travailleur social), quel que soit le nombre de lignes
        with django_assert_max_num_queries(1 + 4):
            resultat = groupe.calculer(ind, p, MARS)
        assert resultat[None]["valeur"] == ind.calculer(p, MARS)


def test_figer_plusieurs_egale_figer_un_par_un(f):
    perimetres = mensuel.perimetres(f.departement)
    assert len(perimetres) == 5
    ensemble = mensuel.figer_plusieurs(perimetres, MARS)
    for p in perimetres:
        assert ensemble[p.structure.pk if p.structure else None] == mensuel.figer(p, MARS)


def test_ventilations_egales_au_total_pour_chaque_perimetre(f):
    ensemble = mensuel.figer_plusieurs(mensuel.perimetres(f.departement), MARS)
    verifies = 0
    for chiffres in ensemble.values():
        for ind in CATALOGUE:
            if not ind.additif:
                continue
            donnees = chiffres["indicateurs"][ind.cle]
            for cle, v in donnees["ventilations"].items():
                assert sum(ligne["valeur"] for ligne in v["lignes"]) == donnees["valeur"], (
                    chiffres["perimetre"]["libelle"],
                    ind.cle,
                    cle,
                )
                verifies += 1
    assert verifies > 5 * 50


def test_mois_precedent_et_an_dernier_relus_dans_les_rapports_figes(f):
    """Le rapport de mars compare aux chiffres publiés de février (et de mars 2025) quand
    ces rapports sont figés, même si les dossiers ont changé depuis ; les périmètres sans
    rapport figé sont recalculés."""
    from reporting.catalogue import PAR_CLE
    from reporting.models import RapportMensuel

    cle = RapportMensuel.cle_de(f.departement.pk, None)
    serie = [["2025-12", "décembre 2025", 41]]
    for mois, valeur in ((MARS.precedent, 99), (MARS.an_dernier, 77)):
        RapportMensuel.objects.create(
            departement=f.departement, niveau="departement", cle_perimetre=cle,
            mois=mois.debut, version=1, pdf=b"",
            chiffres={"indicateurs": {"file_active": {"valeur": valeur}},
                      "series": {"file_active": serie} if valeur == 99 else {}},
        )  # fmt: skip
    ensemble = mensuel.figer_plusieurs(mensuel.perimetres(f.departement), MARS)
    dep = ensemble[None]["indicateurs"]
    assert (dep["file_active"]["precedent"], dep["file_active"]["an_dernier"]) == (99, 77)
    serie_mars = {m: v for m, _l, v in ensemble[None]["series"]["file_active"]}
    assert (serie_mars["2026-02"], serie_mars["2025-12"], serie_mars["2026-03"]) == (99, 41, 3)
    # Sans rapport figé, les autres indicateurs et les autres périmètres sont recalculés.
    assert dep["entrees"]["precedent"] == PAR_CLE["entrees"].calculer(
        Perimetre(f.departement), MARS.precedent
    )
    t1 = ensemble[f.t1.pk]["indicateurs"]["file_active"]
    assert t1["precedent"] == PAR_CLE["file_active"].calculer(
        Perimetre(f.departement, f.t1), MARS.precedent
    )
