"""Filtres des listes de dossiers (portefeuille, dossiers du département) et du tableau
des charges des professionnels. Toujours appliqués à un queryset déjà restreint au
périmètre du rattachement courant : un filtre réduit, il n'élargit jamais."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, IntegerField, Value, When
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from accompagnement.models import Membership, Structure, TypeStructure
from accompagnement.selecteurs import ChoixProfessionnel, professionnels_actifs
from accompagnement.texte import requete_prefixe
from dossiers.models import Axe, Dossier, Origine, StatutDossier
from dossiers.parcours.lectures import ROLES_PROFESSIONNELS

# Ordre du cycle de vie, pour trier par statut autrement que par ordre alphabétique.
ORDRE_STATUT = Case(
    *(When(statut=statut, then=Value(rang)) for rang, statut in enumerate(StatutDossier.values)),
    output_field=IntegerField(),
)


def _structures(type_structure):
    def _queryset(request):
        if request is None or request.departement is None:
            return Structure.objects.none()
        return Structure.objects.du_departement(request.departement).filter(type=type_structure)

    return _queryset


def _professionnels(request):
    """Les rattachements du département qui peuvent tenir une place dans un dossier (le
    sélecteur à recherche n'en rend que quelques-uns ; ce queryset valide le choix)."""
    if request is None:
        return Membership.objects.none()
    return professionnels_actifs(request.departement, ROLES_PROFESSIONNELS)


class IterateurSansCurseur(ModelChoiceIterator):
    """Les choix d'une liste courte (agences, territoires, structures du département) en
    une requête ordinaire : `ModelChoiceIterator` passe par `QuerySet.iterator()`, un
    curseur côté serveur (DECLARE, FETCH, CLOSE : trois allers-retours à chaque page)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for objet in self.queryset.all():
            yield self.choice(objet)


class ChampListeCourte(ModelChoiceField):
    iterator = IterateurSansCurseur


class ListeCourteFilter(django_filters.ModelChoiceFilter):
    field_class = ChampListeCourte


class EntierFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class Tri(django_filters.OrderingFilter):
    """Tri par nom, date d'orientation, statut (dans l'ordre du parcours) ou dernière
    activité ; la clé primaire départage, pour une pagination stable."""

    COLONNES = {
        "nom": ("demandeur__nom", "demandeur__prenom"),
        "date_orientation": ("date_orientation",),
        "statut": (ORDRE_STATUT,),
        "derniere_activite": ("derniere_activite",),
    }

    PAR_DEFAUT = ("demandeur__nom", "demandeur__prenom", "pk")

    def filter(self, qs, value):
        params = [p for p in (value or []) if p]
        if not params:
            return qs.order_by(*self.PAR_DEFAUT)
        ordre = []
        for param in params:
            descendant = param.startswith("-")
            for colonne in self.COLONNES.get(param.lstrip("-"), ()):
                if isinstance(colonne, str):
                    ordre.append(f"-{colonne}" if descendant else colonne)
                else:
                    ordre.append(colonne.desc() if descendant else colonne.asc())
        return qs.order_by(*ordre, "-pk" if params[0].startswith("-") else "pk")


CHOIX_TRI = [
    ("nom", "Nom (A → Z)"),
    ("-nom", "Nom (Z → A)"),
    ("-date_orientation", "Orientation la plus récente"),
    ("date_orientation", "Orientation la plus ancienne"),
    ("statut", "Statut (du parcours)"),
    ("-statut", "Statut (inverse)"),
    ("derniere_activite", "Activité la plus ancienne"),
    ("-derniere_activite", "Activité la plus récente"),
]


FILTRES_AVANCES = (
    "agence",
    "territoire",
    "professionnel",
    "origine",
    "rsa",
    "oriente_du",
    "oriente_au",
    "inactif_depuis",
    "sans_binome",
)


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom, prénom ou identifiant France Travail",
        method="filtrer_recherche",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=StatutDossier.choices, empty_label="Tous les statuts"
    )
    axe = django_filters.ChoiceFilter(
        label="Axe", field_name="axe_courant", choices=Axe.choices, empty_label="Tous les axes"
    )
    agence = ListeCourteFilter(
        label="Agence France Travail",
        queryset=_structures(TypeStructure.AGENCE_FT),
        to_field_name="uuid",
        empty_label="Toutes les agences",
    )
    territoire = ListeCourteFilter(
        label="Territoire d'action sociale",
        queryset=_structures(TypeStructure.TERRITOIRE_SOCIAL),
        to_field_name="uuid",
        empty_label="Tous les territoires",
    )
    professionnel = django_filters.ModelChoiceFilter(
        label="Professionnel affecté",
        queryset=_professionnels,
        to_field_name="uuid",
        method="filtrer_professionnel",
        widget=ChoixProfessionnel(roles=ROLES_PROFESSIONNELS, vide="Tous les professionnels"),
    )
    rsa = django_filters.BooleanFilter(
        label="RSA",
        field_name="demandeur__rsa_allocataire",
        widget=forms.Select(
            choices=[("", "Tous"), ("true", "Allocataires du RSA"), ("false", "Non allocataires")]
        ),
    )
    origine = django_filters.ChoiceFilter(
        label="Origine", choices=Origine.choices, empty_label="Toutes les origines"
    )
    oriente_du = django_filters.DateFilter(
        label="Orienté du",
        field_name="date_orientation",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    oriente_au = django_filters.DateFilter(
        label="au",
        field_name="date_orientation",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sans_binome = django_filters.BooleanFilter(
        label="Binôme incomplet seulement",
        method="filtrer_sans_binome",
        widget=forms.CheckboxInput,
    )
    inactif_depuis = EntierFilter(
        label="Sans activité depuis (jours)",
        method="filtrer_inactifs",
        min_value=1,
        max_value=3650,
    )
    o = Tri(label="Trier par", choices=CHOIX_TRI, empty_label=None, help_text="")

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            membership = getattr(request, "membership", None)
            queryset = Dossier.objects.visibles_par(membership)
        # Ordre par défaut, gardé même si le paramètre de tri est invalide (pagination stable).
        queryset = queryset.order_by(*Tri.PAR_DEFAUT)
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filtrer_recherche(self, queryset, name, value):
        requete = requete_prefixe(value)
        if not requete:
            return queryset
        return queryset.filter(
            demandeur__recherche=SearchQuery(requete, search_type="raw", config="simple")
        )

    def filtrer_professionnel(self, queryset, name, value):
        # Toutes les places de la personne, quel que soit le rattachement choisi.
        return queryset.avec_affectation_ouverte(value.user)

    def filtrer_sans_binome(self, queryset, name, value):
        return queryset.sans_binome() if value else queryset

    def filtrer_inactifs(self, queryset, name, value):
        return queryset.inactifs_depuis(value)

    def _renseignes(self) -> set[str]:
        self.form.is_valid()
        donnees = getattr(self.form, "cleaned_data", {})
        return {nom for nom, valeur in donnees.items() if valeur not in (None, "", False, [])}

    @property
    def actifs(self) -> bool:
        """Au moins un filtre (hors tri) restreint la liste : l'état vide le dit."""
        return bool(self._renseignes() - {"o"})

    @property
    def avances_actifs(self) -> bool:
        """Un filtre du volet « Plus de filtres » est renseigné : le volet reste ouvert."""
        return bool(self._renseignes() & set(FILTRES_AVANCES))


