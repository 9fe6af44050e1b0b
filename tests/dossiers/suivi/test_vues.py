"""Vues du suivi : accès de chaque page (bon rôle, autre département, hors périmètre,
mauvais rôle), formulaires, confidentialité à l'écran, verrouillage optimiste, fiche et
portefeuille à nombre de requêtes constant."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import ActionAudit, EvenementAudit, Role
from dossiers.models import (
    Action,
    AideFinanciere,
    DemandeImportante,
    EvenementJournal,
    Note,
    Objectif,
    RendezVous,
    TypeEvenement,
)
from dossiers.suivi import aides as aides_suivi
from dossiers.suivi import services as suivi
from tests.accompagnement.factories import MembershipFactory
from tests.dossiers.suivi.test_documents import PDF, deposer
from tests.dossiers.suivi.test_services import (
    action,
    cloturer,
    collegue_agence,
    demain_a,
    dossier_du_binome,
    en_retard,
    hier_a,
    objectif,
    rdv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(nom, dossier, *args):
    return reverse(f"dossiers:{nom}", args=[dossier.uuid, *args])


@pytest.fixture
def complet(equipe):
    """Un dossier du binôme avec un élément de chaque sorte."""
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier)
    elements = {
        "objectif": obj,
        "action": action(equipe, obj),
        "rendez_vous": rdv(equipe, dossier),
        "document": deposer(equipe, dossier),
        "aide": aides_suivi.demander_aide(
            dossier=dossier, par=equipe.ts, montant_demande=Decimal("150"), motif="Cantine"
        ),
        "demande": aides_suivi.creer_demande_importante(
            dossier=dossier, par=equipe.ts, type="expulsion_locative", objet="Maintien"
        ),
    }
    return dossier, elements


# (route, sous-objet éventuel, écriture ?)
ROUTES = [
    ("suivi_plan", None, False),
    ("suivi_notes", None, False),
    ("suivi_rendez_vous", None, False),
    ("suivi_documents", None, False),
    ("suivi_aides", None, False),
    ("suivi_document_telecharger", "document", False),
    ("suivi_objectif_ajouter", None, True),
    ("suivi_action_ajouter", "objectif", True),
    ("suivi_ressources_action", "objectif", True),
    ("suivi_action_modifier", "action", True),
    ("suivi_action_statut", "action", True),
    ("suivi_rendez_vous_ajouter", None, True),
    ("suivi_rendez_vous_presence", "rendez_vous", True),
    ("suivi_document_deposer", None, True),
    ("suivi_document_supprimer", "document", True),
    ("suivi_aide_demander", None, True),
    ("suivi_aide_decider", "aide", True),
    ("suivi_demande_importante_creer", None, True),
    ("suivi_demande_importante_statut", "demande", True),
]


def lien(route, dossier, elements, sous_objet):
    return url(route, dossier, *([elements[sous_objet].uuid] if sous_objet else []))


def test_toutes_les_routes_du_suivi_sont_testees():
    from dossiers.urls import urlpatterns

    noms = {p.name for p in urlpatterns if p.name and p.name.startswith("suivi_")}
    assert noms == {route for route, _, _ in ROUTES}


@pytest.mark.parametrize("route, sous_objet, ecriture", ROUTES, ids=[r[0] for r in ROUTES])
def test_acces_de_chaque_vue(client_de, equipe, complet, route, sous_objet, ecriture):
    dossier, elements = complet
    adresse = lien(route, dossier, elements, sous_objet)
    assert client_de(equipe.ts).get(adresse).status_code == 200
    assert client_de(equipe.dedie).get(adresse).status_code == 200
    # Autre département, puis même département hors périmètre : le dossier n'existe pas.
    assert client_de(MembershipFactory(role=Role.ANIMATRICE)).get(adresse).status_code == 404
    assert client_de(equipe.ts_bis).get(adresse).status_code == 404
    # Conseiller de l'agence qui ne voit que le statut en axe 2 : mauvais rôle.
    assert client_de(collegue_agence(equipe)).get(adresse).status_code == 403
    # L'animatrice lit tout le suivi mais ne le tient pas.
    assert client_de(equipe.animatrice).get(adresse).status_code == (403 if ecriture else 200)


@pytest.mark.parametrize(
    "route, sous_objet", [(r, s) for r, s, ecriture in ROUTES if ecriture], ids=str
)
def test_post_refuse_au_mauvais_role_et_sur_dossier_clos(
    client_de, equipe, complet, route, sous_objet
):
    dossier, elements = complet
    adresse = lien(route, dossier, elements, sous_objet)
    nombre = EvenementJournal.objects.count()
    assert client_de(collegue_agence(equipe)).post(adresse, {}).status_code == 403
    assert client_de(equipe.animatrice).post(adresse, {}).status_code == 403
    cloturer(equipe, dossier)
    # Clos : le binôme n'a plus la main (affectations closes), le correspondant non plus.
    assert client_de(equipe.correspondant).post(adresse, {}).status_code == 403
    assert EvenementJournal.objects.count() == nombre + 1  # la seule clôture


def test_les_pages_de_lecture_sont_tracees(client_de, equipe, complet):
    dossier, _ = complet
    client = client_de(equipe.dedie)
    for route in (
        "suivi_plan",
        "suivi_notes",
        "suivi_rendez_vous",
        "suivi_documents",
        "suivi_aides",
    ):
        client.get(url(route, dossier))
    vues = EvenementAudit.objects.filter(
        action=ActionAudit.LECTURE, objet_id=str(dossier.uuid), acteur=equipe.dedie.user
    ).values_list("details__suivi", flat=True)
    assert set(vues) == {"plan", "notes", "rendez_vous", "documents", "aides"}


# --- Plan d'action ---------------------------------------------------------------------------


def test_plan_retard_actions_closes_et_objectif_sante_masque(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier)
    en_retard(equipe, obj, intitule="Relancer l'employeur")
    close = action(equipe, obj, intitule="Inscription faite")
    suivi.changer_statut_action(action=close, par=equipe.dedie, statut="en_cours", version=1)
    suivi.changer_statut_action(action=close, par=equipe.dedie, statut="realisee", version=2)
    sante = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Suivi addictologie"
    )
    action(
        equipe,
        sante,
        intitule="Rendez-vous CSAPA",
        cote="social",
        responsable=equipe.ts.user,
        par=equipe.ts,
    )
    vu_dedie = client_de(equipe.dedie).get(url("suivi_plan", dossier)).content.decode()
    assert "1 action en retard" in vu_dedie and "En retard" in vu_dedie
    assert "Inscription faite" in vu_dedie and "Réalisée" in vu_dedie  # close, visible
    assert "addictologie" not in vu_dedie and "CSAPA" not in vu_dedie
    assert "détail réservé au côté social" in vu_dedie
    for qui in ("ts", "animatrice"):
        contenu = client_de(getattr(equipe, qui)).get(url("suivi_plan", dossier)).content.decode()
        assert "Suivi addictologie" in contenu and "Rendez-vous CSAPA" in contenu
    # Les actions d'un objectif santé ne se gèrent pas depuis le côté emploi.
    action_sante = Action.objects.get(objectif=sante)
    adresse = url("suivi_action_statut", dossier, action_sante.uuid)
    assert client_de(equipe.dedie).get(adresse).status_code == 403


def test_ajouter_objectif_et_action_par_les_vues(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.ts)
    response = client.post(
        url("suivi_objectif_ajouter", dossier),
        {"domaine": "logement", "intitule": "Trouver un logement adapté"},
    )
    assert response.status_code == 302 and response.url == url("suivi_plan", dossier)
    obj = Objectif.objects.get()
    formulaire = client.get(url("suivi_action_ajouter", dossier, obj.uuid)).content.decode()
    assert 'value="social"' in formulaire and "checked" in formulaire  # côté social proposé
    fin = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        url("suivi_action_ajouter", dossier, obj.uuid),
        {
            "intitule": "Demande de logement social",
            "cote": "social",
            "responsable": equipe.ts.user.pk,
            "date_debut": timezone.localdate().isoformat(),
            "date_fin_prevue": fin.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Action.objects.get().date_fin_prevue == fin
    # Refus métier : le message est montré, la saisie conservée.
    response = client.post(
        url("suivi_action_ajouter", dossier, obj.uuid),
        {
            "intitule": "Visite",
            "cote": "social",
            "responsable": equipe.ts.user.pk,
            "date_debut": (dossier.date_orientation - dt.timedelta(days=3)).isoformat(),
            "date_fin_prevue": fin.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "ne peut pas précéder l&#x27;orientation" in response.content.decode()
    assert 'value="Visite"' in response.content.decode()


def test_verrouillage_optimiste_par_les_vues(client_de, equipe):
    """Deux professionnels ouvrent le formulaire de la même action ; le second à
    enregistrer reçoit un message clair (409) et n'écrase rien."""
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    adresse = url("suivi_action_modifier", dossier, a.uuid)
    client_dedie, client_ts = client_de(equipe.dedie), None
    assert 'name="version" value="1"' in client_dedie.get(adresse).content.decode()
    saisie = {
        "cote": "emploi",
        "responsable": equipe.dedie.user.pk,
        "date_debut": a.date_debut.isoformat(),
        "date_fin_prevue": a.date_fin_prevue.isoformat(),
        "version": "1",
    }
    assert (
        client_dedie.post(adresse, {**saisie, "intitule": "Par le conseiller"}).status_code == 302
    )
    client_ts = client_de(equipe.ts)
    response = client_ts.post(adresse, {**saisie, "intitule": "Par le travailleur social"})
    assert response.status_code == 409
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    a.refresh_from_db()
    assert (a.intitule, a.version) == ("Par le conseiller", 2)
    sans_version = {k: v for k, v in saisie.items() if k != "version"}
    response = client_ts.post(adresse, {**sans_version, "intitule": "Sans version"})
    assert response.status_code == 400  # jamais d'écriture sans la version lue
    statut = url("suivi_action_statut", dossier, a.uuid)
    assert client_ts.post(statut, {"statut": "en_cours", "version": "1"}).status_code == 409
    assert client_ts.post(statut, {"statut": "en_cours", "version": "2"}).status_code == 302
    a.refresh_from_db()
    assert a.statut == "en_cours"


