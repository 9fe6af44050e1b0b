"""Sollicitations de ressources sociales (axe 1) : workflow et transitions, contraintes en
base, lien signé du partenaire, expiration et relances (par la tâche Celery), droits des
vues, journal, notifications, indicateurs, nombre de requêtes."""

import datetime as dt
import html
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accompagnement.exceptions import AccesRefuse, ErreurMetier
from accompagnement.models import (
    ActionAudit,
    CategorieNotification,
    EvenementAudit,
    Notification,
    Role,
)
from accompagnement.navigation import menu
from conventions.models import ServiceRessource, StructureRessource
from dossiers import tasks
from dossiers.models import (
    TRANSITIONS_SOLLICITATION,
    Dossier,
    ModeSollicitation,
    MotifSortie,
    Sollicitation,
    TypeEvenement,
)
from dossiers.models import (
    StatutSollicitation as S,
)
from dossiers.parcours import services
from dossiers.sollicitations import lectures as lectures_sollicitations
from dossiers.sollicitations import partenaire as partenaire_sollicitations
from dossiers.sollicitations import services as sollicitations
from reporting import indicateurs as indicateurs_reporting
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.scenarios import en_axe_2, nouveau_dossier

pytestmark = pytest.mark.django_db

BESOIN = "Garde de deux enfants le matin, pour reprendre un emploi"


# --- fabriques --------------------------------------------------------------------------------


def ressource(
    departement,
    nom="Crèche Les Lutins",
    thematiques=("famille--garde-denfants",),
    courriel="accueil@lutins.test",
    structure_courriel="",
    **kw,
) -> ServiceRessource:
    structure = StructureRessource.objects.create(
        departement=departement,
        source="test",
        identifiant=f"structure-{uuid.uuid4()}",
        nom=f"Association {nom}",
        date_maj=timezone.localdate(),
        courriel=structure_courriel,
    )
    return ServiceRessource.objects.create(
        departement=departement,
        structure=structure,
        source="test",
        identifiant=f"service-{uuid.uuid4()}",
        nom=nom,
        date_maj=timezone.localdate(),
        thematiques=list(thematiques),
        courriel=courriel,
        **kw,
    )


def dossier_du_territoire(equipe, **kw) -> Dossier:
    """Un dossier « à orienter » de l'agence, rattaché au territoire du correspondant."""
    dossier = nouveau_dossier(equipe, **kw)
    Dossier.objects.filter(pk=dossier.pk).update(territoire=equipe.territoire)
    accord_enregistre(dossier)
    dossier.refresh_from_db()
    return dossier


def accord_enregistre(dossier) -> None:
    """La personne a été informée et accepte la transmission de ses coordonnées."""
    type(dossier.demandeur).objects.filter(pk=dossier.demandeur_id).update(
        information_le=timezone.localdate(),
        information_mode="oral",
        accord_transmission_le=timezone.localdate(),
        accord_transmission_mode="oral",
    )


def creer(equipe, dossier, service, *, mode=ModeSollicitation.CORRESPONDANT, envoyer=True, **kw):
    return sollicitations.creer_sollicitation(
        dossier=dossier,
        service=service,
        domaine=kw.pop("domaine", "famille"),
        besoin=kw.pop("besoin", BESOIN),
        mode=mode,
        correspondant=equipe.correspondant if mode == ModeSollicitation.CORRESPONDANT else None,
        par=kw.pop("par", equipe.conseiller),
        coordonnees_contact="06 12 34 56 78, le matin",
        envoyer=envoyer,
        **kw,
    )


@pytest.fixture
def creche(equipe):
    return ressource(equipe.departement)


@pytest.fixture
def dossier(equipe):
    return dossier_du_territoire(equipe)


def amener_a(statut, equipe, dossier, service) -> Sollicitation:
    """Une sollicitation au statut voulu, par les services."""
    correspondant = equipe.correspondant
    s = creer(equipe, dossier, service, envoyer=statut != S.BROUILLON)
    if statut == S.A_L_ETUDE:
        s = sollicitations.prendre_a_l_etude(sollicitation=s, par=correspondant)
    elif statut in (S.ACCEPTEE, S.REALISEE):
        s = sollicitations.accepter(sollicitation=s, par=correspondant)
        if statut == S.REALISEE:
            s = sollicitations.marquer_realisee(sollicitation=s, par=equipe.conseiller)
    elif statut == S.REFUSEE:
        s = sollicitations.refuser(sollicitation=s, par=correspondant, motif="Complet")
    elif statut == S.EXPIREE:
        Sollicitation.objects.filter(pk=s.pk).update(echeance=timezone.now() - dt.timedelta(1))
        sollicitations.expirer_sollicitations()
    s.refresh_from_db()
    assert s.statut == statut
    return s


ACTIONS = {
    S.ENVOYEE: lambda s, e: sollicitations.envoyer_sollicitation(sollicitation=s, par=e.conseiller),
    S.A_L_ETUDE: lambda s, e: sollicitations.prendre_a_l_etude(
        sollicitation=s, par=e.correspondant
    ),
    S.ACCEPTEE: lambda s, e: sollicitations.accepter(sollicitation=s, par=e.correspondant),
    S.REFUSEE: lambda s, e: sollicitations.refuser(
        sollicitation=s, par=e.correspondant, motif="Complet"
    ),
    S.REALISEE: lambda s, e: sollicitations.marquer_realisee(sollicitation=s, par=e.conseiller),
}


# --- workflow ------------------------------------------------------------------------------------


def test_la_table_des_transitions_est_celle_du_metier():
    assert {
        S.BROUILLON: {S.ENVOYEE},
        S.ENVOYEE: {S.A_L_ETUDE, S.ACCEPTEE, S.REFUSEE, S.EXPIREE},
        S.A_L_ETUDE: {S.ACCEPTEE, S.REFUSEE, S.EXPIREE},
        S.ACCEPTEE: {S.REALISEE},
        S.REFUSEE: set(),
        S.REALISEE: set(),
        S.EXPIREE: set(),
    } == TRANSITIONS_SOLLICITATION


