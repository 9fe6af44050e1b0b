import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    EvenementAudit,
    Notification,
    Role,
)
from dossiers.models import (
    Affectation,
    Axe,
    Demandeur,
    Dossier,
    MotifSortie,
    Origine,
    PeriodeOrientation,
    RoleAffectation,
    StatutDemande,
    StatutDossier,
)
from dossiers.parcours import services
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.factories import DemandeurFactory, DossierFactory
from tests.dossiers.scenarios import avec_binome, en_axe_2, identite, nouveau_dossier

pytestmark = pytest.mark.django_db
AUJOURD_HUI = timezone.localdate


# --- demandeurs ------------------------------------------------------------------------------


def test_creer_demandeur_normalise_et_trace(equipe):
    d = services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite(identifiant_ft="1234567a")
    )
    assert d.identifiant_ft == "1234567A"
    assert d.cle_identite == "lefevre|eloise|1988-04-02"
    assert EvenementAudit.objects.filter(action=ActionAudit.CREATION, objet_id=str(d.uuid)).exists()


@pytest.mark.parametrize(
    "variante",
    [
        {"nom": "LEFEVRE", "prenom": "eloise"},
        {"nom": "lefèvre", "prenom": "ÉLOÏSE"},
        {"nom": "Lefevre ", "prenom": " Eloise"},
    ],
)
def test_doublon_nom_prenom_date_sans_accents_ni_casse(equipe, variante):
    existant = services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite()
    )
    with pytest.raises(services.DoublonDetecte) as erreur:
        services.creer_demandeur(
            departement=equipe.departement, par=equipe.ts, **identite(**variante)
        )
    assert erreur.value.existant == existant
    assert "mêmes nom, prénom et date de naissance" in erreur.value.message
    assert Demandeur.objects.count() == 1


def test_doublon_par_identifiant_ft(equipe):
    existant = services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite(identifiant_ft="7654321B")
    )
    with pytest.raises(services.DoublonDetecte, match="même identifiant France Travail") as erreur:
        services.creer_demandeur(
            departement=equipe.departement,
            par=equipe.conseiller,
            **identite(nom="Autre", identifiant_ft="7654321b"),
        )
    assert erreur.value.existant == existant


def test_meme_personne_dans_un_autre_departement_n_est_pas_un_doublon(equipe):
    services.creer_demandeur(departement=equipe.departement, par=equipe.conseiller, **identite())
    ailleurs = MembershipFactory(role=Role.CONSEILLER)
    services.creer_demandeur(departement=ailleurs.structure.departement, par=ailleurs, **identite())
    assert Demandeur.objects.count() == 2


def test_creer_demandeur_refuse_naissance_future_et_agence_etrangere(equipe):
    with pytest.raises(ErreurMetier, match="dans le passé"):
        services.creer_demandeur(
            departement=equipe.departement,
            par=equipe.conseiller,
            **identite(date_naissance=AUJOURD_HUI() + dt.timedelta(days=1)),
        )
    autre_agence = StructureFactory(agence=True)
    with pytest.raises(ErreurMetier, match="agence France Travail du département"):
        services.creer_demandeur(
            departement=equipe.departement, par=equipe.conseiller, **identite(agence=autre_agence)
        )
    assert Demandeur.objects.count() == 0


def test_modifier_demandeur_refuse_de_creer_un_doublon(equipe):
    services.creer_demandeur(departement=equipe.departement, par=equipe.conseiller, **identite())
    autre = services.creer_demandeur(
        departement=equipe.departement, par=equipe.conseiller, **identite(prenom="Julie")
    )
    with pytest.raises(services.DoublonDetecte):
        services.modifier_demandeur(demandeur=autre, par=equipe.conseiller, prenom="Eloise")
    services.modifier_demandeur(demandeur=autre, par=equipe.conseiller, telephone="0381000000")
    autre.refresh_from_db()
    assert autre.telephone == "0381000000" and autre.prenom == "Julie"


# --- dossiers ------------------------------------------------------------------------------


