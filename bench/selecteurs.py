"""Mesure des sélecteurs à recherche, des pages d'un gros dossier et de l'aperçu d'import
(ticket #14, point 3), à l'échelle d'un département (`manage.py bench_data`).

Même méthode que `bench.pages` (dont elle reprend la préparation, les acteurs et le client) :
chaque page est mesurée en alternance avec la vue authentifiée minimale (médiane de 5 après
un tour à blanc) et rapportée à elle. L'aperçu d'import part d'un fichier CSV de
10 000 lignes généré ici (déterministe, 1 % de lignes en erreur), déposé et mis en
correspondance par le client de test comme le ferait l'animatrice ; la première visite
(l'analyse) est mesurée à part, puis les pages et la bascule « lignes en erreur ».

    BENCH_ECHELLE_DATABASE_URL=postgres://…/acc_bench_x python -m bench.selecteurs \\
        [--etiquette apres] [--sortie bench/resultats/selecteurs.json]

Le résultat s'ajoute sous l'étiquette donnée (« avant », « apres ») dans le fichier de
sortie ; le tableau est imprimé (il est recopié dans bench/README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.pages import REPETITIONS, choisir, client_de, ecrire_readme, preparer_django

RESULTATS = Path(__file__).resolve().parent / "resultats" / "selecteurs.json"
LIGNES_IMPORT = 10_000
ENTETES = ["Civilité", "Nom", "Prénom", "Date de naissance", "Identifiant FT", "Code postal"]
ENTETES += ["Commune", "Code INSEE", "RSA", "Courriel"]


def fichier_import(lignes: int = LIGNES_IMPORT) -> bytes:
    """Un CSV de personnes nouvelles (noms hors de ceux de bench_data), 1 % en erreur."""
    sortie = io.StringIO()
    sortie.write(";".join(ENTETES) + "\n")
    debut = dt.date(1960, 1, 1)
    for i in range(lignes):
        naissance = (debut + dt.timedelta(days=(i * 37) % 14_000)).strftime("%d/%m/%Y")
        if i % 100 == 99:
            naissance = "31/02/1990"
        valeurs = [
            "Mme" if i % 2 else "M",
            f"Bench{i:05d}",
            ["Élodie", "Karim", "Ana", "Jean-Luc"][i % 4],
            naissance,
            f"{8_000_000 + i:07d}X",
            "25000",
            "Besançon",
            "25056",
            "oui" if i % 3 == 0 else "non",
            f"bench{i}@exemple.test",
        ]
        sortie.write(";".join(valeurs) + "\n")
    return sortie.getvalue().encode("utf-8")


def mesurer(client, url: str, repetitions: int, **params) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reponse = client.get(url, params)  # tour à blanc
    durees, references = [], []
    for _ in range(repetitions):
        debut = time.perf_counter()
        client.get("/bench/reference/")
        references.append((time.perf_counter() - debut) * 1000)
        debut = time.perf_counter()
        reponse = client.get(url, params)
        durees.append((time.perf_counter() - debut) * 1000)
    with CaptureQueriesContext(connection) as requetes:
        client.get(url, params)
    mediane, reference = statistics.median(durees), statistics.median(references)
    return {
        "statut": reponse.status_code,
        "mediane_ms": round(mediane, 1),
        "reference_ms": round(reference, 1),
        "ratio": round(mediane / reference, 1),
        "requetes": len(requetes.captured_queries),
        "octets": len(reponse.content),
    }


# Le « gros dossier » du ticket : bench_data n'en fait pas d'aussi gros (son plus long
# journal de l'axe 2 : ~50 événements). `--grossir` le porte à ces volumes, une fois.
GROS = {"actions": 150, "rendez_vous": 200, "evenements": 2900}


def grossir(dossier) -> None:
    """Ajoute au dossier ce qui lui manque (actions sur 5 objectifs, rendez-vous passés,
    événements du journal) pour atteindre GROS ; idempotent. À n'utiliser que sur une
    copie de la base d'échelle."""
    from django.utils import timezone

    from dossiers.models import Action, EvenementJournal, Objectif, RendezVous

    auteur = dossier.affectations.first().professionnel
    aujourd_hui = timezone.localdate()
    manque = GROS["actions"] - dossier.actions.count()
    if manque > 0:
        objectifs = [
            Objectif.objects.create(
                dossier=dossier, domaine="emploi", intitule=f"Objectif chargé {i}", cree_par=auteur
            )
            for i in range(5)
        ]
        Action.objects.bulk_create(
            Action(
                dossier=dossier,
                objectif=objectifs[i % 5],
                intitule=f"Action chargée {i}",
                cote="emploi",
                responsable=auteur,
                date_debut=aujourd_hui - dt.timedelta(days=400 - i),
                date_fin_prevue=aujourd_hui + dt.timedelta(days=i - 75),
                cree_par=auteur,
            )
            for i in range(manque)
        )
    manque = GROS["rendez_vous"] - dossier.rendez_vous.count()
    if manque > 0:
        RendezVous.objects.bulk_create(
            RendezVous(
                dossier=dossier,
                debut=timezone.now() - dt.timedelta(days=3 * i + 1),
                type="individuel",
                objet=f"Point {i}",
                cree_par=auteur,
            )
            for i in range(manque)
        )
    manque = GROS["evenements"] - dossier.journal.count()
    if manque > 0:
        EvenementJournal.objects.bulk_create(
            EvenementJournal(dossier=dossier, type="note", resume=f"Événement {i}", auteur=auteur)
            for i in range(manque)
        )


