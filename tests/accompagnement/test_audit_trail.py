"""Piste d'audit (décision 27) : chaque écriture sur les données personnelles laisse une
trace avec l'acteur, la date, l'objet et l'avant → après, quel que soit le chemin (service,
administration, `.update()` en masse, SQL brut) ; les tables d'audit refusent UPDATE et
DELETE hors purge ; la page d'audit du département fusionne accès et modifications."""

import datetime as dt

import pghistory
import pgtrigger
import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse
from django.utils import timezone

from accompagnement import audit, historique
from accompagnement.celery import app as celery_app
from accompagnement.models import (
    ActionAudit,
    EvenementAudit,
    Membership,
    MembershipHistorique,
    Role,
    UserHistorique,
)
from accompagnement.navigation import menu_compte
from accompagnement.tasks import purger_journaux_audit
from dossiers.models import Demandeur, DemandeurHistorique, DossierHistorique, NoteHistorique
from dossiers.suivi import services as suivi
from tests.accompagnement.factories import MembershipFactory, UserFactory
from tests.accompagnement.test_settings import manage
from tests.dossiers.scenarios import avec_binome, nouveau_dossier

pytestmark = pytest.mark.django_db

URL = reverse("journal_audit")


def fiche_personne(dossier, **changements):
    d = dossier.demandeur
    donnees = {
        "civilite": d.civilite,
        "nom": d.nom,
        "prenom": d.prenom,
        "date_naissance": d.date_naissance.isoformat(),
        "code_postal": "25000",
        "commune": "Besançon",
        "code_commune": "25056",
        "indemnisation": d.indemnisation,
        "version": d.version,  # verrou optimiste de la fiche
    }
    return {**donnees, **changements}


def derniere(modele, **filtres):
    return modele.objects.filter(**filtres).order_by("-pgh_id").first()


# --- Écritures tracées -------------------------------------------------------------------------


def test_ecriture_par_un_service_depuis_une_page_acteur_et_avant_apres(client_de, equipe):
    dossier = nouveau_dossier(equipe)
    client = client_de(equipe.conseiller)
    url = reverse("dossiers:modifier_personne", args=[dossier.uuid])
    reponse = client.post(url, fiche_personne(dossier, telephone="0381818181"))
    assert reponse.status_code == 302

    evenement = derniere(DemandeurHistorique, pgh_obj_id=dossier.demandeur_id, pgh_label="update")
    assert evenement.pgh_diff["telephone"] == ["", "0381818181"]
    assert evenement.telephone == "0381818181"  # l'instantané après écriture
    contexte = evenement.pgh_context
    assert contexte["utilisateur"] == equipe.conseiller.user_id
    assert contexte["rattachement"] == equipe.conseiller.pk
    assert contexte["role"] == Role.CONSEILLER
    assert contexte["structure"] == equipe.agence.pk
    assert contexte["departement"] == equipe.departement.pk
    assert contexte["origine"] == "web" and contexte["url"] == url
    assert evenement.pgh_departement_id == equipe.departement.pk
    assert evenement.pgh_demandeur_id == dossier.demandeur_id


def test_ecriture_par_un_service_hors_requete_porte_la_commande(equipe):
    with historique.contexte_systeme("commande", nom="import_demandeurs"):
        dossier = nouveau_dossier(equipe)
    creation = derniere(DossierHistorique, pgh_obj_id=dossier.pk, pgh_label="insert")
    assert creation.pgh_context["origine"] == "commande"
    assert creation.pgh_context["nom"] == "import_demandeurs"
    assert creation.pgh_departement_id == equipe.departement.pk
    assert creation.pgh_demandeur_id == dossier.demandeur_id
    assert creation.pgh_diff is None


def test_tache_celery_porte_son_nom(equipe, taches_immediates):
    @celery_app.task(name="tests.audit.renommer")
    def renommer(pk):
        Demandeur.objects.filter(pk=pk).update(commune="Dole")

    dossier = nouveau_dossier(equipe)
    renommer.delay(dossier.demandeur_id)
    evenement = derniere(DemandeurHistorique, pgh_obj_id=dossier.demandeur_id, pgh_label="update")
    assert evenement.pgh_context["origine"] == "tache"
    assert evenement.pgh_context["nom"] == "tests.audit.renommer"


