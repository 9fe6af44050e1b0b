"""Suivi du parcours (dossiers/suivi.py) : plan d'action, notes, rendez-vous, aides —
chaque service (cas nominal et chaque refus), les droits par rôle, le journal et l'audit.
Les documents sont dans test_suivi_documents.py, les vues dans test_suivi_vues.py."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accompagnement.models import ActionAudit, EvenementAudit, Notification, Role
from conventions.models import ServiceRessource, StructureRessource
from dossiers.models import (
    Action,
    CotePorteur,
    DecisionAide,
    Dossier,
    EvenementJournal,
    MotifSortie,
    Note,
    Presence,
    RendezVous,
    StatutAction,
    StatutDemandeImportante,
    TypeDemandeImportante,
    TypeEvenement,
    TypeRendezVous,
    Visibilite,
    VisibiliteNote,
    dossiers_avec_actions_en_retard,
    formater_euros,
)
from dossiers.parcours import perms as perms_parcours
from dossiers.parcours import services
from dossiers.suivi import aides as aides_suivi
from dossiers.suivi import perms
from dossiers.suivi import services as suivi
from tests.accompagnement.factories import MembershipFactory
from tests.dossiers.scenarios import en_axe_2

pytestmark = pytest.mark.django_db

AUJOURD_HUI = timezone.localdate
IL_Y_A_30_JOURS = dt.timedelta(days=30)


# --- Outils partagés avec les autres fichiers du suivi ------------------------------------------


def dossier_du_binome(equipe, **kw) -> Dossier:
    """Un dossier en axe 2 (binôme dedie + ts), orienté il y a 30 jours : on peut y dater
    des actions dans le passé (et donc en retard)."""
    kw.setdefault("date", AUJOURD_HUI() - IL_Y_A_30_JOURS)
    return en_axe_2(equipe, **kw)


def objectif(equipe, dossier, domaine="emploi", intitule="Retrouver un emploi de cariste"):
    return suivi.ajouter_objectif(
        dossier=dossier, par=equipe.dedie, domaine=domaine, intitule=intitule
    )


def action(equipe, obj, *, par=None, fin=None, debut=None, **kw):
    """Une action du plan ; par défaut portée par le conseiller dédié, fin dans 15 jours."""
    par = par or equipe.dedie
    valeurs = {
        "intitule": "Atelier CV",
        "cote": CotePorteur.EMPLOI,
        "responsable": equipe.dedie.user,
        "date_debut": debut or obj.dossier.date_orientation,
        "date_fin_prevue": fin or AUJOURD_HUI() + dt.timedelta(days=15),
    }
    valeurs.update(kw)
    return suivi.ajouter_action(objectif=obj, par=par, **valeurs)


def en_retard(equipe, obj, **kw):
    """Une action dont la fin prévue est passée (hier)."""
    return action(equipe, obj, fin=AUJOURD_HUI() - dt.timedelta(days=1), **kw)


def collegue_agence(equipe):
    """Un conseiller de l'agence qui ne suit pas le dossier : en axe 2, il n'en voit que le
    statut (niveau STATUT)."""
    return MembershipFactory(role=Role.CONSEILLER, structure=equipe.agence)


def journal(dossier, type_=None):
    qs = EvenementJournal.objects.filter(dossier=dossier)
    return list(qs.filter(type=type_) if type_ else qs)


def cloturer(equipe, dossier):
    services.cloturer(dossier=dossier, motif_sortie=MotifSortie.ABANDON, par=equipe.dedie)
    dossier.refresh_from_db()


def ressource(departement, nom="Garage solidaire", thematiques=("mobilite--louer-un-vehicule",)):
    structure = StructureRessource.objects.create(
        departement=departement,
        source="locale",
        identifiant=f"s-{nom}",
        nom=f"Association {nom}",
        date_maj=AUJOURD_HUI(),
    )
    service = ServiceRessource(
        departement=departement,
        structure=structure,
        source="locale",
        identifiant=f"svc-{nom}",
        nom=nom,
        date_maj=AUJOURD_HUI(),
        thematiques=list(thematiques),
    )
    service.preparer()
    service.save()
    return service


# --- Droits (fonctions pures) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "qui, voir, ecrire, noter",
    [
        ("dedie", True, True, True),
        ("ts", True, True, True),
        ("correspondant", True, True, True),  # territoire du dossier : accès complet
        ("animatrice", True, False, True),  # lit tout, coordonne, écrit des notes
        ("dedie_bis", False, False, False),  # hors du dossier
    ],
)
def test_droits_du_suivi_par_role(equipe, qui, voir, ecrire, noter):
    dossier = dossier_du_binome(equipe)
    m = getattr(equipe, qui)
    assert perms.peut_voir_suivi(m, dossier) is voir
    assert perms.peut_ecrire_suivi(m, dossier) is ecrire
    assert perms.peut_ajouter_note(m, dossier) is noter


def test_droits_du_suivi_statut_seul_et_dossier_clos(equipe):
    dossier = dossier_du_binome(equipe)
    collegue = collegue_agence(equipe)
    assert perms_parcours.niveau_acces(collegue, dossier) == perms_parcours.Niveau.STATUT
    assert not perms.peut_voir_suivi(collegue, dossier)
    assert not perms.peut_ecrire_suivi(None, dossier)
    cloturer(equipe, dossier)
    # Clos : la coordination et le correspondant du territoire lisent, personne n'écrit.
    for m in (equipe.animatrice, equipe.correspondant):
        assert perms.peut_voir_suivi(m, dossier)
        assert not perms.peut_ecrire_suivi(m, dossier)
        assert not perms.peut_ajouter_note(m, dossier)


def test_visibilites_de_note_permises(equipe):
    assert perms.visibilites_note_permises(equipe.dedie) == ["partagee", "privee"]
    assert perms.visibilites_note_permises(equipe.ts) == ["partagee", "sociale", "privee"]
    assert perms.visibilites_note_permises(equipe.correspondant) == [
        "partagee",
        "sociale",
        "privee",
    ]
    assert perms.visibilites_note_permises(equipe.animatrice) == ["partagee", "privee"]
    assert perms.visibilites_note_permises(None) == []


def test_detail_d_un_objectif_sante(equipe):
    dossier = dossier_du_binome(equipe)
    sante = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Reprendre un suivi médical"
    )
    emploi = objectif(equipe, dossier)
    assert perms.peut_lire_detail_objectif(equipe.dedie, emploi)
    assert not perms.peut_lire_detail_objectif(equipe.dedie, sante)
    assert perms.peut_lire_detail_objectif(equipe.ts, sante)
    assert perms.peut_lire_detail_objectif(equipe.animatrice, sante)  # lit tout le plan
    # L'auteur d'un objectif santé le relit, même du côté emploi.
    propre = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.dedie, domaine="sante", intitule="Bilan de santé"
    )
    assert perms.peut_lire_detail_objectif(equipe.dedie, propre)


# --- Plan d'action : objectifs ---------------------------------------------------------------


def test_ajouter_un_objectif_journal_et_audit(equipe):
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier)
    assert obj.domaine == "emploi" and obj.cree_par == equipe.dedie.user
    evenement = journal(dossier, TypeEvenement.ACTION)[0]
    assert "Objectif ajouté au plan d'action (domaine emploi) : " in evenement.resume
    assert "cariste" in evenement.resume and evenement.visibilite == Visibilite.PARTAGEE
    assert EvenementAudit.objects.filter(
        action=ActionAudit.CREATION, objet_id=str(obj.uuid), acteur=equipe.dedie.user
    ).exists()


def test_objectif_sante_le_journal_ne_reprend_pas_l_intitule(equipe):
    dossier = dossier_du_binome(equipe)
    suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Sevrage alcoolique"
    )
    resume = journal(dossier, TypeEvenement.ACTION)[0].resume
    assert "(domaine santé) — par" in resume and "Sevrage" not in resume


def test_journal_ajout_d_une_action_sensible_ou_de_l_action_nommee(equipe):
    dossier = dossier_du_binome(equipe)
    sante = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.ts, domaine="sante", intitule="Sevrage alcoolique"
    )
    action(equipe, sante, par=equipe.ts, cote=CotePorteur.SOCIAL, responsable=equipe.ts.user)
    action(equipe, objectif(equipe, dossier), intitule="Atelier CV")
    resumes = [e.resume for e in journal(dossier, TypeEvenement.ACTION)]
    assert any(r.startswith("Ajout d'une action (domaine santé) (côté social") for r in resumes)
    assert any(r.startswith("Ajout de l'action « Atelier CV »") for r in resumes)
    assert not any("de une" in r for r in resumes)


@pytest.mark.parametrize(
    "domaine, intitule, message",
    [
        ("cuisine", "Un objectif", "Choisissez le domaine"),
        ("logement", "   ", "Formulez l'objectif"),
    ],
)
def test_objectif_refuse_si_saisie_invalide(equipe, domaine, intitule, message):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match=message):
        suivi.ajouter_objectif(
            dossier=dossier, par=equipe.dedie, domaine=domaine, intitule=intitule
        )
    assert not dossier.objectifs.exists()


def test_objectif_refuse_a_l_animatrice_et_au_conseiller_qui_ne_voit_que_le_statut(equipe):
    dossier = dossier_du_binome(equipe)
    for m in (equipe.animatrice, collegue_agence(equipe), equipe.dedie_bis):
        with pytest.raises(suivi.AccesRefuse):
            suivi.ajouter_objectif(dossier=dossier, par=m, domaine="emploi", intitule="x")
    assert not dossier.objectifs.exists()


def test_objectif_refuse_sur_un_dossier_clos(equipe):
    dossier = dossier_du_binome(equipe)
    cloturer(equipe, dossier)
    with pytest.raises(suivi.ErreurMetier, match="Ce dossier est clos"):
        objectif(equipe, dossier)


# --- Plan d'action : actions -----------------------------------------------------------------


def test_ajouter_une_action_notifie_le_responsable(equipe):
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier, domaine="mobilite", intitule="Se déplacer")
    garage = ressource(equipe.departement)
    a = action(
        equipe,
        obj,
        intitule="Louer un scooter",
        cote=CotePorteur.SOCIAL,
        responsable=equipe.ts.user,
        ressource=garage,
    )
    assert (a.dossier, a.objectif, a.statut, a.version) == (
        dossier,
        obj,
        StatutAction.EN_PROJET,
        1,
    )
    assert a.ressource == garage and not a.en_retard
    notification = Notification.objects.get(destinataire=equipe.ts.user, categorie="action")
    assert "Louer un scooter" in notification.texte and "/plan/" in notification.lien
    assert "côté social" in journal(dossier, TypeEvenement.ACTION)[0].resume


def test_pas_de_notification_quand_on_se_confie_l_action(equipe):
    dossier = dossier_du_binome(equipe)
    action(equipe, objectif(equipe, dossier))
    assert not Notification.objects.filter(categorie="action").exists()


@pytest.mark.parametrize(
    "champs, message",
    [
        ({"intitule": " "}, "Décrivez l'action"),
        ({"cote": "autre"}, "côté qui porte"),
        ({"date_fin_prevue": "veille"}, "La fin prévue ne peut pas précéder"),
        ({"date_debut": "avant_orientation"}, "ne peut pas précéder l'orientation"),
        ({"responsable": "dedie_bis"}, "ne suit pas ce dossier"),
        ({"ressource": "autre_departement"}, "n'appartient pas à la base du département"),
    ],
)
def test_action_refusee_si_saisie_invalide(equipe, champs, message):
    dossier = dossier_du_binome(equipe)
    obj = objectif(equipe, dossier)
    debut = dossier.date_orientation
    traduction = {
        "veille": debut - dt.timedelta(days=1),
        "avant_orientation": debut - dt.timedelta(days=1),
        "dedie_bis": equipe.dedie_bis.user,
        "autre_departement": ressource(MembershipFactory().structure.departement),
    }
    valeurs = {k: traduction.get(v, v) for k, v in champs.items()}
    with pytest.raises(suivi.ErreurMetier, match=message):
        action(equipe, obj, **valeurs)
    assert not Action.objects.exists()


def test_transitions_de_statut_d_une_action(equipe):
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    a = suivi.changer_statut_action(
        action=a, par=equipe.ts, statut=StatutAction.EN_COURS, version=a.version
    )
    assert (a.statut, a.version, a.date_fin_reelle) == (StatutAction.EN_COURS, 2, None)
    a = suivi.changer_statut_action(
        action=a, par=equipe.dedie, statut=StatutAction.EN_ATTENTE, version=a.version
    )
    a = suivi.changer_statut_action(
        action=a,
        par=equipe.dedie,
        statut=StatutAction.REALISEE,
        version=a.version,
        commentaire="CV terminé",
    )
    assert a.statut == StatutAction.REALISEE and a.date_fin_reelle == AUJOURD_HUI()
    assert a.terminee and a.commentaire == "CV terminé"
    resumes = [e.resume for e in journal(dossier, TypeEvenement.ACTION)]
    assert any(
        r.startswith("L'action « Atelier CV » passe de « en attente » à « réalisée »")
        for r in resumes
    )
    # Une action terminée ne rouvre pas et ne se modifie plus.
    with pytest.raises(suivi.ErreurMetier, match="Impossible de passer l'action"):
        suivi.changer_statut_action(
            action=a, par=equipe.dedie, statut=StatutAction.EN_COURS, version=a.version
        )
    with pytest.raises(suivi.ErreurMetier, match="ne se modifie plus"):
        suivi.modifier_action(action=a, par=equipe.dedie, version=a.version, intitule="x")


@pytest.mark.parametrize("statut", [StatutAction.REALISEE, StatutAction.EN_PROJET, "inventé"])
def test_transition_interdite_depuis_en_projet(equipe, statut):
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    with pytest.raises((suivi.ErreurMetier, ValueError)):
        suivi.changer_statut_action(action=a, par=equipe.dedie, statut=statut, version=1)
    a.refresh_from_db()
    assert (a.statut, a.version) == (StatutAction.EN_PROJET, 1)


@pytest.mark.parametrize("statut", [StatutAction.ABANDONNEE, StatutAction.ANNULEE])
def test_abandon_ou_annulation_datee(equipe, statut):
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    hier = AUJOURD_HUI() - dt.timedelta(days=1)
    a = suivi.changer_statut_action(action=a, par=equipe.ts, statut=statut, version=1, date=hier)
    assert a.date_fin_reelle == hier and a.terminee


def test_fin_d_action_dans_le_futur_ou_avant_son_debut_refusee(equipe):
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier), debut=AUJOURD_HUI())
    a = suivi.changer_statut_action(action=a, par=equipe.ts, statut="en_cours", version=1)
    with pytest.raises(suivi.ErreurMetier, match="dans le futur"):
        suivi.changer_statut_action(
            action=a,
            par=equipe.ts,
            statut="realisee",
            version=2,
            date=AUJOURD_HUI() + dt.timedelta(days=1),
        )
    with pytest.raises(suivi.ErreurMetier, match="avant d'avoir commencé"):
        suivi.changer_statut_action(
            action=a,
            par=equipe.ts,
            statut="realisee",
            version=2,
            date=AUJOURD_HUI() - dt.timedelta(days=1),
        )


def test_modifier_une_action(equipe):
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    nouvelle_fin = AUJOURD_HUI() + dt.timedelta(days=40)
    a = suivi.modifier_action(
        action=a,
        par=equipe.ts,
        version=1,
        intitule="Atelier CV et lettre",
        responsable=equipe.ts.user,
        date_fin_prevue=nouvelle_fin,
    )
    assert (a.intitule, a.responsable, a.date_fin_prevue, a.version) == (
        "Atelier CV et lettre",
        equipe.ts.user,
        nouvelle_fin,
        2,
    )
    with pytest.raises(ValueError):
        suivi.modifier_action(action=a, par=equipe.ts, version=2, statut="realisee")
    with pytest.raises(suivi.ErreurMetier, match="ne suit pas ce dossier"):
        suivi.modifier_action(action=a, par=equipe.ts, version=2, responsable=equipe.dedie_bis.user)


def test_verrouillage_optimiste_la_seconde_modification_est_refusee(equipe):
    """Deux professionnels ouvrent la même action (version 1) ; le premier enregistre, le
    second est refusé avec un message clair et rien de ce qu'a écrit le premier n'est perdu."""
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    lue_par_dedie = Action.objects.get(pk=a.pk)
    lue_par_ts = Action.objects.get(pk=a.pk)
    suivi.modifier_action(
        action=lue_par_dedie, par=equipe.dedie, version=1, intitule="Version du conseiller"
    )
    with pytest.raises(suivi.ConflitEdition, match="modifiée par quelqu'un d'autre"):
        suivi.modifier_action(
            action=lue_par_ts, par=equipe.ts, version=1, intitule="Version du travailleur social"
        )
    with pytest.raises(suivi.ConflitEdition):
        suivi.changer_statut_action(action=lue_par_ts, par=equipe.ts, statut="en_cours", version=1)
    a.refresh_from_db()
    assert (a.intitule, a.version, a.statut) == ("Version du conseiller", 2, "en_projet")


def test_la_mise_a_jour_conditionnelle_protege_aussi_entre_lecture_et_ecriture(equipe):
    """Même si la version lue passe le premier contrôle, l'UPDATE conditionnel ne trouve
    plus la ligne quand quelqu'un l'a changée entre-temps."""
    dossier = dossier_du_binome(equipe)
    a = action(equipe, objectif(equipe, dossier))
    Action.objects.filter(pk=a.pk).update(version=2)  # écriture concurrente
    with pytest.raises(suivi.ConflitEdition):
        suivi._mettre_a_jour(a, 1, intitule="écrasement")
    a.refresh_from_db()
    assert a.intitule == "Atelier CV"


def test_actions_en_retard_et_dossiers_concernes(equipe):
    dossier = dossier_du_binome(equipe)
    autre = dossier_du_binome(equipe, nom="Martin", prenom="Paul")
    obj = objectif(equipe, dossier)
    retard = en_retard(equipe, obj)
    action(equipe, obj)  # pas en retard
    terminee = en_retard(equipe, obj)
    suivi.changer_statut_action(action=terminee, par=equipe.dedie, statut="annulee", version=1)
    action(equipe, objectif(equipe, autre))
    assert retard.en_retard
    assert list(Action.objects.en_retard()) == [retard]
    assert list(dossiers_avec_actions_en_retard()) == [dossier]
    assert list(dossiers_avec_actions_en_retard(Dossier.objects.filter(pk=autre.pk))) == []


# --- Notes -----------------------------------------------------------------------------------


def _trois_notes(equipe, dossier):
    partagee = suivi.ajouter_note(
        dossier=dossier, par=equipe.dedie, texte="Motivée pour la formation.", visibilite="partagee"
    )
    sociale = suivi.ajouter_note(
        dossier=dossier, par=equipe.ts, texte="Dette de loyer en cours.", visibilite="sociale"
    )
    privee = suivi.ajouter_note(
        dossier=dossier, par=equipe.ts, texte="Rappeler mardi.", visibilite="privee"
    )
    return partagee, sociale, privee


def test_notes_et_journal_selon_la_visibilite(equipe):
    dossier = dossier_du_binome(equipe)
    partagee, sociale, privee = _trois_notes(equipe, dossier)
    evenements = {e.objet_id: e for e in journal(dossier, TypeEvenement.NOTE)}
    assert evenements[str(partagee.uuid)].visibilite == Visibilite.PARTAGEE
    assert evenements[str(partagee.uuid)].resume.startswith("Note ajoutée par")
    assert evenements[str(sociale.uuid)].visibilite == Visibilite.SOCIALE
    assert "Dette" not in evenements[str(sociale.uuid)].resume  # jamais le contenu
    # Note privée : rien dans le journal (lu par tout le binôme), la création est auditée.
    assert str(privee.uuid) not in evenements and len(evenements) == 2
    assert EvenementAudit.objects.filter(
        objet_id=str(privee.uuid), action=ActionAudit.CREATION, details__visibilite="privee"
    ).exists()


@pytest.mark.parametrize(
    "qui, attendues",
    [
        ("dedie", {"partagee"}),
        ("ts", {"partagee", "sociale", "privee"}),  # auteur de la note privée
        ("correspondant", {"partagee", "sociale"}),
        ("animatrice", {"partagee"}),
        ("conseiller", {"partagee"}),
    ],
)
def test_qui_lit_quelle_note(equipe, qui, attendues):
    dossier = dossier_du_binome(equipe)
    notes = _trois_notes(equipe, dossier)
    m = getattr(equipe, qui)
    lues = {n.visibilite for n in Note.objects.filter(dossier=dossier).lisibles_par(m)}
    assert lues == attendues
    assert {n.visibilite for n in notes if perms.peut_lire_note(m, n)} == attendues


def test_note_sociale_invisible_du_journal_cote_france_travail(equipe):
    dossier = dossier_du_binome(equipe)
    _trois_notes(equipe, dossier)
    lus_dedie = EvenementJournal.objects.filter(dossier=dossier, type="note").lisibles_par(
        equipe.dedie
    )
    assert [e.resume.split(" par ")[0] for e in lus_dedie] == ["Note ajoutée"]


def test_note_privee_de_l_auteur_seul_meme_pour_l_animatrice(equipe):
    dossier = dossier_du_binome(equipe)
    privee = suivi.ajouter_note(
        dossier=dossier, par=equipe.dedie, texte="Pense-bête", visibilite="privee"
    )
    assert perms.peut_lire_note(equipe.dedie, privee)
    for m in (equipe.ts, equipe.animatrice, equipe.correspondant):
        assert not perms.peut_lire_note(m, privee)
    assert not perms.peut_lire_note(equipe.dedie_bis, privee)  # hors du dossier


def test_note_sociale_refusee_au_cote_france_travail_et_a_l_animatrice(equipe):
    dossier = dossier_du_binome(equipe)
    for m in (equipe.dedie, equipe.animatrice):
        with pytest.raises(suivi.AccesRefuse, match="côté social"):
            suivi.ajouter_note(dossier=dossier, par=m, texte="x", visibilite="sociale")
    assert not Note.objects.exists()


def test_l_animatrice_ecrit_une_note_de_coordination(equipe):
    dossier = dossier_du_binome(equipe)
    note = suivi.ajouter_note(
        dossier=dossier,
        par=equipe.animatrice,
        texte="Comité du jour : renouvellement accordé.",
        visibilite=VisibiliteNote.PARTAGEE,
    )
    assert note.auteur == equipe.animatrice.user


@pytest.mark.parametrize(
    "texte, visibilite, message",
    [
        ("   ", "partagee", "La note est vide"),
        ("x" * 5001, "partagee", "au plus 5000"),
        ("x", "publique", "qui pourra lire"),
    ],
)
def test_note_refusee_si_saisie_invalide(equipe, texte, visibilite, message):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match=message):
        suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte=texte, visibilite=visibilite)


def test_note_refusee_hors_du_dossier_ou_dossier_clos(equipe):
    dossier = dossier_du_binome(equipe)
    for m in (equipe.dedie_bis, collegue_agence(equipe)):
        with pytest.raises(suivi.AccesRefuse):
            suivi.ajouter_note(dossier=dossier, par=m, texte="x", visibilite="partagee")
    cloturer(equipe, dossier)
    with pytest.raises(suivi.ErreurMetier, match="clos"):
        suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte="x", visibilite="partagee")


# --- Rendez-vous -----------------------------------------------------------------------------


def demain_a(heure=10):
    jour = AUJOURD_HUI() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(jour, dt.time(heure)))


def hier_a(heure=10):
    jour = AUJOURD_HUI() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(jour, dt.time(heure)))


def rdv(equipe, dossier, debut=None, type_=TypeRendezVous.INDIVIDUEL, participants=None, **kw):
    return suivi.planifier_rendez_vous(
        dossier=dossier,
        par=equipe.dedie,
        debut=debut or demain_a(),
        type=type_,
        participants=participants or [equipe.dedie.user],
        **kw,
    )


def test_planifier_un_rendez_vous_tripartite(equipe):
    dossier = dossier_du_binome(equipe)
    r = rdv(
        equipe,
        dossier,
        type_=TypeRendezVous.TRIPARTITE,
        participants=[equipe.dedie.user, equipe.ts.user],
        lieu="Agence de Planoise",
    )
    assert set(r.participants.all()) == {equipe.dedie.user, equipe.ts.user}
    assert r.presence == Presence.PREVU
    assert "tripartite" in journal(dossier, TypeEvenement.RENDEZ_VOUS)[0].resume
    # Le travailleur social est prévenu ; pas celui qui planifie.
    prevenus = Notification.objects.filter(titre__startswith="Rendez-vous")
    assert list(prevenus.values_list("destinataire", flat=True)) == [equipe.ts.user.pk]
    assert RendezVous.objects.filter(dossier=dossier).a_venir().get() == r


@pytest.mark.parametrize(
    "type_, qui, message",
    [
        (TypeRendezVous.TRIPARTITE, ["dedie"], "tripartite réunit la personne et le binôme"),
        (TypeRendezVous.INDIVIDUEL, ["dedie_bis"], "Ne suivent pas ce dossier"),
        (TypeRendezVous.INDIVIDUEL, [], "au moins un professionnel"),
        ("visio", ["dedie"], "type de rendez-vous"),
    ],
)
def test_rendez_vous_refuse(equipe, type_, qui, message):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match=message):
        suivi.planifier_rendez_vous(
            dossier=dossier,
            par=equipe.dedie,
            debut=demain_a(),
            type=type_,
            participants=[getattr(equipe, q).user for q in qui],
        )
    assert not RendezVous.objects.exists()


def test_rendez_vous_refuse_sans_heure_ou_avant_l_orientation_ou_par_l_animatrice(equipe):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match="date et l'heure"):
        rdv(equipe, dossier, debut=dt.datetime(2030, 1, 1, 10))
    with pytest.raises(suivi.ErreurMetier, match="précéder l'orientation"):
        rdv(equipe, dossier, debut=hier_a() - dt.timedelta(days=60))
    with pytest.raises(suivi.AccesRefuse):
        suivi.planifier_rendez_vous(
            dossier=dossier,
            par=equipe.animatrice,
            debut=demain_a(),
            type="individuel",
            participants=[equipe.dedie.user],
        )


def test_presence(equipe):
    dossier = dossier_du_binome(equipe)
    futur, passe = rdv(equipe, dossier), rdv(equipe, dossier, debut=hier_a())
    with pytest.raises(suivi.ErreurMetier, match="pas encore eu lieu"):
        suivi.noter_presence(rendez_vous=futur, par=equipe.ts, presence=Presence.PRESENT)
    futur = suivi.noter_presence(rendez_vous=futur, par=equipe.ts, presence=Presence.EXCUSE)
    assert futur.presence == Presence.EXCUSE and futur.presence_notee_par == equipe.ts.user
    passe = suivi.noter_presence(rendez_vous=passe, par=equipe.ts, presence=Presence.ABSENT)
    passe = suivi.noter_presence(rendez_vous=passe, par=equipe.ts, presence=Presence.PRESENT)
    assert passe.presence == Presence.PRESENT  # correction permise
    with pytest.raises(suivi.ErreurMetier, match="Impossible de revenir"):
        suivi.noter_presence(rendez_vous=passe, par=equipe.ts, presence=Presence.PREVU)
    with pytest.raises(suivi.ErreurMetier, match="déjà « présente »"):
        suivi.noter_presence(rendez_vous=passe, par=equipe.ts, presence=Presence.PRESENT)
    resumes = [e.resume for e in journal(dossier, TypeEvenement.RENDEZ_VOUS)]
    assert any("personne absente" in r for r in resumes)
    assert not RendezVous.objects.filter(dossier=dossier).a_venir().exists()


# --- Aides -----------------------------------------------------------------------------------


def test_format_des_montants():
    assert formater_euros(Decimal("1234.56")) == "1\u00a0234,56\u00a0€"
    assert formater_euros(Decimal("50")) == "50,00\u00a0€"
    assert formater_euros(Decimal("1234567.8")) == "1\u00a0234\u00a0567,80\u00a0€"
    assert formater_euros(None) == ""


def test_aide_ponctuelle_demandee_puis_accordee(equipe):
    dossier = dossier_du_binome(equipe)
    aide = aides_suivi.demander_aide(
        dossier=dossier, par=equipe.ts, montant_demande=Decimal("1234.56"), motif="Facture EDF"
    )
    assert aide.decision == DecisionAide.EN_ATTENTE and aide.date_demande == AUJOURD_HUI()
    assert aide.montant_demande_affiche == "1\u00a0234,56\u00a0€"
    with pytest.raises(suivi.ErreurMetier, match="ne peut pas dépasser le montant demandé"):
        aides_suivi.decider_aide(
            aide=aide, par=equipe.ts, accorder=True, montant_accorde=Decimal("2000")
        )
    aide = aides_suivi.decider_aide(
        aide=aide, par=equipe.ts, accorder=True, montant_accorde=Decimal("1000")
    )
    assert (aide.decision, aide.montant_accorde, aide.date_decision) == (
        DecisionAide.ACCORDEE,
        Decimal("1000.00"),
        AUJOURD_HUI(),
    )
    with pytest.raises(suivi.ErreurMetier, match="déjà été accordée"):
        aides_suivi.decider_aide(aide=aide, par=equipe.ts, accorder=False, commentaire="non")
    resumes = [e.resume for e in journal(dossier, TypeEvenement.ACTION)]
    assert any("accordée (1\u00a0000,00\u00a0€)" in r for r in resumes)


def test_aide_ponctuelle_refusee_avec_motif(equipe):
    dossier = dossier_du_binome(equipe)
    aide = aides_suivi.demander_aide(
        dossier=dossier, par=equipe.dedie, montant_demande=Decimal("80"), motif="Permis"
    )
    with pytest.raises(suivi.ErreurMetier, match="motif du refus"):
        aides_suivi.decider_aide(aide=aide, par=equipe.ts, accorder=False)
    aide = aides_suivi.decider_aide(
        aide=aide, par=equipe.ts, accorder=False, commentaire="Hors barème"
    )
    assert aide.decision == DecisionAide.REFUSEE and aide.montant_accorde is None


@pytest.mark.parametrize(
    "montant, motif, date, message",
    [
        (Decimal("0"), "Loyer", None, "doit être positif"),
        (Decimal("-5"), "Loyer", None, "doit être positif"),
        (Decimal("1000000"), "Loyer", None, "dépasse"),
        (Decimal("50"), "  ", None, "motif de la demande"),
        (Decimal("50"), "Loyer", "demain", "dans le futur"),
    ],
)
def test_aide_refusee_si_saisie_invalide(equipe, montant, motif, date, message):
    dossier = dossier_du_binome(equipe)
    date = AUJOURD_HUI() + dt.timedelta(days=1) if date == "demain" else date
    with pytest.raises(suivi.ErreurMetier, match=message):
        aides_suivi.demander_aide(
            dossier=dossier, par=equipe.ts, montant_demande=montant, motif=motif, date_demande=date
        )


def test_aide_refusee_a_l_animatrice(equipe):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.AccesRefuse):
        aides_suivi.demander_aide(
            dossier=dossier, par=equipe.animatrice, montant_demande=Decimal("50"), motif="x"
        )


def test_demande_importante_jusqu_a_l_accord(equipe):
    dossier = dossier_du_binome(equipe)
    demande = aides_suivi.creer_demande_importante(
        dossier=dossier,
        par=equipe.ts,
        type=TypeDemandeImportante.EXPULSION_LOCATIVE,
        objet="Maintien dans le logement, plan d'apurement",
        organisme="CCAPEX",
    )
    assert demande.statut == StatutDemandeImportante.BROUILLON
    with pytest.raises(suivi.ErreurMetier, match="Impossible de passer la demande"):
        aides_suivi.changer_statut_demande_importante(
            demande=demande, par=equipe.ts, statut="accordee"
        )
    for statut in ("transmise", "en_instruction", "accordee"):
        demande = aides_suivi.changer_statut_demande_importante(
            demande=demande, par=equipe.ts, statut=statut
        )
    assert demande.transmise_le and demande.instruction_le and demande.decision_le
    with pytest.raises(suivi.ErreurMetier, match="Impossible de passer la demande"):
        aides_suivi.changer_statut_demande_importante(
            demande=demande, par=equipe.ts, statut="refusee"
        )
    resumes = [e.resume for e in journal(dossier, TypeEvenement.ACTION)]
    assert any("« Expulsion locative » : accordée" in r for r in resumes)


def test_demande_importante_refusee_est_motivee(equipe):
    dossier = dossier_du_binome(equipe)
    demande = aides_suivi.creer_demande_importante(
        dossier=dossier,
        par=equipe.dedie,
        type=TypeDemandeImportante.DESCOLARISATION,
        objet="Rescolarisation de l'aîné",
    )
    demande = aides_suivi.changer_statut_demande_importante(
        demande=demande, par=equipe.ts, statut="transmise"
    )
    with pytest.raises(suivi.ErreurMetier, match="motif du refus"):
        aides_suivi.changer_statut_demande_importante(
            demande=demande, par=equipe.ts, statut="refusee"
        )
    demande = aides_suivi.changer_statut_demande_importante(
        demande=demande, par=equipe.ts, statut="refusee", motif_refus="Pièces manquantes"
    )
    assert demande.statut == "refusee" and demande.motif_refus == "Pièces manquantes"


@pytest.mark.parametrize(
    "type_, objet, message", [("loterie", "x", "type de demande"), ("autre", " ", "l'objet")]
)
def test_demande_importante_refusee_si_saisie_invalide(equipe, type_, objet, message):
    dossier = dossier_du_binome(equipe)
    with pytest.raises(suivi.ErreurMetier, match=message):
        aides_suivi.creer_demande_importante(
            dossier=dossier, par=equipe.ts, type=type_, objet=objet
        )


def test_le_suivi_compte_comme_activite_du_dossier(equipe):
    dossier = dossier_du_binome(equipe)
    Dossier.objects.filter(pk=dossier.pk).update(
        derniere_activite=timezone.now() - dt.timedelta(days=20)
    )
    suivi.ajouter_note(dossier=dossier, par=equipe.ts, texte="Appel", visibilite="partagee")
    dossier.refresh_from_db()
    assert timezone.now() - dossier.derniere_activite < dt.timedelta(minutes=1)
