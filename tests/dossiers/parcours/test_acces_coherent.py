"""Une règle d'accès aux dossiers, deux écritures : `niveau_acces` (Python, le détail d'un
dossier) et `Dossier.objects.visibles_par` / `visibles_en_entier_par` (SQL, les listes
et les 404). Pour chaque rattachement du catalogue (tests/dossiers/catalogue.py : chaque
rôle × sa structure ou une autre × place tenue, quittée ou aucune, dossier orienté ×
chaque statut et chaque axe × l'autre département), les deux disent la même chose sur
chacun des dossiers : une requête par rattachement, les dossiers construits une fois.

Écart trouvé et corrigé : `visibles_par` n'avait pas de clause « place tenue » pour le
rôle CONSEILLER (seulement pour le conseiller dédié, le travailleur social et le
correspondant) : un conseiller d'une autre agence à qui l'on confiait une place sur un
dossier recevait une 404 sur sa fiche et ne le voyait pas dans son portefeuille, alors
que `niveau_acces` lui donnait l'accès complet. `visibles_par` suit désormais
`niveau_acces` clause pour clause, et `visibles_en_entier_par` (accès complet) est le
périmètre des notes, des documents, des sollicitations et du journal."""

import pytest
from django.urls import reverse

from accompagnement.models import Role
from dossiers.models import Dossier, RoleAffectation
from dossiers.parcours import services
from dossiers.parcours.perms import Niveau, niveau_acces
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.catalogue import CLES, fixture_catalogue
from tests.dossiers.scenarios import nouveau_dossier

pytestmark = pytest.mark.django_db

catalogue_acces = fixture_catalogue()


def test_le_catalogue_atteint_chaque_niveau(catalogue_acces):
    """Le catalogue n'est pas vide de sens : chaque niveau y est atteint par chaque rôle
    professionnel, et chaque rattachement en atteint au moins un."""
    vus = {
        (cle.split("@")[0], niveau_acces(m, d))
        for cle, m in catalogue_acces.memberships.items()
        for d in catalogue_acces.dossiers
    }
    for role in ("conseiller", "conseiller_dedie", "travailleur_social", "correspondant_insertion"):
        assert {(role, Niveau.COMPLET), (role, Niveau.STATUT), (role, None)} <= vus
    assert ("animatrice", Niveau.COMPLET) in vus
    assert ("administrateur", None) in vus and ("administrateur", Niveau.STATUT) not in vus


@pytest.mark.parametrize("cle", CLES)
def test_visibles_par_equivaut_a_niveau_acces(catalogue_acces, cle, django_assert_num_queries):
    m = catalogue_acces.memberships[cle]
    attendus = {d.pk for d in catalogue_acces.dossiers if niveau_acces(m, d) is not None}
    with django_assert_num_queries(1 if m.role != "administrateur" else 0):
        obtenus = set(Dossier.objects.visibles_par(m).values_list("pk", flat=True))
    assert obtenus == attendus, catalogue_acces.ecart(cle, attendus, obtenus)


@pytest.mark.parametrize("cle", CLES)
def test_visibles_en_entier_par_equivaut_a_l_acces_complet(catalogue_acces, cle):
    m = catalogue_acces.memberships[cle]
    attendus = {d.pk for d in catalogue_acces.dossiers if niveau_acces(m, d) == Niveau.COMPLET}
    obtenus = set(Dossier.objects.visibles_en_entier_par(m).values_list("pk", flat=True))
    assert obtenus == attendus, catalogue_acces.ecart(cle, attendus, obtenus)


def test_sans_rattachement_rien():
    assert not Dossier.objects.visibles_par(None).exists()
    assert not Dossier.objects.visibles_en_entier_par(None).exists()


def test_conseiller_d_une_autre_agence_a_qui_l_on_confie_une_place(client_de, equipe):
    """Le cas signalé, de bout en bout par les services et les vues : un relais confie la
    place de conseiller à un conseiller d'une autre agence ; il ouvre la fiche (et non une
    404) et trouve le dossier dans son portefeuille."""
    dossier = nouveau_dossier(equipe)
    ailleurs = MembershipFactory(
        role=Role.CONSEILLER,
        structure=StructureFactory(agence=True, departement=equipe.departement),
    )
    assert niveau_acces(ailleurs, dossier) is None
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.CONSEILLER,
        professionnel=ailleurs,
        par=equipe.animatrice,
    )
    dossier = Dossier.objects.prefetch_related("affectations").get(pk=dossier.pk)
    assert niveau_acces(ailleurs, dossier) == Niveau.COMPLET
    client = client_de(ailleurs)
    assert client.get(reverse("dossiers:dossier", args=[dossier.uuid])).status_code == 200
    portefeuille = client.get(reverse("dossiers:portefeuille"))
    assert [d.pk for d in portefeuille.context["page"]] == [dossier.pk]
