"""Le département de démonstration, calqué sur le Doubs (convention du 29 janvier 2014 :
8 agences, 1 conseiller dédié par agence, 1 animatrice fonctionnelle, 8 correspondants
insertion, des travailleurs sociaux par territoire d'action sociale). Noms fictifs."""

from dataclasses import dataclass

from .models import Role, TypeStructure

CODE_DEPARTEMENT = "25"
NOM_DEPARTEMENT = "Doubs (démonstration)"
DOMAINE = "demo.test"

AGENCES = [
    ("Agence France Travail Besançon Planoise", "Besançon"),
    ("Agence France Travail Besançon Tarragnoz", "Besançon"),
    ("Agence France Travail Montbéliard", "Montbéliard"),
    ("Agence France Travail Audincourt", "Audincourt"),
    ("Agence France Travail Pontarlier", "Pontarlier"),
    ("Agence France Travail Morteau", "Morteau"),
    ("Agence France Travail Baume-les-Dames", "Baume-les-Dames"),
    ("Agence France Travail Valentigney", "Valentigney"),
]
TERRITOIRES = [
    ("Territoire d'action sociale de Besançon", "Besançon"),
    ("Territoire d'action sociale du Pays de Montbéliard", "Montbéliard"),
    ("Territoire d'action sociale du Haut-Doubs", "Pontarlier"),
    ("Territoire d'action sociale du Doubs central", "Baume-les-Dames"),
    ("Territoire d'action sociale du Pays horloger", "Morteau"),
]
DIRECTION = ("Direction de l'insertion et de l'emploi", "Besançon")


@dataclass(frozen=True)
class CompteDemo:
    email: str
    prenom: str
    nom: str
    rattachements: tuple[tuple[str, Role], ...]  # (nom de structure, rôle)
    staff: bool = False


# Un compte par rôle (documentés dans le README), plus un compte à deux rattachements.
COMPTES_DEMO = [
    CompteDemo(f"conseiller@{DOMAINE}", "Camille", "Roussel", ((AGENCES[0][0], Role.CONSEILLER),)),
    CompteDemo(
        f"conseiller.dedie@{DOMAINE}",
        "Julien",
        "Marchand",
        ((AGENCES[0][0], Role.CONSEILLER_DEDIE),),
    ),
    CompteDemo(
        f"travailleur.social@{DOMAINE}",
        "Nadia",
        "Benali",
        ((TERRITOIRES[0][0], Role.TRAVAILLEUR_SOCIAL),),
    ),
    CompteDemo(
        f"correspondant@{DOMAINE}",
        "Sophie",
        "Girard",
        ((TERRITOIRES[0][0], Role.CORRESPONDANT_INSERTION),),
    ),
    CompteDemo(
        f"animatrice@{DOMAINE}",
        "Claire",
        "Vuillemin",
        ((DIRECTION[0], Role.ANIMATRICE),),
        staff=True,
    ),
    CompteDemo(
        f"administrateur@{DOMAINE}",
        "Marc",
        "Pernot",
        ((DIRECTION[0], Role.ADMINISTRATEUR),),
        staff=True,
    ),
    CompteDemo(
        f"multi@{DOMAINE}",
        "Élodie",
        "Faivre",
        (
            (TERRITOIRES[1][0], Role.TRAVAILLEUR_SOCIAL),
            (TERRITOIRES[2][0], Role.CORRESPONDANT_INSERTION),
        ),
    ),
]

