"""La fixture `equipe` est dans tests/conftest.py (partagée avec les diagnostics)."""
