"""Tableau de bord de l'animatrice, listes des tuiles, rapports mensuels et exports : droits,
égalité tuile = liste, exports relus (openpyxl, csv), nombre de requêtes constant."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accompagnement.models import ActionAudit, EvenementAudit
from dossiers.models import Demandeur, Dossier, PeriodeOrientation
from reporting import services, tableau
from reporting.catalogue import TUILES, Mois, Perimetre
from reporting.models import RapportMensuel
from tests.reporting.fixture_mensuelle import construire

MARS = "2026-03"


@pytest.fixture
def f(db):
    return construire()


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _ajouter_dossiers(f, n, debut=0):
    """n dossiers de plus en axe 2 au 01/03/2026 (agence A, territoire 1)."""
    demandeurs = [
        Demandeur(
            departement=f.departement,
            civilite="m",
            nom=f"Masse{debut + i}",
            prenom="Test",
            date_naissance=dt.date(1980, 1, 1) + dt.timedelta(days=i),
        ).preparer()
        for i in range(n)
    ]
    Demandeur.objects.bulk_create(demandeurs)
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            departement=f.departement,
            demandeur=d,
            origine="conseiller_ft",
            agence=f.agence_a,
            territoire=f.t1,
            statut="accompagnement",
            axe_courant="2",
            date_orientation=dt.date(2026, 3, 1),
        )
        for d in demandeurs
    )
    PeriodeOrientation.objects.bulk_create(
        PeriodeOrientation(
            dossier=d,
            axe="2",
            date_debut=dt.date(2026, 3, 1),
            motif="Masse",
            decide_par=f.animatrice.user,
        )
        for d in dossiers
    )


@pytest.mark.parametrize(
    "filtres",
    [
        {},
        {"territoire": "t1"},
        {"agence": "agence_b"},
        {"axe": "2"},
        {"territoire": "t2", "axe": "2"},
        {"territoire": "t1", "agence": "agence_a"},
    ],
)
def test_le_nombre_de_chaque_tuile_est_celui_de_sa_liste(f, client_de, filtres):
    client = client_de(f.animatrice)
    params = {"mois": MARS} | {
        k: (getattr(f, v).pk if k != "axe" else v) for k, v in filtres.items()
    }
    r = client.get("/reporting/tableau-de-bord/", params)
    assert r.status_code == 200
    tuiles = r.context["tuiles"]
    assert [t.indicateur.cle for t in tuiles] == [i.cle for i in TUILES]
    for t in tuiles:
        liste = client.get("/reporting/tableau-de-bord/liste/?" + t.requete)
        assert liste.status_code == 200
        assert liste.context["page"].paginator.count == t.valeur, (t.indicateur.cle, filtres)
        assert f'<strong id="nombre-liste">{t.valeur}</strong>' in liste.content.decode()


def test_tableau_de_bord_tuiles_graphiques_files(f, client_de):
    r = client_de(f.animatrice).get("/reporting/tableau-de-bord/", {"mois": MARS})
    html = r.content.decode()
    assert "Tableau de bord — mars 2026" in html
    valeurs = {t.indicateur.cle: (t.valeur, t.precedent) for t in r.context["tuiles"]}
    assert valeurs["file_active"] == (3, 4)
    assert valeurs["sorties"] == (3, 1)  # février : D7
    assert html.count("<svg") == 3 and "12 derniers mois (données du graphique)" in html
    assert ">avr.<" in html and ">mars<" in html and ">26<" in html
    assert ("Files de travail" in html and "Dossiers à orienter" in html) or "orienter" in html
    assert "Définitions des indicateurs" in html


def test_mois_choisi_dans_une_liste_en_francais(f, client_de):
    """Pas de `<input type="month">` : le navigateur l'afficherait dans sa langue."""
    html = (
        client_de(f.animatrice).get("/reporting/tableau-de-bord/", {"mois": MARS}).content.decode()
    )
    assert 'type="month"' not in html
    choisi = re.search(r'<option value="2026-03" selected>([^<]+)</option>', html)
    assert choisi and choisi.group(1) == "Mars 2026"
    ancien = client_de(f.animatrice).get("/reporting/tableau-de-bord/", {"mois": "2019-05"})
    assert '<option value="2019-05" selected>Mai 2019</option>' in ancien.content.decode()


