"""Dossiers de démonstration du département calqué sur le Doubs : ~320 personnes et leurs
parcours à tous les statuts (à orienter, diagnostic, axes 1, 2 et 3, clos), avec des
changements d'axe, des relais d'affectation et des dossiers rouverts.

Toutes les écritures métier passent par les services (mêmes invariants qu'en vrai) avec des
dates passées explicites. Seuls les horodatages que les services fixent d'office à
« aujourd'hui » ou « maintenant » sont ensuite recalés dans le passé, par mise à jour
directe (c'est de la démo) : date d'orientation et début de l'affectation automatique du
conseiller (ouvrir_dossier n'a pas de paramètre `date`), dates de demande et de décision des
changements d'axe, `decide_le` des périodes, `cree_le` et `derniere_activite` des dossiers.

Déterministe (deux générateurs à graine fixe ; les noms et identifiants ne dépendent pas du
jour, seules les dates suivent « aujourd'hui ») et idempotent : une personne déjà présente
(même identifiant France Travail) n'est ni recréée ni reparcourue. Noms fictifs."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from accompagnement import demo as demo_noyau
from accompagnement import notifications
from accompagnement.models import Membership, Role
from dossiers.parcours import services
from dossiers.parcours.renouvellement import DUREE_AVANT_RENOUVELLEMENT
from dossiers.prescriptions import services as prescriptions
from dossiers.suivi import services as suivi

from . import demo_vivante
from .models import (
    Affectation,
    Axe,
    Civilite,
    CotePorteur,
    DemandeChangementAxe,
    Demandeur,
    Dossier,
    Indemnisation,
    MotifSortie,
    NiveauQualification,
    Objectif,
    Origine,
    PeriodeOrientation,
    Prescription,
    Presence,
    RoleAffectation,
    StatutDemande,
    StatutDossier,
    TypeRendezVous,
    VisibiliteNote,
)

GRAINE = 20140129  # signature de la convention du Doubs, le 29 janvier 2014
NB_PERSONNES = 320
FENETRE_JOURS = 425  # ~14 mois : aucune date de parcours n'est plus ancienne

EMAIL_CONSEILLER = f"conseiller@{demo_noyau.DOMAINE}"
EMAIL_CONSEILLER_DEDIE = f"conseiller.dedie@{demo_noyau.DOMAINE}"
EMAIL_TRAVAILLEUR_SOCIAL = f"travailleur.social@{demo_noyau.DOMAINE}"
EMAIL_CORRESPONDANT = f"correspondant@{demo_noyau.DOMAINE}"
# Comptes dont la charge est dosée (voir _doser_comptes_demo) : hors des tirages au sort.
COMPTES_DOSES = {
    EMAIL_CONSEILLER,
    EMAIL_CONSEILLER_DEDIE,
    EMAIL_TRAVAILLEUR_SOCIAL,
    EMAIL_CORRESPONDANT,
}
# Charge voulue des comptes de démonstration (dossiers ouverts).
CHARGE_CONSEILLER_DEDIE = 25
CHARGE_TS_AVEC_CONSEILLER_DEDIE = 12
CHARGE_TS_AUTRES_BINOMES = 5
CHARGE_TS_REFERENTE = 3
CHARGE_CONSEILLER = 15

# --- Géographie ------------------------------------------------------------------------
# Index des territoires dans accompagnement.demo.TERRITOIRES.
BESANCON, MONTBELIARD, HAUT_DOUBS, DOUBS_CENTRAL, PAYS_HORLOGER = range(5)


@dataclass(frozen=True)
class Commune:
    nom: str
    code_postal: str
    code_insee: str
    territoire: int
    qpv: bool = False  # la commune compte un quartier prioritaire de la ville


# Communes par agence (index dans accompagnement.demo.AGENCES), avec un poids.
COMMUNES_PAR_AGENCE: dict[int, list[tuple[Commune, int]]] = {
    0: [  # Besançon Planoise
        (Commune("Besançon", "25000", "25056", BESANCON, qpv=True), 12),
        (Commune("Franois", "25770", "25258", BESANCON), 1),
        (Commune("Serre-les-Sapins", "25770", "25542", BESANCON), 1),
        (Commune("Pirey", "25480", "25454", BESANCON), 1),
        (Commune("École-Valentin", "25480", "25212", BESANCON), 1),
        (Commune("Saint-Vit", "25410", "25527", BESANCON), 2),
    ],
    1: [  # Besançon Tarragnoz
        (Commune("Besançon", "25000", "25056", BESANCON, qpv=True), 10),
        (Commune("Thise", "25220", "25560", BESANCON), 1),
        (Commune("Chalezeule", "25220", "25112", BESANCON), 1),
        (Commune("Saône", "25660", "25532", BESANCON), 1),
        (Commune("Beure", "25720", "25058", BESANCON), 1),
        (Commune("Ornans", "25290", "25434", DOUBS_CENTRAL), 3),
    ],
    2: [  # Montbéliard
        (Commune("Montbéliard", "25200", "25388", MONTBELIARD, qpv=True), 6),
        (Commune("Bethoncourt", "25200", "25057", MONTBELIARD, qpv=True), 2),
        (Commune("Grand-Charmont", "25200", "25284", MONTBELIARD, qpv=True), 2),
        (Commune("Sochaux", "25600", "25547", MONTBELIARD), 1),
        (Commune("Bavans", "25550", "25048", MONTBELIARD), 1),
    ],
    3: [  # Audincourt
        (Commune("Audincourt", "25400", "25031", MONTBELIARD, qpv=True), 6),
        (Commune("Exincourt", "25400", "25230", MONTBELIARD), 1),
        (Commune("Seloncourt", "25230", "25539", MONTBELIARD), 2),
        (Commune("Hérimoncourt", "25310", "25304", MONTBELIARD), 1),
        (Commune("Étupes", "25460", "25228", MONTBELIARD), 1),
    ],
    4: [  # Pontarlier
        (Commune("Pontarlier", "25300", "25462", HAUT_DOUBS, qpv=True), 7),
        (Commune("Doubs", "25300", "25204", HAUT_DOUBS), 1),
        (Commune("Houtaud", "25300", "25309", HAUT_DOUBS), 1),
        (Commune("Frasne", "25560", "25259", HAUT_DOUBS), 1),
        (Commune("Levier", "25270", "25334", HAUT_DOUBS), 1),
    ],
    5: [  # Morteau
        (Commune("Morteau", "25500", "25411", PAYS_HORLOGER), 5),
        (Commune("Villers-le-Lac", "25130", "25321", PAYS_HORLOGER), 2),
        (Commune("Les Fins", "25500", "25240", PAYS_HORLOGER), 1),
        (Commune("Maîche", "25120", "25356", PAYS_HORLOGER), 2),
        (Commune("Montlebon", "25500", "25403", PAYS_HORLOGER), 1),
    ],
    6: [  # Baume-les-Dames
        (Commune("Baume-les-Dames", "25110", "25047", DOUBS_CENTRAL), 5),
        (Commune("L'Isle-sur-le-Doubs", "25250", "25315", DOUBS_CENTRAL), 2),
        (Commune("Valdahon", "25800", "25578", DOUBS_CENTRAL), 2),
        (Commune("Rougemont", "25680", "25505", DOUBS_CENTRAL), 1),
        (Commune("Roulans", "25640", "25508", DOUBS_CENTRAL), 1),
    ],
    7: [  # Valentigney
        (Commune("Valentigney", "25700", "25580", MONTBELIARD, qpv=True), 5),
        (Commune("Mandeure", "25350", "25367", MONTBELIARD), 2),
        (Commune("Pont-de-Roide-Vermondans", "25150", "25463", MONTBELIARD), 2),
        (Commune("Mathay", "25700", "25370", MONTBELIARD), 1),
    ],
}
# Part des demandeurs par agence (en %) : Besançon pèse le plus, comme dans le Doubs.
POIDS_AGENCES = [26, 16, 14, 10, 11, 7, 8, 8]
PLANOISE = 0

VOIES = [
    "rue de la République",
    "rue Victor-Hugo",
    "rue des Écoles",
    "rue Pasteur",
    "rue du Général-Leclerc",
    "rue de la Gare",
    "avenue Jean-Jaurès",
    "rue des Lilas",
    "chemin des Vignes",
    "rue du Stade",
    "place de la Mairie",
    "rue des Jardins",
    "impasse des Tilleuls",
    "rue de l'Église",
    "Grande Rue",
    "rue des Fusillés",
    "rue de Belfort",
    "rue du Doubs",
    "allée des Érables",
    "rue Louis-Pergaud",
]

# --- Identités fictives ----------------------------------------------------------------
PRENOMS_FEMMES = [
    "Éloïse", "Léa", "Chloé", "Manon", "Inès", "Zoé", "Noémie", "Anaïs", "Maëlys", "Océane",
    "Mélissa", "Ophélie", "Hélène", "Agnès", "Béatrice", "Thérèse", "Gaëlle", "Cécile",
    "Élise", "Nathalie", "Sylvie", "Isabelle", "Sandrine", "Valérie", "Christelle", "Aurélie",
    "Amandine", "Jessica", "Laëtitia", "Séverine", "Murielle", "Marie-Claire", "Anne-Sophie",
    "Fatoumata", "Aminata", "Awa", "Aïcha", "Yasmine", "Karima", "Leïla", "Nour", "Myriam",
    "Samira", "Naïma", "Khadija", "Zeynep", "Joana", "Mariam", "Héloïse", "Clémence",
    "Margaux", "Justine", "Mégane", "Coralie", "Estelle", "Françoise", "Rose-Marie", "Jade",
]  # fmt: skip
PRENOMS_HOMMES = [
    "Loïc", "Jérémy", "Benoît", "Hervé", "Stéphane", "Frédéric", "Aurélien", "Clément",
    "Kévin", "Dylan", "Rayan", "Mehdi", "Sofiane", "Bilal", "Samir", "Mohamed", "Youssef",
    "Mamadou", "Ibrahima", "Moussa", "Oumar", "Christophe", "Patrick", "Laurent", "Pascal",
    "Thierry", "Didier", "Théo", "Mathéo", "Noé", "Jean-François", "Jean-Michel",
    "Pierre-Yves", "Grégory", "Cédric", "Jérôme", "Sébastien", "Anthony", "Florian", "Maxime",
    "Quentin", "Joël", "Gaëtan", "Raphaël", "Mickaël", "Rémi", "Adrien", "Valentin", "Emre",
    "Hakan", "João", "Rui", "Ahmed", "Nordine", "Djamel", "Éric", "Ludovic", "Bastien",
]  # fmt: skip
NOMS = [
    "Lefèvre", "N'Diaye", "Diallo", "Traoré", "Camara", "Koné", "Cissé", "Touré", "Keïta",
    "Sow", "Bâ", "N'Guessan", "Kouassi", "Martin", "Bernard", "Dubois", "Petit", "Moreau",
    "Lambert", "Girardot", "Pétetin", "Cuenot", "Mairot", "Prêtre", "Bérion", "Boichard",
    "Cretin", "Jouffroy", "Marguet", "Parrenin", "Vernier", "Ménétrier", "Clerc", "Rousseau",
    "Blanchard", "Guérin", "Mercier", "Brûlé", "Séguin", "Bénard", "Pelletier", "Régnier",
    "Lemaître", "Delacroix", "Hénaff", "Le Goff", "Le Gall", "Da Silva", "Ferreira",
    "Pereira", "Gonçalves", "Fernandes", "Rodrigues", "Lopes", "Nguyen", "Tran", "Benmoussa",
    "Haddad", "Belkacem", "Cherif", "Amrani", "Mansouri", "El Amrani", "Aït Ouali", "Hamidi",
    "Boukhalfa", "Yilmaz", "Kaya", "Öztürk", "Çelik", "Rossi", "Bianchi", "Muller", "Schmitt",
    "Sanchez", "Garcia", "Muñoz", "Ibáñez", "Faivre-Rampant", "Courvoisier", "Chevalier",
    "Berçot", "Grosperrin", "Vuillaume", "Monnot", "Jacquemin", "Nardin", "Quiquerez",
    "Michaud", "Lévêque", "Thévenin", "Mougenot", "Gauthier", "Perrot", "Bailly", "Cordier",
    "Dromard", "Sauvageot", "Éthévenaux", "Boillon", "D'Angelo",
]  # fmt: skip

# --- Textes ----------------------------------------------------------------------------
MOTIFS_OUVERTURE = {
    Origine.CONSEILLER_FT: [
        "Freins sociaux repérés lors de l'entretien de suivi.",
        "La personne évoque des difficultés de logement et de mobilité.",
        "Reprise d'emploi freinée par la garde des enfants.",
        "Situation budgétaire tendue signalée à l'entretien d'inscription.",
        "Demande de la personne après une information collective.",
    ],
    Origine.TRAVAILLEUR_SOCIAL: [
        "Projet professionnel exprimé lors du suivi social.",
        "Orientation proposée lors de l'instruction de la demande de RSA.",
        "Souhait de reprendre une activité après une période de soins.",
        "Repéré par la MDS : besoin d'un appui vers l'emploi.",
    ],
    Origine.AUTRE: [
        "Orientation proposée par la mission locale.",
        "Signalement d'une structure d'insertion partenaire.",
    ],
}
MOTIFS_AXE = {
    Axe.RESSOURCES_SOCIALES: [
        "Besoin ponctuel de garde d'enfant pour suivre une formation.",
        "Aide ponctuelle à la mobilité (permis, location de scooter).",
        "Démarches d'accès aux droits à finaliser (complémentaire santé solidaire).",
        "Aide ponctuelle au budget après une régularisation de la CAF.",
        "Besoin d'équipement numérique pour la recherche d'emploi.",
    ],
    Axe.ACCOMPAGNEMENT_GLOBAL: [
        "Cumul de freins (logement précaire, mobilité, budget) ; projet dans la logistique.",
        "Parent isolé, garde d'enfant et dettes ; projet dans l'aide à domicile.",
        "Hébergé chez un tiers, sans permis ; projet dans le bâtiment.",
        "Isolement et difficultés administratives ; projet de reconversion dans la vente.",
        "Longue période d'inactivité et budget fragile ; projet dans la restauration.",
        "Difficultés de lecture et de mobilité ; projet d'agent de production.",
    ],
    Axe.SOCIAL_EXCLUSIF: [
        "Procédure d'expulsion locative : stabiliser le logement avant toute recherche.",
        "Soins de plusieurs mois à venir : recherche d'emploi suspendue.",
        "Séparation récente, situation familiale à stabiliser.",
        "Surendettement : dossier à constituer avant toute reprise.",
    ],
}
MOTIFS_CHANGEMENT = {
    Axe.RESSOURCES_SOCIALES: "Freins levés : un suivi France Travail avec appui ponctuel suffit.",
    Axe.ACCOMPAGNEMENT_GLOBAL: "Nouveaux freins apparus : un accompagnement en binôme est proposé.",
    Axe.SOCIAL_EXCLUSIF: "La situation sociale bloque toute recherche pour quelques mois.",
}
MOTIFS_REFUS = [
    "Le comité technique propose d'abord de mobiliser la base de ressources sociales.",
    "Situation à réexaminer après le prochain point d'étape.",
    "La personne ne souhaite pas changer d'accompagnement pour l'instant.",
]
MOTIFS_RELAIS = [
    "Départ en congé maternité",
    "Mutation sur un autre territoire",
    "Rééquilibrage des portefeuilles",
    "Remplacement pendant un arrêt",
]
COMMENTAIRES_SORTIE = {
    MotifSortie.EMPLOI_DURABLE: "CDI d'agent de production.",
    MotifSortie.EMPLOI_COURT: "Mission d'intérim de trois mois.",
    MotifSortie.CREATION_ACTIVITE: "Création d'une micro-entreprise de services à la personne.",
    MotifSortie.FORMATION_QUALIFIANTE: "Entrée en formation d'aide-soignant(e).",
    MotifSortie.IAE: "Contrat en atelier et chantier d'insertion.",
    MotifSortie.FIN_DUREE: "Fin des douze mois ; relais par le conseiller de l'agence.",
}

# --- Plan (pur, sans base) -------------------------------------------------------------


@dataclass
class Personne:
    rang: int
    civilite: str
    nom: str
    prenom: str
    nom_naissance: str
    date_naissance: dt.date
    identifiant_ft: str
    email: str
    telephone: str
    adresse: str
    commune: Commune
    agence: int
    rsa_allocataire: bool
    numero_caf: str
    rsa_date_ouverture: dt.date | None
    rsa_droits_devoirs: bool
    indemnisation: str
    niveau_qualification: str
    rqth: bool
    residant_qpv: bool


@dataclass
class Parcours:
    """Le chemin d'un dossier. `statut` est l'état final : « a_orienter », « diagnostic »,
    un axe (« 1 », « 2 », « 3 ») ou « clos »."""

    statut: str
    variante: str = ""  # ancien, binome, sans_binome, conseiller, referent, renouvele
    axe_initial: str = ""  # axe avant un changement accepté
    demande: str = ""  # acceptee, refusee, en_attente
    axe_demande: str = ""
    relais: str = ""  # place (RoleAffectation) qui change de titulaire
    rouvert: bool = False  # un dossier clos précède celui-ci
    motif_sortie: str = ""
    axe_avant_sortie: str = ""  # "" : clos avant toute orientation ; "diagnostic" ; un axe
    # Fixés ensuite :
    origine: str = ""
    cd_demo: bool = False
    ts_demo: bool = False
    conseiller_demo: bool = False
    choix: int = 0  # tirage pour choisir les professionnels dans les équipes
    dates: dict[str, dt.date] = field(default_factory=dict)
    contact_recent: int | None = None  # jours avant aujourd'hui du dernier contact


def _parcours_types() -> list[Parcours]:
    """La composition voulue, en nombres exacts (≈ 10 % à orienter, 10 % en diagnostic,
    25 % axe 1, 30 % axe 2, 10 % axe 3, 15 % clos)."""
    P = Parcours
    a1, a2, a3 = Axe.RESSOURCES_SOCIALES, Axe.ACCOMPAGNEMENT_GLOBAL, Axe.SOCIAL_EXCLUSIF
    plan: list[Parcours] = []
    # À orienter (32) : 4 en attente depuis longtemps, 2 rouverts.
    plan += [P("a_orienter", "ancien") for _ in range(4)]
    plan += [P("a_orienter", rouvert=True) for _ in range(2)]
    plan += [P("a_orienter") for _ in range(26)]
    # Diagnostic en cours (32) : binôme prêt, binôme incomplet, conseiller seul, référent.
    plan += [P("diagnostic", "binome") for _ in range(10)]
    plan += [P("diagnostic", "sans_binome") for _ in range(5)]
    plan += [P("diagnostic", "conseiller", rouvert=i < 2) for i in range(12)]
    plan += [P("diagnostic", "referent") for _ in range(5)]
    # Axe 1 (80).
    plan += [P(a1, axe_initial=a2, demande="acceptee") for _ in range(2)]
    plan += [P(a1, demande="refusee", axe_demande=a2) for _ in range(2)]
    plan += [P(a1, demande="en_attente", axe_demande=a2)]
    plan += [P(a1, relais=RoleAffectation.CONSEILLER)]
    plan += [P(a1, rouvert=i < 2) for i in range(74)]
    # Axe 2 (96) : 8 entrés il y a plus de 12 mois (renouvelés).
    plan += [P(a2, axe_initial=a1, demande="acceptee") for _ in range(4)]
    plan += [P(a2, axe_initial=a3, demande="acceptee") for _ in range(3)]
    plan += [P(a2, demande="refusee", axe_demande=a3) for _ in range(2)]
    plan += [P(a2, demande="en_attente", axe_demande=a1)]
    plan += [P(a2, "renouvele") for _ in range(8)]
    plan += [P(a2, relais=RoleAffectation.TRAVAILLEUR_SOCIAL) for _ in range(4)]
    plan += [P(a2, relais=RoleAffectation.CONSEILLER_DEDIE) for _ in range(2)]
    plan += [P(a2, rouvert=i < 2) for i in range(72)]
    # Axe 3 (32).
    plan += [P(a3, axe_initial=a2, demande="acceptee") for _ in range(2)]
    plan += [P(a3, axe_initial=a1, demande="acceptee")]
    plan += [P(a3, demande="refusee", axe_demande=a2)]
    plan += [P(a3, relais=RoleAffectation.REFERENT_SOCIAL)]
    plan += [P(a3) for _ in range(27)]
    # Clos (48) : motifs variés, dont des sorties positives.
    sorties = [
        (MotifSortie.EMPLOI_DURABLE, [a2] * 6 + [a1] * 3),
        (MotifSortie.EMPLOI_COURT, [a2] * 3 + [a1] * 3),
        (MotifSortie.CREATION_ACTIVITE, [a2, a1]),
        (MotifSortie.FORMATION_QUALIFIANTE, [a2] * 3 + [a1] * 2),
        (MotifSortie.IAE, [a2] * 3 + [a1]),
        (MotifSortie.REORIENTATION_SOCIAL, [a2, a1]),
        (MotifSortie.REORIENTATION_FT, [a1, a1, a2]),
        (MotifSortie.FIN_DUREE, [a2] * 4),
        (MotifSortie.ABANDON, ["", "", "", a2, "diagnostic"]),
        (MotifSortie.DEMENAGEMENT, [a1, a2, a3]),
        (MotifSortie.SORTIE_LISTES, [a1, ""]),
        (MotifSortie.SANTE, [a3, a2]),
        (MotifSortie.AUTRE, ["diagnostic"]),
    ]
    for motif, axes in sorties:
        plan += [P("clos", motif_sortie=motif, axe_avant_sortie=axe) for axe in axes]
    assert len(plan) == NB_PERSONNES, len(plan)
    return plan


def _reste_le_plus_fort(total: int, poids: list[int]) -> list[int]:
    """Répartit `total` selon `poids` (méthode du plus fort reste) : des nombres exacts."""
    somme = sum(poids)
    bruts = [total * p / somme for p in poids]
    parts = [int(b) for b in bruts]
    for i in sorted(range(len(poids)), key=lambda i: bruts[i] - parts[i], reverse=True)[
        : total - sum(parts)
    ]:
        parts[i] += 1
    return parts


def _choisir(rng: random.Random, ponderes):
    valeurs, poids = zip(*ponderes, strict=True)
    return rng.choices(valeurs, weights=poids)[0]


def _identifiant_ft(numero: int) -> str:
    return f"{numero:07d}{chr(ord('A') + numero % 26)}"


def _identites(agences: list[int], statuts: list[str]) -> list[Personne]:
    """Les personnes : indépendantes du jour de chargement (même graine, mêmes gens)."""
    rng = random.Random(GRAINE)  # noqa: S311 (données fictives, pas de sécurité)
    numeros = rng.sample(range(1_000_000, 10_000_000), NB_PERSONNES)
    personnes, cles = [], set()
    for rang, (agence, statut) in enumerate(zip(agences, statuts, strict=True)):
        femme = rng.random() < 0.52
        prenom = rng.choice(PRENOMS_FEMMES if femme else PRENOMS_HOMMES)
        nom = rng.choice(NOMS)
        naissance = dt.date(1963, 1, 1) + dt.timedelta(days=rng.randint(0, 43 * 365))
        while (nom, prenom, naissance) in cles:  # identité unique (nom, prénom, naissance)
            naissance += dt.timedelta(days=1)
        cles.add((nom, prenom, naissance))
        nom_naissance = ""
        if femme and naissance.year < 1995 and rng.random() < 0.3:
            nom_naissance = rng.choice([n for n in NOMS if n != nom])
        commune = _choisir(rng, COMMUNES_PAR_AGENCE[agence])
        # Le RSA est plus fréquent quand les freins se cumulent (axes 2 et 3).
        rsa = rng.random() < (0.55 if statut in ("2", "3") else 0.32)
        if rsa:
            indemnisation = _choisir(
                rng, [(Indemnisation.AUCUNE, 80), (Indemnisation.ASS, 15), (Indemnisation.ARE, 5)]
            )
        else:
            indemnisation = _choisir(
                rng, [(Indemnisation.ARE, 60), (Indemnisation.ASS, 12), (Indemnisation.AUCUNE, 28)]
            )
        niveau = _choisir(
            rng,
            [
                (NiveauQualification.SANS, 22),
                (NiveauQualification.NIVEAU_3, 30),
                (NiveauQualification.NIVEAU_4, 24),
                (NiveauQualification.NIVEAU_5, 10),
                (NiveauQualification.NIVEAU_6, 6),
                (NiveauQualification.NIVEAU_7, 3),
                (NiveauQualification.NIVEAU_8, 1),
                ("", 4),
            ],
        )
        email = ""
        if rng.random() < 0.75:
            email = f"{slugify(prenom)}.{slugify(nom)}{rng.randint(1, 99)}@exemple.test"
        telephone = ""
        if rng.random() < 0.9:  # plages réservées par l'Arcep aux œuvres de fiction
            prefixe = "06 39 98" if rng.random() < 0.8 else "03 53 01"
            telephone = f"{prefixe} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
        personnes.append(
            Personne(
                rang=rang,
                civilite=Civilite.MADAME if femme else Civilite.MONSIEUR,
                nom=nom,
                prenom=prenom,
                nom_naissance=nom_naissance,
                date_naissance=naissance,
                identifiant_ft=_identifiant_ft(numeros[rang]),
                email=email,
                telephone=telephone,
                adresse=f"{rng.randint(1, 120)} {rng.choice(VOIES)}" if rng.random() < 0.85 else "",
                commune=commune,
                agence=agence,
                rsa_allocataire=rsa,
                numero_caf=f"{rng.randint(0, 9_999_999):07d}" if rsa else "",
                rsa_date_ouverture=dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 13 * 365))
                if rsa
                else None,
                rsa_droits_devoirs=rsa and rng.random() < 0.9,
                indemnisation=indemnisation,
                niveau_qualification=niveau,
                rqth=rng.random() < 0.09,
                residant_qpv=commune.qpv and rng.random() < 0.45,
            )
        )
    return personnes


def _dater(p: Parcours, rng: random.Random, aujourdhui: dt.date) -> None:
    """Les dates d'un parcours, toutes dans les 14 derniers mois et jamais dans le futur."""
    plancher = aujourdhui - dt.timedelta(days=FENETRE_JOURS)

    def il_y_a(a: int, b: int) -> dt.date:
        return aujourdhui - dt.timedelta(days=rng.randint(a, b))

    def entre(debut: dt.date, fin: dt.date) -> dt.date:
        return debut + dt.timedelta(days=rng.randint(0, max((fin - debut).days, 0)))

    d = p.dates
    if p.statut == "a_orienter":
        d["orientation"] = il_y_a(70, 160) if p.variante == "ancien" else il_y_a(0, 40)
    elif p.statut == "diagnostic":
        d["diagnostic"] = il_y_a(0, 45)
        d["orientation"] = d["diagnostic"] - dt.timedelta(days=rng.randint(3, 21))
    elif p.statut == "clos" and p.axe_avant_sortie in ("", "diagnostic"):
        d["orientation"] = il_y_a(60, 400)
        if p.axe_avant_sortie == "diagnostic":
            d["diagnostic"] = d["orientation"] + dt.timedelta(days=rng.randint(3, 15))
        d["cloture"] = d.get("diagnostic", d["orientation"]) + dt.timedelta(
            days=rng.randint(10, 35)
        )
    else:
        axe = p.axe_avant_sortie if p.statut == "clos" else p.statut
        if p.variante == "renouvele" or p.motif_sortie == MotifSortie.FIN_DUREE:
            entree = il_y_a(370, 395)
        elif p.demande in ("acceptee", "refusee"):
            entree = il_y_a(120, 390)
        elif p.relais:
            entree = il_y_a(60, 330)
        elif p.rouvert:
            entree = il_y_a(5, 200)
        elif p.statut == "clos":
            entree = il_y_a(60, 390)
        else:
            entree = il_y_a(3, 360 if axe == Axe.ACCOMPAGNEMENT_GLOBAL else 330)
        d["entree"] = entree
        d["orientation"] = max(entree - dt.timedelta(days=rng.randint(7, 35)), plancher)
        # Axes 2 et 3 : diagnostic partagé avant l'entrée ; axe 1 : parfois.
        if axe != Axe.RESSOURCES_SOCIALES or rng.random() < 0.3:
            d["diagnostic"] = entre(d["orientation"], entree)
        if p.demande in ("acceptee", "refusee"):
            d["changement"] = entree + dt.timedelta(
                days=rng.randint(45, (aujourdhui - entree).days - 15)
            )
            d["demande"] = d["changement"] - dt.timedelta(days=rng.randint(3, 12))
        elif p.demande == "en_attente":
            d["demande"] = max(il_y_a(1, 12), entree)
        if p.relais:
            d["relais"] = entree + dt.timedelta(
                days=rng.randint(20, (aujourdhui - entree).days - 2)
            )
        if p.statut == "clos":
            if p.motif_sortie == MotifSortie.FIN_DUREE:
                douze_mois = DUREE_AVANT_RENOUVELLEMENT.days
                d["cloture"] = entree + dt.timedelta(days=rng.randint(douze_mois, douze_mois + 4))
            else:
                d["cloture"] = entree + dt.timedelta(
                    days=rng.randint(30, min(330, (aujourdhui - entree).days - 1))
                )
    # Affectations faites entre l'orientation et l'entrée (ou le diagnostic, ou aujourd'hui).
    borne = d.get("diagnostic") or d.get("entree") or d.get("cloture") or aujourdhui
    for place in ("cd", "ts", "referent", "conseiller"):
        d[f"affectation_{place}"] = entre(d["orientation"], borne)
    if "changement" in d:  # les places du nouvel axe sont pourvues avant la demande
        d["affectation_nouvel_axe"] = entre(d["entree"], d["demande"])
    if p.rouvert:  # un premier parcours, clos, avant celui-ci
        d["precedent_cloture"] = d["orientation"] - dt.timedelta(days=rng.randint(15, 60))
        d["precedent_orientation"] = max(
            d["precedent_cloture"] - dt.timedelta(days=rng.randint(40, 120)), plancher
        )
        d["precedent_entree"] = d["precedent_orientation"] + dt.timedelta(days=rng.randint(5, 15))
    if p.statut != "clos":  # 85 % ont eu un contact récent ; les autres dorment
        p.contact_recent = rng.randint(0, 40) if rng.random() < 0.85 else None


