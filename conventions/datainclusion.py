"""Le référentiel data·inclusion v1 vu de l'application : libellés français des valeurs
(thématiques, publics, modes…), choix des formulaires, et correspondance des anciennes
thématiques v0 vers les thématiques v1 (voir docs/ressources-sociales.md).

Toute la connaissance du format est ici ; les valeurs viennent du paquet
`data-inclusion-schema`, jamais recopiées à la main (sauf la table v0 → v1, qui n'existe
pas dans le paquet)."""

from __future__ import annotations

from data_inclusion.schema import v1

# --- Libellés ---------------------------------------------------------------------------------


def _libelles(enum) -> dict[str, str]:
    return {membre.value: membre.label for membre in enum}


CATEGORIES = _libelles(v1.Categorie)
THEMATIQUES = _libelles(v1.Thematique)
PUBLICS = _libelles(v1.Public)
TYPES_SERVICE = _libelles(v1.TypeService)
FRAIS = _libelles(v1.Frais)
MODES_ACCUEIL = _libelles(v1.ModeAccueil)
MODES_MOBILISATION = _libelles(v1.ModeMobilisation)
MOBILISABLE_PAR = _libelles(v1.PersonneMobilisatrice)
RESEAUX_PORTEURS = _libelles(v1.ReseauPorteur)

TOUS_PUBLICS = v1.Public.TOUS_PUBLICS.value
FRANCE = ("france", "99100")  # zone d'éligibilité nationale


def categorie_de(thematique: str) -> str:
    return thematique.split("--", 1)[0]


def thematiques_de_categorie(categorie: str) -> list[str]:
    return [t for t in THEMATIQUES if categorie_de(t) == categorie]


def libelle(valeur: str) -> str:
    """Le libellé français d'une valeur du référentiel, quelle que soit sa liste ; la
    valeur elle-même si elle est inconnue (donnée ancienne)."""
    for table in (
        THEMATIQUES,
        CATEGORIES,
        PUBLICS,
        MODES_ACCUEIL,
        MODES_MOBILISATION,
        MOBILISABLE_PAR,
        FRAIS,
        TYPES_SERVICE,
        RESEAUX_PORTEURS,
    ):
        if valeur in table:
            return table[valeur]
    return valeur


# --- Choix des formulaires --------------------------------------------------------------------


