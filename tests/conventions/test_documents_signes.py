"""Documents signés d'une convention (et d'un avenant) : dépôt par le stockage contrôlé,
contrôles des dépôts, téléchargement tracé ; effectifs dans l'administration."""

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.management.commands.seed_demo import PERMISSIONS_COORDINATION
from accompagnement.models import EvenementAudit, Role
from conventions import services
from conventions.admin import DocumentSigneForm
from conventions.models import DocumentSigne, Moyen, NatureMoyen
from tests.accompagnement.factories import DepartementFactory, MembershipFactory
from tests.accompagnement.pdfs import pdf_javascript, pdf_valide
from tests.conventions.test_conventions import nouvelle_convention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stockage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def monde():
    dep, autre = DepartementFactory(), DepartementFactory()
    animatrice = MembershipFactory(role=Role.ANIMATRICE, structure__departement=dep)
    convention = nouvelle_convention(dep)
    services.signer_convention(convention=convention, par=animatrice)
    avenant = services.ajouter_avenant(
        convention=convention,
        par=animatrice,
        numero=1,
        objet="Prolongation",
        date_signature=dt.date(2016, 11, 15),
        date_effet=dt.date(2017, 1, 1),
        nouvelles_valeurs={"date_echeance": dt.date(2018, 12, 31)},
    )
    return {
        "dep": dep,
        "animatrice": animatrice,
        "convention": convention,
        "avenant": avenant,
        "conseiller": MembershipFactory(role=Role.CONSEILLER, structure__departement=dep),
        "etrangere": MembershipFactory(role=Role.ANIMATRICE, structure__departement=autre),
    }


def _deposer(m, contenu=None, **kw):
    return services.deposer_document_signe(
        convention=m["convention"],
        par=m["animatrice"],
        fichier=ContentFile(contenu or pdf_valide(), name="convention signée.pdf"),
        intitule=kw.pop("intitule", "Convention signée"),
        **kw,
    )


def test_depot_range_le_fichier_et_trace(monde):
    document = _deposer(monde, avenant=monde["avenant"])
    assert document.type_mime == "application/pdf" and document.avenant == monde["avenant"]
    assert default_storage.open(document.chemin).read() == pdf_valide()
    assert document.chemin.startswith(f"conventions/{monde['dep'].code_insee}/")
    assert EvenementAudit.objects.filter(
        action="creation", details__document_signe=str(document.uuid)
    ).exists()


def test_pdf_actif_refuse_sans_rien_ecrire(monde, settings):
    with pytest.raises(ErreurMetier):
        _deposer(monde, contenu=pdf_javascript())
    assert not DocumentSigne.objects.exists()
    assert not (settings.MEDIA_ROOT / "conventions").exists()


def test_refus_autre_role_et_avenant_etranger(monde):
    with pytest.raises(AccesRefuse):
        services.deposer_document_signe(
            convention=monde["convention"],
            par=monde["conseiller"],
            fichier=ContentFile(pdf_valide(), name="a.pdf"),
            intitule="Convention signée",
        )
    autre = nouvelle_convention(monde["dep"], intitule="Autre")
    services.signer_convention(convention=autre, par=monde["animatrice"])
    with pytest.raises(ErreurMetier, match="n'appartient pas"):
        services.deposer_document_signe(
            convention=autre,
            par=monde["animatrice"],
            fichier=ContentFile(pdf_valide(), name="a.pdf"),
            intitule="Avenant signé",
            avenant=monde["avenant"],
        )


def test_telechargement_trace_et_cloisonne(monde, client):
    document = _deposer(monde, intitule="Exemplaire signé")
    url = reverse("conventions:document_signe", args=[monde["convention"].uuid, document.uuid])
    client.force_login(monde["conseiller"].user)
    fiche = client.get(reverse("conventions:convention", args=[monde["convention"].uuid]))
    assert "Exemplaire signé" in fiche.text
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == pdf_valide()
    assert reponse["Content-Disposition"].startswith("attachment")
    assert EvenementAudit.objects.filter(
        action="lecture", objet_id=str(document.uuid), details__telechargement=True
    ).exists()
    client.force_login(monde["etrangere"].user)
    assert client.get(url).status_code == 404


