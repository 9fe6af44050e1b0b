"""Documents d'un dossier : dépôt (type reconnu au contenu, taille, rien de stocké en cas
d'erreur), confidentialité, notification du binôme, téléchargement contrôlé et tracé,
suppression après confirmation (fichier effacé une fois la transaction validée)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit, Notification
from dossiers.models import Document, EvenementJournal, TypeEvenement, Visibilite
from dossiers.suivi import documents as suivi
from dossiers.suivi import services as services_suivi
from tests.accompagnement import pdfs
from tests.accompagnement.factories import MembershipFactory
from tests.accompagnement.test_fichiers import image
from tests.dossiers.suivi.test_services import cloturer, collegue_agence, dossier_du_binome

pytestmark = pytest.mark.django_db

PDF = pdfs.pdf_valide()
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_ODT = "application/vnd.oasis.opendocument.text"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def fichiers_sur_disque(racine) -> list:
    return [p for p in racine.rglob("*") if p.is_file()]


def archive(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        for nom, contenu in membres.items():
            methode = zipfile.ZIP_STORED if nom == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(nom, contenu, compress_type=methode)
    return tampon.getvalue()


def docx(
    type_principal=b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
):
    types = (
        b'<Types><Override PartName="/word/document.xml" ContentType="'
        + type_principal
        + b'"/></Types>'
    )
    return archive({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>"})


def xlsx():
    types = (
        b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    return archive({"[Content_Types].xml": types, "xl/workbook.xml": b"<workbook/>"})


def odt():
    return archive({"mimetype": MIME_ODT.encode(), "content.xml": b"<office:document-content/>"})


def televerse(nom: str, contenu: bytes, type_annonce="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type=type_annonce)


def deposer(equipe, dossier, nom="attestation.pdf", contenu=PDF, par=None, **kw):
    kw.setdefault("categorie", "justificatif")
    return suivi.deposer_document(
        dossier=dossier, par=par or equipe.dedie, fichier=televerse(nom, contenu), **kw
    )


# --- Dépôt -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nom, fabrique, mime",
    [
        ("attestation.pdf", lambda: PDF, "application/pdf"),
        ("carte.png", lambda: image("PNG"), "image/png"),
        ("carte.jpeg", lambda: image("JPEG"), "image/jpeg"),
        ("courrier.docx", docx, MIME_DOCX),
        ("budget.xlsx", xlsx, MIME_XLSX),
        ("cer.odt", odt, MIME_ODT),
    ],
)
def test_depot_des_formats_acceptes(equipe, media, nom, fabrique, mime):
    dossier = dossier_du_binome(equipe)
    contenu = fabrique()
    document = deposer(equipe, dossier, nom=nom, contenu=contenu)
    assert (document.type_mime, document.nom_origine, document.taille) == (mime, nom, len(contenu))
    # Rangé sous documents/<département>/<uuid>, sans extension ni nom d'origine.
    chemin = media / "documents" / equipe.departement.code_insee / str(document.uuid)
    assert document.chemin == f"documents/{equipe.departement.code_insee}/{document.uuid}"
    assert chemin.read_bytes() == contenu and fichiers_sur_disque(media) == [chemin]
    assert len(document.empreinte) == 64


def test_le_type_vient_du_contenu_pas_du_nom(equipe):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, nom="photo.png", contenu=PDF)
    assert document.type_mime == "application/pdf"
    assert suivi.nom_de_telechargement(document) == "photo.pdf"
    sans_extension = deposer(equipe, dossier, nom="scan", contenu=image("PNG"))
    assert suivi.nom_de_telechargement(sans_extension) == "scan.png"


ZIP_QUELCONQUE = archive({"lisez-moi.txt": b"bonjour"})
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def docx_a_macros() -> bytes:
    types = (
        b'<Types><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    return archive(
        {
            "[Content_Types].xml": types,
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
        }
    )


def xlsx_a_macros() -> bytes:
    """Un vrai classeur (openpyxl) où l'on a glissé xl/vbaProject.bin."""

    tampon = io.BytesIO()
    openpyxl.Workbook().save(tampon)
    entree = zipfile.ZipFile(io.BytesIO(tampon.getvalue()))
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        for info in entree.infolist():
            z.writestr(info.filename, entree.read(info))
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return sortie.getvalue()


