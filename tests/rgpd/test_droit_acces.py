"""Droit d'accès : l'administrateur du département exporte tout ce qui est détenu sur une
personne (JSON et PDF WeasyPrint), après confirmation ; l'export est tracé."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accompagnement.models import ActionAudit, EvenementAudit, Role
from dossiers.models import Demandeur, VisibiliteNote
from dossiers.suivi import services as suivi
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.scenarios import nouveau_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrateur(equipe):
    direction = StructureFactory(
        direction=True, departement=equipe.departement, nom="Direction RGPD"
    )
    return MembershipFactory(role=Role.ADMINISTRATEUR, structure=direction)


@pytest.fixture
def autre_administrateur(db):
    direction = StructureFactory(direction=True)
    return MembershipFactory(role=Role.ADMINISTRATEUR, structure=direction)


def contenu(reponse) -> str:
    return reponse.content.decode().replace("&#x27;", "'")


def url_acces(demandeur):
    return reverse("rgpd:acces", args=[demandeur.uuid])


def test_recherche_puis_export_json(equipe, personnes, administrateur, client_de):
    client = client_de(administrateur)
    page = contenu(client.get(reverse("rgpd:personnes")))
    assert "aucune liste n'est affichée sans recherche" in page
    page = client.get(reverse("rgpd:personnes"), {"q": "lefevre"}).content.decode()
    demandeur = personnes.echue.demandeur
    assert url_acces(demandeur) in page and "Durand" not in page

    confirmation = client.get(url_acces(demandeur))
    assert confirmation.status_code == 200
    texte = confirmation.content.decode()
    assert "Notes : 1" in texte and "Sollicitations : 1" in texte
    assert "anonymisation prévue le" in texte
    # Sans confirmation : rien n'est exporté, erreur claire, aucune trace d'export.
    r = client.post(url_acces(demandeur), {"format": "json"})
    assert r.status_code == 400 and "Cochez la case pour confirmer" in r.content.decode()
    assert not EvenementAudit.objects.filter(action=ActionAudit.EXPORT).exists()

    r = client.post(
        url_acces(demandeur),
        {"format": "json", "confirmation": "on", "reference": "Courrier du 02/11"},
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert r["Content-Disposition"] == f'attachment; filename="droit-acces-{demandeur.uuid}.json"'
    donnees = json.loads(r.content)
    assert donnees["personne"]["Nom d'usage"] == "Lefèvre-Quintard"
    assert donnees["personne"]["Téléphone"] == "06 11 22 33 44"
    assert donnees["personne"]["Civilité"] == "Madame"
    assert donnees["rubriques"]["Notes"][0]["Texte"] == "Éloïse-Ysolde vit chez sa sœur"
    assert donnees["rubriques"]["Aides financières"][0]["Montant demandé (€)"] == "150,00 €"
    assert "Documents déposés" in donnees["rubriques"] and "Diagnostics" in donnees["rubriques"]
    assert donnees["conservation"]["duree_mois"] == 24
    # Rien de technique : ni clé interne, ni chemin de stockage, ni empreinte.
    assert "Chemin" not in json.dumps(donnees) and "Empreinte SHA-256" not in json.dumps(donnees)
    trace = EvenementAudit.objects.get(action=ActionAudit.EXPORT)
    assert trace.acteur == administrateur.user and trace.objet_id == str(demandeur.uuid)
    assert trace.departement_id == equipe.departement.pk
    assert trace.details["format"] == "json" and trace.details["reference"] == "Courrier du 02/11"


def test_export_pdf_en_francais(equipe, personnes, administrateur, client_de):
    demandeur = personnes.echue.demandeur
    r = client_de(administrateur).post(
        url_acces(demandeur), {"format": "pdf", "confirmation": "on"}
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    lecteur = PdfReader(io.BytesIO(r.content))
    texte = " ".join(p.extract_text() for p in lecteur.pages)
    assert "Vos données dans l'accompagnement global" in texte
    assert "Lefèvre" in texte and "vit chez sa sœur" in texte
    assert "Sollicitations" in texte and "Rendez-vous" in texte
    assert EvenementAudit.objects.get(action=ActionAudit.EXPORT).details["format"] == "pdf"


@pytest.mark.parametrize("role", ["conseiller", "dedie", "ts", "correspondant", "animatrice"])
def test_reserve_a_l_administrateur(equipe, role, client_de):
    dossier = nouveau_dossier(equipe)
    client = client_de(getattr(equipe, role))
    assert client.get(reverse("rgpd:personnes")).status_code == 403
    assert client.get(url_acces(dossier.demandeur)).status_code == 403
    r = client.post(url_acces(dossier.demandeur), {"format": "json", "confirmation": "on"})
    assert r.status_code == 403


def test_autre_departement_introuvable(equipe, autre_administrateur, client_de):
    dossier = nouveau_dossier(equipe)
    client = client_de(autre_administrateur)
    assert client.get(url_acces(dossier.demandeur)).status_code == 404
    page = client.get(reverse("rgpd:personnes"), {"q": "lefevre"}).content.decode()
    assert "Aucune personne du département" in page


def test_le_menu_du_compte_de_l_administrateur(equipe, administrateur, client_de):
    # Une page légère (l'annuaire) : le menu du compte est dans la mise en page commune.
    page = client_de(administrateur).get(reverse("annuaire")).content.decode()
    assert reverse("rgpd:personnes") in page
    page = client_de(equipe.animatrice).get(reverse("annuaire")).content.decode()
    assert reverse("rgpd:personnes") not in page


def _personnes(equipe, n):
    for i in range(n):
        Demandeur.objects.create(
            departement=equipe.departement,
            civilite="m",
            nom=f"Martin{i:03d}",
            prenom="Paul",
            date_naissance=dt.date(1980, 1, 1),
        )


def test_recherche_en_nombre_de_requetes_constant(equipe, administrateur, client_de):
    client = client_de(administrateur)
    url = reverse("rgpd:personnes")
    _personnes(equipe, 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cinq:
        assert client.get(url, {"q": "martin"}).status_code == 200
    Demandeur.objects.bulk_create(
        Demandeur(
            departement=equipe.departement,
            civilite="m",
            nom=f"Martin{i:03d}",
            prenom="Pierre",
            date_naissance=dt.date(1981, 1, 1),
        ).preparer()
        for i in range(45)
    )
    with CaptureQueriesContext(connection) as cinquante:
        page = client.get(url, {"q": "martin"}).content.decode()
    assert "50 personnes" in page
    assert len(cinquante) == len(cinq)


def test_export_en_nombre_de_requetes_constant(equipe, administrateur, client_de):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossier = nouveau_dossier(equipe)
    client = client_de(administrateur)

    def notes(n):
        for i in range(n):
            suivi.ajouter_note(
                dossier=dossier,
                par=equipe.conseiller,
                texte=f"Note {i}",
                visibilite=VisibiliteNote.PARTAGEE,
            )

    def mesurer():
        with CaptureQueriesContext(connection) as page:
            client.get(url_acces(dossier.demandeur))
        with CaptureQueriesContext(connection) as export:
            r = client.post(url_acces(dossier.demandeur), {"format": "json", "confirmation": "on"})
        return len(page), len(export), json.loads(r.content)

    notes(5)
    page5, export5, d5 = mesurer()
    notes(45)
    page50, export50, d50 = mesurer()
    assert len(d5["rubriques"]["Notes"]) == 5 and len(d50["rubriques"]["Notes"]) == 50
    assert (page50, export50) == (page5, export5)
