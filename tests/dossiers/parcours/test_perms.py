"""Une question de droits par test : périmètre des listes (visibles_par) et niveau de
détail (niveau_acces), rôle par rôle."""

import pytest

from accompagnement.models import Role
from dossiers.imports import perms as perms_imports
from dossiers.models import Axe, Dossier, MotifSortie, RoleAffectation
from dossiers.parcours import perms, services
from dossiers.parcours.perms import Niveau
from dossiers.portefeuilles import perms as perms_portefeuilles
from tests.accompagnement.factories import MembershipFactory, StructureFactory
from tests.dossiers.scenarios import en_axe_2, nouveau_dossier

pytestmark = pytest.mark.django_db


def visibles(membership):
    return set(Dossier.objects.visibles_par(membership).values_list("pk", flat=True))


def test_animatrice_voit_tout_le_departement_et_rien_d_autre(equipe):
    d1, d2 = en_axe_2(equipe), nouveau_dossier(equipe, prenom="Julie")
    etranger = MembershipFactory(role=Role.ANIMATRICE)
    assert visibles(equipe.animatrice) == {d1.pk, d2.pk}
    assert visibles(etranger) == set()
    assert perms.niveau_acces(etranger, d1) is None
    assert perms.niveau_acces(equipe.animatrice, d1) == Niveau.COMPLET


def test_administrateur_ne_voit_aucun_dossier(equipe):
    en_axe_2(equipe)
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    assert visibles(admin) == set()


def test_conseiller_voit_son_agence_en_complet_sauf_axes_2_et_3(equipe):
    axe1 = nouveau_dossier(equipe, prenom="Axe1")
    services.orienter(dossier=axe1, axe=Axe.RESSOURCES_SOCIALES, par=equipe.conseiller, motif="x")
    axe2 = en_axe_2(equipe)
    collegue = MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)
    assert visibles(collegue) == {axe1.pk, axe2.pk}
    axe1.refresh_from_db()
    assert perms.niveau_acces(collegue, axe1) == Niveau.COMPLET
    assert perms.niveau_acces(collegue, axe2) == Niveau.STATUT
    autre_agence = MembershipFactory(
        role=Role.CONSEILLER,
        structure=StructureFactory(agence=True, departement=equipe.departement),
    )
    assert visibles(autre_agence) == set()


def test_travailleur_social_voit_seulement_ses_dossiers(equipe):
    sien = en_axe_2(equipe)
    autre = nouveau_dossier(equipe, prenom="Autre")
    assert visibles(equipe.ts) == {sien.pk}
    assert perms.niveau_acces(equipe.ts, sien) == Niveau.COMPLET
    assert perms.niveau_acces(equipe.ts_bis, sien) is None
    assert perms.niveau_acces(equipe.ts, autre) is None


def test_apres_un_relais_l_ancien_professionnel_garde_le_statut_seul(equipe):
    dossier = en_axe_2(equipe)
    services.affecter(
        dossier=dossier,
        place=RoleAffectation.TRAVAILLEUR_SOCIAL,
        professionnel=equipe.ts_bis,
        par=equipe.animatrice,
    )
    assert perms.niveau_acces(equipe.ts, dossier) == Niveau.STATUT
    assert perms.niveau_acces(equipe.ts_bis, dossier) == Niveau.COMPLET


def test_correspondant_voit_son_territoire(equipe):
    dossier = en_axe_2(equipe)
    assert dossier.territoire == equipe.territoire
    assert dossier.pk in visibles(equipe.correspondant)
    assert perms.niveau_acces(equipe.correspondant, dossier) == Niveau.COMPLET
    ailleurs = MembershipFactory(
        role=Role.CORRESPONDANT_INSERTION,
        structure=StructureFactory(territoire=True, departement=equipe.departement),
    )
    assert visibles(ailleurs) == set()


def test_conseiller_dedie_voit_ses_binomes_en_complet(equipe):
    dossier = en_axe_2(equipe)
    assert perms.niveau_acces(equipe.dedie, dossier) == Niveau.COMPLET
    assert perms.niveau_acces(equipe.dedie_bis, dossier) == Niveau.STATUT  # même agence, pas binôme


def test_droits_d_action(equipe):
    dossier = en_axe_2(equipe)
    assert perms.peut_affecter(equipe.animatrice, dossier)
    assert perms.peut_affecter(equipe.correspondant, dossier)
    assert not perms.peut_affecter(equipe.dedie, dossier)
    assert perms.places_affectables(equipe.correspondant) == [
        RoleAffectation.TRAVAILLEUR_SOCIAL,
        RoleAffectation.REFERENT_SOCIAL,
    ]
    assert perms.peut_demander_changement_axe(equipe.ts, dossier)
    assert not perms.peut_demander_changement_axe(equipe.correspondant, dossier)
    assert not perms.peut_orienter(equipe.dedie, dossier)  # déjà sur un axe
    demande = services.demander_changement_axe(
        dossier=dossier, axe=Axe.RESSOURCES_SOCIALES, motif="x", par=equipe.ts
    )
    assert not perms.peut_decider_changement_axe(equipe.ts, demande)
    assert perms.peut_decider_changement_axe(equipe.dedie, demande)
    assert perms.peut_decider_changement_axe(equipe.animatrice, demande)
    assert perms.peut_cloturer(equipe.dedie, dossier) and not perms.peut_cloturer(
        equipe.correspondant, dossier
    )
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.AUTRE, par=equipe.dedie)
    dossier.refresh_from_db()
    assert not perms.peut_cloturer(equipe.dedie, dossier) and not perms.peut_affecter(
        equipe.animatrice, dossier
    )
    assert perms.peut_rouvrir(equipe.conseiller, dossier)


def test_droits_de_coordination(equipe):
    assert perms_portefeuilles.peut_voir_liste_departement(equipe.animatrice)
    assert not perms_portefeuilles.peut_voir_liste_departement(equipe.dedie)
    assert perms_imports.peut_importer_demandeurs(
        equipe.animatrice
    ) and not perms_imports.peut_importer_demandeurs(equipe.correspondant)
    assert perms_portefeuilles.peut_voir_charges(
        equipe.correspondant
    ) and not perms_portefeuilles.peut_voir_charges(equipe.ts)
    admin = MembershipFactory(role=Role.ADMINISTRATEUR, structure__departement=equipe.departement)
    assert not perms.peut_creer_demandeur(admin) and perms.peut_creer_demandeur(equipe.ts)
