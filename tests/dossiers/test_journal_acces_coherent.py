"""Lire le journal d'un dossier. Il n'a pas de fonction de droit à lui : la règle est
`EvenementJournal.objects.lisibles_par` (événements des dossiers vus en entier ; les
sociaux pour le seul côté social), et ce test vérifie, pour chaque rattachement du
catalogue (tests/dossiers/catalogue.py), qu'elle équivaut aux droits qu'appliquent la
page du journal et la fiche (`peut_voir_parcours`, `est_cote_social`), puis que ces deux
pages montrent exactement ce queryset (un dossier par niveau d'accès et par rattachement).

Écart trouvé et corrigé : le queryset ne filtrait que la visibilité sociale et laissait le
dossier à l'appelant : seul, `EvenementJournal.objects.lisibles_par(m)` rendait les
événements partagés de tous les dossiers, d'un autre département compris, et même avec
un rattachement absent (`None`). Les deux pages le bornaient à un dossier déjà contrôlé
(pas de fuite aujourd'hui) ; le queryset porte désormais la clause du dossier
(`Dossier.objects.visibles_en_entier_par`) et rend rien sans rattachement."""

import pytest
from django.urls import reverse

from accompagnement.perms import est_cote_social
from dossiers.models import EvenementJournal, Visibilite
from dossiers.parcours.perms import niveau_acces, peut_voir_parcours
from tests.dossiers.catalogue import CLES, ajouter_journal, fixture_catalogue

pytestmark = pytest.mark.django_db

catalogue_acces = fixture_catalogue(ajouter_journal)


@pytest.mark.parametrize("cle", CLES)
def test_lisibles_par_equivaut_aux_droits_des_pages(catalogue_acces, cle):
    m = catalogue_acces.memberships[cle]
    evenements = catalogue_acces.evenements
    attendus = {
        e.pk
        for e in evenements
        if peut_voir_parcours(m, e.dossier)
        and (e.visibilite == Visibilite.PARTAGEE or est_cote_social(m))
    }
    obtenus = set(EvenementJournal.objects.lisibles_par(m).values_list("pk", flat=True))
    par_pk = {e.pk: e for e in evenements}

    def liste(pks):
        return [
            f"{catalogue_acces.decrire(cle, par_pk[pk].dossier)} {par_pk[pk].visibilite}"
            for pk in sorted(pks)
        ]

    assert obtenus == attendus, (
        f"{cle} — selon les droits seulement : {liste(attendus - obtenus)} ; "
        f"selon lisibles_par seulement : {liste(obtenus - attendus)}"
    )


@pytest.mark.parametrize("cle", CLES)
def test_la_fiche_et_la_page_du_journal_montrent_ce_queryset(catalogue_acces, cle, client_de):
    m = catalogue_acces.memberships[cle]
    client = client_de(m)
    # Un dossier par niveau d'accès (complet, statut seul, aucun) que ce rattachement atteint.
    par_niveau = {}
    for dossier in catalogue_acces.dossiers:
        par_niveau.setdefault(niveau_acces(m, dossier), dossier)
    assert None in par_niveau
    for niveau, dossier in par_niveau.items():
        lisibles = list(
            EvenementJournal.objects.filter(dossier=dossier)
            .lisibles_par(m)
            .values_list("pk", flat=True)
        )
        page = client.get(reverse("dossiers:journal", args=[dossier.uuid]))
        fiche = client.get(reverse("dossiers:dossier", args=[dossier.uuid]))
        contexte = f"{cle}, {catalogue_acces.decrire(cle, dossier)}, niveau {niveau}"
        if niveau is None:
            assert (page.status_code, fiche.status_code, lisibles) == (404, 404, []), contexte
            continue
        assert fiche.status_code == 200, contexte
        assert [e.pk for e in fiche.context["journal"]] == lisibles[:15], contexte
        if niveau == "statut":
            assert (page.status_code, lisibles) == (403, []), contexte
            continue
        assert page.status_code == 200, contexte
        assert [e.pk for e in page.context["page"]] == lisibles, contexte
        # Le dossier vu en entier a un événement partagé, et le social pour le seul côté social.
        assert len(lisibles) == (2 if est_cote_social(m) else 1), contexte


def test_sans_rattachement_rien(catalogue_acces):
    assert not EvenementJournal.objects.lisibles_par(None).exists()