def test_ouvrir_dossier_par_un_conseiller_l_affecte(equipe):
    dossier = nouveau_dossier(equipe)
    assert dossier.statut == StatutDossier.A_ORIENTER
    assert dossier.agence == equipe.agence and dossier.oriente_par == equipe.conseiller.user
    place = dossier.affectations.get()
    assert (place.role, place.professionnel) == (RoleAffectation.CONSEILLER, equipe.conseiller.user)


def test_ouvrir_un_second_dossier_ouvert_refuse(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match="déjà un dossier ouvert"):
        services.ouvrir_dossier(
            demandeur=dossier.demandeur, par=equipe.ts, origine=Origine.TRAVAILLEUR_SOCIAL
        )


def test_un_seul_dossier_ouvert_contrainte_en_base(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(
            departement=dossier.departement, demandeur=dossier.demandeur, origine=Origine.AUTRE
        )


def test_dossier_clos_sans_motif_refuse_en_base(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(statut=StatutDossier.CLOS)


def test_ouverture_par_un_travailleur_social_fixe_le_territoire(equipe):
    demandeur = services.creer_demandeur(
        departement=equipe.departement, par=equipe.ts, **identite()
    )
    dossier = services.ouvrir_dossier(
        demandeur=demandeur, par=equipe.ts, origine=Origine.TRAVAILLEUR_SOCIAL
    )
    assert dossier.territoire == equipe.territoire and dossier.affectations.count() == 0


def test_transition_illegale_refusee(equipe):
    dossier = en_axe_2(equipe)
    with pytest.raises(ErreurMetier, match="Impossible de passer le dossier"):
        services.demarrer_diagnostic(dossier=dossier, par=equipe.dedie)


# --- affectations ---------------------------------------------------------------------------


def test_affecter_puis_relais_garde_l_historique_et_notifie(
    equipe, taches_immediates, django_capture_on_commit_callbacks
):
    dossier = nouveau_dossier(equipe, date=AUJOURD_HUI() - dt.timedelta(days=30))
    debut = AUJOURD_HUI() - dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts,
            par=equipe.animatrice,
            date=debut,
        )
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts_bis,
            par=equipe.animatrice,
            motif="Congé long",
        )
    ancienne, nouvelle = dossier.affectations.filter(
        role=RoleAffectation.TRAVAILLEUR_SOCIAL
    ).order_by("pk")
    assert (ancienne.date_debut, ancienne.date_fin, ancienne.motif_fin) == (
        debut,
        AUJOURD_HUI(),
        "Congé long",
    )
    assert nouvelle.date_fin is None and nouvelle.professionnel == equipe.ts_bis.user
    # Une affectation va dans la boîte de réception (et le résumé du jour), pas en courriel.
    assert mail.outbox == []
    notifiees = Notification.objects.filter(categorie=CategorieNotification.AFFECTATION)
    assert {n.destinataire for n in notifiees} == {equipe.ts.user, equipe.ts_bis.user}
    assert all(n.lien == f"/dossiers/{dossier.uuid}/" for n in notifiees)
    dossier.refresh_from_db()
    assert dossier.territoire == equipe.territoire


@pytest.mark.parametrize(
    ("place", "qui", "message"),
    [
        (RoleAffectation.CONSEILLER_DEDIE, "ts", "ne peut pas être"),
        (RoleAffectation.TRAVAILLEUR_SOCIAL, "dedie", "ne peut pas être"),
        (RoleAffectation.REFERENT_SOCIAL, "conseiller", "ne peut pas être"),
    ],
)
def test_affecter_refuse_un_role_inadapte(equipe, place, qui, message):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match=message):
        services.affecter(
            dossier=dossier,
            place=place,
            professionnel=getattr(equipe, qui),
            par=equipe.animatrice,
        )


def test_affecter_refuse_autre_departement_doublon_et_dossier_clos(equipe):
    dossier = nouveau_dossier(equipe)
    etranger = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL)
    with pytest.raises(ErreurMetier, match="structure active du département"):
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=etranger,
            par=equipe.animatrice,
        )
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
    )
    with pytest.raises(ErreurMetier, match="tient déjà cette place"):
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts,
            par=equipe.animatrice,
        )
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.DEMENAGEMENT, par=equipe.animatrice)
    with pytest.raises(ErreurMetier, match="clos"):
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts_bis,
            par=equipe.animatrice,
        )


