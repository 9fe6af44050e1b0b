"""Lire une note, lire un document : `peut_lire_note` et `peut_lire_document` (Python)
disent la même chose que `Note.objects.lisibles_par` et `Document.objects.lisibles_par`
(SQL), pour chaque rattachement du catalogue (tests/dossiers/catalogue.py) et chaque note
(partagée, sociale, privée de qui tient la place, privée de qui l'a quittée) ou document
(ordinaire, confidentiel) de chacun de ses dossiers.

Écart trouvé et corrigé : les deux querysets ne filtraient que la confidentialité
(visibilité de la note, document confidentiel) et laissaient le dossier à l'appelant ;
seul, `Note.objects.lisibles_par(m)` rendait les notes partagées de tous les dossiers,
ceux d'un autre département compris, là où `peut_lire_note` exige l'accès complet au
dossier (`peut_voir_suivi`). Les vues les appliquaient à un seul dossier déjà contrôlé,
donc sans fuite aujourd'hui ; les querysets portent désormais aussi la clause du dossier
(`Dossier.objects.visibles_en_entier_par`) et sont la règle entière."""

import pytest

from dossiers.models import Document, Note
from dossiers.suivi.perms import peut_lire_document, peut_lire_note
from tests.dossiers.catalogue import CLES, ajouter_notes_et_documents, fixture_catalogue

pytestmark = pytest.mark.django_db

catalogue_acces = fixture_catalogue(ajouter_notes_et_documents)


def _ecart(catalogue, cle, objets, attendus, obtenus, decrire) -> str:
    par_pk = {o.pk: o for o in objets}

    def liste(pks):
        return [
            f"{catalogue.decrire(cle, par_pk[pk].dossier)} {decrire(par_pk[pk])}"
            for pk in sorted(pks)
        ]

    return (
        f"{cle} — selon la fonction de droit seulement : {liste(attendus - obtenus)} ; "
        f"selon lisibles_par seulement : {liste(obtenus - attendus)}"
    )


@pytest.mark.parametrize("cle", CLES)
def test_notes_lisibles_par_equivaut_a_peut_lire_note(catalogue_acces, cle):
    m = catalogue_acces.memberships[cle]
    notes = catalogue_acces.notes
    attendues = {n.pk for n in notes if peut_lire_note(m, n)}
    obtenues = set(Note.objects.lisibles_par(m).values_list("pk", flat=True))

    def decrire(n):
        return f"note {n.visibilite} de {n.auteur}"

    assert obtenues == attendues, _ecart(catalogue_acces, cle, notes, attendues, obtenues, decrire)


@pytest.mark.parametrize("cle", CLES)
def test_documents_lisibles_par_equivaut_a_peut_lire_document(catalogue_acces, cle):
    m = catalogue_acces.memberships[cle]
    documents = catalogue_acces.documents
    attendus = {d.pk for d in documents if peut_lire_document(m, d)}
    obtenus = set(Document.objects.lisibles_par(m).values_list("pk", flat=True))

    def decrire(d):
        return "document confidentiel" if d.confidentiel else "document"

    assert obtenus == attendus, _ecart(catalogue_acces, cle, documents, attendus, obtenus, decrire)


def test_chaque_cas_de_confidentialite_est_atteint(catalogue_acces):
    """Le catalogue fait jouer chaque clause : une note privée lue par son auteur et pas
    par un autre, une note sociale lue par le côté social et pas par le côté France
    Travail, un document confidentiel idem, sur des dossiers vus en entier."""
    ts = catalogue_acces.memberships["travailleur_social@territoire1/ici"]
    dedie = catalogue_acces.memberships["conseiller_dedie@agence1/ici"]
    lues_ts = {
        (n.visibilite, n.auteur_id == ts.user_id)
        for n in catalogue_acces.notes
        if peut_lire_note(ts, n)
    }
    lues_dedie = {n.visibilite for n in catalogue_acces.notes if peut_lire_note(dedie, n)}
    assert {("partagee", False), ("sociale", True), ("privee", True)} <= lues_ts
    assert ("privee", False) not in lues_ts
    assert lues_dedie == {"partagee", "privee"}
    assert any(d.confidentiel and peut_lire_document(ts, d) for d in catalogue_acces.documents)
    assert not any(
        d.confidentiel and peut_lire_document(dedie, d) for d in catalogue_acces.documents
    )


def test_sans_rattachement_rien(catalogue_acces):
    assert not Note.objects.lisibles_par(None).exists()
    assert not Document.objects.lisibles_par(None).exists()
