"""Import des demandeurs qui ouvre les dossiers des personnes situées par le fichier :
leur agence, ou la commune d'un territoire d'action sociale (issue #15, point 4)."""

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import EvenementAudit, Role
from dossiers.imports.fichier import lire_fichier
from dossiers.imports.services import analyser, appliquer_import, proposer_correspondance
from dossiers.models import Demandeur, Dossier, Origine, StatutDossier, TypeEvenement
from tests.accompagnement.factories import DepartementFactory, StructureFactory
from tests.dossiers.factories import DemandeurFactory, DossierFactory, membre
from tests.dossiers.imports.test_imports import (
    ENTETES,
    FICHIERS,
    commande,
    csv_octets,
    deposer,
    personne,
)

pytestmark = pytest.mark.django_db

ENTETES_AGENCE = [*ENTETES, "Agence"]


@pytest.fixture
def departement():
    return DepartementFactory(code_insee="25", nom="Doubs")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lieux(departement):
    class Lieux:
        agence = StructureFactory(departement=departement, agence=True, nom="Agence Planoise")
        territoire = StructureFactory(
            departement=departement,
            territoire=True,
            nom="Territoire d'action sociale du Haut-Doubs",
            commune="Pontarlier",
        )
        direction = StructureFactory(departement=departement, direction=True, nom="Direction")

    return Lieux


@pytest.fixture
def animatrice(departement, lieux):
    return membre(Role.ANIMATRICE, departement, structure=lieux.direction)


def fichier(lignes):
    return csv_octets(lignes, entetes=ENTETES_AGENCE)


def analyse_de(contenu, departement):
    tableau = lire_fichier(contenu, "demandeurs.csv")
    correspondance = proposer_correspondance(tableau.entetes, departement)
    return analyser(tableau, departement=departement, correspondance=correspondance)


def lignes_variees():
    return [
        personne(1, Agence="Agence Planoise", Commune="Besançon"),  # agence seule
        personne(2, Agence="", Commune="PONTARLIER"),  # commune d'un territoire
        personne(3, Agence="Agence Planoise", Commune="Pontarlier"),  # les deux
        personne(4, Agence="", Commune="Ornans"),  # ni l'un ni l'autre
    ]


def test_dossiers_ouverts_pour_les_personnes_situees_par_agence_ou_commune(
    departement, lieux, animatrice
):
    resume = appliquer_import(
        analyse=analyse_de(fichier(lignes_variees()), departement),
        par=animatrice,
        ouvrir_dossiers=True,
    )
    assert (resume.crees, resume.dossiers_ouverts) == (4, 3)
    situation = {
        d.demandeur.nom: (d.agence, d.territoire)
        for d in Dossier.objects.select_related("demandeur", "agence", "territoire")
    }
    assert situation == {
        "Martin0001": (lieux.agence, None),
        "Martin0002": (None, lieux.territoire),
        "Martin0003": (lieux.agence, lieux.territoire),
    }
    assert Demandeur.objects.get(nom="Martin0004").dossiers.count() == 0
    dossier = Dossier.objects.get(demandeur__nom="Martin0002")
    assert (dossier.statut, dossier.origine) == (StatutDossier.A_ORIENTER, Origine.AUTRE)
    assert dossier.oriente_par == animatrice.user
    assert dossier.motif_orientation == "Import du fichier « demandeurs.csv »"
    # Ouvert par le service du parcours : journal et audit comme une ouverture à la main.
    assert dossier.journal.filter(type=TypeEvenement.OUVERTURE).count() == 1
    trace = EvenementAudit.objects.get(details__objet_type="import_demandeurs")
    assert len(trace.details["dossiers_ouverts"]) == 3


def test_sans_le_choix_aucun_dossier_n_est_ouvert(departement, lieux, animatrice):
    resume = appliquer_import(
        analyse=analyse_de(fichier(lignes_variees()), departement), par=animatrice
    )
    assert (resume.crees, resume.dossiers_ouverts) == (4, 0)
    assert not Dossier.objects.exists()