def test_formulaire_de_l_administration_refuse_un_pdf_actif():
    form = DocumentSigneForm(
        data={"intitule": "Convention signée"},
        files={"fichier": SimpleUploadedFile("c.pdf", pdf_javascript())},
    )
    assert not form.is_valid()
    assert "fichier" in form.errors


def test_effectifs_par_structure_dans_l_administration(monde, client):
    groupe = Group.objects.create(name="Coordination départementale")
    groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
    user = monde["animatrice"].user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(groupe)
    for structure, etp in (("Agence de Besançon", "1.00"), ("Agence de Montbéliard", "0.50")):
        Moyen.objects.create(
            convention=monde["convention"],
            nature=NatureMoyen.POSTE,
            libelle="Conseiller dédié",
            structure=structure,
            nombre=1,
            etp=Decimal(etp),
        )
    etrangere = nouvelle_convention(DepartementFactory(), intitule="Étrangère")
    Moyen.objects.create(
        convention=etrangere, nature=NatureMoyen.POSTE, libelle="Poste caché", structure="Ailleurs"
    )
    client.force_login(user)
    reponse = client.get(reverse("admin:conventions_effectif_changelist"))
    assert reponse.status_code == 200
    assert "Agence de Montbéliard" in reponse.text and "0,5" in reponse.text
    assert "Poste caché" not in reponse.text
    assert "Co-financement" not in reponse.text  # un financement n'est pas un effectif
    assert "1,5 ETP dans la sélection" in reponse.text
    poste = Moyen.objects.filter(convention=monde["convention"], nature="poste").first()
    # Convention signée : lecture seule (elle change par avenant).
    assert (
        client.get(reverse("admin:conventions_effectif_delete", args=[poste.pk])).status_code == 403
    )


class _Formulaire(HTMLParser):
    """Les valeurs qu'un navigateur enverrait pour le formulaire principal de la page
    (champs cachés, saisies, listes ; sans fichier ni bouton)."""

    def __init__(self):
        super().__init__()
        self.valeurs, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        nom = a.get("name")
        if tag == "input" and nom and a.get("type") not in ("file", "submit", "checkbox"):
            self.valeurs[nom] = a.get("value", "")
        elif tag == "input" and nom and a.get("type") == "checkbox" and "checked" in a:
            self.valeurs[nom] = a.get("value", "on")
        elif tag == "select" and nom:
            self._select = nom
            self.valeurs.setdefault(nom, "")
        elif tag == "option" and self._select and "selected" in a:
            self.valeurs[self._select] = a.get("value", "")
        elif tag == "textarea" and nom:
            self._textarea = nom
            self.valeurs[nom] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.valeurs[self._textarea] += data


def test_depot_en_ligne_dans_l_administration(monde, client):
    groupe = Group.objects.create(name="Coordination départementale")
    groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
    user = monde["animatrice"].user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(groupe)
    client.force_login(user)
    url = reverse("admin:conventions_convention_change", args=[monde["convention"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "Documents signés" in page.text
    lecteur = _Formulaire()
    lecteur.feed(page.text)
    donnees = lecteur.valeurs
    prefixe = "documents_signes"
    assert f"{prefixe}-TOTAL_FORMS" in donnees
    donnees.update(
        {
            f"{prefixe}-TOTAL_FORMS": "1",
            f"{prefixe}-0-intitule": "Avenant n° 1 signé",
            f"{prefixe}-0-avenant": str(monde["avenant"].pk),
            f"{prefixe}-0-fichier": SimpleUploadedFile("avenant.pdf", pdf_valide()),
            "_continue": "1",
        }
    )
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context.get("errors")
    document = DocumentSigne.objects.get(convention=monde["convention"])
    assert document.avenant == monde["avenant"] and document.intitule == "Avenant n° 1 signé"
    assert default_storage.open(document.chemin).read() == pdf_valide()
    apres = client.get(url)
    assert "avenant.pdf" in apres.text
