"""Une branche de la règle d'orientation par test (docs/domaine.md §3)."""

from diagnostics.models import Capacite
from diagnostics.recommandation import FreinEvalue, recommander
from dossiers.models import Axe


def test_aucun_frein_axe_1():
    r = recommander([], Capacite.OUI)
    assert r.axe == Axe.RESSOURCES_SOCIALES and "Aucun frein social présent." in r.raisons


def test_un_seul_frein_moyen_axe_1():
    r = recommander([FreinEvalue("famille", "moyen")], Capacite.OUI)
    assert r.axe == Axe.RESSOURCES_SOCIALES
    assert r.raisons[0].startswith("Un seul frein, d'impact moyen : famille")


def test_plusieurs_freins_axe_2():
    r = recommander(
        [FreinEvalue("famille", "moyen"), FreinEvalue("mobilite", "sans_impact")], Capacite.OUI
    )
    assert r.axe == Axe.ACCOMPAGNEMENT_GLOBAL
    assert r.raisons[0] == "2 freins présents : famille, mobilité."


def test_un_frein_fort_recherche_possible_axe_2():
    r = recommander([FreinEvalue("logement", "fort")], Capacite.PARTIELLEMENT)
    assert r.axe == Axe.ACCOMPAGNEMENT_GLOBAL
    assert "Frein d'impact fort : logement." in r.raisons
    assert "La recherche d'emploi reste possible en partie." in r.raisons


def test_un_frein_fort_qui_bloque_toute_recherche_axe_3():
    r = recommander([FreinEvalue("sante", "fort"), FreinEvalue("logement", "moyen")], Capacite.NON)
    assert r.axe == Axe.SOCIAL_EXCLUSIF
    assert "La recherche d'emploi n'est pas possible maintenant (capacité : non)." in r.raisons


def test_capacite_non_sans_frein_fort_reste_axe_2_a_reexaminer():
    r = recommander(
        [FreinEvalue("famille", "moyen"), FreinEvalue("numerique", "moyen")], Capacite.NON
    )
    assert r.axe == Axe.ACCOMPAGNEMENT_GLOBAL
    assert any("à réexaminer" in raison for raison in r.raisons)