# --- Notes -----------------------------------------------------------------------------------


def test_page_des_notes_confidentialite_et_avertissement(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    suivi.ajouter_note(dossier=dossier, par=equipe.dedie, texte="PARTAGEE-1", visibilite="partagee")
    suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte="SOCIALE-1", visibilite="sociale")
    suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte="PRIVEE-TS", visibilite="privee")
    suivi.ajouter_note(dossier=dossier, par=equipe.dedie, texte="PRIVEE-CD", visibilite="privee")
    attendu = {
        "dedie": {"PARTAGEE-1", "PRIVEE-CD"},
        "ts": {"PARTAGEE-1", "SOCIALE-1", "PRIVEE-TS"},
        "correspondant": {"PARTAGEE-1", "SOCIALE-1"},
        "animatrice": {"PARTAGEE-1"},
    }
    tous = {"PARTAGEE-1", "SOCIALE-1", "PRIVEE-TS", "PRIVEE-CD"}
    for qui, lisibles in attendu.items():
        contenu = client_de(getattr(equipe, qui)).get(url("suivi_notes", dossier)).content.decode()
        assert {t for t in tous if t in contenu} == lisibles, qui
        assert "Pas de détail de santé dans une note partagée" in contenu
    form_dedie = client_de(equipe.dedie).get(url("suivi_notes", dossier)).content.decode()
    assert 'value="sociale"' not in form_dedie and 'value="privee"' in form_dedie
    form_ts = client_de(equipe.ts).get(url("suivi_notes", dossier)).content.decode()
    assert 'value="sociale"' in form_ts


