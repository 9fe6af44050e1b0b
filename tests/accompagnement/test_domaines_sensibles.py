"""Règle des domaines sensibles : `accompagnement.referentiels.DOMAINES_SENSIBLES` est la
seule définition. Aucun gabarit ni module ne compare un domaine au littéral « sante » : ils
lisent un drapeau calculé à partir de la constante (`Objectif.sensible`,
`diagnostics.perms.peut_voir_situations`…)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from accompagnement.referentiels import DOMAINES_SENSIBLES, DomaineFrein

RACINE = Path(settings.BASE_DIR)
VALEURS = "|".join(re.escape(str(d)) for d in DOMAINES_SENSIBLES)
# Un littéral de domaine sensible dans la logique d'un gabarit ({% … %} ou {{ … }}).
BLOC_GABARIT = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
LITTERAL = re.compile(rf"""(["'])({VALEURS})\1""")
# Une comparaison Python à un domaine sensible écrit en dur.
SENSIBLE_PY = rf"""(?:DomaineFrein\.SANTE|"(?:{VALEURS})"|'(?:{VALEURS})')"""
COMPARAISON_PY = re.compile(rf"(==|!=)\s*{SENSIBLE_PY}|{SENSIBLE_PY}\s*(==|!=)")


def _dossiers_de_gabarits() -> list[Path]:
    dossiers = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        chemin = Path(config.path) / "templates"
        if chemin.is_relative_to(RACINE) and chemin.is_dir():
            dossiers.append(chemin)
    return dossiers


def comparaisons_dans_un_gabarit(texte: str) -> list[str]:
    return [bloc for bloc in BLOC_GABARIT.findall(texte) if LITTERAL.search(bloc)]


def test_le_domaine_sante_est_sensible():
    assert DomaineFrein.SANTE in DOMAINES_SENSIBLES


def test_le_detecteur_repere_une_comparaison_en_dur():
    assert comparaisons_dans_un_gabarit('{% if a.objectif.domaine == "sante" %}x{% endif %}')
    assert comparaisons_dans_un_gabarit("{{ d|default:'sante' }}")
    assert not comparaisons_dans_un_gabarit("{% if a.objectif.sensible %}santé{% endif %}")


def test_aucun_gabarit_ne_compare_un_domaine_au_litteral_sante():
    gabarits = [f for d in _dossiers_de_gabarits() for f in d.rglob("*.html")]
    assert len(gabarits) > 50
    fautifs = {
        str(f.relative_to(RACINE)): blocs
        for f in gabarits
        if (blocs := comparaisons_dans_un_gabarit(f.read_text(encoding="utf-8")))
    }
    assert fautifs == {}


def test_aucun_module_ne_compare_un_domaine_au_litteral_sante():
    modules = [
        f
        for f in RACINE.rglob("*.py")
        if not {".venv", "migrations", "tests", "node_modules"} & set(f.relative_to(RACINE).parts)
    ]
    assert any(f.name == "referentiels.py" for f in modules)
    fautifs = {
        f"{f.relative_to(RACINE)}:{n}": ligne.strip()
        for f in modules
        for n, ligne in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if COMPARAISON_PY.search(ligne)
    }
    assert fautifs == {}


@pytest.mark.parametrize("ligne", ['if domaine == "sante":', "x = DomaineFrein.SANTE != d"])
def test_le_detecteur_python_repere_une_comparaison_en_dur(ligne):
    assert COMPARAISON_PY.search(ligne)