def test_workflow_complet_via_le_correspondant(equipe, dossier, creche):
    s = creer(equipe, dossier, creche, envoyer=False)
    assert (s.statut, s.version, s.envoyee_le) == (S.BROUILLON, 1, None)

    s = sollicitations.envoyer_sollicitation(sollicitation=s, par=equipe.conseiller)
    assert s.statut == S.ENVOYEE and s.version == 2
    assert s.delai_jours == sollicitations.DELAI_REPONSE_JOURS == 15
    assert s.echeance - s.envoyee_le == dt.timedelta(days=15)
    assert s.relance_prevue_le - s.envoyee_le == dt.timedelta(days=7.5)

    s = sollicitations.prendre_a_l_etude(sollicitation=s, par=equipe.correspondant)
    assert s.statut == S.A_L_ETUDE and s.etude_le is not None
    assert s.echeance - s.etude_le == dt.timedelta(days=15)  # le délai repart pour la décision

    s = sollicitations.accepter(
        sollicitation=s, par=equipe.correspondant, precisions="RDV lundi 9 h"
    )
    assert s.statut == S.ACCEPTEE and s.repondu_par == equipe.correspondant.user
    assert s.precisions_reponse == "RDV lundi 9 h" and s.relance_prevue_le is None

    s = sollicitations.marquer_realisee(sollicitation=s, par=equipe.conseiller)
    s.refresh_from_db()
    assert s.statut == S.REALISEE and s.realisee_le is not None and s.version == 5
    resumes = list(
        dossier.journal.filter(type=TypeEvenement.SOLLICITATION)
        .order_by("horodatage", "pk")
        .values_list("resume", flat=True)
    )
    assert len(resumes) == 5
    assert "préparée" in resumes[0] and "envoyée au correspondant" in resumes[1]
    assert "à l'étude" in resumes[2] and "acceptée" in resumes[3] and "réalisée" in resumes[4]
    assert all("Crèche Les Lutins" in r for r in resumes)
    assert not any(BESOIN in r for r in resumes)  # le besoin ne va pas au journal
    assert EvenementAudit.objects.filter(objet_id=str(s.uuid)).count() == 5


ILLEGALES = [
    (depart, cible)
    for depart in S
    for cible in ACTIONS
    if cible not in TRANSITIONS_SOLLICITATION[depart]
]


@pytest.mark.parametrize(("depart", "cible"), ILLEGALES)
def test_toute_transition_illegale_est_refusee(equipe, dossier, creche, depart, cible):
    s = amener_a(depart, equipe, dossier, creche)
    journal_avant, version = dossier.journal.count(), s.version
    with pytest.raises(ErreurMetier, match="Impossible de passer la sollicitation"):
        ACTIONS[cible](s, equipe)
    s.refresh_from_db()
    assert (s.statut, s.version) == (depart, version)
    assert dossier.journal.count() == journal_avant


@pytest.mark.parametrize("statut", [S.BROUILLON, S.ACCEPTEE, S.REFUSEE, S.REALISEE, S.EXPIREE])
def test_relancer_exige_une_sollicitation_en_attente(equipe, dossier, creche, statut):
    s = amener_a(statut, equipe, dossier, creche)
    with pytest.raises(ErreurMetier, match="en attente de réponse"):
        sollicitations.relancer(sollicitation=s, par=equipe.conseiller)


def test_refus_sans_motif_refuse(equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    with pytest.raises(ErreurMetier, match="motif du refus est obligatoire"):
        sollicitations.refuser(sollicitation=s, par=equipe.correspondant, motif="  ")
    s.refresh_from_db()
    assert s.statut == S.ENVOYEE


def test_verrouillage_optimiste(equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    version_lue = s.version
    sollicitations.prendre_a_l_etude(sollicitation=s, par=equipe.correspondant)
    with pytest.raises(ErreurMetier, match="modifiée entre-temps"):
        sollicitations.accepter(sollicitation=s, par=equipe.animatrice, version=version_lue)
    s.refresh_from_db()
    assert s.statut == S.A_L_ETUDE


def test_refus_de_creation(equipe, dossier, creche):
    autre_territoire = StructureFactory(territoire=True, departement=equipe.departement)
    intrus = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=autre_territoire)
    with pytest.raises(ErreurMetier, match="n'est pas correspondant insertion du territoire"):
        sollicitations.creer_sollicitation(
            dossier=dossier, service=creche, domaine="famille", besoin=BESOIN,
            mode=ModeSollicitation.CORRESPONDANT, correspondant=intrus, par=equipe.conseiller,
        )  # fmt: skip
    with pytest.raises(ErreurMetier, match="n'est pas correspondant insertion du territoire"):
        sollicitations.creer_sollicitation(
            dossier=dossier, service=creche, domaine="famille", besoin=BESOIN,
            mode=ModeSollicitation.CORRESPONDANT, correspondant=equipe.ts, par=equipe.conseiller,
        )  # fmt: skip
    sans_territoire = nouveau_dossier(equipe, nom="Sansterritoire")
    with pytest.raises(ErreurMetier, match="pas de territoire"):
        creer(equipe, sans_territoire, creche)
    etrangere = ressource(StructureFactory(territoire=True).departement)
    with pytest.raises(ErreurMetier, match="pas \\(ou plus\\) proposé"):
        creer(equipe, dossier, etrangere)
    with pytest.raises(ErreurMetier, match="domaine de frein"):
        creer(equipe, dossier, creche, domaine="inconnu")
    with pytest.raises(ErreurMetier, match="besoin"):
        creer(equipe, dossier, creche, besoin="   ")
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.AUTRE, par=equipe.conseiller)
    with pytest.raises(ErreurMetier, match="clos"):
        creer(equipe, dossier, creche)
    assert not Sollicitation.objects.exists()


