import pytest

from accompagnement import services
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import ActionAudit, EvenementAudit, Membership, Role
from tests.accompagnement.factories import MembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rattacher_cree_le_rattachement_et_trace(professionnel):
    admin = professionnel(Role.ADMINISTRATEUR)
    agence = StructureFactory(agence=True, departement=admin.structure.departement)
    user = UserFactory()
    m = services.rattacher(user=user, structure=agence, role=Role.CONSEILLER, par=admin.user)
    assert m.actif and m.role == Role.CONSEILLER
    trace = EvenementAudit.objects.get(objet_id=str(m.uuid))
    assert trace.action == ActionAudit.CREATION and trace.acteur == admin.user
    assert trace.departement == agence.departement


def test_rattacher_deux_fois_ne_duplique_pas():
    agence = StructureFactory(agence=True)
    user = UserFactory()
    premier = services.rattacher(user=user, structure=agence, role=Role.CONSEILLER)
    second = services.rattacher(user=user, structure=agence, role=Role.CONSEILLER)
    assert premier == second
    assert Membership.objects.count() == 1


def test_rattacher_reactive_un_rattachement_inactif():
    m = MembershipFactory(role=Role.CONSEILLER, actif=False)
    services.rattacher(user=m.user, structure=m.structure, role=Role.CONSEILLER)
    m.refresh_from_db()
    assert m.actif


@pytest.mark.parametrize(
    ("trait", "role"),
    [
        ("agence", Role.TRAVAILLEUR_SOCIAL),
        ("agence", Role.CORRESPONDANT_INSERTION),
        ("territoire", Role.CONSEILLER),
        ("territoire", Role.CONSEILLER_DEDIE),
    ],
)
def test_rattacher_refuse_un_role_etranger_a_la_structure(trait, role):
    structure = StructureFactory(**{trait: True})
    with pytest.raises(ErreurMetier, match="n'existe pas dans une structure"):
        services.rattacher(user=UserFactory(), structure=structure, role=role)
    assert Membership.objects.count() == 0


def test_rattacher_refuse_une_structure_desactivee():
    structure = StructureFactory(agence=True, actif=False)
    with pytest.raises(ErreurMetier, match="désactivée"):
        services.rattacher(user=UserFactory(), structure=structure, role=Role.CONSEILLER)


def test_verifier_rattachement_la_regle_partagee_avec_l_administration():
    fermee = StructureFactory(agence=True, actif=False)
    # Un rattachement inactif (désactivation) n'exige pas une structure active…
    services.verifier_rattachement(structure=fermee, role=Role.CONSEILLER, actif=False)
    with pytest.raises(ErreurMetier, match="désactivée"):
        services.verifier_rattachement(structure=fermee, role=Role.CONSEILLER)
    # … mais le rôle doit toujours exister dans ce type de structure.
    with pytest.raises(ErreurMetier, match="n'existe pas dans une structure"):
        services.verifier_rattachement(structure=fermee, role=Role.ADMINISTRATEUR, actif=False)


def test_detacher_desactive_sans_supprimer():
    m = MembershipFactory(role=Role.CONSEILLER)
    services.detacher(membership=m)
    m.refresh_from_db()
    assert not m.actif
    with pytest.raises(ErreurMetier, match="déjà inactif"):
        services.detacher(membership=m)


def test_contraintes_en_base():
    from django.db import IntegrityError, transaction

    m = MembershipFactory(role=Role.CONSEILLER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=m.user, structure=m.structure, role=Role.CONSEILLER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=m.user, structure=m.structure, role="pape")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email=m.user.email.upper())


def test_notifications_suspendues_dans_le_bloc():
    from accompagnement import notifications
    from accompagnement.models import Notification

    user = UserFactory()
    with notifications.suspendues():
        notifications.envoyer(destinataires=[user], sujet="Muet", texte="…")
    notifications.envoyer(destinataires=[user], sujet="Sonore", texte="…")
    assert list(Notification.objects.values_list("titre", flat=True)) == ["Sonore"]
