"""Le menu, selon le rôle courant : un seul endroit où chaque fonctionnalité se déclare."""

from dataclasses import dataclass

from django.urls import reverse

from .models import Role


@dataclass(frozen=True)
class Entree:
    libelle: str
    url_name: str
    roles: frozenset[str] | None = None  # None : tous les rôles
    staff: bool = False  # réservé aux comptes ayant accès à l'administration


TOUS = None
COORDINATION = frozenset({Role.ANIMATRICE, Role.ADMINISTRATEUR})

ENTREES: tuple[Entree, ...] = (
    Entree("Aujourd'hui", "accueil", frozenset(Role.values) - {Role.ADMINISTRATEUR}),
    Entree(
        "Mon portefeuille",
        "dossiers:portefeuille",
        frozenset(Role.values) - {Role.ADMINISTRATEUR, Role.ANIMATRICE},
    ),
    Entree("Dossiers", "dossiers:liste", frozenset({Role.ANIMATRICE})),
    Entree("Nouvelle personne", "dossiers:creer", frozenset(Role.values) - {Role.ADMINISTRATEUR}),
    Entree(
        "Charges", "dossiers:charges", frozenset({Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION})
    ),
    Entree(
        "Sollicitations",
        "dossiers:sollicitations_a_traiter",
        frozenset({Role.CORRESPONDANT_INSERTION, Role.ANIMATRICE}),
    ),
    Entree("Import", "dossiers:import", frozenset({Role.ANIMATRICE})),
    Entree("Tableau de bord", "reporting:tableau_de_bord", frozenset({Role.ANIMATRICE})),
    Entree(
        "Rapports", "reporting:rapports", frozenset({Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION})
    ),
    Entree(
        "Conventions",
        "conventions:conventions",
        frozenset({Role.ANIMATRICE, Role.CORRESPONDANT_INSERTION}),
    ),
    # Comités techniques (application comites, référencée par son nom d'URL).
    Entree("Comités", "comites:seances", frozenset(Role.values) - {Role.ADMINISTRATEUR}),
    Entree("Ressources", "conventions:annuaire", frozenset(Role.values) - {Role.ADMINISTRATEUR}),
    Entree("Annuaire", "annuaire", TOUS),
)


# Le menu du compte (en haut à droite) : outils de contrôle, hors du travail courant.
ENTREES_COMPTE: tuple[Entree, ...] = (
    Entree("Journal d'audit", "journal_audit", COORDINATION),
    # Droit d'accès des personnes (application rgpd, référencée par son nom d'URL).
    Entree("Droits des personnes", "rgpd:personnes", frozenset({Role.ADMINISTRATEUR})),
)


def menu(request, entrees: tuple[Entree, ...] = ENTREES) -> list[dict]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    items = []
    for entree in entrees:
        if entree.roles is not None and membership.role not in entree.roles:
            continue
        if entree.staff and not request.user.is_staff:
            continue
        url = reverse(entree.url_name)
        actif = request.path == url or (url != "/" and request.path.startswith(url))
        if entree.url_name == "accueil" and request.path.startswith("/aujourdhui/"):
            actif = True
        items.append({"libelle": entree.libelle, "url": url, "actif": actif})
    return items


def menu_compte(request) -> list[dict]:
    return menu(request, ENTREES_COMPTE)