def _plan(aujourdhui: dt.date) -> list[tuple[Personne, Parcours]]:
    rng = random.Random(GRAINE + 1)  # noqa: S311 (données fictives, pas de sécurité)
    parcours = _parcours_types()
    # Agences réparties au plus fort reste, statut par statut, puis mélangées.
    par_statut: dict[str, list[Parcours]] = defaultdict(list)
    for p in parcours:
        par_statut[p.statut].append(p)
    agences: dict[int, int] = {}
    for groupe in par_statut.values():
        tirage = [
            agence
            for agence, nombre in enumerate(_reste_le_plus_fort(len(groupe), POIDS_AGENCES))
            for _ in range(nombre)
        ]
        rng.shuffle(tirage)
        for p, agence in zip(groupe, tirage, strict=True):
            agences[id(p)] = agence
    rng.shuffle(parcours)
    for p in parcours:
        p.origine = _choisir(
            rng,
            [(Origine.CONSEILLER_FT, 65), (Origine.TRAVAILLEUR_SOCIAL, 30), (Origine.AUTRE, 5)],
        )
        p.choix = rng.randrange(1_000_000)
        _dater(p, rng, aujourdhui)
    personnes = _identites([agences[id(p)] for p in parcours], [p.statut for p in parcours])
    plan = list(zip(personnes, parcours, strict=True))
    _doser_comptes_demo(plan)
    return plan