def test_envoi_direct_sans_courriel_ne_cree_rien(equipe, dossier):
    muet = ressource(equipe.departement, nom="Sans courriel", courriel="")
    with pytest.raises(ErreurMetier, match="pas d'adresse courriel"):
        creer(equipe, dossier, muet, mode=ModeSollicitation.DIRECT)
    assert not Sollicitation.objects.exists()
    assert not dossier.journal.filter(type=TypeEvenement.SOLLICITATION).exists()


def test_le_courriel_de_la_structure_sert_a_defaut(equipe, dossier, mailoutbox,
                                                    django_capture_on_commit_callbacks,
                                                    taches_immediates):  # fmt: skip
    service = ressource(
        equipe.departement, nom="Relais", courriel="", structure_courriel="contact@relais.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        creer(equipe, dossier, service, mode=ModeSollicitation.DIRECT)
    assert [m.to for m in mailoutbox] == [["contact@relais.test"]]


# --- contraintes en base ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "champs",
    [
        {"statut": "inconnu"},
        {"statut": S.REFUSEE, "refusee_le": timezone.now()},  # refus sans motif
        {"motif_refus": "motif sans refus"},
        {"mode": ModeSollicitation.DIRECT},  # direct, mais un correspondant désigné
        {"correspondant": None},  # via le correspondant, sans correspondant
        {"statut": S.ENVOYEE},  # envoyée sans date d'envoi
        {"statut": S.EXPIREE, "envoyee_le": timezone.now(), "echeance": timezone.now()},
        {"domaine": "astrologie"},
        {"delai_jours": 0},
    ],
)
def test_contraintes_en_base(equipe, dossier, creche, champs):
    s = creer(equipe, dossier, creche, envoyer=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sollicitation.objects.filter(pk=s.pk).update(**champs)


# --- notifications et journal ----------------------------------------------------------------------


def test_notifications_au_correspondant_puis_a_l_auteur(
    equipe, dossier, creche, mailoutbox, django_capture_on_commit_callbacks, taches_immediates
):
    with django_capture_on_commit_callbacks(execute=True):
        s = creer(equipe, dossier, creche)
    au_correspondant = Notification.objects.get(destinataire=equipe.correspondant.user)
    assert au_correspondant.categorie == CategorieNotification.SOLLICITATION
    assert au_correspondant.lien == reverse("dossiers:sollicitations_a_traiter")
    assert [m.to for m in mailoutbox] == [[equipe.correspondant.user.email]]
    assert "Éloïse L." in mailoutbox[0].body and "LEFÈVRE" not in mailoutbox[0].body
    assert BESOIN not in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        sollicitations.refuser(sollicitation=s, par=equipe.correspondant, motif="Complet")
    a_l_auteur = Notification.objects.get(destinataire=equipe.conseiller.user)
    assert "refusée" in a_l_auteur.titre and "Motif : Complet" in a_l_auteur.texte
    assert a_l_auteur.lien == reverse("dossiers:dossier", args=[dossier.uuid])
    assert mailoutbox[-1].to == [equipe.conseiller.user.email]


def test_pas_de_notification_a_soi_meme(equipe, dossier, creche):
    s = creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT)
    sollicitations.accepter(sollicitation=s, par=equipe.conseiller)  # réponse par téléphone
    assert not Notification.objects.filter(destinataire=equipe.conseiller.user).exists()


