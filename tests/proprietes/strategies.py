"""Entrées hostiles pour les tests de propriétés (hypothesis) : chaînes au hasard, octets
NUL, caractères de contrôle, nombres énormes, HTML et JavaScript, injections SQL."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Profil « ci » (par défaut) : rapide ; HYPOTHESIS_PROFILE=fouille pour chercher plus loin.
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    database=None,  # aucun répertoire .hypothesis écrit dans le dépôt
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("fouille", parent=settings.get_profile("ci"), max_examples=500)

MARQUEUR = "<script>alert('ag')</script>"
HOSTILES = [
    MARQUEUR,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\u202e\u200b\ufeff",
    "9" * 40,
    "-" + "9" * 25,
    "32768",
    "2147483648",
    "1e309",
    "NaN",
    "-Infinity",
    "0x7fffffff",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "${7*7}",
    "x" * 5000,
    "",
    " ",
    "31/02/2026",
    "9999-99-99",
    "é" * 300,
]

texte_hostile = st.one_of(
    st.sampled_from(HOSTILES),
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILES), st.text(max_size=10)),
)

settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))
