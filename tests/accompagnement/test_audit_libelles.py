"""Journal d'audit : libellés français (accents des champs sans verbose_name, dates lisibles
dans les détails des accès, né / née selon la civilité), issue #15 point 5."""

import pytest

from accompagnement.lectures import _details_acces, _Noms, accentuer, libelle_champ
from dossiers.models import Civilite, RendezVous
from dossiers.parcours import audit as audit_personnes
from tests.dossiers.factories import DemandeurFactory, DossierFactory

NOMS_VIDES = _Noms({}, {}, {}, {}, {})


def champ(nom):
    return RendezVous._meta.get_field(nom)


def test_les_libelles_deduits_du_nom_retrouvent_leurs_accents():
    assert libelle_champ(champ("cree_par")) == "Créé par"
    assert libelle_champ(champ("presence_notee_par")) == "Présence notée par"
    assert libelle_champ(champ("debut")) == "Date et heure"  # verbose_name explicite gardé
    assert accentuer("type_evenement") == "Type événement"


def test_details_d_un_acces_libelles_des_champs_dates_lisibles_et_choix_traduits():
    brut = {
        "objet_type": "dossiers.rendezvous",
        "donnees": {"debut": "2026-12-03T16:00:00+01:00", "presence": "present"},
    }
    details = {d.champ: d.valeur for d in _details_acces(brut, NOMS_VIDES)}
    assert details == {"Date et heure": "03/12/2026 16:00", "Présence de la personne": "Présente"}


@pytest.mark.django_db
def test_la_personne_de_l_audit_est_nee_ou_ne_selon_sa_civilite():
    madame = DemandeurFactory(civilite=Civilite.MADAME, nom="Lefèvre", prenom="Julie")
    monsieur = DemandeurFactory(civilite=Civilite.MONSIEUR, nom="Martin", prenom="Paul")
    libelles = audit_personnes.libelles([madame.pk, monsieur.pk])
    assert libelles[madame.pk] == f"LEFÈVRE Julie (née le {madame.date_naissance:%d/%m/%Y})"
    assert libelles[monsieur.pk] == f"MARTIN Paul (né le {monsieur.date_naissance:%d/%m/%Y})"
    dossier = DossierFactory(demandeur=monsieur)
    assert "(né le " in audit_personnes.libelles_par_objet([str(dossier.uuid)])[str(dossier.uuid)]
    trouves = dict(audit_personnes.chercher(madame.departement, "lefevre"))
    assert trouves[madame.pk].endswith(f"(née le {madame.date_naissance:%d/%m/%Y})")
