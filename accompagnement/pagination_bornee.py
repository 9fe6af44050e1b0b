"""Pagination des grandes listes (dossiers du département, portefeuilles) : un compte
borné et des lignes lues par leurs clés d'abord.

- **Compte borné** : au-delà de `PLAFOND` lignes, on ne compte plus (« plus de 10 000
  dossiers ») : `SELECT count(*) FROM (… LIMIT 10 001)` lit au plus 10 001 entrées d'index
  au lieu de toute la table à chaque page et à chaque changement de filtre.
- **Pages bornées** : on ne va pas au-delà du plafond (400 pages de 25) ; plus loin, on
  affine les filtres ou le tri. Un OFFSET de 10 000 reste servi par l'index du tri.
- **Clés d'abord** : la page est choisie sur le queryset nu (filtres et tri, sans
  annotation ni jointure d'affichage) par `pk = ANY(ARRAY(… ORDER BY … LIMIT 25 OFFSET
  n))` ; les annotations et jointures (`habiller`) ne portent que sur les 25 lignes
  affichées, et non sur chaque ligne sautée par l'OFFSET. `ARRAY(…)` est calculé une fois
  (InitPlan) avant la lecture par clé primaire : contrairement à `pk IN (…)`, le
  planificateur ne peut pas le retourner en semi-jointure derrière toutes les jointures.
  Toujours une seule requête pour la page."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import BooleanField, F, Func, QuerySet
from django.utils.functional import cached_property

PLAFOND = 10_000


def nombre_lisible(nombre: int) -> str:
    """10000 → « 10 000 » (espace fine insécable, à la française)."""
    return f"{nombre:,}".replace(",", "\u202f")


class ParmiLesCles(Func):
    """`pk = ANY(ARRAY(sous-requête))` : la sous-requête est évaluée une fois."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


class PaginateurBorne(Paginator):
    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        habiller: Callable[[QuerySet], QuerySet] | None = None,
        plafond: int | None = None,
        compte_trie: bool = False,
    ):
        super().__init__(object_list, per_page)
        self.habiller = habiller
        self.plafond = PLAFOND if plafond is None else plafond
        self.compte_trie = compte_trie

    @cached_property
    def count(self) -> int:
        """Le nombre de lignes, compté jusqu'à `plafond + 1` au plus ; dans l'ordre du tri
        avec `compte_trie` : quand ce tri suit un index partiel, PostgreSQL lit les lignes
        dans son ordre et s'arrête au plafond (décision 95)."""
        qs = self.object_list if self.compte_trie else self.object_list.order_by()
        return qs[: self.plafond + 1].count()

    @property
    def depasse(self) -> bool:
        """Plus de lignes que le plafond : le compte affiché est « plus de … »."""
        return self.count > self.plafond

    @property
    def plafond_lisible(self) -> str:
        return nombre_lisible(self.plafond)

    @cached_property
    def num_pages(self) -> int:
        lignes = min(self.count, self.plafond)
        if lignes == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(max(1, lignes - self.orphans) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        bas = (number - 1) * self.per_page
        haut = min(bas + self.per_page, self.plafond)
        if haut + self.orphans >= min(self.count, self.plafond):
            haut = min(self.count, self.plafond)
        qs = self.object_list
        if self.habiller is None:
            return self._get_page(qs[bas:haut], number, self)
        cles = ArraySubquery(qs.values("pk")[bas:haut])
        lignes = self.habiller(qs.model._default_manager.filter(ParmiLesCles(F("pk"), cles)))
        return self._get_page(lignes.order_by(*qs.query.order_by), number, self)