def _doser_comptes_demo(plan: list[tuple[Personne, Parcours]]) -> None:
    """Donne de la matière aux comptes de démonstration : le conseiller dédié de Planoise,
    la travailleuse sociale et le conseiller de Besançon."""
    en_binome = [
        (personne, p)
        for personne, p in plan
        if p.statut == Axe.ACCOMPAGNEMENT_GLOBAL
        or (p.statut == "diagnostic" and p.variante in ("binome", "sans_binome"))
    ]
    # Le conseiller dédié de Planoise : ses binômes en axe 2, plus un binôme à compléter.
    charge, a_completer = 0, 0
    for personne, p in en_binome:
        if personne.agence != PLANOISE:
            continue
        if p.statut == Axe.ACCOMPAGNEMENT_GLOBAL and charge < CHARGE_CONSEILLER_DEDIE:
            p.cd_demo, charge = True, charge + 1
        elif p.variante == "sans_binome" and not a_completer:
            p.cd_demo, a_completer = True, 1
    for personne, p in plan:  # une partie de l'historique aussi
        if (
            personne.agence == PLANOISE
            and p.axe_avant_sortie == Axe.ACCOMPAGNEMENT_GLOBAL
            and personne.rang % 2 == 0
        ):
            p.cd_demo = True
    avec, sans = 0, 0
    for personne, p in en_binome:
        if personne.commune.territoire != BESANCON or p.variante == "sans_binome":
            continue
        if p.cd_demo and avec < CHARGE_TS_AVEC_CONSEILLER_DEDIE:
            p.ts_demo, avec = True, avec + 1
        elif not p.cd_demo and sans < CHARGE_TS_AUTRES_BINOMES:
            p.ts_demo, sans = True, sans + 1
    referente = 0
    for personne, p in plan:
        if (
            p.statut == Axe.SOCIAL_EXCLUSIF
            and personne.commune.territoire == BESANCON
            and referente < CHARGE_TS_REFERENTE
        ):
            p.ts_demo, referente = True, referente + 1
    charge = 0
    for personne, p in plan:
        if (
            personne.agence == PLANOISE
            and (
                p.statut == Axe.RESSOURCES_SOCIALES
                or (p.statut == "a_orienter" and p.origine == Origine.CONSEILLER_FT)
                or (p.statut == "diagnostic" and p.variante == "conseiller")
            )
            and charge < CHARGE_CONSEILLER
        ):
            p.conseiller_demo, charge = True, charge + 1


