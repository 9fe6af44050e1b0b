import pytest
from django.urls import reverse

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import Role
from dossiers.journal import journaliser
from dossiers.models import Axe, EvenementJournal, MotifSortie, TypeEvenement, Visibilite
from dossiers.parcours import services
from tests.accompagnement.factories import MembershipFactory
from tests.dossiers.scenarios import en_axe_2

pytestmark = pytest.mark.django_db


def types(dossier):
    return list(dossier.journal.order_by("horodatage", "pk").values_list("type", flat=True))


def test_les_services_ecrivent_le_journal(equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    services.decider_changement_axe(
        demande=demande, accepter=False, motif="non", par=equipe.animatrice
    )
    services.modifier_demandeur(
        demandeur=dossier.demandeur, par=equipe.dedie, telephone="0102030405"
    )
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.IAE, par=equipe.dedie)
    assert types(dossier) == [
        TypeEvenement.OUVERTURE,
        TypeEvenement.AFFECTATION,  # conseiller de l'agence, à l'ouverture
        TypeEvenement.AFFECTATION,
        TypeEvenement.AFFECTATION,
        TypeEvenement.DIAGNOSTIC,
        TypeEvenement.ORIENTATION,
        TypeEvenement.AFFECTATION,  # relais du conseiller de l'agence (axe 2, ticket 11)
        TypeEvenement.CHANGEMENT_AXE,
        TypeEvenement.CHANGEMENT_AXE,
        TypeEvenement.FICHE,
        TypeEvenement.CLOTURE,
    ]
    derniers = dossier.journal.order_by("-horodatage", "-pk")
    assert "Insertion par l'activité économique" in derniers[0].resume
    assert "refusée" in derniers[2].resume


def test_un_echec_de_service_n_ecrit_rien_au_journal(equipe):
    dossier = en_axe_2(equipe)
    avant = dossier.journal.count()
    with pytest.raises(ErreurMetier):
        services.cloturer(dossier=dossier, motif_sortie="inconnu", par=equipe.dedie)
    assert dossier.journal.count() == avant


def test_fiche_et_page_journal_filtrable(client_de, equipe):
    dossier = en_axe_2(equipe)
    client = client_de(equipe.dedie)
    fiche = client.get(reverse("dossiers:dossier", args=[dossier.uuid])).content.decode()
    assert "Derniers événements" in fiche and "Entrée en axe 2 — accompagnement global" in fiche
    page = client.get(reverse("dossiers:journal", args=[dossier.uuid]), {"type": "affectation"})
    assert page.status_code == 200
    assert [e.type for e in page.context["page"].object_list] == [TypeEvenement.AFFECTATION] * 4
    partiel = client.get(
        reverse("dossiers:journal", args=[dossier.uuid]), headers={"HX-Request": "true"}
    )
    assert "<html" not in partiel.content.decode()


def test_evenement_social_invisible_cote_france_travail(client_de, equipe):
    dossier = en_axe_2(equipe)
    journaliser(
        dossier=dossier,
        type=TypeEvenement.NOTE,
        auteur=equipe.ts.user,
        resume="Note sociale ajoutée",
        visibilite=Visibilite.SOCIALE,
    )
    assert (
        EvenementJournal.objects.lisibles_par(equipe.ts)
        .filter(resume="Note sociale ajoutée")
        .exists()
    )
    for membership in (equipe.dedie, equipe.animatrice):
        assert (
            not EvenementJournal.objects.lisibles_par(membership)
            .filter(resume="Note sociale ajoutée")
            .exists()
        )
    page = client_de(equipe.dedie).get(reverse("dossiers:journal", args=[dossier.uuid]))
    assert "Note sociale ajoutée" not in page.content.decode()


def test_journal_acces(client_de, equipe):
    dossier = en_axe_2(equipe)
    cible = reverse("dossiers:journal", args=[dossier.uuid])
    assert client_de(MembershipFactory(role=Role.ANIMATRICE)).get(cible).status_code == 404
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    assert client_de(collegue).get(cible).status_code == 403
    assert client_de(equipe.animatrice).get(cible).status_code == 200
