import datetime as dt
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from accompagnement.exceptions import AccesRefuse
from accompagnement.models import ActionAudit, EvenementAudit, Role
from diagnostics import services as diag_services
from dossiers.models import Axe, MotifSortie
from dossiers.parcours import services
from reporting.bilan import recapituler
from reporting.models import BilanParcours
from reporting.services import rediger_conclusion
from tests.accompagnement.factories import MembershipFactory
from tests.diagnostics.parcours import diagnostic_partage, dossier_avec_binome

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcours_clos(equipe):
    """Un parcours réel : diagnostic v1 (logement fort, mobilité, santé) → axe 2 ; v2 où le
    logement est levé et la mobilité absente ; sortie en emploi durable."""
    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    diag_services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    v2 = diag_services.demarrer(dossier=dossier, par=equipe.ts)
    v2 = diag_services.enregistrer_social(
        diagnostic=v2,
        par=equipe.ts,
        revision=v2.revision_social,
        freins={
            "logement": {"presence": "present", "impact": "fort", "statut": "leve"},
            "mobilite": {"presence": "absent"},
        },
    )
    v2 = diag_services.enregistrer_emploi(
        diagnostic=v2, par=equipe.dedie, revision=v2.revision_emploi, capacite_recherche="oui"
    )
    v2 = diag_services.enregistrer_information(
        diagnostic=v2, par=equipe.ts, date=dt.date.today(), mode="entretien", accord=True
    )
    diag_services.valider_emploi(diagnostic=v2, par=equipe.dedie)
    diag_services.valider_social(diagnostic=v2, par=equipe.ts)
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.EMPLOI_DURABLE, par=equipe.dedie)
    dossier.refresh_from_db()
    return dossier


def test_recapitulatif_du_parcours(equipe, parcours_clos):
    recap = recapituler(parcours_clos)
    assert [p.axe for p in recap.periodes] == [Axe.ACCOMPAGNEMENT_GLOBAL]
    assert recap.nombre_diagnostics == 2
    assert recap.freins_identifies == ["mobilite", "sante", "logement"]
    assert recap.freins_leves == ["mobilite", "logement"]
    assert recap.freins_restants == ["sante"]
    assert (recap.capacite_debut, recap.capacite_fin) == ("Partiellement", "Oui")
    assert recap.sortie_positive is True
    assert {a.professionnel for a in recap.equipe} >= {equipe.dedie.user, equipe.ts.user}


def test_page_du_bilan_conclusion_et_droits(client_de, equipe, parcours_clos):
    cible = reverse("reporting:bilan", args=[parcours_clos.uuid])
    client = client_de(equipe.dedie)
    page = client.get(cible).content.decode()
    assert "Bilan du parcours" in page and "2</strong> freins levés sur 3 identifiés" in page
    assert "Emploi durable" in page and "(sortie positive)" in page
    trop_court = client.post(cible, {"conclusion": "ok"})
    assert trop_court.status_code == 400 and not BilanParcours.objects.exists()
    assert (
        client.post(
            cible, {"conclusion": "CDI d'aide à domicile signé ; relais CCAS pour le budget."}
        ).status_code
        == 302
    )
    assert BilanParcours.objects.get().redige_par == equipe.dedie.user
    # Un conseiller de l'agence n'a que le statut : pas de bilan.
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    assert client_de(collegue).get(cible).status_code == 404
    # Autre département : 404 ; le correspondant du territoire lit mais ne rédige pas.
    assert client_de(MembershipFactory(role=Role.ANIMATRICE)).get(cible).status_code == 404
    assert client_de(equipe.correspondant).get(cible).status_code == 200
    assert (
        client_de(equipe.correspondant)
        .post(cible, {"conclusion": "Tentative de modification"})
        .status_code
        == 403
    )


def test_cloture_mene_au_bilan(client_de, equipe):
    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    diag_services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    reponse = client_de(equipe.dedie).post(
        reverse("dossiers:cloturer", args=[dossier.uuid]),
        {
            "motif_sortie": MotifSortie.IAE,
            "date": dt.date.today().isoformat(),
            "confirmation": "on",
        },
    )
    assert reponse.status_code == 302 and reponse.url == reverse(
        "reporting:bilan", args=[dossier.uuid]
    )