def test_filtre_invalide_message_clair(f, client_de):
    r = client_de(f.animatrice).get("/reporting/tableau-de-bord/", {"mois": "2026-13"})
    assert r.status_code == 200
    assert "Mois attendu au format AAAA-MM" in r.content.decode()


@pytest.mark.parametrize("role", ["correspondant_t1", "conseiller", "cd1", "ts1"])
def test_tableau_de_bord_reserve_a_l_animatrice(f, client_de, role):
    client = client_de(getattr(f, role))
    assert client.get("/reporting/tableau-de-bord/").status_code == 403
    assert client.get("/reporting/tableau-de-bord/liste/?indicateur=file_active").status_code == 403
    assert (
        client.get(
            "/reporting/tableau-de-bord/liste/export/?indicateur=file_active&format=csv"
        ).status_code
        == 403
    )


def test_liste_indicateur_inconnu(f, client_de):
    assert (
        client_de(f.animatrice).get("/reporting/tableau-de-bord/liste/?indicateur=xx").status_code
        == 404
    )


def test_requetes_constantes(f, client_de, settings):
    # Sous une forte charge, plus d'une minute passe entre deux requêtes : l'intergiciel
    # d'inactivité réécrit alors la session (3 requêtes de plus, vu dans `make test`). On
    # compte les requêtes des pages, pas ce rafraîchissement.
    settings.SESSION_INACTIVITE_MINUTES = 0
    client = client_de(f.animatrice)
    urls = [
        "/reporting/tableau-de-bord/?mois=2026-03",  # rapport figé lu
        "/reporting/tableau-de-bord/?mois=2026-03&axe=2",  # calculé à l'instant
        "/reporting/tableau-de-bord/liste/?mois=2026-03&indicateur=file_active",
        "/reporting/rapports/",
    ]
    for p in [Perimetre(f.departement), Perimetre(f.departement, f.t1)]:
        services.generer_rapport(perimetre=p, mois=Mois(2026, 3))
    _ajouter_dossiers(f, 2)  # 5 dans la file active
    avant = [_requetes(client, u) for u in urls]
    _ajouter_dossiers(f, 45, debut=100)  # 50
    apres = [_requetes(client, u) for u in urls]
    assert avant == apres


# --- Exports ---------------------------------------------------------------------------------


def test_export_xlsx_pseudonymise_relu(f, client_de):
    r = client_de(f.animatrice).get(
        "/reporting/tableau-de-bord/liste/export/",
        {"mois": MARS, "indicateur": "sorties", "format": "xlsx"},
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(r.content)).active
    entetes = [c.value for c in ws[1]]
    assert entetes[:3] == ["Référence (pseudonyme)", "Agence", "Territoire"]
    assert "Nom" not in entetes and "Identifiant France Travail" not in entetes
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:N{ws.max_row}"
    lignes = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(lignes) == 3  # D3, D5, D6
    sorti_le = entetes.index("Sorti le")
    assert {ligne[sorti_le] for ligne in lignes} == {
        dt.datetime(2026, 3, 20),
        dt.datetime(2026, 3, 15),
        dt.datetime(2026, 3, 28),
    }
    assert ws.cell(row=2, column=sorti_le + 1).number_format == "DD/MM/YYYY"
    assert all(re.fullmatch(r"P-[0-9A-F]{12}", ligne[0]) for ligne in lignes)
    texte = " ".join(str(v) for ligne in lignes for v in ligne)
    # Ni nom ni identifiant FT (le pseudonyme, hexadécimal, peut contenir « D3 » par hasard).
    assert all(ligne[0] != "D3" for ligne in lignes)
    assert f.d3.demandeur.nom not in texte.split() and f.d3.demandeur.identifiant_ft not in texte
    trace = EvenementAudit.objects.get(action=ActionAudit.EXPORT)
    assert trace.acteur == f.animatrice.user
    assert trace.details["indicateur"] == "sorties" and trace.details["nominatif"] is False
    assert trace.details["lignes"] == 3 and "mois=2026-03" in trace.details["filtres"]


