"""Recherche et filtres de l'annuaire des ressources, toujours appliqués au queryset déjà
restreint au département courant : un filtre réduit, il n'élargit jamais.

Recherche plein texte : le texte saisi est normalisé comme le texte indexé (sans accents,
la base embarquée n'a pas `unaccent`), puis interprété par `websearch_to_tsquery` en
configuration `french` (racines : « logements » trouve « logement »). Classement :
`SearchRank` sur la colonne `recherche`, plus un bonus quand le nom du service correspond,
pour qu'un service dont le nom répond à la question passe devant celui qui ne l'évoque que
dans sa description."""

from __future__ import annotations

import re
from functools import cached_property

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Q

from accompagnement.referentiels import DomaineFrein
from accompagnement.texte import normaliser

from . import datainclusion as di
from .models import ServiceRessource

BONUS_NOM = 2.0  # poids du nom dans le classement, par rapport au texte entier

CODE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
CODE_DEPARTEMENT = re.compile(r"^(\d{2}|2[AB]|97\d)$")
CODE_EPCI = re.compile(r"^\d{9}$")

CHOIX_TRI = [
    ("", "Pertinence"),
    ("nom", "Nom (A → Z)"),
    ("-date_maj", "Mise à jour la plus récente"),
    ("date_maj", "Mise à jour la plus ancienne"),
]
ORDRES = {"nom": ("nom", "pk"), "-date_maj": ("-date_maj", "nom", "pk")}
ORDRES["date_maj"] = ("date_maj", "nom", "pk")


def departement_de_commune(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def codes_pour_commune(code: str) -> list[str]:
    """Les codes de zone d'éligibilité qui couvrent une commune : elle-même, son
    département, la France entière."""
    return [code, departement_de_commune(code), *di.FRANCE]


class RessourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher",
        method="filtrer_texte",
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": "ex. précarité énergétique, garde d'enfant, permis…",
            }
        ),
    )
    domaine = django_filters.ChoiceFilter(
        label="Domaine de frein",
        choices=DomaineFrein.choices,
        empty_label="Tous les domaines",
        method="filtrer_domaine",
    )
    thematique = django_filters.ChoiceFilter(
        label="Thématique",
        choices=di.choix_thematiques(avec_categories=True),
        empty_label="Toutes les thématiques",
        method="filtrer_thematique",
    )
    lieu = django_filters.CharFilter(
        label="Commune de la personne",
        method="filtrer_lieu",
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "list": "communes-ressources",
                "autocomplete": "off",
                "placeholder": "nom ou code INSEE (25056), département (25)…",
            }
        ),
    )
    public = django_filters.ChoiceFilter(
        label="Public",
        choices=[c for c in di.choix(di.PUBLICS) if c[0] != di.TOUS_PUBLICS],
        empty_label="Tous les publics",
        method="filtrer_public",
    )
    accueil = django_filters.ChoiceFilter(
        label="Accueil",
        choices=di.choix(di.MODES_ACCUEIL),
        empty_label="Présentiel ou à distance",
        method="filtrer_accueil",
    )
    o = django_filters.ChoiceFilter(
        label="Trier par", choices=CHOIX_TRI, empty_label=None, method="trier"
    )

    class Meta:
        model = ServiceRessource
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.lieu_inconnu = False
        self.recherche_active = False

    # --- filtres ---

    def filtrer_texte(self, queryset, name, value):
        texte = normaliser(value)
        if not texte:
            return queryset
        requete = SearchQuery(texte, config="french", search_type="websearch")
        self.recherche_active = True
        rang = SearchRank(F("recherche"), requete) + BONUS_NOM * SearchRank(
            SearchVector("texte_nom", config="french"), requete
        )
        return queryset.filter(recherche=requete).annotate(rang=rang)

    def filtrer_domaine(self, queryset, name, value):
        return queryset.filter(domaines__contains=[value])

    def filtrer_thematique(self, queryset, name, value):
        if value in di.CATEGORIES:
            return queryset.filter(thematiques__overlap=di.thematiques_de_categorie(value))
        return queryset.filter(thematiques__contains=[value])

    def filtrer_lieu(self, queryset, name, value):
        codes = self.codes_du_lieu(value)
        if codes is None:
            self.lieu_inconnu = True
            return queryset.none()
        # Sans zone d'éligibilité publiée, le lieu du service fait foi.
        sans_zone = Q(zone_eligibilite=[]) & Q(code_insee__in=codes)
        return queryset.filter(Q(zone_eligibilite__overlap=codes) | sans_zone)

    def filtrer_public(self, queryset, name, value):
        return queryset.filter(publics__overlap=[value, di.TOUS_PUBLICS])

    def filtrer_accueil(self, queryset, name, value):
        return queryset.filter(modes_accueil__contains=[value])

    def trier(self, queryset, name, value):
        return queryset  # appliqué dans filter_queryset, après la recherche

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        tri = self.form.cleaned_data.get("o") or ""
        if tri in ORDRES:
            return queryset.order_by(*ORDRES[tri])
        if self.recherche_active:
            return queryset.order_by("-rang", "nom", "pk")
        return queryset.order_by("nom", "pk")

    # --- lieux ---

    @cached_property
    def communes_connues(self) -> list[tuple[str, str]]:
        """(code INSEE, nom) des communes où la base du département a des services : la
        liste proposée à la saisie. Une requête."""
        departement = getattr(self.request, "departement", None)
        if departement is None:
            return []
        paires = (
            ServiceRessource.objects.du_departement(departement)
            .exclude(code_insee="")
            .exclude(commune="")
            .order_by()  # sans le tri par nom du modèle, que DISTINCT ajouterait
            .values_list("code_insee", "commune")
            .distinct()
        )
        return sorted(set(paires), key=lambda p: normaliser(p[1]))

    def codes_du_lieu(self, valeur: str) -> list[str] | None:
        saisie = valeur.strip()
        code = saisie.upper()
        if CODE_COMMUNE.match(code):
            return codes_pour_commune(code)
        if CODE_DEPARTEMENT.match(code) or CODE_EPCI.match(code):
            return [code, *di.FRANCE]
        # « Besançon (25056) » choisi dans la liste proposée
        if entre_parentheses := re.search(r"\((\d{5}|2[AB]\d{3})\)\s*$", code):
            return codes_pour_commune(entre_parentheses.group(1))
        cherche = normaliser(saisie)
        for code_insee, nom in self.communes_connues:
            if normaliser(nom) == cherche:
                return codes_pour_commune(code_insee)
        return None

    # --- état de la liste ---

    def _renseignes(self) -> set[str]:
        self.form.is_valid()
        donnees = getattr(self.form, "cleaned_data", {})
        return {nom for nom, valeur in donnees.items() if valeur not in (None, "", [])}

    @property
    def actifs(self) -> bool:
        """Au moins un critère (hors tri) restreint la liste : l'état vide le dit."""
        return bool(self._renseignes() - {"o"})
