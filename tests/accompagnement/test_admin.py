"""Administration Django : une animatrice ou un administrateur de département ne voit, ne
modifie et ne rattache que les comptes et les objets de son département ; seul le
super-utilisateur voit tout. Tests par le client HTTP, sur les vraies URL /admin/…"""

import html

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accompagnement.management.commands.seed_demo import PERMISSIONS_COORDINATION
from accompagnement.models import (
    ActionAudit,
    Departement,
    EvenementAudit,
    Membership,
    Role,
    TypeStructure,
    User,
)
from tests.accompagnement.factories import MembershipFactory, StructureFactory, UserFactory
from tests.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

NOUVEAU_MOT_DE_PASSE = "Un-tout-nouveau-mot-de-passe-42"


class Monde:
    """Deux départements, A et B, chacun avec sa direction et son agence."""


@pytest.fixture
def groupe_coordination(db):
    # Les mêmes permissions que le groupe de la démonstration.
    groupe = Group.objects.create(name="Coordination départementale")
    groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))
    return groupe


def permettre(groupe, *codenames):
    groupe.permissions.add(*Permission.objects.filter(codename__in=codenames))


def staff(membership, groupe):
    membership.user.is_staff = True
    membership.user.save(update_fields=["is_staff"])
    membership.user.groups.add(groupe)
    return membership


@pytest.fixture(params=[Role.ANIMATRICE, Role.ADMINISTRATEUR])
def monde(request, groupe_coordination):
    m = Monde()
    m.groupe = groupe_coordination
    m.direction_a = StructureFactory(direction=True, nom="Direction A")
    m.dep_a = m.direction_a.departement
    m.agence_a = StructureFactory(agence=True, departement=m.dep_a, nom="Agence A")
    m.direction_b = StructureFactory(direction=True, nom="Direction B")
    m.dep_b = m.direction_b.departement
    assert m.dep_a != m.dep_b
    m.agence_b = StructureFactory(agence=True, departement=m.dep_b, nom="Agence B")
    m.admin_a = staff(
        MembershipFactory(role=request.param, structure=m.direction_a), groupe_coordination
    )
    m.admin_b = staff(
        MembershipFactory(role=request.param, structure=m.direction_b), groupe_coordination
    )
    m.conseiller_a = MembershipFactory(
        role=Role.CONSEILLER, structure=m.agence_a, user__email="conseiller.a@exemple.test"
    )
    m.conseiller_b = MembershipFactory(
        role=Role.CONSEILLER, structure=m.agence_b, user__email="conseiller.b@exemple.test"
    )
    return m


@pytest.fixture
def client_admin_a(client, monde):
    client.force_login(monde.admin_a.user)
    return client


def url_change(user):
    return reverse("admin:accompagnement_user_change", args=[user.pk])


def url_mot_de_passe(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def assert_introuvable(reponse):
    """Hors périmètre : l'administration répond comme pour un objet qui n'existe pas
    (renvoi vers l'accueil de l'administration pour la fiche, 404 ailleurs) ou 403."""
    if reponse.status_code == 302:
        assert reponse.url == reverse("admin:index")
    else:
        assert reponse.status_code in (403, 404)


def donnees_fiche(user, rattachements=(), nouveaux=(), **surcharge):
    """Le formulaire de modification d'un compte, tel que le navigateur l'envoie."""
    donnees = {
        "email": user.email,
        "prenom": user.prenom,
        "nom": user.nom,
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(rattachements) + len(nouveaux)),
        "memberships-INITIAL_FORMS": str(len(rattachements)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(rattachements):
        donnees |= {
            f"memberships-{i}-id": str(m.pk),
            f"memberships-{i}-user": str(user.pk),
            f"memberships-{i}-structure": str(m.structure_id),
            f"memberships-{i}-role": m.role,
        }
        if m.actif:
            donnees[f"memberships-{i}-actif"] = "on"
    for j, (structure, role) in enumerate(nouveaux, start=len(rattachements)):
        donnees |= {
            f"memberships-{j}-user": str(user.pk),
            f"memberships-{j}-structure": str(structure.pk),
            f"memberships-{j}-role": role,
            f"memberships-{j}-actif": "on",
        }
    donnees.update(surcharge)
    return donnees


def texte(reponse):
    return html.unescape(reponse.content.decode())


def autocomplete_utilisateurs(client, term=""):
    reponse = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "accompagnement",
            "model_name": "membership",
            "field_name": "user",
            "term": term,
        },
    )
    assert reponse.status_code == 200
    return {int(r["id"]) for r in reponse.json()["results"]}


