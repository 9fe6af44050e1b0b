"""Gros exports de listes produits par une tâche (ticket 12, point 4) : au-delà du seuil,
l'export est enregistré, produit par la tâche Celery (mode immédiat sans broker), sa
progression s'affiche (fragment htmx), le fichier n'est téléchargeable que par son
demandeur (404 pour tout autre compte, même une animatrice) pendant 2 jours, puis la tâche
quotidienne le supprime. Chaque étape est tracée dans l'audit."""

import csv
import datetime as dt
import io

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accompagnement.celery import app
from accompagnement.models import ActionAudit, EvenementAudit, Role
from reporting import services, tasks
from reporting.models import EtatExport, ExportDiffere
from tests.accompagnement.factories import MembershipFactory
from tests.reporting.fixture_mensuelle import construire
from tests.reporting.test_tableau import _ajouter_dossiers

# La tâche s'exécute dans le processus même quand un broker est configuré (CI) : ces tests
# vérifient l'export, pas le transport (voir tests/reporting/test_rapports.py pour le worker).
pytestmark = pytest.mark.usefixtures("taches_immediates")

MARS = "2026-03"
URL = "/reporting/tableau-de-bord/liste/export/"


@pytest.fixture
def f(db, settings):
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 2  # la file active de mars en compte 3
    return construire()


def _demander(client, django_capture_on_commit_callbacks, **params):
    params = {"mois": MARS, "indicateur": "file_active", "format": "xlsx"} | params
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(URL, params)
    return r


def test_sous_le_seuil_l_export_reste_immediat(f, client_de, settings):
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 3
    r = client_de(f.animatrice).get(
        URL, {"mois": MARS, "indicateur": "file_active", "format": "csv"}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert not ExportDiffere.objects.exists()


def test_au_dela_du_seuil_l_export_est_produit_par_la_tache(
    f, client_de, django_capture_on_commit_callbacks, settings
):
    client = client_de(f.animatrice)
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 1000
    direct = client.get(URL, {"mois": MARS, "indicateur": "file_active", "format": "xlsx"})
    settings.REPORTING_SEUIL_EXPORT_DIFFERE = 2
    r = _demander(client, django_capture_on_commit_callbacks)
    export = ExportDiffere.objects.get()
    assert r.status_code == 302 and r.url == f"/reporting/exports/{export.uuid}/"
    assert export.demandeur == f.animatrice.user and export.etat == EtatExport.TERMINE
    assert export.lignes_total == 3 and export.progression == 100
    assert export.filtres == "mois=2026-03" and export.format == "xlsx"
    assert (export.expire_le - export.termine_le) == dt.timedelta(
        days=settings.REPORTING_EXPORT_CONSERVATION_JOURS
    )

    page = client.get(r.url)
    html = page.content.decode()
    assert page.status_code == 200 and "Prêt" in html
    assert "every 2s" not in html  # fini : plus de sondage
    assert f"/reporting/exports/{export.uuid}/telecharger/" in html
    assert "export compte 3 lignes : il est préparé en arrière-plan." in html
    assert '<dd class="col-sm-9">mars 2026</dd>' in html  # filtres en clair

    fichier = client.get(f"/reporting/exports/{export.uuid}/telecharger/")
    assert fichier.status_code == 200
    assert fichier["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(fichier.content)).active
    ws_direct = load_workbook(io.BytesIO(direct.content)).active
    lignes = list(ws.iter_rows(values_only=True))
    assert lignes == list(ws_direct.iter_rows(values_only=True))
    assert len(lignes) == 4 and lignes[0][0] == "Référence (pseudonyme)"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:N{ws.max_row}"

    traces = list(EvenementAudit.objects.filter(objet_id=str(export.uuid)).order_by("pk"))
    assert [(t.action, t.details["export"]) for t in traces] == [
        (ActionAudit.CREATION, "liste différée"),
        (ActionAudit.EXPORT, "liste différée produite"),
        (ActionAudit.EXPORT, "liste différée téléchargée"),
    ]
    assert all(t.acteur == f.animatrice.user for t in traces)
    assert traces[0].details["filtres"] == "mois=2026-03" and traces[0].details["lignes"] == 3


def test_csv_nominatif_differe_relu(f, client_de, django_capture_on_commit_callbacks):
    client = client_de(f.animatrice)
    _demander(client, django_capture_on_commit_callbacks, format="csv", nominatif="1")
    export = ExportDiffere.objects.get()
    assert export.nominatif
    r = client.get(f"/reporting/exports/{export.uuid}/telecharger/")
    lignes = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][-6:][0] == "Nom" and len(lignes) == 4
    assert r["Content-Disposition"].endswith('.csv"')


def test_nominatif_differe_refuse_sans_le_droit(f, client_de, monkeypatch):
    from reporting import perms

    monkeypatch.setattr(perms, "peut_exporter_nominatif", lambda m: False)
    r = client_de(f.animatrice).get(
        URL, {"mois": MARS, "indicateur": "file_active", "format": "csv", "nominatif": "1"}
    )
    assert r.status_code == 403 and not ExportDiffere.objects.exists()


def test_le_service_verifie_le_droit(f):
    from accompagnement.exceptions import AccesRefuse

    with pytest.raises(AccesRefuse):
        services.demander_export(
            par=f.correspondant_t1,
            indicateur="file_active",
            filtres="",
            format_="csv",
            nominatif=False,
            lignes=10,
        )


@pytest.mark.parametrize("autre", ["autre_animatrice", "correspondant_t1", "conseiller", "ts1"])
def test_seul_le_demandeur_voit_et_telecharge_l_export(
    f, client_de, django_capture_on_commit_callbacks, autre
):
    _demander(client_de(f.animatrice), django_capture_on_commit_callbacks)
    export = ExportDiffere.objects.get()
    if autre == "autre_animatrice":
        # Une autre animatrice du même département : 404 aussi.
        membre = MembershipFactory(role=Role.ANIMATRICE, structure=f.animatrice.structure)
    else:
        membre = getattr(f, autre)
    client = client_de(membre)
    assert client.get(f"/reporting/exports/{export.uuid}/").status_code == 404
    assert client.get(f"/reporting/exports/{export.uuid}/telecharger/").status_code == 404
    assert (
        client.get(f"/reporting/exports/{export.uuid}/", HTTP_HX_REQUEST="true").status_code == 404
    )
    assert not EvenementAudit.objects.filter(
        objet_id=str(export.uuid), details__export="liste différée téléchargée"
    ).exists()


def test_progression_affichee_et_sondee(f, client_de):
    export = services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="xlsx",
        nominatif=False,
        lignes=8000,
    )
    ExportDiffere.objects.filter(pk=export.pk).update(etat=EtatExport.EN_COURS, lignes_ecrites=2000)
    client = client_de(f.animatrice)
    page = client.get(f"/reporting/exports/{export.uuid}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "25 %" in page
    assert 'aria-valuenow="25"' in page
    fragment = client.get(f"/reporting/exports/{export.uuid}/", HTTP_HX_REQUEST="true")
    texte = fragment.content.decode()
    assert "<html" not in texte and "2000 lignes écrites sur 8000 (25 %)" in texte
    assert client.get(f"/reporting/exports/{export.uuid}/telecharger/").status_code == 404


def test_etat_de_l_export_pluriel_francais_et_taille_en_ko(f, client_de):
    export = services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="xlsx",
        nominatif=False,
        lignes=1,
    )
    client = client_de(f.animatrice)
    url = f"/reporting/exports/{export.uuid}/"
    ExportDiffere.objects.filter(pk=export.pk).update(etat=EtatExport.EN_COURS, lignes_ecrites=0)
    assert "0 ligne écrite sur 1" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    ExportDiffere.objects.filter(pk=export.pk).update(
        etat=EtatExport.TERMINE, lignes_ecrites=1, taille=1536
    )
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Télécharger (XLSX, 1 ligne, 1,5 Ko)" in fragment