def test_ajouter_une_note_par_la_vue(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.ts)
    response = client.post(
        url("suivi_notes", dossier), {"visibilite": "sociale", "texte": "Suivi FSL"}
    )
    assert response.status_code == 302 and Note.objects.get().visibilite == "sociale"
    # Le conseiller qui force « sociale » est refusé (choix absent du formulaire).
    response = client_de(equipe.dedie).post(
        url("suivi_notes", dossier), {"visibilite": "sociale", "texte": "x"}
    )
    assert response.status_code == 400 and Note.objects.count() == 1
    response = client_de(equipe.dedie).post(
        url("suivi_notes", dossier), {"visibilite": "partagee", "texte": ""}
    )
    assert response.status_code == 400


# --- Rendez-vous et aides ----------------------------------------------------------------------


def test_planifier_et_noter_la_presence_par_les_vues(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.dedie)
    demain = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url("suivi_rendez_vous_ajouter", dossier),
        {
            "debut": f"{demain.isoformat()}T14:30",
            "type": "tripartite",
            "participants": [equipe.dedie.user.pk, equipe.ts.user.pk],
            "lieu": "Agence",
        },
    )
    assert response.status_code == 302
    r = RendezVous.objects.get()
    assert timezone.localtime(r.debut).hour == 14 and r.participants.count() == 2
    page = client.get(url("suivi_rendez_vous", dossier)).content.decode()
    assert f"{demain:%d/%m/%Y} 14:30" in page and "Tripartite" in page
    response = client.post(
        url("suivi_rendez_vous_presence", dossier, r.uuid), {"presence": "absent"}
    )
    assert response.status_code == 400 and "pas encore eu lieu" in response.content.decode()
    client.post(url("suivi_rendez_vous_presence", dossier, r.uuid), {"presence": "excuse"})
    r.refresh_from_db()
    assert r.presence == "excuse"