def ids_liste_utilisateurs(client):
    reponse = client.get(reverse("admin:accompagnement_user_changelist"))
    assert reponse.status_code == 200
    return {u.pk for u in reponse.context["cl"].result_list}


# --- Constat 1 : rattacher un compte d'un autre département -------------------------------


def test_le_choix_de_l_utilisateur_d_un_rattachement_se_limite_au_departement(
    client_admin_a, monde
):
    proposes = autocomplete_utilisateurs(client_admin_a)
    assert monde.conseiller_a.user.pk in proposes
    assert monde.conseiller_b.user.pk not in proposes
    assert monde.admin_b.user.pk not in proposes
    # Même en cherchant exactement ce compte.
    assert autocomplete_utilisateurs(client_admin_a, "conseiller.b") == set()


def test_rattacher_au_departement_un_compte_d_un_autre_departement_est_refuse(
    client_admin_a, monde
):
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_add"),
        {
            "user": monde.conseiller_b.user.pk,
            "structure": monde.agence_a.pk,
            "role": Role.CONSEILLER,
            "actif": "on",
        },
    )
    assert reponse.status_code == 200
    assert "user" in reponse.context["adminform"].form.errors
    assert not Membership.objects.filter(
        user=monde.conseiller_b.user, structure=monde.agence_a
    ).exists()


def test_apres_la_tentative_le_compte_de_l_autre_departement_reste_intouchable(
    client_admin_a, monde
):
    """Le scénario complet du constat : rattacher, puis changer le mot de passe."""
    cible = monde.conseiller_b.user
    client_admin_a.post(
        reverse("admin:accompagnement_membership_add"),
        {"user": cible.pk, "structure": monde.agence_a.pk, "role": Role.CONSEILLER},
    )
    reponse = client_admin_a.post(
        url_mot_de_passe(cible),
        {"password1": NOUVEAU_MOT_DE_PASSE, "password2": NOUVEAU_MOT_DE_PASSE},
    )
    assert_introuvable(reponse)
    cible.refresh_from_db()
    assert cible.check_password(MOT_DE_PASSE)


def test_une_structure_d_un_autre_departement_est_refusee_dans_la_fiche(client_admin_a, monde):
    user = monde.conseiller_a.user
    reponse = client_admin_a.post(
        url_change(user),
        donnees_fiche(
            user, [monde.conseiller_a], nouveaux=[(monde.agence_b, Role.CONSEILLER_DEDIE)]
        ),
    )
    assert reponse.status_code == 200
    assert not Membership.objects.filter(user=user, structure=monde.agence_b).exists()


# --- Constat 2 : comptes sans rattachement, super-utilisateurs, comptes partagés ----------