def test_progression_enregistree_par_paquets(f):
    export = services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="csv",
        nominatif=False,
        lignes=3,
    )
    vus = []

    def contenu(e):
        def lignes():
            for i in range(5):
                vus.append(ExportDiffere.objects.get(pk=e.pk).lignes_ecrites)
                yield [f"P-{i}"]

        return ["Référence"], lignes(), "Test"

    services.produire_export(export, contenu=contenu, pas=2)
    assert vus == [0, 0, 2, 2, 4]
    export.refresh_from_db()
    assert export.lignes_total == 5 and export.etat == EtatExport.TERMINE


def test_tache_idempotente(f, client_de, django_capture_on_commit_callbacks):
    _demander(client_de(f.animatrice), django_capture_on_commit_callbacks)
    export = ExportDiffere.objects.get()
    fichier, termine = bytes(export.fichier), export.termine_le
    assert tasks.produire_export(export.pk) == str(export.uuid)  # rejouée
    export.refresh_from_db()
    assert bytes(export.fichier) == fichier and export.termine_le == termine
    assert (
        EvenementAudit.objects.filter(
            objet_id=str(export.uuid), details__export="liste différée produite"
        ).count()
        == 1
    )
    assert tasks.produire_export(10**9) == ""  # supprimé entre-temps : ignoré


def test_options_de_la_tache_et_planning():
    t = tasks.produire_export
    assert t.acks_late and t.reject_on_worker_lost
    entree = app.conf.beat_schedule["reporting-exports-expires"]
    assert entree["task"] == "reporting.tasks.purger_exports_expires"
    assert entree["schedule"] == crontab(hour=3, minute=30)
    assert app.conf.timezone == "Europe/Paris"