def odt_a_macros() -> bytes:
    return archive(
        {
            "mimetype": MIME_ODT.encode(),
            "content.xml": b"<office/>",
            "Basic/Standard/Module1.xml": b"<script:module/>",
        }
    )


@pytest.mark.parametrize(
    "nom, contenu, message",
    [
        ("attestation.pdf", EXE, "n'est pas d'un format accepté"),
        ("attestation.pdf", HTML, "n'est pas d'un format accepté"),
        ("facture.pdf", b"  %PDF-1.4 cache derriere des espaces", "n'est pas d'un format accepté"),
        ("archive.docx", ZIP_QUELCONQUE, "n'est pas d'un format accepté"),
        (
            "macro.docx",
            docx(b"application/vnd.ms-word.document.macroEnabled.main+xml"),
            "n'est pas d'un format accepté",
        ),
        ("tronquee.png", image("PNG")[:20], "n'est pas d'un format accepté"),
        ("faux.jpg", b"\xff\xd8\xff\xe0" + b"pas une image", "n'est pas d'un format accepté"),
        ("zip-casse.xlsx", b"PK\x03\x04" + b"\x00" * 30, "n'est pas d'un format accepté"),
        ("vide.pdf", b"", "Le fichier est vide"),
        # Régressions (ticket 11) : seul le préfixe « %PDF- » était vérifié.
        ("script.pdf", pdfs.pdf_javascript(), "Ce PDF contient du JavaScript"),
        ("echappe.pdf", pdfs.pdf_nom_echappe(), "Ce PDF contient du JavaScript"),
        ("ouvre.pdf", pdfs.pdf_action_a_l_ouverture(), "une action lancée à l'ouverture"),
        ("page.pdf", pdfs.pdf_actions_automatiques_de_page(), "des actions automatiques"),
        ("joint.pdf", pdfs.pdf_fichier_joint(), "des fichiers joints"),
        ("poly.pdf", pdfs.pdf_polyglotte_html_apres(), "HTML caché"),
        ("poly2.pdf", pdfs.pdf_polyglotte_html_dedans(), "HTML caché"),
        ("poly3.pdf", pdfs.pdf_polyglotte_html_avant(), "n'est pas d'un format accepté"),
        ("tronque.pdf", pdfs.pdf_valide()[:-40], "incomplet ou abîmé"),
        ("casse.pdf", b"%PDF-1.7\n" + b"\x00" * 200 + b"\n%%EOF\n", "illisible ou abîmé"),
        # Un paquet à macros renommé en .docx / .xlsx : le type principal est celui d'un
        # document ordinaire, mais il porte vbaProject.bin ou un type « macroEnabled ».
        ("macro.docx", docx_a_macros(), "contient des macros"),
        ("macro.xlsx", xlsx_a_macros(), "contient des macros"),
        ("macro.odt", odt_a_macros(), "contient des macros"),
    ],
)
def test_depot_refuse_rien_n_est_stocke(equipe, media, nom, contenu, message):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match=message):
        deposer(equipe, dossier, nom=nom, contenu=contenu)
    assert not Document.objects.exists()
    assert fichiers_sur_disque(media) == []
    assert not EvenementJournal.objects.filter(type=TypeEvenement.DOCUMENT).exists()


def test_depot_trop_gros_refuse(equipe, media):
    dossier = dossier_du_binome(equipe)
    gros = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(suivi.ErreurMetier, match=r"Le fichier pèse 10,0 Mo : 10 Mo au plus\."):
        deposer(equipe, dossier, contenu=gros)
    assert not Document.objects.exists() and fichiers_sur_disque(media) == []