@pytest.fixture
def hors_perimetre(monde):
    """Les comptes qu'un administrateur de A ne doit ni voir ni modifier."""
    sans_rattachement = UserFactory(email="sans.rattachement@exemple.test")
    superutilisateur = User.objects.create_superuser(
        "super@exemple.test", MOT_DE_PASSE, prenom="Super", nom="Utilisateur"
    )
    # Un super-utilisateur qui a aussi un rattachement dans A reste hors d'atteinte.
    super_rattache = User.objects.create_superuser(
        "super.a@exemple.test", MOT_DE_PASSE, prenom="Super", nom="Rattaché"
    )
    MembershipFactory(user=super_rattache, role=Role.ADMINISTRATEUR, structure=monde.direction_a)
    # Un compte rattaché à A et à B : le modifier, c'est prendre la main sur B.
    partage = MembershipFactory(role=Role.CONSEILLER, structure=monde.agence_a).user
    MembershipFactory(user=partage, role=Role.CONSEILLER, structure=monde.agence_b)
    # Même un ancien rattachement (inactif) dans B suffit.
    ancien_b = MembershipFactory(role=Role.CONSEILLER, structure=monde.agence_a).user
    MembershipFactory(user=ancien_b, role=Role.CONSEILLER, structure=monde.agence_b, actif=False)
    # Un compte « staff » de A qui administre aussi B.
    staff_ab = staff(
        MembershipFactory(role=Role.ANIMATRICE, structure=monde.direction_a), monde.groupe
    ).user
    MembershipFactory(user=staff_ab, role=Role.ADMINISTRATEUR, structure=monde.direction_b)
    return {
        "sans rattachement": sans_rattachement,
        "super-utilisateur": superutilisateur,
        "super-utilisateur rattaché à A": super_rattache,
        "rattaché à A et à B": partage,
        "anciennement rattaché à B": ancien_b,
        "staff de A et de B": staff_ab,
        "conseiller de B": monde.conseiller_b.user,
        "administrateur de B": monde.admin_b.user,
    }


def test_les_comptes_hors_perimetre_ne_sont_pas_listes(client_admin_a, monde, hors_perimetre):
    listes = ids_liste_utilisateurs(client_admin_a)
    for nom, user in hors_perimetre.items():
        assert user.pk not in listes, nom
    proposes = autocomplete_utilisateurs(client_admin_a)
    for nom, user in hors_perimetre.items():
        assert user.pk not in proposes, nom
    assert monde.conseiller_a.user.pk in listes


@pytest.mark.parametrize(
    "nom",
    [
        "sans rattachement",
        "super-utilisateur",
        "super-utilisateur rattaché à A",
        "rattaché à A et à B",
        "anciennement rattaché à B",
        "staff de A et de B",
    ],
)
def test_les_comptes_hors_perimetre_sont_intouchables(client_admin_a, hors_perimetre, nom):
    cible = hors_perimetre[nom]
    assert_introuvable(client_admin_a.get(url_change(cible)))
    assert_introuvable(client_admin_a.get(url_mot_de_passe(cible)))
    assert_introuvable(
        client_admin_a.post(
            url_mot_de_passe(cible),
            {"password1": NOUVEAU_MOT_DE_PASSE, "password2": NOUVEAU_MOT_DE_PASSE},
        )
    )
    assert_introuvable(
        client_admin_a.post(url_change(cible), donnees_fiche(cible, email="pris@exemple.test"))
    )
    assert_introuvable(
        client_admin_a.get(reverse("admin:accompagnement_user_history", args=[cible.pk]))
    )
    cible.refresh_from_db()
    assert cible.check_password(MOT_DE_PASSE)
    assert cible.email != "pris@exemple.test"


def test_supprimer_un_compte_hors_perimetre_est_impossible(client_admin_a, monde, hors_perimetre):
    # Même si on lui accordait la suppression, ni la vue ni l'action n'atteignent ces comptes.
    permettre(monde.groupe, "delete_user")
    cibles = list(hors_perimetre.values())
    for cible in cibles:
        assert_introuvable(
            client_admin_a.post(
                reverse("admin:accompagnement_user_delete", args=[cible.pk]), {"post": "yes"}
            )
        )
    client_admin_a.post(
        reverse("admin:accompagnement_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in cibles],
            "post": "yes",
        },
    )
    assert User.objects.filter(pk__in=[c.pk for c in cibles]).count() == len(cibles)


def test_le_rattachement_a_a_d_un_compte_partage_reste_gerable_par_a(
    client_admin_a, monde, hors_perimetre
):
    # Le compte est hors d'atteinte, mais son rattachement à A se désactive depuis A.
    partage = hors_perimetre["rattaché à A et à B"]
    m = Membership.objects.get(user=partage, structure=monde.agence_a)
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_change", args=[m.pk]),
        {"structure": m.structure_id, "role": m.role},
    )
    assert reponse.status_code == 302
    m.refresh_from_db()
    assert not m.actif
    assert Membership.objects.get(user=partage, structure=monde.agence_b).actif