def test_export_csv_relu_et_formules_neutralisees(f, client_de):
    Demandeur.objects.filter(pk=f.d3.demandeur_id).update(
        nom='=HYPERLINK("http://x")', prenom="@moi"
    )
    r = client_de(f.animatrice).get(
        "/reporting/tableau-de-bord/liste/export/",
        {"mois": MARS, "indicateur": "sorties", "format": "csv", "nominatif": "1"},
    )
    assert r.status_code == 200
    texte = r.content.decode("utf-8-sig")
    lignes = list(csv.reader(io.StringIO(texte), delimiter=";"))
    entetes = lignes[0]
    assert entetes[-6:] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Courriel",
        "Téléphone",
        "Identifiant France Travail",
    ]
    d3 = next(ligne for ligne in lignes[1:] if ligne[entetes.index("Sorti le")] == "20/03/2026")
    assert d3[entetes.index("Nom")] == '\'=HYPERLINK("http://x")'
    assert d3[entetes.index("Prénom")] == "'@moi"
    assert d3[entetes.index("Allocataire du RSA")] == "Oui"
    assert d3[entetes.index("Tranche d'âge")] == "55 ans et plus"
    assert EvenementAudit.objects.get(action=ActionAudit.EXPORT).details["nominatif"] is True


def test_export_nominatif_refuse_sans_le_droit(f, client_de, monkeypatch):
    from reporting import perms

    monkeypatch.setattr(perms, "peut_exporter_nominatif", lambda m: False)
    r = client_de(f.animatrice).get(
        "/reporting/tableau-de-bord/liste/export/",
        {"mois": MARS, "indicateur": "sorties", "format": "csv", "nominatif": "1"},
    )
    assert r.status_code == 403


def test_export_d_un_rapport_xlsx_et_csv(f, client_de):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=Mois(2026, 3))
    client = client_de(f.animatrice)
    r = client.get(f"/reporting/rapports/{rapport.uuid}/export/?format=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    entetes = [c.value for c in ws[1]]
    assert entetes[:5] == ["Mois", "Périmètre", "Version", "Famille", "Indicateur"]
    lignes = list(ws.iter_rows(min_row=2, values_only=True))
    total = next(
        ligne
        for ligne in lignes
        if ligne[4] == "File active en fin de mois" and ligne[5] == "Total"
    )
    assert total[7] == 3 and total[9] == 4 and total[0] == dt.datetime(2026, 3, 1)
    par_axe = [
        ligne for ligne in lignes if ligne[4] == "File active en fin de mois" and ligne[5] == "Axe"
    ]
    assert sum(ligne[7] for ligne in par_axe) == 3
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:L")
    r = client.get(f"/reporting/rapports/{rapport.uuid}/export/?format=csv")
    lignes = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][7] == "Valeur"
    assert [
        "01/03/2026",
        str(f.departement),
        "1",
        "Sorties",
        "Taux de sorties positives",
        "Total",
        "",
        "33,3",
        "%",
    ] == lignes[[ligne[4] for ligne in lignes].index("Taux de sorties positives")][:9]
    assert EvenementAudit.objects.filter(action=ActionAudit.EXPORT).count() == 2


# --- Rapports : lecture par périmètre, régénération ----------------------------------------------