# --- Chargement ------------------------------------------------------------------------

# Les places à pourvoir avant d'entrer sur chaque axe (celles qu'exigent les services).
PLACES = services.PLACES_REQUISES


class Equipes:
    """Les professionnels du département (créés par le noyau), par structure et rôle."""

    def __init__(self, departement):
        self.structures = {s.nom: s for s in departement.structures.all()}
        self.par_place: dict[tuple[str, str], list[Membership]] = defaultdict(list)
        self.comptes: dict[tuple[str, str], Membership] = {}
        memberships = (
            Membership.objects.actifs()
            .filter(structure__departement=departement)
            .select_related("user", "structure__departement")
            .order_by("structure__nom", "role", "user__email")
        )
        for m in memberships:
            self.comptes[(m.user.email, m.role)] = m
            if m.user.email not in COMPTES_DOSES:
                self.par_place[(m.structure.nom, m.role)].append(m)
        self.animatrice = self._un(Role.ANIMATRICE)

    def _un(self, role) -> Membership:
        for (_, r), membre in self.comptes.items():
            if r == role:
                return membre
        raise LookupError(f"Aucun professionnel « {Role(role).label} » dans le département.")

    def compte(self, email: str, role) -> Membership:
        try:
            return self.comptes[(email, role)]
        except KeyError:
            raise LookupError(f"Compte de démonstration absent : {email}.") from None

    def parmi(self, structure: str, role, choix: int, sauf=None) -> Membership:
        equipe = [m for m in self.par_place[(structure, role)] if m.user_id != sauf]
        if not equipe:
            raise LookupError(f"Aucun « {Role(role).label} » dans « {structure} ».")
        return equipe[choix % len(equipe)]