def test_le_super_utilisateur_voit_et_modifie_tout(client, monde, hors_perimetre):
    client.force_login(hors_perimetre["super-utilisateur"])
    listes = ids_liste_utilisateurs(client)
    assert {u.pk for u in hors_perimetre.values()} <= listes
    cible = hors_perimetre["rattaché à A et à B"]
    assert client.get(url_change(cible)).status_code == 200
    reponse = client.post(
        url_mot_de_passe(cible),
        {"password1": NOUVEAU_MOT_DE_PASSE, "password2": NOUVEAU_MOT_DE_PASSE},
    )
    assert reponse.status_code == 302
    cible.refresh_from_db()
    assert cible.check_password(NOUVEAU_MOT_DE_PASSE)


# --- Ce que l'administrateur de A garde ----------------------------------------------------


def test_l_administrateur_de_a_gere_les_comptes_de_a(client_admin_a, monde):
    user = monde.conseiller_a.user
    assert user.pk in ids_liste_utilisateurs(client_admin_a)
    assert client_admin_a.get(url_change(user)).status_code == 200
    # Fiche : identité et rattachements de A.
    reponse = client_admin_a.post(
        url_change(user),
        donnees_fiche(
            user,
            [monde.conseiller_a],
            nouveaux=[(monde.direction_a, Role.CORRESPONDANT_INSERTION)],
            nom="Nouveau-Nom",
        ),
    )
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.nom == "Nouveau-Nom"
    ajout = Membership.objects.get(user=user, structure=monde.direction_a)
    assert ajout.role == Role.CORRESPONDANT_INSERTION and ajout.actif
    # Mot de passe.
    assert client_admin_a.get(url_mot_de_passe(user)).status_code == 200
    reponse = client_admin_a.post(
        url_mot_de_passe(user),
        {"password1": NOUVEAU_MOT_DE_PASSE, "password2": NOUVEAU_MOT_DE_PASSE},
    )
    assert reponse.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NOUVEAU_MOT_DE_PASSE)


def test_l_administrateur_de_a_rattache_un_compte_de_a_par_le_service(client_admin_a, monde):
    user = monde.conseiller_a.user
    assert user.pk in autocomplete_utilisateurs(client_admin_a)
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_add"),
        {
            "user": user.pk,
            "structure": monde.direction_a.pk,
            "role": Role.TRAVAILLEUR_SOCIAL,
            "actif": "on",
        },
    )
    assert reponse.status_code == 302
    m = Membership.objects.get(user=user, structure=monde.direction_a)
    assert m.role == Role.TRAVAILLEUR_SOCIAL and m.actif
    trace = EvenementAudit.objects.get(objet_id=str(m.uuid))
    assert trace.action == ActionAudit.CREATION
    assert trace.acteur == monde.admin_a.user
    assert trace.departement == monde.dep_a


def test_l_administrateur_de_a_desactive_un_rattachement_de_a(client_admin_a, monde):
    m = monde.conseiller_a
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_change", args=[m.pk]),
        {"structure": m.structure_id, "role": m.role},  # « actif » décoché
    )
    assert reponse.status_code == 302
    m.refresh_from_db()
    assert not m.actif


def test_les_rattachements_de_b_sont_invisibles(client_admin_a, monde):
    reponse = client_admin_a.get(reverse("admin:accompagnement_membership_changelist"))
    assert set(reponse.context["cl"].result_list) == {monde.admin_a, monde.conseiller_a}
    assert_introuvable(
        client_admin_a.get(
            reverse("admin:accompagnement_membership_change", args=[monde.conseiller_b.pk])
        )
    )


# --- Constat 3 : la règle rôle × type de structure ----------------------------------------