# --- Charges des professionnels --------------------------------------------------------


class TriCharges(django_filters.OrderingFilter):
    """Les ex æquo restent dans l'ordre alphabétique, pour une pagination stable."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        ordre = [*qs.query.order_by, "user__nom", "user__prenom", "structure__nom", "pk"]
        return qs.order_by(*ordre)


class ChargesFilter(django_filters.FilterSet):
    """Filtres et tri du tableau des charges (queryset de rattachements annoté)."""

    role = django_filters.ChoiceFilter(
        label="Rôle",
        choices=[(r.value, r.label) for r in ROLES_PROFESSIONNELS],
        empty_label="Tous les rôles",
    )
    structure = ListeCourteFilter(
        label="Structure",
        queryset=lambda request: (
            Structure.objects.du_departement(request.departement).actives().order_by("type", "nom")
            if request is not None and request.departement is not None
            else Structure.objects.none()
        ),
        to_field_name="uuid",
        empty_label="Toutes les structures",
    )
    o = TriCharges(
        label="Trier par",
        fields=(
            ("user__nom", "nom"),
            ("total", "total"),
            ("conseiller", "conseiller"),
            ("conseiller_dedie", "conseiller_dedie"),
            ("travailleur_social", "travailleur_social"),
            ("referent_social", "referent_social"),
        ),
        help_text="",
    )

    class Meta:
        model = Membership
        fields: list[str] = []
