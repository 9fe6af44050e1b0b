"""PDF du diagnostic partagé : vrai rendu WeasyPrint, texte extrait par pdftotext
(poppler), règle de sensibilité pour chaque rôle, téléchargement tracé ; et l'assistant
de rendu du projet (accompagnement/pdf.py) : aucune ressource réseau."""

import datetime as dt
import subprocess

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from accompagnement.models import ActionAudit, EvenementAudit
from accompagnement.pdf import RecuperateurLocal, RessourceInterdite, rendre_pdf
from diagnostics.models import Diagnostic, Presence
from dossiers.models import EvenementJournal, TypeEvenement
from tests.diagnostics.test_vues import decide, dossier_du_territoire, partage

pytestmark = pytest.mark.django_db

# Marqueurs d'un seul mot : une césure de ligne du PDF ne peut pas les couper.
SANTE = "Souffrance"  # situation « Souffrance psychique » du domaine santé
COMMENTAIRE_SANTE = "Zorglubsante"
COMMENTAIRE_LOGEMENT = "Zorglublogement"
FREINS = {
    "logement": {
        "presence": Presence.PRESENT,
        "impact": "fort",
        "situations": ["Hébergement précaire"],
        "commentaire": COMMENTAIRE_LOGEMENT,
    },
    "mobilite": {"presence": Presence.PRESENT, "impact": "moyen"},
    "sante": {
        "presence": Presence.PRESENT,
        "impact": "moyen",
        "situations": ["Souffrance psychique"],
        "commentaire": COMMENTAIRE_SANTE,
    },
}


def texte_pdf(contenu: bytes) -> str:
    sortie = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    )
    return " ".join(sortie.stdout.decode().split())


@pytest.fixture
def diagnostic_decide(equipe):
    diag = partage(equipe, dossier_du_territoire(equipe), freins=FREINS)
    decide(equipe, diag)
    return diag


def telecharger(client_de, membership, diag):
    response = client_de(membership).get(reverse("diagnostics:pdf", args=[diag.uuid]))
    assert response.status_code == 200
    return response


def test_telechargement_pdf_contenu_et_en_tetes(client_de, equipe, diagnostic_decide):
    response = telecharger(client_de, equipe.dedie, diagnostic_decide)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="diagnostic-partage-v1-lefevre.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    texte = texte_pdf(response.content)
    assert "Madame Éloïse LEFÈVRE" in texte
    assert "Axe décidé Axe 2 — accompagnement global" in texte
    assert f"Département : {equipe.departement.nom}" in texte
    aujourd_hui = dt.date.today().strftime("%d/%m/%Y")
    assert f"Emploi {equipe.dedie.user} {aujourd_hui}" in texte  # validations : qui, quand
    assert f"Social {equipe.ts.user} {aujourd_hui}" in texte
    assert "Recommandation : Axe 2 — accompagnement global" in texte
    assert "Aide à domicile" in texte and "Page 1 sur " in texte


@pytest.mark.parametrize(
    ("qui", "voit_detail"),
    [
        # Le conseiller d'axe 1 est relayé par la décision conjointe (entrée en axe 2) : il
        # n'a plus accès au PDF (tests/dossiers/parcours/test_relais_conseiller.py).
        ("dedie", False),
        ("animatrice", False),
        ("ts", True),
        ("correspondant", True),
    ],
)
def test_pdf_regle_de_sensibilite_pour_chaque_role(
    client_de, equipe, diagnostic_decide, qui, voit_detail
):
    texte = texte_pdf(telecharger(client_de, getattr(equipe, qui), diagnostic_decide).content)
    assert "LEFÈVRE" in texte and "Santé" in texte and "Hébergement précaire" in texte
    for secret in (SANTE, COMMENTAIRE_SANTE, COMMENTAIRE_LOGEMENT):
        assert (secret in texte) is voit_detail, secret
    assert ("ne figurent pas dans ce document" in texte) is not voit_detail


def test_generation_tracee_audit_et_journal(client_de, equipe, diagnostic_decide):
    telecharger(client_de, equipe.ts, diagnostic_decide)
    export = EvenementAudit.objects.get(
        action=ActionAudit.EXPORT, objet_id=str(diagnostic_decide.uuid)
    )
    assert export.acteur == equipe.ts.user and export.role == equipe.ts.role
    assert export.details["format"] == "pdf" and export.details["detail_social"] is True
    assert EvenementJournal.objects.filter(
        dossier=diagnostic_decide.dossier,
        type=TypeEvenement.DIAGNOSTIC,
        resume__startswith="PDF du diagnostic v1 généré par",
    ).exists()


