"""Comités techniques : ordre du jour automatique, décisions appliquées atomiquement,
besoin d'en connaître (page, ordre du jour, compte rendu PDF lu par pdftotext), nombre
de requêtes constant."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import EvenementAudit, Notification
from comites import lectures, services, views
from comites.models import (
    PLAFOND_POINTS_SEANCE,
    POINTS_PAR_COMPOSITION,
    EtatSeance,
    MotifInscription,
    Point,
    TypeDecision,
)
from dossiers.models import Axe, DemandeChangementAxe, MotifSortie, StatutDemande, StatutDossier
from tests.comites.fabrique import (
    NOTE_SOCIALE,
    RAISON_RESERVEE,
    files_remplies,
    seance,
    signalements_anciens,
)
from tests.dossiers.scenarios import en_axe_2

pytestmark = pytest.mark.django_db


def _motifs(s):
    return {p.dossier.demandeur.nom: p.motif for p in s.points.select_related("dossier__demandeur")}


# --- Ordre du jour --------------------------------------------------------------------------


def test_l_ordre_du_jour_reprend_les_files_et_les_signalements(equipe):
    files_remplies(equipe)
    en_axe_2(equipe, nom="Tranquille")  # rien à décider : pas à l'ordre du jour
    s = seance(equipe)
    composition = services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    assert len(composition.points) == 5 and composition.en_attente == 0
    assert _motifs(s) == {
        "Prescrit": MotifInscription.PRESCRIPTION,
        "Changement": MotifInscription.CHANGEMENT_AXE,
        "Renouvelle": MotifInscription.RENOUVELLEMENT,
        "Sortie": MotifInscription.SORTIE,
        "Situation": MotifInscription.SIGNALEMENT,
    }
    changement = s.points.get(motif=MotifInscription.CHANGEMENT_AXE)
    assert changement.orientation_demandee == Axe.RESSOURCES_SOCIALES
    assert changement.demande.motif == "Freins levés : retour à l'agence"
    # Recomposer n'ajoute pas de doublon ; un point retiré revient à la composition suivante.
    assert services.composer_ordre_du_jour(seance=s, par=equipe.animatrice).points == []
    services.retirer_point(point=changement, par=equipe.animatrice)
    assert len(services.composer_ordre_du_jour(seance=s, par=equipe.animatrice).points) == 1


def test_ordre_du_jour_d_un_territoire_et_modifiable_avant_la_seance(equipe):
    from tests.accompagnement.factories import StructureFactory

    dossiers = files_remplies(equipe)
    autre = StructureFactory(territoire=True, departement=equipe.departement, nom="Territoire Nord")
    s = seance(equipe, territoire=equipe.territoire)
    assert services.composer_ordre_du_jour(
        seance=s, par=equipe.animatrice
    ).points  # le binôme tient le territoire
    s2 = seance(equipe, territoire=autre)
    assert services.composer_ordre_du_jour(seance=s2, par=equipe.animatrice).points == []
    # Ajouter à la main, ordonner.
    p = services.ajouter_point(seance=s2, par=equipe.animatrice, dossier=dossiers["sortie"])
    q = services.ajouter_point(seance=s2, par=equipe.animatrice, dossier=dossiers["situation"])
    services.deplacer_point(point=q, par=equipe.animatrice, vers_le_haut=True)
    assert list(s2.points.order_by("ordre").values_list("pk", flat=True)) == [q.pk, p.pk]
    with pytest.raises(ErreurMetier, match="déjà à l'ordre du jour"):
        services.ajouter_point(seance=s2, par=equipe.animatrice, dossier=dossiers["sortie"])
    # Tenue : plus de modification.
    services.noter_presences(seance=s2, par=equipe.animatrice, presents=set())
    with pytest.raises(ErreurMetier, match="ne se modifie plus"):
        services.retirer_point(point=p, par=equipe.animatrice)


def test_la_composition_est_bornee_par_motif_puis_les_plus_anciens(equipe, client_de):
    dossiers = files_remplies(equipe)  # un dossier par motif, signalés aujourd'hui
    anciens = signalements_anciens(equipe, 62)  # signalés il y a 30 à 91 jours
    s = seance(equipe)
    url = reverse("comites:composer", args=[s.uuid])
    client = client_de(equipe.animatrice)
    reponse = client.post(url, follow=True)
    assert [str(m) for m in reponse.context["messages"]] == [
        "30 dossiers ajoutés depuis les files ; 37 autres restent dans les files : "
        "recomposer en ajoute d'autres, jusqu'à 60 points par séance."
    ]
    points = list(s.points.order_by("ordre"))
    assert len(points) == POINTS_PAR_COMPOSITION == 30
    assert [p.ordre for p in points] == list(range(1, 31))
    # L'ordre des motifs d'abord, puis, dans une file, les plus anciens.
    assert [p.motif for p in points[:3]] == [
        MotifInscription.PRESCRIPTION,
        MotifInscription.CHANGEMENT_AXE,
        MotifInscription.RENOUVELLEMENT,
    ]
    assert [p.dossier_id for p in points[3:]] == [d.pk for d in anciens[:27]]
    # Recomposer : les suivants, sans doublon, jusqu'au plafond de la séance.
    seconde = services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    assert [p.dossier_id for p in seconde.points] == [d.pk for d in anciens[27:57]]
    assert (seconde.en_attente, seconde.plafond_atteint) == (7, True)
    assert s.points.count() == s.points.values("dossier").distinct().count()
    assert s.points.count() == PLAFOND_POINTS_SEANCE == 60
    assert views.message_composition(seconde) == (
        "30 dossiers ajoutés depuis les files ; 7 autres restent dans les files, à composer "
        "pour une prochaine séance (60 points au plus par séance)."
    )
    # Au plafond : rien de plus, l'animatrice sait ce qui attend.
    reponse = client.post(url, follow=True)
    assert [str(m) for m in reponse.context["messages"]] == [
        "L'ordre du jour a atteint le plafond de 60 points par séance : 7 dossiers restent "
        "dans les files, à composer pour une prochaine séance."
    ]
    assert s.points.count() == 60
    # Un point retiré libère une place : il revient, le plus ancien de sa file.
    services.retirer_point(point=s.points.get(dossier=anciens[0]), par=equipe.animatrice)
    reprise = services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    assert [p.dossier_id for p in reprise.points] == [anciens[0].pk]
    assert reprise.points[0].ordre == 61  # à la suite
    # Une prochaine séance prend ce qui attend encore, les plus anciens d'abord.
    suivante = services.composer_ordre_du_jour(seance=seance(equipe), par=equipe.animatrice)
    assert [p.motif for p in suivante.points[:3]] == [
        MotifInscription.PRESCRIPTION,
        MotifInscription.CHANGEMENT_AXE,
        MotifInscription.RENOUVELLEMENT,
    ]
    # (les signalements repris par la première séance n'attendent plus)
    assert [p.dossier_id for p in suivante.points[3:]] == [d.pk for d in anciens[57:]] + [
        dossiers["sortie"].pk,
        dossiers["situation"].pk,
    ]
    assert suivante.en_attente == 0


def test_les_files_sont_lues_par_des_requetes_bornees(equipe):
    files_remplies(equipe)
    signalements_anciens(equipe, 40)
    s = seance(equipe)
    with CaptureQueriesContext(connection) as ctx:
        propositions = lectures.propositions(s, equipe.animatrice)
    assert len(propositions) == POINTS_PAR_COMPOSITION
    # Une requête par file, chacune limitée à ce qui manque (30, 29, 28, puis 27).
    limites = [q["sql"].rsplit("LIMIT", 1)[1].strip() for q in ctx.captured_queries]
    assert limites == ["30", "29", "28", "27"]
    with CaptureQueriesContext(connection) as ctx:
        assert lectures.en_attente(s, equipe.animatrice) == 45
        assert lectures.en_attente(s, equipe.animatrice, plafond=9) == 10  # compte borné
    assert len(ctx.captured_queries) == 2


def test_le_message_de_composition_borne_et_met_en_forme_le_reste():
    def message(ajoutes, en_attente, plafond_atteint=False):
        composition = services.Composition(
            points=[Point()] * ajoutes, en_attente=en_attente, plafond_atteint=plafond_atteint
        )
        return views.message_composition(composition)

    assert message(30, 9_687) == (
        "30 dossiers ajoutés depuis les files ; 9\u202f687 autres restent dans les files : "
        "recomposer en ajoute d'autres, jusqu'à 60 points par séance."
    )
    assert message(30, 10_001, True).startswith(
        "30 dossiers ajoutés depuis les files ; plus de 10\u202f000 autres restent dans les "
        "files, à composer pour une prochaine séance"
    )
    assert message(1, 1) == (
        "1 dossier ajouté depuis les files ; 1 autre reste dans les files : recomposer en "
        "ajoute d'autres, jusqu'à 60 points par séance."
    )
    assert (
        message(5, 0)
        == "5 dossiers ajoutés depuis les files ; les files n'en proposent pas d'autre."
    )
    assert message(0, 0) == "Les files ne proposent aucun nouveau dossier."
    assert message(0, 0, True) == "Les files ne proposent aucun nouveau dossier."
    assert message(0, 1, True) == (
        "L'ordre du jour a atteint le plafond de 60 points par séance : 1 dossier reste dans "
        "les files, à composer pour une prochaine séance."
    )


def test_seule_l_animatrice_prepare_le_comite(equipe):
    with pytest.raises(AccesRefuse):
        services.creer_seance(
            par=equipe.dedie, type="orientations", debut=timezone.now(), lieu="Ici"
        )
    s = seance(equipe)
    with pytest.raises(AccesRefuse):
        services.composer_ordre_du_jour(seance=s, par=equipe.correspondant)


def test_envoyer_l_ordre_du_jour_notifie_les_participants_sans_contenu(
    equipe, mailoutbox, django_capture_on_commit_callbacks, taches_immediates
):
    files_remplies(equipe)
    s = seance(equipe)
    with pytest.raises(ErreurMetier, match="vide"):
        services.envoyer_ordre_du_jour(seance=s, par=equipe.animatrice)
    services.ajouter_participant(seance=s, par=equipe.animatrice, membership=equipe.dedie)
    services.ajouter_participant(
        seance=s, par=equipe.animatrice, nom="Mme Martin", institution="partenaire"
    )
    services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    with django_capture_on_commit_callbacks(execute=True):
        services.envoyer_ordre_du_jour(seance=s, par=equipe.animatrice)
    s.refresh_from_db()
    assert s.etat == EtatSeance.ORDRE_DU_JOUR_ENVOYE
    notification = Notification.objects.get(
        destinataire=equipe.dedie.user, titre__startswith="Ordre du jour"
    )
    assert "5 dossiers à l'ordre du jour" in notification.texte
    assert notification.lien == reverse("comites:seance", args=[s.uuid])
    courriels = [c for c in mailoutbox if "Ordre du jour" in c.subject]
    assert len(courriels) == 1 and courriels[0].to == [equipe.dedie.user.email]
    assert "SITUATION" not in courriels[0].body and RAISON_RESERVEE not in courriels[0].body


# --- Décisions ------------------------------------------------------------------------------


def _point(s, motif):
    return s.points.select_related("dossier").get(motif=motif)


def test_une_decision_s_applique_au_dossier(equipe):
    dossiers = files_remplies(equipe)
    s = seance(equipe)
    services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    point = services.enregistrer_decision(
        point=_point(s, MotifInscription.CHANGEMENT_AXE),
        par=equipe.animatrice,
        decision=TypeDecision.ACCEPTER_CHANGEMENT,
        motivation="Freins levés, l'agence reprend",
        accord_personne=True,
        prochaine_etape="Désigner le référent social",
        echeance=timezone.localdate() + dt.timedelta(days=15),
        responsable=equipe.correspondant.user,
    )
    dossier = dossiers["changement"]
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.RESSOURCES_SOCIALES
    assert DemandeChangementAxe.objects.get(dossier=dossier).statut == StatutDemande.ACCEPTEE
    assert point.decide and point.orientation_decidee == Axe.RESSOURCES_SOCIALES
    assert Notification.objects.filter(
        destinataire=equipe.correspondant.user, titre__contains="prochaine étape"
    ).exists()
    # Sortie validée : le dossier est clos par le service des dossiers.
    services.enregistrer_decision(
        point=_point(s, MotifInscription.SORTIE),
        par=equipe.animatrice,
        decision=TypeDecision.CLOTURER,
        motif_sortie=MotifSortie.EMPLOI_DURABLE,
        motivation="CDI confirmé",
    )
    dossiers["sortie"].refresh_from_db()
    assert dossiers["sortie"].statut == StatutDossier.CLOS
    with pytest.raises(ErreurMetier, match="déjà sa décision"):
        services.enregistrer_decision(
            point=_point(s, MotifInscription.SORTIE),
            par=equipe.animatrice,
            decision=TypeDecision.AJOURNER,
            motivation="…",
        )


def test_rien_n_est_enregistre_quand_le_service_du_dossier_refuse(equipe, client_de):
    files_remplies(equipe)
    recent = en_axe_2(equipe, nom="Recent")
    s = seance(equipe)
    point = services.ajouter_point(seance=s, par=equipe.animatrice, dossier=recent)
    periodes = list(recent.periodes.values_list("pk", "date_fin"))
    version = recent.version
    audits = EvenementAudit.objects.count()
    with pytest.raises(ErreurMetier, match="Pas encore à échéance"):
        services.enregistrer_decision(
            point=point,
            par=equipe.animatrice,
            decision=TypeDecision.RENOUVELER,
            motivation="Poursuivre",
            accord_personne=True,
        )
    point.refresh_from_db()
    recent.refresh_from_db()
    assert not point.decide and point.motivation == ""
    assert list(recent.periodes.values_list("pk", "date_fin")) == periodes
    assert recent.version == version
    assert EvenementAudit.objects.count() == audits
    # Par la page : 400, message du service en clair, la saisie reste.
    reponse = client_de(equipe.animatrice).post(
        reverse("comites:decision", args=[point.uuid]),
        {"decision": TypeDecision.RENOUVELER, "motivation": "Poursuivre", "accord_personne": "on"},
    )
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "Pas encore à échéance" in contenu and "Poursuivre" in contenu
    point.refresh_from_db()
    assert not point.decide


def test_un_refus_de_droit_du_service_du_dossier_annule_tout(equipe):
    """Affecter un professionnel qui ne peut pas tenir la place : affecter() refuse."""
    dossiers = files_remplies(equipe)
    s = seance(equipe)
    services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    point = _point(s, MotifInscription.PRESCRIPTION)
    with pytest.raises(ErreurMetier, match="ne peut pas être"):
        services.enregistrer_decision(
            point=point,
            par=equipe.animatrice,
            decision=TypeDecision.AFFECTER,
            place="travailleur_social",
            professionnel=equipe.conseiller,
            motivation="Binôme",
        )
    assert not Point.objects.get(pk=point.pk).decide
    assert not dossiers["prescription"].affectations.filter(role="travailleur_social").exists()


# --- Besoin d'en connaître ----------------------------------------------------------------------


CONTENU_RESTREINT = (NOTE_SOCIALE, RAISON_RESERVEE, "Santé", "Souffrance psychique", "CMP")


def _seance_tenue(equipe):
    files_remplies(equipe)
    s = seance(equipe)
    for m in (equipe.dedie, equipe.conseiller, equipe.ts):
        services.ajouter_participant(seance=s, par=equipe.animatrice, membership=m)
    services.composer_ordre_du_jour(seance=s, par=equipe.animatrice)
    services.enregistrer_decision(
        point=_point(s, MotifInscription.SIGNALEMENT),
        par=equipe.animatrice,
        decision=TypeDecision.AJOURNER,
        motivation="À revoir au prochain comité",
    )
    return s


def _pdf_en_texte(contenu: bytes, tmp_path) -> str:
    assert contenu.startswith(b"%PDF")
    chemin = tmp_path / "cr.pdf"
    chemin.write_bytes(contenu)
    return subprocess.run(
        ["pdftotext", "-layout", str(chemin), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) absent")
@pytest.mark.parametrize("role", ["dedie", "conseiller"])
def test_un_participant_france_travail_ne_voit_jamais_le_contenu_restreint(
    equipe, client_de, role, tmp_path
):
    s = _seance_tenue(equipe)
    client = client_de(getattr(equipe, role))
    page = client.get(reverse("comites:seance", args=[s.uuid]))
    assert page.status_code == 200
    texte = page.content.decode()
    assert "SITUATION Éloïse" in texte and "À revoir au prochain comité" in texte
    assert "un domaine réservé au côté social" in texte
    assert "Raison réservée au côté social." in texte
    pdf = _pdf_en_texte(
        client.get(reverse("comites:compte_rendu", args=[s.uuid])).content, tmp_path
    )
    assert "SITUATION Éloïse" in pdf and "À revoir au prochain comité" in pdf
    for restreint in CONTENU_RESTREINT:
        assert restreint not in texte, restreint
        assert restreint not in pdf, restreint
    # L'ordre du jour lu par la fonction de lecture elle-même.
    for _, resume in lectures.points_de_la_seance(s, getattr(equipe, role)):
        assert RAISON_RESERVEE not in resume.raison
        assert all(n.texte != NOTE_SOCIALE for n in resume.notes)
        assert "Santé" not in resume.freins


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) absent")
def test_le_travailleur_social_lit_le_contenu_social(equipe, client_de, tmp_path):
    s = _seance_tenue(equipe)
    client = client_de(equipe.ts)
    texte = client.get(reverse("comites:seance", args=[s.uuid])).content.decode()
    assert NOTE_SOCIALE in texte and RAISON_RESERVEE in texte and "Santé" in texte
    pdf = _pdf_en_texte(
        client.get(reverse("comites:compte_rendu", args=[s.uuid])).content, tmp_path
    )
    assert RAISON_RESERVEE in " ".join(pdf.split())


def test_une_seance_n_est_lue_que_par_ses_participants_et_l_animatrice(equipe, client_de):
    s = _seance_tenue(equipe)
    assert (
        client_de(equipe.correspondant).get(reverse("comites:seance", args=[s.uuid])).status_code
        == 404
    )
    assert (
        client_de(equipe.dedie).post(reverse("comites:composer", args=[s.uuid])).status_code == 403
    )


# --- Nombre de requêtes -----------------------------------------------------------------------


def _requetes(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_nombre_de_requetes_constant_liste_et_seance(equipe, client_de):
    client = client_de(equipe.animatrice)
    dossiers = files_remplies(equipe)
    petite = seance(equipe)
    for _ in range(2):
        seance(equipe)
    # Un seul point, mais de chaque sorte de contenu : diagnostic, notes, places.
    services.ajouter_point(seance=petite, par=equipe.animatrice, dossier=dossiers["situation"])
    liste_petite = _requetes(client, reverse("comites:seances"))
    page_petite = _requetes(client, reverse("comites:seance", args=[petite.uuid]))
    grande = seance(equipe)
    for _ in range(8):
        seance(equipe)
    services.composer_ordre_du_jour(seance=grande, par=equipe.animatrice)
    for i in range(6):
        services.ajouter_point(
            seance=grande, par=equipe.animatrice, dossier=en_axe_2(equipe, nom=f"Autre{i}")
        )
    assert grande.points.count() == 11
    assert _requetes(client, reverse("comites:seances")) == liste_petite
    assert _requetes(client, reverse("comites:seance", args=[grande.uuid])) == page_petite


def test_nombre_de_requetes_de_la_seance_identique_a_5_et_50_points(equipe, client_de):
    client = client_de(equipe.animatrice)
    dossiers = files_remplies(equipe)
    petite = seance(equipe)
    # Ajoutés à la main : les signalements restent à reprendre par la grande séance.
    for dossier in dossiers.values():
        services.ajouter_point(seance=petite, par=equipe.animatrice, dossier=dossier)
    a_5 = _requetes(client, reverse("comites:seance", args=[petite.uuid]))
    signalements_anciens(equipe, 45)
    grande = seance(equipe)
    for _ in range(2):
        services.composer_ordre_du_jour(seance=grande, par=equipe.animatrice)
    assert (petite.points.count(), grande.points.count()) == (5, 50)
    assert _requetes(client, reverse("comites:seance", args=[grande.uuid])) == a_5
