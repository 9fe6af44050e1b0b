"""Un département à l'échelle réelle pour les mesures : `manage.py bench_data --demandeurs N`.

Les petites tables (département, structures, comptes, rattachements, ressources) sont créées
par l'ORM (`bulk_create`) ; les grosses (demandeurs, dossiers, périodes, affectations,
prescriptions, diagnostics et freins, décisions, objectifs et actions, notes, rendez-vous,
documents, aides, demandes importantes, sollicitations, notifications) par `COPY` (psycopg
`cursor.copy`), par paquets de demandeurs ; le journal (~20 événements par demandeur) est
écrit par PostgreSQL lui-même (`INSERT … SELECT` depuis les objets chargés), sans passer par
Python.

Déterministe : tout sort d'un seul `random.Random(graine)` parcouru dans le même ordre, les
identifiants sont ceux des séquences à partir de la première valeur libre (base neuve : les
mêmes) ; seules les dates suivent « aujourd'hui ». `flux_lignes()` rend le flux de lignes
sans base, pour vérifier le déterminisme.

Déclencheurs d'historique (pghistory, décision 27) : désactivés pendant le chargement par
`SET LOCAL session_replication_role = replica` (voir docs/decisions.md, décision 47) — ces
lignes ne sont l'écriture de personne, et les recopier dans les tables d'historique
doublerait le volume écrit. Le même réglage saute aussi les contrôles de clés étrangères
(déclencheurs internes) : les contraintes CHECK et les index uniques restent vérifiés, et le
test (`tests/bench/test_bench_data.py`) vérifie qu'aucune clé ne pointe dans le vide.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accompagnement.models import Departement, Membership, Role, Structure, TypeStructure, User
from accompagnement.texte import normaliser
from conventions.models import ServiceRessource, StructureRessource

MOT_DE_PASSE = "Bench-mot-de-passe-1"
DOMAINE_COURRIEL = "bench.test"
JOURS = 3 * 365  # trois ans d'historique
PAQUET = 2000  # demandeurs par paquet de COPY

PRENOMS_F = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Laura",
    "Marie",
    "Nadia",
    "Sophie",
    "Claire",
    "Anaïs",
    "Lucie",
    "Pauline",
    "Aurélie",
    "Émilie",
    "Céline",
    "Sandrine",
    "Nathalie",
    "Isabelle",
    "Fatima",
    "Aïcha",
    "Samia",
    "Élodie",
    "Karine",
    "Valérie",
    "Stéphanie",
    "Mélanie",
    "Océane",
    "Margaux",
    "Jade",
    "Louise",
    "Alice",
    "Zoé",
    "Yasmine",
    "Leïla",
]
PRENOMS_M = [
    "Lucas",
    "Hugo",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Alexandre",
    "Kevin",
    "Romain",
    "Mehdi",
    "Karim",
    "Sébastien",
    "Mathieu",
    "Florian",
    "Jérôme",
    "Olivier",
    "Laurent",
    "David",
    "Christophe",
    "Yannick",
    "Rachid",
    "Omar",
    "Théo",
    "Louis",
    "Arthur",
    "Jules",
    "Nathan",
    "Enzo",
    "Bastien",
    "Cédric",
    "Grégory",
    "Franck",
    "Pascal",
    "Didier",
    "Hamza",
]
NOMS = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sanchez",
    "Dupuis",
    "Moulin",
    "Louis",
    "Deschamps",
    "Huet",
    "Vasseur",
    "Perez",
    "Boucher",
    "Fleury",
    "Royer",
    "Klein",
    "Jacquet",
    "Adam",
    "Paris",
    "Poirier",
    "Marty",
    "Aubry",
    "Guyot",
    "Carré",
    "Charles",
    "Renault",
    "Charpentier",
    "Ménard",
    "Maillard",
    "Baron",
    "Bertin",
    "Bailly",
    "Hervé",
    "Schneider",
    "Fernandez",
    "Lecoq",
    "Collet",
    "Léger",
    "Bouvier",
    "Julien",
    "Prévost",
    "Millet",
    "Perrot",
    "Daniel",
    "Benali",
    "Haddad",
    "Mansouri",
    "Bouzid",
    "Cherif",
    "Diallo",
    "Traoré",
    "Nguyen",
    "Tran",
    "Yilmaz",
    "Kaya",
    "Ferreira",
    "Silva",
]
COMMUNES = [
    ("Besançon", "25000", "25056"),
    ("Montbéliard", "25200", "25388"),
    ("Pontarlier", "25300", "25462"),
    ("Audincourt", "25400", "25031"),
    ("Valentigney", "25700", "25580"),
    ("Morteau", "25500", "25411"),
    ("Baume-les-Dames", "25110", "25047"),
    ("Ornans", "25290", "25434"),
    ("Valdahon", "25800", "25578"),
    ("Saint-Vit", "25410", "25527"),
    ("Héricourt", "70400", "70285"),
    ("Maîche", "25120", "25356"),
    ("Exincourt", "25400", "25230"),
    ("Sochaux", "25600", "25547"),
    ("Grand-Charmont", "25200", "25284"),
    ("Béthoncourt", "25200", "25057"),
    ("Seloncourt", "25230", "25539"),
    ("Hérimoncourt", "25310", "25304"),
    ("L'Isle-sur-le-Doubs", "25250", "25315"),
    ("Rougemont", "25680", "25505"),
    ("Quingey", "25440", "25475"),
    ("Mouthe", "25240", "25413"),
]
RUES = [
    "de la République",
    "Victor-Hugo",
    "des Lilas",
    "du Doubs",
    "Pasteur",
    "de la Gare",
    "Jean-Jaurès",
    "des Écoles",
    "du Moulin",
    "de Belfort",
]
DOMAINES_FREIN = [
    "mobilite",
    "famille",
    "sante",
    "savoirs_de_base",
    "logement",
    "finances",
    "administratif_juridique",
    "numerique",
    "isolement",
]
MOTIFS_SORTIE = [
    "emploi_durable",
    "emploi_court",
    "creation_activite",
    "formation_qualifiante",
    "iae",
    "reorientation_ft",
    "fin_duree",
    "abandon",
    "demenagement",
    "sortie_listes",
    "sante",
    "autre",
]
INTITULES_ACTION = [
    "Atelier CV et lettre de motivation",
    "Demande de logement social",
    "Inscription à une formation qualifiante",
    "Permis de conduire : dossier d'aide",
    "Rendez-vous à la CAF",
    "Recherche d'un mode de garde",
    "Bilan de santé",
    "Atelier numérique",
    "Plan d'apurement des dettes",
    "Immersion en entreprise",
    "Candidatures ciblées",
    "Ouverture des droits à la complémentaire santé",
]
TEXTES_NOTE = [
    "Entretien de suivi : la personne avance sur ses démarches.",
    "Point téléphonique, rendez-vous à prévoir le mois prochain.",
    "Échange avec le binôme sur le plan d'action.",
    "La personne a transmis les justificatifs demandés.",
    "Difficultés de garde d'enfant évoquées, piste de solution trouvée.",
    "Relance faite par courriel, sans réponse pour l'instant.",
]
BESOINS_SOLLICITATION = [
    "Aide au transport pour se rendre aux entretiens",
    "Accompagnement pour un dossier de logement",
    "Atelier d'initiation au numérique",
    "Aide alimentaire ponctuelle",
    "Mode de garde pour reprendre une formation",
    "Accès aux droits : dossier de complémentaire santé",
]


@dataclass(frozen=True)
class Volumes:
    """Effectifs du département, proportionnés au nombre de demandeurs (le Doubs : 8 agences,
    1 conseiller dédié par agence pour ~100 personnes, ~200 travailleurs sociaux)."""

    demandeurs: int

    @property
    def agences(self) -> int:
        return max(2, min(16, self.demandeurs // 6000 + 2))

    @property
    def territoires(self) -> int:
        return max(2, min(10, self.demandeurs // 12000 + 2))

    @property
    def conseillers_par_agence(self) -> int:
        return max(2, self.demandeurs // (self.agences * 250))

    @property
    def dedies_par_agence(self) -> int:
        return max(1, self.demandeurs // (self.agences * 1500))

    @property
    def ts_par_territoire(self) -> int:
        return max(2, self.demandeurs // (self.territoires * 400))

    @property
    def correspondants_par_territoire(self) -> int:
        return max(1, min(3, self.demandeurs // 30000 + 1))

    @property
    def services(self) -> int:
        return max(20, min(600, self.demandeurs // 150))


class _Ids:
    """Identifiants consécutifs d'une table, à partir de la première valeur libre."""

    def __init__(self, debut: int):
        self.prochain = debut

    def __call__(self) -> int:
        valeur = self.prochain
        self.prochain += 1
        return valeur