def test_update_en_masse_et_sql_brut_sont_traces(equipe):
    premier = nouveau_dossier(equipe)
    second = nouveau_dossier(equipe, nom="Martin", prenom="Jules")

    # SQL brut, hors de toute requête de l'application : tracé, acteur inconnu. (Le
    # contexte vaut pour la transaction : on l'écrit avant d'en ouvrir un.)
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "dossiers_demandeur" SET "telephone" = %s WHERE "id" = %s',
            ["0600000000", premier.demandeur_id],
        )
    brut = derniere(DemandeurHistorique, pgh_obj_id=premier.demandeur_id, pgh_label="update")
    assert brut.pgh_diff == {"telephone": ["", "0600000000"]}
    assert brut.pgh_context is None

    animatrice = equipe.animatrice
    with pghistory.context(utilisateur=animatrice.user_id, role=animatrice.role):
        nombre = Demandeur.objects.filter(departement=equipe.departement).update(commune="Dole")
        # Du SQL brut dans le contexte porte le même acteur.
        with connection.cursor() as cursor:
            cursor.execute(
                'UPDATE "dossiers_demandeur" SET "email" = %s WHERE "id" = %s',
                ["eloise@exemple.test", second.demandeur_id],
            )
    assert nombre == 2
    for dossier in (premier, second):
        evenements = DemandeurHistorique.objects.filter(
            pgh_obj_id=dossier.demandeur_id, pgh_label="update", pgh_diff__has_key="commune"
        )
        evenement = evenements.get()
        assert evenement.pgh_diff == {"commune": ["Besançon", "Dole"]} or evenement.pgh_diff == {
            "commune": ["", "Dole"]
        }
        assert evenement.pgh_context["utilisateur"] == animatrice.user_id
        assert evenement.pgh_departement_id == equipe.departement.pk
    courriel = derniere(DemandeurHistorique, pgh_obj_id=second.demandeur_id, pgh_label="update")
    assert courriel.pgh_diff == {"email": ["", "eloise@exemple.test"]}
    assert courriel.pgh_context["utilisateur"] == animatrice.user_id


def test_suppression_tracee_avec_les_dernieres_valeurs(equipe):
    membership = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    with pghistory.context(utilisateur=equipe.animatrice.user_id):
        Membership.objects.filter(pk=membership.pk).delete()
    evenement = derniere(MembershipHistorique, pgh_obj_id=membership.pk, pgh_label="delete")
    assert evenement.role == Role.CONSEILLER and evenement.user_id == membership.user_id
    assert evenement.pgh_departement_id == equipe.departement.pk


def test_ecriture_dans_l_administration(client, equipe):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    membership = equipe.dedie_bis
    url = reverse("admin:accompagnement_membership_change", args=[membership.pk])
    reponse = client.post(url, {"structure": equipe.agence.pk, "role": "conseiller", "actif": "on"})
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    evenement = derniere(MembershipHistorique, pgh_obj_id=membership.pk, pgh_label="update")
    assert evenement.pgh_diff == {"role": [Role.CONSEILLER_DEDIE, Role.CONSEILLER]}
    assert evenement.pgh_context["origine"] == "administration"
    assert evenement.pgh_context["utilisateur"] == admin.pk
    assert evenement.pgh_departement_id == equipe.departement.pk


def test_le_mot_de_passe_n_est_jamais_copie(equipe):
    user = equipe.ts.user
    user.set_password("Un-autre-mot-de-passe-1")
    user.nom = "Nouveau"
    user.save()
    evenement = derniere(UserHistorique, pgh_obj_id=user.pk, pgh_label="update")
    assert evenement.pgh_diff["nom"][1] == "Nouveau"
    assert "password" not in evenement.pgh_diff
    assert not hasattr(evenement, "password")


