"""Pages de la base de ressources : droits de chaque rôle (autre département → 404,
administrateur → 403), fiche d'un service, services à vérifier, page d'import, saisie des
ressources locales, nombre de requêtes constant."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import EvenementAudit, Role
from conventions.models import SOURCE_LOCALE, ServiceRessource, StructureRessource
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.conventions.factories import ServiceRessourceFactory, StructureRessourceFactory
from tests.conventions.test_imports import INVALIDE, octets, service, structure

pytestmark = pytest.mark.django_db

TOUS_SAUF_ADMIN = ["conseiller", "dedie", "ts", "correspondant", "animatrice"]
GESTION = ["correspondant", "animatrice"]
SANS_GESTION = ["conseiller", "dedie", "ts"]


@pytest.fixture
def admin(equipe):
    return MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)


@pytest.fixture
def base(equipe):
    """Un service importé, un service local, un service ancien ; et un service ailleurs."""
    dep = equipe.departement
    ccas = StructureRessourceFactory(departement=dep, nom="CCAS de Morteau", telephone="0381000000")
    locale = StructureRessourceFactory(departement=dep, locale=True, nom="Permanence du Russey")

    class Base:
        importe = ServiceRessourceFactory(
            structure=ccas,
            nom="Aide alimentaire",
            conditions_acces="Sur orientation d'un travailleur social.",
            modes_mobilisation=["telephoner"],
            mobilisable_par=["professionnels"],
            lien_mobilisation="https://exemple.org/orienter",
            zone_eligibilite=["25411", "25"],
            commune="Morteau",
            code_insee="25411",
        )
        local = ServiceRessourceFactory(structure=locale, nom="Permanence logement")
        ancien = ServiceRessourceFactory(structure=ccas, nom="Vestiaire", ancien=True)
        ailleurs = ServiceRessourceFactory(
            structure__departement=DepartementFactory(), nom="Service d'un autre département"
        )

    Base.ccas, Base.locale = ccas, locale
    return Base


def _get(client_de, membership, nom, *args, **params):
    return client_de(membership).get(reverse(f"conventions:{nom}", args=args), params)


# --- Droits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", TOUS_SAUF_ADMIN)
def test_l_annuaire_et_les_fiches_pour_tous_sauf_l_administrateur(client_de, equipe, base, qui):
    membership = getattr(equipe, qui)
    assert _get(client_de, membership, "annuaire").status_code == 200
    assert _get(client_de, membership, "service", base.importe.uuid).status_code == 200
    assert _get(client_de, membership, "structure", base.ccas.uuid).status_code == 200


def test_l_administrateur_n_a_pas_acces(client_de, admin, base):
    for nom, args in [
        ("annuaire", ()),
        ("service", (base.importe.uuid,)),
        ("structure", (base.ccas.uuid,)),
        ("a_verifier", ()),
        ("import", ()),
        ("service_creer", ()),
    ]:
        assert _get(client_de, admin, nom, *args).status_code == 403, nom


@pytest.mark.parametrize("qui", ["conseiller", "animatrice"])
def test_une_ressource_d_un_autre_departement_est_introuvable(client_de, equipe, base, qui):
    membership = getattr(equipe, qui)
    ailleurs = base.ailleurs
    assert _get(client_de, membership, "service", ailleurs.uuid).status_code == 404
    assert _get(client_de, membership, "structure", ailleurs.structure.uuid).status_code == 404


def test_une_ressource_locale_d_un_autre_departement_n_est_pas_modifiable(client_de, equipe):
    ailleurs = ServiceRessourceFactory(structure__departement=DepartementFactory(), locale=True)
    client = client_de(equipe.animatrice)
    for nom, args in [
        ("service_modifier", (ailleurs.uuid,)),
        ("structure_modifier", (ailleurs.structure.uuid,)),
    ]:
        assert client.get(reverse(f"conventions:{nom}", args=args)).status_code == 404
    url = reverse("conventions:service_confirmer", args=[ailleurs.uuid])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("qui", GESTION)
def test_les_pages_de_gestion_pour_l_animatrice_et_le_correspondant(client_de, equipe, base, qui):
    membership = getattr(equipe, qui)
    for nom, args in [
        ("a_verifier", ()),
        ("import", ()),
        ("service_creer", ()),
        ("structure_creer", ()),
        ("service_modifier", (base.local.uuid,)),
        ("structure_modifier", (base.locale.uuid,)),
    ]:
        assert _get(client_de, membership, nom, *args).status_code == 200, nom
    assert _get(client_de, membership, "import_rapport").status_code == 302  # aucun import


@pytest.mark.parametrize("qui", SANS_GESTION)
def test_les_pages_de_gestion_refusees_aux_autres_roles(client_de, equipe, base, qui):
    membership = getattr(equipe, qui)
    for nom, args in [
        ("a_verifier", ()),
        ("import", ()),
        ("import_rapport", ()),
        ("service_creer", ()),
        ("structure_creer", ()),
        ("service_modifier", (base.local.uuid,)),
        ("structure_modifier", (base.locale.uuid,)),
    ]:
        assert _get(client_de, membership, nom, *args).status_code == 403, nom
    url = reverse("conventions:service_confirmer", args=[base.local.uuid])
    assert client_de(membership).post(url).status_code == 403


def test_une_ressource_importee_ne_se_modifie_pas_ici(client_de, equipe, base):
    client = client_de(equipe.animatrice)
    assert (
        client.get(reverse("conventions:service_modifier", args=[base.importe.uuid])).status_code
        == 403
    )
    assert (
        client.get(reverse("conventions:structure_modifier", args=[base.ccas.uuid])).status_code
        == 403
    )
    url = reverse("conventions:service_confirmer", args=[base.importe.uuid])
    assert client.post(url).status_code == 403


# --- Fiches -----------------------------------------------------------------------------------


def test_fiche_d_un_service(client_de, equipe, base):
    response = _get(client_de, equipe.conseiller, "service", base.importe.uuid)
    contenu = response.content.decode()
    for attendu in [
        "Aide alimentaire",
        "CCAS de Morteau",
        "0381000000",  # téléphone de la structure, à défaut de celui du service
        "Sur orientation d&#x27;un travailleur social.",
        "Téléphoner",
        "Professionnels",
        'href="https://exemple.org/orienter"',
        "Morteau (25411), Tout le département (25)",
        "Louer un logement",
    ]:
        assert attendu in contenu, attendu
    assert "À vérifier" not in contenu
    assert "Modifier" not in contenu  # conseiller, et service importé


def test_un_service_ancien_est_signale(client_de, equipe, base):
    contenu = _get(client_de, equipe.conseiller, "service", base.ancien.uuid).content.decode()
    assert "À vérifier" in contenu and "depuis plus de 12 mois" in contenu
    annuaire = _get(client_de, equipe.conseiller, "annuaire").content.decode()
    assert annuaire.count("À vérifier</span>") == 1


def test_fiche_d_une_structure(client_de, equipe, base):
    contenu = _get(client_de, equipe.ts, "structure", base.ccas.uuid).content.decode()
    assert "Aide alimentaire" in contenu and "Vestiaire" in contenu
    assert "Services (2)" in contenu


# --- À vérifier -------------------------------------------------------------------------------


def test_la_page_a_verifier_liste_les_services_anciens_du_departement(client_de, equipe, base):
    ServiceRessourceFactory(
        structure__departement=DepartementFactory(), ancien=True, nom="Ancien ailleurs"
    )
    local_ancien = ServiceRessourceFactory(structure=base.locale, ancien=True, nom="Local ancien")
    response = _get(client_de, equipe.correspondant, "a_verifier")
    # Du plus ancien au plus récent, puis par nom.
    assert [s.nom for s in response.context["page"]] == ["Local ancien", "Vestiaire"]
    contenu = response.content.decode()
    assert "Ancien ailleurs" not in contenu
    # Un service local se marque comme vérifié ; il sort de la liste.
    client = client_de(equipe.correspondant)
    url = reverse("conventions:service_confirmer", args=[local_ancien.uuid])
    response = client.post(url, {"suite": "liste"})
    assert response.url == reverse("conventions:a_verifier")
    local_ancien.refresh_from_db()
    assert local_ancien.date_maj == dt.date.today() and not local_ancien.a_verifier
    assert [s.nom for s in client.get(reverse("conventions:a_verifier")).context["page"]] == [
        "Vestiaire"
    ]


# --- Import -----------------------------------------------------------------------------------


def _deposer(client, contenu: bytes, nom="ressources.json", partiel=False):
    donnees = {"fichier": SimpleUploadedFile(nom, contenu)}
    if partiel:
        donnees["accepter_partiel"] = "on"
    return client.post(reverse("conventions:import"), donnees, follow=True)


@pytest.mark.parametrize("qui", GESTION)
def test_import_du_fichier_de_demo_puis_rapport(client_de, equipe, demo_octets, qui):
    client = client_de(getattr(equipe, qui))
    response = _deposer(client, demo_octets, "ressources_demo.json")
    assert response.redirect_chain[-1][0] == reverse("conventions:import_rapport")
    contenu = response.content.decode()
    assert "Import terminé." in contenu
    nombre = ServiceRessource.objects.filter(departement=equipe.departement).count()
    assert nombre >= 200
    assert f"<td>{nombre}</td>" in contenu
    trace = EvenementAudit.objects.get(details__objet_type="import_ressources")
    assert trace.acteur == getattr(equipe, qui).user
    # Le même fichier une seconde fois : rien ne change.
    contenu = _deposer(client, demo_octets, "ressources_demo.json").content.decode()
    assert "la base était déjà à jour, rien n'a changé" in contenu


def test_import_refuse_par_defaut_puis_partiel(client_de, equipe):
    client = client_de(equipe.animatrice)
    contenu = octets([structure()], [service(1), INVALIDE])
    page = _deposer(client, contenu).content.decode()
    assert "Rien n'a été importé" in page
    assert "service n°2" in page and "adresse de courriel invalide" in page
    assert ServiceRessource.objects.count() == 0
    page = _deposer(client, contenu, partiel=True).content.decode()
    assert "Import partiel" in page and "service n°2" in page
    assert ServiceRessource.objects.get().identifiant == "dora--sv1"


def test_un_fichier_casse_est_explique_sur_la_page(client_de, equipe):
    client = client_de(equipe.animatrice)
    response = _deposer(client, '{"structures": ["é"]}'.encode() + b"\xe9")
    assert response.status_code == 200 and not response.redirect_chain
    assert "n&#x27;est pas encodé en UTF-8" in response.content.decode()
    response = _deposer(client, b"{}", "ressources.xlsx")
    assert "Déposez un fichier .json ou .csv." in response.content.decode()


def test_un_rapport_d_un_autre_departement_n_est_pas_montre(client_de, equipe):
    client = client_de(equipe.animatrice)
    _deposer(client, octets([structure()]))
    session = client.session
    session["import_ressources_rapport"]["departement"] = -1
    session.save()
    assert client.get(reverse("conventions:import_rapport")).status_code == 302


# --- Saisie des ressources locales ------------------------------------------------------------

STRUCTURE_LOCALE = {
    "nom": "Permanence sociale de Mouthe",
    "code_postal": "25240",
    "commune": "Mouthe",
    "code_insee": "25413",
    "telephone": "03 81 00 00 00",
    "reseaux_porteurs": ["communes"],
}


def _service_local(structure, **autres) -> dict:
    return {
        "structure": str(structure.uuid),
        "nom": "Aide au transport solidaire",
        "description": "Des bénévoles conduisent aux rendez-vous.",
        "thematiques": ["mobilite--mobilite-douce-partagee-collective"],
        "publics": ["tous-publics"],
        "frais": "gratuit",
        "zone_eligibilite": "25413, 25",
        "modes_accueil": ["en-presentiel"],
        "modes_mobilisation": ["telephoner"],
        "mobilisable_par": ["professionnels", "usagers"],
        **autres,
    }


def test_saisie_d_une_structure_puis_d_un_service_locaux(client_de, equipe):
    client = client_de(equipe.correspondant)
    response = client.post(reverse("conventions:structure_creer"), STRUCTURE_LOCALE)
    structure_ = StructureRessource.objects.get()
    assert response.url == reverse("conventions:structure", args=[structure_.uuid])
    assert structure_.source == SOURCE_LOCALE and structure_.identifiant.startswith(
        "permanence-sociale-de-mouthe-"
    )
    assert structure_.departement == equipe.departement
    assert structure_.date_maj == dt.date.today() and structure_.reseaux_porteurs == ["communes"]
    response = client.post(reverse("conventions:service_creer"), _service_local(structure_))
    service_ = ServiceRessource.objects.get()
    assert response.url == reverse("conventions:service", args=[service_.uuid])
    assert service_.zone_eligibilite == ["25413", "25"] and service_.frais == ["gratuit"]
    assert service_.domaines == ["mobilite"] and service_.cree_par == equipe.correspondant.user
    assert "permanence sociale de mouthe" in service_.texte_recherche
    assert EvenementAudit.objects.filter(objet_id=str(service_.uuid)).count() == 1


def test_la_saisie_est_validee_clairement(client_de, equipe):
    client = client_de(equipe.animatrice)
    structure_ = StructureRessourceFactory(departement=equipe.departement, locale=True)
    donnees = _service_local(
        structure_,
        nom="Ab",
        thematiques=[],
        zone_eligibilite="25413, Mouthe",
        publics=["tous-publics", "jeunes"],
        courriel="pas-un-courriel",
    )
    response = client.post(reverse("conventions:service_creer"), donnees)
    assert response.status_code == 200 and ServiceRessource.objects.count() == 0
    erreurs = response.context["form"].errors
    assert erreurs["thematiques"] == ["Choisissez au moins une thématique."]
    assert erreurs["zone_eligibilite"][0].startswith("Codes non reconnus : MOUTHE.")
    assert "ne se combine pas" in erreurs["publics"][0]
    assert erreurs["courriel"]
    assert erreurs["nom"] == ["Trop court (« Ab » : 3 caractères au moins)."]
    # Les règles du schéma data·inclusion s'appliquent aussi aux champs libres.
    response = client.post(
        reverse("conventions:service_creer"), _service_local(structure_, code_postal="2524")
    )
    assert response.context["form"].errors["code_postal"] == [
        "Trop court (« 2524 » : 5 caractères au moins)."
    ]


def test_modification_d_un_service_local(client_de, equipe, base):
    client = client_de(equipe.animatrice)
    url = reverse("conventions:service_modifier", args=[base.local.uuid])
    page = client.get(url)
    assert page.context["form"].initial["frais"] == ""
    donnees = _service_local(base.locale, nom="Permanence logement et énergie")
    response = client.post(url, donnees)
    assert response.status_code == 302
    base.local.refresh_from_db()
    assert base.local.nom == "Permanence logement et énergie"
    assert base.local.texte_nom == "permanence logement et energie"
    assert base.local.date_maj == dt.date.today()
    trace = EvenementAudit.objects.get(objet_id=str(base.local.uuid))
    assert "nom" in trace.details["champs"]


def test_modification_d_une_structure_locale_met_a_jour_la_recherche(client_de, equipe, base):
    client = client_de(equipe.animatrice)
    url = reverse("conventions:structure_modifier", args=[base.locale.uuid])
    response = client.post(url, {**STRUCTURE_LOCALE, "nom": "Maison France services du Russey"})
    assert response.status_code == 302
    base.local.refresh_from_db()
    assert "maison france services du russey" in base.local.texte_recherche


# --- Nombre de requêtes -----------------------------------------------------------------------


def _requetes(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url, params or {}).status_code == 200
    return len(requetes)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "aide logement", "domaine": "logement", "lieu": "Besançon", "public": "jeunes"}],
)
def test_annuaire_en_nombre_de_requetes_constant(
    client_de, equipe, django_assert_max_num_queries, params
):
    client = client_de(equipe.animatrice)
    dep = equipe.departement
    for i in range(3):
        ServiceRessourceFactory(structure__departement=dep, nom=f"Aide logement {i}")
    petit = _requetes(client, reverse("conventions:annuaire"), params)
    assert petit <= 10
    for i in range(40):
        ServiceRessourceFactory(
            structure__departement=dep,
            nom=f"Aide logement {i + 3}",
            commune=f"Commune {i}",
            code_insee=f"25{i:03d}",
        )
    with django_assert_max_num_queries(petit):
        response = client.get(reverse("conventions:annuaire"), params)
    assert len(response.context["page"].object_list) == 20


def test_a_verifier_en_nombre_de_requetes_constant(
    client_de, equipe, django_assert_max_num_queries
):
    client = client_de(equipe.correspondant)
    url = reverse("conventions:a_verifier")
    ServiceRessourceFactory(structure__departement=equipe.departement, ancien=True)
    petit = _requetes(client, url)
    for _ in range(30):
        ServiceRessourceFactory(structure__departement=equipe.departement, ancien=True)
    with django_assert_max_num_queries(petit):
        client.get(url)


# --- Menu -------------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", [*TOUS_SAUF_ADMIN, "admin"])
def test_l_entree_ressources_du_menu(client_de, equipe, admin, qui):
    membership = admin if qui == "admin" else getattr(equipe, qui)
    contenu = client_de(membership).get(reverse("accueil")).content.decode()
    lien = f'href="{reverse("conventions:annuaire")}"'
    assert (lien in contenu) is (qui != "admin")
