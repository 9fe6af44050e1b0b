"""Audit des lectures : chaque consultation de données personnelles (dossier, journal,
formulaire de la personne, diagnostic et sa comparaison, volets, notes, documents et leur
téléchargement, étapes de sollicitation, demande d'entrée, bilan), chaque export PDF et
chaque recherche dans une liste laisse une trace : qui, quoi, quand, sous quel rôle,
depuis quelle structure, rattachée au département de l'objet. La page d'audit les montre
avec des libellés français (jamais un code brut).

Le monde est celui de la matrice des droits (fixture `deux_departements`)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accompagnement.models import ActionAudit, EvenementAudit, Role
from tests.conftest import client_de_session
from tests.matrice import RESOLVEURS

pytestmark = pytest.mark.django_db

L, E = ActionAudit.LECTURE, ActionAudit.EXPORT

# (route, paramètres, rôle qui lit, action, objet tracé, détails attendus)
LECTURES = [
    ("dossiers:dossier", {"uuid": "dossier"}, "ts", L, "dossier", {"niveau": "complet"}),
    ("dossiers:journal", {"uuid": "dossier"}, "ts", L, "dossier", {"page": "journal"}),
    (
        "dossiers:modifier_personne",
        {"uuid": "dossier"},
        "dedie",
        L,
        "dossier",
        {"page": "personne"},
    ),
    (
        "dossiers:information_personne",
        {"uuid": "dossier"},
        "dedie",
        L,
        "dossier",
        {"page": "information"},
    ),
    ("dossiers:suivi_notes", {"uuid": "dossier"}, "ts", L, "dossier", {"suivi": "notes"}),
    ("dossiers:suivi_plan", {"uuid": "dossier"}, "dedie", L, "dossier", {"suivi": "plan"}),
    ("dossiers:suivi_aides", {"uuid": "dossier"}, "ts", L, "dossier", {"suivi": "aides"}),
    (
        "dossiers:suivi_rendez_vous",
        {"uuid": "dossier"},
        "ts",
        L,
        "dossier",
        {"suivi": "rendez_vous"},
    ),
    (
        "dossiers:suivi_documents",
        {"uuid": "dossier"},
        "ts",
        L,
        "dossier",
        {"suivi": "documents"},
    ),
    (
        "dossiers:suivi_document_telecharger",
        {"uuid": "dossier", "document": "document"},
        "ts",
        L,
        "document",
        {"telechargement": True},
    ),
    ("diagnostics:diagnostic", {"uuid": "diagnostic"}, "ts", L, "diagnostic", {"version": 1}),
    (
        "diagnostics:comparaison",
        {"uuid": "diagnostic"},
        "ts",
        L,
        "diagnostic",
        {"page": "comparaison", "version": 1},
    ),
    (
        "diagnostics:emploi",
        {"uuid": "diagnostic_en_cours"},
        "dedie",
        L,
        "diagnostic_en_cours",
        {"volet": "emploi"},
    ),
    (
        "diagnostics:social",
        {"uuid": "diagnostic_en_cours"},
        "ts",
        L,
        "diagnostic_en_cours",
        {"volet": "social"},
    ),
    ("diagnostics:pdf", {"uuid": "diagnostic"}, "ts", E, "diagnostic", {}),
    ("reporting:bilan", {"uuid": "dossier"}, "ts", L, "dossier", {"page": "bilan"}),
    ("reporting:bilan_pdf", {"uuid": "dossier"}, "ts", E, "dossier", {"document": "bilan"}),
    (
        "dossiers:sollicitation_etude",
        {"uuid": "sollicitation"},
        "correspondant",
        L,
        "sollicitation",
        {"page": "etape_etude"},
    ),
    (
        "dossiers:sollicitation_realiser",
        {"uuid": "sollicitation"},
        "conseiller",
        L,
        "sollicitation",
        {"page": "etape_realiser"},
    ),
    (
        "dossiers:sollicitation_choisir",
        {"uuid": "dossier_sollicite"},
        "conseiller",
        L,
        "dossier_sollicite",
        {"page": "choix_service"},
    ),
    (
        "dossiers:prescription",
        {"uuid": "prescription"},
        "dedie",
        L,
        "prescription",
        {},
    ),
]


def _url(nom, parametres, monde):
    from django.urls import reverse

    return reverse(nom, kwargs={k: RESOLVEURS[v](monde) for k, v in parametres.items()})


def _traces_depuis(debut, **filtres):
    return EvenementAudit.objects.filter(horodatage__gte=debut, **filtres).order_by("pk")


@pytest.mark.parametrize(
    ("route", "parametres", "role", "action", "objet", "details"),
    LECTURES,
    ids=[ligne[0] for ligne in LECTURES],
)
def test_chaque_lecture_est_tracee(
    deux_departements, route, parametres, role, action, objet, details
):
    a, _, sessions = deux_departements
    membership = getattr(a, role)
    cible = getattr(a, objet)
    debut = timezone.now()
    reponse = client_de_session(sessions[role]).get(_url(route, parametres, a))
    assert reponse.status_code == 200
    traces = list(_traces_depuis(debut, action=action, objet_id=str(cible.uuid)))
    assert len(traces) == 1, f"{route} : {len(traces)} traces"
    trace = traces[0]
    assert trace.acteur_id == membership.user_id
    assert trace.role == membership.role
    assert trace.structure == membership.structure.nom  # depuis quelle structure
    assert trace.departement_id == a.departement.pk
    assert trace.objet_type == cible._meta.label_lower
    assert details.items() <= trace.details.items()


@pytest.mark.parametrize(
    ("route", "role", "requete", "liste", "termes"),
    [
        (
            "dossiers:portefeuille",
            "conseiller",
            {"q": "Lefèvre", "page": "2"},
            "portefeuille",
            {"q": "Lefèvre"},
        ),
        (
            "dossiers:liste",
            "animatrice",
            {"q": "Durand", "axe": "2"},
            "departement",
            {"q": "Durand", "axe": "2"},
        ),
        ("dossiers:charges", "correspondant", {"q": "Martin"}, "charges", {"q": "Martin"}),
        (
            "annuaire",
            "ts",
            {"q": "Dupont", "role": "animatrice"},
            "annuaire",
            {"q": "Dupont", "role": "animatrice"},
        ),
        ("rgpd:personnes", "administrateur", {"q": "Lefèvre"}, "droit_acces", {"q": "Lefèvre"}),
        (
            "dossiers:sollicitations_a_traiter",
            "correspondant",
            {"statut": "envoyee"},
            "sollicitations",
            {"statut": "envoyee"},
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and ":" in v else None,
)
def test_les_termes_cherches_dans_une_liste_sont_traces(
    deux_departements, route, role, requete, liste, termes
):
    from django.urls import reverse

    a, _, sessions = deux_departements
    client = client_de_session(sessions[role])
    debut = timezone.now()
    assert client.get(reverse(route)).status_code == 200
    assert not _traces_depuis(debut, details__liste=liste).exists()  # sans critère : rien
    assert client.get(reverse(route), requete).status_code == 200
    trace = _traces_depuis(debut, details__liste=liste).get()
    membership = getattr(a, role)
    assert trace.details["recherche"] == termes  # la pagination n'est pas un terme
    assert (trace.acteur_id, trace.role, trace.departement_id) == (
        membership.user_id,
        membership.role,
        a.departement.pk,
    )
    assert trace.structure == membership.structure.nom


def test_les_filtres_de_la_page_d_audit_sont_traces(deux_departements):
    import html

    from django.urls import reverse

    a, _, sessions = deux_departements
    debut = timezone.now()
    client = client_de_session(sessions["animatrice"])
    assert client.get(reverse("journal_audit")).status_code == 200
    assert "recherche" not in _traces_depuis(debut, details__page="audit").get().details
    filtres = {"personne": "Lefèvre", "action": "lecture", "utilisateur": a.ts.user_id}
    reponse = client.get(reverse("journal_audit"), filtres)
    assert reponse.status_code == 200
    trace = _traces_depuis(debut, details__page="audit").last()
    assert trace.details["recherche"] == {k: str(v) for k, v in filtres.items()}
    # Relue sur la page : libellés, jamais le code de l'action ni le numéro du compte.
    page = client.get(reverse("journal_audit")).content.decode()
    page = html.unescape(page)
    for terme in [
        "Personne : Lefèvre",
        "Action : Consultation",
        f"Professionnel : {a.ts.user.get_full_name()}",
    ]:
        assert terme in page, terme
    assert "Action : lecture" not in page


CODES_BRUTS = [
    Role.CONSEILLER_DEDIE.value,
    Role.TRAVAILLEUR_SOCIAL.value,
    Role.CORRESPONDANT_INSERTION.value,
    "dossiers.dossier",
    "dossiers.document",
    "diagnostics.diagnostic",
    "dossiers.sollicitation",
    "etape_etude",
    "choix_service",
    "rendez_vous",
    "comparee_a",
]


def test_la_page_d_audit_montre_ces_lectures_en_francais(deux_departements):
    """Toutes les lectures ci-dessus, puis la page d'audit de l'animatrice : chaque sorte
    y figure avec son libellé, la structure d'où l'on a lu, et aucun code brut."""
    import html

    from django.urls import reverse

    a, _, sessions = deux_departements
    for route, parametres, role, *_ in LECTURES:
        client_de_session(sessions[role]).get(_url(route, parametres, a))
    client_de_session(sessions["conseiller"]).get(reverse("dossiers:portefeuille"), {"q": "X"})
    reponse = client_de_session(sessions["animatrice"]).get(reverse("journal_audit"))
    assert reponse.status_code == 200
    page = html.unescape(reponse.content.decode())
    for libelle in [
        "Journal du dossier",
        "Formulaire de la fiche de la personne",
        "Comparaison de versions du diagnostic",
        "Sollicitation : prise à l'étude",
        "Choix du service à solliciter",
        "Termes cherchés",
        "Mon portefeuille",
        "Texte : X",
        "Rendez-vous",
        f"Travailleur social — {a.ts.structure.nom}",
        "Export",
    ]:
        assert libelle in page, libelle
    corps = page.split("<main", 1)[1]
    for code in CODES_BRUTS:
        assert code not in corps, f"code brut « {code} » sur la page d'audit"
