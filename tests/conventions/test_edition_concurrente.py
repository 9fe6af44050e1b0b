"""Ticket 14, point 4 : deux professionnels modifient la même structure locale de la base
de ressources. L'empreinte de la fiche lue part avec le formulaire (champ caché) ; la
seconde saisie, partie d'une fiche périmée, est refusée (409, message en français, saisie
conservée) au lieu d'écraser la première."""

import html

import pytest
from django.urls import reverse

from accompagnement.exceptions import ConflitEdition
from conventions import services
from conventions.models import StructureRessource
from tests.conventions.factories import StructureRessourceFactory
from tests.conventions.test_vues import STRUCTURE_LOCALE

pytestmark = pytest.mark.django_db


@pytest.fixture
def locale(equipe):
    return StructureRessourceFactory(
        departement=equipe.departement, locale=True, **STRUCTURE_LOCALE
    )


def test_deux_saisies_concurrentes_la_seconde_est_en_conflit(client_de, equipe, locale):
    url = reverse("conventions:structure_modifier", args=[locale.uuid])
    page = client_de(equipe.animatrice).get(url).content.decode()
    lue = services.empreinte(locale)
    assert f'name="empreinte" value="{lue}"' in page

    premiere = {**STRUCTURE_LOCALE, "empreinte": lue, "telephone": "03 81 11 11 11"}
    seconde = {**STRUCTURE_LOCALE, "empreinte": lue, "horaires_accueil": "Lundi 9 h - 12 h"}
    assert client_de(equipe.animatrice).post(url, premiere).status_code == 302

    reponse = client_de(equipe.correspondant).post(url, seconde)
    contenu = html.unescape(reponse.content.decode())
    assert reponse.status_code == 409
    assert "modifié par quelqu'un d'autre pendant votre saisie" in contenu
    assert 'value="Lundi 9 h - 12 h"' in contenu  # la saisie n'est pas perdue
    relue = StructureRessource.objects.get(pk=locale.pk)
    assert relue.telephone.replace(" ", "") == "0381111111" and relue.horaires_accueil == ""

    # Rechargée, la fiche porte la nouvelle empreinte : la saisie repart et passe.
    a_jour = {**seconde, "telephone": "03 81 11 11 11", "empreinte": services.empreinte(relue)}
    assert client_de(equipe.correspondant).post(url, a_jour).status_code == 302
    relue.refresh_from_db()
    assert relue.horaires_accueil == "Lundi 9 h - 12 h"


def test_le_service_refuse_une_empreinte_perimee(equipe, locale):
    lue = services.empreinte(locale)
    services.modifier_structure_locale(
        structure=locale,
        donnees={**STRUCTURE_LOCALE, "telephone": "03 81 22 22 22"},
        par=equipe.animatrice.user,
        empreinte_lue=lue,
    )
    with pytest.raises(ConflitEdition, match="Rechargez la page"):
        services.modifier_structure_locale(
            structure=locale,
            donnees={**STRUCTURE_LOCALE, "horaires_accueil": "Mardi"},
            par=equipe.animatrice.user,
            empreinte_lue=lue,
        )
    relue = StructureRessource.objects.get(pk=locale.pk)
    assert (relue.telephone, relue.horaires_accueil) == ("03 81 22 22 22", "")