def test_l_administration_refuse_un_role_que_la_structure_ne_porte_pas(client_admin_a, monde):
    user = monde.conseiller_a.user
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_add"),
        {"user": user.pk, "structure": monde.agence_a.pk, "role": Role.TRAVAILLEUR_SOCIAL},
    )
    assert reponse.status_code == 200
    assert (
        "Le rôle « Travailleur social » n'existe pas dans une structure de type "
        "« Agence France Travail »." in texte(reponse)
    )
    assert not Membership.objects.filter(user=user, role=Role.TRAVAILLEUR_SOCIAL).exists()


def test_l_administration_refuse_de_changer_un_rattachement_vers_un_role_etranger(
    client_admin_a, monde
):
    m = monde.conseiller_a
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_change", args=[m.pk]),
        {"structure": m.structure_id, "role": Role.ADMINISTRATEUR, "actif": "on"},
    )
    assert reponse.status_code == 200
    assert "n'existe pas dans une structure de type" in texte(reponse)
    m.refresh_from_db()
    assert m.role == Role.CONSEILLER


def test_la_fiche_refuse_un_rattachement_a_un_role_etranger(client_admin_a, monde):
    user = monde.conseiller_a.user
    reponse = client_admin_a.post(
        url_change(user),
        donnees_fiche(user, [monde.conseiller_a], nouveaux=[(monde.agence_a, Role.ADMINISTRATEUR)]),
    )
    assert reponse.status_code == 200
    assert "n'existe pas dans une structure de type" in texte(reponse)
    assert not Membership.objects.filter(user=user, role=Role.ADMINISTRATEUR).exists()


def test_la_regle_vaut_aussi_pour_le_super_utilisateur(client, monde):
    client.force_login(User.objects.create_superuser("su@exemple.test", MOT_DE_PASSE))
    reponse = client.post(
        reverse("admin:accompagnement_membership_add"),
        {
            "user": monde.conseiller_b.user.pk,
            "structure": monde.agence_a.pk,
            "role": Role.CORRESPONDANT_INSERTION,
        },
    )
    assert reponse.status_code == 200
    assert "n'existe pas dans une structure de type" in texte(reponse)
    assert not Membership.objects.filter(
        structure=monde.agence_a, user=monde.conseiller_b.user
    ).exists()


def test_l_administration_refuse_une_structure_desactivee(client_admin_a, monde):
    fermee = StructureFactory(agence=True, departement=monde.dep_a, actif=False)
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_add"),
        {"user": monde.conseiller_a.user.pk, "structure": fermee.pk, "role": Role.CONSEILLER},
    )
    assert "est désactivée" in texte(reponse)
    assert not Membership.objects.filter(structure=fermee).exists()


def test_un_rattachement_d_une_structure_desactivee_se_desactive_et_pas_l_inverse(
    client_admin_a, monde
):
    fermee = StructureFactory(agence=True, departement=monde.dep_a, actif=False)
    m = MembershipFactory(user=monde.conseiller_a.user, role=Role.CONSEILLER, structure=fermee)
    url = reverse("admin:accompagnement_membership_change", args=[m.pk])
    reponse = client_admin_a.post(url, {"structure": fermee.pk, "role": m.role})
    assert reponse.status_code == 302
    m.refresh_from_db()
    assert not m.actif
    reponse = client_admin_a.post(url, {"structure": fermee.pk, "role": m.role, "actif": "on"})
    assert "est désactivée" in texte(reponse)
    m.refresh_from_db()
    assert not m.actif


def test_reactiver_un_rattachement_passe_par_le_service(client_admin_a, monde):
    m = MembershipFactory(
        user=monde.conseiller_a.user, role=Role.CONSEILLER_DEDIE, structure=monde.agence_a
    )
    m.actif = False
    m.save()
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_membership_change", args=[m.pk]),
        {"structure": m.structure_id, "role": m.role, "actif": "on"},
    )
    assert reponse.status_code == 302
    m.refresh_from_db()
    assert m.actif
    assert EvenementAudit.objects.filter(
        objet_id=str(m.uuid), action=ActionAudit.MODIFICATION, acteur=monde.admin_a.user
    ).exists()