TABLES = {
    "demandeur": (
        "dossiers_demandeur",
        "id uuid departement_id civilite nom prenom nom_naissance date_naissance email telephone "
        "adresse code_postal commune code_commune identifiant_ft rsa_allocataire numero_caf "
        "rsa_date_ouverture rsa_droits_devoirs indemnisation niveau_qualification rqth "
        "residant_qpv agence_id cle_identite texte_recherche cree_le modifie_le information_le "
        "information_mode accord_transmission_le accord_transmission_mode version",
    ),
    "dossier": (
        "dossiers_dossier",
        "id uuid departement_id demandeur_id statut axe_courant origine oriente_par_id agence_id "
        "territoire_id motif_orientation date_orientation date_diagnostic date_entree date_cloture "
        "motif_sortie commentaire_sortie derniere_activite version cree_le",
    ),
    "periode": (
        "dossiers_periodeorientation",
        "id uuid dossier_id axe date_debut date_fin motif decide_par_id decide_le renouvellement "
        "echeance_signalee_le accord_personne conseiller_id professionnel_social_id",
    ),
    "affectation": (
        "dossiers_affectation",
        "id uuid dossier_id role professionnel_id structure_id date_debut date_fin affecte_par_id "
        "motif_fin",
    ),
    "prescription": (
        "dossiers_prescription",
        "id uuid dossier_id axe statut freins motif accord_le accord_mode prescrite_le cree_le "
        "pris_le designe_le refusee_le motif_refus diagnostic_le decision_le axe_decide "
        "repondue_le designe_par_id prescripteur_id pris_par_id refuse_par_id structure_id "
        "travailleur_social_id",
    ),
    "diagnostic": (
        "diagnostics_diagnostic",
        "id uuid dossier_id numero cree_le information_le information_mode accord_personne "
        "situation_pro anciennete_inscription dernier_emploi fin_dernier_emploi "
        "niveau_qualification formation metiers type_contrat temps_travail rayon_mobilite_km "
        "permis_b vehicule besoins capacite_recherche commentaire_emploi revision_emploi "
        "revision_social emploi_valide_le social_valide_le axe_recommande raisons_recommandation "
        "cree_par_id emploi_valide_par_id precedent_id social_valide_par_id",
    ),
    "frein": (
        "diagnostics_frein",
        "id diagnostic_id domaine presence impact situations commentaire statut statut_le",
    ),
    "decision": (
        "diagnostics_decisionorientation",
        "id uuid diagnostic_id axe axe_recommande motif date accord_personne cree_le "
        "conseiller_id decide_par_id professionnel_social_id",
    ),
    "objectif": (
        "dossiers_objectif",
        "id uuid dossier_id domaine intitule cree_le cree_par_id",
    ),
    "sollicitation": (
        "dossiers_sollicitation",
        "id uuid dossier_id domaine besoin preference_contact coordonnees_contact mode statut "
        "cree_le envoyee_le etude_le acceptee_le refusee_le realisee_le expiree_le delai_jours "
        "echeance relance_prevue_le relances derniere_relance_le reponse_par_lien "
        "precisions_reponse motif_refus version auteur_id correspondant_id repondu_par_id "
        "service_id",
    ),
    "action": (
        "dossiers_action",
        "id uuid dossier_id objectif_id intitule cote statut date_debut date_fin_prevue "
        "date_fin_reelle commentaire version cree_le modifie_le cree_par_id responsable_id "
        "ressource_id echeance_signalee_le sollicitation_id",
    ),
    "note": ("dossiers_note", "id uuid dossier_id visibilite texte cree_le auteur_id"),
    "rendezvous": (
        "dossiers_rendezvous",
        "id uuid dossier_id debut type lieu objet presence presence_notee_le cree_le cree_par_id "
        "presence_notee_par_id",
    ),
    "participant": ("dossiers_rendezvous_participants", "id rendezvous_id user_id"),
    "document": (
        "dossiers_document",
        "id uuid dossier_id categorie nom_origine type_mime taille empreinte chemin confidentiel "
        "depose_le depose_par_id",
    ),
    "aide": (
        "dossiers_aidefinanciere",
        "id uuid dossier_id montant_demande motif date_demande decision montant_accorde "
        "date_decision commentaire_decision decision_par_id demande_par_id",
    ),
    "demande_importante": (
        "dossiers_demandeimportante",
        "id uuid dossier_id type objet organisme statut motif_refus cree_le transmise_le "
        "instruction_le decision_le cree_par_id modifie_par_id",
    ),
    "notification": (
        "accompagnement_notification",
        "id uuid destinataire_id categorie titre texte lien cree_le lue_le envoyee_le",
    ),
}
# Ordre de chargement (clés étrangères) ; le journal est écrit après, par PostgreSQL.
ORDRE = list(TABLES)