def _apres_entree(tenues: dict, axe) -> dict:
    """L'entrée en axe 2 ou 3 relaie la place de conseiller de l'agence (les services le
    font : `parcours.services.relayer_place_conseiller`)."""
    if axe in services.AXES_SOCIAUX:
        return {k: v for k, v in tenues.items() if k != RoleAffectation.CONSEILLER}
    return tenues


def _moment(jour: dt.date, heure: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(jour, dt.time(heure, 0)))


class _Chargeur:
    def __init__(self, equipes: Equipes, aujourdhui: dt.date):
        self.equipes = equipes
        self.aujourdhui = aujourdhui
        self.activites: dict[int, dt.date] = {}  # dossier → dernière activité
        self.dates_orientation: dict[int, dt.date] = {}
        self.contacts: dict[int, int | None] = {}  # dossier ouvert → contact récent
        self.demandes: list[tuple[int, dt.date, dt.date | None]] = []
        self.initiaux: dict[str, Membership] = {}  # place → premier titulaire (relais)

    # Qui tient quelle place -----------------------------------------------------------
    def _agence(self, personne: Personne) -> str:
        return demo_noyau.AGENCES[personne.agence][0]

    def _territoire(self, personne: Personne) -> str:
        return demo_noyau.TERRITOIRES[personne.commune.territoire][0]

    def conseiller(self, personne, p) -> Membership:
        if p.conseiller_demo:
            return self.equipes.compte(EMAIL_CONSEILLER, Role.CONSEILLER)
        return self.equipes.parmi(self._agence(personne), Role.CONSEILLER, p.choix)

    def conseiller_dedie(self, personne, p) -> Membership:
        if p.cd_demo:
            return self.equipes.compte(EMAIL_CONSEILLER_DEDIE, Role.CONSEILLER_DEDIE)
        return self.equipes.parmi(self._agence(personne), Role.CONSEILLER_DEDIE, p.choix)

    def travailleur_social(self, personne, p) -> Membership:
        if p.ts_demo:
            return self.equipes.compte(EMAIL_TRAVAILLEUR_SOCIAL, Role.TRAVAILLEUR_SOCIAL)
        return self.equipes.parmi(self._territoire(personne), Role.TRAVAILLEUR_SOCIAL, p.choix)

    def correspondant(self, personne, p) -> Membership:
        if personne.commune.territoire == BESANCON:
            return self.equipes.compte(EMAIL_CORRESPONDANT, Role.CORRESPONDANT_INSERTION)
        return self.equipes.parmi(
            self._territoire(personne), Role.CORRESPONDANT_INSERTION, p.choix // 7
        )

    def titulaire(self, personne, p, place) -> Membership:
        """Le professionnel qui tient `place` à la fin du parcours."""
        return {
            RoleAffectation.CONSEILLER: self.conseiller,
            RoleAffectation.CONSEILLER_DEDIE: self.conseiller_dedie,
            RoleAffectation.TRAVAILLEUR_SOCIAL: self.travailleur_social,
            RoleAffectation.REFERENT_SOCIAL: self.travailleur_social,
        }[place](personne, p)

    def remplacant(self, personne, p, place, actuel: Membership) -> Membership:
        """Un autre professionnel pour la même place (relais)."""
        if place == RoleAffectation.CONSEILLER_DEDIE:
            # Un conseiller dédié par agence : le relais vient d'une autre agence au besoin.
            for agence in (self._agence(personne), *(a for a, _ in demo_noyau.AGENCES)):
                for m in self.equipes.par_place[(agence, Role.CONSEILLER_DEDIE)]:
                    if m.user_id != actuel.user_id:
                        return m
        if place == RoleAffectation.CONSEILLER:
            return self.equipes.parmi(
                self._agence(personne), Role.CONSEILLER, p.choix + 1, sauf=actuel.user_id
            )
        return self.equipes.parmi(
            self._territoire(personne), Role.TRAVAILLEUR_SOCIAL, p.choix + 1, sauf=actuel.user_id
        )

    # Écritures (services) -----------------------------------------------------------
    def affecter(self, dossier, place, pro: Membership, par: Membership, date, motif=""):
        return services.affecter(
            dossier=dossier, place=place, professionnel=pro, par=par, motif=motif, date=date
        )

    def ouvrir(self, demandeur, personne, p, date, precedent=None) -> tuple[Dossier, dict]:
        """Ouvre (ou rouvre) le dossier à `date` ; renvoie aussi les places déjà tenues
        (le conseiller qui oriente devient le conseiller du dossier)."""
        if p.origine == Origine.CONSEILLER_FT:
            par = self.conseiller(personne, p)
        elif p.origine == Origine.TRAVAILLEUR_SOCIAL:
            par = (
                self.correspondant(personne, p)
                if p.choix % 4 == 0
                else self.travailleur_social(personne, p)
            )
        else:
            par = self.equipes.animatrice
        motifs = MOTIFS_OUVERTURE[p.origine]
        motif = motifs[p.choix % len(motifs)]
        if precedent is not None:
            dossier = services.rouvrir(dossier=precedent, par=par, origine=p.origine, motif=motif)
        else:
            dossier = services.ouvrir_dossier(
                demandeur=demandeur,
                par=par,
                origine=p.origine,
                motif=motif,
                territoire=self.equipes.structures[self._territoire(personne)],
            )
        # Les services datent l'ouverture d'aujourd'hui : on la recale (démo).
        Dossier.objects.filter(pk=dossier.pk).update(date_orientation=date)
        Affectation.objects.filter(dossier=dossier).update(date_debut=date)
        dossier.date_orientation = date
        self.activites[dossier.pk] = date
        self.dates_orientation[dossier.pk] = date
        tenues = {}
        if p.origine == Origine.CONSEILLER_FT:
            tenues[RoleAffectation.CONSEILLER] = par
        return dossier, tenues

    def pourvoir(self, dossier, personne, p, places, date, tenues: dict) -> dict:
        """Pourvoit celles des `places` qui ne sont pas déjà tenues."""
        tenues = dict(tenues)
        for place in places:
            if place in tenues:
                continue
            pro = self.initiaux.get(place)
            if pro is None and place == RoleAffectation.TRAVAILLEUR_SOCIAL:
                pro = tenues.get(RoleAffectation.REFERENT_SOCIAL)
            if pro is None and place == RoleAffectation.REFERENT_SOCIAL:
                pro = tenues.get(RoleAffectation.TRAVAILLEUR_SOCIAL)
            pro = pro or self.titulaire(personne, p, place)
            if place in (RoleAffectation.CONSEILLER, RoleAffectation.CONSEILLER_DEDIE):
                # L'animatrice confie les places France Travail et constitue les binômes
                # (le conseiller qui oriente, lui, est affecté à l'ouverture).
                par = self.equipes.animatrice
            else:
                par = self.correspondant(personne, p)
            self.affecter(dossier, place, pro, par, date)
            tenues[place] = pro
        return tenues

    def referent(self, tenues: dict, axe) -> Membership:
        """Qui porte les décisions du dossier sur cet axe."""
        place = {
            Axe.RESSOURCES_SOCIALES: RoleAffectation.CONSEILLER,
            Axe.ACCOMPAGNEMENT_GLOBAL: RoleAffectation.CONSEILLER_DEDIE,
            Axe.SOCIAL_EXCLUSIF: RoleAffectation.REFERENT_SOCIAL,
        }.get(axe)
        return (
            tenues.get(place) or tenues.get(RoleAffectation.CONSEILLER) or self.equipes.animatrice
        )

    def orienter(self, dossier, p, axe, tenues, date):
        motifs = MOTIFS_AXE[axe]
        social = tenues.get(RoleAffectation.TRAVAILLEUR_SOCIAL) or tenues.get(
            RoleAffectation.REFERENT_SOCIAL
        )
        conseiller = tenues.get(RoleAffectation.CONSEILLER_DEDIE) or tenues.get(
            RoleAffectation.CONSEILLER
        )
        services.orienter(
            dossier=dossier,
            axe=axe,
            par=self.referent(tenues, axe),
            motif=motifs[p.choix % len(motifs)],
            accord_personne=True,
            conseiller=conseiller.user if conseiller else None,
            professionnel_social=social.user if social else None,
            date=date,
        )

    def demander(self, dossier, axe_vers, par: Membership, date_demande, decision=None):
        # Une demande encore en attente concerne l'animatrice aujourd'hui : elle est prévenue.
        with notifications.retablies() if decision is None else contextlib.nullcontext():
            demande = services.demander_changement_axe(
                dossier=dossier, axe=axe_vers, motif=MOTIFS_CHANGEMENT[axe_vers], par=par
            )
        if decision is not None:
            accepter, date = decision
            services.decider_changement_axe(
                demande=demande,
                accepter=accepter,
                motif="Validé en comité technique."
                if accepter
                else MOTIFS_REFUS[date.toordinal() % len(MOTIFS_REFUS)],
                par=self.equipes.animatrice,
                accord_personne=True,
                date=date,
            )
        self.demandes.append((demande.pk, date_demande, decision[1] if decision else None))

    def clore(self, dossier, p, tenues, axe, date):
        services.cloturer(
            dossier=dossier,
            motif_sortie=p.motif_sortie,
            par=self.referent(tenues, axe),
            date=date,
            commentaire=COMMENTAIRES_SORTIE.get(p.motif_sortie, ""),
        )
        self.activites[dossier.pk] = date

    # Un parcours complet -----------------------------------------------------------
    def parcours_precedent(self, demandeur, personne, p) -> Dossier:
        """Un premier passage en axe 1, clos, avant le dossier rouvert."""
        d = p.dates
        dossier, tenues = self.ouvrir(demandeur, personne, p, d["precedent_orientation"])
        tenues = self.pourvoir(
            dossier,
            personne,
            p,
            PLACES[Axe.RESSOURCES_SOCIALES],
            d["precedent_orientation"],
            tenues,
        )
        self.orienter(dossier, p, Axe.RESSOURCES_SOCIALES, tenues, d["precedent_entree"])
        motifs = [MotifSortie.ABANDON, MotifSortie.DEMENAGEMENT, MotifSortie.SORTIE_LISTES]
        services.cloturer(
            dossier=dossier,
            motif_sortie=motifs[p.choix % len(motifs)],
            par=tenues[RoleAffectation.CONSEILLER],
            date=d["precedent_cloture"],
        )
        self.activites[dossier.pk] = d["precedent_cloture"]
        return dossier

    def charger(self, demandeur: Demandeur, personne: Personne, p: Parcours) -> None:
        d = p.dates
        self.initiaux = {}
        if p.relais:  # le premier titulaire passera la main au titulaire final
            self.initiaux[p.relais] = self.remplacant(
                personne, p, p.relais, self.titulaire(personne, p, p.relais)
            )
        precedent = self.parcours_precedent(demandeur, personne, p) if p.rouvert else None
        dossier, tenues = self.ouvrir(demandeur, personne, p, d["orientation"], precedent)
        self.contacts[dossier.pk] = p.contact_recent
        if p.statut == "a_orienter":
            return
        axe_final = p.axe_avant_sortie if p.statut == "clos" else p.statut
        axe_entree = p.axe_initial or axe_final
        # Places pourvues pendant l'orientation, puis diagnostic partagé.
        if p.variante == "conseiller":
            places, date = PLACES[Axe.RESSOURCES_SOCIALES], d["affectation_conseiller"]
        elif p.variante == "sans_binome":  # le travailleur social n'est pas encore désigné
            places, date = (RoleAffectation.CONSEILLER_DEDIE,), d["affectation_cd"]
        elif p.variante == "binome":
            places, date = PLACES[Axe.ACCOMPAGNEMENT_GLOBAL], d["affectation_cd"]
        elif p.variante == "referent":
            places, date = PLACES[Axe.SOCIAL_EXCLUSIF], d["affectation_referent"]
        else:
            places, date = PLACES.get(axe_entree, ()), d["affectation_cd"]
        tenues = self.pourvoir(dossier, personne, p, places, date, tenues)
        if "diagnostic" in d:
            par = (
                tenues.get(RoleAffectation.CONSEILLER_DEDIE)
                or tenues.get(RoleAffectation.CONSEILLER)
                or tenues.get(RoleAffectation.REFERENT_SOCIAL)
                or self.conseiller(personne, p)
            )
            services.demarrer_diagnostic(dossier=dossier, par=par, date=d["diagnostic"])
            self.activites[dossier.pk] = max(d["diagnostic"], date)
        if p.statut == "diagnostic":
            return
        if axe_final not in Axe.values:  # clos avant toute orientation
            self.clore(dossier, p, tenues, axe_final, d["cloture"])
            return
        self.orienter(dossier, p, axe_entree, tenues, d["entree"])
        self.activites[dossier.pk] = d["entree"]
        tenues = _apres_entree(tenues, axe_entree)
        if p.demande == "acceptee":
            tenues_avant = tenues
            tenues = self.pourvoir(
                dossier, personne, p, PLACES[axe_final], d["affectation_nouvel_axe"], tenues
            )
            self.demander(
                dossier,
                axe_final,
                self.referent(tenues_avant, axe_entree),
                d["demande"],
                (True, d["changement"]),
            )
            self.activites[dossier.pk] = d["changement"]
            tenues = _apres_entree(tenues, axe_final)
        elif p.demande == "refusee":
            self.demander(
                dossier,
                p.axe_demande,
                self.referent(tenues, axe_final),
                d["demande"],
                (False, d["changement"]),
            )
            self.activites[dossier.pk] = d["changement"]
        elif p.demande == "en_attente":
            self.demander(dossier, p.axe_demande, self.referent(tenues, axe_final), d["demande"])
            self.activites[dossier.pk] = d["demande"]
        if p.relais:
            actuel = tenues[p.relais]
            nouveau = self.titulaire(personne, p, p.relais)
            if nouveau.user_id == actuel.user_id:
                nouveau = self.remplacant(personne, p, p.relais, actuel)
            self.affecter(
                dossier,
                p.relais,
                nouveau,
                self.equipes.animatrice,
                d["relais"],
                MOTIFS_RELAIS[p.choix % len(MOTIFS_RELAIS)],
            )
            tenues[p.relais] = nouveau
            self.activites[dossier.pk] = d["relais"]
        if p.statut == "clos":
            self.clore(dossier, p, tenues, axe_final, d["cloture"])

    def finir(self) -> None:
        """Recale en une passe les horodatages que les services mettent à « maintenant »."""
        maintenant = timezone.now()
        dossiers = list(Dossier.objects.filter(pk__in=self.activites))
        for dossier in dossiers:
            derniere = self.activites[dossier.pk]
            contact = self.contacts.get(dossier.pk)
            if contact is not None and not dossier.est_clos:
                derniere = max(derniere, self.aujourdhui - dt.timedelta(days=contact))
            dossier.derniere_activite = min(_moment(derniere, 9 + dossier.pk % 8), maintenant)
            dossier.cree_le = _moment(self.dates_orientation[dossier.pk], 9)
        Dossier.objects.bulk_update(dossiers, ["derniere_activite", "cree_le"], batch_size=500)
        periodes = list(PeriodeOrientation.objects.filter(dossier_id__in=self.activites))
        for periode in periodes:
            periode.decide_le = _moment(periode.date_debut, 11)
        PeriodeOrientation.objects.bulk_update(periodes, ["decide_le"], batch_size=500)
        dates = {pk: (demande, decision) for pk, demande, decision in self.demandes}
        demandes = list(DemandeChangementAxe.objects.filter(pk__in=dates))
        for demande in demandes:
            le, decide = dates[demande.pk]
            demande.demande_le = _moment(le, 14)
            if decide is not None:
                demande.decide_le = _moment(decide, 15)
        DemandeChangementAxe.objects.bulk_update(
            demandes, ["demande_le", "decide_le"], batch_size=500
        )


