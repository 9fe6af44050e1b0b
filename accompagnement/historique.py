"""Historique des écritures sur les données personnelles (décision 27).

Chaque modèle suivi a sa table d'historique (`<Modèle>Historique`, django-pghistory) :
des déclencheurs PostgreSQL y copient la ligne à chaque création, modification et
suppression, quel que soit le chemin (service, administration, `.update()` en masse,
SQL brut). Chaque ligne d'historique porte en plus, calculés par le déclencheur :

- `pgh_diff` : les colonnes modifiées, `{colonne: [avant, après]}` (modification) ;
- `pgh_departement_id` : le département de l'objet (isolation des départements) ;
- `pgh_demandeur_id` : la personne accompagnée concernée, s'il y en a une ;
- `pgh_context` : le contexte applicatif de l'écriture (qui, sous quel rattachement,
  depuis quelle page, commande ou tâche), posé par `HistoriqueMiddleware`, la commande
  `manage.py` ou la tâche Celery en cours (`contexte_systeme`).

Les tables d'historique sont en ajout seul : un déclencheur refuse UPDATE et DELETE, sauf
pour la purge de conservation (`accompagnement.audit.purger`).
"""

from __future__ import annotations

import getpass
import hashlib
import threading
from typing import Any

import pghistory
import pgtrigger
from celery.signals import task_postrun, task_prerun
from django.db import models
from pghistory import config as pgh_config
from pghistory import runtime as pgh_runtime
from pghistory import trigger as pgh_trigger
from pghistory.models import Event

NOM_PROTECTION = "ajout_seul"
OPERATIONS_JOURNAL = {"insert": "creation", "update": "modification", "delete": "suppression"}

# Valeur du contexte dans le déclencheur : celle de la transaction, posée par pghistory.
_SQL_CONTEXTE = (
    "COALESCE(NULLIF(CURRENT_SETTING('pghistory.context_metadata', TRUE), ''), NULL)::JSONB"
)
_SQL_CONTEXTE_ID = "COALESCE(NULLIF(CURRENT_SETTING('pghistory.context_id', TRUE), ''), NULL)::UUID"


class Historique(Event):
    """Base des tables d'historique. Les colonnes propres au projet sont préfixées `pgh_`
    comme celles de pghistory : elles ne se confondent jamais avec celles de l'objet."""

    pgh_departement_id = models.BigIntegerField("département", null=True)
    pgh_demandeur_id = models.BigIntegerField("personne", null=True)
    pgh_diff = models.JSONField("avant → après", null=True)

    # SQL (ligne {row} : NEW ou OLD) du département et de la personne ; champs montrés
    # « modifiés » sans leur valeur sur la page d'audit (texte libre, santé).
    sql_departement = "NULL"
    sql_demandeur = "NULL"
    champs_masques: frozenset[str] = frozenset()

    class Meta:
        abstract = True


class Declencheur(pgh_trigger.Event):
    """Le déclencheur de pghistory, complété : département, personne et différences
    avant → après calculés dans la même instruction (aucune requête de l'application)."""

    def get_func(self, model):
        modele = self.event_model
        row = self.row
        suivis = {f.name for f in modele.pgh_tracked_model._meta.fields}
        colonnes = {
            f.column: f'{row}."{f.column}"'
            for f in modele._meta.fields
            if f.concrete
            and f.name in suivis
            and not isinstance(f, models.AutoField | models.GeneratedField)
        }
        valeurs = {
            **colonnes,
            "pgh_created_at": pgh_config.created_at_function(),
            "pgh_label": f"'{self.label}'",
            "pgh_obj_id": f'{row}."{modele.pgh_tracked_model._meta.pk.column}"',
            "pgh_context": _SQL_CONTEXTE,
            "pgh_context_id": _SQL_CONTEXTE_ID,
            "pgh_departement_id": modele.sql_departement.format(row=row),
            "pgh_demandeur_id": modele.sql_demandeur.format(row=row),
            "pgh_diff": self._sql_diff(colonnes) if self.operation == pgtrigger.Update else "NULL",
        }
        valeurs = dict(sorted(valeurs.items()))
        cols = ", ".join(f'"{c}"' for c in valeurs)
        vals = ", ".join(valeurs.values())
        # Noms de tables et de colonnes tirés des modèles, jamais d'une saisie.
        return f'INSERT INTO "{modele._meta.db_table}" ({cols}) VALUES ({vals}); RETURN NULL;'  # noqa: S608 (noms tirés des modèles)

    @staticmethod
    def _sql_diff(colonnes: dict[str, str]) -> str:
        noms = ", ".join(f"'{c}'" for c in sorted(colonnes))
        diff = (
            "(SELECT JSONB_OBJECT_AGG(n.key, JSONB_BUILD_ARRAY(o.value, n.value)) "
            "FROM JSONB_EACH(TO_JSONB(NEW)) AS n JOIN JSONB_EACH(TO_JSONB(OLD)) AS o "
            "ON o.key = n.key WHERE n.key IN ({noms}) AND n.value IS DISTINCT FROM o.value)"
        )
        return diff.format(noms=noms)


class _AvecDeclencheur:
    def add_event_trigger(self, event_model):
        pgtrigger.register(
            Declencheur(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=pgtrigger.Row,
            )
        )(event_model.pgh_tracked_model)


class Creation(_AvecDeclencheur, pghistory.InsertEvent):
    pass


class Modification(_AvecDeclencheur, pghistory.UpdateEvent):
    pass


class Suppression(_AvecDeclencheur, pghistory.DeleteEvent):
    pass


