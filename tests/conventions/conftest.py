import json
from pathlib import Path

import pytest

from conventions.demo import FICHIER as FICHIER_DEMO


@pytest.fixture(scope="session")
def demo_octets() -> bytes:
    return FICHIER_DEMO.read_bytes()


@pytest.fixture(scope="session")
def demo_donnees(demo_octets) -> dict:
    return json.loads(demo_octets)


@pytest.fixture
def fichiers(tmp_path) -> Path:
    return tmp_path
