"""Référentiels partagés par les applications : la taxonomie des freins périphériques
(docs/domaine.md §3), alignée sur les contraintes 23 à 29 de France Travail et sur les
thématiques data·inclusion v1."""

from django.db import models


class DomaineFrein(models.TextChoices):
    MOBILITE = "mobilite", "Mobilité"
    FAMILLE = "famille", "Famille (garde d'enfant, aidant, parentalité)"
    SANTE = "sante", "Santé"
    SAVOIRS_DE_BASE = "savoirs_de_base", "Savoirs de base (lire, écrire, calculer, français)"
    LOGEMENT = "logement", "Logement"
    FINANCES = "finances", "Finances (budget, dettes, alimentation)"
    ADMINISTRATIF_JURIDIQUE = (
        "administratif_juridique",
        "Administratif et juridique (accès aux droits)",
    )
    NUMERIQUE = "numerique", "Numérique"
    ISOLEMENT = "isolement", "Isolement (remobilisation, lien social)"


# Contrainte France Travail correspondante (None : pas d'équivalent).
CONTRAINTE_FT = {
    DomaineFrein.MOBILITE: 23,
    DomaineFrein.FAMILLE: 24,
    DomaineFrein.SANTE: 25,
    DomaineFrein.SAVOIRS_DE_BASE: 26,
    DomaineFrein.LOGEMENT: 27,
    DomaineFrein.FINANCES: 28,
    DomaineFrein.ADMINISTRATIF_JURIDIQUE: 29,
    DomaineFrein.NUMERIQUE: None,
    DomaineFrein.ISOLEMENT: None,
}

# Catégorie de thématique data·inclusion v1 (avant « -- ») → domaine de frein.
DOMAINE_PAR_CATEGORIE_V1 = {
    "mobilite": DomaineFrein.MOBILITE,
    "famille": DomaineFrein.FAMILLE,
    "sante": DomaineFrein.SANTE,
    "lecture-ecriture-calcul": DomaineFrein.SAVOIRS_DE_BASE,
    "logement-hebergement": DomaineFrein.LOGEMENT,
    "difficultes-financieres": DomaineFrein.FINANCES,
    "equipement-et-alimentation": DomaineFrein.FINANCES,
    "difficultes-administratives-ou-juridiques": DomaineFrein.ADMINISTRATIF_JURIDIQUE,
    "numerique": DomaineFrein.NUMERIQUE,
    "remobilisation": DomaineFrein.ISOLEMENT,
}

# Domaines dont le détail est une donnée sensible (catégorie particulière RGPD).
DOMAINES_SENSIBLES = frozenset({DomaineFrein.SANTE})


def domaines_de_thematiques(thematiques: list[str]) -> list[str]:
    """Les domaines de frein couverts par une liste de thématiques data·inclusion v1
    (« logement-hebergement--etre-accompagne-pour-se-loger » → « logement »)."""
    domaines = {
        DOMAINE_PAR_CATEGORIE_V1[categorie]
        for thematique in thematiques
        if (categorie := thematique.split("--", 1)[0]) in DOMAINE_PAR_CATEGORIE_V1
    }
    return sorted(domaines)