def _nom_court(modele: type[models.Model], suffixe: str) -> str:
    """Nom d'index de 30 caractères au plus (limite de Django), stable."""
    empreinte = hashlib.sha1(modele._meta.label_lower.encode(), usedforsecurity=False).hexdigest()[
        :5
    ]
    return f"h_{modele.__name__.lower()[:15]}_{empreinte}_{suffixe}"


def suivre(
    modele: type[models.Model],
    *,
    departement: str,
    demandeur: str = "NULL",
    exclure: tuple[str, ...] = (),
    masquer: tuple[str, ...] = (),
) -> type[Historique]:
    """Crée la table d'historique de `modele` (à appeler dans le module `models` de son
    application). `departement` et `demandeur` : expressions SQL sur la ligne `{row}`.
    `exclure` : colonnes jamais copiées (dérivées, secrets) ; `masquer` : colonnes copiées
    mais dont la valeur n'est pas montrée sur la page d'audit."""
    nom = f"{modele.__name__}Historique"
    table = f"{modele._meta.app_label}_{nom.lower()}"
    return pghistory.create_event_model(
        modele,
        Creation(trigger_name="historique_creation"),
        Modification(
            trigger_name="historique_modification",
            condition=pghistory.AnyChange(exclude_auto=True),
        ),
        Suppression(trigger_name="historique_suppression"),
        exclude=list(exclure),
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        append_only=False,  # protection posée ci-dessous, avec un nom à nous
        model_name=nom,
        base_model=Historique,
        abstract=False,
        attrs={
            "sql_departement": departement,
            "sql_demandeur": demandeur,
            "champs_masques": frozenset(masquer),
        },
        meta={
            "verbose_name": f"historique — {modele._meta.verbose_name}",
            "verbose_name_plural": f"historique — {modele._meta.verbose_name_plural}",
            "db_table": table,
            "indexes": [
                models.Index(
                    fields=["pgh_departement_id", "-pgh_created_at"],
                    name=_nom_court(modele, "dep"),
                ),
                models.Index(fields=["pgh_demandeur_id"], name=_nom_court(modele, "dem")),
                models.Index(fields=["pgh_created_at"], name=_nom_court(modele, "date")),
            ],
            "triggers": [protection_ajout_seul()],
        },
    )


class AjoutSeul(pgtrigger.Trigger):
    """Refuse toute instruction UPDATE ou DELETE sur une table d'audit, même sans ligne
    touchée (déclencheur d'instruction, avant exécution). Seule la purge de conservation
    la lève, le temps de sa transaction (`pgtrigger.ignore`, accompagnement.audit.purger).
    TRUNCATE n'est pas couvert : il exige d'être propriétaire de la table (voir la
    décision 27 sur le rôle PostgreSQL de l'application)."""

    when = pgtrigger.Before
    level = pgtrigger.Statement
    operation = pgtrigger.Update | pgtrigger.Delete
    func = (
        "RAISE EXCEPTION 'Journal d''audit en ajout seul : % refusé sur la table %',"
        " TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';"
    )


def protection_ajout_seul() -> pgtrigger.Trigger:
    return AjoutSeul(name=NOM_PROTECTION)


def modeles_historique() -> list[type[Historique]]:
    """Toutes les tables d'historique du projet (découvertes : aucune application n'a
    à importer celles des autres)."""
    return [m for m in pghistory.core.event_models() if issubclass(m, Historique)]


# --- Contexte : qui écrit -------------------------------------------------------------------


def contexte_de_requete(request) -> dict[str, Any]:
    """Qui agit, sous quel rattachement, depuis quelle page."""
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    contexte: dict[str, Any] = {
        "origine": "administration" if request.path.startswith("/admin/") else "web",
        "url": request.path,
        "methode": request.method,
        "utilisateur": user.pk if user is not None and user.is_authenticated else None,
    }
    if membership is not None:
        contexte.update(
            rattachement=membership.pk,
            role=membership.role,
            structure=membership.structure_id,
            departement=membership.structure.departement_id,
        )
    return contexte


def contexte_actif() -> bool:
    return hasattr(pgh_runtime._tracker, "value")


def contexte_systeme(origine: str, **metadonnees: Any) -> pghistory.context:
    """Contexte d'une écriture hors requête (commande, tâche) : l'origine et le compte
    système qui l'exécute. Dans une requête (tâche exécutée immédiatement), la requête
    reste le contexte : on n'y ajoute que ces précisions."""
    try:
        compte = getpass.getuser()
    except (KeyError, OSError):  # conteneur sans entrée passwd
        compte = ""
    if contexte_actif():
        return pghistory.context(**{f"{origine}_nom": metadonnees.get("nom", "")})
    return pghistory.context(origine=origine, compte_systeme=compte, **metadonnees)


_taches = threading.local()


@task_prerun.connect(weak=False)
def _ouvrir_contexte_tache(task_id=None, task=None, **kwargs) -> None:
    """Les écritures d'une tâche Celery portent son nom (origine « tache »)."""
    pile = getattr(_taches, "pile", None)
    if pile is None:
        pile = _taches.pile = {}
    ctx = contexte_systeme("tache", nom=getattr(task, "name", ""))
    ctx.__enter__()
    pile[task_id] = ctx


@task_postrun.connect(weak=False)
def _fermer_contexte_tache(task_id=None, **kwargs) -> None:
    ctx = getattr(_taches, "pile", {}).pop(task_id, None)
    if ctx is not None:
        ctx.__exit__(None, None, None)