def test_une_seule_affectation_ouverte_par_place_en_base(equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    with pytest.raises(IntegrityError), transaction.atomic():
        Affectation.objects.create(
            dossier=dossier,
            role=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts_bis.user,
            structure=equipe.territoire,
            affecte_par=equipe.animatrice.user,
        )


# --- orientation ----------------------------------------------------------------------------


def test_orienter_en_axe_2_ouvre_la_periode(equipe):
    dossier = en_axe_2(equipe)
    assert (
        dossier.statut == StatutDossier.ACCOMPAGNEMENT
        and dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL
    )
    periode = dossier.periodes.get()
    assert (
        periode.date_fin is None
        and periode.accord_personne
        and periode.decide_par == equipe.dedie.user
    )
    assert dossier.date_entree == AUJOURD_HUI()


def test_orienter_en_axe_2_sans_binome_complet_refuse(equipe):
    dossier = nouveau_dossier(equipe)
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.CONSEILLER_DEDIE,
        professionnel=equipe.dedie,
        par=equipe.animatrice,
    )
    with pytest.raises(ErreurMetier, match="Travailleur social du binôme"):
        services.orienter(
            dossier=dossier,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            par=equipe.dedie,
            motif="x",
            accord_personne=True,
        )
    assert not PeriodeOrientation.objects.exists()
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.A_ORIENTER


def test_orienter_en_axe_2_ou_3_sans_accord_refuse(equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    with pytest.raises(ErreurMetier, match="ne peut pas être imposée"):
        services.orienter(
            dossier=dossier, axe=Axe.ACCOMPAGNEMENT_GLOBAL, par=equipe.dedie, motif="x"
        )


def test_orienter_en_axe_3_exige_un_referent_social(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match="Référent social"):
        services.orienter(
            dossier=dossier,
            axe=Axe.SOCIAL_EXCLUSIF,
            par=equipe.conseiller,
            motif="x",
            accord_personne=True,
        )
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,  # le dossier n'est pas (encore) du territoire du correspondant
    )
    services.orienter(
        dossier=dossier,
        axe=Axe.SOCIAL_EXCLUSIF,
        par=equipe.conseiller,
        motif="Logement",
        accord_personne=True,
    )
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.SOCIAL_EXCLUSIF


def test_orienter_en_axe_1_reste_a_l_agence(equipe):
    dossier = nouveau_dossier(equipe)
    services.orienter(
        dossier=dossier,
        axe=Axe.RESSOURCES_SOCIALES,
        par=equipe.conseiller,
        motif="Garde d'enfant ponctuelle",
    )
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.RESSOURCES_SOCIALES


def test_orienter_refuse_sans_motif_deux_fois_ou_dans_le_futur(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match="motif"):
        services.orienter(
            dossier=dossier,
            axe=Axe.RESSOURCES_SOCIALES,
            par=equipe.conseiller,
            motif="  ",
        )
    with pytest.raises(ErreurMetier, match="futur"):
        services.orienter(
            dossier=dossier,
            axe=Axe.RESSOURCES_SOCIALES,
            par=equipe.conseiller,
            motif="x",
            date=AUJOURD_HUI() + dt.timedelta(days=2),
        )
    services.orienter(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, par=equipe.conseiller, motif="x"
    )
    with pytest.raises(ErreurMetier, match="changement d'axe"):
        services.orienter(
            dossier=dossier,
            axe=Axe.RESSOURCES_SOCIALES,
            par=equipe.conseiller,
            motif="x",
        )


