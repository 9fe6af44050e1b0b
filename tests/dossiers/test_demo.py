"""Les dossiers de démonstration (dossiers/demo.py), chargés par `seed_demo`."""

import datetime as dt
import io
import itertools
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accompagnement import demo as demo_noyau
from accompagnement.management.commands import seed_demo
from accompagnement.models import (
    Departement,
    Membership,
    Notification,
    Role,
    Structure,
    TypeStructure,
    User,
)
from comites.models import EtatSeance, MotifInscription, Participant, Point, Seance
from diagnostics.models import Diagnostic, Frein, StatutFrein
from dossiers import demo, demo_vivante
from dossiers.models import (
    SORTIES_POSITIVES,
    Action,
    Affectation,
    AideFinanciere,
    Axe,
    DecisionAide,
    DemandeChangementAxe,
    Demandeur,
    Document,
    Dossier,
    EvenementJournal,
    Note,
    Objectif,
    PeriodeOrientation,
    Prescription,
    Presence,
    RendezVous,
    RoleAffectation,
    Sollicitation,
    StatutDemande,
    StatutDossier,
    StatutPrescription,
    StatutSollicitation,
    VisibiliteNote,
)
from reporting import files
from reporting.models import BilanParcours, RapportMensuel

pytestmark = pytest.mark.django_db
PRENOM_RETOUCHE = "Camille (retouché)"


