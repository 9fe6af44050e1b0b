"""Fixture de la conservation : trois personnes du même département, construites par les
services (dossiers, diagnostic, suivi, sollicitations, documents), plus une d'un autre
département.

- « échue » : parcours complet puis sortie aujourd'hui ; à PLUS_TARD (aujourd'hui + 25 mois)
  son dernier contact a plus de 24 mois ;
- « récente » : même parcours court, mais un contact 20 mois plus tard (à 5 mois de PLUS_TARD) ;
- « en cours » : dossier ouvert, jamais échu."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accompagnement.audit import mois_avant
from dossiers.models import Dossier, ModeSollicitation, MotifSortie, VisibiliteNote
from dossiers.parcours import services as parcours
from dossiers.sollicitations import services as sollicitations
from dossiers.suivi import aides, documents
from dossiers.suivi import services as suivi
from tests.accompagnement.pdfs import pdf_valide
from tests.diagnostics.test_indicateurs import PROGRES
from tests.diagnostics.test_vues import decide, dossier_du_territoire, partage
from tests.dossiers.scenarios import prescrit
from tests.dossiers.sollicitations.test_sollicitations import ressource

PDF = pdf_valide()  # un vrai PDF : les dépôts sont lus par pypdf
MAINTENANT = timezone.localtime()  # dates du jour en heure de Paris, comme l'application
PLUS_TARD = mois_avant(MAINTENANT, -25)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def parcours_complet(equipe, service, *, nom, prenom, telephone="06 11 22 33 44"):
    dossier = dossier_du_territoire(equipe, nom=nom, prenom=prenom)
    demandeur = dossier.demandeur
    type(demandeur).objects.filter(pk=demandeur.pk).update(
        telephone=telephone,
        email=f"{prenom.lower()}@exemple.test",
        adresse="3 rue des Lilas",
        nom_naissance="Martin",
        numero_caf="1234567",
        rsa_allocataire=True,
        information_le=timezone.localdate(),
        information_mode="oral",
        accord_transmission_le=timezone.localdate(),
        accord_transmission_mode="signe",
    )
    prescrit(equipe, dossier)
    s = sollicitations.creer_sollicitation(
        dossier=dossier,
        service=service,
        domaine="famille",
        besoin=f"Garde d'enfants pour {prenom}",
        mode=ModeSollicitation.CORRESPONDANT,
        correspondant=equipe.correspondant,
        par=equipe.conseiller,
        coordonnees_contact=telephone,
        envoyer=True,
    )
    sollicitations.accepter(sollicitation=s, par=equipe.correspondant, precisions="Place le 3")
    v1 = partage(equipe, dossier)
    decide(equipe, v1)
    partage(equipe, Dossier.objects.get(pk=dossier.pk), freins=PROGRES)
    dossier = Dossier.objects.get(pk=dossier.pk)
    suivi.ajouter_note(
        dossier=dossier,
        par=equipe.ts,
        texte=f"{prenom} vit chez sa sœur",
        visibilite=VisibiliteNote.SOCIALE,
    )
    suivi.planifier_rendez_vous(
        dossier=dossier,
        par=equipe.dedie,
        debut=timezone.now(),
        type="individuel",
        participants=[equipe.dedie.user],
        lieu="Agence Centre",
        objet=f"Point avec {prenom}",
    )
    documents.deposer_document(
        dossier=dossier,
        par=equipe.dedie,
        fichier=SimpleUploadedFile(f"cni-{nom}.pdf", PDF, content_type="application/pdf"),
        categorie="justificatif",
    )
    aides.demander_aide(
        dossier=dossier, par=equipe.ts, montant_demande="150", motif=f"Dette de loyer de {prenom}"
    )
    parcours.cloturer(
        dossier=Dossier.objects.get(pk=dossier.pk),
        motif_sortie=MotifSortie.EMPLOI_DURABLE,
        par=equipe.dedie,
        commentaire=f"{prenom} a signé un CDI",
    )
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def personnes(equipe):
    service = ressource(equipe.departement)

    class Personnes:
        echue = parcours_complet(equipe, service, nom="Lefèvre-Quintard", prenom="Éloïse-Ysolde")
        recente = parcours_complet(
            equipe, service, nom="Durand", prenom="Inès", telephone="06 99 88 77 66"
        )
        en_cours = dossier_du_territoire(equipe, nom="Petit", prenom="Jules")

    # Un contact 20 mois plus tard pour « récente » : à 5 mois de PLUS_TARD.
    Dossier.objects.filter(pk=Personnes.recente.pk).update(
        derniere_activite=mois_avant(MAINTENANT, -20)
    )
    # « en cours » : aucun contact depuis des années, mais le dossier est ouvert.
    Dossier.objects.filter(pk=Personnes.en_cours.pk).update(
        derniere_activite=MAINTENANT - dt.timedelta(days=3000)
    )
    return Personnes
