"""La matrice des droits, lue dans `docs/permissions.md` (la documentation est la source),
et le monde de deux départements sur lequel `tests/test_acces_urls.py` la vérifie.

Ajouter une page : une ligne dans la matrice de `docs/permissions.md` ; si la route prend
un paramètre d'un type encore inconnu, un résolveur dans `RESOLVEURS` (le nom qui suit `=`
dans la colonne « Paramètres ») et, au besoin, l'objet correspondant dans `construire()`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
DEBUT, FIN = "<!-- matrice-des-routes:debut -->", "<!-- matrice-des-routes:fin -->"

# Colonnes de rôle, dans l'ordre de la matrice, et l'attribut du monde qui porte le
# rattachement de ce rôle.
ROLES = {
    "Conseiller": "conseiller",
    "Conseiller dédié": "dedie",
    "Travailleur social": "ts",
    "Correspondant": "correspondant",
    "Animatrice": "animatrice",
    "Administrateur": "administrateur",
}
COLONNES = ["Route", "Méthode", "Paramètres", "Anonyme", *ROLES]
# Ce qu'une case peut dire. « — » : rien à vérifier (la réponse dépend d'un état que le
# monde ne fabrique pas, dit dans la colonne des remarques de la doc).
CODES = {"200", "302", "400", "403", "404", "405", "—"}
ANONYME = {"connexion", "publique"}


@dataclass(frozen=True)
class Regle:
    route: str
    methode: str  # GET ou POST
    parametres: dict[str, str]  # argument de l'URL → résolveur
    anonyme: str  # connexion ou publique
    attendus: dict[str, str] = field(default_factory=dict)  # rôle (attribut) → code


class MatriceInvalide(ValueError):
    pass


def lire_matrice(texte: str | None = None) -> dict[str, Regle]:
    """Le tableau Markdown délimité par DEBUT et FIN : une ligne par route nommée."""
    texte = DOC.read_text(encoding="utf-8") if texte is None else texte
    try:
        bloc = texte.split(DEBUT, 1)[1].split(FIN, 1)[0]
    except IndexError:
        raise MatriceInvalide(f"La matrice n'est pas délimitée par {DEBUT} et {FIN}.") from None
    lignes = [ligne.strip() for ligne in bloc.splitlines() if ligne.strip().startswith("|")]
    entete = [c.strip() for c in lignes[0].strip("|").split("|")]
    if entete[: len(COLONNES)] != COLONNES:
        raise MatriceInvalide(f"Colonnes attendues : {COLONNES}, lues : {entete}")
    regles: dict[str, Regle] = {}
    for ligne in lignes[2:]:
        cases = [c.strip() for c in ligne.strip("|").split("|")]
        route, methode, parametres, anonyme, *codes = cases[: len(COLONNES)]
        route = route.strip("`")
        if route in regles:
            raise MatriceInvalide(f"Route en double dans la matrice : {route}")
        if methode not in {"GET", "POST"}:
            raise MatriceInvalide(f"{route} : méthode « {methode} » (GET ou POST)")
        if anonyme not in ANONYME:
            raise MatriceInvalide(f"{route} : anonyme « {anonyme} » ({ANONYME})")
        inconnus = set(codes) - CODES
        if inconnus:
            raise MatriceInvalide(f"{route} : codes inconnus {inconnus} ({CODES})")
        params = {}
        for morceau in parametres.replace("`", "").split():
            if morceau == "—":
                continue
            nom, _, resolveur = morceau.partition("=")
            params[nom] = resolveur
        regles[route] = Regle(
            route, methode, params, anonyme, dict(zip(ROLES.values(), codes, strict=True))
        )
    return regles


# --- Énumération des routes ----------------------------------------------------------------

EXEMPLES = {"int": "1", "str": "exemple", "slug": "exemple", "path": "exemple/1"}
_PARAM_ROUTE = re.compile(r"<(?:(\w+):)?(\w+)>")
_PARAM_REGEX = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


@dataclass(frozen=True)
class Route:
    nom: str  # espace:nom, ou le chemin d'exemple d'une route sans nom
    gabarit: str  # le chemin avec des marques {argument}


def _gabarit(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _PARAM_ROUTE.sub(lambda m: "{" + m.group(2) + "}", str(pattern._route))
    regex = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")

    def remplacer(m):
        nom, corps = m.group(1), m.group(2)
        if re.fullmatch(r"[\w|]+", corps):  # alternatives littérales (app_label de l'admin)
            return corps.split("|")[0]
        return "{" + nom + "}"

    return _PARAM_REGEX.sub(remplacer, regex).replace("\\", "")


def toutes_les_routes(resolver=None, prefixe="", espace="") -> list[Route]:
    resolver = resolver or get_resolver()
    routes = []
    for entree in resolver.url_patterns:
        morceau = prefixe + _gabarit(entree.pattern)
        if isinstance(entree, URLResolver):
            ns = f"{espace}{entree.namespace}:" if entree.namespace else espace
            routes += toutes_les_routes(entree, morceau, ns)
        elif isinstance(entree, URLPattern):
            routes.append(Route(f"{espace}{entree.name}" if entree.name else morceau, morceau))
    return sorted(set(routes), key=lambda r: r.nom)


def arguments(gabarit: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", gabarit)


def url_d_exemple(route: Route) -> str:
    """Une URL quelconque de la route (pour l'anonyme) : des valeurs qui ne désignent rien."""
    return "/" + re.sub(r"\{(\w+)\}", lambda m: str(uuid.uuid4()), route.gabarit)


def url_dans(route: Route, regle: Regle, monde) -> str:
    valeurs = {nom: RESOLVEURS[regle.parametres[nom]](monde) for nom in arguments(route.gabarit)}
    return "/" + route.gabarit.format(**valeurs)


# --- Résolveurs : un objet du monde (d'un département) pour un argument d'URL ----------------

RESOLVEURS = {
    "dossier": lambda m: m.dossier.uuid,
    "personne": lambda m: m.dossier.demandeur.uuid,
    "personne_sans_dossier": lambda m: m.personne_sans_dossier.uuid,
    "dossier_a_orienter": lambda m: m.dossier_a_orienter.uuid,
    "dossier_sollicite": lambda m: m.dossier_sollicite.uuid,
    "dossier_clos": lambda m: m.dossier_clos.uuid,
    "diagnostic": lambda m: m.diagnostic.uuid,
    "diagnostic_en_cours": lambda m: m.diagnostic_en_cours.uuid,
    "changement": lambda m: m.changement.uuid,
    "objectif": lambda m: m.objectif.uuid,
    "action": lambda m: m.action.uuid,
    "aide": lambda m: m.aide.uuid,
    "demande_importante": lambda m: m.demande_importante.uuid,
    "document": lambda m: m.document.uuid,
    "rendez_vous": lambda m: m.rendez_vous.uuid,
    "prescription": lambda m: m.prescription.uuid,
    "sollicitation": lambda m: m.sollicitation.uuid,
    "service": lambda m: m.service.uuid,
    "structure_ressource": lambda m: m.service.structure.uuid,
    "notification": lambda m: m.notification.uuid,
    "rapport": lambda m: m.rapport.uuid,
    "export_differe": lambda m: m.export_differe.uuid,
    "texte": lambda m: "exemple",  # un jeton, un lien signé : rien de départemental
    # Administration : clés primaires.
    "pk_departement": lambda m: m.departement.pk,
    "pk_structure": lambda m: m.agence.pk,
    "pk_compte": lambda m: m.conseiller.user.pk,
    "pk_rattachement": lambda m: m.conseiller.pk,
    "pk_audit": lambda m: m.evenement_audit.pk,
    "pk_tentative": lambda m: m.tentative.pk,
    "pk_echec": lambda m: m.echec_tache.pk,
    "pk_envoi": lambda m: m.envoi_tache.pk,
    "pk_groupe": lambda m: m.groupe.pk,
    "convention": lambda m: m.convention.uuid,
    "document_signe": lambda m: m.document_signe.uuid,
    "synthese": lambda m: m.synthese.uuid,
    "pk_convention": lambda m: m.convention.pk,
    "pk_partie": lambda m: m.convention.parties.first().pk,
    "pk_effectif": lambda m: m.effectif.pk,
    "pk_avenant": lambda m: m.avenant.pk,
    "seance": lambda m: m.seance.uuid,
    "point": lambda m: m.point.uuid,
    "pk_seance": lambda m: m.seance.pk,
}


class Monde:
    """Un département complet : une agence, un territoire, une direction, un professionnel
    par rôle (animatrice et administrateur « staff » de l'administration) et un objet de
    chaque sorte, fabriqué par les services."""


def construire(nom: str, groupe) -> Monde:
    from django.utils import timezone

    from accompagnement.models import ActionAudit, EvenementAudit, Notification, Role
    from conventions.models import ServiceRessource, StructureRessource
    from dossiers.models import Axe, Dossier, ModeSollicitation, MotifSortie
    from dossiers.parcours import services as parcours
    from dossiers.suivi import aides
    from dossiers.suivi import services as suivi
    from tests.accompagnement.factories import (
        DepartementFactory,
        MembershipFactory,
        StructureFactory,
    )
    from tests.diagnostics.parcours import diagnostic_partage, diagnostic_rempli
    from tests.dossiers.scenarios import avec_binome, en_axe_2, nouveau_dossier, prescrit
    from tests.dossiers.sollicitations.test_sollicitations import (
        accord_enregistre,
        creer,
        ressource,
    )
    from tests.dossiers.suivi.test_documents import deposer
    from tests.dossiers.suivi.test_services import action, objectif, rdv

    m = Monde()
    m.departement = DepartementFactory(nom=f"Département {nom}")
    m.agence = StructureFactory(agence=True, departement=m.departement, nom=f"Agence {nom}")
    m.territoire = StructureFactory(
        territoire=True, departement=m.departement, nom=f"Territoire {nom}"
    )
    m.direction = StructureFactory(
        direction=True, departement=m.departement, nom=f"Direction {nom}"
    )
    m.conseiller = MembershipFactory(role=Role.CONSEILLER, structure=m.agence)
    m.dedie = MembershipFactory(role=Role.CONSEILLER_DEDIE, structure=m.agence)
    m.ts = MembershipFactory(role=Role.TRAVAILLEUR_SOCIAL, structure=m.territoire)
    m.correspondant = MembershipFactory(role=Role.CORRESPONDANT_INSERTION, structure=m.territoire)
    m.animatrice = MembershipFactory(role=Role.ANIMATRICE, structure=m.direction)
    m.administrateur = MembershipFactory(role=Role.ADMINISTRATEUR, structure=m.direction)
    m.groupe = groupe
    # Tâches échouées et boîte d'envoi : sans département, lisibles du super-utilisateur seul.
    from accompagnement.models import EchecTache, EnvoiTache

    m.echec_tache = EchecTache.objects.create(tache="exemple", exception="RuntimeError")
    m.envoi_tache = EnvoiTache.objects.create(tache="exemple")
    for staff in (m.animatrice, m.administrateur):
        staff.user.is_staff = True
        staff.user.save(update_fields=["is_staff"])
        staff.user.groups.add(groupe)

    # Le dossier du binôme, en axe 2, avec son suivi ; un dossier au diagnostic partagé.
    m.dossier = en_axe_2(m, nom=f"Binome{nom}")
    Dossier.objects.filter(pk=m.dossier.pk).update(territoire=m.territoire)
    m.dossier.refresh_from_db()
    m.diagnostic = diagnostic_partage(m)
    m.diagnostic_en_cours = diagnostic_rempli(
        m, avec_binome(m, nouveau_dossier(m, nom=f"Encours{nom}"))
    )
    m.objectif = objectif(m, m.dossier)
    m.action = action(m, m.objectif)
    m.rendez_vous = rdv(m, m.dossier)
    m.document = deposer(m, m.dossier)
    m.note = suivi.ajouter_note(
        dossier=m.dossier, par=m.ts, texte="Note partagée", visibilite="partagee"
    )
    m.aide = aides.demander_aide(
        dossier=m.dossier, par=m.ts, montant_demande=Decimal("150"), motif="Cantine"
    )
    m.demande_importante = aides.creer_demande_importante(
        dossier=m.dossier, par=m.ts, type="expulsion_locative", objet="Maintien"
    )
    m.changement = parcours.demander_changement_axe(
        dossier=m.dossier, axe=Axe.RESSOURCES_SOCIALES, motif="Essai", par=m.dedie
    )
    # Un dossier à orienter (proposé en axe 2 : une prescription en cours).
    m.dossier_a_orienter = nouveau_dossier(m, nom=f"Aorienter{nom}")
    m.prescription = prescrit(m, m.dossier_a_orienter)
    # Un dossier du territoire avec une sollicitation envoyée au correspondant.
    m.dossier_sollicite = nouveau_dossier(m, nom=f"Sollicite{nom}")
    Dossier.objects.filter(pk=m.dossier_sollicite.pk).update(territoire=m.territoire)
    m.dossier_sollicite.refresh_from_db()
    accord_enregistre(m.dossier_sollicite)  # coordonnées transmises avec l'accord
    m.service = ressource(m.departement, nom=f"Crèche {nom}")
    # Une ressource saisie à la main (modifiable par l'animatrice et le correspondant).
    StructureRessource.objects.filter(pk=m.service.structure_id).update(source="locale")
    ServiceRessource.objects.filter(pk=m.service.pk).update(source="locale")
    m.service.refresh_from_db()
    m.sollicitation = creer(m, m.dossier_sollicite, m.service, mode=ModeSollicitation.CORRESPONDANT)
    # Un dossier clos (nouveau parcours possible).
    m.dossier_clos = nouveau_dossier(m, nom=f"Clos{nom}")
    parcours.cloturer(dossier=m.dossier_clos, par=m.conseiller, motif_sortie=MotifSortie.FIN_DUREE)
    m.dossier_clos.refresh_from_db()

    # Une personne importée, sans dossier, de l'agence (liste « Personnes sans dossier »).
    from tests.dossiers.factories import DemandeurFactory

    m.personne_sans_dossier = DemandeurFactory(
        departement=m.departement, agence=m.agence, nom=f"Sansdossier{nom}"
    )

    # Le conseiller de la matrice est un collègue de l'agence qui n'a ouvert aucun de ces
    # dossiers (celui qui les a ouverts y tient la place de conseiller) : sa colonne dit
    # la règle de l'agence, pas celle d'une place tenue.
    m.conseiller_createur = m.conseiller
    m.conseiller = MembershipFactory(role=Role.CONSEILLER, structure=m.agence)

    # Une convention signée avec un avenant (conventions de partenariat).
    import datetime as dt

    from conventions import services as conventions
    from reporting.catalogue import Mois, Perimetre
    from reporting.services import generer_rapport
    from tests.conventions.test_conventions import nouvelle_convention

    m.convention = nouvelle_convention(m.departement, intitule=f"Convention {nom}")
    from conventions.models import Moyen, NatureMoyen

    m.effectif = Moyen.objects.create(
        convention=m.convention,
        nature=NatureMoyen.POSTE,
        libelle="Conseiller dédié",
        structure="Agence",
        nombre=1,
        etp=Decimal("1.00"),
    )
    conventions.signer_convention(convention=m.convention, par=m.animatrice)
    m.avenant = conventions.ajouter_avenant(
        convention=m.convention,
        par=m.animatrice,
        numero=1,
        objet="Prolongation",
        date_signature=dt.date(2016, 11, 15),
        date_effet=dt.date(2017, 1, 1),
        nouvelles_valeurs={"date_echeance": dt.date(2018, 12, 31)},
    )

    # Un exemplaire signé joint à la convention, et une synthèse prête (fichier rangé à la
    # main : le rendu PDF est vérifié par tests/reporting/test_synthese.py).
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reporting.models import EtatSynthese, SyntheseConvention
    from tests.accompagnement.pdfs import pdf_valide

    pdf = ContentFile(pdf_valide(), name="convention-signee.pdf")
    m.document_signe = conventions.deposer_document_signe(
        convention=m.convention, par=m.animatrice, fichier=pdf, intitule="Convention signée"
    )
    m.synthese = SyntheseConvention(
        convention=m.convention,
        departement=m.departement,
        version=1,
        etat=EtatSynthese.PRETE,
        date_reference=dt.date(2026, 4, 1),
    )
    m.synthese.chemin = default_storage.save(
        f"syntheses/{m.departement.code_insee}/{m.synthese.uuid}", ContentFile(b"%PDF-1.4\n")
    )
    m.synthese.taille = 9
    m.synthese.save()

    m.rapport = generer_rapport(perimetre=Perimetre(m.departement), mois=Mois(2026, 3))
    # Un gros export prêt, demandé par l'animatrice : elle seule le voit.
    from reporting import services as reporting

    m.export_differe = reporting.demander_export(
        par=m.animatrice,
        indicateur="file_active",
        filtres="mois=2026-03",
        format_="csv",
        nominatif=False,
        lignes=0,
    )
    reporting.produire_export(
        m.export_differe, contenu=lambda e: (["Référence (pseudonyme)"], iter(()), "Export")
    )
    m.notification = Notification.objects.create(
        destinataire=m.animatrice.user, titre=f"Une notification {nom}", lien="/"
    )
    m.evenement_audit = EvenementAudit.objects.create(
        action=ActionAudit.LECTURE, acteur=m.conseiller.user, departement=m.departement
    )
    from axes.models import AccessAttempt

    m.tentative = AccessAttempt.objects.create(
        username=m.conseiller.user.email,
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=1,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/connexion/",
    )

    # Une séance de comité préparée par l'animatrice, le conseiller dédié invité, le
    # dossier du binôme à l'ordre du jour (comités techniques).
    from comites import services as comites

    m.seance = comites.creer_seance(
        par=m.animatrice, type="orientations", debut=timezone.now(), lieu=f"Salle {nom}"
    )
    comites.ajouter_participant(seance=m.seance, par=m.animatrice, membership=m.dedie)
    m.point = comites.ajouter_point(seance=m.seance, par=m.animatrice, dossier=m.dossier)
    return m
