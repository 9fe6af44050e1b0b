"""La page d'un rapport figé (/reporting/rapports/<uuid>/) : chiffres, définitions en
info-bulle, comparaisons, graphiques avec leur tableau, ventilations qui somment au total,
version courante et motif, téléchargements ; droits par périmètre ; requêtes constantes.
Et l'index de l'administration : mêmes tuiles que le tableau de bord, chacune égale à sa
liste."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accompagnement.models import ActionAudit, EvenementAudit
from reporting import services, tableau
from reporting.catalogue import TUILES, Mois, Perimetre
from tests.reporting.fixture_mensuelle import construire

MARS = Mois(2026, 3)


@pytest.fixture
def f(db):
    return construire()


def _page(client, rapport, **params):
    r = client.get(f"/reporting/rapports/{rapport.uuid}/", params)
    assert r.status_code == 200
    return r, r.content.decode()


def test_page_du_rapport_fige(f, client_de):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    r, html = _page(client_de(f.animatrice), rapport)
    assert "Rapport mensuel — mars 2026" in html and "version courante" in html
    # Chiffres, comparaisons (mois précédent, an dernier) et définitions en info-bulle.
    assert "File active en fin de mois" in html and "Même mois l'an dernier" in html
    assert 'role="tooltip" id="def-file_active"' in html
    assert 'aria-describedby="def-file_active"' in html
    assert "Personnes sur une période d&#x27;orientation ouverte" in html
    assert "33,3\u00a0%" in html  # taux de sorties positives de la fixture
    # Graphiques SVG, chacun avec son tableau de données.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert html.count("(données du graphique)") == 3
    # Téléchargements.
    for lien in ("/pdf/", "/export/?format=xlsx", "/export/?format=csv"):
        assert f"/reporting/rapports/{rapport.uuid}{lien}" in html
    # Ventilations de la file active (par défaut) : chacune somme au total (3).
    ventilations = r.context["ventilations"]
    assert {v["cle"] for v in ventilations} >= {"territoire", "agence", "axe", "rsa", "sexe"}
    for v in ventilations:
        assert sum(ligne["valeur"] for ligne in v["lignes"]) == 3, v["cle"]
    assert re.search(r"<th scope=\"row\">Total</th><td[^>]*>3</td>", html)
    assert EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, details__page="rapport mensuel"
    ).exists()


def test_ventilations_d_un_autre_indicateur(f, client_de):
    rapport = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    client = client_de(f.animatrice)
    r, html = _page(client, rapport, indicateur="sorties")
    assert r.context["choisi"]["cle"] == "sorties"
    motifs = next(v for v in r.context["ventilations"] if v["cle"] == "motif")
    assert sum(ligne["valeur"] for ligne in motifs["lignes"]) == 3
    # Un taux n'est pas additif : pas de ligne « Total » sommée.
    r, html = _page(client, rapport, indicateur="taux_sorties_positives")
    assert "Indicateur non additif" in html and '<th scope="row">Total</th>' not in html
    # Indicateur inconnu : la file active.
    r, _html = _page(client, rapport, indicateur="inconnu")
    assert r.context["choisi"]["cle"] == "file_active"


def test_version_2_courante_avec_son_motif_et_version_1_remplacee(f, client_de):
    v1 = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    v2 = services.generer_rapport(
        perimetre=Perimetre(f.departement),
        mois=MARS,
        version=2,
        motif="Sorties saisies en retard",
        par=f.animatrice,
    )
    client = client_de(f.animatrice)
    _r, html = _page(client, v2)
    assert "version courante" in html and "« Sorties saisies en retard »" in html
    assert "Régénérer" in html
    _r, html = _page(client, v1)
    assert "remplacée" in html and f"/reporting/rapports/{v2.uuid}/" in html
    assert "Régénérer" not in html  # on régénère la version courante seulement
    # La liste des rapports mène à la page de chacun.
    liste = client.get("/reporting/rapports/").content.decode()
    assert f'href="/reporting/rapports/{v1.uuid}/"' in liste
    assert f'href="/reporting/rapports/{v2.uuid}/"' in liste


def test_droits_par_perimetre(f, client_de):
    t1 = services.generer_rapport(perimetre=Perimetre(f.departement, f.t1), mois=MARS)
    t2 = services.generer_rapport(perimetre=Perimetre(f.departement, f.t2), mois=MARS)
    dep = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    correspondant = client_de(f.correspondant_t1)
    _r, html = _page(correspondant, t1)
    assert "Territoire 1" in html and "Régénérer" not in html
    for autre in (t2, dep):
        assert correspondant.get(f"/reporting/rapports/{autre.uuid}/").status_code == 404
    for role in (f.conseiller, f.cd1):
        assert client_de(role).get(f"/reporting/rapports/{t1.uuid}/").status_code == 404
    autre = construire()
    assert client_de(autre.animatrice).get(f"/reporting/rapports/{dep.uuid}/").status_code == 404
    assert client_de(f.animatrice).get(f"/reporting/rapports/{t2.uuid}/").status_code == 200


def test_requetes_constantes(f, client_de):
    """Le rapport d'un territoire (2 dossiers dans la file active) et celui du département
    (3, plus de lignes de ventilation) : même nombre de requêtes."""
    petit = services.generer_rapport(perimetre=Perimetre(f.departement, f.t2), mois=MARS)
    grand = services.generer_rapport(perimetre=Perimetre(f.departement), mois=MARS)
    client = client_de(f.animatrice)
    comptes = []
    for rapport in (petit, grand, petit):
        with CaptureQueriesContext(connection) as ctx:
            _page(client, rapport, indicateur="file_active")
        comptes.append(len(ctx.captured_queries))
    assert comptes[0] == comptes[1] == comptes[2], comptes


# --- Index de l'administration -------------------------------------------------------------


def test_index_de_l_administration_memes_tuiles_que_le_tableau_de_bord(f, client_de):
    """L'encart de l'index de l'administration montre les tuiles du mois par le même code
    que /reporting/tableau-de-bord/ (mêmes nombres) et les files de travail ; chaque tuile
    mène à la liste de ses éléments, dont le nombre est celui de la tuile."""
    f.animatrice.user.is_staff = True
    f.animatrice.user.save()
    client = client_de(f.animatrice)
    mois = tableau.mois_par_defaut()
    admin = client.get("/admin/")
    assert admin.status_code == 200
    html = admin.content.decode()
    bord = client.get("/reporting/tableau-de-bord/", {"mois": str(mois)})
    tuiles_bord = {t.indicateur.cle: t for t in bord.context["tuiles"]}
    assert len(tuiles_bord) == len(TUILES)
    for t in tuiles_bord.values():
        lien = f'href="/reporting/tableau-de-bord/liste/?{t.requete.replace("&", "&amp;")}"'
        assert lien in html, t.indicateur.cle
        assert f"{escape(t.indicateur.libelle)}</a></th><td>{escape(t.texte)}</td>" in html
        liste = client.get("/reporting/tableau-de-bord/liste/?" + t.requete)
        assert liste.context["page"].paginator.count == t.valeur
    for remplie in bord.context["files"]:
        assert f"?file={remplie.file.cle}" in html
        assert f"{escape(remplie.file.titre)}</a></th><td>{remplie.total_lisible}</td>" in html
    assert "/reporting/rapports/" in html
    # Les autres rôles n'ont pas l'encart (le conseiller n'entre pas dans l'administration).
    f.cd1.user.is_staff = True
    f.cd1.user.save()
    assert "tableau-de-bord-admin" not in client_de(f.cd1).get("/admin/").content.decode()
