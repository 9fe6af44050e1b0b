"""Calcul groupé des rapports mensuels : pour un indicateur et un mois, UNE requête donne la
valeur et toutes les ventilations de tous les périmètres d'un département (le département,
chacun de ses territoires, chacune de ses agences), par `GROUP BY GROUPING SETS`.

La requête est celle du catalogue (`Indicateur.unites`, ses expressions de ventilation et
ses agrégats : même définition, mêmes chiffres que `calculer` et `ventiler`, testé) ; seule
la clause `GROUP BY` que produit l'ORM est remplacée par les ensembles de regroupement.
Chaque ensemble porte des colonnes témoins (constante 1, NULL quand la colonne est
agrégée) : une vraie valeur NULL d'une ventilation (« Non renseigné ») ne se confond pas
avec un total.

Les comparaisons (mois précédent, même mois l'an dernier) et les séries sur 12 mois ne
demandent que les totaux par périmètre : une requête par indicateur et par mois, sauf quand
le rapport de ce mois est déjà figé pour ces périmètres — ses chiffres publiés sont alors
relus (une requête par mois pour tous les périmètres)."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Cast

from .catalogue import Indicateur, Mois, Perimetre

# Une portée : None pour le périmètre de base, ("territoire", id) ou ("agence", id).
DEPARTEMENT = None


def _ordinaux(qs) -> tuple[str, list, dict[str, int]]:
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    positions = {alias: i for i, (_e, _s, alias) in enumerate(compiler.select, 1)}
    return sql, list(params), positions


def _remplacer_group_by(sql: str, ensembles: list[tuple[str, ...]], positions) -> str:
    tete, sep, queue = sql.rpartition(" GROUP BY ")
    if not sep or not re.fullmatch(r"[\d, ]+", queue):
        raise RuntimeError(f"Regroupement inattendu produit par l'ORM : « {queue[:80]} ».")

    def liste(aliases):
        return ", ".join(str(positions[a]) for a in aliases)

    groupes = ", ".join(f"({liste(e)})" for e in ensembles)
    return f"{tete} GROUP BY GROUPING SETS ({groupes})"


def _executer(sql: str, params: list) -> list[dict]:
    with connection.cursor() as c:
        c.execute(sql, params)
        noms = [d[0] for d in c.description]
        return [dict(zip(noms, ligne, strict=True)) for ligne in c.fetchall()]


def _vide(ind: Indicateur, mois: Mois) -> dict:
    """Les agrégats d'un ensemble vide (COUNT → 0, les autres → NULL), comme `aggregate`."""
    return {
        nom: getattr(agregat, "empty_result_set_value", None)
        for nom, agregat in ind.agregats(mois).items()
    }


def _portees(base: Perimetre, niveaux: tuple[str, ...]):
    """Les colonnes de portée : (alias de la valeur, alias du témoin, champ du dossier)."""
    champs = {"territoire": "territoire_id", "agence": "agence_id"}
    return [(f"_s_{n}", f"_m_{n}", champs[n], n) for n in niveaux]


def _requete(ind: Indicateur, base: Perimetre, mois: Mois, niveaux, avec_ventilations: bool):
    dims = list(ind.dimensions().values()) if avec_ventilations else []
    portees = _portees(base, niveaux)
    annotations = {}
    # Expressions toutes distinctes : PostgreSQL rapporte une référence ordinale du
    # regroupement à la première colonne de même expression (la portée « territoire » et
    # la ventilation par territoire se confondraient) ; d'où le CAST des portées et un
    # témoin différent par colonne.
    for k, (valeur, temoin, champ, _n) in enumerate(portees):
        annotations[valeur] = Cast(F(f"{ind.prefixe}{champ}"), BigIntegerField())
        annotations[temoin] = Value(1000 + k)
    for i, dim in enumerate(dims):
        annotations[f"_d{i}"] = dim.expression(ind, mois)
        annotations[f"_t{i}"] = Value(1 + i)
    qs = (
        ind.unites(base, mois)
        .annotate(**annotations)
        .values(*annotations)
        .annotate(**ind.agregats(mois))
        .order_by()
    )
    sql, params, positions = _ordinaux(qs)
    ensembles = []
    for portee in [(), *[(v, t) for v, t, _c, _n in portees]]:
        ensembles.append(portee)
        ensembles.extend((*portee, f"_d{i}", f"_t{i}") for i in range(len(dims)))
    return dims, portees, _executer(_remplacer_group_by(sql, ensembles, positions), params)