def test_un_echec_n_ecrit_ni_journal_ni_notification(equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    avant = (dossier.journal.count(), Notification.objects.count())
    with pytest.raises(ErreurMetier):
        sollicitations.marquer_realisee(sollicitation=s, par=equipe.conseiller)
    assert (dossier.journal.count(), Notification.objects.count()) == avant


def test_relance_manuelle(equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    assert not s.relancable
    with pytest.raises(ErreurMetier, match="envoyée ou relancée aujourd'hui"):
        sollicitations.relancer(sollicitation=s, par=equipe.conseiller)
    vieillir(s, 2)
    s = sollicitations.relancer(sollicitation=s, par=equipe.conseiller)
    assert s.relances == 1 and s.derniere_relance_le is not None and s.relance_prevue_le is None
    assert Notification.objects.filter(destinataire=equipe.correspondant.user).count() == 2
    assert dossier.journal.filter(resume__startswith="Relance n° 1").exists()
    with pytest.raises(ErreurMetier, match="envoyée ou relancée aujourd'hui"):
        sollicitations.relancer(sollicitation=s, par=equipe.conseiller)


# --- expiration et relances automatiques (la tâche Celery) -----------------------------------------


def vieillir(s, jours):
    """Simule le passage du temps : recule les dates de la sollicitation en base."""
    decalage = dt.timedelta(days=jours)
    s.refresh_from_db()
    Sollicitation.objects.filter(pk=s.pk).update(
        envoyee_le=s.envoyee_le - decalage,
        echeance=s.echeance - decalage,
        relance_prevue_le=s.relance_prevue_le - decalage if s.relance_prevue_le else None,
    )


def test_la_tache_relance_a_mi_delai_puis_expire(equipe, dossier, creche, taches_immediates):
    s = creer(equipe, dossier, creche)
    etudiee = sollicitations.prendre_a_l_etude(
        sollicitation=creer(equipe, dossier, ressource(equipe.departement, nom="Halte")),
        par=equipe.correspondant,
    )
    acceptee = amener_a(S.ACCEPTEE, equipe, dossier, ressource(equipe.departement, nom="Nounou"))
    Sollicitation.objects.filter(pk=acceptee.pk).update(echeance=timezone.now() - dt.timedelta(3))

    assert tasks.expirer_sollicitations.delay().get() == {"relancees": 0, "expirees": 0}

    vieillir(s, 8)  # mi-délai dépassé
    assert tasks.expirer_sollicitations.delay().get() == {"relancees": 1, "expirees": 0}
    s.refresh_from_db()
    assert s.relances == 1 and s.statut == S.ENVOYEE
    assert dossier.journal.filter(resume__contains="automatique, à mi-délai").count() == 1
    assert tasks.expirer_sollicitations.delay().get() == {"relancees": 0, "expirees": 0}

    vieillir(s, 8)
    vieillir(etudiee, 16)
    assert tasks.expirer_sollicitations.delay().get() == {"relancees": 0, "expirees": 2}
    for objet in (s, etudiee):
        objet.refresh_from_db()
        assert objet.statut == S.EXPIREE and objet.expiree_le is not None
    acceptee.refresh_from_db()
    assert acceptee.statut == S.ACCEPTEE  # une sollicitation acceptée n'expire pas
    assert dossier.journal.filter(resume__contains="expirée sans réponse").count() == 2
    assert (
        Notification.objects.filter(
            destinataire=equipe.conseiller.user, titre__startswith="Sollicitation expirée"
        ).count()
        == 2
    )
    # Idempotente : rejouée, elle ne trouve plus rien.
    assert tasks.expirer_sollicitations.delay().get() == {"relancees": 0, "expirees": 0}


def test_la_tache_est_planifiee_chaque_jour():
    from accompagnement.celery import app

    plannings = [
        p for p in app.conf.beat_schedule.values() if p["task"] == tasks.expirer_sollicitations.name
    ]
    assert len(plannings) == 1
    assert plannings[0]["schedule"].remaining_estimate(timezone.now()) <= dt.timedelta(days=1)


def test_delai_par_departement(equipe, dossier, creche, settings):
    settings.SOLLICITATIONS_DELAI_JOURS = {equipe.departement.code_insee: 21}
    s = creer(equipe, dossier, creche)
    assert s.delai_jours == 21 and s.echeance - s.envoyee_le == dt.timedelta(days=21)


# --- lien signé du partenaire ----------------------------------------------------------------------


def lien_chemin(s) -> str:
    return urlsplit(partenaire_sollicitations.lien_reponse(s)).path


@pytest.fixture
def directe(equipe, dossier, creche):
    return creer(
        equipe, dossier, creche, mode=ModeSollicitation.DIRECT, url_base="http://testserver"
    )


def test_envoi_direct_envoie_un_lien_signe(
    equipe, dossier, creche, mailoutbox, django_capture_on_commit_callbacks, taches_immediates
):
    with django_capture_on_commit_callbacks(execute=True):
        creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT, url_base="http://testserver/")
    (message,) = mailoutbox
    assert message.to == ["accueil@lutins.test"]
    assert "http://testserver/dossiers/sollicitations/reponse/" in message.body
    assert "Lefèvre" not in message.body and "LEFÈVRE" not in message.body
    assert not Notification.objects.filter(destinataire=equipe.correspondant.user).exists()


def test_lien_valide_montre_le_minimum_et_accepte(client, equipe, directe, mailoutbox,
                                                  django_capture_on_commit_callbacks,
                                                  taches_immediates):  # fmt: skip
    url = lien_chemin(directe)
    page = client.get(url)
    contenu = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Éloïse L." in contenu and BESOIN in contenu and "06 12 34 56 78" in contenu
    assert "Crèche Les Lutins" in contenu
    assert "Lefèvre" not in contenu and "LEFÈVRE" not in contenu and "1988" not in contenu
    assert EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, objet_id=str(directe.uuid), acteur=None
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            url,
            {"decision": "accepter", "precisions": "Place le 3 mars", "version": directe.version},
        )
    assert reponse.status_code == 302 and reponse.url == url
    directe.refresh_from_db()
    assert directe.statut == S.ACCEPTEE and directe.reponse_par_lien
    assert directe.repondu_par is None and directe.precisions_reponse == "Place le 3 mars"
    evenement = directe.dossier.journal.filter(type=TypeEvenement.SOLLICITATION).first()
    assert evenement.auteur is None and "par le partenaire" in evenement.resume
    assert mailoutbox[-1].to == [equipe.conseiller.user.email]
    apres = client.get(url).content.decode()
    assert "Merci : votre réponse est enregistrée" in apres and "n'attend plus de réponse" in apres


def test_lien_refus_exige_un_motif(client, directe):
    url = lien_chemin(directe)
    reponse = client.post(url, {"decision": "refuser", "motif": "", "version": directe.version})
    assert reponse.status_code == 400 and "Indiquez le motif du refus" in reponse.content.decode()
    client.post(url, {"decision": "refuser", "motif": "Hors zone", "version": directe.version})
    directe.refresh_from_db()
    assert directe.statut == S.REFUSEE and directe.motif_refus == "Hors zone"


def test_lien_expire_des_l_echeance_sans_attendre_la_tache(client, equipe, dossier, creche):
    """Régression (ticket 11) : le lien répondait jusqu'au passage de la tâche de nuit, et
    sa durée comptait depuis la signature, pas depuis l'échéance."""
    s = creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT)
    url = lien_chemin(s)  # signé maintenant : la signature seule vaudrait encore 15 jours
    Sollicitation.objects.filter(pk=s.pk).update(echeance=timezone.now() - dt.timedelta(minutes=1))
    for reponse in (
        client.get(url),
        client.post(url, {"decision": "accepter", "version": s.version}),
    ):
        contenu = html.unescape(reponse.content.decode())
        assert reponse.status_code == 410 and "Ce lien a expiré" in contenu
        assert "Éloïse" not in contenu and BESOIN not in contenu and "Lutins" not in contenu
    s.refresh_from_db()
    assert s.statut == S.ENVOYEE  # la tâche de nuit ne l'a pas encore expirée


def test_lien_d_une_sollicitation_expiree_par_la_tache(client, equipe, dossier, creche):
    s = creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT)
    url = lien_chemin(s)
    vieillir(s, 16)
    assert sollicitations.expirer_sollicitations() == 1
    assert client.get(url).status_code == 410