def test_aides_par_les_vues_montants_a_la_francaise(client_de, equipe):
    dossier = dossier_du_binome(equipe)
    client = client_de(equipe.ts)
    response = client.post(
        url("suivi_aide_demander", dossier),
        {
            "montant_demande": "1 234,56",
            "motif": "Facture énergie",
            "date_demande": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    aide = AideFinanciere.objects.get()
    assert aide.montant_demande == Decimal("1234.56")
    response = client.post(
        url("suivi_aide_decider", dossier, aide.uuid),
        {"decision": "refuser", "date_decision": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400 and "Indiquez le motif du refus" in response.content.decode()
    client.post(
        url("suivi_aide_decider", dossier, aide.uuid),
        {
            "decision": "accorder",
            "montant_accorde": "1000,5",
            "date_decision": timezone.localdate().isoformat(),
        },
    )
    client.post(
        url("suivi_demande_importante_creer", dossier),
        {"type": "descolarisation", "objet": "Rescolarisation", "organisme": "DSDEN"},
    )
    demande = DemandeImportante.objects.get()
    client.post(
        url("suivi_demande_importante_statut", dossier, demande.uuid), {"statut": "transmise"}
    )
    response = client.post(
        url("suivi_demande_importante_statut", dossier, demande.uuid), {"statut": "refusee"}
    )
    assert response.status_code == 400  # refus sans motif
    page = client.get(url("suivi_aides", dossier)).content.decode()
    assert "1\u00a0234,56\u00a0€" in page and "1\u00a0000,50\u00a0€" in page
    assert "Déscolarisation d&#x27;un enfant" in page and "Transmise" in page


# --- Fiche et portefeuille : nombre de requêtes constant ---------------------------------------


def _requetes(client, adresse) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


def _grossir(equipe, dossier, *, actions=50, evenements=200):
    objectifs = [objectif(equipe, dossier, intitule=f"Objectif {i}") for i in range(5)]
    for i in range(actions):
        obj = objectifs[i % 5]
        if i % 3 == 0:
            en_retard(equipe, obj, intitule=f"Action {i}")
        else:
            action(equipe, obj, intitule=f"Action {i}", responsable=equipe.ts.user, cote="social")
    for i in range(10):
        suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte=f"Note {i}", visibilite="partagee")
        rdv(equipe, dossier, debut=demain_a() + dt.timedelta(days=i))
        rdv(equipe, dossier, debut=hier_a() - dt.timedelta(days=i))
    EvenementJournal.objects.bulk_create(
        EvenementJournal(dossier=dossier, type=TypeEvenement.NOTE, resume=f"Événement {i}")
        for i in range(evenements)
    )


def _un_de_chaque(equipe, dossier):
    """Le petit dossier de référence : un élément de chaque sorte (une liste vide
    économiserait une requête de préchargement et fausserait la comparaison)."""
    action(equipe, objectif(equipe, dossier))
    suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte="Première", visibilite="partagee")
    rdv(equipe, dossier)
    rdv(equipe, dossier, debut=hier_a())  # un passé aussi : ils sont paginés à part
    deposer(equipe, dossier)
    aides_suivi.demander_aide(dossier=dossier, par=equipe.ts, montant_demande=Decimal(5), motif="x")
    aides_suivi.creer_demande_importante(dossier=dossier, par=equipe.ts, type="autre", objet="y")


def test_fiche_nombre_de_requetes_constant(client_de, equipe, django_assert_max_num_queries):
    dossier = dossier_du_binome(equipe)
    _un_de_chaque(equipe, dossier)
    client = client_de(equipe.ts)
    adresse = reverse("dossiers:dossier", args=[dossier.uuid])
    petit = _requetes(client, adresse)
    _grossir(equipe, dossier, actions=49)
    assert Action.objects.filter(dossier=dossier).count() == 50
    assert EvenementJournal.objects.filter(dossier=dossier).count() > 200
    with django_assert_max_num_queries(petit):
        response = client.get(adresse)
    contenu = response.content.decode()
    assert "17 actions en retard" in contenu
    # Cinq actions par objectif sur la fiche, le reste sur le plan (ticket #14).
    assert contenu.count("Voir les 10 actions de cet objectif") == 4
    assert "Prochain rendez-vous" in contenu and f"{demain_a():%d/%m/%Y} à 10:00" in contenu
    assert _requetes(client_de(equipe.animatrice), adresse) == petit


@pytest.mark.parametrize(
    "route", ["suivi_plan", "suivi_notes", "suivi_rendez_vous", "suivi_documents", "suivi_aides"]
)
def test_pages_du_suivi_nombre_de_requetes_constant(
    client_de, equipe, django_assert_max_num_queries, route
):
    dossier = dossier_du_binome(equipe)
    _un_de_chaque(equipe, dossier)
    client = client_de(equipe.ts)
    adresse = url(route, dossier)
    petit = _requetes(client, adresse)
    _grossir(equipe, dossier, actions=20, evenements=0)
    for i in range(5):
        deposer(equipe, dossier, nom=f"piece-{i}.pdf", contenu=PDF)
        aides_suivi.demander_aide(
            dossier=dossier, par=equipe.ts, montant_demande=Decimal(10 + i), motif=f"Aide {i}"
        )
        aides_suivi.creer_demande_importante(
            dossier=dossier, par=equipe.ts, type="autre", objet=f"D{i}"
        )
    with django_assert_max_num_queries(petit):
        client.get(adresse)


def test_portefeuille_indicateurs_et_requetes_constantes(
    client_de, equipe, django_assert_max_num_queries
):
    client = client_de(equipe.ts)
    adresse = reverse("dossiers:portefeuille")
    retard = dossier_du_binome(equipe, nom="Aubry", prenom="Léa")
    en_retard(equipe, objectif(equipe, retard))
    rdv(equipe, retard, debut=demain_a(9))
    a_jour = dossier_du_binome(equipe, nom="Bonnet", prenom="Zoé")
    action(equipe, objectif(equipe, a_jour))
    petit = _requetes(client, adresse)
    for i in range(6):
        d = dossier_du_binome(equipe, nom=f"Nom{i}", prenom="Test")
        en_retard(equipe, objectif(equipe, d))
        rdv(equipe, d, debut=demain_a(11))
    with django_assert_max_num_queries(petit):
        response = client.get(adresse)
    lignes = {d.demandeur.nom: d for d in response.context["page"].object_list}
    assert lignes["Aubry"].action_en_retard and not lignes["Bonnet"].action_en_retard
    assert timezone.localtime(lignes["Aubry"].prochain_rdv).hour == 9
    assert lignes["Bonnet"].prochain_rdv is None
    contenu = response.content.decode()
    assert contenu.count("Action en retard") == 7 and "(prochain RDV)" in contenu
    assert contenu.count("Prochain rendez-vous le </span><time") == 7  # tous sauf Bonnet


def test_conseiller_n_ajoute_pas_d_action_sous_un_objectif_sante_illisible(client_de, equipe):
    """Régression (ticket #10, point 3) : le conseiller France Travail, qui tient sa place
    d'axe 1 avec l'accès complet, ouvrait le formulaire d'action sous un objectif santé dont
    il ne lit pas l'intitulé, et le POST passait."""
    from tests.dossiers.scenarios import avec_binome, nouveau_dossier

    dossier = avec_binome(
        equipe, nouveau_dossier(equipe, date=dt.date.today() - dt.timedelta(days=30))
    )
    sante = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Suivi addictologie"
    )
    client = client_de(equipe.conseiller)
    plan = client.get(url("suivi_plan", dossier)).content.decode()
    assert "addictologie" not in plan
    assert url("suivi_action_ajouter", dossier, sante.uuid) not in plan
    adresse = url("suivi_action_ajouter", dossier, sante.uuid)
    assert client.get(adresse).status_code == 403
    reponse = client.post(
        adresse,
        {
            "intitule": "Prendre rendez-vous",
            "cote": "emploi",
            "responsable": equipe.conseiller.user.pk,
            "date_debut": dt.date.today().isoformat(),
            "date_fin_prevue": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert reponse.status_code == 403
    assert not Action.objects.filter(objectif=sante).exists()
    # Le côté social, lui, y ajoute ses actions.
    assert client_de(equipe.ts).get(adresse).status_code == 200


def test_plan_propose_les_freins_du_dernier_diagnostic_comme_objectifs(client_de, equipe):
    """Ticket #10, point 3 : les freins du dernier diagnostic partagé deviennent des
    objectifs d'un clic, au lieu d'être ressaisis ; un frein déjà au plan n'est plus proposé,
    et le détail santé du diagnostic n'est jamais repris dans l'intitulé."""
    from tests.diagnostics.test_vues import DETAIL_SANTE, partage

    diag = partage(equipe)
    dossier = diag.dossier
    client = client_de(equipe.dedie)
    page = client.get(url("suivi_plan", dossier)).content.decode()
    assert "Freins repérés au dernier diagnostic" in page
    assert page.index("« Lever le frein : logement »") < page.index("« Lever le frein : mobilité »")
    assert "Lever le frein : finances" not in page  # absent au diagnostic
    assert DETAIL_SANTE not in page
    reponse = client.post(
        url("suivi_objectif_ajouter", dossier),
        {"domaine": "logement", "intitule": "Lever le frein : logement"},
    )
    assert reponse.status_code == 302
    assert Objectif.objects.get(dossier=dossier).domaine == "logement"
    apres = client.get(url("suivi_plan", dossier)).content.decode()
    assert "« Lever le frein : logement »" not in apres
    assert "« Lever le frein : mobilité »" in apres
    # Qui ne peut pas écrire (l'animatrice lit le plan) ne se voit rien proposer.
    lu = client_de(equipe.animatrice).get(url("suivi_plan", dossier)).content.decode()
    assert "Freins repérés au dernier diagnostic" not in lu


# --- Sélecteur « Ressource mobilisée » (ticket #10, point 3) ---------------------------------


def _service(equipe, nom, *, commune="", code_insee="", structure="Association", zone=()):
    from conventions.models import ServiceRessource, StructureRessource

    struct = StructureRessource.objects.create(
        departement=equipe.departement,
        source="locale",
        identifiant=f"s-{nom}-{commune}",
        nom=f"{structure} {nom}",
        date_maj=dt.date.today(),
    )
    service = ServiceRessource(
        departement=equipe.departement,
        structure=struct,
        source="locale",
        identifiant=f"svc-{nom}-{commune}",
        nom=nom,
        commune=commune,
        code_insee=code_insee,
        zone_eligibilite=list(zone),
        date_maj=dt.date.today(),
        thematiques=["mobilite--louer-un-vehicule"],
    )
    service.preparer()
    service.save()
    return service


def _dossier_a_besancon(equipe):
    dossier = dossier_du_binome(equipe)
    dossier.demandeur.commune, dossier.demandeur.code_commune = "Besançon", "25056"
    dossier.demandeur.save(update_fields=["commune", "code_commune"])
    return dossier


def test_selecteur_de_ressource_cherche_et_classe_par_la_commune_de_la_personne(client_de, equipe):
    """Le select listait jusqu'à 311 noms indiscernables : la recherche de l'annuaire,
    structure et commune affichées, ceux de la commune de la personne d'abord."""
    dossier = _dossier_a_besancon(equipe)
    loin = _service(equipe, "Garage solidaire", commune="Montbéliard", code_insee="25388")
    pres = _service(equipe, "Garage solidaire", commune="Besançon", code_insee="25056")
    autre = _service(equipe, "Crèche Les Lutins", commune="Pontarlier", code_insee="25462")
    obj = objectif(equipe, dossier, domaine="mobilite", intitule="Se déplacer")
    client = client_de(equipe.dedie)
    formulaire = client.get(url("suivi_action_ajouter", dossier, obj.uuid)).content.decode()
    assert '<select name="ressource"' not in formulaire
    assert 'type="search"' in formulaire and 'hx-get="' in formulaire
    assert formulaire.index(str(pres.uuid)) < formulaire.index(str(loin.uuid))
    assert "Garage solidaire</span> — Association Garage solidaire, Besançon" in formulaire
    assert "Commune de la personne" in formulaire
    recherche = reverse("dossiers:suivi_ressources_action", args=[dossier.uuid, obj.uuid])
    partiel = client.get(recherche, {"ressource_q": "garage"}, HTTP_HX_REQUEST="true")
    contenu = partiel.content.decode()
    assert partiel.status_code == 200 and "<html" not in contenu
    assert str(pres.uuid) in contenu and str(loin.uuid) in contenu
    assert str(autre.uuid) not in contenu
    assert contenu.index(str(pres.uuid)) < contenu.index(str(loin.uuid))
    assert "2 services pour « garage », ceux de Besançon d'abord" in contenu
    # Le choix en cours est gardé quand la recherche ne le trouve plus.
    garde = client.get(recherche, {"ressource_q": "garage", "ressource": str(autre.uuid)})
    assert "Choix actuel" in garde.content.decode() and str(autre.uuid) in garde.content.decode()
    vide = client.get(recherche, {"ressource_q": "introuvablexyz"}).content.decode()
    assert "Aucun service actif ne correspond" in vide
    # Le POST choisit un service par son UUID.
    reponse = client.post(
        url("suivi_action_ajouter", dossier, obj.uuid),
        {
            "intitule": "Louer une voiture",
            "cote": "emploi",
            "responsable": equipe.dedie.user.pk,
            "date_debut": dt.date.today().isoformat(),
            "date_fin_prevue": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "ressource": str(pres.uuid),
        },
    )
    assert reponse.status_code == 302
    action_creee = Action.objects.get(objectif=obj)
    assert action_creee.ressource == pres
    modifier = client.get(url("suivi_action_modifier", dossier, action_creee.uuid)).content.decode()
    assert f'value="{pres.uuid}" checked' in modifier


def test_selecteur_de_ressource_refuse_un_service_d_un_autre_departement(client_de, equipe):
    from tests.accompagnement.factories import StructureFactory

    dossier = _dossier_a_besancon(equipe)
    obj = objectif(equipe, dossier)
    ailleurs = StructureFactory(agence=True).departement
    etranger = _service(equipe, "Garage lointain")
    etranger.departement = ailleurs
    etranger.save()
    reponse = client_de(equipe.dedie).post(
        url("suivi_action_ajouter", dossier, obj.uuid),
        {
            "intitule": "Louer une voiture",
            "cote": "emploi",
            "responsable": equipe.dedie.user.pk,
            "date_debut": dt.date.today().isoformat(),
            "date_fin_prevue": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "ressource": str(etranger.uuid),
        },
    )
    assert reponse.status_code == 400
    assert (
        "pas (ou plus) actif dans la base de ressources du département" in reponse.content.decode()
    )


@pytest.mark.parametrize("qui,statut", [("conseiller", 403), ("animatrice", 403), ("ts", 200)])
def test_recherche_de_ressource_acces(client_de, equipe, qui, statut):
    dossier = _dossier_a_besancon(equipe)
    sante = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Suivi addictologie"
    )
    recherche = reverse("dossiers:suivi_ressources_action", args=[dossier.uuid, sante.uuid])
    assert client_de(getattr(equipe, qui)).get(recherche).status_code == statut


def test_recherche_de_ressource_nombre_de_requetes_constant(
    client_de, equipe, django_assert_max_num_queries
):
    dossier = _dossier_a_besancon(equipe)
    obj = objectif(equipe, dossier, domaine="mobilite", intitule="Se déplacer")
    client = client_de(equipe.dedie)
    recherche = reverse("dossiers:suivi_ressources_action", args=[dossier.uuid, obj.uuid])
    for i in range(5):
        _service(equipe, f"Garage {i}", commune="Besançon", code_insee="25056")
    petit = _requetes(client, recherche + "?ressource_q=garage")
    for i in range(5, 50):
        _service(equipe, f"Garage {i}", commune="Dole", code_insee="39198")
    with django_assert_max_num_queries(petit):
        client.get(recherche + "?ressource_q=garage")


# --- Ce qui grandit se replie ou se pagine (ticket #14) -----------------------------------------


def test_le_plan_montre_vingt_actions_par_objectif_et_deplie_sur_demande(
    client_de, equipe, django_assert_max_num_queries
):
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier, intitule="Objectif chargé")
    for i in range(25):
        action(equipe, obj, intitule=f"Étape {i:02d}", responsable=equipe.ts.user, cote="social")
    client = client_de(equipe.ts)
    adresse = url("suivi_plan", dossier)
    contenu = client.get(adresse).content.decode()
    assert contenu.count('">Étape ') == 20
    assert "Voir les 25 actions de cet objectif" in contenu
    assert f"?objectif={obj.uuid}#objectif-{obj.uuid}" in contenu
    with django_assert_max_num_queries(_requetes(client, adresse)):
        deplie = client.get(adresse, {"objectif": str(obj.uuid)}).content.decode()
    assert deplie.count('">Étape ') == 25 and "Voir les 25 actions" not in deplie
    # Un uuid inconnu ne déplie rien et ne casse rien.
    assert client.get(adresse, {"objectif": "n-importe-quoi"}).status_code == 200


def test_les_rendez_vous_passes_sont_pagines_en_requetes_constantes(
    client_de, equipe, django_assert_max_num_queries
):
    dossier = dossier_du_binome(equipe)
    rdv(equipe, dossier, debut=demain_a())
    for i in range(3):
        rdv(equipe, dossier, debut=hier_a() - dt.timedelta(hours=6 * i))
    client = client_de(equipe.ts)
    adresse = url("suivi_rendez_vous", dossier)
    petit = _requetes(client, adresse)
    for i in range(3, 45):
        rdv(equipe, dossier, debut=hier_a() - dt.timedelta(hours=6 * i))
    with django_assert_max_num_queries(petit):
        response = client.get(adresse)
    assert len(response.context["a_venir"]) == 1
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (45, 20)
    assert "Page 1 sur 3" in response.content.decode()
    # Du plus récent au plus ancien, page après page.
    assert page.object_list[0].debut > page.object_list[19].debut
    derniere = client.get(adresse, {"page": 3}).context["page"]
    assert len(derniere.object_list) == 5
    assert derniere.object_list[0].debut < page.object_list[19].debut