def _demandeur(departement, personne: Personne, agences: dict) -> Demandeur:
    return Demandeur(
        departement=departement,
        civilite=personne.civilite,
        nom=personne.nom,
        prenom=personne.prenom,
        nom_naissance=personne.nom_naissance,
        date_naissance=personne.date_naissance,
        email=personne.email,
        telephone=personne.telephone,
        adresse=personne.adresse,
        code_postal=personne.commune.code_postal,
        commune=personne.commune.nom,
        code_commune=personne.commune.code_insee,
        identifiant_ft=personne.identifiant_ft,
        rsa_allocataire=personne.rsa_allocataire,
        numero_caf=personne.numero_caf,
        rsa_date_ouverture=personne.rsa_date_ouverture,
        rsa_droits_devoirs=personne.rsa_droits_devoirs,
        indemnisation=personne.indemnisation,
        niveau_qualification=personne.niveau_qualification,
        rqth=personne.rqth,
        residant_qpv=personne.residant_qpv,
        agence=agences[demo_noyau.AGENCES[personne.agence][0]],
    ).preparer()


def identifiants_demo() -> list[str]:
    """Les identifiants France Travail des personnes de démonstration (indépendants du jour)."""
    return [personne.identifiant_ft for personne, _ in _plan(timezone.localdate())]