def test_pdf_du_bilan(client_de, equipe, parcours_clos, tmp_path):
    client = client_de(equipe.ts)
    client.post(
        reverse("reporting:bilan", args=[parcours_clos.uuid]),
        {"conclusion": "Parcours réussi, emploi durable."},
    )
    reponse = client.get(reverse("reporting:bilan_pdf", args=[parcours_clos.uuid]))
    assert reponse.status_code == 200 and reponse["Content-Disposition"].startswith("attachment;")
    nom = slugify(f"{parcours_clos.demandeur.nom} {parcours_clos.demandeur.prenom}")
    assert f'filename="bilan-du-parcours-{nom}.pdf"' in reponse["Content-Disposition"]
    contenu = reponse.content
    assert contenu.startswith(b"%PDF")
    fichier = tmp_path / "bilan.pdf"
    fichier.write_bytes(contenu)
    texte = subprocess.run(
        ["pdftotext", str(fichier), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Bilan du parcours" in texte and parcours_clos.demandeur.prenom in texte
    assert "Parcours réussi, emploi durable." in texte and "Logement" in texte
    assert EvenementAudit.objects.filter(
        action=ActionAudit.EXPORT, objet_id=str(parcours_clos.uuid)
    ).exists()


def test_le_bilan_reprend_les_actions_et_leurs_statuts(client_de, equipe):
    from dossiers.models import CotePorteur, StatutAction
    from dossiers.suivi import services as suivi

    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    diag_services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="logement", intitule="Se loger"
    )
    action = suivi.ajouter_action(
        objectif=objectif,
        par=equipe.ts,
        intitule="Demande de logement social",
        cote=CotePorteur.SOCIAL,
        responsable=equipe.ts.user,
        date_debut=dt.date.today(),
        date_fin_prevue=dt.date.today(),
    )
    suivi.changer_statut_action(
        action=action, par=equipe.ts, statut=StatutAction.EN_COURS, version=action.version
    )
    page = (
        client_de(equipe.dedie)
        .get(reverse("reporting:bilan", args=[dossier.uuid]))
        .content.decode()
    )
    assert "Demande de logement social" in page and "1 en cours" in page


def test_le_bilan_tait_l_intitule_d_une_action_d_un_domaine_sensible(client_de, equipe):
    """Objectif.sensible (DOMAINES_SENSIBLES), pas un littéral « sante » dans le gabarit."""
    from dossiers.models import CotePorteur
    from dossiers.suivi import services as suivi

    dossier = dossier_avec_binome(equipe)
    v1 = diagnostic_partage(equipe, dossier)
    diag_services.decider(
        diagnostic=v1, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    for domaine, intitule in (("sante", "Rendez-vous au CMP"), ("logement", "Dossier SIAO")):
        objectif = suivi.ajouter_objectif(
            dossier=dossier, par=equipe.ts, domaine=domaine, intitule=f"Objectif {domaine}"
        )
        suivi.ajouter_action(
            objectif=objectif,
            par=equipe.ts,
            intitule=intitule,
            cote=CotePorteur.SOCIAL,
            responsable=equipe.ts.user,
            date_debut=dt.date.today(),
            date_fin_prevue=dt.date.today(),
        )
    page = (
        client_de(equipe.ts).get(reverse("reporting:bilan", args=[dossier.uuid])).content.decode()
    )
    assert "Dossier SIAO" in page and "Action du domaine santé" in page
    assert "Rendez-vous au CMP" not in page


def test_la_conclusion_est_refusee_par_le_service_a_qui_n_a_pas_suivi(equipe, parcours_clos):
    """Le correspondant du territoire lit le bilan mais ne le rédige pas : le service
    refuse lui-même (AccesRefuse), rien n'est écrit."""
    journal = parcours_clos.journal.count()
    with pytest.raises(AccesRefuse):
        rediger_conclusion(
            dossier=parcours_clos,
            par=equipe.correspondant,
            conclusion="Une conclusion qui n'a pas lieu d'être.",
        )
    assert not BilanParcours.objects.exists() and parcours_clos.journal.count() == journal
    bilan = rediger_conclusion(
        dossier=parcours_clos, par=equipe.animatrice, conclusion="Parcours réussi, emploi durable."
    )
    assert bilan.redige_par == equipe.animatrice.user


def test_pdf_du_bilan_sans_requete_superflue(client_de, equipe, parcours_clos, tmp_path):
    """Les périodes et l'équipe préchargées avec le dossier ne sont pas relues, le
    département est celui de la page (ticket #14, point 4)."""
    client = client_de(equipe.ts)
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("reporting:bilan_pdf", args=[parcours_clos.uuid]))
    assert reponse.status_code == 200

    def lectures(table):  # requêtes sur cette table (ses sous-requêtes ailleurs non comptées)
        return sum(q["sql"].startswith(f'SELECT "{table}".') for q in requetes.captured_queries)

    assert lectures("dossiers_periodeorientation") == 1
    assert lectures("dossiers_affectation") == 1
    assert lectures("accompagnement_departement") == 0
    fichier = tmp_path / "bilan.pdf"
    fichier.write_bytes(reponse.content)
    texte = subprocess.run(
        ["pdftotext", str(fichier), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert parcours_clos.departement.nom in texte  # l'en-tête, sans relire le département