def choix(table: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(table.items(), key=lambda item: item[1].lower())


def choix_thematiques(*, avec_categories: bool = False) -> list[tuple[str, list]]:
    """Les thématiques groupées par catégorie (groupes d'options). Avec les catégories,
    chaque groupe commence par « toute la catégorie » (filtre de l'annuaire)."""
    groupes = []
    for categorie, libelle_categorie in sorted(CATEGORIES.items(), key=lambda c: c[1]):
        options = [(t, THEMATIQUES[t]) for t in thematiques_de_categorie(categorie)]
        if avec_categories:
            options.insert(0, (categorie, f"{libelle_categorie} : toutes les thématiques"))
        groupes.append((libelle_categorie, options))
    return groupes


# --- Correspondance v0 → v1 -------------------------------------------------------------------
# Les fichiers publiés avant la v1 (2025) emploient d'autres catégories. Chaque ancienne
# valeur est traduite par la thématique v1 la plus proche ; None : sans équivalent, la
# valeur est retirée (avec un avertissement). Une catégorie seule (sans « -- »), v0 ou v1,
# désigne la thématique la plus générale de la catégorie.

_DAJ = "difficultes-administratives-ou-juridiques"
_FIN = "difficultes-financieres"
_LOG = "logement-hebergement"
_MOB = "mobilite"
_NUM = "numerique"
_SAN = "sante"
_REM = "remobilisation"
_FAM = "famille"
_LEC = "lecture-ecriture-calcul"

THEMATIQUES_V0_VERS_V1: dict[str, str | None] = {
    # Catégories seules (v0 et v1)
    "acces-aux-droits-et-citoyennete": f"{_DAJ}--accompagnement-pour-lacces-aux-droits",
    _DAJ: f"{_DAJ}--accompagnement-aux-demarches-administratives",
    "accompagnement-social-et-professionnel-personnalise": (
        f"{_DAJ}--beneficier-dune-mesure-daccompagnement-adapte"
    ),
    "apprendre-francais": f"{_LEC}--maitriser-le-francais",
    "illettrisme": f"{_LEC}--maitriser-le-francais",
    _LEC: f"{_LEC}--maitriser-le-francais",
    "choisir-un-metier": "choisir-un-metier--identifier-ses-points-forts-et-ses-competences",
    "creation-activite": "creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
    "creer-une-entreprise": "creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
    "equipement-et-alimentation": "equipement-et-alimentation--alimentation",
    _FAM: f"{_FAM}--soutien-a-la-parentalite-et-a-leducation",
    "gestion-financiere": f"{_FIN}--ameliorer-sa-gestion-budgetaire",
    _FIN: f"{_FIN}--ameliorer-sa-gestion-budgetaire",
    "handicap": f"{_SAN}--constituer-un-dossier-mdph-invalidite",
    _LOG: f"{_LOG}--sinformer-sur-les-demarches-liees-a-lacces-au-logement",
    _MOB: f"{_MOB}--etre-accompagne-dans-son-parcours-mobilite",
    "se-deplacer": f"{_MOB}--etre-accompagne-dans-son-parcours-mobilite",
    _NUM: f"{_NUM}--maitriser-les-fondamentaux-du-numerique",
    "preparer-sa-candidature": (
        "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"
    ),
    _REM: f"{_REM}--lien-social",
    _SAN: f"{_SAN}--acces-aux-soins",
    "se-former": "se-former--trouver-sa-formation",
    "souvrir-a-linternational": (
        "souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger"
    ),
    "trouver-un-emploi": "trouver-un-emploi--repondre-a-des-offres-demploi",
    # Accès aux droits et citoyenneté
    "acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives": (
        f"{_DAJ}--accompagnement-aux-demarches-administratives"
    ),
    "acces-aux-droits-et-citoyennete--accompagnement-juridique": (
        f"{_DAJ}--prendre-en-compte-une-problematique-judiciaire"
    ),
    "acces-aux-droits-et-citoyennete--aide-aux-victimes": (
        f"{_DAJ}--accompagnement-pour-lacces-aux-droits"
    ),
    "acces-aux-droits-et-citoyennete--connaitre-ses-droits": (
        f"{_DAJ}--accompagnement-pour-lacces-aux-droits"
    ),
    "acces-aux-droits-et-citoyennete--demandeurs-dasile-et-naturalisation": (
        f"{_DAJ}--accompagnement-pour-lacces-a-la-citoyennete"
    ),
    "acces-aux-droits-et-citoyennete--developpement-durable": None,
    "acces-aux-droits-et-citoyennete--faciliter-laction-citoyenne": (
        f"{_REM}--benevolat-action-citoyenne"
    ),
    # Accompagnement social et professionnel personnalisé
    "accompagnement-social-et-professionnel-personnalise--decrochage-scolaire": (
        "se-former--trouver-sa-formation"
    ),
    "accompagnement-social-et-professionnel-personnalise--definition-du-projet-professionnel": (
        "choisir-un-metier--confirmer-son-choix-de-metier"
    ),
    "accompagnement-social-et-professionnel-personnalise--parcours-d-insertion-socioprofessionnel": (
        f"{_DAJ}--beneficier-dune-mesure-daccompagnement-adapte"
    ),
    # Apprendre le français
    "apprendre-francais--accompagnement-insertion-pro": f"{_LEC}--maitriser-le-francais",
    "apprendre-francais--communiquer-vie-tous-les-jours": f"{_LEC}--maitriser-le-francais",
    "apprendre-francais--suivre-formation": f"{_LEC}--maitriser-le-francais",
    # Création d'activité
    "creation-activite--definir-son-projet-de-creation-dentreprise": (
        "creer-une-entreprise--definir-son-projet-de-creation-dentreprise"
    ),
    "creation-activite--developper-son-entreprise": (
        "creer-une-entreprise--developper-son-entreprise"
    ),
    "creation-activite--financer-son-projet": (
        "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"
    ),
    "creation-activite--reseautage-pour-createurs-dentreprise": (
        "creer-une-entreprise--developper-son-entreprise"
    ),
    "creation-activite--structurer-son-projet-de-creation-dentreprise": (
        "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"
    ),
    # Équipement et alimentation
    "equipement-et-alimentation--acces-a-du-materiel-informatique": (
        f"{_NUM}--acquerir-un-equipement"
    ),
    "equipement-et-alimentation--acces-a-un-telephone-et-un-abonnement": (
        f"{_NUM}--acceder-a-une-connexion-internet"
    ),
    # Famille
    "famille--accompagnement-femme-enceinte-bebe-jeune-enfant": (
        f"{_FAM}--soutien-a-la-parentalite-et-a-leducation"
    ),
    "famille--information-et-accompagnement-des-parents": (
        f"{_FAM}--soutien-a-la-parentalite-et-a-leducation"
    ),
    "famille--jeunes-sans-soutien-familial": (
        f"{_DAJ}--beneficier-dune-mesure-daccompagnement-adapte"
    ),
    "famille--soutien-a-la-parentalite": f"{_FAM}--soutien-a-la-parentalite-et-a-leducation",
    "famille--soutien-aux-familles": f"{_FAM}--soutien-a-la-parentalite-et-a-leducation",
    "famille--violences-intrafamiliales": f"{_FAM}--surmonter-conflits-separation-violence",
    # Gestion financière
    "gestion-financiere--accompagnement-aux-personnes-en-difficultes-financieres": (
        f"{_FIN}--prevenir-une-degradation-de-la-situation-financiere"
    ),
    "gestion-financiere--acces-au-micro-credit": (
        f"{_FIN}--prevenir-une-degradation-de-la-situation-financiere"
    ),
    "gestion-financiere--apprendre-a-gerer-son-budget": (
        f"{_FIN}--acquerir-une-autonomie-budgetaire"
    ),
    "gestion-financiere--beneficier-daides-financieres": (
        f"{_FIN}--prevenir-une-degradation-de-la-situation-financiere"
    ),
    "gestion-financiere--creation-et-utilisation-dun-compte-bancaire": (
        f"{_FIN}--acquerir-une-autonomie-budgetaire"
    ),
    "gestion-financiere--obtenir-une-aide-alimentaire": (
        "equipement-et-alimentation--alimentation"
    ),
    "gestion-financiere--prevention-et-gestion-du-surendettement": (
        f"{_FIN}--situation-dendettement-surendettement"
    ),
    # Handicap
    "handicap--accompagnement-par-une-structure-specialisee": (
        f"{_DAJ}--beneficier-dune-mesure-daccompagnement-adapte"
    ),
    "handicap--adaptation-au-poste-de-travail": "trouver-un-emploi--maintien-dans-lemploi",
    "handicap--adapter-son-logement": f"{_LOG}--se-maintenir-dans-le-logement",
    "handicap--aide-a-la-personne": f"{_FAM}--prise-en-charge-personne-dependante",
    "handicap--connaissance-des-droits-des-travailleurs": (
        f"{_DAJ}--accompagnement-pour-lacces-aux-droits"
    ),
    "handicap--faire-reconnaitre-un-handicap": f"{_SAN}--constituer-un-dossier-mdph-invalidite",
    "handicap--favoriser-le-retour-et-le-maintien-dans-lemploi": (
        "trouver-un-emploi--maintien-dans-lemploi"
    ),
    "handicap--gerer-le-depart-a-la-retraite-des-personnes-en-situation-de-handicap": (
        f"{_DAJ}--accompagnement-pour-lacces-aux-droits"
    ),
    "handicap--mobilite-des-personnes-en-situation-de-handicap": (
        f"{_MOB}--etre-accompagne-dans-son-parcours-mobilite"
    ),
    # Illettrisme
    "illettrisme--accompagner-scolarite": f"{_FAM}--soutien-a-la-parentalite-et-a-leducation",
    "illettrisme--ameliorer-vocabulaire": f"{_LEC}--maitriser-le-francais",
    "illettrisme--etre-autonome": f"{_LEC}--maitriser-le-francais",
    "illettrisme--info-acquisition-connaissances": f"{_LEC}--maitriser-le-francais",
    "illettrisme--permis-conduire": f"{_MOB}--preparer-un-permis",
    "illettrisme--reperer-situation-illettrisme": f"{_LEC}--maitriser-le-francais",
    "illettrisme--surmonter-trouble-apprentissage": f"{_LEC}--maitriser-le-francais",
    "illettrisme--trouver-emploi-formation": "se-former--trouver-sa-formation",
    "illettrisme--utiliser-numerique": f"{_NUM}--maitriser-les-fondamentaux-du-numerique",
    "illettrisme--valider-certification-clea": "se-former--trouver-sa-formation",
    # Logement et hébergement
    "logement-hebergement--acceder-a-un-logement": f"{_LOG}--louer-un-logement",
    "logement-hebergement--aides-financieres-investissement-locatif": (
        f"{_LOG}--acheter-un-logement"
    ),
    "logement-hebergement--besoin-dadapter-mon-logement": f"{_LOG}--se-maintenir-dans-le-logement",
    "logement-hebergement--connaissance-de-ses-droits-et-interlocuteurs": (
        f"{_LOG}--sinformer-sur-les-demarches-liees-a-lacces-au-logement"
    ),
    "logement-hebergement--demenagement": f"{_LOG}--changer-de-logement",
    "logement-hebergement--etre-accompagne-dans-son-projet-accession": (
        f"{_LOG}--acheter-un-logement"
    ),
    # (la v0 publiait cette valeur avec une espace ; les deux graphies sont reconnues)
    "logement-hebergement--etre-accompagne-en cas-de-difficultes-financieres": (
        f"{_LOG}--reduire-les-impayes-de-loyer"
    ),
    "logement-hebergement--etre-accompagne-en-cas-de-difficultes-financieres": (
        f"{_LOG}--reduire-les-impayes-de-loyer"
    ),
    "logement-hebergement--etre-accompagne-pour-se-loger": f"{_LOG}--louer-un-logement",
    "logement-hebergement--financer-son-projet-travaux": f"{_LOG}--se-maintenir-dans-le-logement",
    "logement-hebergement--gerer-son-budget": f"{_FIN}--ameliorer-sa-gestion-budgetaire",
    "logement-hebergement--mal-loges-sans-logis": (
        f"{_LOG}--rechercher-une-solution-dhebergement-temporaire"
    ),
    "logement-hebergement--probleme-avec-son-logement": f"{_LOG}--se-maintenir-dans-le-logement",
    "logement-hebergement--reprendre-un-emploi-ou-une-formation": f"{_LOG}--changer-de-logement",
    # Mobilité
    "mobilite--acheter-un-vehicule-motorise": f"{_MOB}--acceder-a-un-vehicule",
    "mobilite--acheter-un-velo": f"{_MOB}--acceder-a-un-vehicule",
    "mobilite--aides-a-la-reprise-demploi-ou-a-la-formation": f"{_MOB}--financer-ma-mobilite",
    "mobilite--apprendre-a-utiliser-un-deux-roues": f"{_MOB}--mobilite-douce-partagee-collective",
    "mobilite--comprendre-et-utiliser-les-transports-en-commun": (
        f"{_MOB}--mobilite-douce-partagee-collective"
    ),
    "mobilite--louer-un-vehicule": f"{_MOB}--acceder-a-un-vehicule",
    "mobilite--financer-mon-projet-mobilite": f"{_MOB}--financer-ma-mobilite",
    "mobilite--preparer-son-permis-de-conduire-se-reentrainer-a-la-conduite": (
        f"{_MOB}--preparer-un-permis"
    ),
    # Numérique
    "numerique--acceder-a-du-materiel": f"{_NUM}--acquerir-un-equipement",
    "numerique--accompagner-les-demarches-de-sante": f"{_NUM}--acceder-a-des-services-en-ligne",
    "numerique--approfondir-ma-culture-numerique": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    "numerique--creer-avec-le-numerique": f"{_NUM}--maitriser-les-fondamentaux-du-numerique",
    "numerique--creer-et-developper-mon-entreprise": (
        "creer-une-entreprise--developper-son-entreprise"
    ),
    "numerique--devenir-autonome-dans-les-demarches-administratives": (
        f"{_NUM}--acceder-a-des-services-en-ligne"
    ),
    "numerique--favoriser-mon-insertion-professionnelle": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    "numerique--prendre-en-main-un-ordinateur": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    "numerique--prendre-en-main-un-smartphone-ou-une-tablette": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    "numerique--promouvoir-la-citoyennete-numerique": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    "numerique--realiser-des-demarches-administratives-avec-un-accompagnement": (
        f"{_NUM}--acceder-a-des-services-en-ligne"
    ),
    "numerique--s-equiper-en-materiel-informatique": f"{_NUM}--acquerir-un-equipement",
    "numerique--soutenir-la-parentalite-et-l-education-avec-le-numerique": (
        f"{_FAM}--soutien-a-la-parentalite-et-a-leducation"
    ),
    "numerique--utiliser-le-numerique-au-quotidien": (
        f"{_NUM}--maitriser-les-fondamentaux-du-numerique"
    ),
    # Remobilisation
    "remobilisation--bien-etre": f"{_REM}--bien-etre-confiance-en-soi",
    "remobilisation--decouvrir-son-potentiel-via-le-sport-et-la-culture": (
        f"{_REM}--activites-sportives-et-culturelles"
    ),
    "remobilisation--discrimination": f"{_DAJ}--connaitre-ses-droits-face-a-une-discrimination",
    "remobilisation--identifier-ses-competences-et-aptitudes": (
        "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"
    ),
    "remobilisation--participer-a-des-actions-solidaires-ou-de-benevolat": (
        f"{_REM}--benevolat-action-citoyenne"
    ),
    "remobilisation--pression-sociale": f"{_REM}--bien-etre-confiance-en-soi",
    "remobilisation--restaurer-sa-confiance-son-image-de-soi": (
        f"{_REM}--bien-etre-confiance-en-soi"
    ),
    # Santé
    "sante--accompagnement-de-la-femme-enceinte-du-bebe-et-du-jeune-enfant": (
        f"{_SAN}--acces-aux-soins"
    ),
    "sante--accompagner-les-traumatismes": f"{_SAN}--sante-mentale",
    "sante--bien-etre-psychologique": f"{_SAN}--sante-mentale",
    "sante--diagnostic-et-accompagnement-a-lemployabilite": f"{_SAN}--acces-aux-soins",
    "sante--faire-face-a-une-situation-daddiction": f"{_SAN}--addictions",
    "sante--obtenir-la-prise-en-charge-de-frais-medicaux": f"{_SAN}--acces-aux-soins",
    "sante--prevention-et-acces-aux-soins": f"{_SAN}--acces-aux-soins",
    "sante--se-soigner-et-prevenir-la-maladie": f"{_SAN}--acces-aux-soins",
    "sante--vie-relationnelle-et-affective": f"{_SAN}--sante-sexuelle",
    # Se former
    "se-former--utiliser-le-numerique": f"{_NUM}--maitriser-les-fondamentaux-du-numerique",
}

# v0 : frais multiples → v1 : gratuit ou payant (payant dès qu'une contribution existe).
FRAIS_V0_VERS_V1 = {
    "gratuit": "gratuit",
    "gratuit-sous-conditions": "gratuit",
    "payant": "payant",
    "adhesion": "payant",
    "pass-numerique": "payant",
}


def convertir_thematiques(valeurs: list[str]) -> tuple[list[str], dict[str, str | None]]:
    """Thématiques v1 (sans doublon, dans l'ordre) et conversions faites {ancienne: nouvelle
    ou None}. Une valeur ni v1 ni v0 connue est laissée telle quelle : la validation v1 la
    refusera avec un message clair."""
    resultat: list[str] = []
    conversions: dict[str, str | None] = {}
    for valeur in valeurs:
        nouvelle = valeur
        if valeur not in THEMATIQUES and valeur in THEMATIQUES_V0_VERS_V1:
            nouvelle = THEMATIQUES_V0_VERS_V1[valeur]
            conversions[valeur] = nouvelle
        if nouvelle is not None and nouvelle not in resultat:
            resultat.append(nouvelle)
    return resultat, conversions