def resume(departement, identifiants: list[str]) -> str:
    personnes = Demandeur.objects.filter(departement=departement, identifiant_ft__in=identifiants)
    compte = Dossier.objects.filter(departement=departement, demandeur__in=personnes).aggregate(
        total=Count("pk"),
        a_orienter=Count("pk", filter=Q(statut=StatutDossier.A_ORIENTER)),
        diagnostic=Count("pk", filter=Q(statut=StatutDossier.DIAGNOSTIC)),
        axe1=Count("pk", filter=Q(axe_courant=Axe.RESSOURCES_SOCIALES)),
        axe2=Count("pk", filter=Q(axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL)),
        axe3=Count("pk", filter=Q(axe_courant=Axe.SOCIAL_EXCLUSIF)),
        clos=Count("pk", filter=Q(statut=StatutDossier.CLOS)),
        personnes=Count("demandeur", distinct=True),
    )
    demandes = DemandeChangementAxe.objects.filter(dossier__demandeur__in=personnes).aggregate(
        acceptees=Count("pk", filter=Q(statut=StatutDemande.ACCEPTEE)),
        refusees=Count("pk", filter=Q(statut=StatutDemande.REFUSEE)),
        en_attente=Count("pk", filter=Q(statut=StatutDemande.EN_ATTENTE)),
    )
    return (
        f"{compte['personnes']} personnes, {compte['total']} dossiers "
        f"({compte['a_orienter']} à orienter, {compte['diagnostic']} en diagnostic, "
        f"{compte['axe1']} en axe 1, {compte['axe2']} en axe 2, {compte['axe3']} en axe 3, "
        f"{compte['clos']} clos) ; changements d'axe : {demandes['acceptees']} acceptés, "
        f"{demandes['refusees']} refusés, {demandes['en_attente']} en attente"
    )


@transaction.atomic
def charger(*, departement) -> str:
    """Crée les personnes de démonstration absentes et leurs parcours ; renvoie un résumé.
    Idempotent : une personne déjà présente (même identifiant FT) est laissée telle quelle."""
    aujourdhui = timezone.localdate()
    plan = _plan(aujourdhui)
    identifiants = [personne.identifiant_ft for personne, _ in plan]
    presents = set(
        Demandeur.objects.filter(
            departement=departement, identifiant_ft__in=identifiants
        ).values_list("identifiant_ft", flat=True)
    )
    a_creer = [(personne, p) for personne, p in plan if personne.identifiant_ft not in presents]
    equipes = Equipes(departement)
    if not a_creer:
        _completer(equipes, departement, aujourdhui)
        return resume(departement, identifiants) + " (déjà chargés)"

    agences = equipes.structures
    nouveaux = [_demandeur(departement, personne, agences) for personne, _ in a_creer]
    # Une identité déjà saisie à la main (même nom, prénom, naissance) n'est pas doublée.
    deja = set(
        Demandeur.objects.filter(
            departement=departement, cle_identite__in=[d.cle_identite for d in nouveaux]
        ).values_list("cle_identite", flat=True)
    )
    retenus = [
        (demandeur, personne, p)
        for demandeur, (personne, p) in zip(nouveaux, a_creer, strict=True)
        if demandeur.cle_identite not in deja
    ]
    Demandeur.objects.bulk_create([demandeur for demandeur, _, _ in retenus], batch_size=500)
    chargeur = _Chargeur(equipes, aujourdhui)
    for demandeur, personne, p in retenus:
        chargeur.charger(demandeur, personne, p)
    chargeur.finir()
    _completer(equipes, departement, aujourdhui)
    return resume(departement, identifiants)


def _completer(equipes: Equipes, departement, aujourdhui: dt.date) -> None:
    """Ce que les parcours ne créent pas : prescriptions, suivi des dossiers (chaque partie
    n'est chargée qu'une fois)."""
    _prescriptions(equipes, departement, aujourdhui)
    _suivi(equipes, departement, aujourdhui)
    demo_vivante.charger(
        departement=departement,
        aujourdhui=aujourdhui,
        conseiller=equipes.compte(EMAIL_CONSEILLER, Role.CONSEILLER),
        cd_demo=equipes.compte(EMAIL_CONSEILLER_DEDIE, Role.CONSEILLER_DEDIE),
    )


