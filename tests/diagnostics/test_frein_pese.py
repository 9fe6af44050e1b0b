"""Règle « un frein pèse » (présent et non levé), définie une fois dans
diagnostics/models.py (frein_pese) et lue partout : recommandation définitive et
provisoire, comparaison de versions, ressources proposées aux sollicitations, bilan."""

import itertools

import pytest

from diagnostics import lecture, services
from diagnostics.models import (
    Capacite,
    Frein,
    Presence,
    StatutFrein,
    frein_pese,
    frein_present,
)
from dossiers.models import Axe
from dossiers.sollicitations.lectures import domaines_prioritaires
from reporting.bilan import recapituler
from tests.diagnostics.parcours import diagnostic_partage, diagnostic_rempli, dossier_avec_binome

pytestmark = pytest.mark.django_db

# Un frein fort, mais levé, et un frein moyen : seul le second pèse.
FREINS_DONT_UN_LEVE = {
    "logement": {"presence": Presence.PRESENT, "impact": "fort", "statut": StatutFrein.LEVE},
    "mobilite": {"presence": Presence.PRESENT, "impact": "moyen"},
    "finances": {"presence": Presence.ABSENT},
}
STATUTS = ["", *StatutFrein.values]


@pytest.mark.parametrize(("presence", "statut"), list(itertools.product(Presence.values, STATUTS)))
def test_un_frein_pese_s_il_est_present_et_non_leve(presence, statut):
    attendu = presence == Presence.PRESENT and statut != StatutFrein.LEVE
    assert frein_pese(presence, statut) is attendu
    frein = Frein(domaine="logement", presence=presence, statut=statut)
    assert frein.pese is attendu
    assert frein.est_present is (presence == Presence.PRESENT)
    assert frein.est_leve is (presence == Presence.PRESENT and statut == StatutFrein.LEVE)


def test_la_requete_sql_et_la_propriete_disent_la_meme_chose(equipe):
    diagnostic = diagnostic_rempli(equipe, freins=FREINS_DONT_UN_LEVE)
    freins = list(diagnostic.freins.all())
    assert {f.domaine for f in freins if f.pese} == {"mobilite"}
    assert set(diagnostic.freins.qui_pesent().values_list("domaine", flat=True)) == {
        f.domaine for f in freins if f.pese
    }


def test_les_lignes_du_volet_social_lisent_la_meme_presence(equipe):
    diagnostic = diagnostic_rempli(equipe, freins=FREINS_DONT_UN_LEVE)
    lignes = lecture.lignes_freins(diagnostic, equipe.ts)
    assert {ligne.domaine for ligne in lignes if ligne.present} == {"logement", "mobilite"}
    assert all(ligne.present is frein_present(ligne.presence) for ligne in lignes)


def test_recommandation_provisoire_ignore_un_frein_leve(equipe):
    """Régression : la recommandation provisoire d'un brouillon comptait le frein levé."""
    brouillon = diagnostic_rempli(equipe, freins=FREINS_DONT_UN_LEVE)
    assert brouillon.capacite_recherche == Capacite.PARTIELLEMENT
    provisoire = lecture.recommandation(brouillon)
    assert provisoire.provisoire
    assert provisoire.axe == Axe.RESSOURCES_SOCIALES
    assert provisoire.raisons[0] == "Un seul frein, d'impact moyen : mobilité."


def test_la_recommandation_provisoire_annonce_celle_du_partage(equipe):
    brouillon = diagnostic_rempli(equipe, freins=FREINS_DONT_UN_LEVE)
    provisoire = lecture.recommandation(brouillon)
    services.valider_emploi(diagnostic=brouillon, par=equipe.dedie)
    partage = services.valider_social(diagnostic=brouillon, par=equipe.ts)
    definitive = lecture.recommandation(partage)
    assert not definitive.provisoire
    assert (definitive.axe, definitive.raisons) == (provisoire.axe, provisoire.raisons)
    assert partage.axe_recommande == Axe.RESSOURCES_SOCIALES


def test_un_frein_leve_ne_pese_ni_sur_les_sollicitations_ni_dans_le_bilan(equipe):
    dossier = dossier_avec_binome(equipe)
    diagnostic_partage(equipe, dossier, freins=FREINS_DONT_UN_LEVE)
    assert domaines_prioritaires(dossier) == ["mobilite"]
    recap = recapituler(dossier)
    assert recap.freins_restants == ["mobilite"]
    assert recap.freins_leves == ["logement"]


def test_comparaison_un_frein_passe_a_leve_est_leve(equipe):
    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    v2 = services.demarrer(dossier=dossier, par=equipe.ts)
    v2 = services.enregistrer_social(
        diagnostic=v2,
        par=equipe.ts,
        revision=v2.revision_social,
        freins={"logement": FREINS_DONT_UN_LEVE["logement"]},
    )
    comparaison = services.comparer(v1, v2)
    assert comparaison.leves == ["logement"]
    assert "logement" not in comparaison.persistants + comparaison.ameliores