def test_une_seule_periode_ouverte_en_base(equipe):
    dossier = en_axe_2(equipe)
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodeOrientation.objects.create(
            dossier=dossier,
            axe=Axe.SOCIAL_EXCLUSIF,
            date_debut=AUJOURD_HUI(),
            motif="x",
            decide_par=equipe.dedie.user,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodeOrientation.objects.filter(dossier=dossier).update(
            date_fin=AUJOURD_HUI() - dt.timedelta(days=30)
        )


# --- changement d'axe -------------------------------------------------------------------------


def test_changement_d_axe_demande_puis_acceptation(
    equipe, taches_immediates, django_capture_on_commit_callbacks
):
    dossier = en_axe_2(equipe)
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.REFERENT_SOCIAL,
        professionnel=equipe.ts,
        par=equipe.animatrice,
    )
    with django_capture_on_commit_callbacks(execute=True):
        demande = services.demander_changement_axe(
            dossier=dossier, axe=Axe.SOCIAL_EXCLUSIF, motif="Hospitalisation", par=equipe.ts
        )
    assert demande.statut == StatutDemande.EN_ATTENTE
    assert Notification.objects.filter(
        destinataire=equipe.dedie.user, categorie=CategorieNotification.CHANGEMENT_AXE
    ).exists()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.decider_changement_axe(
            demande=demande,
            accepter=True,
            motif="Comité du mois",
            par=equipe.animatrice,
            accord_personne=True,
        )
    demande.refresh_from_db()
    dossier.refresh_from_db()
    assert demande.statut == StatutDemande.ACCEPTEE and demande.decide_par == equipe.animatrice.user
    assert dossier.axe_courant == Axe.SOCIAL_EXCLUSIF
    premiere, seconde = dossier.periodes.order_by("date_debut", "pk")
    assert premiere.date_fin == seconde.date_debut == AUJOURD_HUI() and seconde.date_fin is None
    # La décision concerne le demandeur : courriel immédiat.
    assert [m.to[0] for m in mail.outbox] == [equipe.ts.user.email]
    assert "acceptée" in mail.outbox[0].subject


def test_changement_d_axe_refuse_ne_change_rien(equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    services.decider_changement_axe(
        demande=demande, accepter=False, motif="Binôme à poursuivre", par=equipe.dedie
    )
    dossier.refresh_from_db()
    assert dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL and dossier.periodes.count() == 1
    with pytest.raises(ErreurMetier, match="déjà été décidée"):
        services.decider_changement_axe(demande=demande, accepter=True, motif="x", par=equipe.dedie)


def test_changement_d_axe_refus_metier(equipe):
    dossier = en_axe_2(equipe)
    with pytest.raises(ErreurMetier, match="déjà en Axe 2"):
        services.demander_changement_axe(
            dossier=dossier, axe=Axe.ACCOMPAGNEMENT_GLOBAL, motif="x", par=equipe.ts
        )
    with pytest.raises(ErreurMetier, match="motif"):
        services.demander_changement_axe(
            dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="", par=equipe.ts
        )
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.SOCIAL_EXCLUSIF, motif="x", par=equipe.ts
    )
    with pytest.raises(ErreurMetier, match="attend déjà"):
        services.demander_changement_axe(
            dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
        )
    # Accepter vers l'axe 3 sans référent social : refusé, rien ne bouge.
    with pytest.raises(ErreurMetier, match="Référent social"):
        services.decider_changement_axe(
            demande=demande,
            accepter=True,
            motif="ok",
            par=equipe.animatrice,
            accord_personne=True,
        )
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_ATTENTE
    with pytest.raises(ErreurMetier, match="motif"):
        services.decider_changement_axe(
            demande=demande, accepter=False, motif=" ", par=equipe.animatrice
        )


def test_changement_d_axe_avant_le_debut_de_periode_refuse(equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    with pytest.raises(ErreurMetier, match="précéder"):
        services.decider_changement_axe(
            demande=demande,
            accepter=True,
            motif="x",
            par=equipe.animatrice,
            date=AUJOURD_HUI() - dt.timedelta(days=5),
        )


def test_demande_sur_dossier_non_accompagne_refusee(equipe):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier, match="en accompagnement"):
        services.demander_changement_axe(
            dossier=dossier, axe=Axe.ACCOMPAGNEMENT_GLOBAL, motif="x", par=equipe.conseiller
        )


# --- clôture et réouverture -------------------------------------------------------------------