def pages_mesurees(choix: dict) -> list[tuple[str, str, str, dict]]:
    from django.urls import reverse

    gros = choix["gros"]
    liste = reverse("dossiers:liste")
    return [
        ("Dossiers du département, page 1", "animatrice", liste, {}),
        ("Dossiers du département, page 2 (htmx)", "animatrice", liste, {"page": 2, "htmx": 1}),
        ("Portefeuille du conseiller dédié", "conseiller_dedie", reverse("dossiers:portefeuille"), {}),
        ("Recherche de professionnels « mar »", "animatrice", "/professionnels/recherche/",
         {"name": "professionnel", "professionnel_q": "mar"}),
        ("Fiche du plus gros dossier", "animatrice", reverse("dossiers:dossier", args=[gros.uuid]), {}),
        ("Journal du plus gros dossier", "animatrice", reverse("dossiers:journal", args=[gros.uuid]), {}),
        ("Plan d'action du plus gros dossier", "animatrice",
         reverse("dossiers:suivi_plan", args=[gros.uuid]), {}),
        ("Rendez-vous du plus gros dossier", "animatrice",
         reverse("dossiers:suivi_rendez_vous", args=[gros.uuid]), {}),
        ("Notes du plus gros dossier", "animatrice", reverse("dossiers:suivi_notes", args=[gros.uuid]), {}),
    ]  # fmt: skip


def mesurer_pages(choix: dict, repetitions: int) -> list[dict]:
    clients = {role: client_de(m) for role, m in choix["acteurs"].items() if m is not None}
    lignes = []
    for nom, role, url, params in pages_mesurees(choix):
        client = clients[role]
        params = dict(params)
        if params.pop("htmx", None):
            client.defaults["HTTP_HX_REQUEST"] = "true"
        try:
            ligne = {"page": nom, "role": role, **mesurer(client, url, repetitions, **params)}
        finally:
            client.defaults.pop("HTTP_HX_REQUEST", None)
        afficher(ligne)
        lignes.append(ligne)
    return lignes


def mesurer_import(choix: dict, repetitions: int) -> list[dict]:
    from django.test import override_settings
    from django.urls import reverse

    from dossiers.imports.services import proposer_correspondance

    animatrice = choix["acteurs"]["animatrice"]
    client = client_de(animatrice)
    contenu = fichier_import()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        fichier = io.BytesIO(contenu)
        fichier.name = "bench-demandeurs.csv"
        assert client.post(reverse("dossiers:import"), {"fichier": fichier}).status_code == 302
        correspondance = proposer_correspondance(ENTETES, choix["departement"])
        reponse = client.post(reverse("dossiers:import_correspondance"), correspondance)
        assert reponse.status_code == 302, reponse.content[:500]
        url = reverse("dossiers:import_apercu")
        debut = time.perf_counter()
        premiere = client.get(url)
        lignes = [
            {
                "page": f"Aperçu d'import ({LIGNES_IMPORT} lignes), première visite",
                "role": "animatrice",
                "statut": premiere.status_code,
                "mediane_ms": round((time.perf_counter() - debut) * 1000, 1),
                "repetitions": 1,
            }
        ]
        afficher(lignes[0])
        for nom, params in [
            ("page 2", {"page": 2}),
            ("page 50", {"page": 50}),
            ("lignes en erreur", {"erreurs": 1}),
        ]:
            ligne = {
                "page": f"Aperçu d'import ({LIGNES_IMPORT} lignes), {nom}",
                "role": "animatrice",
                **mesurer(client, url, repetitions, **params),
            }
            afficher(ligne)
            lignes.append(ligne)
        client.post(reverse("dossiers:import_abandonner"))
    return lignes


