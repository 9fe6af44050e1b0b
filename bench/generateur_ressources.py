"""Générateur déterministe de ressources sociales au format data·inclusion v1, calqué sur
le Doubs : CCAS, missions locales, CAF, CPAM, maisons départementales des solidarités,
associations (mobilité, alimentation, logement, santé, famille, numérique…). Les noms des
structures, adresses, téléphones (plage réservée à la fiction : 03 53 01 xx xx),
courriels et liens (domaine example.org) sont fictifs ; les codes INSEE et postaux des
communes sont ceux du Doubs.

Deux usages :
- le fichier de démonstration versionné `conventions/fixtures/ressources_demo.json`
  (catalogue de base, ~300 services couvrant toutes les thématiques v1) :
      python -m bench.generateur_ressources
- la mesure `bench/import_ressources.py` (10 000 services : le catalogue répété dans
  d'autres communes, « antenne n » ; identifiants uniques).

Même graine → même fichier, octet pour octet. Les dates sont fixes (référence
DATE_REFERENCE) : environ 12 % des services ont plus de 14 mois et apparaissent « à
vérifier ». Régénérer le fichier rafraîchit la démo (changer DATE_REFERENCE)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

GRAINE = 20140129  # signature de la convention du Doubs
DATE_REFERENCE = dt.date(2026, 10, 15)  # mise à jour la plus récente du fichier de démo
PART_ANCIENS = 0.12
FIXTURE = Path(__file__).resolve().parents[1] / "conventions" / "fixtures" / "ressources_demo.json"

# nom, code INSEE, code postal, latitude, longitude
COMMUNES = {
    "besancon": ("Besançon", "25056", "25000", 47.2378, 6.0241),
    "montbeliard": ("Montbéliard", "25388", "25200", 47.5099, 6.7986),
    "pontarlier": ("Pontarlier", "25462", "25300", 46.9035, 6.3546),
    "audincourt": ("Audincourt", "25031", "25400", 47.4833, 6.8403),
    "valentigney": ("Valentigney", "25580", "25700", 47.4631, 6.8322),
    "morteau": ("Morteau", "25411", "25500", 47.0577, 6.6071),
    "baume": ("Baume-les-Dames", "25047", "25110", 47.3524, 6.3607),
    "ornans": ("Ornans", "25434", "25290", 47.1056, 6.1436),
    "valdahon": ("Valdahon", "25578", "25800", 47.1500, 6.3500),
    "maiche": ("Maîche", "25356", "25120", 47.2527, 6.8028),
    "saint_vit": ("Saint-Vit", "25527", "25410", 47.1833, 5.8167),
    "bethoncourt": ("Bethoncourt", "25057", "25200", 47.5353, 6.8053),
    "grand_charmont": ("Grand-Charmont", "25284", "25200", 47.5267, 6.8267),
    "seloncourt": ("Seloncourt", "25539", "25230", 47.4594, 6.8561),
    "herimoncourt": ("Hérimoncourt", "25304", "25310", 47.4403, 6.8825),
    "mandeure": ("Mandeure", "25367", "25350", 47.4500, 6.8000),
    "pont_de_roide": ("Pont-de-Roide-Vermondans", "25463", "25150", 47.3833, 6.7667),
    "villers_le_lac": ("Villers-le-Lac", "25321", "25130", 47.0621, 6.6693),
    "isle_sur_le_doubs": ("L'Isle-sur-le-Doubs", "25315", "25250", 47.4500, 6.5833),
    "quingey": ("Quingey", "25475", "25440", 47.1000, 5.8833),
    "mouthe": ("Mouthe", "25413", "25240", 46.7097, 6.1936),
    "le_russey": ("Le Russey", "25512", "25210", 47.1597, 6.7286),
}
# Bassins de vie (territoires d'action sociale de la démo) : zone d'éligibilité des
# services intercommunaux.
BASSINS = {
    "besancon": ["besancon", "saint_vit", "quingey", "ornans"],
    "montbeliard": [
        "montbeliard",
        "audincourt",
        "valentigney",
        "bethoncourt",
        "grand_charmont",
        "seloncourt",
        "herimoncourt",
        "mandeure",
        "pont_de_roide",
    ],
    "pontarlier": ["pontarlier", "mouthe", "valdahon"],
    "morteau": ["morteau", "villers_le_lac", "maiche", "le_russey"],
    "baume": ["baume", "isle_sur_le_doubs"],
}
BASSIN_DE = {commune: bassin for bassin, communes in BASSINS.items() for commune in communes}
NOMS_BASSINS = {
    "besancon": "du Grand Besançon",
    "montbeliard": "du Pays de Montbéliard",
    "pontarlier": "du Haut-Doubs",
    "morteau": "du Pays horloger",
    "baume": "du Doubs central",
}
RUES = [
    "rue de la République",
    "place de l'Hôtel de Ville",
    "avenue du Général Leclerc",
    "rue des Granges",
    "rue Pasteur",
    "rue de Belfort",
    "avenue de la Gare",
    "rue du Collège",
    "rue des Écoles",
    "place du Marché",
    "rue de la Liberté",
    "chemin des Vignes",
]
HORAIRES = [
    "Mo-Fr 09:00-12:00,14:00-17:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00",
    "Tu,Th 09:00-12:00; We 14:00-18:00",
    "Mo-Fr 09:00-17:00; PH off",
]

TOUS = ["tous-publics"]
PRO = ["professionnels"]
PRO_USAGERS = ["professionnels", "usagers"]


@dataclass(frozen=True)
class ModeleService:
    nom: str
    thematiques: tuple[str, ...]
    type: str
    description: str
    publics: tuple[str, ...] = ("tous-publics",)
    frais: str = "gratuit"
    frais_precisions: str = ""
    conditions: str = ""
    mobilisable_par: tuple[str, ...] = ("professionnels", "usagers")
    modes_accueil: tuple[str, ...] = ("en-presentiel",)
    zone: str = ""  # vide : celle de la structure ; sinon commune, bassin, departement, france


@dataclass(frozen=True)
class ModeleStructure:
    cle: str
    nom: str  # « {commune} », « {bassin} » remplacés
    source: str
    reseaux: tuple[str, ...]
    description: str
    communes: tuple[str, ...]
    zone: str  # commune, bassin, departement, france
    services: tuple[ModeleService, ...]
    services_par_commune: dict[str, int] = field(default_factory=dict)  # sinon : tous


S = ModeleService
DAJ = "difficultes-administratives-ou-juridiques"
FIN = "difficultes-financieres"
LOG = "logement-hebergement"
EQA = "equipement-et-alimentation"

CATALOGUE: tuple[ModeleStructure, ...] = (
    ModeleStructure(
        "ccas",
        "CCAS de {commune}",
        "dora",
        ("ccas-cias",),
        "Le centre communal d'action sociale accueille les habitants de la commune, instruit "
        "les demandes d'aide sociale et oriente vers les partenaires.",
        (
            "besancon",
            "montbeliard",
            "pontarlier",
            "audincourt",
            "valentigney",
            "morteau",
            "baume",
            "ornans",
            "valdahon",
            "maiche",
            "saint_vit",
            "bethoncourt",
            "seloncourt",
        ),
        "commune",
        (
            S(
                "Aide alimentaire d'urgence",
                (f"{EQA}--alimentation",),
                "aide-materielle",
                "Colis alimentaires et bons d'achat pour les foyers sans ressources "
                "immédiates, en attendant l'ouverture ou le rétablissement des droits.",
                ("personnes-en-situation-durgence", "beneficiaires-des-minimas-sociaux"),
                conditions="Sur évaluation d'un travailleur social ou de l'accueil du CCAS.",
            ),
            S(
                "Aide financière ponctuelle",
                (f"{FIN}--prevenir-une-degradation-de-la-situation-financiere",),
                "aide-financiere",
                "Secours ponctuel pour faire face à une dépense imprévue (facture, frais de "
                "santé, rentrée scolaire) après étude du budget du foyer.",
                conditions="Résider dans la commune ; dossier instruit en commission.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Aide aux factures d'énergie (précarité énergétique)",
                (
                    f"{FIN}--prevenir-une-degradation-de-la-situation-financiere",
                    f"{LOG}--se-maintenir-dans-le-logement",
                ),
                "aide-financiere",
                "Prise en charge partielle des factures d'électricité, de gaz ou de fioul "
                "et conseils pour réduire sa consommation.",
                conditions="Facture de moins de trois mois et justificatifs de ressources.",
            ),
            S(
                "Domiciliation administrative",
                (f"{DAJ}--accompagnement-aux-demarches-administratives",),
                "accompagnement",
                "Une adresse pour recevoir son courrier et faire valoir ses droits quand on "
                "n'a pas de domicile stable.",
                ("personnes-en-situation-durgence",),
            ),
            S(
                "Accompagnement budgétaire individuel",
                (
                    f"{FIN}--ameliorer-sa-gestion-budgetaire",
                    f"{FIN}--acquerir-une-autonomie-budgetaire",
                ),
                "accompagnement",
                "Rendez-vous réguliers avec une conseillère en économie sociale et familiale "
                "pour reprendre la main sur son budget.",
            ),
            S(
                "Portage de repas et aide ménagère",
                (f"{EQA}--aide-menagere", "famille--prise-en-charge-personne-dependante"),
                "aide-materielle",
                "Repas livrés à domicile et aide ménagère pour les personnes âgées ou en "
                "perte d'autonomie.",
                ("seniors", "personnes-en-situation-de-handicap"),
                frais="payant",
                frais_precisions="Tarif selon les ressources.",
            ),
            S(
                "Aide au premier équipement du logement",
                (f"{EQA}--electromenager", f"{LOG}--louer-un-logement"),
                "aide-materielle",
                "Aide pour l'achat de l'électroménager et du mobilier de première nécessité "
                "lors de l'entrée dans un logement.",
                mobilisable_par=("professionnels",),
            ),
        ),
        {
            "ornans": 4,
            "valdahon": 3,
            "maiche": 3,
            "saint_vit": 3,
            "bethoncourt": 4,
            "seloncourt": 3,
        },
    ),
    ModeleStructure(
        "mission_locale",
        "Mission locale {bassin}",
        "dora",
        ("mission-locale",),
        "La mission locale accompagne les jeunes de 16 à 25 ans dans leur insertion "
        "professionnelle et sociale : emploi, formation, logement, santé, mobilité.",
        ("besancon", "montbeliard", "pontarlier", "morteau"),
        "bassin",
        (
            S(
                "Aide à la mobilité des jeunes",
                ("mobilite--financer-ma-mobilite",),
                "aide-financiere",
                "Aide au financement des déplacements (abonnement, carburant, réparation) "
                "pour se rendre en formation ou en entretien.",
                ("jeunes",),
            ),
            S(
                "Permis de conduire : accompagnement des jeunes",
                ("mobilite--preparer-un-permis",),
                "accompagnement",
                "Préparation au code de la route et aide au financement du permis pour les "
                "jeunes suivis.",
                ("jeunes",),
            ),
            S(
                "Accompagnement vers le logement autonome",
                (
                    f"{LOG}--louer-un-logement",
                    f"{LOG}--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
                ),
                "accompagnement",
                "Conseils pour trouver un premier logement, constituer un dossier de "
                "location et mobiliser les aides (caution, garantie Visale).",
                ("jeunes",),
            ),
            S(
                "Point santé jeunes",
                ("sante--acces-aux-soins", "sante--sante-mentale"),
                "accompagnement",
                "Écoute, bilan de santé et orientation vers les professionnels de santé, "
                "en lien avec la CPAM.",
                ("jeunes",),
            ),
            S(
                "Contrat d'engagement jeune",
                (
                    "choisir-un-metier--identifier-ses-points-forts-et-ses-competences",
                    "trouver-un-emploi--repondre-a-des-offres-demploi",
                ),
                "accompagnement",
                "Accompagnement intensif de 15 à 20 heures par semaine avec une allocation "
                "selon les ressources.",
                ("jeunes",),
            ),
            S(
                "Atelier CV et lettre de motivation",
                ("preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",),
                "atelier",
                "Atelier collectif pour rédiger son CV et adapter sa lettre de motivation "
                "à chaque offre.",
                ("jeunes",),
            ),
            S(
                "Découvrir les métiers en immersion",
                (
                    "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
                    "choisir-un-metier--confirmer-son-choix-de-metier",
                ),
                "accompagnement",
                "Périodes de mise en situation en milieu professionnel pour découvrir un "
                "métier ou confirmer un projet.",
                ("jeunes",),
            ),
        ),
    ),
    ModeleStructure(
        "caf",
        "CAF du Doubs — accueil de {commune}",
        "dora",
        ("caf",),
        "La caisse d'allocations familiales verse les prestations familiales et sociales et "
        "accompagne les familles dans les moments clés.",
        ("besancon", "montbeliard", "pontarlier"),
        "departement",
        (
            S(
                "Rendez-vous des droits",
                (f"{DAJ}--accompagnement-pour-lacces-aux-droits",),
                "information",
                "Un entretien pour faire le point sur l'ensemble de ses droits (prestations, "
                "santé, énergie, emploi) et les ouvrir.",
            ),
            S(
                "Accompagnement des familles en cas de séparation",
                ("famille--surmonter-conflits-separation-violence",),
                "accompagnement",
                "Information sur les aides et la pension alimentaire, orientation vers la "
                "médiation familiale.",
                ("familles",),
            ),
            S(
                "Prévention des impayés de loyer",
                (f"{LOG}--reduire-les-impayes-de-loyer",),
                "accompagnement",
                "Intervention d'un travailleur social de la CAF dès le premier impayé pour "
                "établir un plan d'apurement avec le bailleur.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Aide aux vacances et aux loisirs des familles",
                (
                    "remobilisation--activites-sportives-et-culturelles",
                    "famille--soutien-a-la-parentalite-et-a-leducation",
                ),
                "aide-financiere",
                "Aides aux temps libres des enfants et au départ en vacances en famille.",
                ("familles",),
            ),
            S(
                "Information sur les modes de garde",
                ("famille--garde-denfants",),
                "information",
                "Présentation des modes d'accueil du jeune enfant et du complément de libre "
                "choix du mode de garde.",
                ("familles",),
                modes_accueil=("en-presentiel", "a-distance"),
            ),
        ),
        {"montbeliard": 3, "pontarlier": 3},
    ),
    ModeleStructure(
        "cpam",
        "CPAM du Doubs — accueil de {commune}",
        "dora",
        ("cpam",),
        "La caisse primaire d'assurance maladie garantit l'accès aux soins et accompagne les "
        "assurés en difficulté.",
        ("besancon", "montbeliard"),
        "departement",
        (
            S(
                "Complémentaire santé solidaire : aide à la demande",
                ("sante--acces-aux-soins", f"{DAJ}--accompagnement-pour-lacces-aux-droits"),
                "accompagnement",
                "Aide à la constitution du dossier de complémentaire santé solidaire, "
                "gratuite ou à moins d'un euro par jour.",
            ),
            S(
                "Examen de prévention en santé",
                ("sante--acces-aux-soins",),
                "information",
                "Bilan de santé gratuit pour les assurés éloignés du soin.",
            ),
            S(
                "Mission accompagnement santé (renoncement aux soins)",
                ("sante--acces-aux-soins",),
                "accompagnement",
                "Accompagnement personnalisé des personnes qui renoncent à se soigner : "
                "droits, orientation, financement des soins.",
                mobilisable_par=("professionnels",),
            ),
        ),
    ),
    ModeleStructure(
        "france_services",
        "Espace France services de {commune}",
        "dora",
        ("france-service",),
        "Un guichet unique pour les démarches administratives du quotidien (impôts, "
        "retraite, CAF, santé, emploi).",
        (
            "ornans",
            "valdahon",
            "maiche",
            "isle_sur_le_doubs",
            "quingey",
            "mouthe",
            "le_russey",
            "villers_le_lac",
        ),
        "bassin",
        (
            S(
                "Accompagnement aux démarches administratives",
                (
                    f"{DAJ}--accompagnement-aux-demarches-administratives",
                    "numerique--acceder-a-des-services-en-ligne",
                ),
                "accompagnement",
                "Un agent aide à réaliser les démarches en ligne et à constituer les dossiers "
                "auprès des administrations partenaires.",
            ),
            S(
                "Accès libre à un poste informatique",
                ("numerique--acceder-a-une-connexion-internet",),
                "aide-materielle",
                "Ordinateur, imprimante et scanner en libre accès, avec l'aide d'un agent.",
            ),
        ),
    ),
    ModeleStructure(
        "numerique",
        "Espace numérique solidaire de {commune}",
        "mediation-numerique",
        ("conseillers-numeriques", "espaces-publics-numeriques"),
        "Lieu de médiation numérique : ateliers, accompagnement individuel et équipement à "
        "prix solidaire.",
        ("besancon", "montbeliard", "pontarlier", "audincourt"),
        "bassin",
        (
            S(
                "Ateliers débuter avec l'ordinateur",
                ("numerique--maitriser-les-fondamentaux-du-numerique",),
                "atelier",
                "Cycle de dix ateliers pour apprendre à utiliser un ordinateur, la messagerie "
                "et internet en toute sécurité.",
            ),
            S(
                "Ordinateurs reconditionnés à prix solidaire",
                ("numerique--acquerir-un-equipement",),
                "aide-materielle",
                "Vente d'ordinateurs et de téléphones reconditionnés aux personnes à faibles "
                "ressources.",
                ("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
                frais="payant",
                frais_precisions="De 50 à 120 € selon le matériel.",
            ),
            S(
                "Prendre en main son smartphone",
                ("numerique--maitriser-les-fondamentaux-du-numerique",),
                "atelier",
                "Atelier pour installer les applications utiles (France Travail, Ameli, CAF) "
                "et sécuriser son téléphone.",
            ),
            S(
                "Accompagnement aux démarches en ligne",
                ("numerique--acceder-a-des-services-en-ligne",),
                "accompagnement",
                "Aide individuelle pour créer ses comptes en ligne et réaliser ses démarches.",
            ),
        ),
    ),
    ModeleStructure(
        "mobilite",
        "Mobilité solidaire {bassin}",
        "dora",
        ("mobin",),
        "Plateforme de mobilité : conseil, location de véhicules, garage et auto-école "
        "solidaires pour l'accès à l'emploi.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Location de véhicules à tarif solidaire",
                ("mobilite--acceder-a-un-vehicule",),
                "aide-materielle",
                "Location de voitures, scooters et vélos électriques pour se rendre au "
                "travail ou en formation.",
                ("demandeurs-emploi", "beneficiaires-des-minimas-sociaux"),
                frais="payant",
                frais_precisions="À partir de 3 € par jour.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Garage solidaire : réparation à prix coûtant",
                ("mobilite--entretenir-reparer-son-vehicule",),
                "aide-materielle",
                "Entretien et réparation des véhicules au prix des pièces, main-d'œuvre solidaire.",
                ("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
                frais="payant",
            ),
            S(
                "Conseil en mobilité et bilan mobilité",
                ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
                "accompagnement",
                "Un conseiller évalue les freins à la mobilité et construit un plan "
                "d'action : transports, permis, véhicule, aides.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Auto-école sociale",
                ("mobilite--preparer-un-permis",),
                "formation",
                "Apprentissage du code et de la conduite à un rythme adapté, pour les "
                "personnes en difficulté avec l'apprentissage classique.",
                frais="payant",
                frais_precisions="Participation selon les ressources.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Vélo-école et prêt de vélos",
                ("mobilite--mobilite-douce-partagee-collective",),
                "atelier",
                "Apprendre ou réapprendre à circuler à vélo en ville, prêt de vélos pour "
                "les trajets domicile-travail.",
            ),
            S(
                "Microcrédit pour l'achat d'un véhicule",
                (
                    "mobilite--financer-ma-mobilite",
                    f"{FIN}--prevenir-une-degradation-de-la-situation-financiere",
                ),
                "aide-financiere",
                "Prêt à taux réduit, accompagné, pour acheter ou réparer un véhicule "
                "indispensable à l'emploi.",
                mobilisable_par=("professionnels",),
            ),
        ),
        {"pontarlier": 4},
    ),
    ModeleStructure(
        "transport_solidaire",
        "Transport solidaire {bassin}",
        "dora",
        ("communes",),
        "Service de transport à la demande assuré par des bénévoles dans les communes rurales.",
        ("morteau", "baume"),
        "bassin",
        (
            S(
                "Transport à la demande solidaire",
                ("mobilite--mobilite-douce-partagee-collective",),
                "aide-materielle",
                "Des chauffeurs bénévoles accompagnent aux rendez-vous médicaux, "
                "administratifs ou d'emploi.",
                frais="payant",
                frais_precisions="Participation aux frais kilométriques.",
            ),
        ),
    ),
    ModeleStructure(
        "epicerie",
        "Épicerie solidaire de {commune}",
        "soliguide",
        ("banques-alimentaires",),
        "Épicerie sociale associative : produits alimentaires et d'hygiène à petit prix, "
        "ateliers et lieu d'échange.",
        ("besancon", "montbeliard", "pontarlier", "audincourt", "morteau"),
        "bassin",
        (
            S(
                "Épicerie sociale : courses à petit prix",
                (f"{EQA}--alimentation",),
                "aide-materielle",
                "Produits alimentaires à 10 à 30 % de leur prix, pour une durée limitée, avec "
                "un projet (épargne, dette à solder).",
                ("beneficiaires-des-minimas-sociaux", "familles"),
                frais="payant",
                conditions="Orientation par un travailleur social ; reste à vivre plafonné.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Vestiboutique",
                (f"{EQA}--habillement",),
                "aide-materielle",
                "Vêtements de seconde main pour toute la famille à prix symbolique.",
                frais="payant",
            ),
            S(
                "Ateliers cuisine et petit budget",
                (f"{EQA}--alimentation", f"{FIN}--acquerir-une-autonomie-budgetaire"),
                "atelier",
                "Cuisiner équilibré avec un petit budget : recettes, courses, conservation.",
            ),
        ),
        {"audincourt": 2, "morteau": 2},
    ),
    ModeleStructure(
        "ressourcerie",
        "Ressourcerie comtoise — {commune}",
        "soliguide",
        ("ressourceries",),
        "Collecte, réparation et revente d'objets de seconde main ; chantier d'insertion.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Meubles et électroménager à petit prix",
                (f"{EQA}--electromenager",),
                "aide-materielle",
                "Électroménager révisé et garanti six mois, meubles et vaisselle à prix "
                "solidaire ; livraison possible.",
                frais="payant",
            ),
        ),
    ),
    ModeleStructure(
        "pcb",
        "Point conseil budget {bassin}",
        "dora",
        ("points-conseil-budget",),
        "Conseil gratuit et confidentiel pour toute personne rencontrant des difficultés "
        "financières.",
        ("besancon", "montbeliard", "pontarlier"),
        "departement",
        (
            S(
                "Diagnostic budgétaire",
                (f"{FIN}--ameliorer-sa-gestion-budgetaire",),
                "accompagnement",
                "Un conseiller fait le point sur les ressources et les charges et propose des "
                "solutions concrètes.",
                modes_accueil=("en-presentiel", "a-distance"),
            ),
            S(
                "Accompagnement au dossier de surendettement",
                (f"{FIN}--situation-dendettement-surendettement",),
                "accompagnement",
                "Aide à la constitution et au suivi du dossier auprès de la commission de "
                "surendettement de la Banque de France.",
            ),
            S(
                "Information sur les mesures de protection",
                (f"{FIN}--mettre-en-place-une-mesure-de-protection-financiere",),
                "information",
                "Information sur les mesures d'accompagnement et de protection (MASP, "
                "curatelle, tutelle) et sur leur demande.",
            ),
        ),
    ),
    ModeleStructure(
        "mds",
        "Maison départementale des solidarités {bassin}",
        "departement-doubs",
        ("departements", "maisons-des-solidarites"),
        "Les services sociaux du Département : accueil, accompagnement social, protection "
        "maternelle et infantile, insertion.",
        ("besancon", "montbeliard", "pontarlier", "baume", "morteau"),
        "bassin",
        (
            S(
                "Accompagnement social global",
                (f"{DAJ}--beneficier-dune-mesure-daccompagnement-adapte",),
                "accompagnement",
                "Un travailleur social accompagne la personne ou la famille sur l'ensemble "
                "de ses difficultés : budget, logement, santé, démarches.",
            ),
            S(
                "Mesure d'accompagnement social personnalisé (MASP)",
                (
                    f"{FIN}--mettre-en-place-une-mesure-de-protection-financiere",
                    f"{DAJ}--beneficier-dune-mesure-daccompagnement-adapte",
                ),
                "accompagnement",
                "Contrat d'accompagnement budgétaire pour les personnes qui perçoivent des "
                "prestations sociales et dont la santé ou la sécurité est menacée.",
                conditions="Sur proposition d'un travailleur social ; contrat de 6 à 24 mois.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Fonds de solidarité pour le logement (FSL)",
                (f"{LOG}--se-maintenir-dans-le-logement", f"{LOG}--reduire-les-impayes-de-loyer"),
                "aide-financiere",
                "Aides pour accéder à un logement ou s'y maintenir : impayés de loyer, "
                "factures d'énergie et d'eau.",
                mobilisable_par=("professionnels",),
                zone="departement",
            ),
            S(
                "Protection maternelle et infantile",
                ("famille--soutien-a-la-parentalite-et-a-leducation", "sante--acces-aux-soins"),
                "accompagnement",
                "Consultations médicales gratuites pour les enfants de moins de six ans, "
                "visites de puéricultrices à domicile.",
                ("familles",),
            ),
            S(
                "Aide au permis de conduire des allocataires du RSA",
                ("mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"),
                "aide-financiere",
                "Participation du Département au financement du permis B quand il est "
                "nécessaire au projet professionnel.",
                ("beneficiaires-des-minimas-sociaux",),
                mobilisable_par=("professionnels",),
                zone="departement",
            ),
        ),
        {"baume": 3, "morteau": 3},
    ),
    ModeleStructure(
        "habitat",
        "Maison de l'habitat du Doubs",
        "dora",
        (),
        "Information juridique, financière et fiscale sur le logement, pour les locataires "
        "comme pour les propriétaires.",
        ("besancon",),
        "departement",
        (
            S(
                "Conseil juridique logement",
                (
                    f"{LOG}--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
                    f"{DAJ}--accompagnement-pour-lacces-aux-droits",
                ),
                "information",
                "Réponses des juristes sur le bail, le dépôt de garantie, les charges, les "
                "réparations et la procédure d'expulsion.",
                modes_accueil=("en-presentiel", "a-distance"),
            ),
            S(
                "Accession à la propriété : conseil",
                (f"{LOG}--acheter-un-logement",),
                "information",
                "Étude du plan de financement et des aides à l'accession.",
            ),
            S(
                "Recherche d'un logement adapté",
                (f"{LOG}--changer-de-logement",),
                "accompagnement",
                "Aide à la demande de logement social et à la mutation vers un logement "
                "adapté à la situation du ménage.",
            ),
        ),
    ),
    ModeleStructure(
        "siao",
        "SIAO du Doubs",
        "dora",
        ("siao",),
        "Le service intégré d'accueil et d'orientation coordonne l'hébergement d'urgence et "
        "d'insertion du département.",
        ("besancon",),
        "departement",
        (
            S(
                "Hébergement d'urgence : orientation (115)",
                (f"{LOG}--rechercher-une-solution-dhebergement-temporaire",),
                "accompagnement",
                "Le 115 oriente vers une place d'hébergement d'urgence, jour et nuit.",
                ("personnes-en-situation-durgence",),
                modes_accueil=("a-distance",),
            ),
        ),
    ),
    ModeleStructure(
        "chrs",
        "CHRS L'Escale — {commune}",
        "soliguide",
        ("chrs", "federation-des-acteurs-de-la-solidarite"),
        "Centre d'hébergement et de réinsertion sociale : hébergement et accompagnement vers "
        "le logement et l'emploi.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Hébergement et accompagnement vers le logement",
                (
                    f"{LOG}--rechercher-une-solution-dhebergement-temporaire",
                    f"{LOG}--louer-un-logement",
                ),
                "accompagnement",
                "Hébergement temporaire en chambre ou appartement diffus avec un "
                "accompagnement social vers un logement durable.",
                ("personnes-en-situation-durgence",),
                conditions="Orientation par le SIAO.",
                mobilisable_par=("professionnels",),
            ),
            S(
                "Accueil de jour : douches, laverie, repas",
                (f"{EQA}--alimentation", f"{EQA}--habillement", "remobilisation--lien-social"),
                "aide-materielle",
                "Un lieu pour se poser, prendre une douche, laver son linge et partager un repas.",
                ("personnes-en-situation-durgence",),
                mobilisable_par=("usagers",),
            ),
        ),
    ),
    ModeleStructure(
        "fjt",
        "Résidence jeunes travailleurs de {commune}",
        "dora",
        ("residences-fjt",),
        "Logements meublés temporaires pour les jeunes en emploi, en formation ou en "
        "recherche d'emploi.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Logement temporaire pour jeunes",
                (f"{LOG}--louer-un-logement",),
                "aide-materielle",
                "Studios meublés de un à vingt-quatre mois, avec un accompagnement socio-éducatif.",
                ("jeunes",),
                frais="payant",
                frais_precisions="Redevance mensuelle, APL déductible.",
            ),
        ),
    ),
    ModeleStructure(
        "csapa",
        "CSAPA Le Passage — {commune}",
        "soliguide",
        ("csapa",),
        "Centre de soins, d'accompagnement et de prévention en addictologie.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Consultations en addictologie",
                ("sante--addictions",),
                "accompagnement",
                "Accueil anonyme et gratuit des personnes en difficulté avec l'alcool, le "
                "tabac, le cannabis, les jeux ou d'autres produits, et de leur entourage.",
            ),
            S(
                "Consultation jeunes consommateurs",
                ("sante--addictions",),
                "accompagnement",
                "Entretiens pour les jeunes et leurs parents, sans jugement.",
                ("jeunes",),
            ),
        ),
        {"pontarlier": 1},
    ),
    ModeleStructure(
        "cmp",
        "Centre médico-psychologique de {commune}",
        "soliguide",
        ("cmp",),
        "Consultations de psychiatrie et de psychologie pour adultes, prises en charge par "
        "l'assurance maladie.",
        ("besancon", "montbeliard", "pontarlier", "morteau"),
        "bassin",
        (
            S(
                "Consultations en santé mentale",
                ("sante--sante-mentale",),
                "accompagnement",
                "Premier rendez-vous avec un infirmier, puis suivi par un psychologue ou un "
                "psychiatre si besoin.",
            ),
        ),
    ),
    ModeleStructure(
        "sante_sexuelle",
        "Centre de santé sexuelle de {commune}",
        "soliguide",
        (),
        "Information, dépistage et contraception, gratuitement et en toute confidentialité.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Dépistage et contraception",
                ("sante--sante-sexuelle",),
                "accompagnement",
                "Consultations de contraception, dépistage des infections sexuellement "
                "transmissibles, entretiens.",
            ),
        ),
    ),
    ModeleStructure(
        "mdph",
        "MDPH du Doubs",
        "dora",
        ("mdph",),
        "Maison départementale des personnes handicapées : accueil, information et "
        "instruction des demandes de droits.",
        ("besancon",),
        "departement",
        (
            S(
                "Aide à la constitution du dossier MDPH",
                ("sante--constituer-un-dossier-mdph-invalidite",),
                "accompagnement",
                "Aide à remplir le formulaire de demande et à réunir le certificat médical "
                "et les justificatifs.",
                ("personnes-en-situation-de-handicap",),
            ),
            S(
                "Reconnaissance de la qualité de travailleur handicapé (RQTH)",
                (
                    "sante--constituer-un-dossier-mdph-invalidite",
                    "trouver-un-emploi--maintien-dans-lemploi",
                ),
                "information",
                "Information sur la RQTH et les aides à l'emploi et au maintien dans l'emploi "
                "qu'elle ouvre.",
                ("personnes-en-situation-de-handicap",),
                modes_accueil=("en-presentiel", "a-distance"),
            ),
        ),
    ),
    ModeleStructure(
        "gem",
        "Groupe d'entraide mutuelle Le Trait d'union",
        "soliguide",
        (),
        "Association d'usagers en santé mentale : un lieu d'accueil et d'activités géré par "
        "et pour ses membres.",
        ("besancon",),
        "bassin",
        (
            S(
                "Accueil et activités entre pairs",
                ("sante--sante-mentale", "remobilisation--lien-social"),
                "atelier",
                "Sorties, ateliers créatifs et groupes de parole pour rompre l'isolement.",
                mobilisable_par=("usagers",),
            ),
        ),
    ),
    ModeleStructure(
        "rpe",
        "Relais petite enfance de {commune}",
        "monenfant",
        ("communes",),
        "Information des parents sur les modes d'accueil du jeune enfant et mise en relation "
        "avec les assistantes maternelles.",
        ("besancon", "audincourt", "pontarlier", "morteau"),
        "commune",
        (
            S(
                "Trouver un mode de garde",
                ("famille--garde-denfants",),
                "information",
                "Liste des assistantes maternelles disponibles, places en crèche, aide aux "
                "démarches d'employeur.",
                ("familles",),
            ),
        ),
    ),
    ModeleStructure(
        "creche_avip",
        "Crèche à vocation d'insertion Les P'tits Pas — {commune}",
        "monenfant",
        ("creches-avip",),
        "Crèche réservant des places aux parents en recherche d'emploi ou en formation.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Place en crèche pour parents en recherche d'emploi",
                ("famille--garde-denfants",),
                "aide-materielle",
                "Accueil de l'enfant pendant les démarches, la formation ou la reprise d'emploi "
                "du parent.",
                ("familles", "demandeurs-emploi"),
                frais="payant",
                frais_precisions="Barème CAF selon les ressources.",
                mobilisable_par=("professionnels",),
            ),
        ),
    ),
    ModeleStructure(
        "maison_familles",
        "Maison des familles de {commune}",
        "dora",
        ("fcsf",),
        "Lieu d'accueil et d'échange pour les parents : ateliers, médiation, soutien.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Soutien à la parentalité",
                ("famille--soutien-a-la-parentalite-et-a-leducation",),
                "atelier",
                "Groupes de parents, ateliers parents-enfants et entretiens individuels.",
                ("familles",),
            ),
            S(
                "Médiation familiale",
                ("famille--surmonter-conflits-separation-violence",),
                "accompagnement",
                "Un médiateur aide les parents séparés à s'accorder sur l'organisation de la "
                "vie des enfants.",
                ("familles",),
                frais="payant",
                frais_precisions="Barème national selon les revenus.",
            ),
        ),
    ),
    ModeleStructure(
        "aidants",
        "Plateforme d'accompagnement des aidants {bassin}",
        "dora",
        ("maison-departementale-de-lautonomie",),
        "Soutien aux proches aidants de personnes âgées ou en situation de handicap.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Répit et soutien des aidants",
                ("famille--soutien-aidants",),
                "accompagnement",
                "Écoute, formation des aidants et solutions de répit (accueil de jour, "
                "relais à domicile).",
            ),
            S(
                "Aide à domicile des personnes dépendantes",
                ("famille--prise-en-charge-personne-dependante", f"{EQA}--aide-menagere"),
                "accompagnement",
                "Évaluation des besoins et mise en place d'aides à domicile.",
                ("seniors", "personnes-en-situation-de-handicap"),
            ),
        ),
    ),
    ModeleStructure(
        "ecoute_aidants",
        "Aidants à l'écoute",
        "dora",
        (),
        "Ligne d'écoute nationale pour les proches aidants.",
        ("besancon",),
        "france",
        (
            S(
                "Écoute téléphonique des aidants",
                ("famille--soutien-aidants",),
                "information",
                "Des écoutants formés répondent du lundi au samedi aux aidants épuisés ou en "
                "recherche d'information.",
                modes_accueil=("a-distance",),
            ),
        ),
    ),
    ModeleStructure(
        "cidff",
        "Centre d'information sur les droits des femmes — {commune}",
        "dora",
        ("cidff",),
        "Information juridique et accompagnement des femmes et des familles.",
        ("besancon", "montbeliard"),
        "departement",
        (
            S(
                "Permanence juridique droits des femmes",
                (f"{DAJ}--accompagnement-pour-lacces-aux-droits",),
                "information",
                "Droit de la famille, droit du travail, séparation : une juriste répond sur "
                "rendez-vous.",
                ("femmes",),
            ),
            S(
                "Accompagnement des victimes de violences",
                ("famille--surmonter-conflits-separation-violence",),
                "accompagnement",
                "Écoute, information sur les droits et accompagnement dans les démarches "
                "(plainte, hébergement, ordonnance de protection).",
                ("femmes",),
            ),
            S(
                "Connaître ses droits face aux discriminations",
                (f"{DAJ}--connaitre-ses-droits-face-a-une-discrimination",),
                "information",
                "Information sur les recours en cas de discrimination à l'embauche, au "
                "logement ou dans l'accès aux services.",
            ),
        ),
        {"montbeliard": 2},
    ),
    ModeleStructure(
        "point_justice",
        "Point justice de {commune}",
        "dora",
        ("points-justice",),
        "Consultations juridiques gratuites et anonymes, orientation vers les professionnels "
        "du droit.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Consultation juridique gratuite",
                (
                    f"{DAJ}--prendre-en-compte-une-problematique-judiciaire",
                    f"{DAJ}--accompagnement-pour-lacces-aux-droits",
                ),
                "information",
                "Un avocat ou un juriste répond aux questions de droit du quotidien et aide à "
                "préparer une audience.",
            ),
            S(
                "Aide aux démarches de titre de séjour et de naturalisation",
                (f"{DAJ}--accompagnement-pour-lacces-a-la-citoyennete",),
                "accompagnement",
                "Information et aide à la constitution des dossiers de titre de séjour et de "
                "naturalisation.",
                ("personnes-exilees",),
            ),
        ),
        {"pontarlier": 1},
    ),
    ModeleStructure(
        "centre_social",
        "Centre social {commune}",
        "dora",
        ("fcsf",),
        "Équipement de quartier ouvert à tous : activités, ateliers, accompagnement et "
        "projets d'habitants.",
        ("besancon", "montbeliard", "pontarlier", "valentigney"),
        "commune",
        (
            S(
                "Ateliers et sorties collectives",
                (
                    "remobilisation--lien-social",
                    "remobilisation--activites-sportives-et-culturelles",
                ),
                "atelier",
                "Sorties culturelles, sport-santé et ateliers créatifs pour retrouver du lien "
                "et de l'élan.",
            ),
            S(
                "Groupe de parole et confiance en soi",
                ("remobilisation--bien-etre-confiance-en-soi",),
                "atelier",
                "Ateliers d'estime de soi, socio-esthétique et gestion du stress.",
            ),
            S(
                "Devenir bénévole",
                ("remobilisation--benevolat-action-citoyenne",),
                "information",
                "Des missions de bénévolat près de chez soi pour se rendre utile et "
                "reprendre un rythme.",
            ),
            S(
                "Ateliers sociolinguistiques",
                ("lecture-ecriture-calcul--maitriser-le-francais",),
                "atelier",
                "Apprendre le français de la vie quotidienne : démarches, santé, école, "
                "transports.",
                ("personnes-exilees",),
            ),
            S(
                "Accompagnement à la scolarité",
                ("famille--soutien-a-la-parentalite-et-a-leducation",),
                "accompagnement",
                "Aide aux devoirs et soutien aux parents dans le suivi de la scolarité.",
                ("familles",),
            ),
        ),
        {"valentigney": 3, "pontarlier": 4},
    ),
    ModeleStructure(
        "savoirs",
        "Savoirs de base en Doubs — {commune}",
        "dora",
        ("anlci",),
        "Association de lutte contre l'illettrisme : ateliers de lecture, d'écriture et de "
        "calcul pour adultes.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Ateliers lecture et écriture",
                ("lecture-ecriture-calcul--maitriser-le-francais",),
                "formation",
                "Petits groupes pour reprendre confiance à l'écrit, à son rythme, sans examen.",
            ),
            S(
                "Remise à niveau en calcul",
                ("lecture-ecriture-calcul--maitriser-le-calcul",),
                "formation",
                "Calculs du quotidien, pourcentages, budget et mesures.",
            ),
            S(
                "Français langue étrangère",
                ("lecture-ecriture-calcul--maitriser-le-francais",),
                "formation",
                "Cours de français pour les personnes non francophones, du niveau débutant au "
                "niveau B1.",
                ("personnes-exilees",),
            ),
        ),
    ),
    ModeleStructure(
        "maison_emploi",
        "Maison de l'emploi {bassin}",
        "dora",
        ("maisons-de-l-emploi",),
        "Accueil, information et ateliers sur l'emploi, la formation et les métiers du territoire.",
        ("montbeliard", "besancon"),
        "bassin",
        (
            S(
                "Découverte des métiers de l'industrie",
                (
                    "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
                    "choisir-un-metier--connaitre-les-opportunites-demploi",
                ),
                "information",
                "Visites d'entreprises et rencontres de professionnels de l'automobile et de "
                "la mécanique.",
            ),
            S(
                "Atelier valoriser ses compétences",
                ("preparer-sa-candidature--valoriser-ses-competences",),
                "atelier",
                "Identifier ses compétences transférables et savoir les présenter.",
            ),
            S(
                "Organiser sa recherche d'emploi",
                ("preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",),
                "atelier",
                "Méthode, outils de suivi et sites d'offres pour une recherche efficace.",
            ),
            S(
                "Club de recherche d'emploi",
                (
                    "trouver-un-emploi--faire-des-candidatures-spontanees",
                    "trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs",
                ),
                "atelier",
                "Trois semaines en groupe pour multiplier les candidatures et les relances.",
                ("demandeurs-emploi",),
            ),
        ),
    ),
    ModeleStructure(
        "creation",
        "Couveuse d'entreprises Doubs Initiatives",
        "dora",
        ("initiative-france",),
        "Accompagnement des créateurs et repreneurs d'entreprise, prêts d'honneur.",
        ("besancon",),
        "departement",
        (
            S(
                "Définir son projet de création",
                ("creer-une-entreprise--definir-son-projet-de-creation-dentreprise",),
                "accompagnement",
                "Entretiens et ateliers pour tester l'idée et le marché.",
            ),
            S(
                "Structurer son projet et son financement",
                ("creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",),
                "accompagnement",
                "Prévisionnel, statut juridique, prêt d'honneur et microcrédit.",
            ),
            S(
                "Développer son entreprise",
                ("creer-une-entreprise--developper-son-entreprise",),
                "accompagnement",
                "Suivi des trois premières années et réseau de chefs d'entreprise.",
            ),
        ),
    ),
    ModeleStructure(
        "aci",
        "Jardins solidaires du Doubs",
        "emplois-de-linclusion",
        ("aci",),
        "Atelier et chantier d'insertion en maraîchage biologique.",
        ("besancon",),
        "bassin",
        (
            S(
                "Contrat en chantier d'insertion",
                (
                    "trouver-un-emploi--repondre-a-des-offres-demploi",
                    "remobilisation--bien-etre-confiance-en-soi",
                ),
                "accompagnement",
                "Contrat de 26 heures par semaine en maraîchage avec un accompagnement "
                "socioprofessionnel.",
                ("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
                mobilisable_par=("professionnels",),
            ),
        ),
    ),
    ModeleStructure(
        "parrainage",
        "Parrainage vers l'emploi {bassin}",
        "dora",
        ("face",),
        "Des professionnels bénévoles parrainent des demandeurs d'emploi.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Parrainage par un professionnel",
                (
                    "preparer-sa-candidature--developper-son-reseau",
                    "trouver-un-emploi--convaincre-un-recruteur-en-entretien",
                ),
                "accompagnement",
                "Un parrain ou une marraine en activité partage son réseau et prépare aux "
                "entretiens.",
                ("demandeurs-emploi",),
            ),
        ),
    ),
    ModeleStructure(
        "vestiaire",
        "Vestiaire professionnel solidaire",
        "dora",
        (),
        "Tenues professionnelles et coaching en image pour les entretiens d'embauche.",
        ("besancon",),
        "departement",
        (
            S(
                "Une tenue pour l'entretien",
                (f"{EQA}--habillement", "trouver-un-emploi--convaincre-un-recruteur-en-entretien"),
                "aide-materielle",
                "Tenue offerte et conseils en image avant un entretien d'embauche.",
                ("demandeurs-emploi",),
                mobilisable_par=("professionnels",),
            ),
        ),
    ),
    ModeleStructure(
        "cap_emploi",
        "Cap emploi Doubs",
        "dora",
        ("cap-emploi-reseau-cheops",),
        "Accompagnement vers l'emploi et maintien dans l'emploi des personnes handicapées.",
        ("besancon",),
        "departement",
        (
            S(
                "Maintien dans l'emploi",
                ("trouver-un-emploi--maintien-dans-lemploi",),
                "accompagnement",
                "Aménagement du poste, reclassement ou formation quand la santé menace l'emploi.",
                ("personnes-en-situation-de-handicap", "actifs"),
            ),
        ),
    ),
    ModeleStructure(
        "e2c",
        "École de la deuxième chance {bassin}",
        "dora",
        ("ecoles-de-la-deuxieme-chance",),
        "Parcours de formation individualisé pour les jeunes sortis du système scolaire "
        "sans qualification.",
        ("besancon", "montbeliard"),
        "bassin",
        (
            S(
                "Parcours de formation personnalisé",
                ("se-former--trouver-sa-formation", "lecture-ecriture-calcul--maitriser-le-calcul"),
                "formation",
                "Remise à niveau, stages en entreprise et projet professionnel sur six à dix mois.",
                ("jeunes",),
            ),
        ),
    ),
    ModeleStructure(
        "formation",
        "Point relais formation {bassin}",
        "dora",
        ("regions",),
        "Information sur les formations financées et aide au montage des dossiers.",
        ("besancon", "montbeliard", "pontarlier"),
        "bassin",
        (
            S(
                "Monter son dossier de formation",
                (
                    "se-former--monter-son-dossier-de-formation",
                    "se-former--trouver-sa-formation",
                ),
                "accompagnement",
                "Choisir une formation, mobiliser son compte personnel de formation et les "
                "financements de la Région.",
            ),
        ),
    ),
    ModeleStructure(
        "international",
        "Point information jeunesse — mobilité internationale",
        "dora",
        ("reseau-information-jeunesse",),
        "Information sur les séjours, stages et emplois à l'étranger.",
        ("besancon",),
        "departement",
        (
            S(
                "Partir travailler ou se former à l'étranger",
                (
                    "souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger",
                    "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger",
                ),
                "information",
                "Programmes européens, volontariat, aides à la mobilité internationale.",
                ("jeunes",),
            ),
        ),
    ),
    ModeleStructure(
        "frontaliers",
        "Maison des frontaliers {bassin}",
        "dora",
        (),
        "Information sur le travail frontalier en Suisse et le retour en France.",
        ("morteau", "pontarlier"),
        "bassin",
        (
            S(
                "Travailler en Suisse : informations frontaliers",
                ("souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger",),
                "information",
                "Permis G, assurance maladie, fiscalité, chômage des frontaliers.",
            ),
            S(
                "Se réinstaller en France après un emploi à l'étranger",
                ("souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france",),
                "information",
                "Droits au chômage, assurance maladie et démarches au retour.",
            ),
        ),
    ),
)


# --- Génération -------------------------------------------------------------------------------


def _slug(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    ascii_ = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def _zone(portee: str, commune: str) -> list[str]:
    if portee == "commune":
        return [COMMUNES[commune][1]]
    if portee == "bassin":
        return [COMMUNES[c][1] for c in BASSINS[BASSIN_DE[commune]]]
    if portee == "departement":
        return ["25"]
    return ["france"]


def _date(rng: random.Random, *, ancienne: bool) -> str:
    # Anciennes : 14 à 30 mois, donc « à vérifier » ; les autres : moins de 10 mois.
    jours = rng.randint(425, 900) if ancienne else rng.randint(0, 300)
    return (DATE_REFERENCE - dt.timedelta(days=jours)).isoformat()


def _telephone(rng: random.Random) -> str:
    return f"+3335301{rng.randint(0, 9999):04d}"  # 03 53 01 xx xx : réservé à la fiction


def _structure(modele: ModeleStructure, commune: str, rng, suffixe: str) -> dict:
    nom_commune, insee, cp, lat, lon = COMMUNES[commune]
    nom = modele.nom.format(commune=nom_commune, bassin=NOMS_BASSINS[BASSIN_DE[commune]])
    nom = f"{nom}{suffixe}"
    slug = _slug(nom)
    return {
        "source": modele.source,
        "id": f"{modele.source}--{slug}",
        "nom": nom,
        "date_maj": _date(rng, ancienne=rng.random() < PART_ANCIENS),
        "description": modele.description,
        "siret": f"{rng.randint(10**13, 10**14 - 1)}",
        "adresse": f"{rng.randint(1, 60)} {rng.choice(RUES)}",
        "code_postal": cp,
        "commune": nom_commune,
        "code_insee": insee,
        "latitude": round(lat + rng.uniform(-0.01, 0.01), 5),
        "longitude": round(lon + rng.uniform(-0.01, 0.01), 5),
        "telephone": _telephone(rng),
        "courriel": f"contact@{slug[:40].strip('-')}.example.org",
        "site_web": f"https://{slug[:40].strip('-')}.example.org/",
        "lien_source": f"https://{modele.source}.example.org/structures/{slug}",
        "horaires_accueil": rng.choice(HORAIRES),
        "reseaux_porteurs": list(modele.reseaux),
    }


def _service(ms: ModeleService, modele: ModeleStructure, structure: dict, commune: str, rng):
    slug = _slug(ms.nom)
    identifiant = f"{structure['id']}--{slug}"
    ancienne = rng.random() < PART_ANCIENS
    modes_mobilisation = ["telephoner", "envoyer-un-courriel"]
    if "en-presentiel" in ms.modes_accueil:
        modes_mobilisation.append("se-presenter")
    service = {
        "source": structure["source"],
        "structure_id": structure["id"],
        "id": identifiant,
        "nom": ms.nom,
        "description": (
            f"{ms.description} Service proposé par {structure['nom']} ({structure['commune']})."
        ),
        "date_maj": _date(rng, ancienne=ancienne),
        "type": ms.type,
        "thematiques": list(ms.thematiques),
        "frais": ms.frais,
        "publics": list(ms.publics),
        "modes_accueil": list(ms.modes_accueil),
        "zone_eligibilite": _zone(ms.zone or modele.zone, commune),
        "modes_mobilisation": modes_mobilisation,
        "mobilisable_par": list(ms.mobilisable_par),
        "telephone": structure["telephone"],
        "courriel": structure["courriel"],
        "adresse": structure["adresse"],
        "code_postal": structure["code_postal"],
        "commune": structure["commune"],
        "code_insee": structure["code_insee"],
        "latitude": structure["latitude"],
        "longitude": structure["longitude"],
        "horaires_accueil": structure["horaires_accueil"],
        "lien_source": f"{structure['lien_source']}/services/{slug}",
    }
    if ms.frais_precisions:
        service["frais_precisions"] = ms.frais_precisions
    if ms.conditions:
        service["conditions_acces"] = ms.conditions
    if "professionnels" in ms.mobilisable_par and rng.random() < 0.4:
        service["modes_mobilisation"].append("utiliser-lien-mobilisation")
        service["lien_mobilisation"] = f"https://{structure['source']}.example.org/orienter/{slug}"
        service["mobilisation_precisions"] = (
            "Fiche de liaison à transmettre par le professionnel qui oriente."
        )
    if rng.random() < 0.3:
        service["contact_nom_prenom"] = rng.choice(
            ["Accueil", "Service social", "Permanence", "Secrétariat"]
        )
    service["modes_mobilisation"].sort()
    return service


def generer(*, services_min: int = 0, graine: int = GRAINE) -> dict[str, list[dict]]:
    """Le catalogue de base (tour 0), répété dans d'autres communes (« antenne n ») tant
    que le nombre de services demandé n'est pas atteint ; tronqué à `services_min` si
    demandé."""
    rng = random.Random(graine)  # noqa: S311 (données fictives reproductibles)
    structures: list[dict] = []
    services: list[dict] = []
    vus: set[str] = set()
    autres = list(COMMUNES)
    tour = 0
    while tour == 0 or len(services) < services_min:
        for modele in CATALOGUE:
            communes = modele.communes
            if tour:  # antennes : le même modèle dans d'autres communes
                communes = tuple(
                    autres[(i + tour * 7) % len(autres)] for i in range(len(modele.communes))
                )
            for commune in communes:
                suffixe = f" — antenne {tour}" if tour else ""
                structure = _structure(modele, commune, rng, suffixe)
                if structure["id"] in vus:  # même bassin : une seule structure
                    continue
                vus.add(structure["id"])
                structures.append(structure)
                nombre = modele.services_par_commune.get(commune, len(modele.services))
                for ms in modele.services[:nombre]:
                    services.append(_service(ms, modele, structure, commune, rng))
        tour += 1
    if services_min and len(services) > services_min:
        services = services[:services_min]
        utilisees = {s["structure_id"] for s in services}
        structures = [s for s in structures if s["id"] in utilisees]
    return {"structures": structures, "services": services}


def ecrire(donnees: dict, chemin: Path) -> None:
    """Un objet par ligne : lisible dans un diff, compact."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    with chemin.open("w", encoding="utf-8") as sortie:
        sortie.write("{\n")
        for numero, (cle, objets) in enumerate(donnees.items()):
            sortie.write(f'"{cle}": [\n')
            sortie.write(",\n".join(json.dumps(o, ensure_ascii=False) for o in objets))
            sortie.write("\n]" + ("," if numero < len(donnees) - 1 else "") + "\n")
        sortie.write("}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=0, help="nombre minimal de services")
    parser.add_argument("--sortie", type=Path, default=FIXTURE)
    args = parser.parse_args()
    donnees = generer(services_min=args.services)
    ecrire(donnees, args.sortie)
    print(
        f"{len(donnees['structures'])} structures, {len(donnees['services'])} services "
        f"→ {args.sortie}"
    )


if __name__ == "__main__":
    main()