def test_une_lecture_est_tracee_avec_son_departement(client_de, equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    client_de(equipe.ts).get(reverse("dossiers:dossier", args=[dossier.uuid]))
    lecture = EvenementAudit.objects.get(action=ActionAudit.LECTURE, objet_id=str(dossier.uuid))
    assert lecture.acteur == equipe.ts.user
    assert lecture.departement == equipe.departement
    assert lecture.role == Role.TRAVAILLEUR_SOCIAL


def test_chaque_evenement_a_un_departement(client, equipe):
    # Connexion : pas encore de rattachement courant, le département vient du compte.
    user = equipe.animatrice.user
    client.post(reverse("login"), {"username": user.email, "password": "Mot-de-passe-de-test-1"})
    connexion = EvenementAudit.objects.get(action=ActionAudit.CONNEXION, acteur=user)
    assert connexion.departement == equipe.departement
    # Un compte rattaché à deux départements : la connexion est tracée dans chacun.
    ailleurs = MembershipFactory(role=Role.ANIMATRICE, user=user)
    audit.enregistrer(action=ActionAudit.CONNEXION, acteur=user)
    derniers = EvenementAudit.objects.filter(action=ActionAudit.CONNEXION, acteur=user)
    assert {e.departement_id for e in derniers} == {
        equipe.departement.pk,
        ailleurs.structure.departement_id,
    }
    # Choix de structure : le département de la structure choisie.
    evenement = audit.enregistrer(
        action=ActionAudit.CHOIX_STRUCTURE, acteur=user, objet=ailleurs.structure
    )
    assert evenement.departement_id == ailleurs.structure.departement_id


# --- Ajout seul --------------------------------------------------------------------------------


@pytest.mark.parametrize("modele", audit.tables_d_audit(), ids=lambda m: m._meta.label)
@pytest.mark.parametrize(
    "instruction", ["UPDATE {table} SET {colonne} = {colonne}", "DELETE FROM {table}"]
)
def test_tables_d_audit_refusent_update_et_delete(modele, instruction):
    colonne = "horodatage" if modele is EvenementAudit else "pgh_label"
    sql = instruction.format(table=f'"{modele._meta.db_table}"', colonne=f'"{colonne}"')
    with (
        pytest.raises(ProgrammingError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_une_ligne_d_audit_ne_se_modifie_pas_meme_par_l_orm(equipe):
    evenement = audit.enregistrer(action=ActionAudit.LECTURE, acteur=equipe.ts.user)
    with pytest.raises(ProgrammingError), transaction.atomic():
        EvenementAudit.objects.filter(pk=evenement.pk).update(action=ActionAudit.EXPORT)
    with pytest.raises(ProgrammingError), transaction.atomic():
        EvenementAudit.objects.filter(pk=evenement.pk).delete()
    assert EvenementAudit.objects.get(pk=evenement.pk).action == ActionAudit.LECTURE


def test_supprimer_un_compte_laisse_ses_traces_intactes(equipe):
    user = UserFactory()
    evenement = audit.enregistrer(
        action=ActionAudit.LECTURE, acteur=user, departement=equipe.departement
    )
    ident = user.pk
    user.delete()
    assert EvenementAudit.objects.filter(pk=evenement.pk, acteur_id=ident).exists()


# --- Conservation ------------------------------------------------------------------------------


def vieillir(modele, pk, instant):
    """Antidate une trace (seule la purge lève la protection : on fait de même)."""
    champ = "horodatage" if modele is EvenementAudit else "pgh_created_at"
    cle = "pk" if modele is EvenementAudit else "pgh_id"
    with pgtrigger_ignore(modele):
        modele.objects.filter(**{cle: pk}).update(**{champ: instant})


def pgtrigger_ignore(modele):
    return pgtrigger.ignore(f"{modele._meta.label}:{historique.NOM_PROTECTION}")


def test_mois_avant():
    instant = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
    assert audit.mois_avant(instant, 1) == dt.datetime(2026, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert audit.mois_avant(instant, 12) == dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.UTC)
    assert audit.mois_avant(instant, 15).date() == dt.date(2024, 12, 31)


def test_purge_supprime_seulement_au_dela_de_la_conservation(equipe, settings, taches_immediates):
    settings.AUDIT_CONSERVATION_MOIS = 6
    dossier = nouveau_dossier(equipe)
    ancien = audit.enregistrer(action=ActionAudit.LECTURE, objet=dossier, acteur=equipe.ts.user)
    recent = audit.enregistrer(action=ActionAudit.LECTURE, objet=dossier, acteur=equipe.ts.user)
    creation = derniere(DossierHistorique, pgh_obj_id=dossier.pk)
    il_y_a_sept_mois = timezone.now() - dt.timedelta(days=7 * 31)
    vieillir(EvenementAudit, ancien.pk, il_y_a_sept_mois)
    vieillir(DossierHistorique, creation.pgh_id, il_y_a_sept_mois)

    supprimes = purger_journaux_audit.delay().get()

    assert supprimes == {"accompagnement.EvenementAudit": 1, "dossiers.DossierHistorique": 1}
    assert not EvenementAudit.objects.filter(pk=ancien.pk).exists()
    assert EvenementAudit.objects.filter(pk=recent.pk).exists()
    assert not DossierHistorique.objects.filter(pgh_id=creation.pgh_id).exists()
    assert DemandeurHistorique.objects.filter(pgh_obj_id=dossier.demandeur_id).exists()
    # Après la purge, la protection est de nouveau en place.
    with pytest.raises(ProgrammingError), transaction.atomic():
        EvenementAudit.objects.filter(pk=recent.pk).delete()


def test_purge_planifiee_chaque_nuit():
    plannings = {p["task"] for p in celery_app.conf.beat_schedule.values()}
    assert "accompagnement.tasks.purger_journaux_audit" in plannings


def test_conservation_par_defaut_douze_mois():
    assert django_settings.AUDIT_CONSERVATION_MOIS == 12


# --- Page d'audit ------------------------------------------------------------------------------


def administrateur(equipe):
    return MembershipFactory(role=Role.ADMINISTRATEUR, structure=equipe.animatrice.structure)


def test_page_anonyme_renvoyee_vers_la_connexion(client):
    reponse = client.get(URL)
    assert reponse.status_code == 302 and reponse.url.startswith("/connexion/?next=")


@pytest.mark.parametrize(
    "role",
    [Role.CONSEILLER, Role.CONSEILLER_DEDIE, Role.TRAVAILLEUR_SOCIAL, Role.CORRESPONDANT_INSERTION],
)
def test_page_refusee_aux_autres_roles(client_de, equipe, role):
    membership = {
        Role.CONSEILLER: equipe.conseiller,
        Role.CONSEILLER_DEDIE: equipe.dedie,
        Role.TRAVAILLEUR_SOCIAL: equipe.ts,
        Role.CORRESPONDANT_INSERTION: equipe.correspondant,
    }[role]
    assert client_de(membership).get(URL).status_code == 403


def test_menu_du_compte(rf, equipe):
    for membership, attendu in [
        (equipe.animatrice, True),
        (administrateur(equipe), True),
        (equipe.conseiller, False),
        (equipe.ts, False),
    ]:
        requete = rf.get("/")
        requete.membership = membership
        requete.user = membership.user
        assert any(e["url"] == URL for e in menu_compte(requete)) is attendu


def test_page_vide_en_francais(client_de, equipe):
    reponse = client_de(equipe.animatrice).get(URL, {"action": ActionAudit.SUPPRESSION})
    assert reponse.status_code == 200
    assert "Aucun événement ne correspond à ces critères" in reponse.content.decode()


def test_page_fusionne_acces_et_modifications_avec_libelles(client_de, equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    client_de(equipe.ts).get(reverse("dossiers:dossier", args=[dossier.uuid]))
    client_de(equipe.conseiller).post(
        reverse("dossiers:modifier_personne", args=[dossier.uuid]),
        fiche_personne(dossier, telephone="0381818181", indemnisation="ass"),
    )
    for membership in (equipe.animatrice, administrateur(equipe)):
        contenu = client_de(membership).get(URL).content.decode()
        assert "Consultation" in contenu and "Modification" in contenu
        assert "Demandeur" in contenu  # libellé du modèle, pas « dossiers.demandeur »
        assert "Conseiller dédié (accompagnement global)" in contenu  # rôle d'une affectation
        assert "Téléphone" in contenu and "0381818181" in contenu
        assert "ASS (allocation de solidarité spécifique)" in contenu
        assert equipe.conseiller.user.get_full_name() in contenu
        assert "LEFÈVRE Éloïse" in contenu
        for code in ("dossiers.demandeur", "conseiller_dedie", "telephone", "pgh_"):
            assert code not in contenu


def test_textes_libres_masques(client_de, equipe):
    dossier = avec_binome(equipe, nouveau_dossier(equipe))
    suivi.ajouter_note(
        dossier=dossier, par=equipe.ts, texte="Détail de santé confidentiel", visibilite="sociale"
    )
    assert NoteHistorique.objects.filter(pgh_demandeur_id=dossier.demandeur_id).exists()
    contenu = client_de(equipe.animatrice).get(URL).content.decode()
    assert "Note de suivi" in contenu
    assert "Détail de santé confidentiel" not in contenu
    assert "contenu non affiché" in contenu


def test_isolation_des_departements(client_de, equipe):
    dossier = nouveau_dossier(equipe, nom="Ici")
    autre = MembershipFactory(role=Role.ANIMATRICE)
    etranger = Demandeur.objects.create(
        departement=autre.structure.departement,
        civilite="m",
        nom="Ailleurs",
        prenom="Paul",
        date_naissance=dt.date(1980, 1, 1),
    )
    audit.enregistrer(
        action=ActionAudit.LECTURE, acteur=autre.user, departement=autre.structure.departement
    )
    contenu = client_de(equipe.animatrice).get(URL).content.decode()
    assert "ICI Éloïse" in contenu
    assert "AILLEURS" not in contenu and autre.user.get_full_name() not in contenu
    contenu_autre = client_de(autre).get(URL).content.decode()
    assert "AILLEURS Paul" in contenu_autre and "ICI" not in contenu_autre
    # La recherche de personne ne sort pas du département.
    contenu = client_de(equipe.animatrice).get(URL, {"personne": "Ailleurs"}).content.decode()
    assert "Aucune personne de votre département" in contenu
    assert etranger.pk and dossier.pk


def test_filtres_personne_utilisateur_periode_action(client_de, equipe):
    premier = avec_binome(equipe, nouveau_dossier(equipe, nom="Premier"))
    second = nouveau_dossier(equipe, nom="Second", prenom="Luc")
    client_de(equipe.ts).get(reverse("dossiers:dossier", args=[premier.uuid]))
    client_de(equipe.conseiller).get(reverse("dossiers:dossier", args=[second.uuid]))
    client = client_de(equipe.animatrice)

    contenu = client.get(URL, {"personne": "premier"}).content.decode()
    assert "PREMIER Éloïse" in contenu and "SECOND" not in contenu

    contenu = client.get(
        URL, {"utilisateur": equipe.ts.user.pk, "action": ActionAudit.LECTURE}
    ).content.decode()
    assert "PREMIER Éloïse" in contenu and "SECOND Luc" not in contenu

    aujourd_hui = timezone.localdate()
    demain = (aujourd_hui + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    contenu = client.get(URL, {"du": demain}).content.decode()
    assert "Aucun événement ne correspond" in contenu
    contenu = client.get(URL, {"du": aujourd_hui.strftime("%d/%m/%Y")}).content.decode()
    assert "PREMIER Éloïse" in contenu

    lignes = (
        client.get(URL, {"action": ActionAudit.CREATION, "source": "ecritures"})
        .context["page"]
        .lignes
    )
    assert lignes and {ligne.action for ligne in lignes} == {"Création"}
    assert all(ligne.est_modification for ligne in lignes)
    assert {"Demandeur", "Dossier", "Affectation"} <= {ligne.objet for ligne in lignes}
    lignes = client.get(URL, {"source": "acces"}).context["page"].lignes
    assert lignes and not any(ligne.est_modification for ligne in lignes)

    reponse = client.get(URL, {"du": "2026-01-01"})
    assert reponse.status_code == 400
    assert "jj/mm/aaaa" in reponse.content.decode()


def test_pagination_par_curseur(client_de, equipe, settings):
    dossier = nouveau_dossier(equipe)
    for _ in range(60):
        audit.enregistrer(action=ActionAudit.LECTURE, objet=dossier, acteur=equipe.ts.user)
    client = client_de(equipe.animatrice)
    premiere = client.get(URL, {"action": ActionAudit.LECTURE})
    suivant = premiere.context["suivant"]
    assert suivant and len(premiere.context["page"].lignes) == 50
    seconde = client.get(URL + suivant)
    assert len(seconde.context["page"].lignes) >= 10
    assert (
        seconde.context["page"].lignes[0].horodatage
        <= premiere.context["page"].lignes[-1].horodatage
    )
    assert "Les plus récents" in seconde.content.decode()
    # Un curseur illisible est ignoré (première page).
    assert client.get(URL, {"apres": "n'importe quoi"}).status_code == 200


def _peupler(equipe, debut, nombre):
    for i in range(debut, debut + nombre):
        dossier = nouveau_dossier(equipe, nom=f"Personne{i}", prenom=f"P{i}")
        audit.enregistrer(action=ActionAudit.LECTURE, objet=dossier, acteur=equipe.ts.user)


def test_nombre_de_requetes_constant(client_de, equipe, django_assert_max_num_queries):
    client = client_de(equipe.animatrice)
    _peupler(equipe, 0, 5)
    with django_assert_max_num_queries(14) as petit:
        assert client.get(URL).status_code == 200
    _peupler(equipe, 5, 45)
    with django_assert_max_num_queries(14) as grand:
        reponse = client.get(URL)
    assert len(reponse.context["page"].lignes) == 50
    assert len(grand.captured_queries) == len(petit.captured_queries)


def test_conservation_invalide_refusee_au_demarrage():
    res = manage("check", AUDIT_CONSERVATION_MOIS="0")
    assert res.returncode == 2
    assert res.stderr.startswith("Configuration invalide : AUDIT_CONSERVATION_MOIS")
