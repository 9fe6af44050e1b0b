"""Ticket 11 (gravité basse) : deux modifications concurrentes de la fiche d'une personne —
la seconde ne doit plus effacer la première. Verrouillage optimiste : la version lue part
avec le formulaire (champ caché) ; si la fiche a changé entre-temps, 409, message en
français qui invite à recharger, saisie conservée, rien d'écrit."""

import html

import pytest
from django.urls import reverse

from accompagnement.exceptions import ConflitEdition
from dossiers.models import Demandeur
from dossiers.parcours import forms, services
from tests.dossiers.scenarios import nouveau_dossier

pytestmark = pytest.mark.django_db


def test_le_service_refuse_une_version_perimee(equipe):
    dossier = nouveau_dossier(equipe)
    lue = dossier.demandeur.version
    services.modifier_demandeur(
        demandeur=dossier.demandeur, par=equipe.conseiller, version=lue, telephone="0601020304"
    )
    with pytest.raises(ConflitEdition, match="rechargez la page"):
        services.modifier_demandeur(
            demandeur=dossier.demandeur, par=equipe.conseiller, version=lue, commune="Dole"
        )
    demandeur = Demandeur.objects.get(pk=dossier.demandeur.pk)
    assert (demandeur.telephone, demandeur.commune) == ("0601020304", "")
    assert demandeur.version == lue + 1


def donnees_du_formulaire(equipe, demandeur, **changements):
    form = forms.DemandeurForm(instance=demandeur, departement=equipe.departement)
    donnees = {}
    for nom in form.fields:
        valeur = form[nom].value()
        if valeur in (None, False, ""):
            continue
        donnees[nom] = valeur.isoformat() if hasattr(valeur, "isoformat") else valeur
    return {**donnees, **changements}


def test_deux_saisies_concurrentes_la_seconde_est_en_conflit(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    url = reverse("dossiers:modifier_personne", args=[dossier.uuid])
    page = client_de(equipe.conseiller).get(url).content.decode()
    assert f'name="version" value="{dossier.demandeur.version}"' in page

    # Deux professionnels ouvrent la fiche à la même version.
    premiere = donnees_du_formulaire(equipe, dossier.demandeur, telephone="0601020304")
    seconde = donnees_du_formulaire(equipe, dossier.demandeur, commune="Pontarlier")
    assert client_de(equipe.conseiller).post(url, premiere).status_code == 302

    reponse = client_de(equipe.animatrice).post(url, seconde)
    contenu = html.unescape(reponse.content.decode())
    assert reponse.status_code == 409
    assert "modifiée par quelqu'un d'autre pendant votre saisie" in contenu
    assert "rechargez la page" in contenu
    assert 'value="Pontarlier"' in contenu  # la saisie n'est pas perdue
    demandeur = Demandeur.objects.get(pk=dossier.demandeur.pk)
    assert (demandeur.telephone, demandeur.commune) == ("0601020304", "")

    # Rechargée, la fiche porte la nouvelle version : la saisie repart et passe.
    a_jour = donnees_du_formulaire(equipe, demandeur, commune="Pontarlier")
    assert client_de(equipe.animatrice).post(url, a_jour).status_code == 302
    demandeur.refresh_from_db()
    assert (demandeur.telephone, demandeur.commune) == ("0601020304", "Pontarlier")


def test_la_creation_n_a_pas_de_version(equipe):
    assert "version" not in forms.DemandeurForm(departement=equipe.departement).fields