# Le message d'accueil de chaque compte de démonstration (sa boîte de réception), par rôle.
BIENVENUE = "Bienvenue dans la démonstration"
ACCUEIL_PAR_ROLE = {
    Role.CONSEILLER: (
        "Votre page « Aujourd'hui » montre les réponses à vos prescriptions et sollicitations, "
        "vos actions à échéance et vos rendez-vous ; « Mon portefeuille » liste vos dossiers."
    ),
    Role.CONSEILLER_DEDIE: (
        "Vos binômes en accompagnement global ont un plan d'action, des rendez-vous, des "
        "documents et des diagnostics en plusieurs versions ; deux prescriptions vous attendent."
    ),
    Role.TRAVAILLEUR_SOCIAL: (
        "Vos dossiers ont des notes sociales et privées, des aides financières et un volet "
        "social de diagnostic à valider ; une désignation vous attend."
    ),
    Role.CORRESPONDANT_INSERTION: (
        "Des prescriptions attendent la désignation d'un travailleur social et des "
        "sollicitations de la base de ressources attendent votre réponse."
    ),
    Role.ANIMATRICE: (
        "Le tableau de bord montre douze mois d'entrées et de sorties ; des dossiers sont à "
        "orienter et des changements d'axe attendent votre décision."
    ),
    Role.ADMINISTRATEUR: (
        "L'administration permet de gérer les structures, les comptes et leurs rattachements ; "
        "le journal d'audit trace chaque écriture."
    ),
}

PRENOMS = [
    "Léa",
    "Thomas",
    "Manon",
    "Nicolas",
    "Chloé",
    "Antoine",
    "Inès",
    "Hugo",
    "Sarah",
    "Lucas",
    "Emma",
    "Mathieu",
    "Laura",
    "Romain",
    "Pauline",
    "Karim",
    "Aurélie",
    "Sébastien",
    "Fatima",
    "Olivier",
    "Mélanie",
    "Yannick",
    "Céline",
    "Franck",
    "Amandine",
    "Rachid",
    "Justine",
    "Guillaume",
    "Émilie",
    "Benoît",
    "Marion",
    "Damien",
    "Anaïs",
    "Jérôme",
    "Lucie",
]
NOMS = [
    "Bourgeois",
    "Cuenot",
    "Jeannin",
    "Mougin",
    "Tissot",
    "Bole",
    "Carrez",
    "Chopard",
    "Droz",
    "Faivre-Pierret",
    "Grandjean",
    "Jacquot",
    "Lhomme",
    "Maire",
    "Nicod",
    "Pagnot",
    "Perrin",
    "Racine",
    "Saillard",
    "Simonin",
    "Vermot",
    "Willemin",
    "Cattin",
    "Barthod",
    "Beuret",
    "Boillot",
    "Cupillard",
    "Dromard",
    "Garnier",
    "Guyon",
    "Huguenin",
    "Jobard",
    "Ligier",
    "Monnier",
    "Pourcelot",
]


def professionnels_generes() -> list[tuple[str, str, str, str, Role]]:
    """(email, prénom, nom, structure, rôle) : par agence 1 conseiller dédié et 2
    conseillers, par territoire 1 correspondant insertion et 6 travailleurs sociaux.
    Déterministe : deux exécutions donnent les mêmes personnes."""
    from django.utils.text import slugify

    plan: list[tuple[str, Role]] = []
    for nom_agence, _ in AGENCES:
        plan += [
            (nom_agence, Role.CONSEILLER_DEDIE),
            (nom_agence, Role.CONSEILLER),
            (nom_agence, Role.CONSEILLER),
        ]
    for nom_territoire, _ in TERRITOIRES:
        plan += [(nom_territoire, Role.CORRESPONDANT_INSERTION)]
        plan += [(nom_territoire, Role.TRAVAILLEUR_SOCIAL)] * 6
    resultat = []
    for i, (structure, role) in enumerate(plan):
        prenom = PRENOMS[i % len(PRENOMS)]
        nom = NOMS[(i * 7) % len(NOMS)]
        email = f"{slugify(prenom)}.{slugify(nom)}.{i + 1:02d}@{DOMAINE}"
        resultat.append((email, prenom, nom, structure, role))
    return resultat


TYPES = {
    "agence": TypeStructure.AGENCE_FT,
    "territoire": TypeStructure.TERRITOIRE_SOCIAL,
    "direction": TypeStructure.DIRECTION_INSERTION,
}
