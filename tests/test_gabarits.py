"""Les gabarits : un commentaire `{# … #}` de Django tient sur une ligne ; sur plusieurs,
il est affiché tel quel (c'est arrivé dans le PDF du diagnostic). `{% comment %}` sinon."""

from pathlib import Path

GABARITS = Path(__file__).resolve().parent.parent / "templates"


def test_aucun_commentaire_court_sur_plusieurs_lignes():
    fautifs = [
        f"{chemin.relative_to(GABARITS)}:{numero}"
        for chemin in sorted(GABARITS.rglob("*.html"))
        for numero, ligne in enumerate(chemin.read_text().splitlines(), start=1)
        if ligne.count("{#") > ligne.count("#}")
    ]
    assert fautifs == []
