"""Purge de conservation : l'essai à blanc ne change rien et liste ce qu'il ferait ; le
passage réel anonymise exactement les personnes échues, sur place ; les indicateurs
mensuels calculés avant sont identiques après ; l'historique ne garde plus l'identité."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accompagnement.historique import modeles_historique
from accompagnement.models import EvenementAudit, Notification
from diagnostics.models import Frein
from dossiers.models import (
    AideFinanciere,
    Demandeur,
    Document,
    Dossier,
    EvenementJournal,
    Note,
    RendezVous,
    Sollicitation,
)
from reporting import indicateurs
from rgpd import conservation, purge
from rgpd.models import Anonymisation
from tests.rgpd.conftest import MAINTENANT, PLUS_TARD

pytestmark = pytest.mark.django_db

MOIS = (MAINTENANT.date() - dt.timedelta(days=31), MAINTENANT.date())


def photographie() -> dict:
    """Le contenu de toutes les tables du projet (pour vérifier qu'un essai ne change rien)."""
    from django.apps import apps

    contenu = {}
    for modele in apps.get_models():
        if modele._meta.app_label in {"sessions", "contenttypes", "auth", "admin"}:
            continue
        contenu[modele._meta.label] = sorted(map(repr, modele.objects.order_by().values_list()))
    return contenu


def chiffres(departement) -> dict:
    return {
        "sollicitations": indicateurs.indicateurs_sollicitations(departement, *MOIS),
        "freins": indicateurs.freins_leves_par_domaine(departement, *MOIS),
        "demandes": indicateurs.delais_des_demandes_d_entree(departement, *MOIS),
    }


def test_l_echeance_suit_le_dernier_contact_et_la_duree_du_departement(equipe, personnes):
    echues = set(conservation.echues(PLUS_TARD).values_list("pk", flat=True))
    assert echues == {personnes.echue.demandeur_id}
    # 30 mois pour le département : plus personne n'est échu à 25 mois.
    type(equipe.departement).objects.filter(pk=equipe.departement.pk).update(
        duree_conservation_mois=30
    )
    assert not conservation.echues(PLUS_TARD).exists()
    # Aujourd'hui, personne.
    assert not conservation.echues(MAINTENANT).exists()


def test_un_rendez_vous_passe_compte_comme_contact(equipe, personnes):
    RendezVous.objects.filter(dossier=personnes.echue).update(
        debut=MAINTENANT + dt.timedelta(days=400)
    )
    assert not conservation.echues(PLUS_TARD).exists()
    # Un rendez-vous encore à venir à la date de la purge ne compte pas (pris, pas honoré).
    RendezVous.objects.filter(dossier=personnes.echue).update(
        debut=PLUS_TARD + dt.timedelta(days=1)
    )
    assert conservation.echues(PLUS_TARD).filter(pk=personnes.echue.demandeur_id).exists()


def test_l_essai_a_blanc_ne_change_rien_et_liste_ce_qu_il_ferait(equipe, personnes):
    avant = photographie()
    rapport = purge.anonymiser(maintenant=PLUS_TARD, executer=False)
    assert photographie() == avant
    assert [p.pk for p in rapport.personnes] == [personnes.echue.demandeur_id]
    lignes = "\n".join(rapport.lignes_du_rapport())
    assert "1 personne(s) à anonymiser (essai à blanc)" in lignes
    assert str(personnes.echue.demandeur.uuid) in lignes
    assert (
        "Lefèvre-Quintard" not in lignes and "Ysolde" not in lignes
    )  # jamais l'identité au journal
    assert rapport.lignes["dossiers.note"] == 1
    assert rapport.lignes["dossiers.document"] == 1
    assert rapport.lignes["dossiers.demandeurhistorique"] >= 1


def test_le_passage_reel_anonymise_exactement_les_personnes_echues(
    equipe, personnes, media, django_capture_on_commit_callbacks
):
    chiffres_avant = chiffres(equipe.departement)
    recente_avant = Demandeur.objects.get(pk=personnes.recente.demandeur_id)
    en_cours_avant = Demandeur.objects.get(pk=personnes.en_cours.demandeur_id)
    echue_avant = Demandeur.objects.get(pk=personnes.echue.demandeur_id)
    periodes_avant = list(personnes.echue.periodes.values_list("axe", "date_debut", "date_fin"))
    assert len([p for p in media.rglob("*") if p.is_file()]) == 2

    with django_capture_on_commit_callbacks(execute=True):  # fichiers effacés à la validation
        rapport = purge.anonymiser(maintenant=PLUS_TARD, executer=True)

    assert [p.pk for p in rapport.personnes] == [personnes.echue.demandeur_id]
    d = Demandeur.objects.get(pk=personnes.echue.demandeur_id)
    assert (d.nom, d.prenom, d.nom_naissance) == ("ANONYME", "Personne", "")
    assert (d.email, d.telephone, d.adresse, d.code_postal, d.commune) == ("", "", "", "", "")
    assert (d.identifiant_ft, d.numero_caf) == ("", "")
    # Gardés : sexe, année de naissance, département, situation.
    assert d.civilite == echue_avant.civilite
    assert d.date_naissance == dt.date(echue_avant.date_naissance.year, 1, 1)
    assert d.departement_id == echue_avant.departement_id and d.rsa_allocataire
    # Axes, périodes et dates gardés ; textes libres remplacés.
    dossier = Dossier.objects.get(pk=personnes.echue.pk)
    assert list(dossier.periodes.values_list("axe", "date_debut", "date_fin")) == periodes_avant
    assert dossier.commentaire_sortie == purge.MENTION
    assert dossier.date_cloture == personnes.echue.date_cloture
    assert Note.objects.get(dossier=dossier).texte == purge.MENTION
    s = Sollicitation.objects.get(dossier=dossier)
    assert (s.besoin, s.coordonnees_contact, s.precisions_reponse) == (purge.MENTION,) * 3
    assert s.envoyee_le is not None and s.statut == "acceptee"
    rdv = RendezVous.objects.get(dossier=dossier)
    assert (rdv.lieu, rdv.objet) == (purge.MENTION, purge.MENTION)
    assert AideFinanciere.objects.get(dossier=dossier).motif == purge.MENTION
    assert not Frein.objects.filter(diagnostic__dossier=dossier).exclude(situations=[]).exists()
    assert set(
        EvenementJournal.objects.filter(dossier=dossier).values_list("resume", flat=True)
    ) == {purge.MENTION}
    # Documents : ni ligne ni fichier.
    assert not Document.objects.filter(dossier=dossier).exists()
    restants = [p.name for p in media.rglob("*") if p.is_file()]
    assert len(restants) == 1  # celui de « récente »
    # Les autres personnes sont intactes.
    assert Demandeur.objects.get(pk=personnes.recente.demandeur_id).nom == recente_avant.nom
    assert Demandeur.objects.get(pk=personnes.en_cours.demandeur_id).nom == en_cours_avant.nom
    assert Note.objects.get(dossier=personnes.recente).texte == "Inès vit chez sa sœur"
    # Les chiffres mensuels sont identiques.
    assert chiffres(equipe.departement) == chiffres_avant
    assert chiffres_avant["sollicitations"]["total"] == 2
    assert sum(chiffres_avant["freins"].values()) == 4
    assert chiffres_avant["demandes"]["nombre"] == 2
    # Trace : une ligne d'anonymisation, un événement d'audit sans identité.
    assert Anonymisation.objects.get().demandeur_id == d.pk
    trace = EvenementAudit.objects.get(details__rgpd="anonymisation")
    assert trace.objet_id == str(d.uuid) and trace.departement_id == d.departement_id


def test_plus_rien_de_l_identite_dans_l_historique_ni_les_notifications(equipe, personnes):
    dossier = personnes.echue
    Notification.objects.create(
        destinataire=equipe.dedie.user,
        titre="Éloïse-Ysolde LEFÈVRE-QUINTARD",
        lien=f"/dossiers/{dossier.uuid}/",
    )
    purge.anonymiser(maintenant=PLUS_TARD, executer=True)
    for historique in modeles_historique():
        table = historique._meta.db_table
        with connection.cursor() as c:
            c.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608 (noms de tables des modèles)
            contenu = " ".join(r[0] for r in c.fetchall())
        # Nom choisi improbable : les autres personnes de la fixture ont des noms tirés au hasard.
        assert "quintard" not in contenu.lower() and "Ysolde" not in contenu, table
        assert "06 11 22 33 44" not in contenu, table
    assert not Notification.objects.filter(lien__contains=str(dossier.uuid)).exists()
    # Ce qui concerne « récente » est toujours là.
    assert any(
        h.objects.filter(pgh_demandeur_id=personnes.recente.demandeur_id).exists()
        for h in modeles_historique()
    )


def test_idempotente(equipe, personnes):
    purge.anonymiser(maintenant=PLUS_TARD, executer=True)
    avant = photographie()
    rapport = purge.anonymiser(maintenant=PLUS_TARD, executer=True)
    assert rapport.personnes == []
    assert photographie() == avant


def test_atomique(equipe, personnes, monkeypatch):
    avant = photographie()

    def panne(*args, **kwargs):
        raise RuntimeError("panne au milieu")

    monkeypatch.setattr(purge, "_effacer_fichiers", panne)
    monkeypatch.setattr(purge.EvenementAudit.objects, "bulk_create", panne)  # dernière instruction
    with pytest.raises(RuntimeError):
        purge.anonymiser(maintenant=PLUS_TARD, executer=True)
    assert photographie() == avant


def test_chaque_texte_libre_est_anonymise_ou_garde_expressement():
    """Garde-fou : tout champ texte sans choix d'un objet rattaché à une personne est soit
    anonymisé, soit dans la liste de ce qui est gardé (valeurs techniques)."""
    from django.apps import apps
    from django.db import models

    gardes = {
        ("dossiers.evenementjournal", "objet_type"),
        ("dossiers.evenementjournal", "objet_id"),
    }
    anonymises = {m._meta.label_lower: set(c) for m, c in purge.champs_a_anonymiser().items()}
    manquants = []
    for modele in apps.get_models():
        if modele.__name__.endswith("Historique") or purge.chemin_vers_demandeur(modele) is None:
            continue
        label = modele._meta.label_lower
        if label in purge.SUPPRIMES:
            continue
        for champ in modele._meta.concrete_fields:
            texte = isinstance(champ, models.CharField | models.TextField)
            if not texte or champ.choices or (label, champ.name) in gardes:
                continue
            if champ.name not in anonymises.get(label, set()):
                manquants.append(f"{label}.{champ.name}")
    assert manquants == []


def test_la_commande_essai_a_blanc_puis_wet_run(equipe, personnes, settings, monkeypatch):
    monkeypatch.setattr(purge.timezone, "now", lambda: PLUS_TARD)
    sortie = io.StringIO()
    call_command("purge_rgpd", stdout=sortie)
    assert "1 personne(s) à anonymiser (essai à blanc)" in sortie.getvalue()
    assert "rien n'a été modifié" in sortie.getvalue()
    assert not Anonymisation.objects.exists()
    settings.RGPD_PURGE_ACTIVE = False
    with pytest.raises(CommandError, match="désactivée"):
        call_command("purge_rgpd", "--wet-run", stdout=io.StringIO())
    assert not Anonymisation.objects.exists()
    settings.RGPD_PURGE_ACTIVE = True
    sortie = io.StringIO()
    call_command("purge_rgpd", "--wet-run", stdout=sortie)
    assert "1 personne(s) anonymisée(s)" in sortie.getvalue()
    assert Anonymisation.objects.count() == 1


def test_la_tache_respecte_le_coupe_circuit(
    equipe, personnes, settings, monkeypatch, taches_immediates
):
    from rgpd.tasks import purger_conservation

    monkeypatch.setattr(purge.timezone, "now", lambda: PLUS_TARD)
    settings.RGPD_PURGE_ACTIVE = False
    assert purger_conservation.delay().get() == {"active": False}
    assert not Anonymisation.objects.exists()
    settings.RGPD_PURGE_ACTIVE = True
    resultat = purger_conservation.delay().get()
    assert resultat["active"] and resultat["anonymisees"] == 1


def test_la_tache_est_planifiee_chaque_jour():
    from accompagnement.celery import app

    planning = app.conf.beat_schedule["rgpd-conservation"]
    assert planning["task"] == "rgpd.tasks.purger_conservation"
    assert planning["schedule"].hour == {3}
