"""Prescriptions (demandes d'entrée en axe 2 ou 3) : routage, prise, désignation, refus,
notifications une seule fois, décision conjointe qui termine la demande, droits des
pages et nombre de requêtes constant."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accompagnement import notifications
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import Notification, Role
from diagnostics import services as diagnostics
from dossiers.models import (
    Axe,
    Prescription,
    RoleAffectation,
    StatutPrescription,
)
from dossiers.parcours.perms import Niveau, niveau_acces
from dossiers.prescriptions import lectures, perms, services
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.diagnostics.parcours import EMPLOI, FREINS_AXE_2
from tests.dossiers.scenarios import nouveau_dossier, prescrit

pytestmark = pytest.mark.django_db


def notifs(membership):
    return list(Notification.objects.filter(destinataire=membership.user))


def ouvertes(dossier):
    return {a.role: a.professionnel_id for a in dossier.affectations.ouvertes()}


@pytest.fixture
def ailleurs(equipe):
    """Une autre agence et un autre territoire du même département, et un autre département."""
    dep = equipe.departement
    agence = StructureFactory(agence=True, departement=dep, nom="Agence Nord")
    territoire = StructureFactory(territoire=True, departement=dep, nom="Territoire Nord")
    autre_agence = StructureFactory(agence=True, nom="Agence d'ailleurs")
    autre_territoire = StructureFactory(
        territoire=True, departement=autre_agence.departement, nom="Territoire d'ailleurs"
    )

    class Ailleurs:
        dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=agence)
        correspondant = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=territoire)
        ts = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=territoire)
        dedie_dep = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=autre_agence)
        correspondant_dep = MembershipFactory(
            role=Role.CORRESPONDANT_INSERTION, structure=autre_territoire
        )
        animatrice_dep = MembershipFactory(role=Role.ANIMATRICE, structure=autre_agence)

    return Ailleurs


# --- Prescrire et router --------------------------------------------------------------------


def test_prescrire_axe_2_precise_le_territoire_et_notifie_chaque_destinataire_une_fois(
    equipe, ailleurs
):
    p = prescrit(equipe)
    assert p.statut == StatutPrescription.EN_ATTENTE
    assert p.dossier.territoire == equipe.territoire  # inconnu, précisé à la demande
    assert p.freins == ["logement", "mobilite"]
    assert (p.prescripteur, p.structure) == (equipe.conseiller.user, equipe.agence)
    for destinataire in (equipe.dedie, equipe.dedie_bis, equipe.correspondant):
        recues = notifs(destinataire)
        assert len(recues) == 1, destinataire
        assert recues[0].lien == reverse("dossiers:prescription", args=[p.uuid])
        assert recues[0].envoyee_le is None  # dans le résumé quotidien
    for personne in (equipe.conseiller, equipe.ts, equipe.animatrice, ailleurs.dedie):
        assert notifs(personne) == []
    for personne in (ailleurs.correspondant, ailleurs.dedie_dep, ailleurs.correspondant_dep):
        assert notifs(personne) == []
    assert mail.outbox == []


def test_prescrire_axe_3_ne_va_qu_aux_correspondants(equipe):
    prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF)
    assert len(notifs(equipe.correspondant)) == 1
    assert notifs(equipe.dedie) == [] and notifs(equipe.dedie_bis) == []


def test_une_seule_demande_en_cours_et_dossier_sur_axe_2_refuse(equipe):
    p = prescrit(equipe)
    with pytest.raises(ErreurMetier, match="déjà en cours"):
        prescrit(equipe, p.dossier)
    assert Prescription.objects.count() == 1


def test_territoire_obligatoire_et_du_departement(equipe, ailleurs):
    dossier = nouveau_dossier(equipe)
    commun = {
        "dossier": dossier,
        "par": equipe.conseiller,
        "axe": Axe.ACCOMPAGNEMENT_GLOBAL,
        "motif": "Freins cumulés",
        "accord_le": dt.date.today(),
        "accord_mode": "entretien",
    }
    with pytest.raises(ErreurMetier, match="territoire"):
        services.prescrire(**commun)
    with pytest.raises(ErreurMetier, match="territoire"):
        services.prescrire(**commun, territoire=ailleurs.correspondant_dep.structure)
    with pytest.raises(ErreurMetier, match="motif"):
        services.prescrire(**{**commun, "motif": " "}, territoire=equipe.territoire)
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("qui", ["correspondant", "animatrice"])
def test_les_autres_roles_ne_prescrivent_pas(equipe, qui):
    dossier = nouveau_dossier(equipe)
    with pytest.raises(ErreurMetier):
        prescrit(equipe, dossier, par=getattr(equipe, qui))


def test_routage_qui_voit_quelle_demande(equipe, ailleurs):
    axe2 = prescrit(equipe)
    axe3 = prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF, nom="Bernard", prenom="Ana")
    assert set(lectures.a_prendre(equipe.dedie)) == {axe2}
    assert set(lectures.a_prendre(equipe.dedie_bis)) == {axe2}
    assert set(lectures.a_designer(equipe.correspondant)) == {axe2}
    assert set(lectures.reorientations(equipe.correspondant)) == {axe3}
    assert set(lectures.visibles_par(equipe.conseiller)) == {axe2, axe3}
    assert set(lectures.visibles_par(equipe.animatrice)) == {axe2, axe3}
    assert set(lectures.visibles_par(equipe.dedie)) == {axe2}  # pas l'axe 3
    for m in (ailleurs.dedie, ailleurs.correspondant, ailleurs.ts, equipe.ts):
        assert not lectures.visibles_par(m).exists(), m
        assert not lectures.a_prendre(m).exists() and not lectures.a_designer(m).exists()
    for m in (ailleurs.dedie_dep, ailleurs.correspondant_dep, ailleurs.animatrice_dep):
        assert not lectures.visibles_par(m).exists()
        assert not lectures.en_retard(m).exists()


def test_le_perimetre_sql_et_la_regle_disent_la_meme_chose(equipe, ailleurs):
    demandes = [prescrit(equipe), prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF, nom="Bernard")]
    services.prendre(prescription=demandes[0], par=equipe.dedie)
    membres = [
        equipe.conseiller,
        equipe.dedie,
        equipe.dedie_bis,
        equipe.ts,
        equipe.correspondant,
        equipe.animatrice,
        ailleurs.dedie,
        ailleurs.correspondant,
        ailleurs.dedie_dep,
        ailleurs.animatrice_dep,
        MembershipFactory(role=Role.ADMINISTRATEUR, structure=equipe.agence),
    ]
    for m in membres:
        sql = set(lectures.visibles_par(m))
        for p in lectures.pour_affichage(Prescription.objects.all()):
            assert (p in sql) == perms.peut_voir_prescription(m, p), (m.role, p)


# --- Prendre, désigner, refuser ---------------------------------------------------------------


def test_le_conseiller_dedie_prend_le_dossier_et_relaie_le_conseiller(equipe):
    p = prescrit(equipe)
    dossier = p.dossier
    assert ouvertes(dossier) == {RoleAffectation.CONSEILLER: equipe.conseiller.user_id}
    p = services.prendre(prescription=p, par=equipe.dedie)
    assert p.statut == StatutPrescription.PRISE_EN_CHARGE
    assert (p.pris_par, p.pris_le) == (equipe.dedie.user, dt.date.today())
    assert ouvertes(dossier) == {RoleAffectation.CONSEILLER_DEDIE: equipe.dedie.user_id}
    relais = dossier.affectations.get(role=RoleAffectation.CONSEILLER)
    assert relais.date_fin == dt.date.today() and "Relais" in relais.motif_fin
    assert [n.titre for n in notifs(equipe.conseiller)] == [
        f"Demande prise en charge : {dossier.demandeur}"
    ]
    # Plus rien à prendre, pour personne de l'agence ; on ne prend pas deux fois.
    assert not lectures.a_prendre(equipe.dedie_bis).exists()
    with pytest.raises(ErreurMetier):
        services.prendre(prescription=p, par=equipe.dedie_bis)
    # Le correspondant peut encore désigner, plus refuser.
    p = lectures.pour_affichage(Prescription.objects.filter(pk=p.pk)).get()
    assert perms.peut_designer(equipe.correspondant, p)
    assert not perms.peut_refuser(equipe.correspondant, p)


def test_le_correspondant_designe_le_travailleur_social(equipe):
    p = services.designer(
        prescription=prescrit(equipe), par=equipe.correspondant, travailleur_social=equipe.ts
    )
    assert p.travailleur_social == equipe.ts.user and p.designe_le == dt.date.today()
    assert ouvertes(p.dossier)[RoleAffectation.TRAVAILLEUR_SOCIAL] == equipe.ts.user_id
    assert [n.categorie for n in notifs(equipe.ts)] == ["affectation"]  # une seule fois
    assert len(notifs(equipe.conseiller)) == 1
    with pytest.raises(ErreurMetier):
        services.designer(
            prescription=p, par=equipe.correspondant, travailleur_social=equipe.ts_bis
        )


def test_axe_3_le_correspondant_designe_le_referent_social(equipe):
    p = prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF)
    assert not perms.peut_prendre(
        equipe.dedie, lectures.pour_affichage(Prescription.objects.filter(pk=p.pk)).get()
    )
    p = services.designer(prescription=p, par=equipe.correspondant, travailleur_social=equipe.ts)
    assert ouvertes(p.dossier)[RoleAffectation.REFERENT_SOCIAL] == equipe.ts.user_id


def test_refus_motive_le_prescripteur_est_informe_aussitot(
    equipe, taches_immediates, django_capture_on_commit_callbacks
):
    p = prescrit(equipe)
    with pytest.raises(ErreurMetier, match="motif"):
        services.refuser(prescription=p, par=equipe.dedie, motif="  ")
    with django_capture_on_commit_callbacks(execute=True):
        p = services.refuser(prescription=p, par=equipe.dedie, motif="La personne déménage.")
    assert p.statut == StatutPrescription.REFUSEE and p.refuse_par == equipe.dedie.user
    (recue,) = notifs(equipe.conseiller)
    assert "La personne déménage." in recue.texte and recue.envoyee_le is not None
    assert [m.to for m in mail.outbox] == [[equipe.conseiller.user.email]]
    assert not lectures.a_prendre(equipe.dedie).exists()
    assert not lectures.a_designer(equipe.correspondant).exists()
    assert list(lectures.repondues(equipe.conseiller)) == [p]
    # Une nouvelle demande est possible après un refus.
    assert prescrit(equipe, p.dossier).statut == StatutPrescription.EN_ATTENTE


@pytest.mark.parametrize("qui", ["conseiller", "ts", "animatrice"])
def test_seuls_les_destinataires_prennent_designent_refusent(equipe, qui):
    p = prescrit(equipe)
    m = getattr(equipe, qui)
    with pytest.raises(ErreurMetier):
        services.prendre(prescription=p, par=m)
    with pytest.raises(ErreurMetier):
        services.designer(prescription=p, par=m, travailleur_social=equipe.ts)
    with pytest.raises(ErreurMetier):
        services.refuser(prescription=p, par=m, motif="Non")
    p.refresh_from_db()
    assert p.statut == StatutPrescription.EN_ATTENTE


def test_un_conseiller_dedie_d_une_autre_agence_ne_prend_pas(equipe, ailleurs):
    p = prescrit(equipe)
    with pytest.raises(ErreurMetier):
        services.prendre(prescription=p, par=ailleurs.dedie)
    with pytest.raises(ErreurMetier):
        services.designer(
            prescription=p, par=ailleurs.correspondant, travailleur_social=ailleurs.ts
        )


# --- Diagnostic et décision conjointe --------------------------------------------------------


def passer_au_diagnostic(equipe, p, *, freins=FREINS_AXE_2):
    emploi = equipe.dedie if p.axe == Axe.ACCOMPAGNEMENT_GLOBAL else equipe.conseiller
    diag = diagnostics.demarrer(dossier=p.dossier, par=emploi)
    diag = diagnostics.enregistrer_emploi(
        diagnostic=diag, par=emploi, revision=diag.revision_emploi, **EMPLOI
    )
    diag = diagnostics.enregistrer_social(
        diagnostic=diag, par=equipe.ts, revision=diag.revision_social, freins=freins
    )
    diag = diagnostics.enregistrer_information(
        diagnostic=diag, par=emploi, date=dt.date.today(), mode="entretien", accord=True
    )
    diagnostics.valider_emploi(diagnostic=diag, par=emploi)
    return diagnostics.valider_social(diagnostic=diag, par=equipe.ts), emploi


def test_la_decision_conjointe_termine_la_demande_et_garde_les_dates(equipe):
    p = prescrit(equipe)
    services.prendre(prescription=p, par=equipe.dedie)
    services.designer(prescription=p, par=equipe.correspondant, travailleur_social=equipe.ts)
    diag, _ = passer_au_diagnostic(equipe, p)
    p.refresh_from_db()
    assert p.diagnostic_le == dt.date.today() and p.en_cours
    diagnostics.decider(
        diagnostic=diag, par=equipe.dedie, axe=Axe.ACCOMPAGNEMENT_GLOBAL, accord_personne=True
    )
    p.refresh_from_db()
    assert p.statut == StatutPrescription.TERMINEE
    assert (p.axe_decide, p.decision_le) == (Axe.ACCOMPAGNEMENT_GLOBAL, dt.date.today())
    assert p.dossier.axe_courant == Axe.ACCOMPAGNEMENT_GLOBAL
    titres = [n.titre for n in notifs(equipe.conseiller)]
    assert f"Décision conjointe : {p.dossier.demandeur}" in titres
    # Le prescripteur n'a plus que le statut, mais voit l'issue de sa demande.
    dossier = p.dossier
    assert niveau_acces(equipe.conseiller, dossier) == Niveau.STATUT
    assert list(lectures.repondues(equipe.conseiller)) == [p]


def test_axe_3_la_decision_relaie_la_place_du_conseiller(equipe):
    p = prescrit(equipe, axe=Axe.SOCIAL_EXCLUSIF)
    services.designer(prescription=p, par=equipe.correspondant, travailleur_social=equipe.ts)
    diag, emploi = passer_au_diagnostic(equipe, p)
    diagnostics.decider(
        diagnostic=diag,
        par=emploi,
        axe=Axe.SOCIAL_EXCLUSIF,
        motif="Santé d'abord",
        accord_personne=True,
    )
    p.refresh_from_db()
    assert p.statut == StatutPrescription.TERMINEE and p.axe_decide == Axe.SOCIAL_EXCLUSIF
    assert ouvertes(p.dossier) == {RoleAffectation.REFERENT_SOCIAL: equipe.ts.user_id}


# --- Territoire précisé après coup ------------------------------------------------------------


def test_preciser_le_territoire_d_un_dossier(equipe, ailleurs):
    dossier = nouveau_dossier(equipe)
    dossier = type(dossier).objects.prefetch_related("affectations").get(pk=dossier.pk)
    assert perms.peut_definir_territoire(equipe.conseiller, dossier)
    assert not perms.peut_definir_territoire(ailleurs.dedie_dep, dossier)
    services.definir_territoire(
        dossier=dossier, territoire=equipe.territoire, par=equipe.conseiller
    )
    dossier.refresh_from_db()
    assert dossier.territoire == equipe.territoire
    dossier = type(dossier).objects.prefetch_related("affectations").get(pk=dossier.pk)
    assert not perms.peut_definir_territoire(equipe.conseiller, dossier)  # connu : l'animatrice
    assert perms.peut_definir_territoire(equipe.animatrice, dossier)
    with pytest.raises(ErreurMetier):
        services.definir_territoire(
            dossier=dossier, territoire=ailleurs.correspondant.structure, par=equipe.conseiller
        )


# --- Pages ------------------------------------------------------------------------------------


def test_parcours_des_pages_prescrire_prendre_designer(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.conseiller)
    fiche = client.get(reverse("dossiers:dossier", args=[dossier.uuid])).content.decode()
    assert reverse("dossiers:prescrire", args=[dossier.uuid]) in fiche
    assert reverse("dossiers:definir_territoire", args=[dossier.uuid]) in fiche
    page = client.get(reverse("dossiers:prescrire", args=[dossier.uuid]))
    assert "aucun détail médical" in page.content.decode()
    reponse = client.post(
        reverse("dossiers:prescrire", args=[dossier.uuid]),
        {
            "axe": "2",
            "freins": ["logement"],
            "motif": "Freins cumulés",
            "accord_le": dt.date.today().isoformat(),
            "accord_mode": "entretien",
            "territoire": equipe.territoire.pk,
        },
    )
    p = Prescription.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse(
        "dossiers:prescription", args=[p.uuid]
    )
    client = client_de(equipe.dedie)
    detail = client.get(reverse("dossiers:prescription", args=[p.uuid])).content.decode()
    assert "Prendre le dossier" in detail and "Hébergement" not in detail
    assert (
        client.post(
            reverse("dossiers:prescription_prendre", args=[p.uuid]),
            {"date": dt.date.today().isoformat()},
        ).status_code
        == 302
    )
    client = client_de(equipe.correspondant)
    page = client.get(reverse("dossiers:prescription_designer", args=[p.uuid])).content.decode()
    assert "aucun dossier en cours" in page
    reponse = client.post(
        reverse("dossiers:prescription_designer", args=[p.uuid]),
        {"professionnel": str(equipe.ts.uuid), "date": dt.date.today().isoformat()},
    )
    assert reponse.status_code == 302
    p.refresh_from_db()
    assert p.travailleur_social == equipe.ts.user


def test_refuser_demande_une_confirmation(client_de, equipe):
    p = prescrit(equipe)
    client = client_de(equipe.correspondant)
    url = reverse("dossiers:prescription_refuser", args=[p.uuid])
    assert "Je confirme le refus" in client.get(url).content.decode()
    assert client.post(url, {"motif": "Hors territoire"}).status_code == 400
    p.refresh_from_db()
    assert p.statut == StatutPrescription.EN_ATTENTE
    assert client.post(url, {"motif": "Hors territoire", "confirmation": "on"}).status_code == 302
    p.refresh_from_db()
    assert p.statut == StatutPrescription.REFUSEE


@pytest.mark.parametrize(
    ("route", "qui", "attendu"),
    [
        ("dossiers:prescription_prendre", "correspondant", 403),
        ("dossiers:prescription_prendre", "conseiller", 403),
        ("dossiers:prescription_designer", "dedie", 403),
        ("dossiers:prescription_designer", "conseiller", 403),
        ("dossiers:prescription_refuser", "conseiller", 403),
        ("dossiers:prescription", "ts", 404),
        ("dossiers:prescription_prendre", "ts", 404),
        ("dossiers:prescription", "dedie_dep", 404),
        ("dossiers:prescription_refuser", "correspondant_dep", 404),
        ("dossiers:prescription", "dedie_ailleurs", 404),
    ],
)
def test_droits_des_pages_de_la_demande(client_de, equipe, ailleurs, route, qui, attendu):
    p = prescrit(equipe)
    m = {
        "dedie_dep": ailleurs.dedie_dep,
        "correspondant_dep": ailleurs.correspondant_dep,
        "dedie_ailleurs": ailleurs.dedie,
    }.get(qui) or getattr(equipe, qui)
    assert client_de(m).get(reverse(route, args=[p.uuid])).status_code == attendu


@pytest.mark.parametrize(
    ("route", "qui", "attendu"),
    [
        ("dossiers:prescrire", "correspondant", 403),
        ("dossiers:prescrire", "animatrice", 403),
        ("dossiers:prescrire", "dedie_dep", 404),
        ("dossiers:definir_territoire", "dedie_dep", 404),
        ("dossiers:definir_territoire", "ts", 404),
    ],
)
def test_droits_des_pages_du_dossier(client_de, equipe, ailleurs, route, qui, attendu):
    dossier = nouveau_dossier(equipe)
    if route == "dossiers:prescrire":  # territoire connu : le correspondant voit le dossier
        type(dossier).objects.filter(pk=dossier.pk).update(territoire=equipe.territoire)
    m = ailleurs.dedie_dep if qui == "dedie_dep" else getattr(equipe, qui)
    assert client_de(m).get(reverse(route, args=[dossier.uuid])).status_code == attendu


def test_une_demande_d_axe_2_en_cours_n_est_plus_proposee(client_de, equipe):
    p = prescrit(equipe)
    client = client_de(equipe.conseiller)
    assert client.get(reverse("dossiers:prescrire", args=[p.dossier.uuid])).status_code == 403
    fiche = client.get(reverse("dossiers:dossier", args=[p.dossier.uuid])).content.decode()
    assert reverse("dossiers:prescription", args=[p.uuid]) in fiche


@pytest.mark.parametrize("nombre", [5, 50])
def test_nombre_de_requetes_constant_des_files_de_prescriptions(
    equipe, django_assert_num_queries, nombre
):
    for i in range(nombre):
        prescrit(equipe, nom=f"Personne{i}", prenom="Test")
    with django_assert_num_queries(2):  # les demandes, les affectations de leurs dossiers
        lignes = list(lectures.pour_affichage(lectures.a_prendre(equipe.dedie)))
    assert len(lignes) == nombre
    for p in lignes:
        perms.peut_prendre(equipe.dedie, p)
        str(p.dossier.demandeur), str(p.prescripteur)


def test_les_destinataires_la_retrouvent_une_fois_dans_le_resume_quotidien(
    equipe, taches_immediates, django_capture_on_commit_callbacks
):
    p = prescrit(equipe)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.envoyer_resumes() == 3  # deux conseillers dédiés, un correspondant
    destinataires = sorted(m.to[0] for m in mail.outbox)
    assert destinataires == sorted(
        m.user.email for m in (equipe.dedie, equipe.dedie_bis, equipe.correspondant)
    )
    assert all(f"Demande d'entrée en {p.get_axe_display()}" in m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.envoyer_resumes() == 0  # une seule fois
    assert len(mail.outbox) == 3


def test_un_frein_de_sante_pressenti_n_est_lu_que_par_le_cote_social(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    p = services.prescrire(
        dossier=dossier,
        par=equipe.conseiller,
        axe=Axe.ACCOMPAGNEMENT_GLOBAL,
        freins=["sante", "logement"],
        motif="Freins cumulés",
        accord_le=dt.date.today(),
        accord_mode="entretien",
        territoire=equipe.territoire,
    )
    p = lectures.pour_affichage(Prescription.objects.filter(pk=p.pk)).get()
    assert perms.freins_lisibles(equipe.dedie, p) == ["Logement", perms.MENTION_DOMAINE_RESERVE]
    assert perms.freins_lisibles(equipe.correspondant, p) == ["Santé", "Logement"]
    assert perms.freins_lisibles(equipe.conseiller, p) == ["Santé", "Logement"]  # son auteur
    url = reverse("dossiers:prescription", args=[p.uuid])
    assert "Santé" not in client_de(equipe.dedie).get(url).content.decode()
    accueil = client_de(equipe.dedie).get(reverse("accueil")).content.decode()
    assert "Santé" not in accueil and perms.MENTION_DOMAINE_RESERVE in accueil
    assert "Santé" in client_de(equipe.correspondant).get(url).content.decode()