def test_changer_le_type_d_une_structure_respecte_ses_rattachements(client_admin_a, monde):
    agence = monde.agence_a  # un conseiller y est rattaché
    url = reverse("admin:accompagnement_structure_change", args=[agence.pk])
    donnees = {"departement": monde.dep_a.pk, "nom": agence.nom, "actif": "on"}
    reponse = client_admin_a.post(url, donnees | {"type": TypeStructure.TERRITOIRE_SOCIAL})
    assert reponse.status_code == 200
    assert (
        "Le rôle « Conseiller France Travail » n'existe pas dans une structure de type "
        "« Territoire / service social départemental »." in texte(reponse)
    )
    agence.refresh_from_db()
    assert agence.type == TypeStructure.AGENCE_FT
    # Sans rattachement actif incompatible, le changement passe.
    Membership.objects.filter(structure=agence).update(actif=False)
    reponse = client_admin_a.post(url, donnees | {"type": TypeStructure.TERRITOIRE_SOCIAL})
    assert reponse.status_code == 302
    agence.refresh_from_db()
    assert agence.type == TypeStructure.TERRITOIRE_SOCIAL


# --- Création d'un compte par l'administrateur d'un département -----------------------------


def donnees_creation(**surcharge):
    return {
        "email": "nouvelle@exemple.test",
        "prenom": "Nouvelle",
        "nom": "Recrue",
        "password1": NOUVEAU_MOT_DE_PASSE,
        "password2": NOUVEAU_MOT_DE_PASSE,
        # Les rattachements en ligne, s'il y en a sur la page d'ajout : aucun.
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    } | surcharge


def test_creer_un_compte_demande_sa_structure_et_son_role(client_admin_a, monde):
    reponse = client_admin_a.get(reverse("admin:accompagnement_user_add"))
    assert reponse.status_code == 200
    form = reponse.context["adminform"].form
    assert {"structure", "role"} <= set(form.fields)
    assert set(form.fields["structure"].queryset) == {monde.direction_a, monde.agence_a}


def test_creer_un_compte_le_rattache_par_le_service(client_admin_a, monde):
    reponse = client_admin_a.post(
        reverse("admin:accompagnement_user_add"),
        donnees_creation(structure=monde.agence_a.pk, role=Role.CONSEILLER_DEDIE),
    )
    assert reponse.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.test")
    assert not user.is_staff and not user.is_superuser
    m = Membership.objects.get(user=user)
    assert (m.structure, m.role, m.actif) == (monde.agence_a, Role.CONSEILLER_DEDIE, True)
    assert EvenementAudit.objects.filter(
        objet_id=str(m.uuid), action=ActionAudit.CREATION, acteur=monde.admin_a.user
    ).exists()
    # Le compte créé reste visible de son créateur.
    assert reponse.url == url_change(user)
    assert client_admin_a.get(reponse.url).status_code == 200


@pytest.mark.parametrize(
    "cas",
    ["sans structure", "structure de B", "rôle étranger à la structure"],
)
def test_creer_un_compte_refuse_un_rattachement_invalide(client_admin_a, monde, cas):
    donnees = {
        "sans structure": donnees_creation(role=Role.CONSEILLER),
        "structure de B": donnees_creation(structure=monde.agence_b.pk, role=Role.CONSEILLER),
        "rôle étranger à la structure": donnees_creation(
            structure=monde.agence_a.pk, role=Role.TRAVAILLEUR_SOCIAL
        ),
    }[cas]
    reponse = client_admin_a.post(reverse("admin:accompagnement_user_add"), donnees)
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()


def test_le_super_utilisateur_cree_un_compte_sans_rattachement(client, monde):
    client.force_login(User.objects.create_superuser("su@exemple.test", MOT_DE_PASSE))
    reponse = client.post(reverse("admin:accompagnement_user_add"), donnees_creation())
    assert reponse.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.test")
    assert not user.memberships.exists()