def _portee_de(ligne, portees):
    for valeur, temoin, _c, niveau in portees:
        if ligne[temoin] is not None:
            return (niveau, ligne[valeur]) if ligne[valeur] is not None else False
    return DEPARTEMENT


def calculer(
    ind: Indicateur,
    base: Perimetre,
    mois: Mois,
    niveaux: tuple[str, ...] = (),
    cache_libelles: dict | None = None,
) -> dict:
    """{portée: {"valeur": …, "ventilations": {clé: [{cle, libelle, valeur}]}}} pour le
    périmètre de base (portée None) et, selon `niveaux`, chacun de ses territoires et de
    ses agences (portées ("territoire", id), ("agence", id)) qui a au moins un élément.
    Même résultat que `ind.calculer` et `ind.ventiler` sur chaque périmètre."""
    dims, portees, lignes = _requete(ind, base, mois, niveaux, avec_ventilations=True)
    sortie: dict = {}
    brutes: dict = {}  # (portée, i) → [lignes]
    for ligne in lignes:
        portee = _portee_de(ligne, portees)
        if portee is False:  # dossier sans territoire (ou sans agence) : hors de ces portées
            continue
        i = next((i for i in range(len(dims)) if ligne[f"_t{i}"] is not None), None)
        if i is None:
            sortie.setdefault(portee, {"valeur": ind.valeur(ligne), "ventilations": {}})
        else:
            brutes.setdefault((portee, i), []).append(ligne)
    if DEPARTEMENT not in sortie:
        sortie[DEPARTEMENT] = {"valeur": ind.valeur(_vide(ind, mois)), "ventilations": {}}
    cache = {} if cache_libelles is None else cache_libelles
    for i, dim in enumerate(dims):
        valeurs = {ligne[f"_d{i}"] for (_p, j), ls in brutes.items() if j == i for ligne in ls}
        noms = cache.setdefault(dim.libelles, {})
        manquants = [v for v in valeurs if v not in noms]
        if manquants:
            trouves = dim.libelles(manquants)
            noms.update({v: trouves.get(v) for v in manquants})
    for portee, resultat in sortie.items():
        for i, dim in enumerate(dims):
            noms = cache[dim.libelles]
            # Même ordre que `ventiler` (ORDER BY ASC, NULL en dernier ; collation « C » des
            # bases, celle de Python pour les textes).
            brutes_i = sorted(
                brutes.get((portee, i), []),
                key=lambda ligne, i=i: (ligne[f"_d{i}"] is None, ligne[f"_d{i}"]),
            )
            resultat["ventilations"][dim.cle] = [
                {
                    "cle": "" if ligne[f"_d{i}"] is None else str(ligne[f"_d{i}"]),
                    "libelle": noms.get(ligne[f"_d{i}"]) or "Non renseigné",
                    "valeur": ind.valeur(ligne),
                }
                for ligne in brutes_i
            ]
    return sortie


def totaux(ind: Indicateur, base: Perimetre, mois: Mois, niveaux: tuple[str, ...] = ()) -> dict:
    """{portée: valeur} : la valeur de l'indicateur pour le périmètre de base et chacun de
    ses territoires et agences, en une requête (les portées sans élément sont absentes)."""
    if not niveaux:
        return {DEPARTEMENT: ind.calculer(base, mois)}
    _dims, portees, lignes = _requete(ind, base, mois, niveaux, avec_ventilations=False)
    sortie = {}
    for ligne in lignes:
        portee = _portee_de(ligne, portees)
        if portee is not False:
            sortie[portee] = ind.valeur(ligne)
    sortie.setdefault(DEPARTEMENT, ind.valeur(_vide(ind, mois)))
    return sortie


def valeur_vide(ind: Indicateur, mois: Mois):
    """La valeur d'un périmètre sans aucun élément (0 pour un dénombrement, — sinon)."""
    return ind.valeur(_vide(ind, mois))
