"""Les règles de sécurité de ruff (`S`, l'équivalent de bandit) sont actives dans
`make quality`, et chaque exception (`# noqa: S…`) dit pourquoi elle est sûre, entre parenthèses ou après un tiret, (voir
docs/securite.md). Un `noqa` de sécurité sans raison fait échouer ce test."""

import re
import tomllib
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
NOQA_S = re.compile(r"#\s*noqa:\s*(S\d{3}(?:\s*,\s*S\d{3})*)(.*)$")


def fichiers_python():
    for chemin in RACINE.rglob("*.py"):
        relatif = chemin.relative_to(RACINE)
        if relatif.parts[0] in {".venv", "var", "node_modules"} or "migrations" in relatif.parts:
            continue
        yield relatif, chemin


def test_les_regles_s_de_ruff_sont_actives():
    reglages = tomllib.loads((RACINE / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in reglages["select"]
    ignorees = {r for r in reglages.get("ignore", []) if r.startswith("S")}
    assert ignorees <= {"S101"}  # assert : la norme des tests pytest
    makefile = (RACINE / "Makefile").read_text()
    assert "$(VENV)/bin/ruff check ." in makefile.split("quality:", 1)[1].split("\n\n", 1)[0]


def test_chaque_noqa_de_securite_est_justifie():
    sans_raison = []
    for relatif, chemin in fichiers_python():
        for numero, ligne in enumerate(chemin.read_text().splitlines(), start=1):
            trouve = NOQA_S.search(ligne)
            if trouve and not re.search(r"^\s*(\(\s*\w|[—–-]\s*\w)", trouve.group(2)):
                sans_raison.append(f"{relatif}:{numero}")
    assert not sans_raison, f"noqa de sécurité sans raison « (…) » ou « — … » : {sans_raison}"