def test_le_correspondant_ne_lit_que_son_territoire(f, client_de):
    t1 = services.generer_rapport(perimetre=Perimetre(f.departement, f.t1), mois=Mois(2026, 3))
    t2 = services.generer_rapport(perimetre=Perimetre(f.departement, f.t2), mois=Mois(2026, 3))
    dep = services.generer_rapport(perimetre=Perimetre(f.departement), mois=Mois(2026, 3))
    client = client_de(f.correspondant_t1)
    page = client.get("/reporting/rapports/")
    assert [r.pk for r in page.context["page"]] == [t1.pk]
    assert "Régénérer" not in page.content.decode()
    r = client.get(f"/reporting/rapports/{t1.uuid}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    for autre in (t2, dep):
        assert client.get(f"/reporting/rapports/{autre.uuid}/pdf/").status_code == 404
    assert client.get(f"/reporting/rapports/{t1.uuid}/regenerer/").status_code == 403
    assert client_de(f.conseiller).get("/reporting/rapports/").status_code == 403
    # Un autre département : 404.
    autre = construire()
    assert (
        client_de(autre.animatrice).get(f"/reporting/rapports/{dep.uuid}/pdf/").status_code == 404
    )


def test_regeneration_depuis_la_page(
    f, client_de, taches_immediates, django_capture_on_commit_callbacks
):
    v1 = services.generer_rapport(perimetre=Perimetre(f.departement), mois=Mois(2026, 3))
    client = client_de(f.animatrice)
    page = client.get(f"/reporting/rapports/{v1.uuid}/regenerer/")
    assert "version 2" in page.content.decode()
    r = client.post(f"/reporting/rapports/{v1.uuid}/regenerer/", {"motif": ""})
    assert r.status_code == 400 and RapportMensuel.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/reporting/rapports/{v1.uuid}/regenerer/", {"motif": "Sorties saisies en retard"}
        )
    assert r.status_code == 302
    v2 = RapportMensuel.objects.get(version=2)
    assert v2.motif == "Sorties saisies en retard" and v2.genere_par == f.animatrice.user
    html = client.get("/reporting/rapports/").content.decode()
    assert html.count("version courante") == 1 and "remplacée" in html
    assert "Sorties saisies en retard" in html


def test_index_de_l_administration(f, client_de):
    f.animatrice.user.is_staff = True
    f.animatrice.user.save()
    html = client_de(f.animatrice).get("/admin/").content.decode()
    assert "Tableau de bord —" in html and "File active en fin de mois" in html
    assert "/reporting/tableau-de-bord/liste/?" in html


@pytest.mark.parametrize(
    "structures, axe",
    [((), None), (("t1",), None), (("agence_b",), "2"), (("t1", "agence_a"), None), ((), "3")],
)
def test_valeurs_par_mois_egales_au_calcul_mois_par_mois(f, structures, axe):
    """Le calcul groupé du tableau de bord (un agrégat filtré par indicateur et par mois)
    donne, pour chaque indicateur du catalogue et chaque mois, la valeur de `calculer`."""
    from reporting.catalogue import CATALOGUE, Filtree, valeurs_par_mois

    s = [getattr(f, n) for n in structures]
    p = Perimetre(f.departement, s[0], tuple(s[1:])) if s else Perimetre(f.departement)
    mois = [Mois(2026, m) for m in range(1, 6)]
    demandes = [(ind, m) for ind in CATALOGUE for m in mois]
    groupees = sum(isinstance(ind.source, Filtree) for ind in CATALOGUE)
    assert groupees >= 5
    with CaptureQueriesContext(connection) as ctx:
        valeurs = valeurs_par_mois(demandes + demandes[:3], p, axe)
    # Les sources filtrées : une requête par (modèle, chemin, champ de l'axe) ; les autres,
    # une par couple.
    assert len(ctx.captured_queries) == 2 + (len(CATALOGUE) - groupees) * len(mois)
    attendu = {(ind.cle, m): ind.calculer(p, m, axe) for ind, m in demandes}
    assert valeurs == attendu
    assert any(v for (cle, _m), v in attendu.items() if cle == "file_active")


def test_index_de_l_administration_requetes_constantes(f, client_de, settings):
    settings.SESSION_INACTIVITE_MINUTES = 0
    f.animatrice.user.is_staff = True
    f.animatrice.user.save()
    client = client_de(f.animatrice)
    _ajouter_dossiers(f, 2)
    calcule = _requetes(client, "/admin/")
    assert "Chiffres calculés à l'instant." in client.get("/admin/").content.decode()
    # Le mois par défaut figé : ses chiffres sont lus dans le rapport (la recherche du
    # rapport seule, sans les deux calculs groupés), comme sur le tableau de bord.
    services.generer_rapport(perimetre=Perimetre(f.departement), mois=tableau.mois_par_defaut())
    avant = _requetes(client, "/admin/")
    assert avant == calcule - 2
    assert "Chiffres publiés" in client.get("/admin/").content.decode()
    _ajouter_dossiers(f, 45, debut=100)
    assert _requetes(client, "/admin/") == avant


