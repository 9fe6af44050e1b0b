"""Ticket 11 (gravité moyenne) : une sollicitation d'un domaine sensible (santé) ne dit
sa nature — domaine, service, structure — ni aux rôles France Travail ni à l'animatrice :
fiche, journal partagé, page d'étape, file, files de travail, notifications. Le côté
social et l'auteur la lisent en entier. Données existantes : migration 0010."""

import html
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Notification
from conventions.models import ServiceRessource, StructureRessource
from dossiers.models import (
    EvenementJournal,
    ModeSollicitation,
    TypeEvenement,
    Visibilite,
)
from dossiers.sollicitations import services as sollicitations
from reporting import files
from tests.dossiers.scenarios import en_axe_2

pytestmark = pytest.mark.django_db

STRUCTURE = "Centre d'addictologie Horizon"
SERVICE = "Consultation jeunes consommateurs"


def service_sante(departement, nom=SERVICE, structure=STRUCTURE):
    structure = StructureRessource.objects.create(
        departement=departement,
        source="test",
        identifiant=f"s-{nom}",
        nom=structure,
        date_maj=timezone.localdate(),
    )
    return ServiceRessource.objects.create(
        departement=departement,
        structure=structure,
        source="test",
        identifiant=f"svc-{nom}",
        nom=nom,
        date_maj=timezone.localdate(),
        thematiques=["sante--addictions"],
        courriel="accueil@horizon.test",
    )


@pytest.fixture
def sante(equipe):
    """Une sollicitation santé envoyée par le travailleur social du binôme (axe 2)."""
    dossier = en_axe_2(equipe)
    return sollicitations.creer_sollicitation(
        dossier=dossier,
        service=service_sante(equipe.departement),
        domaine="sante",
        besoin="Sevrage",
        mode=ModeSollicitation.CORRESPONDANT,
        correspondant=equipe.correspondant,
        par=equipe.ts,
        coordonnees_contact="",  # sans coordonnées : pas d'accord de transmission à exiger
        envoyer=True,
    )


def page(client_de, membership, nom, *args):
    reponse = client_de(membership).get(reverse(f"dossiers:{nom}", args=args))
    assert reponse.status_code == 200, (nom, reponse.status_code)
    return reponse.content.decode()


def revele(contenu, *, domaine=True):
    """Ce que la page dit de la nature de la sollicitation (le libellé « Santé » ne compte
    pas sur les pages dont un filtre propose tous les domaines)."""
    mots = (SERVICE, STRUCTURE, "Sevrage", *(("Santé",) if domaine else ()))
    return [m for m in mots if m in contenu or html.escape(m) in contenu]


def test_fiche_le_binome_france_travail_ne_lit_pas_la_nature(client_de, equipe, sante):
    uuid = sante.dossier.uuid
    for ft in (equipe.dedie, equipe.animatrice):
        contenu = page(client_de, ft, "dossier", uuid)
        assert revele(contenu) == [], ft.role
        assert "Ressource d'un domaine réservé au côté social" in contenu
    social = page(client_de, equipe.ts, "dossier", uuid)
    assert revele(social) == [SERVICE, STRUCTURE, "Sevrage", "Santé"]


def test_journal_partage_sans_la_nature(client_de, equipe, sante):
    evenements = EvenementJournal.objects.filter(
        dossier=sante.dossier, type=TypeEvenement.SOLLICITATION
    )
    assert evenements.exists()
    assert set(evenements.values_list("visibilite", flat=True)) == {Visibilite.SOCIALE}
    uuid = sante.dossier.uuid
    assert revele(page(client_de, equipe.dedie, "journal", uuid), domaine=False) == []
    assert SERVICE in page(client_de, equipe.ts, "journal", uuid)
    assert not EvenementJournal.objects.lisibles_par(equipe.dedie).filter(
        type=TypeEvenement.SOLLICITATION
    )


def test_page_d_etape_sans_la_nature(client_de, equipe, sante):
    contenu = page(client_de, equipe.dedie, "sollicitation_relancer", sante.uuid)
    assert revele(contenu) == []
    assert "Ressource d'un domaine réservé au côté social" in contenu


def test_files_de_l_animatrice_sans_la_nature(client_de, equipe, sante):
    contenu = page(client_de, equipe.animatrice, "sollicitations_a_traiter")
    assert "Ressource d'un domaine réservé au côté social" in contenu
    assert revele(contenu, domaine=False) == []
    file = files.FILES["sollicitations_sans_reponse"]
    lignes = files.remplir(equipe.animatrice, file).lignes
    assert lignes and all(SERVICE not in ligne.detail for ligne in lignes)
    # Le correspondant du territoire (côté social) lit tout.
    assert SERVICE in page(client_de, equipe.correspondant, "sollicitations_a_traiter")


def test_notifications_du_cote_france_travail_sans_la_nature(equipe, sante):
    sollicitations.accepter(sollicitation=sante, par=equipe.correspondant)
    ft = Notification.objects.filter(
        destinataire__in=[equipe.dedie.user, equipe.conseiller.user, equipe.animatrice.user]
    )
    assert all(not revele(f"{n.titre} {n.texte}") for n in ft)
    # L'auteur (côté social) est prévenu de la réponse, avec le service.
    assert Notification.objects.filter(destinataire=equipe.ts.user, texte__contains=SERVICE)


def test_migration_reserve_au_social_le_journal_existant(equipe, sante):
    EvenementJournal.objects.filter(objet_id=str(sante.uuid)).update(visibilite=Visibilite.PARTAGEE)
    autre = EvenementJournal.objects.filter(dossier=sante.dossier).exclude(objet_id=str(sante.uuid))
    avant = dict(autre.values_list("pk", "visibilite"))
    migration = importlib.import_module("dossiers.migrations.0010_journal_sollicitations_sensibles")
    migration.reserver_au_social(apps, None)
    assert set(
        EvenementJournal.objects.filter(objet_id=str(sante.uuid)).values_list(
            "visibilite", flat=True
        )
    ) == {Visibilite.SOCIALE}
    assert dict(autre.values_list("pk", "visibilite")) == avant