def mesurer_pdf(choix: dict) -> list[dict]:
    """Nombre de requêtes des PDF du diagnostic et du bilan (point 4), sans durée."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    typique = choix["typique"]
    client = client_de(choix["acteurs"]["conseiller_dedie"])
    diagnostic = typique.diagnostics.order_by("-numero").first()
    urls = [("Bilan du parcours (PDF)", reverse("reporting:bilan_pdf", args=[typique.uuid]))]
    if diagnostic is not None:
        urls.insert(0, ("Diagnostic (PDF)", reverse("diagnostics:pdf", args=[diagnostic.uuid])))
    lignes = []
    for nom, url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(url)
        ligne = {
            "page": nom,
            "statut": reponse.status_code,
            "requetes": len(requetes.captured_queries),
            "sql": [q["sql"][:160] for q in requetes.captured_queries],
        }
        print(f"{nom:55} {ligne['statut']} {ligne['requetes']} req.", flush=True)
        lignes.append(ligne)
    return lignes


def afficher(ligne: dict) -> None:
    ratio = f"×{ligne['ratio']}" if "ratio" in ligne else ""
    print(
        f"{ligne['page'][:55]:55} {ligne['statut']} {ligne['mediane_ms']:8.1f} ms {ratio:7} "
        f"{ligne.get('requetes', '')} req.",
        flush=True,
    )


def tableau(tous: dict, avant: str = "avant", apres: str = "apres") -> str:
    """Avant / après, page par page (médiane, rapport à la référence, requêtes)."""
    tous = {"avant": tous[avant], "apres": tous[apres]}
    avant = {p["page"]: p for p in tous.get("avant", {}).get("pages", [])}
    apres = tous.get("apres", {})
    lignes = [
        f"Après : mesure du {apres.get('date')} (charge {apres['machine']['charge_debut']} → "
        f"{apres['machine']['charge_fin']}) ; avant : {tous['avant']['date']} (charge "
        f"{tous['avant']['machine']['charge_debut']} → {tous['avant']['machine']['charge_fin']}).",
        "",
        "| page | avant | × réf. | req. | après | × réf. | req. |",
        "|---|---|---|---|---|---|---|",
    ]

    def cellules(p):
        if p is None:
            return "—", "", ""
        if p.get("statut") != 200:
            return f"HTTP {p.get('statut')}", "", ""
        ratio = f"×{p['ratio']}" if "ratio" in p else ""
        return f"{p['mediane_ms']} ms", ratio, str(p.get("requetes", ""))

    for p in apres.get("pages", []):
        a = cellules(avant.get(p["page"]))
        b = cellules(p)
        lignes.append(f"| {p['page']} | {' | '.join(a)} | {' | '.join(b)} |")
    pdf_avant = {p["page"]: p["requetes"] for p in tous["avant"].get("pdf", [])}
    for p in apres.get("pdf", []):
        lignes.append(
            f"| {p['page']} (requêtes seulement) | | | {pdf_avant.get(p['page'], '')} | | | "
            f"{p['requetes']} |"
        )
    return "\n".join(lignes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departement", default="25")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--etiquette", default="apres")
    parser.add_argument("--sortie", type=Path, default=RESULTATS)
    parser.add_argument("--sans-import", action="store_true")
    parser.add_argument(
        "--grossir",
        action="store_true",
        help="porter le plus gros dossier aux volumes du ticket (écrit dans la base !)",
    )
    parser.add_argument(
        "--tableau", action="store_true", help="seulement réécrire le tableau de bench/README.md"
    )
    parser.add_argument(
        "--repetitions-import",
        type=int,
        default=None,
        help="pages de l'aperçu d'import (avant : 2 s à 30 s la page selon la charge)",
    )
    args = parser.parse_args()
    if args.tableau:
        tous = json.loads(args.sortie.read_text("utf-8"))
        texte = tableau(tous)
        if {"avant_gros", "apres_gros"} <= tous.keys():
            texte += (
                f"\n\nAvec le plus gros dossier porté aux volumes du ticket (`--grossir` : "
                f"{GROS['actions']} actions, {GROS['rendez_vous']} rendez-vous, "
                f"{GROS['evenements']} événements) :\n\n"
                + tableau(tous, "avant_gros", "apres_gros")
            )
        ecrire_readme(texte, "selecteurs")
        return
    preparer_django()
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    charge_debut = os.getloadavg()[0]
    with override_settings(ROOT_URLCONF="bench.urls"):
        choix = choisir(args.departement)
        if args.grossir:
            grossir(choix["gros"])
        lignes = mesurer_pages(choix, args.repetitions)
        if not args.sans_import:
            lignes += mesurer_import(choix, args.repetitions_import or args.repetitions)
        pdf = mesurer_pdf(choix)
    resultat = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "gros_dossier": str(choix["gros"].uuid),
        "pages": lignes,
        "pdf": pdf,
        "machine": {
            "processeurs": os.cpu_count(),
            "charge_debut": round(charge_debut, 1),
            "charge_fin": round(os.getloadavg()[0], 1),
        },
    }
    tous = json.loads(args.sortie.read_text("utf-8")) if args.sortie.exists() else {}
    tous[args.etiquette] = resultat
    args.sortie.parent.mkdir(parents=True, exist_ok=True)
    args.sortie.write_text(json.dumps(tous, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