def test_personne_deja_suivie_pas_de_second_dossier_et_reimport_sans_doublon(
    departement, lieux, animatrice
):
    deja = DemandeurFactory(departement=departement, identifiant_ft="3000001A", agence=lieux.agence)
    DossierFactory(demandeur=deja, agence=lieux.agence)
    sans_dossier = DemandeurFactory(departement=departement, identifiant_ft="3000003A")
    lignes = [personne(1, Agence="Agence Planoise"), personne(3, Agence="Agence Planoise")]
    for ligne, fiche in zip(lignes, [deja, sans_dossier], strict=True):
        ligne.update(Nom=fiche.nom, Prénom=fiche.prenom)
        ligne["Date de naissance"] = f"{fiche.date_naissance:%d/%m/%Y}"
    resume = appliquer_import(
        analyse=analyse_de(fichier(lignes), departement), par=animatrice, ouvrir_dossiers=True
    )
    assert resume.dossiers_ouverts == 1  # la fiche mise à jour qui n'avait pas de dossier
    assert deja.dossiers.count() == 1 and sans_dossier.dossiers.get().agence == lieux.agence
    # Le même fichier une seconde fois : tout le monde a déjà son dossier ouvert.
    resume = appliquer_import(
        analyse=analyse_de(fichier(lignes), departement), par=animatrice, ouvrir_dossiers=True
    )
    assert resume.dossiers_ouverts == 0 and Dossier.objects.count() == 2


def test_ouvrir_sans_professionnel_refuse_et_rien_n_est_ecrit(departement, lieux):
    with pytest.raises(ErreurMetier, match="exige un professionnel"):
        appliquer_import(
            analyse=analyse_de(fichier(lignes_variees()), departement),
            par=None,
            ouvrir_dossiers=True,
        )
    assert not Demandeur.objects.exists() and not Dossier.objects.exists()


def test_commune_de_deux_territoires_ne_designe_personne(departement, lieux, animatrice):
    StructureFactory(departement=departement, territoire=True, commune="Pontarlier")
    resume = appliquer_import(
        analyse=analyse_de(fichier([personne(2, Agence="", Commune="Pontarlier")]), departement),
        par=animatrice,
        ouvrir_dossiers=True,
    )
    assert (resume.crees, resume.dossiers_ouverts) == (1, 0)


def test_page_case_a_cocher_puis_dossiers_ouverts_et_resume(
    client_de, departement, lieux, animatrice
):
    client = client_de(animatrice)
    deposer(client, fichier(lignes_variees()))
    client.post(
        reverse("dossiers:import_correspondance"),
        proposer_correspondance(ENTETES_AGENCE, departement),
    )
    contenu = client.get(reverse("dossiers:import_apercu")).content.decode()
    assert 'name="ouvrir_dossiers"' in contenu
    assert '<label class="form-check-label" for="id_ouvrir_dossiers">' in contenu
    response = client.post(reverse("dossiers:import_appliquer"), {"ouvrir_dossiers": "1"})
    assert response.status_code == 302 and Dossier.objects.count() == 3
    page = client.get(reverse("dossiers:import_resultat")).content.decode()
    assert "Dossiers ouverts (à orienter)</th><td>3</td>" in page


def test_page_sans_agence_ni_commune_pas_de_case(client_de, departement, lieux, animatrice):
    entetes = ["Civilité", "Nom", "Prénom", "Date de naissance"]
    client = client_de(animatrice)
    deposer(client, csv_octets([personne(1)], entetes=entetes))
    client.post(
        reverse("dossiers:import_correspondance"), proposer_correspondance(entetes, departement)
    )
    contenu = client.get(reverse("dossiers:import_apercu")).content.decode()
    assert "Importer" in contenu and 'name="ouvrir_dossiers"' not in contenu


def test_commande_ouvre_les_dossiers_au_nom_du_professionnel(
    departement, lieux, animatrice, tmp_path
):
    chemin = tmp_path / "demandeurs.csv"
    chemin.write_bytes(fichier(lignes_variees()))
    with pytest.raises(CommandError, match="exige --par"):
        commande(str(chemin), "--departement", "25", "--wet-run", "--ouvrir-dossiers")
    with pytest.raises(CommandError, match=r"aucun professionnel « inconnu@exemple\.test »"):
        commande(
            *(str(chemin), "--departement", "25", "--wet-run", "--ouvrir-dossiers"),
            *("--par", "inconnu@exemple.test"),
        )
    assert not Demandeur.objects.exists()
    sortie, _ = commande(
        *(str(chemin), "--departement", "25", "--wet-run", "--ouvrir-dossiers"),
        *("--par", animatrice.user.email.upper()),
    )
    assert "4 créée(s), 0 mise(s) à jour, 0 inchangée(s), 3 dossier(s) ouvert(s)." in sortie
    assert set(Dossier.objects.values_list("oriente_par", flat=True)) == {animatrice.user.pk}


def test_commande_sans_l_option_inchangee(departement):
    sortie, _ = commande(str(FICHIERS / "demandeurs_exemple.csv"), "--departement", "25")
    assert "dossier(s) ouvert(s)" not in sortie and not Dossier.objects.exists()