def test_cloturer_ferme_tout_et_refuse_les_demandes_en_attente(equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    services.cloturer(
        dossier=dossier,
        motif_sortie=MotifSortie.EMPLOI_DURABLE,
        par=equipe.dedie,
        commentaire="CDI",
    )
    dossier.refresh_from_db()
    demande.refresh_from_db()
    assert (
        dossier.statut == StatutDossier.CLOS and dossier.motif_sortie == MotifSortie.EMPLOI_DURABLE
    )
    # L'axe reste celui de la dernière période : il dit quel suivi le dossier a eu.
    assert (
        dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL and dossier.date_cloture == AUJOURD_HUI()
    )
    assert not dossier.periodes.filter(date_fin__isnull=True).exists()
    assert not dossier.affectations.ouvertes().exists()
    assert demande.statut == StatutDemande.REFUSEE


def test_cloturer_refus(equipe):
    dossier = en_axe_2(equipe)
    with pytest.raises(ErreurMetier, match="motif de sortie"):
        services.cloturer(dossier=dossier, motif_sortie="inconnu", par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="futur"):
        services.cloturer(
            dossier=dossier,
            motif_sortie=MotifSortie.AUTRE,
            par=equipe.dedie,
            date=AUJOURD_HUI() + dt.timedelta(days=1),
        )
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.AUTRE, par=equipe.dedie)
    with pytest.raises(ErreurMetier, match="Impossible de passer"):
        services.cloturer(dossier=dossier, motif_sortie=MotifSortie.AUTRE, par=equipe.dedie)


def test_rouvrir_cree_un_nouveau_parcours_et_garde_l_ancien(equipe):
    ancien = en_axe_2(equipe)
    with pytest.raises(ErreurMetier, match="Seul un dossier clos"):
        services.rouvrir(dossier=ancien, par=equipe.conseiller, origine=Origine.CONSEILLER_FT)
    services.cloturer(dossier=ancien, motif_sortie=MotifSortie.EMPLOI_COURT, par=equipe.dedie)
    nouveau = services.rouvrir(
        dossier=ancien, par=equipe.conseiller, origine=Origine.CONSEILLER_FT, motif="Fin de CDD"
    )
    ancien.refresh_from_db()
    assert nouveau.pk != ancien.pk and nouveau.demandeur == ancien.demandeur
    assert nouveau.statut == StatutDossier.A_ORIENTER and ancien.statut == StatutDossier.CLOS
    assert ancien.periodes.count() == 1 and nouveau.periodes.count() == 0


def test_version_et_derniere_activite_avancent(equipe):
    dossier = nouveau_dossier(equipe)
    avant = (dossier.version, dossier.derniere_activite)
    avec_binome(equipe, dossier)
    dossier.refresh_from_db()
    assert dossier.version > avant[0] and dossier.derniere_activite >= avant[1]


def test_fabrique_dossier_simple():
    dossier = DossierFactory()
    assert dossier.departement == dossier.demandeur.departement == dossier.agence.departement
    assert DemandeurFactory().identifiant_ft


# --- dates des événements ------------------------------------------------------------------------


def test_dates_futures_ou_anterieures_a_l_orientation_refusees(equipe):
    demain = AUJOURD_HUI() + dt.timedelta(days=1)
    with pytest.raises(ErreurMetier, match="futur"):
        nouveau_dossier(equipe, date=demain)
    dossier = nouveau_dossier(equipe, date=AUJOURD_HUI() - dt.timedelta(days=20), prenom="Autre")
    avant = AUJOURD_HUI() - dt.timedelta(days=40)
    with pytest.raises(ErreurMetier, match="futur"):
        services.demarrer_diagnostic(dossier=dossier, par=equipe.dedie, date=demain)
    with pytest.raises(ErreurMetier, match="précéder l'orientation"):
        services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts,
            par=equipe.animatrice,
            date=avant,
        )
    with pytest.raises(ErreurMetier, match="précéder l'orientation"):
        services.cloturer(
            dossier=dossier, motif_sortie=MotifSortie.AUTRE, par=equipe.conseiller, date=avant
        )


def test_entree_sur_un_axe_avant_l_affectation_du_binome_refusee(equipe):
    dossier = nouveau_dossier(equipe, date=AUJOURD_HUI() - dt.timedelta(days=60))
    avec_binome(equipe, dossier)  # affecté aujourd'hui
    with pytest.raises(ErreurMetier, match="au plus tard à cette date"):
        services.orienter(
            dossier=dossier,
            axe=Axe.ACCOMPAGNEMENT_GLOBAL,
            par=equipe.dedie,
            motif="x",
            accord_personne=True,
            date=AUJOURD_HUI() - dt.timedelta(days=50),
        )


