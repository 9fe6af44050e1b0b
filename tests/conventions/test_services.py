"""Écritures des ressources locales : validation data·inclusion, identifiant généré,
audit, refus pour les ressources importées."""

import datetime as dt

import pytest

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, EvenementAudit
from conventions import services
from conventions.models import SOURCE_LOCALE
from tests.accompagnement.factories import DepartementFactory, UserFactory
from tests.conventions.factories import ServiceRessourceFactory, StructureRessourceFactory

pytestmark = pytest.mark.django_db

SERVICE = {
    "nom": "Permanence énergie",
    "description": "Conseils pour réduire ses factures d'énergie.",
    "thematiques": ["difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"],
    "zone_eligibilite": ["25"],
    "frais": ["gratuit"],
}


@pytest.fixture
def par():
    return UserFactory()


def test_creer_une_structure_et_un_service_locaux(par):
    dep = DepartementFactory()
    structure = services.creer_structure_locale(
        departement=dep, donnees={"nom": "Point accueil de Mouthe", "code_postal": "25240"}, par=par
    )
    assert structure.source == SOURCE_LOCALE and structure.est_locale
    assert structure.identifiant.startswith("point-accueil-de-mouthe-")
    service = services.creer_service_local(structure=structure, donnees=SERVICE, par=par)
    assert service.departement == dep and service.date_maj == dt.date.today()
    assert service.domaines == ["finances"] and service.texte_nom == "permanence energie"
    traces = EvenementAudit.objects.filter(acteur=par, action=ActionAudit.CREATION)
    assert {t.objet_id for t in traces} == {str(structure.uuid), str(service.uuid)}


def test_deux_services_de_meme_nom_ont_des_identifiants_distincts(par):
    structure = StructureRessourceFactory(locale=True)
    premier = services.creer_service_local(structure=structure, donnees=SERVICE, par=par)
    second = services.creer_service_local(structure=structure, donnees=SERVICE, par=par)
    assert premier.identifiant != second.identifiant


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({**SERVICE, "description": "abc"}, "description : trop court"),
        ({**SERVICE, "zone_eligibilite": ["abc$"]}, "zone d'éligibilité (valeur n°1) : code"),
        ({**SERVICE, "thematiques": ["inconnue"]}, "thématiques (valeur n°1) : valeur inconnue"),
        ({**SERVICE, "cree_par": None}, "Champs non modifiables : cree_par."),
    ],
)
def test_une_saisie_invalide_est_refusee(par, donnees, message):
    structure = StructureRessourceFactory(locale=True)
    with pytest.raises(ErreurMetier, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.creer_service_local(structure=structure, donnees=donnees, par=par)


def test_une_ressource_importee_ne_se_modifie_pas_ici(par):
    importe = ServiceRessourceFactory()
    with pytest.raises(ErreurMetier, match="corrigez-la à la source"):
        services.modifier_service_local(service=importe, donnees=SERVICE, par=par)
    with pytest.raises(ErreurMetier, match="corrigez-la à la source"):
        services.confirmer_a_jour(service=importe, par=par)
    with pytest.raises(ErreurMetier, match="corrigez-la à la source"):
        services.modifier_structure_locale(
            structure=importe.structure, donnees={"nom": "Autre"}, par=par
        )


def test_modifier_sans_changement_n_ecrit_rien(par):
    local = ServiceRessourceFactory(locale=True, ancien=True, **SERVICE)
    services.modifier_service_local(service=local, donnees=SERVICE, par=par)
    local.refresh_from_db()
    assert local.a_verifier  # pas redaté : rien n'a changé
    assert not EvenementAudit.objects.exists()


def test_changer_de_structure_reste_dans_le_departement(par):
    local = ServiceRessourceFactory(locale=True)
    autre = StructureRessourceFactory(departement=local.departement, nom="Nouvelle structure")
    services.modifier_service_local(service=local, donnees=SERVICE, structure=autre, par=par)
    local.refresh_from_db()
    assert local.structure == autre and "nouvelle structure" in local.texte_recherche
    ailleurs = StructureRessourceFactory(departement=DepartementFactory())
    with pytest.raises(ErreurMetier, match="même département"):
        services.modifier_service_local(service=local, donnees=SERVICE, structure=ailleurs, par=par)


def test_confirmer_a_jour(par):
    local = ServiceRessourceFactory(locale=True, ancien=True)
    services.confirmer_a_jour(service=local, par=par)
    local.refresh_from_db()
    assert local.date_maj == dt.date.today() and not local.a_verifier
    assert EvenementAudit.objects.get().details["motif"] == "fiche vérifiée"