def test_depot_d_une_bombe_de_decompression_refuse(equipe, media):
    """Un DOCX par ailleurs valide dont un membre de 20 Mo tient en 20 Ko n'est pas stocké."""
    dossier = dossier_du_binome(equipe)
    types = (
        b'<Types><Override PartName="/word/document.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    bombe = archive(
        {
            "[Content_Types].xml": types,
            "word/document.xml": b"<w:document/>",
            "word/media/image1.png": b"\x00" * (20 * 1024 * 1024),
        }
    )
    assert len(bombe) < 100_000
    with pytest.raises(suivi.ErreurMetier, match="possible bombe de décompression"):
        deposer(equipe, dossier, nom="courrier.docx", contenu=bombe)
    assert not Document.objects.exists() and fichiers_sur_disque(media) == []


def test_depot_de_10_mo_tout_juste_accepte(equipe):
    dossier = dossier_du_binome(equipe)
    limite = pdfs.pdf_rembourre(10 * 1024 * 1024)
    assert deposer(equipe, dossier, contenu=limite).taille == 10 * 1024 * 1024


def test_depot_sans_fichier_ou_sans_categorie(equipe, media):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match="Choisissez le fichier"):
        suivi.deposer_document(
            dossier=dossier, par=equipe.dedie, fichier=None, categorie="justificatif"
        )
    with pytest.raises(suivi.ErreurMetier, match="catégorie"):
        deposer(equipe, dossier, categorie="recette")
    assert not Document.objects.exists() and fichiers_sur_disque(media) == []


def test_si_l_ecriture_du_fichier_echoue_rien_en_base(equipe, media, monkeypatch):
    dossier = dossier_du_binome(equipe)

    def panne(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(suivi.default_storage, "save", panne)
    with pytest.raises(OSError):
        deposer(equipe, dossier)
    assert not Document.objects.exists() and fichiers_sur_disque(media) == []


def test_depot_refuse_hors_droits(equipe, media):
    dossier = dossier_du_binome(equipe)
    for m in (equipe.animatrice, collegue_agence(equipe), equipe.dedie_bis):
        with pytest.raises(services_suivi.AccesRefuse):
            deposer(equipe, dossier, par=m)
    with pytest.raises(services_suivi.AccesRefuse, match="côté social"):
        deposer(equipe, dossier, par=equipe.dedie, confidentiel=True)
    cloturer(equipe, dossier)
    with pytest.raises(suivi.ErreurMetier, match="clos"):
        deposer(equipe, dossier, par=equipe.ts)
    assert fichiers_sur_disque(media) == []


def test_depot_journalise_audite_et_previent_le_binome(equipe):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, nom="avis-expulsion.pdf", categorie="courrier")
    evenement = EvenementJournal.objects.get(type=TypeEvenement.DOCUMENT)
    assert evenement.visibilite == Visibilite.PARTAGEE and "courrier" in evenement.resume
    assert "expulsion" not in evenement.resume  # pas le nom du fichier
    assert EvenementAudit.objects.filter(
        action=ActionAudit.CREATION, objet_id=str(document.uuid)
    ).exists()
    prevenus = Notification.objects.filter(categorie="document")
    # Le binôme et le conseiller de l'agence qui tient encore sa place ; pas le déposant.
    assert equipe.ts.user.pk in prevenus.values_list("destinataire", flat=True)
    assert not prevenus.filter(destinataire=equipe.dedie.user).exists()
    assert all("expulsion" not in n.texte and "/documents/" in n.lien for n in prevenus)


def test_document_confidentiel_journal_social_et_seul_le_cote_social_prevenu(equipe):
    dossier = dossier_du_binome(equipe)
    deposer(equipe, dossier, par=equipe.ts, confidentiel=True, categorie="autre")
    assert EvenementJournal.objects.get(type="document").visibilite == Visibilite.SOCIALE
    assert not Notification.objects.filter(categorie="document").exists()  # pas de TS bis
    # Un second professionnel social sur le dossier serait prévenu, pas le conseiller.
    from dossiers.parcours import services

    services.affecter(
        dossier=dossier,
        place="referent_social",
        professionnel=equipe.correspondant,
        par=equipe.animatrice,
    )
    deposer(equipe, dossier, par=equipe.ts, confidentiel=True)
    prevenus = set(
        Notification.objects.filter(categorie="document").values_list("destinataire", flat=True)
    )
    assert prevenus == {equipe.correspondant.user.pk}


