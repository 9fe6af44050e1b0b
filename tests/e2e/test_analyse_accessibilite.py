"""L'analyse d'accessibilité des parcours (conftest : axe-core, empreinte du DOM) trouve une
vraie violation, la reporte à chaque visite d'un état de page identique sans relancer axe,
et relance axe dès que le DOM change. Pages servies par une route Playwright (aucun
serveur, aucun réseau)."""

from tests.e2e import conftest

URL = "http://analyse.test/page"
# Une image sans texte de remplacement : violation « image-alt », critique.
SANS_ALT = (
    '<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>'
    '<h1>Essai</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">{suite}'
    "</main></body></html>"
)


def _servir(page, html):
    page.unroute("**/*")
    page.route("**/*", lambda route: route.fulfill(content_type="text/html", body=html))


def test_une_violation_est_trouvee_puis_reprise_sans_nouvelle_analyse(page, accessibilite):
    _servir(page, SANS_ALT.format(suite=""))
    page.goto(URL)
    assert [v["id"] for v in accessibilite.analyser()] == ["image-alt"]
    assert ("http://analyse.test/page", "image-alt") in accessibilite.violations
    connues = len(conftest._DEJA_ANALYSEES)

    # Même état de page rechargé : même résultat, tiré de l'empreinte, axe non relancé.
    accessibilite.violations.clear()
    page.reload()
    assert [v["id"] for v in accessibilite.analyser()] == ["image-alt"]
    assert len(conftest._DEJA_ANALYSEES) == connues
    assert ("http://analyse.test/page", "image-alt") in accessibilite.violations

    # Le DOM change (un bouton sans nom, violation critique) : nouvelle analyse.
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    trouvees = {v["id"] for v in accessibilite.analyser()}
    assert trouvees == {"image-alt", "button-name"}
    assert len(conftest._DEJA_ANALYSEES) == connues + 1

    # Les violations voulues ne font pas échouer ce test à la fin.
    accessibilite.violations.clear()
    page.unroute("**/*")
    page.goto("about:blank")
