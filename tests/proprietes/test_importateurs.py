"""Propriété : les importateurs (demandeurs CSV/XLSX, base de ressources JSON/CSV) lisent
n'importe quel contenu hostile sans autre exception qu'un refus motivé (ErreurMetier, dont
ErreurFichier), et ce qu'ils écrivent est sans NUL ni caractère de contrôle et rendu
échappé."""

import contextlib
import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accompagnement.exceptions import ErreurMetier
from conventions import imports as imports_ressources
from dossiers.imports.fichier import lire_fichier
from dossiers.imports.services import analyser, appliquer_import, proposer_correspondance
from dossiers.models import Demandeur
from tests.dossiers.imports.test_imports import ENTETES
from tests.proprietes.strategies import MARQUEUR, texte_hostile

pytestmark = pytest.mark.django_db

CONTROLES = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def csv_de(lignes, separateur=";") -> str:
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=separateur).writerows(lignes)
    return tampon.getvalue()


@given(contenu=st.binary(max_size=2000), nom=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_demandeurs_octets_au_hasard_refuses_proprement(contenu, nom):
    with contextlib.suppress(ErreurMetier):
        lire_fichier(contenu, nom)


@pytest.mark.parametrize("encodage", ["utf-8", "cp1252"])
def test_demandeurs_cellules_hostiles_jamais_d_exception_ni_de_nul_stocke(
    equipe, encodage, client_de
):
    @settings(max_examples=30)
    @given(lignes=st.lists(st.lists(texte_hostile, min_size=8, max_size=8), min_size=1, max_size=4))
    def propriete(lignes):
        texte = csv_de([ENTETES[:8], *lignes])
        try:
            contenu = texte.encode(encodage)
        except UnicodeEncodeError:
            contenu = texte.encode("utf-8")
        try:
            tableau = lire_fichier(contenu, "demandeurs.csv")
            correspondance = proposer_correspondance(tableau.entetes, equipe.departement)
            analyse = analyser(
                tableau, departement=equipe.departement, correspondance=correspondance
            )
            if analyse.applicable:
                appliquer_import(analyse=analyse, par=equipe.animatrice)
        except ErreurMetier:
            return
        for nom, prenom in Demandeur.objects.values_list("nom", "prenom"):
            assert not (set(nom) | set(prenom)) & CONTROLES, (nom, prenom)

    propriete()
    if Demandeur.objects.filter(nom__contains="<script>").exists():
        page = client_de(equipe.animatrice).get("/dossiers/departement/", {"q": "script"})
        assert page.status_code == 200 and MARQUEUR not in page.content.decode()


@settings(max_examples=40)
@given(
    objets=st.lists(
        st.dictionaries(
            st.sampled_from(["id", "nom", "structure_id", "source", "thematiques", "courriel"]),
            st.one_of(texte_hostile, st.integers(), st.lists(texte_hostile, max_size=3)),
            max_size=6,
        ),
        max_size=3,
    ),
    forme=st.sampled_from(["json", "csv"]),
)
def test_ressources_contenu_hostile_refuse_ou_analyse_sans_exception(equipe, objets, forme):
    if forme == "json":
        contenu = json.dumps(objets).encode()
    else:
        cles = sorted({cle for objet in objets for cle in objet}) or ["nom"]
        contenu = csv_de(
            [cles, *[[str(objet.get(cle, "")) for cle in cles] for objet in objets]], ","
        ).encode()
    try:
        lot = imports_ressources.lire(contenu, f"ressources.{forme}")
        imports_ressources.analyser(lot, departement=equipe.departement)
    except ErreurMetier:
        pass