# Demandes d'entrée de démonstration (par les services) : sur des dossiers « à orienter »
# de l'agence de Besançon Planoise, prescrits par le conseiller de démonstration.
PRESCRIPTIONS_DEMO = [
    # (axe, il y a n jours, suite, freins, motif)
    (
        Axe.ACCOMPAGNEMENT_GLOBAL,
        2,
        None,
        ["logement", "mobilite"],
        "Hébergée chez un tiers, sans véhicule : les démarches d'emploi n'aboutissent pas.",
    ),
    (
        Axe.ACCOMPAGNEMENT_GLOBAL,
        26,
        None,
        ["finances", "famille"],
        "Dettes et garde d'enfant à organiser avant une reprise d'emploi.",
    ),
    (
        Axe.ACCOMPAGNEMENT_GLOBAL,
        6,
        "prise",
        ["savoirs_de_base", "numerique"],
        "Difficultés à l'écrit et au numérique ; projet de cariste.",
    ),
    (
        Axe.ACCOMPAGNEMENT_GLOBAL,
        9,
        "refusee",
        ["isolement"],
        "Isolement depuis la fin de son dernier contrat.",
    ),
    (
        Axe.SOCIAL_EXCLUSIF,
        3,
        None,
        ["logement"],
        "Expulsion locative en cours : la recherche d'emploi est suspendue.",
    ),
]


def _prescriptions(equipes: Equipes, departement, aujourdhui: dt.date) -> None:
    if Prescription.objects.filter(dossier__departement=departement).exists():
        return  # idempotent : déjà chargées
    conseiller = equipes.compte(EMAIL_CONSEILLER, Role.CONSEILLER)
    dedie = equipes.compte(EMAIL_CONSEILLER_DEDIE, Role.CONSEILLER_DEDIE)
    correspondant = equipes.compte(EMAIL_CORRESPONDANT, Role.CORRESPONDANT_INSERTION)
    travailleur_social = equipes.compte(EMAIL_TRAVAILLEUR_SOCIAL, Role.TRAVAILLEUR_SOCIAL)
    besancon = equipes.structures[demo_noyau.TERRITOIRES[BESANCON][0]]
    candidats = list(
        Dossier.objects.filter(
            departement=departement,
            statut=StatutDossier.A_ORIENTER,
            agence=conseiller.structure,
            prescriptions__isnull=True,
        )
        .filter(Q(territoire__isnull=True) | Q(territoire=besancon))
        .order_by("pk")[: len(PRESCRIPTIONS_DEMO)]
    )
    for dossier, (axe, jours, suite, freins, motif) in zip(
        candidats, PRESCRIPTIONS_DEMO, strict=False
    ):
        date = max(aujourdhui - dt.timedelta(days=jours), dossier.date_orientation)
        prescription = prescriptions.prescrire(
            dossier=dossier,
            par=conseiller,
            axe=axe,
            freins=freins,
            motif=motif,
            accord_le=date,
            accord_mode="entretien",
            territoire=None if dossier.territoire_id else besancon,
            date=date,
        )
        if suite == "prise":
            prescriptions.prendre(prescription=prescription, par=dedie)
            prescriptions.designer(
                prescription=prescription, par=correspondant, travailleur_social=travailleur_social
            )
        elif suite == "refusee":
            prescriptions.refuser(
                prescription=prescription,
                par=correspondant,
                motif="Déjà suivie par le CCAS : un accompagnement social est en cours.",
            )


# Suivi de démonstration (par les services) : sur les dossiers en accompagnement global du
# binôme de démonstration (conseiller dédié et travailleur social de Besançon), un plan
# d'action avec des actions à échéance et en retard, des notes aux trois niveaux de
# confidentialité et des rendez-vous passés (honorés ou non), du jour et à venir : les pages
# « Aujourd'hui » du binôme ont du travail.
NOMBRE_DOSSIERS_SUIVIS = 6


def _suivi(equipes: Equipes, departement, aujourdhui: dt.date) -> None:
    if Objectif.objects.filter(dossier__departement=departement).exists():
        return  # idempotent : déjà chargé
    dedie = equipes.compte(EMAIL_CONSEILLER_DEDIE, Role.CONSEILLER_DEDIE)
    travailleur_social = equipes.compte(EMAIL_TRAVAILLEUR_SOCIAL, Role.TRAVAILLEUR_SOCIAL)
    dossiers = list(
        Dossier.objects.filter(
            departement=departement,
            statut=StatutDossier.ACCOMPAGNEMENT,
            axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL,
            affectations__professionnel=dedie.user,
            affectations__role=RoleAffectation.CONSEILLER_DEDIE,
            affectations__date_fin__isnull=True,
        )
        .filter(
            affectations__professionnel=travailleur_social.user,
            affectations__role=RoleAffectation.TRAVAILLEUR_SOCIAL,
            affectations__date_fin__isnull=True,
        )
        .distinct()
        .order_by("pk")[:NOMBRE_DOSSIERS_SUIVIS]
    )
    for rang, dossier in enumerate(dossiers):
        depuis = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=45))
        emploi = suivi.ajouter_objectif(
            dossier=dossier,
            par=dedie,
            domaine="emploi",
            intitule="Retrouver un emploi dans la logistique (cariste, préparation de commandes)",
        )
        suivi.ajouter_action(
            objectif=emploi,
            par=dedie,
            intitule="Mettre à jour le CV et la lettre de motivation",
            cote=CotePorteur.EMPLOI,
            responsable=dedie.user,
            date_debut=depuis,
            date_fin_prevue=aujourdhui + dt.timedelta(days=2 + rang),  # à échéance
        )
        if rang % 2 == 0:
            suivi.ajouter_action(
                objectif=emploi,
                par=dedie,
                intitule="S'inscrire à la formation CACES R489",
                cote=CotePorteur.EMPLOI,
                responsable=dedie.user,
                date_debut=depuis,
                date_fin_prevue=max(depuis, aujourdhui - dt.timedelta(days=3 + rang)),  # en retard
            )
        social = suivi.ajouter_objectif(
            dossier=dossier,
            par=travailleur_social,
            domaine="logement",
            intitule="Accéder à un logement autonome",
        )
        suivi.ajouter_action(
            objectif=social,
            par=travailleur_social,
            intitule="Déposer une demande de logement social",
            cote=CotePorteur.SOCIAL,
            responsable=travailleur_social.user,
            date_debut=depuis,
            date_fin_prevue=aujourdhui + dt.timedelta(days=5 + rang)
            if rang % 3
            else max(depuis, aujourdhui - dt.timedelta(days=2)),
        )
        for par, texte, visibilite in (
            (dedie, "Entretien de suivi : motivé, CV à reprendre.", VisibiliteNote.PARTAGEE),
            (
                travailleur_social,
                "Situation locative fragile, à revoir avec le bailleur.",
                VisibiliteNote.SOCIALE,
            ),
            (travailleur_social, "Penser à rappeler la CAF.", VisibiliteNote.PRIVEE),
        ):
            suivi.ajouter_note(dossier=dossier, par=par, texte=texte, visibilite=visibilite)
        passe = suivi.planifier_rendez_vous(
            dossier=dossier,
            par=dedie,
            debut=_moment(max(depuis, aujourdhui - dt.timedelta(days=7)), 10),
            type=TypeRendezVous.TRIPARTITE,
            participants=[dedie.user, travailleur_social.user],
            lieu="Agence de Besançon Planoise",
            objet="Point d'étape du plan d'action",
        )
        if passe.debut < timezone.now():
            suivi.noter_presence(
                rendez_vous=passe,
                par=dedie,
                presence=Presence.PRESENT if rang % 3 else Presence.ABSENT,
            )
        suivi.planifier_rendez_vous(
            dossier=dossier,
            par=travailleur_social,
            debut=_moment(aujourdhui + dt.timedelta(days=rang % 3), 14 + rang % 3),
            type=TypeRendezVous.INDIVIDUEL,
            participants=[travailleur_social.user],
            lieu="Territoire d'action sociale de Besançon",
            objet="Dossier logement",
        )