def test_apres_une_relance_seul_le_dernier_lien_vaut(
    client, equipe, dossier, creche, mailoutbox, django_capture_on_commit_callbacks,
    taches_immediates,
):  # fmt: skip
    """Régression (ticket 11) : les liens des courriels précédents restaient valides."""
    s = creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT)
    ancien = lien_chemin(s)
    vieillir(s, 2)
    with django_capture_on_commit_callbacks(execute=True):
        s = sollicitations.relancer(sollicitation=s, par=equipe.conseiller)
    (courriel,) = mailoutbox
    nouveau = re.search(r"/dossiers/sollicitations/reponse/[^/\s]+/", courriel.body).group()
    assert nouveau != ancien
    perime = client.post(ancien, {"decision": "accepter", "version": s.version})
    contenu = html.unescape(perime.content.decode())
    assert perime.status_code == 410 and "remplacé par un lien plus récent" in contenu
    assert BESOIN not in contenu and "Éloïse" not in contenu
    s.refresh_from_db()
    assert s.statut == S.ENVOYEE
    assert client.get(nouveau).status_code == 200
    client.post(nouveau, {"decision": "accepter", "version": s.version})
    s.refresh_from_db()
    assert s.statut == S.ACCEPTEE


def test_lien_emis_avant_les_generations_vaut_tant_qu_il_n_y_a_pas_eu_de_relance(
    client, equipe, dossier, creche
):
    s = creer(equipe, dossier, creche, mode=ModeSollicitation.DIRECT)
    ancien_format = signing.TimestampSigner(salt=partenaire_sollicitations.SEL_LIEN_REPONSE).sign(
        str(s.uuid)
    )
    url = reverse("dossiers:sollicitation_reponse", args=[ancien_format])
    assert client.get(url).status_code == 200
    Sollicitation.objects.filter(pk=s.pk).update(relances=1)
    assert client.get(url).status_code == 410


def test_lien_falsifie_ou_d_un_autre_usage(client, equipe, dossier, creche, directe):
    """Régression (ticket 11) : un lien invalide répondait 200."""
    url = lien_chemin(directe)
    falsifie = url[:-2] + ("A" if url[-2] != "A" else "B") + "/"
    autre_sel = signing.TimestampSigner().sign(str(directe.uuid))
    via_correspondant = creer(equipe, dossier, creche)
    signataire = signing.TimestampSigner(salt=partenaire_sollicitations.SEL_LIEN_REPONSE)
    jeton_correspondant = signataire.sign(
        partenaire_sollicitations.valeur_signee(via_correspondant)
    )
    generation_forgee = signataire.sign(f"{directe.uuid}.x")
    inconnue = signataire.sign(f"{uuid.uuid4()}.0")
    for chemin in (
        falsifie,
        reverse("dossiers:sollicitation_reponse", args=[autre_sel]),
        reverse("dossiers:sollicitation_reponse", args=[jeton_correspondant]),
        reverse("dossiers:sollicitation_reponse", args=[generation_forgee]),
        reverse("dossiers:sollicitation_reponse", args=[inconnue]),
        reverse("dossiers:sollicitation_reponse", args=["n-importe-quoi"]),
    ):
        reponse = client.post(chemin, {"decision": "accepter", "version": 2})
        contenu = html.unescape(reponse.content.decode())
        assert reponse.status_code == 404, chemin
        assert "Ce lien n'est pas valide" in contenu, chemin
        assert "Lutins" not in contenu and BESOIN not in contenu, chemin
        assert reponse["X-Robots-Tag"] == "noindex, nofollow"
    directe.refresh_from_db()
    via_correspondant.refresh_from_db()
    assert directe.statut == via_correspondant.statut == S.ENVOYEE


def test_lien_deja_traite(client, equipe, directe):
    url = lien_chemin(directe)
    sollicitations.refuser(sollicitation=directe, par=equipe.animatrice, motif="Par tél.")
    reponse = client.post(url, {"decision": "accepter", "version": 3})
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and "n'attend plus de réponse" in contenu
    assert "refusée" in contenu and BESOIN not in contenu
    directe.refresh_from_db()
    assert directe.statut == S.REFUSEE and directe.motif_refus == "Par tél."


# --- vues : depuis un dossier -----------------------------------------------------------------------


def url(nom, *args):
    return reverse(f"dossiers:{nom}", args=args)


def test_choisir_propose_d_abord_le_domaine_vise(client_de, equipe, dossier, creche):
    ressource(equipe.departement, nom="Auto-école solidaire", thematiques=["mobilite--permis"])
    ressource(equipe.departement, nom="Ancienne crèche", actif=False)
    ressource(StructureFactory().departement, nom="Crèche d'ailleurs")
    client = client_de(equipe.conseiller)
    page = client.get(url("sollicitation_choisir", dossier.uuid), {"domaine": "famille"})
    services_page = list(page.context["page"])
    assert page.status_code == 200
    assert [s.nom for s in services_page] == ["Crèche Les Lutins", "Auto-école solidaire"]
    assert services_page[0].prioritaire and not services_page[1].prioritaire
    assert "Domaine visé" in page.content.decode()
    recherche = client.get(url("sollicitation_choisir", dossier.uuid), {"q": "creche"})
    assert [s.nom for s in recherche.context["page"]] == ["Crèche Les Lutins"]
    partiel = client.get(url("sollicitation_choisir", dossier.uuid), HTTP_HX_REQUEST="true")
    assert "<html" not in partiel.content.decode()


def test_domaines_prioritaires_vides_puis_fournis_par_le_diagnostic(equipe, dossier, creche):
    ressource(equipe.departement, nom="Auto-école", thematiques=["mobilite--permis"])
    assert lectures_sollicitations.domaines_prioritaires(dossier) == []
    fournisseur = lambda d: ["mobilite", "inconnu"]  # noqa: E731
    lectures_sollicitations.FOURNISSEURS_DOMAINES.append(fournisseur)
    try:
        assert lectures_sollicitations.domaines_prioritaires(dossier) == ["mobilite"]
        qs = lectures_sollicitations.services_proposes(
            departement=equipe.departement, domaines=["mobilite"]
        )
        assert [s.nom for s in qs] == ["Auto-école", "Crèche Les Lutins"]
    finally:
        lectures_sollicitations.FOURNISSEURS_DOMAINES.remove(fournisseur)


