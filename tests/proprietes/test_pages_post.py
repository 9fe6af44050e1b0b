"""Propriété : les POST des pages principales (création d'une personne, note, action du
plan, sollicitation), remplis d'une saisie valide dont quelques champs sont remplacés par des
entrées hostiles (NUL, caractères de contrôle, nombres énormes, HTML/JS, champs inconnus),
ne font jamais répondre 500 ; ce qu'ils enregistrent (le HTML/JS d'un texte libre compris) est
rendu échappé sur les pages qui l'affichent. Chaque exemple est annulé ensuite (point de
sauvegarde) : il part du même dossier."""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from dossiers.models import CotePorteur, Demandeur, ModeRecueil, Sollicitation, VisibiliteNote
from dossiers.suivi import services as suivi
from tests.conventions.factories import ServiceRessourceFactory
from tests.dossiers.scenarios import en_axe_2
from tests.proprietes.strategies import MARQUEUR, texte_hostile

pytestmark = pytest.mark.django_db


@dataclass
class Page:
    """Une page à formulaire : qui la remplit, où, une saisie valide, où relire le résultat."""

    membership: object
    url: str
    valide: dict
    relire: list[str] = field(default_factory=list)
    compter: object = None  # le nombre d'objets enregistrés (pour vérifier qu'un POST a écrit)


def _creation_personne(equipe):
    return Page(
        membership=equipe.conseiller,
        url=reverse("dossiers:creer"),
        valide={
            "personne-civilite": "mme",
            "personne-nom": f"Durand {MARQUEUR}",
            "personne-prenom": "Léa",
            "personne-nom_naissance": MARQUEUR,
            "personne-date_naissance": "1990-05-04",
            "personne-identifiant_ft": "1234567A",
            "personne-email": "lea@example.org",
            "personne-telephone": "06 12 34 56 78",
            "personne-adresse": f"1 rue {MARQUEUR}",
            "personne-code_postal": "25000",
            "personne-commune": MARQUEUR,
            "personne-code_commune": "25056",
            "personne-indemnisation": "aucune",
            "dossier-origine": "conseiller_ft",
            "dossier-territoire": str(equipe.territoire.pk),
            "dossier-motif": f"Freins {MARQUEUR}",
        },
        relire=[reverse("dossiers:portefeuille"), reverse("dossiers:portefeuille") + "?q=Durand"],
        compter=lambda: (
            type(equipe.departement).objects.get(pk=equipe.departement.pk).demandeurs.count()
        ),
    )


def _note(equipe):
    dossier = en_axe_2(equipe)
    return Page(
        membership=equipe.dedie,
        url=reverse("dossiers:suivi_notes", args=[dossier.uuid]),
        valide={"visibilite": VisibiliteNote.PARTAGEE, "texte": f"Rendez-vous {MARQUEUR}"},
        relire=[
            reverse("dossiers:suivi_notes", args=[dossier.uuid]),
            reverse("dossiers:dossier", args=[dossier.uuid]),
        ],
        compter=dossier.notes.count,
    )


def _action(equipe):
    dossier = en_axe_2(equipe)
    objectif = suivi.ajouter_objectif(
        dossier=dossier, par=equipe.dedie, domaine="emploi", intitule=f"Emploi {MARQUEUR}"
    )
    aujourd_hui = dt.date.today()
    return Page(
        membership=equipe.dedie,
        url=reverse("dossiers:suivi_action_ajouter", args=[dossier.uuid, objectif.uuid]),
        valide={
            "intitule": f"Atelier {MARQUEUR}",
            "cote": CotePorteur.EMPLOI,
            "responsable": str(equipe.dedie.user.pk),
            "date_debut": aujourd_hui.isoformat(),
            "date_fin_prevue": (aujourd_hui + dt.timedelta(days=15)).isoformat(),
            "commentaire": MARQUEUR,
        },
        relire=[
            reverse("dossiers:suivi_plan", args=[dossier.uuid]),
            reverse("dossiers:dossier", args=[dossier.uuid]),
        ],
        compter=dossier.actions.count,
    )


def _sollicitation(equipe):
    dossier = en_axe_2(equipe)
    # La personne accepte que ses coordonnées soient transmises (sinon le champ est refusé).
    Demandeur.objects.filter(pk=dossier.demandeur_id).update(
        accord_transmission_le=dt.date.today(), accord_transmission_mode=ModeRecueil.ORAL
    )
    service = ServiceRessourceFactory(
        structure__departement=equipe.departement,
        structure__nom=f"Association {MARQUEUR}",
        nom=f"Garage {MARQUEUR}",
        courriel="accueil@example.org",
    )
    return Page(
        membership=equipe.dedie,
        url=reverse("dossiers:sollicitation_nouvelle", args=[dossier.uuid, service.uuid]),
        valide={
            "domaine": "mobilite",
            "besoin": f"Louer un véhicule {MARQUEUR}",
            "preference_contact": "telephone",
            "coordonnees_contact": f"06 12 34 56 78 {MARQUEUR}",
            "mode": "direct",
        },
        relire=[reverse("dossiers:dossier", args=[dossier.uuid])],
        compter=Sollicitation.objects.filter(dossier=dossier).count,
    )


def _erreurs(html):
    """Les messages d'erreur d'un formulaire refusé (pour un échec lisible)."""
    return re.findall(r"(?:invalid-feedback|alert-danger|errorlist)[^>]*>(.*?)</", html, re.S)


PAGES = {
    "creation_personne": _creation_personne,
    "note": _note,
    "action": _action,
    "sollicitation": _sollicitation,
}


@pytest.mark.parametrize("nom", sorted(PAGES))
def test_post_hostile_jamais_de_500_et_rien_d_enregistre_rendu_non_echappe(nom, equipe, client_de):
    page = PAGES[nom](equipe)
    client = client_de(page.membership)
    avant = page.compter()
    enregistres = []

    def lire(url):
        reponse = client.get(url)
        assert reponse.status_code < 500, url
        contenu = reponse.content.decode()
        assert MARQUEUR not in contenu, f"{url} : HTML non échappé"
        return contenu

    # La saisie valide s'enregistre, et se relit échappée (le test n'est pas vide).
    with transaction.atomic():
        reponse = client.post(page.url, page.valide)
        assert reponse.status_code == 302, _erreurs(reponse.content.decode())
        assert page.compter() == avant + 1
        for url in [reponse.url, *page.relire]:
            assert "&lt;script&gt;" in lire(url) or url != reponse.url
        transaction.set_rollback(True)

    @given(
        remplaces=st.dictionaries(
            st.one_of(st.sampled_from(sorted(page.valide)), st.text(min_size=1, max_size=12)),
            texte_hostile,
            max_size=3,
        )
    )
    def propriete(remplaces):
        with transaction.atomic():
            reponse = client.post(page.url, {**page.valide, **remplaces})
            assert reponse.status_code < 500, remplaces
            if reponse.status_code == 302:
                enregistres.append(remplaces)
                for url in [reponse.url, *page.relire]:
                    lire(url)
            else:
                assert reponse.status_code in (200, 400), reponse.status_code
                assert MARQUEUR not in reponse.content.decode(), "formulaire en erreur non échappé"
            transaction.set_rollback(True)

    propriete()
    assert enregistres, "aucune saisie hostile enregistrée : la relecture n'a rien vérifié"
    assert page.compter() == avant
