import pytest
from django.urls import reverse

from accompagnement.models import Role
from tests.accompagnement.factories import (
    DepartementFactory,
    MembershipFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db

TITRES = {
    Role.CONSEILLER: "Axe 1 — ressources sociales",
    Role.CONSEILLER_DEDIE: "Vous êtes le <strong>référent</strong>",
    Role.TRAVAILLEUR_SOCIAL: "Vous intervenez sur le volet social",
    Role.CORRESPONDANT_INSERTION: "Vous faites le lien entre France Travail",
    Role.ANIMATRICE: "Vous coordonnez le dispositif",
    Role.ADMINISTRATEUR: "Vous administrez l'outil",
}


@pytest.mark.parametrize("role", list(Role))
def test_chaque_role_a_sa_page_d_accueil(client_de, professionnel, role):
    m = professionnel(role)
    response = client_de(m).get(reverse("accueil"))
    assert response.status_code == 200
    contenu = response.content.decode()
    assert TITRES[role] in contenu
    assert m.get_role_display() in contenu
    # L'administrateur garde l'accueil des structures ; les autres rôles ont « Aujourd'hui ».
    assert ("Structures et effectifs du département" in contenu) == (role == Role.ADMINISTRATEUR)
    assert (response.templates[0].name == "reporting/aujourdhui/accueil.html") == (
        role != Role.ADMINISTRATEUR
    )


def test_tableau_des_effectifs_compte_par_role_et_reste_dans_le_departement(client_de):
    animatrice = MembershipFactory(
        role=Role.ADMINISTRATEUR, structure=StructureFactory(direction=True)
    )
    dep = animatrice.structure.departement
    agence = StructureFactory(departement=dep, agence=True, nom="Agence Nord")
    MembershipFactory.create_batch(3, role=Role.CONSEILLER, structure=agence)
    MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
    MembershipFactory(role=Role.CONSEILLER, structure=agence, actif=False)
    orne = DepartementFactory(code_insee="61" if dep.code_insee != "61" else "14")
    StructureFactory(departement=orne, nom="Agence de l'Orne")
    response = client_de(animatrice).get(reverse("accueil"))
    structures = {s.nom: s for s in response.context["structures"]}
    assert "Agence de l'Orne" not in structures
    assert structures["Agence Nord"].conseiller == 3
    assert structures["Agence Nord"].conseiller_dedie == 1


def test_accueil_nombre_de_requetes_borne(client_de, django_assert_max_num_queries):
    animatrice = MembershipFactory(
        role=Role.ADMINISTRATEUR, structure=StructureFactory(direction=True)
    )
    dep = animatrice.structure.departement
    for i in range(10):
        agence = StructureFactory(departement=dep, agence=True, nom=f"Agence {i}")
        MembershipFactory.create_batch(2, role=Role.CONSEILLER, structure=agence)
    client = client_de(animatrice)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accueil")).status_code == 200


def test_annuaire_limite_au_departement_et_filtrable(client_de):
    m = MembershipFactory(role=Role.CONSEILLER, user__nom="Dupont", user__prenom="Aline")
    dep = m.structure.departement
    ts = MembershipFactory(
        role=Role.TRAVAILLEUR_SOCIAL,
        user__nom="Lefèvre",
        user__prenom="Hélène",
        structure=StructureFactory(departement=dep, territoire=True),
    )
    etranger = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, user__nom="Ailleurs")
    assert etranger.structure.departement != dep
    client = client_de(m)
    contenu = client.get(reverse("annuaire")).content.decode()
    assert "LEFÈVRE" in contenu and "DUPONT" in contenu
    assert "AILLEURS" not in contenu
    filtre = client.get(reverse("annuaire"), {"role": Role.TRAVAILLEUR_SOCIAL}).content.decode()
    assert "LEFÈVRE" in filtre and "DUPONT" not in filtre
    recherche = client.get(reverse("annuaire"), {"q": "hél"}).context["page"].object_list
    assert [x.pk for x in recherche] == [ts.pk]


def test_annuaire_etat_vide_et_partiel_htmx(client_de, professionnel):
    client = client_de(professionnel(Role.CONSEILLER))
    response = client.get(reverse("annuaire"), {"q": "personne"}, headers={"HX-Request": "true"})
    contenu = response.content.decode()
    assert "Aucun professionnel ne correspond" in contenu
    assert "<html" not in contenu  # fragment seul


def test_annuaire_requetes_constantes_et_pagination(client_de, django_assert_max_num_queries):
    m = MembershipFactory(role=Role.CONSEILLER)
    dep = m.structure.departement
    client = client_de(m)
    structure = StructureFactory(departement=dep, territoire=True)
    MembershipFactory.create_batch(5, role=Role.TRAVAILLEUR_SOCIAL, structure=structure)
    with django_assert_max_num_queries(7) as petit:
        client.get(reverse("annuaire"))
    MembershipFactory.create_batch(40, role=Role.TRAVAILLEUR_SOCIAL, structure=structure)
    with django_assert_max_num_queries(7) as grand:
        response = client.get(reverse("annuaire"))
    assert len(grand.captured_queries) == len(petit.captured_queries)
    assert response.context["page"].paginator.num_pages == 2
    assert "Page 1 sur 2" in response.content.decode()