def test_un_frein_de_sante_n_est_pas_revele_au_cote_france_travail(client_de, equipe, dossier):
    fournisseur = lambda d: ["sante", "famille"]  # noqa: E731
    lectures_sollicitations.FOURNISSEURS_DOMAINES.append(fournisseur)
    try:
        adresse = url("sollicitation_choisir", dossier.uuid)
        conseiller = client_de(equipe.conseiller).get(adresse).context["domaines_vises"]
        correspondant = client_de(equipe.correspondant).get(adresse).context["domaines_vises"]
    finally:
        lectures_sollicitations.FOURNISSEURS_DOMAINES.remove(fournisseur)
    assert conseiller == ["Famille (garde d'enfant, aidant, parentalité)"]
    assert correspondant == ["Santé", "Famille (garde d'enfant, aidant, parentalité)"]


def test_choisir_et_creer_droits(client_de, equipe, dossier, creche):
    etranger = MembershipFactory(role=Role.ANIMATRICE)
    for nom, args in (
        ("sollicitation_choisir", [dossier.uuid]),
        ("sollicitation_nouvelle", [dossier.uuid, creche.uuid]),
    ):
        assert client_de(etranger).get(url(nom, *args)).status_code == 404
        assert client_de(equipe.ts_bis).get(url(nom, *args)).status_code == 404  # hors périmètre
        assert client_de(equipe.correspondant).get(url(nom, *args)).status_code == 200
    # Visible en statut seul (dossier de l'agence en axe 2, sans y tenir de place) : 403.
    axe_2 = en_axe_2(equipe, nom="Binome")
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    assert client_de(collegue).get(url("sollicitation_choisir", axe_2.uuid)).status_code == 403
    # Un service d'un autre département : 404.
    etrangere = ressource(etranger.structure.departement)
    reponse = client_de(equipe.conseiller).get(
        url("sollicitation_nouvelle", dossier.uuid, etrangere.uuid)
    )
    assert reponse.status_code == 404


def test_creer_envoyer_depuis_le_formulaire(client_de, equipe, dossier, creche):
    client = client_de(equipe.conseiller)
    adresse = url("sollicitation_nouvelle", dossier.uuid, creche.uuid)
    formulaire = client.get(adresse, {"domaine": "famille"})
    assert formulaire.status_code == 200
    assert formulaire.context["form"]["correspondant"].initial == equipe.correspondant.pk
    donnees = {
        "domaine": "famille",
        "besoin": BESOIN,
        "preference_contact": "telephone",
        "coordonnees_contact": "",
        "mode": "correspondant",
        "correspondant": equipe.correspondant.pk,
    }
    assert client.post(adresse, {**donnees, "correspondant": ""}).status_code == 400
    reponse = client.post(adresse, {**donnees, "action": "envoyer"})
    assert reponse.status_code == 302 and reponse.url == url("dossier", dossier.uuid)
    s = Sollicitation.objects.get()
    assert s.statut == S.ENVOYEE and s.correspondant == equipe.correspondant
    client.post(adresse, {**donnees, "action": "brouillon"})
    assert Sollicitation.objects.filter(statut=S.BROUILLON).count() == 1


def test_fiche_liste_les_sollicitations_et_leurs_actions(client_de, equipe, dossier, creche):
    amener_a(S.ACCEPTEE, equipe, dossier, creche)
    creer(equipe, dossier, ressource(equipe.departement, nom="Halte-garderie"), envoyer=False)
    contenu = client_de(equipe.conseiller).get(url("dossier", dossier.uuid)).content.decode()
    assert "Sollicitations" in contenu and "Solliciter une ressource" in contenu
    assert "Halte-garderie" in contenu and "Brouillon" in contenu and "Acceptée" in contenu
    assert (
        url("sollicitation_realiser", Sollicitation.objects.get(statut=S.ACCEPTEE).uuid) in contenu
    )
    assert (
        url("sollicitation_envoyer", Sollicitation.objects.get(statut=S.BROUILLON).uuid) in contenu
    )
    # Relancer : pas le jour de l'envoi, proposé le lendemain.
    envoyee = creer(equipe, dossier, ressource(equipe.departement, nom="Relais parents"))
    relance, fiche = url("sollicitation_relancer", envoyee.uuid), url("dossier", dossier.uuid)
    assert relance not in client_de(equipe.conseiller).get(fiche).content.decode()
    vieillir(envoyee, 1)
    assert relance in client_de(equipe.conseiller).get(fiche).content.decode()
    # Statut seul : ni la section ni le bouton.
    axe_2 = en_axe_2(equipe, nom="Binome")
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    contenu = client_de(collegue).get(url("dossier", axe_2.uuid)).content.decode()
    assert "Solliciter une ressource" not in contenu


def test_besoin_d_un_domaine_sensible_reserve_au_social(client_de, equipe):
    dossier = en_axe_2(equipe, nom="Sante")
    cmp = ressource(equipe.departement, nom="Centre médico", thematiques=["sante--accompagnement"])
    sollicitations.creer_sollicitation(
        dossier=dossier, service=cmp, domaine="sante", besoin="Suivi psychologique",
        mode=ModeSollicitation.DIRECT, par=equipe.ts,
    )  # fmt: skip
    assert (
        "Suivi psychologique"
        in client_de(equipe.ts).get(url("dossier", dossier.uuid)).content.decode()
    )
    contenu = client_de(equipe.dedie).get(url("dossier", dossier.uuid)).content.decode()
    # Ticket 11 : ni le besoin, ni le service, ni sa structure (ils disent la santé).
    assert "Centre médico" not in contenu and "Suivi psychologique" not in contenu
    assert "Ressource d'un domaine réservé au côté social" in contenu