# --- Droits : staff, super-utilisateur, groupes, permissions -------------------------------


def test_l_administrateur_de_a_ne_distribue_aucun_droit(client_admin_a, monde):
    superpouvoir = Group.objects.create(name="Tout")
    superpouvoir.permissions.set(Permission.objects.all())
    permission = Permission.objects.get(codename="delete_user")
    for m in (monde.conseiller_a, monde.admin_a):  # un compte de A, et soi-même
        user = m.user
        rattachements = list(Membership.objects.filter(user=user))
        client_admin_a.post(
            url_change(user),
            donnees_fiche(
                user,
                rattachements,
                is_staff="on" if not user.is_staff else "",
                is_superuser="on",
                groups=[superpouvoir.pk],
                user_permissions=[permission.pk],
            ),
        )
        avant_staff = user.is_staff
        user.refresh_from_db()
        assert user.is_staff == avant_staff
        assert not user.is_superuser
        assert not user.groups.filter(pk=superpouvoir.pk).exists()
        assert not user.user_permissions.exists()


def test_creer_un_compte_ne_donne_aucun_droit(client_admin_a, monde):
    client_admin_a.post(
        reverse("admin:accompagnement_user_add"),
        donnees_creation(
            structure=monde.agence_a.pk,
            role=Role.CONSEILLER,
            is_staff="on",
            is_superuser="on",
            groups=[monde.groupe.pk],
            user_permissions=[Permission.objects.get(codename="delete_user").pk],
        ),
    )
    user = User.objects.get(email="nouvelle@exemple.test")
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_les_groupes_sont_reserves_au_super_utilisateur(client_admin_a, monde):
    # Même avec les permissions sur les groupes : ils valent pour tous les départements.
    permettre(monde.groupe, "view_group", "change_group", "add_group")
    assert client_admin_a.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert (
        client_admin_a.get(reverse("admin:auth_group_change", args=[monde.groupe.pk])).status_code
        == 403
    )
    reponse = client_admin_a.post(
        reverse("admin:auth_group_change", args=[monde.groupe.pk]),
        {"name": monde.groupe.name, "permissions": [p.pk for p in Permission.objects.all()]},
    )
    assert reponse.status_code == 403
    assert monde.groupe.permissions.count() < Permission.objects.count()


# --- Départements, structures, journal -------------------------------------------------------


def test_departements_et_structures_limites_au_departement(client_admin_a, monde):
    permettre(monde.groupe, "add_departement", "delete_departement")
    reponse = client_admin_a.get(reverse("admin:accompagnement_departement_changelist"))
    assert list(reponse.context["cl"].result_list) == [monde.dep_a]
    # Créer un département (un nouveau locataire) est l'affaire du super-utilisateur.
    assert client_admin_a.get(reverse("admin:accompagnement_departement_add")).status_code == 403
    reponse = client_admin_a.get(reverse("admin:accompagnement_structure_changelist"))
    assert set(reponse.context["cl"].result_list) == {monde.direction_a, monde.agence_a}
    # Le filtre par département ne révèle pas les autres départements.
    assert monde.dep_b.nom not in texte(reponse)
    assert Departement.objects.count() >= 2


def test_le_journal_d_audit_se_limite_au_departement(client_admin_a, monde):
    a = EvenementAudit.objects.create(action=ActionAudit.LECTURE, departement=monde.dep_a)
    EvenementAudit.objects.create(action=ActionAudit.LECTURE, departement=monde.dep_b)
    EvenementAudit.objects.create(action=ActionAudit.CONNEXION, departement=None)
    reponse = client_admin_a.get(reverse("admin:accompagnement_evenementaudit_changelist"))
    resultats = list(reponse.context["cl"].result_list)
    # La connexion du compte lui-même est rattachée à son département (décision 27) ; rien
    # d'un autre département, rien sans département.
    assert a in resultats
    assert {e.departement_id for e in resultats} == {monde.dep_a.pk}
    assert {e.action for e in resultats} <= {ActionAudit.LECTURE, ActionAudit.CONNEXION}