def test_pdf_polices_locales_embarquees(client_de, equipe, diagnostic_decide, tmp_path):
    chemin = tmp_path / "diagnostic.pdf"
    chemin.write_bytes(telecharger(client_de, equipe.dedie, diagnostic_decide).content)
    polices = subprocess.run(
        ["pdffonts", str(chemin)], capture_output=True, check=True
    ).stdout.decode()
    assert "DejaVu-Sans" in polices and "yes yes" in polices  # embarquées, sous-ensemble


# --- assistant de rendu (accompagnement/pdf.py) ---------------------------------------------

GABARIT_ESSAI = (
    "<html><head><link rel='stylesheet' href='https://cdn.example.invalid/x.css'></head>"
    "<body><h1>{{ titre }}</h1><img src='http://example.invalid/pixel.png' alt=''>"
    "<img src='favicon.svg' alt=''></body></html>"
)


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"pdf/essai.html": GABARIT_ESSAI})
                ]
            },
        }
    ]
)
def test_rendre_pdf_sans_reseau(monkeypatch):
    demandes = []
    origine = RecuperateurLocal.fetch

    def espion(self, url, headers=None):
        demandes.append(url)
        return origine(self, url, headers)

    monkeypatch.setattr(RecuperateurLocal, "fetch", espion)
    contenu = rendre_pdf(
        "pdf/essai.html", {"titre": "Essai éàç"}, base_url=settings.BASE_DIR / "static"
    )
    assert contenu.startswith(b"%PDF") and "Essai éàç" in texte_pdf(contenu)
    assert any(u.endswith("/static/favicon.svg") for u in demandes)
    assert any(u.startswith("http") for u in demandes)  # demandé… et refusé sans réseau


def test_recuperateur_refuse_le_reseau_et_les_fichiers_hors_racines(tmp_path):
    recuperateur = RecuperateurLocal([tmp_path.resolve()])
    for url in (
        "http://example.invalid/a.css",
        "https://example.invalid/b.png",
        "ftp://example.invalid/c",
    ):
        with pytest.raises(RessourceInterdite, match="réseau"):
            recuperateur.fetch(url)
    with pytest.raises(RessourceInterdite, match="hors des dossiers"):
        recuperateur.fetch("file:///etc/passwd")
    with pytest.raises(RessourceInterdite, match="hors des dossiers"):
        recuperateur.fetch(f"file://{tmp_path}/../secret.txt")
    autorise = tmp_path / "style.css"
    autorise.write_text("h1 { color: red; }")
    assert recuperateur.fetch(f"file://{autorise}").read() == b"h1 { color: red; }"
    assert recuperateur.fetch("data:text/plain,bonjour").read() == b"bonjour"


@pytest.mark.parametrize("lignes_de_commentaire", [0, 12, 24, 36, 48])
def test_le_titre_du_volet_social_n_est_jamais_seul_en_bas_de_page(
    client_de, equipe, diagnostic_decide, lignes_de_commentaire
):
    """Le commentaire du volet emploi, plus ou moins long, déplace le titre « Volet
    social » sur la page : où qu'il tombe, l'en-tête de son tableau est sur la même page."""
    commentaire = "\n".join(
        f"Ligne {i} du commentaire emploi" for i in range(lignes_de_commentaire)
    )
    Diagnostic.objects.filter(pk=diagnostic_decide.pk).update(commentaire_emploi=commentaire)
    contenu = telecharger(client_de, equipe.ts, diagnostic_decide).content
    sortie = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    )
    pages = [" ".join(p.split()) for p in sortie.stdout.decode().split("\f")]
    (page,) = [p for p in pages if "Volet social : freins par domaine" in p]
    suite = page.split("Volet social : freins par domaine", 1)[1]
    assert "Domaine Présence Impact Statut" in suite


def test_aucun_commentaire_de_gabarit_imprime(client_de, equipe, diagnostic_decide):
    """Un commentaire {# … #} sur plusieurs lignes n'en est pas un pour Django : il sortait
    dans le PDF (« {# Titre, note et tableau ensemble… »)."""
    texte = texte_pdf(telecharger(client_de, equipe.ts, diagnostic_decide).content)
    assert "{#" not in texte and "#}" not in texte and "{%" not in texte