def test_fiche_nombre_de_requetes_constant(
    client_de, equipe, dossier, django_assert_max_num_queries
):
    creer(equipe, dossier, ressource(equipe.departement, nom="Service 0"))
    client = client_de(equipe.conseiller)
    with django_assert_max_num_queries(30) as petit:
        client.get(url("dossier", dossier.uuid))
    for i in range(1, 7):
        mode = ModeSollicitation.DIRECT if i == 6 else ModeSollicitation.CORRESPONDANT
        s = creer(equipe, dossier, ressource(equipe.departement, nom=f"Service {i}"), mode=mode)
        if i % 2:
            sollicitations.accepter(sollicitation=s, par=equipe.correspondant)
    with django_assert_max_num_queries(30) as grand:
        contenu = client.get(url("dossier", dossier.uuid)).content.decode()
    assert len(grand.captured_queries) == len(petit.captured_queries)
    # Le correspondant, lu à part (décision 93), est bien nommé ; l'envoi direct aussi.
    assert contenu.count(f"Via {html.escape(str(equipe.correspondant.user))}") == 6
    assert contenu.count("Directement au service") == 1


# --- vues : étapes ---------------------------------------------------------------------------------


def test_le_correspondant_accepte_depuis_sa_file(client_de, equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    client = client_de(equipe.correspondant)
    file = url("sollicitations_a_traiter")
    page = client.get(url("sollicitation_accepter", s.uuid), {"suite": file})
    assert page.status_code == 200 and BESOIN in page.content.decode()
    reponse = client.post(
        url("sollicitation_accepter", s.uuid),
        {"version": s.version, "precisions": "Rappel demain", "suite": file},
    )
    assert reponse.status_code == 302 and reponse.url == file
    s.refresh_from_db()
    assert s.statut == S.ACCEPTEE and s.repondu_par == equipe.correspondant.user


def test_etapes_droits(client_de, equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    etranger = MembershipFactory(role=Role.CORRESPONDANT_INSERTION)
    for cle in ("etude", "accepter", "refuser", "relancer", "realiser"):
        assert client_de(etranger).get(url(f"sollicitation_{cle}", s.uuid)).status_code == 404
        assert client_de(equipe.ts_bis).get(url(f"sollicitation_{cle}", s.uuid)).status_code == 404
    # L'auteur ne répond pas à la place du correspondant ; le correspondant ne relance pas.
    assert (
        client_de(equipe.conseiller).get(url("sollicitation_accepter", s.uuid)).status_code == 403
    )
    assert (
        client_de(equipe.conseiller).get(url("sollicitation_relancer", s.uuid)).status_code == 200
    )
    autre_territoire = StructureFactory(territoire=True, departement=equipe.departement)
    voisin = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=autre_territoire)
    assert client_de(voisin).get(url("sollicitation_accepter", s.uuid)).status_code == 404
    assert (
        client_de(equipe.animatrice).get(url("sollicitation_accepter", s.uuid)).status_code == 200
    )


def test_etape_refus_metier_montre_le_message(client_de, equipe, dossier, creche):
    s = creer(equipe, dossier, creche)
    client = client_de(equipe.correspondant)
    perime = s.version
    sollicitations.prendre_a_l_etude(sollicitation=s, par=equipe.animatrice)
    reponse = client.post(url("sollicitation_refuser", s.uuid), {"version": perime, "motif": "x"})
    assert reponse.status_code == 400 and "modifiée entre-temps" in reponse.content.decode()
    reponse = client.post(url("sollicitation_refuser", s.uuid), {"version": s.version + 1})
    assert reponse.status_code == 400  # motif manquant
    s.refresh_from_db()
    assert s.statut == S.A_L_ETUDE


def test_suite_externe_ignoree(client_de, equipe, dossier, creche):
    s = amener_a(S.ACCEPTEE, equipe, dossier, creche)
    reponse = client_de(equipe.conseiller).post(
        url("sollicitation_realiser", s.uuid),
        {"version": s.version, "suite": "https://ailleurs.example/piege"},
    )
    assert reponse.url == url("dossier", dossier.uuid)


# --- file du correspondant ---------------------------------------------------------------------------


def test_file_du_correspondant(client_de, equipe, dossier, creche):
    a_traiter = creer(equipe, dossier, creche)
    brouillon = creer(
        equipe, dossier, ressource(equipe.departement, nom="Brouillon"), envoyer=False
    )
    acceptee = amener_a(S.ACCEPTEE, equipe, dossier, ressource(equipe.departement, nom="Acceptée"))
    # Ailleurs : un autre territoire du département, un autre département.
    autre_territoire = StructureFactory(territoire=True, departement=equipe.departement)
    voisin = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=autre_territoire)
    client = client_de(equipe.correspondant)
    page = client.get(url("sollicitations_a_traiter"))
    assert page.status_code == 200
    assert [s.uuid for s in page.context["page"]] == [a_traiter.uuid]
    assert page.context["a_traiter"] == 1
    tous = client.get(url("sollicitations_a_traiter"), {"statut": ""})
    assert {s.uuid for s in tous.context["page"]} == {a_traiter.uuid, acceptee.uuid}
    assert brouillon.uuid not in {s.uuid for s in tous.context["page"]}
    assert url("sollicitation_etude", a_traiter.uuid) in page.content.decode()
    assert not list(client_de(voisin).get(url("sollicitations_a_traiter")).context["page"])
    etranger = MembershipFactory(role=Role.ANIMATRICE)
    assert not list(client_de(etranger).get(url("sollicitations_a_traiter")).context["page"])
    animatrice = client_de(equipe.animatrice).get(url("sollicitations_a_traiter"), {"statut": ""})
    assert len(animatrice.context["page"]) == 2


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.TRAVAILLEUR_SOCIAL, Role.ADMINISTRATEUR])
def test_file_mauvais_role_403(client_de, equipe, role):
    membre = MembershipFactory(role=role, structure__departement=equipe.departement)
    assert client_de(membre).get(url("sollicitations_a_traiter")).status_code == 403


def test_menu_sollicitations(rf, equipe):
    for membership, attendu in (
        (equipe.correspondant, True),
        (equipe.animatrice, True),
        (equipe.conseiller, False),
        (equipe.ts, False),
    ):
        requete = rf.get("/")
        requete.membership, requete.user = membership, membership.user
        assert ("Sollicitations" in [i["libelle"] for i in menu(requete)]) is attendu


