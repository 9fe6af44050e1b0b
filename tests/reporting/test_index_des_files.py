"""Les index partiels des files de « Aujourd'hui » (migration reporting/0007, décision 95)
servent bien leur file : leur filtre est écrit en SQL dans la migration, celui de la file
par l'ORM depuis les constantes des modèles (statuts terminés, en cours, en attente, axes
à renouveler). Si l'un change sans l'autre, PostgreSQL ne peut plus prouver que l'index
couvre la requête et n'a plus le droit de s'en servir : ce test échoue.

Sur une base de test presque vide, le planificateur lirait la table ; les lectures
séquentielles, par bitmap et les tris sont donc découragés (`enable_* = off`) : il reste
alors à lire les lignes dans l'ordre du tri de la file, ce que seul l'index attendu sait
faire."""

import pytest
from django.db import connection

from reporting import files

pytestmark = pytest.mark.django_db

# (rôle de l'équipe, file) → l'index qui doit servir sa page.
INDEX_DES_FILES = {
    ("animatrice", "actions_en_retard"): "files_action_ouverte_echeance",
    ("animatrice", "renouvellements"): "files_periode_a_renouveler",
    ("animatrice", "sans_binome"): "files_dossier_axe2_entree",
    ("animatrice", "sollicitations_sans_reponse"): "files_sollicitation_en_attente",
    ("animatrice", "prescriptions_en_retard"): "files_prescription_en_cours",
    ("correspondant", "prescriptions_en_retard"): "files_prescription_en_cours",
    ("dedie", "prescriptions_a_prendre"): "files_prescription_a_prendre",
    ("correspondant", "prescriptions_a_designer"): "files_prescription_a_designer",
    ("correspondant", "reorientations"): "files_prescription_a_designer",
    ("conseiller", "rendez_vous"): "files_rendez_vous_debut",
}


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as curseur:
        curseur.execute("SET enable_seqscan = off")
        curseur.execute("SET enable_bitmapscan = off")
        curseur.execute("SET enable_sort = off")
        try:
            curseur.execute("EXPLAIN " + sql, params)
            return "\n".join(ligne for (ligne,) in curseur.fetchall())
        finally:
            curseur.execute("RESET enable_seqscan")
            curseur.execute("RESET enable_bitmapscan")
            curseur.execute("RESET enable_sort")


@pytest.mark.parametrize(("qui", "cle"), sorted(INDEX_DES_FILES))
def test_la_page_d_une_file_suit_son_index(equipe, qui, cle):
    membership = getattr(equipe, qui)
    assert cle in files.FILES_PAR_ROLE[membership.role]
    texte = plan(files.FILES[cle].requete(membership)[:5])
    assert INDEX_DES_FILES[qui, cle] in texte, texte


def test_le_compte_de_l_axe_2_sans_binome_lit_ses_cles_dans_l_index(equipe):
    """Le compte (sans tri) parcourt les dossiers de l'axe 2 par clé, pour l'anti-jointure
    en fusion sur les places ouvertes, dans l'index partiel et non dans toute la table."""
    qs = files.FILES["sans_binome"].requete(equipe.animatrice).order_by("pk").values("pk")
    texte = plan(qs[: files.PLAFOND_COMPTEUR + 1])
    assert "files_dossier_axe2_ouvert" in texte, texte