def test_changement_d_axe_dans_le_futur_refuse(equipe):
    dossier = en_axe_2(equipe)
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    with pytest.raises(ErreurMetier, match="futur"):
        services.decider_changement_axe(
            demande=demande,
            accepter=True,
            motif="x",
            par=equipe.animatrice,
            date=AUJOURD_HUI() + dt.timedelta(days=30),
        )


def test_cloture_avant_un_relais_refusee_sans_erreur_500(equipe):
    debut = AUJOURD_HUI() - dt.timedelta(days=90)
    dossier = avec_binome(equipe, nouveau_dossier(equipe, date=debut), date=debut)
    services.orienter(
        dossier=dossier,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        par=equipe.dedie,
        motif="x",
        accord_personne=True,
        date=debut,
    )
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=equipe.ts_bis,
        par=equipe.animatrice,
        date=AUJOURD_HUI() - dt.timedelta(days=30),
    )
    with pytest.raises(ErreurMetier, match="début d'une affectation en cours"):
        services.cloturer(
            dossier=dossier,
            motif_sortie=MotifSortie.AUTRE,
            par=equipe.dedie,
            date=AUJOURD_HUI() - dt.timedelta(days=60),
        )


# --- droits vérifiés par les services ----------------------------------------------------------


def test_les_services_du_parcours_refusent_un_acteur_sans_le_droit(equipe):
    """Le service refuse lui-même (AccesRefuse) l'acteur que la vue n'aurait pas laissé
    passer ; rien n'est écrit, ni trace d'audit ni journal."""
    dossier = en_axe_2(equipe)
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)  # statut seul
    ailleurs = MembershipFactory(role=Role.ANIMATRICE)  # autre département
    journal, traces = dossier.journal.count(), EvenementAudit.objects.count()
    refus = {
        "le binôme n'affecte pas": lambda: services.affecter(
            dossier=dossier,
            place=RoleAffectation.TRAVAILLEUR_SOCIAL,
            professionnel=equipe.ts_bis,
            par=equipe.dedie,
        ),
        "le correspondant ne pourvoit que les places sociales": lambda: services.affecter(
            dossier=dossier,
            place=RoleAffectation.CONSEILLER_DEDIE,
            professionnel=equipe.dedie_bis,
            par=equipe.correspondant,
        ),
        "changement d'axe demandé sans y tenir de place": lambda: services.demander_changement_axe(
            dossier=dossier, axe=Axe.SOCIAL_EXCLUSIF, motif="x", par=collegue
        ),
        "clôture sans accès complet": lambda: services.cloturer(
            dossier=dossier, motif_sortie=MotifSortie.DEMENAGEMENT, par=collegue
        ),
        "fiche modifiée sans accès complet": lambda: services.modifier_demandeur(
            demandeur=dossier.demandeur, par=collegue, nom="Autre"
        ),
        "personne créée dans un autre département": lambda: services.creer_demandeur(
            departement=equipe.departement, par=ailleurs, **identite(nom="Martin")
        ),
        "dossier ouvert dans un autre département": lambda: services.ouvrir_dossier(
            demandeur=DemandeurFactory(departement=equipe.departement),
            par=ailleurs,
            origine=Origine.CONSEILLER_FT,
        ),
    }
    for cas, appel in refus.items():
        with pytest.raises(AccesRefuse):
            appel()
            pytest.fail(cas)
    assert dossier.journal.count() == journal and EvenementAudit.objects.count() == traces
    dossier.refresh_from_db()
    assert dossier.statut == StatutDossier.ACCOMPAGNEMENT and dossier.demandeur.nom == "Lefèvre"
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.SOCIAL_EXCLUSIF, motif="x", par=equipe.dedie
    )
    with pytest.raises(AccesRefuse, match="décider"):  # l'auteur ne tranche pas seul
        services.decider_changement_axe(
            demande=demande, accepter=False, motif="non", par=equipe.dedie
        )
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_ATTENTE