@pytest.fixture(scope="module")
def departement(django_db_setup, django_db_blocker, tmp_path_factory):
    """La démo complète, chargée une seule fois pour le module (une vingtaine de secondes),
    dans une transaction annulée à la fin : chaque test tourne dans un point de sauvegarde.
    Les documents déposés vont dans un dossier temporaire."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        # Comme `make run` : les comptes d'abord, puis le reste sans toucher aux comptes.
        call_command("seed_demo", force=True, minimal=True, stdout=io.StringIO())
        User.objects.filter(email=demo.EMAIL_CONSEILLER).update(prenom=PRENOM_RETOUCHE)
        call_command("seed_demo", force=True, sans_comptes=True, stdout=io.StringIO())
        yield Departement.objects.get(code_insee=demo_noyau.CODE_DEPARTEMENT)
        transaction.set_rollback(True)


def compter():
    return {
        modele.__name__: modele.objects.count()
        for modele in (
            Departement,  # le socle de `seed_demo`
            Structure,
            User,
            Membership,
            Demandeur,
            Dossier,
            PeriodeOrientation,
            Affectation,
            DemandeChangementAxe,
            Prescription,
            Objectif,
            Action,
            Note,
            RendezVous,
            Document,
            AideFinanciere,
            Sollicitation,
            Diagnostic,
            Frein,
            BilanParcours,
            RapportMensuel,
            Notification,
            EvenementJournal,
            Seance,  # comites/demo.py
            Participant,
            Point,
        )
    }


def membership(email, role):
    return Membership.objects.select_related("user", "structure").get(user__email=email, role=role)


def test_deux_chargements_donnent_les_memes_comptes(departement):
    avant = compter()
    assert avant["Demandeur"] == demo.NB_PERSONNES
    sortie = io.StringIO()
    call_command("seed_demo", force=True, stdout=sortie)
    assert compter() == avant
    assert "(déjà chargés)" in sortie.getvalue()
    assert demo.charger(departement=departement).endswith("(déjà chargés)")
    assert compter() == avant


def test_le_socle_est_modele_sur_le_doubs(departement):
    """(Repris de tests/accompagnement/test_seed_demo.py, qui chargeait la démo complète
    deux fois de plus : l'idempotence est vérifiée ci-dessus, `compter()` couvre le socle.)"""
    assert departement.structures.filter(type=TypeStructure.AGENCE_FT).count() == 8
    assert departement.structures.filter(type=TypeStructure.TERRITOIRE_SOCIAL).count() >= 4
    assert departement.structures.filter(type=TypeStructure.DIRECTION_INSERTION).count() == 1
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    # 1 conseiller dédié par agence (plus le compte de démonstration).
    assert Membership.objects.filter(role=Role.CONSEILLER_DEDIE).count() == 9


def test_une_seance_de_comite_a_venir_preparee(departement):
    """(Repris de tests/comites/test_demo.py, qui chargeait la démo complète deux fois de
    plus : « une seule séance » après deux chargements est vérifié ci-dessus, `compter()`
    couvre les séances, leurs participants et leurs points.)"""
    seance = Seance.objects.get()
    assert seance.etat == EtatSeance.PREPAREE and seance.debut > timezone.now()
    assert seance.participants.count() == 6  # l'animatrice, quatre invités, une personne extérieure
    motifs = set(seance.points.values_list("motif", flat=True))
    assert MotifInscription.CHANGEMENT_AXE in motifs and MotifInscription.PRESCRIPTION in motifs


def test_une_personne_supprimee_est_recreee_avec_son_parcours(departement):
    avant = compter()
    # Une personne au parcours riche : changement d'axe accepté.
    demandeur = Demandeur.objects.filter(
        dossiers__demandes_changement__statut=StatutDemande.ACCEPTEE
    ).first()
    demandeur.dossiers.all().delete()
    demandeur.delete()
    assert compter()["Demandeur"] == avant["Demandeur"] - 1

    resume = demo.charger(departement=departement)

    # Le parcours est recréé ; le suivi (une fois chargé pour le département) ne l'est pas.
    parcours = ("Demandeur", "Dossier", "PeriodeOrientation", "Affectation")
    assert {k: compter()[k] for k in parcours} == {k: avant[k] for k in parcours}
    assert "déjà" not in resume
    assert Demandeur.objects.filter(identifiant_ft=demandeur.identifiant_ft).exists()


def test_le_plan_est_deterministe(departement):
    aujourdhui = timezone.localdate()
    premier = [(personne, p.dates) for personne, p in demo._plan(aujourdhui)]
    second = [(personne, p.dates) for personne, p in demo._plan(aujourdhui)]
    assert premier == second
    # Les identités ne dépendent pas du jour de chargement.
    plus_tard = [personne for personne, _ in demo._plan(aujourdhui + dt.timedelta(days=40))]
    assert [personne for personne, _ in premier] == plus_tard
    assert set(demo.identifiants_demo()) == set(
        Demandeur.objects.values_list("identifiant_ft", flat=True)
    )


def test_repartition_des_statuts_et_des_axes(departement):
    dossiers = Dossier.objects.filter(departement=departement)
    total = dossiers.count()
    assert total >= 250
    assert 300 <= Demandeur.objects.filter(departement=departement).count() <= 350

    def part(**filtre):
        # Un dossier clos garde l'axe de sa dernière période : on compte les axes des ouverts.
        base = dossiers.ouverts() if "axe_courant" in filtre else dossiers
        return base.filter(**filtre).count() / total

    assert 0.07 <= part(statut=StatutDossier.A_ORIENTER) <= 0.13
    assert 0.07 <= part(statut=StatutDossier.DIAGNOSTIC) <= 0.13
    assert 0.20 <= part(axe_courant=Axe.RESSOURCES_SOCIALES) <= 0.30
    assert 0.25 <= part(axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL) <= 0.35
    assert 0.07 <= part(axe_courant=Axe.SOCIAL_EXCLUSIF) <= 0.13
    assert 0.12 <= part(statut=StatutDossier.CLOS) <= 0.20
    assert set(dossiers.values_list("statut", flat=True)) == set(StatutDossier.values)
    assert set(
        dossiers.ouverts().exclude(axe_courant="").values_list("axe_courant", flat=True)
    ) == set(Axe.values)
    # Réparti sur les 8 agences et les 5 territoires.
    assert dossiers.values("agence").distinct().count() == len(demo_noyau.AGENCES)
    assert dossiers.values("territoire").distinct().count() == len(demo_noyau.TERRITOIRES)
    assert not dossiers.filter(agence=None).exists()
    assert not dossiers.filter(territoire=None).exists()


def test_sorties_changements_relais_et_reouvertures(departement):
    dossiers = Dossier.objects.filter(departement=departement)
    clos = dossiers.filter(statut=StatutDossier.CLOS)
    motifs = set(clos.values_list("motif_sortie", flat=True))
    assert len(motifs) >= 8
    assert clos.filter(motif_sortie__in=SORTIES_POSITIVES).count() >= 10
    demandes = DemandeChangementAxe.objects.filter(dossier__departement=departement)
    assert demandes.filter(statut=StatutDemande.ACCEPTEE).count() >= 5
    assert demandes.filter(statut=StatutDemande.REFUSEE).count() >= 3
    assert 1 <= demandes.filter(statut=StatutDemande.EN_ATTENTE).count() <= 2
    for demande in demandes.exclude(statut=StatutDemande.EN_ATTENTE):
        assert demande.demande_le <= demande.decide_le <= timezone.now()
    # Un changement accepté a clos une période et ouvert la suivante sur l'axe demandé.
    for demande in demandes.filter(statut=StatutDemande.ACCEPTEE).select_related("dossier"):
        periodes = list(demande.dossier.periodes.order_by("date_debut", "pk"))
        assert len(periodes) >= 2
        assert periodes[-1].axe == demande.axe_demande
    relais = (
        Affectation.objects.filter(dossier__departement=departement)
        .exclude(date_fin=None)
        .exclude(motif_fin="Clôture du dossier")
    )
    assert relais.count() >= 5
    assert len(set(relais.values_list("role", flat=True))) >= 3
    rouverts = Demandeur.objects.filter(dossiers__statut=StatutDossier.CLOS).filter(
        dossiers__statut__in=[s for s in StatutDossier.values if s != StatutDossier.CLOS]
    )
    assert rouverts.distinct().count() >= 3
    aujourdhui = timezone.localdate()
    anciens = dossiers.filter(
        axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL,
        date_entree__lt=aujourdhui - dt.timedelta(days=365),
    )
    assert anciens.count() >= 3


def test_binomes_complets_en_axe_2_sauf_les_sans_binome_voulus(departement):
    dossiers = Dossier.objects.filter(departement=departement).ouverts()
    assert dossiers.filter(axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL).sans_binome().count() == 0
    for axe, place in [
        (Axe.RESSOURCES_SOCIALES, RoleAffectation.CONSEILLER),
        (Axe.SOCIAL_EXCLUSIF, RoleAffectation.REFERENT_SOCIAL),
    ]:
        sans_titulaire = dossiers.filter(axe_courant=axe).exclude(
            affectations__role=place, affectations__date_fin=None
        )
        assert not sans_titulaire.exists(), axe
    # Les binômes à compléter : conseiller dédié désigné, travailleur social pas encore.
    a_completer = (
        dossiers.ouverts()
        .filter(axe_courant="", affectations__role=RoleAffectation.CONSEILLER_DEDIE)
        .exclude(affectations__role=RoleAffectation.TRAVAILLEUR_SOCIAL)
        .distinct()
    )
    assert 3 <= a_completer.count() <= 8
    assert set(a_completer.sans_binome()) == set(a_completer)


def test_aucune_periode_ni_affectation_ne_se_chevauche(departement):
    periodes = defaultdict(list)
    for periode in PeriodeOrientation.objects.filter(dossier__departement=departement):
        periodes[periode.dossier_id].append(periode)
    dossiers = {d.pk: d for d in Dossier.objects.filter(departement=departement)}
    for pk, dossier in dossiers.items():
        liste = sorted(periodes[pk], key=lambda p: (p.date_debut, p.pk))
        for avant, apres in itertools.pairwise(liste):
            assert avant.date_fin is not None and avant.date_fin <= apres.date_debut, dossier
        ouvertes = [p for p in liste if p.date_fin is None]
        if dossier.statut == StatutDossier.ACCOMPAGNEMENT:
            assert len(ouvertes) == 1 and ouvertes[0].axe == dossier.axe_courant
        else:
            assert not ouvertes, dossier
    places = defaultdict(list)
    for affectation in Affectation.objects.filter(dossier__departement=departement):
        places[(affectation.dossier_id, affectation.role)].append(affectation)
    for (pk, _), liste in places.items():
        liste.sort(key=lambda a: (a.date_debut, a.pk))
        for avant, apres in itertools.pairwise(liste):
            assert avant.date_fin is not None and avant.date_fin <= apres.date_debut
        assert liste[0].date_debut >= dossiers[pk].date_orientation


def test_un_seul_dossier_ouvert_par_personne(departement):
    ouverts = defaultdict(int)
    for demandeur_id in (
        Dossier.objects.filter(departement=departement)
        .ouverts()
        .values_list("demandeur_id", flat=True)
    ):
        ouverts[demandeur_id] += 1
    assert set(ouverts.values()) == {1}
    # Toute personne a un dossier, ouvert sauf pour les sorties (clos seulement).
    sans_dossier = Demandeur.objects.filter(departement=departement, dossiers=None)
    assert not sans_dossier.exists()


def test_dates_dans_les_quatorze_derniers_mois_et_ordonnees(departement):
    aujourdhui = timezone.localdate()
    plancher = aujourdhui - dt.timedelta(days=demo.FENETRE_JOURS)
    dossiers = list(Dossier.objects.filter(departement=departement))
    for dossier in dossiers:
        jalons = [
            dossier.date_orientation,
            dossier.date_diagnostic,
            dossier.date_entree,
            dossier.date_cloture,
        ]
        jalons = [j for j in jalons if j is not None]
        assert jalons == sorted(jalons), dossier
        assert plancher <= jalons[0] and jalons[-1] <= aujourdhui, dossier
        assert dossier.derniere_activite <= timezone.now()
        assert timezone.localdate(dossier.derniere_activite) >= dossier.date_orientation
    # Les dates sont étalées sur toute la période, pas entassées à aujourd'hui.
    mois = {d.date_orientation.replace(day=1) for d in dossiers}
    assert len(mois) >= 13
    assert Dossier.objects.filter(departement=departement).ouverts().inactifs_depuis(60).exists()


def test_demandeurs_valides_et_varies(departement):
    demandeurs = list(Demandeur.objects.filter(departement=departement))
    for demandeur in demandeurs:
        demandeur.full_clean(validate_unique=False, validate_constraints=False)
        assert re.fullmatch(r"\d{7}[A-Z]", demandeur.identifiant_ft)
        assert demandeur.date_naissance < timezone.localdate()
        assert not demandeur.email or demandeur.email.endswith("@exemple.test")
        assert demandeur.agence_id is not None
    noms = " ".join(f"{d.nom} {d.prenom}" for d in demandeurs)
    assert re.search(r"[éèêëïîôöüûçàâ]", noms, re.IGNORECASE)
    assert "N'" in noms
    assert len({(d.code_postal, d.commune, d.code_commune) for d in demandeurs}) >= 15
    assert ("25000", "Besançon", "25056") in {
        (d.code_postal, d.commune, d.code_commune) for d in demandeurs
    }
    rsa = sum(d.rsa_allocataire for d in demandeurs) / len(demandeurs)
    assert 0.33 <= rsa <= 0.47
    assert len({d.indemnisation for d in demandeurs}) == 3
    assert len({d.niveau_qualification for d in demandeurs}) >= 6


def test_les_comptes_de_demo_ont_de_la_matiere(departement):
    dossiers = Dossier.objects.filter(departement=departement)
    dedie = membership(demo.EMAIL_CONSEILLER_DEDIE, Role.CONSEILLER_DEDIE)
    social = membership(demo.EMAIL_TRAVAILLEUR_SOCIAL, Role.TRAVAILLEUR_SOCIAL)
    conseiller = membership(demo.EMAIL_CONSEILLER, Role.CONSEILLER)
    correspondant = membership(demo.EMAIL_CORRESPONDANT, Role.CORRESPONDANT_INSERTION)
    assert dedie.structure.nom == demo_noyau.AGENCES[0][0]  # Besançon Planoise

    binomes = dossiers.filter(axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL).avec_affectation_ouverte(
        dedie.user, [RoleAffectation.CONSEILLER_DEDIE]
    )
    assert 20 <= binomes.count() <= 30

    suivis = dossiers.ouverts().avec_affectation_ouverte(social.user)
    assert 15 <= suivis.count() <= 25
    assert binomes.avec_affectation_ouverte(social.user).count() >= 5

    portefeuille = (
        dossiers.filter(axe_courant__in=["", Axe.RESSOURCES_SOCIALES])
        .ouverts()
        .avec_affectation_ouverte(conseiller.user, [RoleAffectation.CONSEILLER])
    )
    assert 10 <= portefeuille.count() <= 20

    territoire = dossiers.filter(territoire=correspondant.structure)
    assert territoire.count() >= 80
    assert set(territoire.values_list("statut", flat=True)) == set(StatutDossier.values)
    # Ce que chacun voit réellement dans l'application.
    for compte in demo_noyau.COMPTES_DEMO:
        for _, role in compte.rattachements:
            vus = Dossier.objects.visibles_par(membership(compte.email, role)).count()
            if role == Role.ADMINISTRATEUR:
                assert vus == 0
            else:
                assert vus > 0, compte.email


def test_demandes_d_entree_en_attente_prises_et_refusees(departement):
    statuts = sorted(
        Prescription.objects.filter(dossier__departement=departement).values_list(
            "statut", flat=True
        )
    )
    assert statuts.count(StatutPrescription.EN_ATTENTE) == 3
    assert StatutPrescription.PRISE_EN_CHARGE in statuts
    assert StatutPrescription.REFUSEE in statuts


def test_suivi_du_binome_de_demo_actions_notes_et_rendez_vous(departement):
    """Le binôme de démonstration a du travail : actions à échéance et en retard, notes aux
    trois niveaux, rendez-vous passés (honorés ou non), du jour et à venir — écrits par les
    services, donc journalisés ; un second chargement n'ajoute rien."""
    aujourdhui = timezone.localdate()
    actions = Action.objects.filter(objectif__dossier__departement=departement)
    assert Objectif.objects.filter(dossier__departement=departement).count() >= (
        2 * demo.NOMBRE_DOSSIERS_SUIVIS
    )
    assert actions.filter(date_fin_prevue__lt=aujourdhui).count() >= 3  # en retard
    assert actions.filter(
        date_fin_prevue__gte=aujourdhui, date_fin_prevue__lte=aujourdhui + dt.timedelta(days=7)
    ).exists()  # à échéance dans la semaine
    notes = Note.objects.filter(dossier__departement=departement)
    assert set(notes.values_list("visibilite", flat=True)) == set(VisibiliteNote.values)
    rdv = RendezVous.objects.filter(dossier__departement=departement)
    assert {Presence.PRESENT, Presence.ABSENT, Presence.PREVU} <= set(
        rdv.values_list("presence", flat=True)
    )
    assert rdv.filter(debut__date=aujourdhui).exists()
    avant = (actions.count(), notes.count(), rdv.count())
    demo._suivi(demo.Equipes(departement), departement, aujourdhui)
    assert (actions.count(), notes.count(), rdv.count()) == avant


def test_la_demo_vivante_atteint_chaque_statut(departement):
    """Diagnostics, documents, aides, sollicitations et bilans : écrits par les services,
    dans tous leurs états (docs/demo : ce qu'un nouveau venu doit pouvoir juger)."""
    du_departement = {"dossier__departement": departement}
    sollicitations = Sollicitation.objects.filter(**du_departement)
    assert set(sollicitations.values_list("statut", flat=True)) == set(StatutSollicitation.values)
    # Des coordonnées transmises : l'accord de la personne était enregistré.
    transmises = sollicitations.exclude(coordonnees_contact="")
    assert transmises.exists()
    assert not transmises.filter(dossier__demandeur__accord_transmission_le__isnull=True).exists()
    aides = AideFinanciere.objects.filter(**du_departement)
    assert {DecisionAide.EN_ATTENTE, DecisionAide.ACCORDEE, DecisionAide.REFUSEE} == set(
        aides.values_list("decision", flat=True)
    )
    documents = Document.objects.filter(**du_departement)
    assert documents.filter(confidentiel=True).exists()
    assert documents.filter(confidentiel=False).exists()
    assert set(documents.values_list("type_mime", flat=True)) == {"application/pdf"}

    diagnostics = Diagnostic.objects.filter(**du_departement)
    partages = diagnostics.filter(emploi_valide_le__isnull=False, social_valide_le__isnull=False)
    assert partages.exists()
    assert diagnostics.filter(emploi_valide_le__isnull=True, social_valide_le__isnull=True).exists()
    assert diagnostics.filter(
        emploi_valide_le__isnull=False, social_valide_le__isnull=True
    ).exists()
    assert diagnostics.filter(
        emploi_valide_le__isnull=True, social_valide_le__isnull=False
    ).exists()
    assert partages.filter(numero__gte=2).exists()  # plusieurs versions
    assert Frein.objects.filter(
        diagnostic__in=partages.filter(numero__gte=2), statut=StatutFrein.LEVE
    ).exists()
    assert BilanParcours.objects.filter(**du_departement, dossier__statut="clos").count() >= 5
    # Le mois précédent figé pour le département et chacun de ses territoires.
    territoires = departement.structures.filter(type="territoire_social").count()
    rapports = RapportMensuel.objects.filter(departement=departement, version=1)
    assert rapports.filter(niveau="departement").count() == 1
    assert rapports.filter(niveau="territoire").count() == territoires >= 1
    assert rapports.get(niveau="departement").chiffres and rapports.get(niveau="departement").pdf
    assert DemandeChangementAxe.objects.filter(
        **du_departement, statut=StatutDemande.EN_ATTENTE
    ).exists()
    aujourdhui = timezone.localdate()
    actions = Action.objects.filter(objectif__dossier__departement=departement)
    assert actions.filter(date_fin_prevue__lt=aujourdhui).exists()
    assert actions.filter(date_fin_prevue__gte=aujourdhui).exists()
    rdv = RendezVous.objects.filter(**du_departement)
    assert rdv.filter(debut__gt=timezone.now()).exists()
    # Les huit agences ont des dossiers suivis (plan d'action, notes).
    suivies = Objectif.objects.filter(**du_departement).values("dossier__agence").distinct()
    assert suivies.count() == len(demo_noyau.AGENCES)
    # Tout est passé par les services : chaque document et chaque aide a son événement.
    journal = EvenementJournal.objects.filter(dossier__departement=departement)
    assert journal.filter(resume__startswith="Document").count() == documents.count()


def test_un_document_de_demo_est_un_vrai_pdf():
    from pypdf import PdfReader

    contenu = demo_vivante.pdf_simple("Courrier du bailleur", ["Montant dû : 1 234,56 €."])
    page = PdfReader(io.BytesIO(contenu)).pages[0]
    assert "Montant dû : 1 234,56 €." in page.extract_text()


def test_douze_mois_d_entrees_et_de_sorties(departement):
    """L'historique couvre les douze mois révolus avant celui-ci (qui peut n'avoir qu'un
    jour) : le tableau de bord et les rapports mensuels ont des courbes."""
    aujourdhui = timezone.localdate()
    mois = {(aujourdhui.year * 12 + aujourdhui.month - 1 - i) for i in range(1, 13)}

    def couverts(dates):
        return {d.year * 12 + d.month - 1 for d in dates} & mois

    entrees = PeriodeOrientation.objects.filter(dossier__departement=departement)
    assert couverts(entrees.values_list("date_debut", flat=True)) == mois
    sorties = Dossier.objects.filter(departement=departement, statut=StatutDossier.CLOS)
    assert len(couverts(sorties.values_list("date_cloture", flat=True))) >= 10


def test_chaque_compte_de_demo_a_du_travail_et_des_notifications(departement):
    for compte in demo_noyau.COMPTES_DEMO:
        assert Notification.objects.filter(destinataire__email=compte.email).exists(), compte.email
        for _, role in compte.rattachements:
            if role == Role.ADMINISTRATEUR:
                continue  # l'accueil de l'administrateur est celui de la configuration
            m = membership(compte.email, role)
            assert sum(f.total for f in files.aujourdhui(m)) > 0, (compte.email, role)


def test_le_chargement_en_deux_temps_ne_reecrit_pas_les_comptes(departement):
    """`seed_demo --sans-comptes` (l'arrière-plan de `make run`) ne réécrit aucun compte :
    aucune ligne n'est verrouillée, on se connecte pendant le chargement."""
    assert User.objects.get(email=demo.EMAIL_CONSEILLER).prenom == PRENOM_RETOUCHE
    assert seed_demo.version_chargee() == seed_demo.version_demo(minimal=False)