def test_file_nombre_de_requetes_constant(client_de, equipe, creche, django_assert_max_num_queries):
    def remplir(n, debut):
        for i in range(debut, debut + n):
            dossier = dossier_du_territoire(equipe, nom=f"Personne{i}")
            mode = ModeSollicitation.DIRECT if i % 2 else ModeSollicitation.CORRESPONDANT
            creer(equipe, dossier, creche, mode=mode)

    client = client_de(equipe.correspondant)
    remplir(2, 0)
    with django_assert_max_num_queries(20) as petit:
        assert len(client.get(url("sollicitations_a_traiter")).context["page"]) == 2
    remplir(10, 2)
    with django_assert_max_num_queries(20) as grand:
        assert len(client.get(url("sollicitations_a_traiter")).context["page"]) == 12
    assert len(grand.captured_queries) == len(petit.captured_queries)


# --- indicateurs ------------------------------------------------------------------------------------


def test_indicateurs(equipe, creche, django_assert_num_queries):
    garage = ressource(
        equipe.departement,
        nom="Garage solidaire",
        thematiques=["mobilite--entretenir-reparer-son-vehicule"],
    )
    envoi = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))

    def sollicitation(service, domaine, statut, jours_reponse=None, envoyee_le=envoi):
        d = dossier_du_territoire(equipe, nom=f"Indic{Sollicitation.objects.count()}")
        s = (
            amener_a(statut, equipe, d, service)
            if statut != S.ENVOYEE
            else creer(equipe, d, service)
        )
        champs = {"envoyee_le": envoyee_le, "domaine": domaine}
        if s.acceptee_le:
            champs["acceptee_le"] = envoyee_le + dt.timedelta(days=jours_reponse)
        if s.refusee_le:
            champs["refusee_le"] = envoyee_le + dt.timedelta(days=jours_reponse)
        Sollicitation.objects.filter(pk=s.pk).update(**champs)

    sollicitation(creche, "famille", S.ACCEPTEE, 2)
    sollicitation(creche, "famille", S.REALISEE, 4)
    sollicitation(creche, "famille", S.REFUSEE, 9)
    sollicitation(garage, "mobilite", S.EXPIREE)
    sollicitation(garage, "mobilite", S.ENVOYEE)
    sollicitation(garage, "mobilite", S.ACCEPTEE, 1, envoyee_le=envoi - dt.timedelta(days=60))
    creer(equipe, dossier_du_territoire(equipe, nom="Brouillon"), creche, envoyer=False)
    ailleurs = StructureFactory(territoire=True).departement
    assert ailleurs != equipe.departement

    with django_assert_num_queries(4):
        resultat = indicateurs_reporting.indicateurs_sollicitations(
            equipe.departement, dt.date(2026, 3, 1), dt.date(2026, 3, 31)
        )
    assert resultat["total"] == 5
    assert resultat["par_issue"] == {
        S.ENVOYEE: 1, S.A_L_ETUDE: 0, S.ACCEPTEE: 1, S.REFUSEE: 1, S.REALISEE: 1, S.EXPIREE: 1,
    }  # fmt: skip
    famille, mobilite = resultat["par_domaine"]
    assert (famille["domaine"], famille["total"], famille["acceptees"], famille["refusees"]) == (
        "famille", 3, 2, 1,
    )  # fmt: skip
    assert famille["libelle"].startswith("Famille")
    assert (mobilite["total"], mobilite["expirees"], mobilite["en_attente"]) == (2, 1, 1)
    (ligne_creche,) = [r for r in resultat["par_ressource"] if r["service__nom"] == creche.nom]
    assert (ligne_creche["total"], ligne_creche["realisees"]) == (3, 1)
    assert resultat["delai_reponse_jours"] == {"moyen": 5.0, "median": 4.0, "nombre": 3}
    assert (
        indicateurs_reporting.indicateurs_sollicitations(
            ailleurs, dt.date(2026, 3, 1), dt.date(2026, 3, 31)
        )["total"]
        == 0
    )


# --- droits vérifiés par les services ----------------------------------------------------------


def test_les_etapes_refusent_un_acteur_sans_le_droit(equipe, dossier, creche):
    """Chaque étape vérifie elle-même le droit de son acteur (AccesRefuse), quel que soit
    le chemin qui l'appelle ; rien ne change."""
    s = creer(equipe, dossier, creche)  # via le correspondant du territoire, envoyée
    etranger = equipe.ts_bis  # ne suit pas le dossier
    autre_correspondant = MembershipFactory(
        role=Role.CORRESPONDANT_INSERTION,
        structure=StructureFactory(territoire=True, departement=equipe.departement),
    )
    journal, version = dossier.journal.count(), s.version
    refus = {
        "solliciter sans suivre le dossier": lambda: creer(
            equipe, dossier, creche, par=etranger, envoyer=False
        ),
        "prendre à l'étude hors de son territoire": lambda: sollicitations.prendre_a_l_etude(
            sollicitation=s, par=autre_correspondant
        ),
        "l'auteur ne répond pas à la place du correspondant": lambda: sollicitations.accepter(
            sollicitation=s, par=equipe.conseiller
        ),
        "refuser hors de son territoire": lambda: sollicitations.refuser(
            sollicitation=s, par=autre_correspondant, motif="Complet"
        ),
        "relancer sans suivre le dossier": lambda: sollicitations.relancer(
            sollicitation=s, par=etranger
        ),
    }
    for cas, appel in refus.items():
        with pytest.raises(AccesRefuse):
            appel()
            pytest.fail(cas)
    s.refresh_from_db()
    assert (s.statut, s.version) == (S.ENVOYEE, version)
    assert dossier.journal.count() == journal and dossier.sollicitations.count() == 1
    acceptee = sollicitations.accepter(sollicitation=s, par=equipe.correspondant)
    with pytest.raises(AccesRefuse):
        sollicitations.marquer_realisee(sollicitation=acceptee, par=etranger)