@pytest.mark.parametrize(
    "qui, confidentiel, lisible",
    [
        ("ts", True, True),
        ("correspondant", True, True),
        ("dedie", True, False),
        ("animatrice", True, False),
        ("dedie", False, True),
        ("animatrice", False, True),
    ],
)
def test_qui_lit_quel_document(equipe, qui, confidentiel, lisible):
    from dossiers.suivi import perms

    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, par=equipe.ts, confidentiel=confidentiel)
    m = getattr(equipe, qui)
    assert perms.peut_lire_document(m, document) is lisible
    assert Document.objects.filter(dossier=dossier).lisibles_par(m).exists() is lisible


# --- Suppression -----------------------------------------------------------------------------


def test_suppression_le_fichier_part_apres_la_transaction(
    equipe, media, django_capture_on_commit_callbacks
):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier)
    chemin = media / document.chemin
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        suivi.supprimer_document(document=document, par=equipe.ts)
    assert not Document.objects.exists()
    assert chemin.exists()  # tant que la transaction n'est pas validée
    for rappel in rappels:
        rappel()
    assert not chemin.exists()
    assert EvenementAudit.objects.filter(
        action=ActionAudit.SUPPRESSION, objet_id=str(document.uuid)
    ).exists()
    assert "supprimé" in EvenementJournal.objects.filter(type="document").first().resume


def test_suppression_refusee(equipe, media):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier)
    confidentiel = deposer(equipe, dossier, par=equipe.ts, confidentiel=True)
    with pytest.raises(services_suivi.AccesRefuse):
        suivi.supprimer_document(document=document, par=equipe.animatrice)
    with pytest.raises(services_suivi.AccesRefuse):
        suivi.supprimer_document(document=confidentiel, par=equipe.dedie)
    suivi.supprimer_document(document=document, par=equipe.ts)
    with pytest.raises(suivi.ErreurMetier, match="déjà été supprimé"):
        suivi.supprimer_document(document=document, par=equipe.ts)
    assert list(Document.objects.all()) == [confidentiel]


# --- Vues : dépôt, téléchargement, suppression -------------------------------------------------


def url(nom, dossier, *args):
    return reverse(f"dossiers:{nom}", args=[dossier.uuid, *args])


def test_vue_depot(client_de, equipe, media):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.dedie)
    page = client.get(url("suivi_document_deposer", dossier))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert "confidentiel" not in page.content.decode().lower()  # côté emploi : pas proposé
    response = client.post(
        url("suivi_document_deposer", dossier),
        {"categorie": "contrat", "fichier": televerse("cer.pdf", PDF)},
    )
    assert response.status_code == 302 and response.url == url("suivi_documents", dossier)
    assert Document.objects.get().categorie == "contrat"
    liste = client.get(url("suivi_documents", dossier)).content.decode()
    assert "cer.pdf" in liste and "Contrat / CER" in liste


def test_vue_depot_confidentiel_propose_au_cote_social(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.ts)
    assert "Confidentiel" in client.get(url("suivi_document_deposer", dossier)).content.decode()
    client.post(
        url("suivi_document_deposer", dossier),
        {"categorie": "autre", "confidentiel": "on", "fichier": televerse("x.pdf", PDF)},
    )
    assert Document.objects.get().confidentiel


