"""Propriété : chaque formulaire du projet, rempli d'entrées hostiles (chaînes au hasard,
NUL, caractères de contrôle, nombres énormes, HTML/JS), se valide sans exception, ne garde
aucun NUL dans ses données nettoyées, borne ses nombres entiers (un entier démesuré ne doit
jamais atteindre PostgreSQL : erreur 500) et rend ses valeurs échappées. Les formulaires
sont découverts dans les modules du projet : un formulaire ajouté est couvert d'office."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.db import transaction
from django.db.models import Value
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from django_filters import FilterSet
from hypothesis import given, settings
from hypothesis import strategies as st

from accompagnement.referentiels import DomaineFrein
from diagnostics.models import Presence as PresenceFrein
from dossiers.models import (
    TRANSITIONS_ACTION,
    TRANSITIONS_DEMANDE_IMPORTANTE,
    TRANSITIONS_PRESENCE,
)
from tests.conventions.factories import ServiceRessourceFactory
from tests.diagnostics.factories import DiagnosticFactory, FreinFactory
from tests.dossiers.factories import (
    ActionFactory,
    DemandeImportanteFactory,
    ObjectifFactory,
    RendezVousFactory,
)
from tests.dossiers.scenarios import nouveau_dossier
from tests.proprietes.strategies import MARQUEUR, texte_hostile

pytestmark = pytest.mark.django_db

APPLICATIONS = ["accompagnement", "conventions", "dossiers", "diagnostics", "reporting"]


def _modules():
    for application in APPLICATIONS:
        paquet = importlib.import_module(application)
        for info in pkgutil.walk_packages(paquet.__path__, f"{application}."):
            feuille = info.name.rsplit(".", 1)[-1]
            if feuille in {"forms", "filters"}:  # l'administration : tests de son lot
                yield importlib.import_module(info.name)


def formulaires() -> list[type[forms.BaseForm]]:
    trouves = {}
    for module in _modules():
        for _, classe in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(classe, forms.BaseForm)
                and classe.__module__.split(".")[0] in APPLICATIONS
                and not classe.__name__.startswith("_")
            ):
                trouves[f"{classe.__module__}.{classe.__name__}"] = classe
    return [trouves[nom] for nom in sorted(trouves)]


FORMULAIRES = formulaires()


@pytest.fixture
def dossier(equipe):
    return nouveau_dossier(equipe)


def test_la_decouverte_trouve_les_formulaires():
    noms = {f.__name__ for f in FORMULAIRES}
    assert {"DemandeurForm", "NoteForm", "SollicitationForm", "FreinForm", "ConnexionForm"} <= noms
    assert len(FORMULAIRES) > 40


def construire(classe, equipe, dossier, donnees, **objets):
    """Le formulaire lié à `donnees`, ses arguments nommés pris dans un jeu commun (les
    formulaires du projet demandent le rattachement, le dossier, le département…)."""
    requete = RequestFactory().post("/")
    requete.user, requete.membership = equipe.animatrice.user, equipe.animatrice
    requete.departement = equipe.departement
    commun = {
        "membership": equipe.animatrice,
        "par": equipe.animatrice,
        "dossier": dossier,
        "demandeur": dossier.demandeur,
        "departement": equipe.departement,
        "request": requete,
        "user": equipe.animatrice.user,
        "structure": equipe.territoire,
        "entetes": ["Nom", "Prénom"],
        "exemples": {"Nom": MARQUEUR},
        "memberships": [equipe.animatrice, equipe.conseiller],
        "places": ["conseiller", "travailleur_social"],
        "axe_courant": 1,
        # Comme `lectures.travailleurs_sociaux_pour` : annoté de la charge (`total`).
        "queryset": type(equipe.ts).objects.filter(pk=equipe.ts.pk).annotate(total=Value(0)),
    }
    parametres = {
        nom
        for cls in classe.__mro__
        if "__init__" in vars(cls)
        for nom in inspect.signature(cls.__init__).parameters
    }
    kwargs = {n: v for n, v in commun.items() if n in parametres} | objets
    if "request" in parametres and issubclass(classe, forms.Form) and "data" not in parametres:
        return classe(requete, data=donnees, **{k: v for k, v in kwargs.items() if k != "request"})
    return classe(data=donnees, **kwargs)


# Formulaires qui exigent un objet métier précis (le frein, l'action, le rendez-vous, le
# diagnostic…) : chacun reçoit ici l'objet construit par les fabriques, dans un état tiré au
# hasard parmi ceux où la page l'affiche. Un formulaire ajouté qui demande un argument inconnu
# fait échouer le test (TypeError) : on lui ajoute alors sa fabrique ici.
def _ouverts(transitions):
    """Les états d'où l'on peut encore changer : les seuls où la page propose le formulaire."""
    return sorted(etat for etat, suivants in transitions.items() if suivants)


def _diagnostic(equipe, dossier, tirer):
    return DiagnosticFactory(dossier=dossier, cree_par=equipe.dedie.user)


def _objectif(equipe, dossier):
    return ObjectifFactory(dossier=dossier, cree_par=equipe.conseiller.user)


def _frein(equipe, dossier, tirer):
    domaine = tirer(st.sampled_from(DomaineFrein.values))
    presence = tirer(st.sampled_from(PresenceFrein.values))
    # Les situations en base ont passé le formulaire : sans NUL (PostgreSQL le refuse).
    situations = tirer(
        st.lists(texte_hostile.map(lambda t: t.replace("\x00", "")[:120]), max_size=3)
    )
    return {
        "frein": FreinFactory(
            diagnostic=_diagnostic(equipe, dossier, tirer),
            domaine=domaine,
            presence=presence,
            situations=situations,
            commentaire=MARQUEUR,
        )
    }


def _sollicitation(equipe, dossier, tirer):
    if tirer(st.booleans()):
        dossier.territoire = equipe.territoire
        dossier.save(update_fields=["territoire"])
    service = ServiceRessourceFactory(
        structure__departement=equipe.departement, nom=MARQUEUR, structure__nom=MARQUEUR
    )
    courriel = tirer(st.sampled_from(["", "accueil@example.org", MARQUEUR]))
    return {"service": service, "courriel_service": courriel}


def _action(equipe, dossier, tirer):
    objectif = _objectif(equipe, dossier)
    kwargs = {"objectif": objectif, "membership": equipe.conseiller}
    if tirer(st.booleans()):  # en modification : la version lue est exigée
        kwargs["initial"] = {"version": 1}
    return kwargs


def _statut_action(equipe, dossier, tirer):
    statut = tirer(st.sampled_from(_ouverts(TRANSITIONS_ACTION)))
    action = ActionFactory(
        objectif=_objectif(equipe, dossier),
        responsable=equipe.conseiller.user,
        statut=statut,
        intitule=MARQUEUR,
    )
    return {"action": action}


def _presence(equipe, dossier, tirer):
    presence = tirer(st.sampled_from(_ouverts(TRANSITIONS_PRESENCE)))
    rdv = RendezVousFactory(dossier=dossier, cree_par=equipe.conseiller.user, presence=presence)
    return {"rendez_vous": rdv}


def _statut_demande(equipe, dossier, tirer):
    statut = tirer(st.sampled_from(_ouverts(TRANSITIONS_DEMANDE_IMPORTANTE)))
    demande = DemandeImportanteFactory(
        dossier=dossier, cree_par=equipe.conseiller.user, statut=statut, objet=MARQUEUR
    )
    return {"demande": demande}


def _avec_diagnostic(equipe, dossier, tirer):
    return {"diagnostic": _diagnostic(equipe, dossier, tirer)}


def _decision_diagnostic(equipe, dossier, tirer):
    return {
        "diagnostic": _diagnostic(equipe, dossier, tirer),
        "proches": [equipe.agence.pk, equipe.territoire.pk],
    }


OBJETS_METIER = {
    "diagnostics.forms.DecisionForm": _decision_diagnostic,
    "diagnostics.forms.EmploiForm": _avec_diagnostic,
    "diagnostics.forms.InformationForm": _avec_diagnostic,
    "diagnostics.forms.FreinForm": _frein,
    "dossiers.sollicitations.forms.SollicitationForm": _sollicitation,
    "dossiers.suivi.forms.ActionForm": _action,
    "dossiers.suivi.forms.PresenceForm": _presence,
    "dossiers.suivi.forms.StatutActionForm": _statut_action,
    "dossiers.suivi.forms.StatutDemandeImportanteForm": _statut_demande,
}

# Plus aucun formulaire n'est laissé de côté ; la liste reste pour qu'un retour en arrière
# se voie (le test exige qu'elle soit vide).
A_CONSTRUIRE_A_LA_MAIN: set[str] = set()


def _id(classe):
    return f"{classe.__module__}.{classe.__name__}"


def _entiers_sans_borne(form):
    return [
        nom
        for nom, champ in form.fields.items()
        if isinstance(champ, forms.IntegerField)  # DecimalField et FloatField en héritent
        and champ.max_value is None
        and getattr(champ, "max_digits", None) is None
    ]


@pytest.mark.parametrize("classe", FORMULAIRES, ids=_id)
def test_formulaire_hostile_valide_sans_exception_et_rendu_echappe(classe, equipe, dossier):
    fabrique = OBJETS_METIER.get(_id(classe), lambda *_: {})

    # 15 exemples par formulaire sous le profil « ci » (25), 300 sous « fouille ».
    @settings(max_examples=settings.default.max_examples * 3 // 5)
    @given(tirage=st.data())
    def propriete(tirage):
        # Chaque exemple dans son point de sauvegarde, annulé ensuite : les objets métier
        # d'un exemple ne gênent pas le suivant (un seul diagnostic n° 1 par dossier…).
        with transaction.atomic():
            exemple(tirage)
            transaction.set_rollback(True)

    def exemple(tirage):
        objets = fabrique(equipe, dossier, tirage.draw)
        vide = construire(classe, equipe, dossier, None, **objets)
        sans_borne = _entiers_sans_borne(vide)
        assert not sans_borne, f"{classe.__name__} : entier sans max_value : {sans_borne}"
        # Une ou deux valeurs par champ (les cases à cocher multiples en reçoivent plusieurs),
        # sous le nom que le formulaire lit (préfixe compris : FreinForm).
        valeurs = tirage.draw(
            st.fixed_dictionaries(
                {
                    vide.add_prefix(nom): st.lists(texte_hostile, min_size=1, max_size=2)
                    for nom in vide.fields
                }
            )
        )
        form = construire(classe, equipe, dossier, MultiValueDict(valeurs), **objets)
        if form.is_valid():
            for valeur in form.cleaned_data.values():
                assert "\x00" not in str(valeur)
        rendu = str(form)
        assert MARQUEUR not in rendu

    propriete()


def test_chaque_objet_metier_vise_un_formulaire_existant():
    assert set(OBJETS_METIER) <= {_id(f) for f in FORMULAIRES}


def test_plus_aucun_formulaire_n_est_laisse_de_cote():
    assert not A_CONSTRUIRE_A_LA_MAIN, f"formulaires laissés de côté : {A_CONSTRUIRE_A_LA_MAIN}"


def test_les_filtres_sont_couverts_par_les_querystrings():
    assert all(not issubclass(c, FilterSet) for c in FORMULAIRES)
