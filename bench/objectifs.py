"""Le tableau des objectifs du ticket #14, relu dans bench/resultats/*.json (dernière étape
de `make bench`) : pour chaque objectif, la cible, le chiffre mesuré, tenu ou non, et les
pages ou traitements qui le manquent avec leur chiffre.

    python -m bench.objectifs

Écrit la section `<!-- objectifs:debut -->` … `<!-- objectifs:fin -->` de bench/README.md."""

from __future__ import annotations

import json
from pathlib import Path

from bench.pages import ecrire_readme

RESULTATS = Path(__file__).resolve().parent / "resultats"

OBJECTIF_PAGE = 3.0
OBJECTIF_SQL_LISTE = 2.0
OBJECTIF_TACHE_MS = 5000
OBJECTIF_INDICATEUR = 2.0
OBJECTIF_APERCU_MS = 300
OBJECTIF_P95_MS = 300


def lire(nom: str) -> dict | None:
    chemin = RESULTATS / f"{nom}.json"
    return json.loads(chemin.read_text("utf-8")) if chemin.exists() else None


def tenu(ok: bool | None) -> str:
    return "—" if ok is None else ("**oui**" if ok else "**non**")


def fr(nombre: float) -> str:
    return f"{nombre:,.1f}".replace(",", " ").replace(".", ",")


