"""Lire une sollicitation : `peut_voir_sollicitation` (Python) et
`Sollicitation.objects.visibles_par` (SQL, les listes et les 404 des étapes) disent la
même chose, pour chaque rattachement du catalogue (tests/dossiers/catalogue.py) et chaque
sollicitation (directe, ou adressée au correspondant du territoire du dossier ou d'un
autre territoire) de chacun de ses dossiers.

Écart trouvé et corrigé : dossiers/sollicitations/perms.py n'avait pas de droit de
lecture (`peut_gerer_sollicitation` et `peut_repondre_sollicitation` décident des étapes,
`peut_lire_besoin` d'un seul champ) ; la règle n'était écrite que dans `visibles_par`, qui
prenait les sollicitations de tous les dossiers visibles, y compris ceux vus en statut
seul (conseiller de l'agence sur un dossier en axe 2 ou 3, professionnel qui a orienté ou
quitté le dossier) — alors que la fiche ne montre les sollicitations qu'à l'accès complet
et que les pages des étapes répondaient 403 à ces rattachements. La règle est maintenant
`peut_voir_sollicitation` : accès complet au dossier, ou correspondant insertion du
territoire auquel la sollicitation est adressée ; `visibles_par` la suit clause pour
clause (le statut seul reçoit une 404, comme un objet hors périmètre)."""

import pytest

from dossiers.models import Sollicitation
from dossiers.sollicitations.perms import peut_voir_sollicitation
from tests.dossiers.catalogue import AUCUN, CLES, ajouter_sollicitations, fixture_catalogue

pytestmark = pytest.mark.django_db

catalogue_acces = fixture_catalogue(ajouter_sollicitations)


@pytest.mark.parametrize("cle", CLES)
def test_visibles_par_equivaut_a_peut_voir_sollicitation(catalogue_acces, cle):
    m = catalogue_acces.memberships[cle]
    attendues = {s.pk for s in catalogue_acces.sollicitations if peut_voir_sollicitation(m, s)}
    obtenues = set(Sollicitation.objects.visibles_par(m).values_list("pk", flat=True))
    par_pk = {s.pk: s for s in catalogue_acces.sollicitations}

    def decrire(pks):
        return [
            f"{catalogue_acces.decrire(cle, par_pk[pk].dossier)} "
            f"via {getattr(par_pk[pk].correspondant, 'structure', 'aucun correspondant')}"
            for pk in sorted(pks)
        ]

    assert obtenues == attendues, (
        f"{cle} — selon peut_voir_sollicitation seulement : {decrire(attendues - obtenues)} ; "
        f"selon visibles_par seulement : {decrire(obtenues - attendues)}"
    )


def test_le_correspondant_lit_ce_qui_est_adresse_a_son_territoire_hors_de_ses_dossiers(
    catalogue_acces,
):
    """Le cas que seule la seconde clause couvre : adressée au territoire 1, sur un dossier
    du territoire 2 où le correspondant n'a aucun lien (et n'a donc pas l'accès complet)."""
    cle = "correspondant_insertion@territoire1/ici"
    m = catalogue_acces.memberships[cle]
    adressees = {
        s.pk
        for s in catalogue_acces.sollicitations
        if s.dossier.dep == "ici"
        and s.correspondant_id
        and s.correspondant.structure_id == m.structure_id
        and s.dossier.territoire_id != m.structure_id
        and catalogue_acces.liens[cle, s.dossier.pk] == AUCUN
    }
    assert adressees
    lues = {s.pk for s in catalogue_acces.sollicitations if peut_voir_sollicitation(m, s)}
    assert adressees <= lues
    assert adressees <= set(Sollicitation.objects.visibles_par(m).values_list("pk", flat=True))


def test_sans_rattachement_rien(catalogue_acces):
    assert not Sollicitation.objects.visibles_par(None).exists()
    assert not any(peut_voir_sollicitation(None, s) for s in catalogue_acces.sollicitations)