@dataclass
class Referentiel:
    """Les petites tables, créées par l'ORM : ce que les grosses référencent."""

    departement_id: int
    agences: list[int]  # id de structure
    territoires: list[int]
    direction: int
    conseillers: dict[int, list[int]]  # agence → user ids
    dedies: dict[int, list[int]]
    ts: dict[int, list[int]]  # territoire → user ids
    correspondants: dict[int, list[tuple[int, int]]]  # territoire → (user id, membership id)
    animatrice: int
    services: list[int]
    tous_les_professionnels: list[int]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _instant(jour: dt.date, rng: random.Random) -> dt.datetime:
    heure = dt.time(8 + rng.randrange(10), rng.randrange(60))
    return dt.datetime.combine(jour, heure, tzinfo=dt.UTC)


def creer_referentiel(volumes: Volumes, rng: random.Random, code: str) -> Referentiel:
    """Département, structures, comptes et ressources (quelques milliers de lignes)."""
    departement = Departement.objects.create(code_insee=code, nom=f"Département {code} (mesures)")
    structures = []
    for i in range(volumes.agences):
        commune = COMMUNES[i % len(COMMUNES)][0]
        structures.append(
            Structure(
                departement=departement,
                type=TypeStructure.AGENCE_FT,
                nom=f"Agence France Travail {commune} {i + 1}",
                commune=commune,
            )
        )
    for i in range(volumes.territoires):
        commune = COMMUNES[i % len(COMMUNES)][0]
        structures.append(
            Structure(
                departement=departement,
                type=TypeStructure.TERRITOIRE_SOCIAL,
                nom=f"Territoire d'action sociale {commune} {i + 1}",
                commune=commune,
            )
        )
    structures.append(
        Structure(
            departement=departement,
            type=TypeStructure.DIRECTION_INSERTION,
            nom="Direction de l'insertion et de l'emploi",
            commune=COMMUNES[0][0],
        )
    )
    Structure.objects.bulk_create(structures)
    agences = [s for s in structures if s.type == TypeStructure.AGENCE_FT]
    territoires = [s for s in structures if s.type == TypeStructure.TERRITOIRE_SOCIAL]
    direction = structures[-1]

    empreinte = make_password(MOT_DE_PASSE)
    comptes: list[tuple[User, Structure, str]] = []

    def compte(role: str, structure: Structure, n: int) -> None:
        feminin = rng.random() < 0.6
        prenom = rng.choice(PRENOMS_F if feminin else PRENOMS_M)
        nom = rng.choice(NOMS)
        courriel = f"{role}.{structure.pk}.{n}@{code}.{DOMAINE_COURRIEL}"
        user = User(email=courriel, prenom=prenom, nom=nom, password=empreinte)
        comptes.append((user, structure, role))

    for agence in agences:
        for n in range(volumes.conseillers_par_agence):
            compte(Role.CONSEILLER, agence, n)
        for n in range(volumes.dedies_par_agence):
            compte(Role.CONSEILLER_DEDIE, agence, n)
    for territoire in territoires:
        for n in range(volumes.ts_par_territoire):
            compte(Role.TRAVAILLEUR_SOCIAL, territoire, n)
        for n in range(volumes.correspondants_par_territoire):
            compte(Role.CORRESPONDANT_INSERTION, territoire, n)
    compte(Role.ANIMATRICE, direction, 0)
    compte(Role.ADMINISTRATEUR, direction, 0)
    User.objects.bulk_create([u for u, _, _ in comptes])
    memberships = Membership.objects.bulk_create(
        [Membership(user=u, structure=s, role=r) for u, s, r in comptes]
    )

    ref = Referentiel(
        departement_id=departement.pk,
        agences=[a.pk for a in agences],
        territoires=[t.pk for t in territoires],
        direction=direction.pk,
        conseillers={a.pk: [] for a in agences},
        dedies={a.pk: [] for a in agences},
        ts={t.pk: [] for t in territoires},
        correspondants={t.pk: [] for t in territoires},
        animatrice=0,
        services=[],
        tous_les_professionnels=[],
    )
    for (user, structure, role), m in zip(comptes, memberships, strict=True):
        if role == Role.CONSEILLER:
            ref.conseillers[structure.pk].append(user.pk)
        elif role == Role.CONSEILLER_DEDIE:
            ref.dedies[structure.pk].append(user.pk)
        elif role == Role.TRAVAILLEUR_SOCIAL:
            ref.ts[structure.pk].append(user.pk)
        elif role == Role.CORRESPONDANT_INSERTION:
            ref.correspondants[structure.pk].append((user.pk, m.pk))
        elif role == Role.ANIMATRICE:
            ref.animatrice = user.pk
        if role != Role.ADMINISTRATEUR:
            ref.tous_les_professionnels.append(user.pk)

    porteuses = StructureRessource.objects.bulk_create(
        [
            StructureRessource(
                departement=departement,
                source="bench",
                identifiant=f"structure-{i}",
                nom=f"Association {rng.choice(NOMS)} {i}",
                date_maj=timezone.localdate() - dt.timedelta(days=rng.randrange(400)),
                commune=COMMUNES[i % len(COMMUNES)][0],
                code_postal=COMMUNES[i % len(COMMUNES)][1],
            )
            for i in range(max(5, volumes.services // 3))
        ]
    )
    services = []
    for i in range(volumes.services):
        domaine = DOMAINES_FREIN[i % len(DOMAINES_FREIN)]
        commune = COMMUNES[i % len(COMMUNES)]
        services.append(
            ServiceRessource(
                departement=departement,
                structure=porteuses[i % len(porteuses)],
                source="bench",
                identifiant=f"service-{i}",
                nom=f"{rng.choice(BESOINS_SOLLICITATION)} ({commune[0]})",
                description="Service généré pour les mesures de performance.",
                date_maj=timezone.localdate() - dt.timedelta(days=rng.randrange(400)),
                domaines=[domaine],
                commune=commune[0],
                code_postal=commune[1],
                code_insee=commune[2],
            ).preparer()
        )
    ServiceRessource.objects.bulk_create(services)
    ref.services = [s.pk for s in services]
    return ref


def _premiers_ids(curseur) -> dict[str, int]:
    debuts = {}
    for cle, (table, _) in TABLES.items():
        curseur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 (nom de table tiré des modèles)
        debuts[cle] = curseur.fetchone()[0]
    return debuts


class Generateur:
    """Produit, demandeur par demandeur, les lignes de toutes les grosses tables."""

    def __init__(self, ref: Referentiel, rng: random.Random, debuts: dict[str, int], today):
        self.ref = ref
        self.rng = rng
        self.ids = {cle: _Ids(debut) for cle, debut in debuts.items()}
        self.today = today
        self.identites: set[str] = set()

    # -- outils -----------------------------------------------------------------------
    def jour(self, debut: dt.date, fin: dt.date) -> dt.date:
        ecart = (fin - debut).days
        return debut + dt.timedelta(days=self.rng.randrange(ecart + 1) if ecart > 0 else 0)

    def demandeur(self, lignes, i: int) -> tuple[int, int, tuple[str, str, str]]:
        rng, ref = self.rng, self.ref
        feminin = rng.random() < 0.52
        prenom = rng.choice(PRENOMS_F if feminin else PRENOMS_M)
        nom = rng.choice(NOMS)
        naissance = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
        cle = f"{normaliser(nom)}|{normaliser(prenom)}|{naissance:%Y-%m-%d}"
        while cle in self.identites:  # même nom, prénom et date : une autre personne
            naissance += dt.timedelta(days=1)
            cle = f"{normaliser(nom)}|{normaliser(prenom)}|{naissance:%Y-%m-%d}"
        self.identites.add(cle)
        commune = COMMUNES[min(int(rng.expovariate(0.25)), len(COMMUNES) - 1)]
        agence = ref.agences[i % len(ref.agences)]
        identifiant = f"{i:07d}{chr(65 + i % 26)}"
        rsa = rng.random() < 0.55
        pk = self.ids["demandeur"]()
        instant = _instant(self.today - dt.timedelta(days=rng.randrange(JOURS)), rng)
        accord = rng.random() < 0.7
        lignes["demandeur"].append(
            (
                pk,
                _uuid(rng),
                ref.departement_id,
                "mme" if feminin else "m",
                nom,
                prenom,
                "",
                naissance,
                f"{normaliser(prenom)}.{normaliser(nom)}{i}@exemple.fr".replace(" ", "-"),
                f"06{rng.randrange(10**8):08d}",
                f"{rng.randrange(1, 120)} rue {rng.choice(RUES)}",
                commune[1],
                commune[0],
                commune[2],
                identifiant,
                rsa,
                f"{rng.randrange(10**7):07d}" if rsa else "",
                self.jour(dt.date(2015, 1, 1), self.today) if rsa else None,
                rsa and rng.random() < 0.8,
                rng.choice(["aucune", "are", "ass"]),
                rng.choice(["", "sans", "3", "4", "5", "6", "7"]),
                rng.random() < 0.12,
                rng.random() < 0.18,
                agence,
                cle,
                normaliser(f"{nom} {prenom} {identifiant}"),
                instant,
                instant,
                # Information sur le traitement des données et accord de transmission (RGPD).
                instant.date(),
                "oral",
                instant.date() if accord else None,
                rng.choice(["oral", "ecrit", "signe"]) if accord else "",
                1,  # version (verrou optimiste de la fiche)
            )
        )
        return pk, agence, commune

    # -- un demandeur et son parcours -----------------------------------------------
    def personne(self, lignes, i: int) -> None:
        rng, _ref = self.rng, self.ref
        demandeur, agence, _commune = self.demandeur(lignes, i)
        tirage = rng.random()
        if tirage < 0.03:
            return  # inscrit, jamais orienté
        if tirage < 0.08:  # un ancien parcours clos, puis le parcours actuel
            self.dossier(lignes, demandeur, agence, clos_force=True, ancien=True)
        self.dossier(lignes, demandeur, agence)

    def dossier(self, lignes, demandeur, agence, clos_force=False, ancien=False) -> None:
        rng, ref, today = self.rng, self.ref, self.today
        t = rng.random()
        if clos_force or t < 0.40:
            statut = "clos"
        elif t < 0.48:
            statut = "a_orienter"
        elif t < 0.58:
            statut = "diagnostic"
        else:
            statut = "accompagnement"
        if ancien:
            orientation = today - dt.timedelta(days=rng.randrange(700, JOURS))
        elif statut == "clos":
            orientation = today - dt.timedelta(days=rng.randrange(60, JOURS))
        elif statut == "accompagnement":
            orientation = today - dt.timedelta(days=int(rng.triangular(20, 540, 120)))
        else:
            orientation = today - dt.timedelta(days=rng.randrange(1, 90))
        axe = rng.choices(["1", "2", "3"], weights=[45, 38, 17])[0]
        if statut in ("a_orienter",):
            axe = ""
        if statut == "diagnostic":
            axe = ""
        territoire = ref.territoires[agence % len(ref.territoires)]
        conseiller = rng.choice(ref.conseillers[agence])
        pk = self.ids["dossier"]()
        duuid = _uuid(rng)
        entree = diagnostic = cloture = None
        if statut in ("accompagnement", "clos") and axe:
            diagnostic = (
                orientation + dt.timedelta(days=rng.randrange(3, 15)) if axe != "1" else None
            )
            entree = orientation + dt.timedelta(days=rng.randrange(7, 35))
            entree = min(entree, today)
        elif statut == "diagnostic":
            diagnostic = min(orientation + dt.timedelta(days=rng.randrange(3, 15)), today)
        if statut == "clos":
            if not axe:
                axe = rng.choice(["1", "2", "3"])
                entree = min(orientation + dt.timedelta(days=rng.randrange(7, 35)), today)
            fin_max = min(today, (entree or orientation) + dt.timedelta(days=480))
            cloture = self.jour(entree or orientation, fin_max)
            if ancien:
                cloture = min(cloture, today - dt.timedelta(days=200))
                cloture = max(cloture, entree or orientation)
        motif_sortie = rng.choice(MOTIFS_SORTIE) if statut == "clos" else ""
        derniere = _instant(cloture or self.jour(entree or orientation, today), rng)
        lignes["dossier"].append(
            (
                pk,
                duuid,
                ref.departement_id,
                demandeur,
                statut,
                axe if statut != "a_orienter" else "",
                rng.choices(["conseiller_ft", "travailleur_social", "autre"], [80, 15, 5])[0],
                conseiller,
                agence,
                territoire,
                "Cumul de difficultés sociales et professionnelles.",
                orientation,
                diagnostic,
                entree,
                cloture,
                motif_sortie,
                "Sortie enregistrée." if statut == "clos" else "",
                derniere,
                1,
                _instant(orientation, rng),
            )
        )
        fin = cloture  # date de fin des affectations et périodes
        # Le conseiller de l'agence, affecté à l'ouverture.
        self.affectation(lignes, pk, "conseiller", conseiller, agence, orientation, fin, conseiller)
        dedie = ts = None
        if (axe in ("2", "3") and statut in ("accompagnement", "clos", "diagnostic")) or (
            statut == "diagnostic"
        ):
            ts = rng.choice(ref.ts[territoire])
            axe_presc = axe if axe in ("2", "3") else rng.choice(["2", "3"])
            self.prescription(
                lignes,
                pk,
                axe_presc,
                statut,
                orientation,
                diagnostic,
                entree,
                conseiller,
                ts,
                territoire,
            )
            if statut != "diagnostic" or rng.random() < 0.6:
                self.diagnostics(
                    lignes,
                    pk,
                    statut,
                    axe,
                    diagnostic or orientation,
                    entree,
                    conseiller,
                    ts,
                    duuid,
                )
        if statut in ("accompagnement", "clos") and axe:
            if axe == "2":
                dedie = rng.choice(ref.dedies[agence])
                self.affectation(
                    lignes, pk, "conseiller_dedie", dedie, agence, entree, fin, conseiller
                )
                if rng.random() > 0.04 or statut == "clos":  # quelques binômes incomplets
                    self.affectation(
                        lignes, pk, "travailleur_social", ts, territoire, entree, fin, conseiller
                    )
            elif axe == "3":
                self.affectation(
                    lignes, pk, "referent_social", ts, territoire, entree, fin, conseiller
                )
            self.periodes(lignes, pk, axe, entree, fin, conseiller, dedie, ts)
            self.suivi(
                lignes,
                pk,
                duuid,
                statut,
                axe,
                entree,
                fin or today,
                conseiller,
                dedie,
                ts,
                territoire,
            )

    def affectation(self, lignes, dossier, role, pro, structure, debut, fin, par) -> None:
        lignes["affectation"].append(
            (
                self.ids["affectation"](),
                _uuid(self.rng),
                dossier,
                role,
                pro,
                structure,
                debut,
                fin,
                par,
                "Clôture du dossier" if fin else "",
            )
        )

    def periodes(self, lignes, dossier, axe, entree, fin, conseiller, dedie, ts) -> None:
        rng = self.rng
        debut = entree
        renouvellement = False
        while True:
            echeance = debut + dt.timedelta(days=365)
            fin_periode = fin
            if fin_periode is None and echeance < self.today - dt.timedelta(days=40):
                fin_periode = echeance  # renouvelée à l'échéance
            if fin_periode is not None and fin_periode > echeance and rng.random() < 0.7:
                fin_periode = echeance
            signalee = (
                echeance - dt.timedelta(days=30)
                if fin_periode is None
                and echeance < self.today + dt.timedelta(days=30)
                and rng.random() < 0.5
                else None
            )
            lignes["periode"].append(
                (
                    self.ids["periode"](),
                    _uuid(rng),
                    dossier,
                    axe,
                    debut,
                    fin_periode,
                    "Décision conjointe après diagnostic partagé."
                    if not renouvellement
                    else "Renouvellement d'un commun accord.",
                    conseiller,
                    _instant(debut, rng),
                    renouvellement,
                    signalee,
                    True,
                    dedie if axe == "2" else (conseiller if axe == "1" else None),
                    ts if axe in ("2", "3") else None,
                )
            )
            if fin_periode is None or fin_periode == fin:
                break
            debut = fin_periode + dt.timedelta(days=1)
            renouvellement = True
            if fin is not None and debut > fin:
                break

    def prescription(
        self,
        lignes,
        dossier,
        axe,
        statut,
        orientation,
        diagnostic,
        entree,
        conseiller,
        ts,
        territoire,
    ) -> None:
        rng = self.rng
        if statut == "diagnostic":
            statut_p = "prise_en_charge" if diagnostic and rng.random() < 0.7 else "en_attente"
        else:
            statut_p = "terminee"
        pris = orientation + dt.timedelta(days=1) if statut_p != "en_attente" else None
        decision = entree if statut_p == "terminee" else None
        lignes["prescription"].append(
            (
                self.ids["prescription"](),
                _uuid(rng),
                dossier,
                axe,
                statut_p,
                rng.sample(DOMAINES_FREIN, rng.randrange(1, 4)),
                "Freins sociaux identifiés en entretien.",
                orientation,
                "entretien",
                orientation,
                _instant(orientation, rng),
                pris,
                pris,
                None,
                "",
                diagnostic if statut_p != "en_attente" else None,
                decision,
                axe if decision else "",
                _instant(pris, rng) if pris else None,
                ts if pris else None,
                conseiller,
                ts if pris else None,
                None,
                territoire,
                ts if pris else None,
            )
        )

    def diagnostics(
        self, lignes, dossier, statut, axe, debut, entree, conseiller, ts, duuid
    ) -> None:
        rng = self.rng
        versions = 1 if rng.random() < 0.8 else 2
        precedent = None
        for numero in range(1, versions + 1):
            pk = self.ids["diagnostic"]()
            jour = debut if numero == 1 else min(self.today, debut + dt.timedelta(days=180))
            valide = statut != "diagnostic" or numero < versions
            instant_valide = _instant(jour + dt.timedelta(days=5), rng) if valide else None
            presents = rng.sample(DOMAINES_FREIN, rng.randrange(0, 5))
            recommande = "2" if len(presents) >= 2 else "1"
            lignes["diagnostic"].append(
                (
                    pk,
                    _uuid(rng),
                    dossier,
                    numero,
                    _instant(jour, rng),
                    jour,
                    "entretien",
                    True,
                    rng.choice(["sans_activite", "activite_reduite", "formation", "autre"]),
                    rng.choice(["moins_6", "6_12", "12_24", "plus_24"]),
                    rng.choice(["Agent d'entretien", "Vendeuse", "Cariste", "Aide-soignante", ""]),
                    None,
                    "",
                    "",
                    json.dumps([rng.choice(["Aide à domicile", "Logistique", "Restauration"])]),
                    rng.choice(["cdi", "cdd", "interim", "indifferent"]),
                    rng.choice(["plein", "partiel", "indifferent"]),
                    rng.choice([5, 10, 20, 30, 50]),
                    rng.random() < 0.5,
                    rng.random() < 0.4,
                    json.dumps({"projet": "besoin", "techniques": "point_fort"}),
                    rng.choice(["oui", "partiellement", "non"]),
                    "",
                    1,
                    1,
                    instant_valide,
                    instant_valide,
                    recommande,
                    json.dumps([]),
                    conseiller,
                    conseiller if valide else None,
                    precedent,
                    ts if valide else None,
                )
            )
            for domaine in DOMAINES_FREIN:
                if domaine in presents:
                    statut_f = rng.choices(["identifie", "en_cours", "leve"], [40, 35, 25])[0]
                    lignes["frein"].append(
                        (
                            self.ids["frein"](),
                            pk,
                            domaine,
                            "present",
                            rng.choice(["fort", "moyen", "sans_impact"]),
                            [],
                            "",
                            statut_f,
                            jour,
                        )
                    )
                else:
                    lignes["frein"].append(
                        (
                            self.ids["frein"](),
                            pk,
                            domaine,
                            rng.choice(["absent", "non_aborde"]),
                            "",
                            [],
                            "",
                            "",
                            None,
                        )
                    )
            if valide and numero == 1 and axe in ("2", "3") and entree:
                lignes["decision"].append(
                    (
                        self.ids["decision"](),
                        _uuid(rng),
                        pk,
                        axe,
                        recommande,
                        "" if axe == recommande else "Décision conjointe avec la personne.",
                        entree,
                        True,
                        _instant(entree, rng),
                        conseiller,
                        conseiller,
                        ts,
                    )
                )
            precedent = pk

    def suivi(
        self, lignes, dossier, duuid, statut, axe, debut, fin, conseiller, dedie, ts, territoire
    ) -> None:
        rng, today = self.rng, self.today
        auteurs = [p for p in (conseiller, dedie, ts) if p]
        # Objectifs et actions (axes 2 et 3 surtout).
        nb_objectifs = rng.randrange(1, 4) if axe in ("2", "3") else rng.randrange(0, 2)
        for _ in range(nb_objectifs):
            objectif = self.ids["objectif"]()
            domaine = rng.choice(["emploi", *DOMAINES_FREIN])
            lignes["objectif"].append(
                (
                    objectif,
                    _uuid(rng),
                    dossier,
                    domaine,
                    f"Objectif {domaine}",
                    _instant(debut, rng),
                    rng.choice(auteurs),
                )
            )
            for _ in range(rng.randrange(1, 4)):
                date_debut = self.jour(debut, fin)
                prevue = date_debut + dt.timedelta(days=rng.randrange(7, 120))
                if statut == "clos":
                    st = rng.choice(["realisee", "abandonnee", "annulee", "realisee"])
                else:
                    st = rng.choices(
                        ["en_projet", "en_cours", "en_attente", "realisee", "abandonnee"],
                        [15, 40, 10, 30, 5],
                    )[0]
                reelle = min(prevue, today) if st in ("realisee", "abandonnee", "annulee") else None
                cote = "social" if domaine != "emploi" else "emploi"
                responsable = (ts or conseiller) if cote == "social" else (dedie or conseiller)
                signalee = (
                    prevue + dt.timedelta(days=1)
                    if reelle is None and prevue < today and rng.random() < 0.3
                    else None
                )
                instant = _instant(date_debut, rng)
                lignes["action"].append(
                    (
                        self.ids["action"](),
                        _uuid(rng),
                        dossier,
                        objectif,
                        rng.choice(INTITULES_ACTION),
                        cote,
                        st,
                        date_debut,
                        prevue,
                        reelle,
                        "",
                        1,
                        instant,
                        instant,
                        responsable,
                        responsable,
                        None,
                        signalee,
                        None,
                    )
                )
        # Notes.
        for _ in range(rng.randrange(2, 8)):
            lignes["note"].append(
                (
                    self.ids["note"](),
                    _uuid(rng),
                    dossier,
                    rng.choices(["partagee", "sociale", "privee"], [70, 20, 10])[0],
                    rng.choice(TEXTES_NOTE),
                    _instant(self.jour(debut, fin), rng),
                    rng.choice(auteurs),
                )
            )
        # Rendez-vous : passés (présence notée) et à venir.
        for _ in range(rng.randrange(1, 6)):
            jour = self.jour(debut, min(fin + dt.timedelta(days=30), today + dt.timedelta(days=60)))
            if statut == "clos":
                jour = min(jour, fin)
            passe = jour < today
            presence = (
                rng.choices(["present", "absent", "excuse"], [80, 12, 8])[0] if passe else "prevu"
            )
            createur = rng.choice(auteurs)
            rdv = self.ids["rendezvous"]()
            debut_rdv = _instant(jour, rng)
            lignes["rendezvous"].append(
                (
                    rdv,
                    _uuid(rng),
                    dossier,
                    debut_rdv,
                    rng.choices(
                        ["individuel", "tripartite", "telephone", "visite_domicile"],
                        [55, 20, 20, 5],
                    )[0],
                    "Agence" if createur == conseiller else "Centre médico-social",
                    "Point d'étape",
                    presence,
                    debut_rdv if passe else None,
                    debut_rdv - dt.timedelta(days=7),
                    createur,
                    createur if passe else None,
                )
            )
            for participant in set(auteurs[:2]):
                lignes["participant"].append((self.ids["participant"](), rdv, participant))
        # Documents (métadonnées seules : aucun fichier n'est écrit).
        for _ in range(rng.randrange(0, 3)):
            doc = self.ids["document"]()
            lignes["document"].append(
                (
                    doc,
                    _uuid(rng),
                    dossier,
                    rng.choice(["piece_identite", "justificatif", "courrier", "contrat", "autre"]),
                    f"document-{doc}.pdf",
                    "application/pdf",
                    rng.randrange(20_000, 2_000_000),
                    f"{rng.getrandbits(256):064x}",
                    f"bench/{duuid}/{doc}.pdf",
                    rng.random() < 0.15,
                    _instant(self.jour(debut, fin), rng),
                    rng.choice(auteurs),
                )
            )
        # Aides financières et demandes importantes (binôme).
        if axe in ("2", "3") and rng.random() < 0.3:
            demande = self.jour(debut, fin)
            montant = rng.randrange(50, 800)
            decision = rng.choices(["en_attente", "accordee", "refusee"], [20, 65, 15])[0]
            if statut == "clos" and decision == "en_attente":
                decision = "accordee"
            lignes["aide"].append(
                (
                    self.ids["aide"](),
                    _uuid(rng),
                    dossier,
                    montant,
                    "Aide ponctuelle (transport, garde, équipement)",
                    demande,
                    decision,
                    montant if decision == "accordee" else None,
                    demande + dt.timedelta(days=7) if decision != "en_attente" else None,
                    "Hors barème." if decision == "refusee" else "",
                    ts if decision != "en_attente" else None,
                    ts or conseiller,
                )
            )
        if axe == "2" and rng.random() < 0.03:
            jour = self.jour(debut, fin)
            lignes["demande_importante"].append(
                (
                    self.ids["demande_importante"](),
                    _uuid(rng),
                    dossier,
                    rng.choice(["expulsion_locative", "descolarisation", "autre"]),
                    "Situation signalée par le binôme",
                    "Commission de prévention",
                    "transmise",
                    "",
                    _instant(jour, rng),
                    _instant(jour, rng),
                    None,
                    None,
                    ts or conseiller,
                    None,
                )
            )
        # Sollicitations de l'axe 1.
        if axe == "1":
            correspondants = self.ref.correspondants[territoire]
            for _ in range(rng.randrange(1, 3)):
                self.sollicitation(lignes, dossier, statut, debut, fin, conseiller, correspondants)

    def sollicitation(
        self, lignes, dossier, statut_dossier, debut, fin, conseiller, correspondants
    ):
        rng, _today = self.rng, self.today
        cree = _instant(self.jour(debut, fin), rng)
        statuts = [
            "envoyee",
            "a_l_etude",
            "acceptee",
            "refusee",
            "realisee",
            "expiree",
            "brouillon",
        ]
        if statut_dossier == "clos":
            statut = rng.choice(["realisee", "refusee", "expiree", "acceptee"])
        else:
            statut = rng.choices(statuts, [15, 15, 20, 8, 30, 5, 7])[0]
        mode = "correspondant" if rng.random() < 0.4 else "direct"
        correspondant = rng.choice(correspondants) if mode == "correspondant" else None
        envoyee = cree if statut != "brouillon" else None
        delai = rng.choice([7, 10, 15])
        echeance = envoyee + dt.timedelta(days=delai) if envoyee else None
        apres = (cree + dt.timedelta(days=3)) if envoyee else None
        lignes["sollicitation"].append(
            (
                self.ids["sollicitation"](),
                _uuid(rng),
                dossier,
                rng.choice(DOMAINES_FREIN),
                rng.choice(BESOINS_SOLLICITATION),
                rng.choice(["telephone", "courriel", "courrier", "professionnel"]),
                "",
                mode,
                statut,
                cree,
                envoyee,
                apres if statut in ("a_l_etude", "acceptee", "realisee") else None,
                apres if statut in ("acceptee", "realisee") else None,
                apres if statut == "refusee" else None,
                apres + dt.timedelta(days=20) if statut == "realisee" else None,
                echeance if statut == "expiree" else None,
                delai,
                echeance,
                echeance - dt.timedelta(days=2) if echeance and statut == "envoyee" else None,
                0,
                None,
                False,
                "",
                "Plus de place cette session." if statut == "refusee" else "",
                1,
                conseiller,
                correspondant[1] if correspondant else None,
                None,
                rng.choice(self.ref.services),
            )
        )

    def notifications(self, lignes, par_professionnel: int) -> None:
        rng, today = self.rng, self.today
        categories = [
            "affectation",
            "sollicitation",
            "action",
            "document",
            "renouvellement",
            "decision",
        ]
        for pro in self.ref.tous_les_professionnels:
            for _ in range(par_professionnel):
                cree = _instant(today - dt.timedelta(days=rng.randrange(120)), rng)
                lue = rng.random() < 0.7
                lignes["notification"].append(
                    (
                        self.ids["notification"](),
                        _uuid(rng),
                        pro,
                        rng.choice(categories),
                        "Un dossier demande votre attention",
                        "",
                        "/",
                        cree,
                        cree + dt.timedelta(hours=2) if lue else None,
                        cree + dt.timedelta(minutes=15) if rng.random() < 0.5 else None,
                    )
                )


def _vide() -> dict[str, list]:
    return {cle: [] for cle in TABLES}


def flux_lignes(ref: Referentiel, n: int, graine: int, debuts: dict[str, int], today):
    """Les paquets de lignes, sans base : même graine, mêmes paquets."""
    rng = random.Random(graine + 1)  # noqa: S311 (données de mesure, pas de sécurité)
    gen = Generateur(ref, rng, debuts, today)
    lignes = _vide()
    for i in range(n):
        gen.personne(lignes, i)
        if (i + 1) % PAQUET == 0:
            yield lignes
            lignes = _vide()
    gen.notifications(lignes, par_professionnel=30)
    yield lignes


def _copier(curseur, cle: str, lignes: list) -> None:
    if not lignes:
        return
    table, colonnes = TABLES[cle]
    colonnes = colonnes.split()
    sql = f"COPY {table} ({', '.join(colonnes)}) FROM STDIN"
    with curseur.copy(sql) as copie:
        for ligne in lignes:
            copie.write_row(ligne)


JOURNAL_SQL = """
INSERT INTO dossiers_evenementjournal
    (dossier_id, type, horodatage, date_effet, resume, visibilite, objet_type, objet_id, auteur_id)
SELECT dossier_id, type, horodatage, horodatage::date, resume, visibilite, objet_type, objet_id, auteur_id
FROM (
    SELECT d.id AS dossier_id, 'ouverture' AS type,
           d.date_orientation + time '09:00' AS horodatage, 'Dossier ouvert' AS resume,
           'partagee' AS visibilite, 'dossiers.dossier' AS objet_type, d.uuid::text AS objet_id,
           d.oriente_par_id AS auteur_id
      FROM dossiers_dossier d WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT a.dossier_id, 'affectation', a.date_debut + time '09:05', 'Professionnel affecté',
           'partagee', 'dossiers.affectation', a.uuid::text, a.affecte_par_id
      FROM dossiers_affectation a JOIN dossiers_dossier d ON d.id = a.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT p.dossier_id, 'orientation', p.decide_le, 'Orientation décidée', 'partagee',
           'dossiers.periodeorientation', p.uuid::text, p.decide_par_id
      FROM dossiers_periodeorientation p JOIN dossiers_dossier d ON d.id = p.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT g.dossier_id, 'diagnostic', g.cree_le, 'Diagnostic partagé commencé', 'partagee',
           'diagnostics.diagnostic', g.uuid::text, g.cree_par_id
      FROM diagnostics_diagnostic g JOIN dossiers_dossier d ON d.id = g.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT x.dossier_id, 'action', x.cree_le, 'Action ajoutée au plan', 'partagee',
           'dossiers.action', x.uuid::text, x.cree_par_id
      FROM dossiers_action x JOIN dossiers_dossier d ON d.id = x.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT x.dossier_id, 'action', x.modifie_le + interval '3 days', 'Action mise à jour', 'partagee',
           'dossiers.action', x.uuid::text, x.responsable_id
      FROM dossiers_action x JOIN dossiers_dossier d ON d.id = x.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT n.dossier_id, 'note', n.cree_le, 'Note ajoutée',
           CASE WHEN n.visibilite = 'sociale' THEN 'sociale' ELSE 'partagee' END,
           'dossiers.note', n.uuid::text, n.auteur_id
      FROM dossiers_note n JOIN dossiers_dossier d ON d.id = n.dossier_id
     WHERE d.departement_id = %(dep)s AND n.visibilite <> 'privee'
    UNION ALL
    SELECT r.dossier_id, 'rendez_vous', r.cree_le, 'Rendez-vous fixé', 'partagee',
           'dossiers.rendezvous', r.uuid::text, r.cree_par_id
      FROM dossiers_rendezvous r JOIN dossiers_dossier d ON d.id = r.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT r.dossier_id, 'rendez_vous', r.presence_notee_le, 'Présence notée', 'partagee',
           'dossiers.rendezvous', r.uuid::text, r.presence_notee_par_id
      FROM dossiers_rendezvous r JOIN dossiers_dossier d ON d.id = r.dossier_id
     WHERE d.departement_id = %(dep)s AND r.presence_notee_le IS NOT NULL
    UNION ALL
    SELECT m.dossier_id, 'document', m.depose_le, 'Document déposé', 'partagee',
           'dossiers.document', m.uuid::text, m.depose_par_id
      FROM dossiers_document m JOIN dossiers_dossier d ON d.id = m.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT s.dossier_id, 'sollicitation', s.cree_le, 'Sollicitation créée', 'partagee',
           'dossiers.sollicitation', s.uuid::text, s.auteur_id
      FROM dossiers_sollicitation s JOIN dossiers_dossier d ON d.id = s.dossier_id
     WHERE d.departement_id = %(dep)s
    UNION ALL
    SELECT d.id, 'fiche', d.date_orientation + time '10:00' + k * interval '23 days',
           'Fiche de la personne mise à jour', 'partagee', 'dossiers.demandeur', '', d.oriente_par_id
      FROM dossiers_dossier d CROSS JOIN generate_series(1, 4) k
     WHERE d.departement_id = %(dep)s
       AND d.date_orientation + k * 23 <= coalesce(d.date_cloture, current_date)
    UNION ALL
    SELECT d.id, 'cloture', d.date_cloture + time '17:00', 'Dossier clos', 'partagee',
           'dossiers.dossier', d.uuid::text, d.oriente_par_id
      FROM dossiers_dossier d WHERE d.departement_id = %(dep)s AND d.statut = 'clos'
) evenements
"""


def charger(
    n: int, graine: int = 1, code: str = "25", journal: bool = True, sortie=None
) -> Counter:
    """Crée le département `code` et ses `n` demandeurs. Refuse un département qui existe
    déjà (une base neuve, ou un autre code)."""
    if Departement.objects.filter(code_insee=code).exists():
        raise ValueError(
            f"Le département {code} existe déjà dans cette base : utilisez une base neuve "
            "ou un autre code (--departement)."
        )
    comptes: Counter = Counter()
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("SET LOCAL session_replication_role = replica")
        curseur.execute("SET LOCAL synchronous_commit = off")
        rng = random.Random(graine)  # noqa: S311 (données de mesure, pas de sécurité)
        ref = creer_referentiel(Volumes(n), rng, code)
        debuts = _premiers_ids(curseur)
        for numero, paquet in enumerate(flux_lignes(ref, n, graine, debuts, today)):
            for cle in ORDRE:
                _copier(curseur, cle, paquet[cle])
                comptes[TABLES[cle][0]] += len(paquet[cle])
            if sortie is not None:
                sortie(f"  paquet {numero + 1} : {sum(comptes.values())} lignes")
        if journal:
            curseur.execute(JOURNAL_SQL, {"dep": ref.departement_id})
            comptes["dossiers_evenementjournal"] += curseur.rowcount
        for table, _ in TABLES.values():
            curseur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (nom de table tiré des modèles)
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        # Dans une transaction englobante (tests), le réglage ne doit pas lui survivre.
        curseur.execute("SET LOCAL session_replication_role = origin")
    with connection.cursor() as curseur:
        for table, _ in [*TABLES.values(), ("dossiers_evenementjournal", "")]:
            curseur.execute(f"ANALYZE {table}")
    return comptes


def cles_orphelines() -> dict[str, int]:
    """Les clés étrangères qui pointent dans le vide (le chargement saute leurs contrôles) :
    {« table.colonne » : nombre de lignes}, vide si tout est cohérent."""
    with connection.cursor() as curseur:
        curseur.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
              FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
              JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
               AND array_length(c.conkey, 1) = 1
            """
        )
        contraintes = curseur.fetchall()
        orphelines = {}
        for table, colonne, cible, cle in contraintes:
            if table not in {t for t, _ in TABLES.values()} | {"dossiers_evenementjournal"}:
                continue
            curseur.execute(
                f'SELECT count(*) FROM {table} t WHERE t."{colonne}" IS NOT NULL '  # noqa: S608 (noms tirés des modèles)
                f'AND NOT EXISTS (SELECT 1 FROM {cible} c WHERE c."{cle}" = t."{colonne}")'
            )
            nombre = curseur.fetchone()[0]
            if nombre:
                orphelines[f"{table}.{colonne}"] = nombre
    return orphelines