def test_echec_marque_et_affiche(f, client_de, monkeypatch):
    export = services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="csv",
        nominatif=False,
        lignes=3,
    )

    def casse(e):
        raise ValueError("disque plein")

    monkeypatch.setattr(tasks, "contenu_de_liste", casse)
    with pytest.raises(ValueError):
        tasks.produire_export(export.pk)
    export.refresh_from_db()
    assert export.etat == EtatExport.ECHEC and export.erreur == "disque plein"
    html = client_de(f.animatrice).get(f"/reporting/exports/{export.uuid}/").content.decode()
    assert "L'export a échoué" in html and "every 2s" not in html


def test_expire_apres_deux_jours_puis_supprime(f, client_de, django_capture_on_commit_callbacks):
    client = client_de(f.animatrice)
    _demander(client, django_capture_on_commit_callbacks)
    export = ExportDiffere.objects.get()
    url = f"/reporting/exports/{export.uuid}/telecharger/"
    assert client.get(url).status_code == 200
    # Le lendemain : toujours là.
    assert services.purger_exports_expires(timezone.now() + dt.timedelta(days=1)) == 0
    # Deux jours passés : plus téléchargeable, même avant la purge…
    ExportDiffere.objects.filter(pk=export.pk).update(
        expire_le=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(url).status_code == 404
    assert client.get(f"/reporting/exports/{export.uuid}/").status_code == 404
    # … et la tâche quotidienne le supprime (tracé).
    assert tasks.purger_exports_expires() == 1
    assert not ExportDiffere.objects.exists()
    trace = EvenementAudit.objects.get(action=ActionAudit.SUPPRESSION)
    assert trace.details == {"export": "exports différés expirés supprimés", "nombre": 1}
    assert trace.departement_id == f.departement.pk


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_requetes_constantes(f, client_de, django_capture_on_commit_callbacks):
    client = client_de(f.animatrice)

    def exports(n):
        for _ in range(n):
            services.demander_export(
                par=f.animatrice,
                indicateur="file_active",
                filtres="mois=2026-03",
                format_="csv",
                nominatif=False,
                lignes=9000,
            )

    exports(5)
    _demander(client, django_capture_on_commit_callbacks)
    dernier = ExportDiffere.objects.filter(etat=EtatExport.TERMINE).get()
    urls = [
        "/reporting/exports/",
        f"/reporting/exports/{dernier.uuid}/",
        f"/reporting/exports/{dernier.uuid}/telecharger/",
    ]
    avant = [_requetes(client, u) for u in urls]
    exports(45)
    _ajouter_dossiers(f, 45)
    apres = [_requetes(client, u) for u in urls]
    assert avant == apres
    # Et la demande elle-même : même nombre de requêtes à 5 et à 50 lignes.
    with CaptureQueriesContext(connection) as ctx:
        assert (
            client.get(URL, {"mois": MARS, "indicateur": "sorties", "format": "csv"}).status_code
            == 302
        )
    n_petit = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx2:
        assert (
            client.get(
                URL, {"mois": MARS, "indicateur": "file_active", "format": "csv"}
            ).status_code
            == 302
        )
    assert len(ctx2.captured_queries) == n_petit


def test_mes_exports_etat_vide_et_liste(f, client_de):
    client = client_de(f.animatrice)
    html = client.get("/reporting/exports/").content.decode()
    assert "Aucun export en cours ni disponible" in html
    services.demander_export(
        par=f.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="csv",
        nominatif=False,
        lignes=9000,
    )
    html = client.get("/reporting/exports/").content.decode()
    assert "File active en fin de mois" in html and "En attente (0 %)" in html
    # Un autre compte n'y voit rien ; les autres rôles n'ont pas la page.
    autre = MembershipFactory(role=Role.ANIMATRICE, structure=f.animatrice.structure)
    assert "Aucun export en cours" in client_de(autre).get("/reporting/exports/").content.decode()
    assert client_de(f.conseiller).get("/reporting/exports/").status_code == 403


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        (Role.ANIMATRICE, 200),
        (Role.CORRESPONDANT_INSERTION, 403),
        (Role.CONSEILLER, 403),
        (Role.CONSEILLER_DEDIE, 403),
        (Role.TRAVAILLEUR_SOCIAL, 403),
        (Role.ADMINISTRATEUR, 403),
    ],
)
def test_matrice_des_roles(f, client_de, role, attendu):
    """Liste « Mes exports » : l'animatrice ; la page et le fichier d'un export : son seul
    demandeur (404 pour tous les autres rôles, vérifié plus haut)."""
    membre = MembershipFactory(role=role, structure=f.animatrice.structure)
    assert client_de(membre).get("/reporting/exports/").status_code == attendu