def _perimetre(f, noms):
    s = [getattr(f, n) for n in noms]
    return Perimetre(f.departement, s[0], tuple(s[1:])) if s else Perimetre(f.departement)


@pytest.mark.parametrize("structures", [(), ("t1",), ("agence_b",)])
def test_mois_fige_lu_dans_son_rapport_memes_chiffres_que_le_calcul(f, structures):
    """Un mois figé se lit dans son rapport (une requête) : mêmes valeurs des tuiles et des
    graphiques que le calcul à l'instant quand rien n'a changé depuis."""
    mois = Mois(2026, 3)
    services.generer_rapport(perimetre=_perimetre(f, structures), mois=mois)
    s = [getattr(f, n) for n in structures]
    filtres = tableau.Filtres(
        mois=mois,
        territoire=next((x for x in s if x.type == "territoire_social"), None),
        agence=next((x for x in s if x.type == "agence_ft"), None),
    )
    with CaptureQueriesContext(connection) as ctx:
        fige = tableau.chiffres(f.departement, filtres)
    assert len(ctx.captured_queries) == 1
    assert fige.rapport is not None and fige.rapport["version"] == 1
    calcule = tableau.chiffres(f.departement, filtres, figes=False)
    assert calcule.rapport is None
    assert fige.valeurs == calcule.valeurs
    assert any(fige.valeurs.values())
    if not structures:  # chiffres vérifiés à la main (test_tableau_de_bord_tuiles_…)
        assert fige.valeurs["file_active", mois] == 3
        assert fige.valeurs["sorties", Mois(2026, 2)] == 1


def test_saisie_apres_le_rapport_fige(f, client_de):
    """Après le rapport figé, la tuile garde le chiffre publié et le dit ; sa liste est à
    l'instant. Avec un filtre d'axe (absent des rapports), tout est calculé à l'instant."""
    client = client_de(f.animatrice)
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=Mois(2026, 3))
    _ajouter_dossiers(f, 2)
    r = client.get("/reporting/tableau-de-bord/", {"mois": MARS})
    html = r.content.decode()
    assert r.context["rapport_fige"]["uuid"] == rapport.uuid
    assert "Chiffres publiés" in html and f"/reporting/rapports/{rapport.uuid}/" in html
    assert rapport.genere_le.astimezone().strftime("%d/%m/%Y") in html
    file_active = next(t for t in r.context["tuiles"] if t.indicateur.cle == "file_active")
    assert file_active.valeur == 3  # publié
    liste = client.get("/reporting/tableau-de-bord/liste/?" + file_active.requete)
    assert liste.context["page"].paginator.count == 5  # à l'instant
    ecart = re.search(
        r'<p class="alert alert-info" id="ecart-publie">(.*?)</p>', liste.content.decode()
    )
    assert ecart and "rapport mensuel figé le" in ecart.group(1) and ": 3." in ecart.group(1)
    sorties = next(t for t in r.context["tuiles"] if t.indicateur.cle == "sorties")
    sans_ecart = client.get("/reporting/tableau-de-bord/liste/?" + sorties.requete)
    assert sans_ecart.context["page"].paginator.count == sorties.valeur
    assert 'id="ecart-publie"' not in sans_ecart.content.decode()
    par_axe = client.get("/reporting/tableau-de-bord/", {"mois": MARS, "axe": "2"})
    assert par_axe.context["rapport_fige"] is None
    assert "Chiffres calculés à l'instant." in par_axe.content.decode()
    for t in par_axe.context["tuiles"]:
        liste = client.get("/reporting/tableau-de-bord/liste/?" + t.requete)
        assert liste.context["page"].paginator.count == t.valeur, t.indicateur.cle


def test_mois_en_cours_jamais_lu_dans_un_rapport(f):
    en_cours = Mois.de(dt.date.today())
    with CaptureQueriesContext(connection) as ctx:
        assert tableau._lire_rapport_fige(f.departement, tableau.Filtres(mois=en_cours)) is None
    assert ctx.captured_queries == []