@pytest.mark.parametrize(
    "donnees, message",
    [
        ({"categorie": "justificatif"}, "Choisissez le fichier à déposer."),
        ({"categorie": "justificatif", "fichier": ("faux.pdf", EXE)}, "format accepté"),
        ({"categorie": "justificatif", "fichier": ("page.pdf", HTML)}, "format accepté"),
    ],
)
def test_vue_depot_refuse_message_clair_et_rien_de_stocke(
    client_de, equipe, media, donnees, message
):
    dossier = dossier_du_binome(equipe)
    if "fichier" in donnees:
        donnees = {**donnees, "fichier": televerse(*donnees["fichier"])}
    response = client_de(equipe.dedie).post(url("suivi_document_deposer", dossier), donnees)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists() and fichiers_sur_disque(media) == []


def test_telechargement_en_tetes_contenu_et_audit(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, nom="Relevé de droits.pdf")
    client = client_de(equipe.ts)
    lien = url("suivi_document_telecharger", dossier, document.uuid)
    for _ in range(2):
        response = client.get(lien)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Relev" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    traces = EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, objet_id=str(document.uuid), acteur=equipe.ts.user
    )
    assert traces.count() == 2  # chaque téléchargement
    assert traces.first().details == {"telechargement": True, "dossier": str(dossier.uuid)}


def test_telechargement_droits(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier)
    confidentiel = deposer(equipe, dossier, par=equipe.ts, confidentiel=True)
    lien = url("suivi_document_telecharger", dossier, document.uuid)
    lien_confidentiel = url("suivi_document_telecharger", dossier, confidentiel.uuid)
    etranger = MembershipFactory(role="animatrice")
    assert client_de(etranger).get(lien).status_code == 404
    assert client_de(equipe.ts_bis).get(lien).status_code == 404  # hors périmètre
    assert client_de(collegue_agence(equipe)).get(lien).status_code == 403  # statut seul
    assert client_de(equipe.dedie).get(lien_confidentiel).status_code == 403
    assert client_de(equipe.animatrice).get(lien_confidentiel).status_code == 403
    assert client_de(equipe.animatrice).get(lien).status_code == 200
    assert client_de(equipe.correspondant).get(lien_confidentiel).status_code == 200
    # Un document d'un autre dossier, même visible, ne se télécharge pas par ce dossier-ci.
    autre = dossier_du_binome(equipe, nom="Martin", prenom="Paul")
    lien_croise = url("suivi_document_telecharger", autre, document.uuid)
    assert client_de(equipe.ts).get(lien_croise).status_code == 404
    refus = EvenementAudit.objects.filter(objet_id=str(confidentiel.uuid), action="lecture")
    assert refus.count() == 1  # seul le correspondant l'a lu


def test_la_liste_cache_les_documents_confidentiels_au_cote_emploi(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    deposer(equipe, dossier, nom="public.pdf")
    deposer(equipe, dossier, nom="secret-social.pdf", par=equipe.ts, confidentiel=True)
    vu_dedie = client_de(equipe.dedie).get(url("suivi_documents", dossier)).content.decode()
    assert "public.pdf" in vu_dedie and "secret-social" not in vu_dedie
    vu_ts = client_de(equipe.ts).get(url("suivi_documents", dossier)).content.decode()
    assert "secret-social.pdf" in vu_ts and "confidentiel" in vu_ts


def test_vue_suppression_avec_confirmation(
    client_de, equipe, media, django_capture_on_commit_callbacks
):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier, nom="vieux.pdf")
    client = client_de(equipe.ts)
    lien = url("suivi_document_supprimer", dossier, document.uuid)
    confirmation = client.get(lien)
    assert confirmation.status_code == 200
    assert "Supprimer le document « vieux.pdf » ?" in confirmation.content.decode()
    assert Document.objects.exists()  # afficher la confirmation ne supprime rien
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(lien)
    assert response.status_code == 302 and not Document.objects.exists()
    assert fichiers_sur_disque(media) == []
    assert client.get(lien).status_code == 404  # n'existe plus


def test_vue_suppression_refusee_a_l_animatrice(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    document = deposer(equipe, dossier)
    lien = url("suivi_document_supprimer", dossier, document.uuid)
    assert client_de(equipe.animatrice).post(lien).status_code == 403
    assert Document.objects.exists()