def lignes_objectifs() -> tuple[list[str], list[str]]:
    tableau, manques = [], []

    def ajouter(objectif, cible, mesure, ok, source):
        tableau.append(f"| {objectif} | {cible} | {mesure} | {tenu(ok)} | `{source}` |")

    if donnees := lire("bench_data"):
        duree = donnees["duree_s"]
        ajouter(
            f"`bench_data --demandeurs {donnees['demandeurs']}`",
            "< 5 min",
            f"{fr(duree)} s (charge {fr(donnees['machine']['charge_debut'])})",
            duree < 300,
            "bench_data.json",
        )
    if pages := lire("pages"):
        ok_pages = [p for p in pages["pages"] if p["statut"] == 200]
        hors = [p for p in ok_pages if "PDF" not in p["page"] and p["ratio"] > OBJECTIF_PAGE]
        pdf = [p for p in ok_pages if "PDF" in p["page"]]
        pire = max((p for p in ok_pages if "PDF" not in p["page"]), key=lambda p: p["ratio"])
        ajouter(
            "pages HTML ≤ 3× la vue de référence",
            f"≤ 3× ({fr(pages['reference_ms'])} ms)",
            f"{len(ok_pages) - len(pdf) - len(hors)} sur {len(ok_pages) - len(pdf)} pages ; "
            f"la plus lente ×{fr(pire['ratio'])} ({pire['page']})",
            not hors,
            "pages.json",
        )
        for p in sorted(hors, key=lambda p: -p["ratio"]):
            manques.append(
                f"- page **{p['page']}** ({p['role']}) : {fr(p['mediane_ms'])} ms, "
                f"×{fr(p['ratio'])} la référence, {p['requetes']} requêtes, "
                f"{fr(p['sql_ms'])} ms de SQL"
            )
        listes = [p for p in ok_pages if "ratio_sql" in p]
        hors_sql = [p for p in listes if p["ratio_sql"] > OBJECTIF_SQL_LISTE]
        ajouter(
            "SQL des listes ≤ 2× la requête écrite à la main",
            "≤ 2×",
            f"{len(listes) - len(hors_sql)} sur {len(listes)} listes ; "
            + ", ".join(f"{p['page']} ×{fr(p['ratio_sql'])}" for p in listes),
            not hors_sql,
            "pages.json",
        )
        for p in hors_sql:
            manques.append(
                f"- SQL de **{p['page']}** : {fr(p.get('sql_liste_ms', p['sql_ms']))} ms contre "
                f"{fr(p['sql_main_ms'])} ms à la main (×{fr(p['ratio_sql'])})"
            )
        if pdf:
            ajouter(
                "PDF d'un dossier (diagnostic, bilan)",
                "mesurés (pas de cible)",
                ", ".join(f"{p['page']} {fr(p['mediane_ms'])} ms" for p in pdf),
                None,
                "pages.json",
            )
    if taches := lire("taches"):
        for t in taches["traitements"]:
            if t["traitement"].startswith("Tâche"):
                ok = t["mediane_ms"] < OBJECTIF_TACHE_MS
                ajouter(
                    t["traitement"],
                    "< 5 s",
                    f"{fr(t['mediane_ms'] / 1000)} s (SQL à la main {fr(t['sql_main_ms'] / 1000)}"
                    f" s, ×{fr(t['ratio'])}), {t['requetes']} requêtes",
                    ok,
                    "taches.json",
                )
                if not ok:
                    manques.append(
                        f"- **{t['traitement']}** : {fr(t['mediane_ms'])} ms "
                        f"(SQL à la main {fr(t['sql_main_ms'])} ms)"
                    )
            else:
                ok = t["ratio"] <= OBJECTIF_INDICATEUR
                ajouter(
                    t["traitement"],
                    "≤ 2× son SQL",
                    f"×{fr(t['ratio'])} ({fr(t['mediane_ms'])} ms contre {fr(t['sql_main_ms'])} ms)",
                    ok,
                    "taches.json",
                )
                if not ok:
                    manques.append(f"- **{t['traitement']}** : ×{fr(t['ratio'])} son SQL")
    if rapports := lire("reporting"):
        g = rapports["generate_monthly_reports_s"]
        ajouter(
            f"`generate_monthly_reports`, {rapports['perimetres']} périmètres",
            f"< {rapports['objectif_s']} s",
            f"{fr(g['a_froid']['duree_s'])} s à froid, {fr(g['regime_etabli']['duree_s'])} s "
            "en régime établi",
            g["a_froid"]["duree_s"] < rapports["objectif_s"],
            "reporting.json",
        )
        ajouter(
            "indicateurs du catalogue ≤ 2× le SQL à la main",
            "≤ 2×",
            f"SQL envoyé ×{fr(rapports['ratio_sql_max'])} au plus, requête groupée "
            f"×{fr(rapports['ratio_groupe_max'])} au plus ; ORM compris ×{fr(rapports['ratio_max'])}",
            rapports["ratio_sql_max"] <= OBJECTIF_INDICATEUR
            and rapports["ratio_groupe_max"] <= OBJECTIF_INDICATEUR,
            "reporting.json",
        )
    if selecteurs := lire("selecteurs"):
        # La mesure la plus récente qui a l'aperçu d'import (« apres » ou « apres_gros »).
        recentes = sorted(
            (m for cle, m in selecteurs.items() if cle.startswith("apres")),
            key=lambda m: m["date"],
            reverse=True,
        )
        apercu = next(
            (
                lignes
                for m in recentes
                if (
                    lignes := [
                        p
                        for p in m["pages"]
                        if p["page"].startswith("Aperçu d'import") and "première" not in p["page"]
                    ]
                )
            ),
            [],
        )
        if apercu:
            pire = max(p["mediane_ms"] for p in apercu)
            ajouter(
                "aperçu d'import (10 000 lignes), chaque page",
                "< 300 ms",
                f"{fr(pire)} ms au plus ({len(apercu)} pages)",
                pire < OBJECTIF_APERCU_MS,
                "selecteurs.json",
            )
    if synthese := lire("synthese"):
        duree = synthese["synthese_secondes_mediane"]
        ajouter(
            "synthèse PDF d'une convention (tâche)",
            "< 2 s",
            f"{fr(duree)} s",
            duree < 2,
            "synthese.json",
        )
    if charge := lire("charge"):
        total = next(p for p in charge["pages"] if p["page"] == "Aggregated")
        hors = [
            p
            for p in charge["pages"]
            if p["page"] != "Aggregated" and p["p95_ms"] > OBJECTIF_P95_MS
        ]
        ajouter(
            f"p95 sous {charge['utilisateurs']} utilisateurs (gunicorn {charge['workers']} workers)",
            "≤ 300 ms par page",
            f"p95 global {fr(total['p95_ms'])} ms, {fr(total['debit_par_s'])} req/s, "
            f"{total['echecs']} échec ; {len(hors)} pages au-dessus",
            not hors,
            "charge.json",
        )
        for p in hors:
            manques.append(f"- p95 de **{p['page']}** sous charge : {fr(p['p95_ms'])} ms")
    if ressources := lire("import_ressources"):
        duree = ressources["mesures"]["premier_import"]["duree_s"]
        ajouter(
            f"import de {ressources['services']} services (ressources)",
            f"< {ressources['objectif_premier_import_s']} s",
            f"{fr(duree)} s",
            duree < ressources["objectif_premier_import_s"],
            "import_ressources.json",
        )
    return tableau, manques


def main() -> None:
    tableau, manques = lignes_objectifs()
    texte = "\n".join(
        [
            "| objectif | cible | mesuré | tenu | résultat |",
            "|---|---|---|---|---|",
            *tableau,
            "",
            "Ce qui manque son objectif :" if manques else "Tous les objectifs mesurés sont tenus.",
            "",
            *manques,
        ]
    )
    print(texte)
    ecrire_readme(texte, "objectifs")


if __name__ == "__main__":
    main()
