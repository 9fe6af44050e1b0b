"""Mesure des pages, des listes, des tâches quotidiennes, des indicateurs et des PDF sur un
département à l'échelle (`manage.py bench_data`), dans le processus, `DEBUG=false`.

Chaque mesure est un **rapport à une référence mesurée dans la même exécution** :
- pages : la vue authentifiée minimale qui rend le gabarit de base (`bench/urls.py`),
  mesurée en alternance avec la page (médiane de 5 chacune, après un tour à blanc) ;
- SQL des listes : le temps SQL des requêtes de la liste — celles du fragment htmx que la
  page renvoie à chaque filtre ou page suivante (les lignes et leur compte, sans le
  formulaire de filtres ni ses listes de choix), hors celles que fait aussi la vue de
  référence — rapporté à la requête écrite à la main qui donne les mêmes lignes et le même
  compte ;
- tâches quotidiennes et indicateurs : leur SQL ensembliste écrit à la main. Les tâches
  s'exécutent dans une transaction annulée (la base reste telle quelle).

    BENCH_ECHELLE_DATABASE_URL=postgres://…/acc_bench_grand python -m bench.pages [--departement 25]
        [--pages Portefeuille "Dossiers du"]   # un sous-ensemble, pour itérer vite

Résultat : bench/resultats/pages.json, et le tableau dans bench/README.md (entre les
marqueurs `<!-- pages:debut -->` et `<!-- pages:fin -->`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
RESULTATS = Path(__file__).resolve().parent / "resultats" / "pages.json"
README = Path(__file__).resolve().parent / "README.md"
REPETITIONS = 5


def preparer_django() -> None:
    url = os.environ.get("BENCH_ECHELLE_DATABASE_URL")
    if not url:
        raise SystemExit(
            "BENCH_ECHELLE_DATABASE_URL manque : une base chargée par "
            "`manage.py bench_data --demandeurs 100000` (jamais la base de développement)."
        )
    os.environ["DATABASE_URL"] = url
    # Les réglages de `make run` (ENV_RUN du Makefile) : DEBUG=false, HTTP local.
    os.environ.update(
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_DEPUIS_SOURCES="true",
    )
    os.environ.setdefault("SECRET_KEY", "bench-pages-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accompagnement.settings")
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()


def mediane_ms(fonction, repetitions: int = REPETITIONS) -> float:
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    return statistics.median(durees)


class Annulee(Exception):
    """Levée pour annuler la transaction d'une mesure qui écrit."""


def dans_une_transaction_annulee(fonction):
    from django.db import transaction

    def _executer():
        try:
            with transaction.atomic():
                fonction()
                raise Annulee
        except Annulee:
            pass

    return _executer


# --- Requêtes écrites à la main (références des listes, tâches, indicateurs) -------------

# Le portefeuille : les places ouvertes du professionnel, plus, pour le conseiller, les
# dossiers qu'il a orientés et qui attendent leur orientation et, pour le correspondant,
# ceux de son territoire (paramètres à NULL pour les autres rôles).
SQL_PORTEFEUILLE = """
SELECT d.id, dm.nom, dm.prenom FROM dossiers_dossier d
  JOIN dossiers_demandeur dm ON dm.id = d.demandeur_id
 WHERE d.departement_id = %(dep)s AND d.statut <> 'clos' AND d.id IN (
       SELECT a.dossier_id FROM dossiers_affectation a
        WHERE a.professionnel_id = %(user)s AND a.date_fin IS NULL
       UNION ALL SELECT o.id FROM dossiers_dossier o
        WHERE o.oriente_par_id = %(oriente_par)s AND o.statut = 'a_orienter'
       UNION ALL SELECT t.id FROM dossiers_dossier t WHERE t.territoire_id = %(territoire)s)
 ORDER BY dm.nom, dm.prenom, d.id LIMIT 25;
SELECT count(*) FROM dossiers_dossier d
 WHERE d.departement_id = %(dep)s AND d.statut <> 'clos' AND d.id IN (
       SELECT a.dossier_id FROM dossiers_affectation a
        WHERE a.professionnel_id = %(user)s AND a.date_fin IS NULL
       UNION ALL SELECT o.id FROM dossiers_dossier o
        WHERE o.oriente_par_id = %(oriente_par)s AND o.statut = 'a_orienter'
       UNION ALL SELECT t.id FROM dossiers_dossier t WHERE t.territoire_id = %(territoire)s)
"""
# Le compte est borné comme sur la page (« plus de 10 000 dossiers ») : même affichage.
SQL_DEPARTEMENT = """
SELECT d.id, dm.nom, dm.prenom FROM dossiers_dossier d
  JOIN dossiers_demandeur dm ON dm.id = d.demandeur_id
 WHERE d.departement_id = %(dep)s
 ORDER BY dm.nom, dm.prenom, d.id LIMIT 25 OFFSET %(offset)s;
SELECT count(*) FROM (SELECT 1 FROM dossiers_dossier d WHERE d.departement_id = %(dep)s
 LIMIT 10001) t
"""
SQL_SANS_BINOME = """
SELECT d.id, dm.nom, dm.prenom FROM dossiers_dossier d
  JOIN dossiers_demandeur dm ON dm.id = d.demandeur_id
 WHERE d.departement_id = %(dep)s AND d.statut <> 'clos' AND d.axe_courant NOT IN ('1', '3')
   AND NOT EXISTS (SELECT 1 FROM dossiers_affectation a
                     JOIN dossiers_affectation b ON b.dossier_id = a.dossier_id
                          AND b.role = 'travailleur_social' AND b.date_fin IS NULL
                    WHERE a.dossier_id = d.id AND a.role = 'conseiller_dedie'
                      AND a.date_fin IS NULL)
 ORDER BY dm.nom, dm.prenom, d.id LIMIT 25;
SELECT count(*) FROM (SELECT 1 FROM dossiers_dossier d
 WHERE d.departement_id = %(dep)s AND d.statut <> 'clos' AND d.axe_courant NOT IN ('1', '3')
   AND NOT EXISTS (SELECT 1 FROM dossiers_affectation a
                     JOIN dossiers_affectation b ON b.dossier_id = a.dossier_id
                          AND b.role = 'travailleur_social' AND b.date_fin IS NULL
                    WHERE a.dossier_id = d.id AND a.role = 'conseiller_dedie'
                      AND a.date_fin IS NULL)
 LIMIT 10001) t
"""
SQL_CHARGES = """
SELECT a.professionnel_id, a.role, count(*) FROM dossiers_affectation a
  JOIN dossiers_dossier d ON d.id = a.dossier_id
 WHERE a.date_fin IS NULL AND d.departement_id = %(dep)s
 GROUP BY 1, 2
"""
# La file du correspondant : adressées à un correspondant de son territoire, ou sur un
# dossier de son territoire ; la page, son compte et les compteurs par statut.
SQL_SOLLICITATIONS = """
SELECT s.id FROM dossiers_sollicitation s
 WHERE s.statut IN ('envoyee', 'a_l_etude')
   AND (s.correspondant_id IN (SELECT m.id FROM accompagnement_membership m
                                WHERE m.structure_id = %(territoire)s)
        OR s.dossier_id IN (SELECT d.id FROM dossiers_dossier d
                             WHERE d.territoire_id = %(territoire)s))
 ORDER BY s.echeance, s.id LIMIT 25;
SELECT count(*) FROM dossiers_sollicitation s
 WHERE s.statut IN ('envoyee', 'a_l_etude')
   AND (s.correspondant_id IN (SELECT m.id FROM accompagnement_membership m
                                WHERE m.structure_id = %(territoire)s)
        OR s.dossier_id IN (SELECT d.id FROM dossiers_dossier d
                             WHERE d.territoire_id = %(territoire)s));
SELECT s.statut, count(*) FROM dossiers_sollicitation s
 WHERE s.statut <> 'brouillon'
   AND (s.correspondant_id IN (SELECT m.id FROM accompagnement_membership m
                                WHERE m.structure_id = %(territoire)s)
        OR s.dossier_id IN (SELECT d.id FROM dossiers_dossier d
                             WHERE d.territoire_id = %(territoire)s))
 GROUP BY 1
"""
SQL_ACTIONS_ECHUES = """
WITH echues AS (
    UPDATE dossiers_action x SET echeance_signalee_le = current_date
      FROM dossiers_dossier d
     WHERE d.id = x.dossier_id AND d.statut <> 'clos'
       AND x.date_fin_prevue < current_date AND x.echeance_signalee_le IS NULL
       AND x.statut NOT IN ('realisee', 'abandonnee', 'annulee')
 RETURNING x.responsable_id, d.uuid
)
INSERT INTO accompagnement_notification
    (uuid, destinataire_id, categorie, titre, texte, lien, cree_le)
SELECT gen_random_uuid(), responsable_id, 'action', 'Action à échéance', '',
       '/dossiers/' || uuid || '/plan/', now()
  FROM echues
"""
SQL_RENOUVELLEMENTS = """
WITH echues AS (
    UPDATE dossiers_periodeorientation p SET echeance_signalee_le = current_date
      FROM dossiers_dossier d
     WHERE d.id = p.dossier_id AND d.statut <> 'clos' AND p.date_fin IS NULL
       AND p.date_debut + interval '11 months' <= current_date
       AND p.echeance_signalee_le IS NULL
 RETURNING p.dossier_id, d.uuid
)
INSERT INTO accompagnement_notification
    (uuid, destinataire_id, categorie, titre, texte, lien, cree_le)
SELECT gen_random_uuid(), a.professionnel_id, 'renouvellement', 'Renouvellement à décider', '',
       '/dossiers/' || e.uuid || '/', now()
  FROM echues e JOIN dossiers_affectation a ON a.dossier_id = e.dossier_id AND a.date_fin IS NULL
"""
SQL_FREINS_LEVES = """
SELECT fp.domaine, count(*)
  FROM diagnostics_diagnostic v
  JOIN diagnostics_diagnostic p ON p.id = v.precedent_id
  JOIN dossiers_dossier d ON d.id = v.dossier_id
  JOIN diagnostics_frein fp ON fp.diagnostic_id = p.id
       AND fp.presence = 'present' AND fp.statut <> 'leve'
 WHERE d.departement_id = %(dep)s
   AND v.emploi_valide_le IS NOT NULL AND v.social_valide_le IS NOT NULL
   AND p.emploi_valide_le IS NOT NULL AND p.social_valide_le IS NOT NULL
   AND greatest(v.emploi_valide_le, v.social_valide_le)::date BETWEEN %(debut)s AND %(fin)s
   AND NOT EXISTS (SELECT 1 FROM diagnostics_frein f
                    WHERE f.diagnostic_id = v.id AND f.domaine = fp.domaine
                      AND f.presence = 'present' AND f.statut <> 'leve')
 GROUP BY 1
"""
# Les mêmes sorties que `indicateurs_sollicitations` : comptes par domaine et par ressource
# (nom du service et de sa structure), par issue, délais moyen et médian de réponse.
SQL_SOLLICITATIONS_INDICATEURS = """
SELECT s.domaine, count(*), count(*) FILTER (WHERE s.statut IN ('acceptee', 'realisee')),
       count(*) FILTER (WHERE s.statut = 'refusee'), count(*) FILTER (WHERE s.statut = 'realisee'),
       count(*) FILTER (WHERE s.statut = 'expiree'),
       count(*) FILTER (WHERE s.statut IN ('envoyee', 'a_l_etude'))
  FROM dossiers_sollicitation s JOIN dossiers_dossier d ON d.id = s.dossier_id
 WHERE d.departement_id = %(dep)s AND s.envoyee_le IS NOT NULL
   AND (s.envoyee_le AT TIME ZONE 'Europe/Paris')::date BETWEEN %(debut)s AND %(fin)s
 GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT s.service_id, sv.uuid, sv.nom, st.nom, count(*), count(*) FILTER (WHERE s.statut IN ('acceptee', 'realisee')),
       count(*) FILTER (WHERE s.statut = 'refusee'), count(*) FILTER (WHERE s.statut = 'realisee'),
       count(*) FILTER (WHERE s.statut = 'expiree'),
       count(*) FILTER (WHERE s.statut IN ('envoyee', 'a_l_etude'))
  FROM dossiers_sollicitation s JOIN conventions_serviceressource sv ON sv.id = s.service_id
  JOIN conventions_structureressource st ON st.id = sv.structure_id
  JOIN dossiers_dossier d ON d.id = s.dossier_id
 WHERE d.departement_id = %(dep)s AND s.envoyee_le IS NOT NULL
   AND (s.envoyee_le AT TIME ZONE 'Europe/Paris')::date BETWEEN %(debut)s AND %(fin)s
 GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 3;
SELECT s.statut, count(*)
  FROM dossiers_sollicitation s JOIN dossiers_dossier d ON d.id = s.dossier_id
 WHERE d.departement_id = %(dep)s AND s.envoyee_le IS NOT NULL
   AND (s.envoyee_le AT TIME ZONE 'Europe/Paris')::date BETWEEN %(debut)s AND %(fin)s
 GROUP BY 1;
SELECT avg(extract(epoch FROM coalesce(s.acceptee_le, s.refusee_le) - s.envoyee_le) / 86400.0),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
           coalesce(s.acceptee_le, s.refusee_le) - s.envoyee_le) / 86400.0),
       count(*)
  FROM dossiers_sollicitation s JOIN dossiers_dossier d ON d.id = s.dossier_id
 WHERE d.departement_id = %(dep)s AND s.envoyee_le IS NOT NULL
   AND (s.envoyee_le AT TIME ZONE 'Europe/Paris')::date BETWEEN %(debut)s AND %(fin)s
   AND (s.acceptee_le IS NOT NULL OR s.refusee_le IS NOT NULL)
"""


def executer_sql(sql: str, parametres: dict) -> None:
    from django.db import connection

    with connection.cursor() as curseur:
        for requete in (r for r in sql.split(";") if r.strip()):
            curseur.execute(requete, parametres)
            if curseur.description:
                curseur.fetchall()


# --- Acteurs et objets de la mesure -------------------------------------------------------


def choisir(code: str) -> dict:
    from django.db.models import Count, Q

    from accompagnement.models import Departement, Membership, Role
    from dossiers.models import Dossier, PeriodeOrientation

    departement = Departement.objects.get(code_insee=code)
    membres = Membership.objects.filter(structure__departement=departement, actif=True)

    def charge_mediane(role):
        candidats = list(
            membres.filter(role=role)
            .annotate(n=Count("user__affectations", filter=Q(user__affectations__date_fin=None)))
            .order_by("n", "pk")
        )
        return candidats[len(candidats) // 2] if candidats else None

    acteurs = {
        "conseiller": charge_mediane(Role.CONSEILLER),
        "conseiller_dedie": charge_mediane(Role.CONSEILLER_DEDIE),
        "travailleur_social": charge_mediane(Role.TRAVAILLEUR_SOCIAL),
        "correspondant": membres.filter(role=Role.CORRESPONDANT_INSERTION).order_by("pk").first(),
        "animatrice": membres.filter(role=Role.ANIMATRICE).first(),
    }
    dedie = acteurs["conseiller_dedie"]
    typique = (
        Dossier.objects.filter(
            departement=departement,
            statut="accompagnement",
            axe_courant="2",
            affectations__professionnel=dedie.user,
            affectations__date_fin=None,
            diagnostics__precedent__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    gros = (
        Dossier.objects.filter(departement=departement, statut="accompagnement", axe_courant="2")
        .annotate(n=Count("journal"))
        .order_by("-n", "pk")
        .first()
    )
    nombre = Dossier.objects.filter(departement=departement).count()
    periode = PeriodeOrientation.objects.filter(dossier=typique).first()
    return {
        "departement": departement,
        "acteurs": acteurs,
        "typique": typique,
        "gros": gros,
        "nombre_dossiers": nombre,
        "periode": periode,
    }


def pages(choix: dict) -> list[dict]:
    """(nom, rôle, adresse, SQL de référence éventuel)."""
    from django.urls import reverse

    from accompagnement.models import Role
    from accompagnement.pagination_bornee import PLAFOND

    a = choix["acteurs"]
    dep = choix["departement"].pk
    typique, gros = choix["typique"], choix["gros"]
    # Au milieu de la liste, sans dépasser la dernière page accessible (compte borné).
    page_profonde = max(1, min(choix["nombre_dossiers"] // 25 // 2, PLAFOND // 25))
    diag_typique = typique.diagnostics.order_by("-numero").first()
    liste = reverse("dossiers:liste")
    portefeuille = reverse("dossiers:portefeuille")

    def portefeuille_de(membership):
        return {
            "dep": dep,
            "user": membership.user_id,
            "oriente_par": membership.user_id if membership.role == Role.CONSEILLER else None,
            "territoire": (
                membership.structure_id if membership.role == Role.CORRESPONDANT_INSERTION else None
            ),
        }

    def p(nom, role, url, sql=None, **params):
        return {"nom": nom, "role": role, "url": url, "sql": sql, "params": params}

    resultat = [
        p("Accueil (conseiller)", "conseiller", "/"),
        p("Accueil (conseiller dédié)", "conseiller_dedie", "/"),
        p("Accueil (travailleur social)", "travailleur_social", "/"),
        p("Accueil (correspondant insertion)", "correspondant", "/"),
        p("Accueil (animatrice)", "animatrice", "/"),
        p("Notifications", "conseiller_dedie", reverse("notifications")),
        p("Annuaire des professionnels", "animatrice", reverse("annuaire")),
        p(
            "Portefeuille du conseiller",
            "conseiller",
            portefeuille,
            SQL_PORTEFEUILLE,
            **portefeuille_de(a["conseiller"]),
        ),
        p(
            "Portefeuille du conseiller dédié",
            "conseiller_dedie",
            portefeuille,
            SQL_PORTEFEUILLE,
            **portefeuille_de(a["conseiller_dedie"]),
        ),
        p(
            "Portefeuille du travailleur social",
            "travailleur_social",
            portefeuille,
            SQL_PORTEFEUILLE,
            **portefeuille_de(a["travailleur_social"]),
        ),
        p(
            "Portefeuille du correspondant",
            "correspondant",
            portefeuille,
            SQL_PORTEFEUILLE,
            **portefeuille_de(a["correspondant"]),
        ),
        p(
            "Dossiers du département, page 1",
            "animatrice",
            liste,
            SQL_DEPARTEMENT,
            dep=dep,
            offset=0,
        ),
        p(
            f"Dossiers du département, page {page_profonde}",
            "animatrice",
            f"{liste}?page={page_profonde}",
            SQL_DEPARTEMENT,
            dep=dep,
            offset=(page_profonde - 1) * 25,
        ),
        p(
            "Dossiers « binôme incomplet »",
            "animatrice",
            f"{liste}?sans_binome=on",
            SQL_SANS_BINOME,
            dep=dep,
        ),
        p(
            "Charges des professionnels",
            "animatrice",
            reverse("dossiers:charges"),
            SQL_CHARGES,
            dep=dep,
        ),
        p(
            "Sollicitations à traiter (correspondant)",
            "correspondant",
            reverse("dossiers:sollicitations_a_traiter"),
            SQL_SOLLICITATIONS,
            territoire=a["correspondant"].structure_id,
        ),
        p(
            "Fiche d'un dossier typique",
            "conseiller_dedie",
            reverse("dossiers:dossier", args=[typique.uuid]),
        ),
        p(
            "Journal d'un dossier typique",
            "conseiller_dedie",
            reverse("dossiers:journal", args=[typique.uuid]),
        ),
        p(
            "Plan d'action typique",
            "conseiller_dedie",
            reverse("dossiers:suivi_plan", args=[typique.uuid]),
        ),
        p(
            "Rendez-vous typiques",
            "conseiller_dedie",
            reverse("dossiers:suivi_rendez_vous", args=[typique.uuid]),
        ),
        p(
            "Notes typiques",
            "conseiller_dedie",
            reverse("dossiers:suivi_notes", args=[typique.uuid]),
        ),
        p(
            "Documents typiques",
            "conseiller_dedie",
            reverse("dossiers:suivi_documents", args=[typique.uuid]),
        ),
        p(
            "Aides typiques",
            "conseiller_dedie",
            reverse("dossiers:suivi_aides", args=[typique.uuid]),
        ),
        p(
            "Fiche du plus gros dossier",
            "animatrice",
            reverse("dossiers:dossier", args=[gros.uuid]),
        ),
        p(
            "Journal du plus gros dossier",
            "animatrice",
            reverse("dossiers:journal", args=[gros.uuid]),
        ),
        p(
            "Plan d'action du plus gros dossier",
            "animatrice",
            reverse("dossiers:suivi_plan", args=[gros.uuid]),
        ),
        p(
            "Rendez-vous du plus gros dossier",
            "animatrice",
            reverse("dossiers:suivi_rendez_vous", args=[gros.uuid]),
        ),
        p(
            "Recherche de professionnels « mar »",
            "animatrice",
            reverse("recherche_professionnels") + "?name=professionnel&professionnel_q=mar",
        ),
        p("Bilan du parcours", "conseiller_dedie", reverse("reporting:bilan", args=[typique.uuid])),
        p("Ressources : annuaire", "conseiller", reverse("conventions:annuaire")),
        p(
            "Ressources : recherche « logement »",
            "conseiller",
            reverse("conventions:annuaire") + "?q=logement",
        ),
        p("Journal d'audit", "animatrice", reverse("journal_audit")),
        p("Personnes sans dossier", "animatrice", reverse("dossiers:sans_dossier")),
    ]
    resultat += pages_du_travail_en_commun(choix, p)
    if diag_typique is not None:
        resultat += [
            p(
                "Diagnostic typique",
                "conseiller_dedie",
                reverse("diagnostics:diagnostic", args=[diag_typique.uuid]),
            ),
            p(
                "Diagnostic (PDF)",
                "conseiller_dedie",
                reverse("diagnostics:pdf", args=[diag_typique.uuid]),
            ),
        ]
    resultat.append(
        p(
            "Bilan du parcours (PDF)",
            "conseiller_dedie",
            reverse("reporting:bilan_pdf", args=[typique.uuid]),
        )
    )
    return resultat


def pages_du_travail_en_commun(choix: dict, p) -> list[dict]:
    """Les files « Aujourd'hui » de chaque rôle (liste complète), le tableau de bord, les
    rapports mensuels figés, les comités et les conventions (objets de `bench.preparer`)."""
    from django.urls import reverse

    from bench.preparer import INTITULE_CONVENTION, LIEU_COMITE
    from comites.models import Seance
    from conventions.models import Convention
    from reporting.files import FILES, FILES_PAR_ROLE
    from reporting.models import NiveauPerimetre, RapportMensuel

    a, departement = choix["acteurs"], choix["departement"]
    resultat = []
    for role, membership in a.items():
        if membership is None:
            continue
        for cle in FILES_PAR_ROLE.get(membership.role, ()):
            resultat.append(
                p(
                    f"Aujourd'hui : {FILES[cle].titre} ({role})",
                    role,
                    reverse("aujourdhui_file") + f"?file={cle}",
                )
            )
    resultat += [
        p("Tableau de bord", "animatrice", reverse("reporting:tableau_de_bord")),
        p("Rapports mensuels", "animatrice", reverse("reporting:rapports")),
        p("Comités techniques", "animatrice", reverse("comites:seances")),
        p("Conventions", "animatrice", reverse("conventions:conventions")),
    ]
    rapport = (
        RapportMensuel.objects.filter(departement=departement, niveau=NiveauPerimetre.DEPARTEMENT)
        .order_by("-mois", "-version")
        .first()
    )
    if rapport is not None:
        resultat.append(
            p("Rapport mensuel figé (département)", "animatrice",
              reverse("reporting:rapport", args=[rapport.uuid]))
        )  # fmt: skip
    seance = Seance.objects.filter(departement=departement, lieu=LIEU_COMITE).first()
    if seance is not None:
        resultat.append(
            p("Séance de comité", "animatrice", reverse("comites:seance", args=[seance.uuid]))
        )
    convention = Convention.objects.filter(
        departement=departement, intitule=INTITULE_CONVENTION
    ).first()
    if convention is not None:
        resultat.append(
            p("Fiche d'une convention", "animatrice",
              reverse("conventions:convention", args=[convention.uuid]))
        )  # fmt: skip
    return resultat


def client_de(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    session = client.session
    session["membership_uuid"] = str(membership.uuid)
    session.save()
    return client


def retenue(nom: str, filtres: list[str] | None) -> bool:
    """Une page est mesurée si son nom contient l'un des filtres (sans casse), ou sans filtre."""
    return not filtres or any(f.casefold() in nom.casefold() for f in filtres)


def forme(sql: str) -> str:
    """Une requête sans ses conditions : pour reconnaître celles de la vue de référence."""
    return sql.split(" WHERE ", 1)[0]


def sql_de_la_liste_ms(requetes: list[dict], formes_reference: set[str]) -> float:
    """Le temps SQL de la liste elle-même (requêtes du fragment htmx) : sans les requêtes
    que fait aussi la vue de référence (session, compte, rattachement) ni les curseurs
    éventuels de listes de choix (`DECLARE … CURSOR`) — ce que la requête écrite à la main
    ne fait pas non plus. Le formulaire de filtres n'est pas dans le fragment : ses listes
    de choix (structures, sélecteur de professionnels) ne sont pas comptées, qu'elles
    passent par un curseur ou non (décision 91)."""
    return 1000 * sum(
        float(q["time"])
        for q in requetes
        if not q["sql"].startswith("DECLARE") and forme(q["sql"]) not in formes_reference
    )


def mesurer_pages(choix: dict, repetitions: int, filtres: list[str] | None = None) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {role: client_de(m) for role, m in choix["acteurs"].items() if m is not None}
    lignes = []
    for page in (p for p in pages(choix) if retenue(p["nom"], filtres)):
        client = clients[page["role"]]
        reponse = client.get(page["url"])  # tour à blanc (caches, connexions)
        with CaptureQueriesContext(connection) as requetes_reference:
            client.get("/bench/reference/")
        formes_reference = {forme(q["sql"]) for q in requetes_reference.captured_queries}
        durees, references = [], []
        for _ in range(repetitions):
            debut = time.perf_counter()
            client.get("/bench/reference/")
            references.append((time.perf_counter() - debut) * 1000)
            debut = time.perf_counter()
            reponse = client.get(page["url"])
            durees.append((time.perf_counter() - debut) * 1000)
        with CaptureQueriesContext(connection) as requetes:
            client.get(page["url"])
        sql_ms = sum(float(q["time"]) for q in requetes.captured_queries) * 1000
        ligne = {
            "page": page["nom"],
            "role": page["role"],
            "url": page["url"],
            "statut": reponse.status_code,
            "mediane_ms": round(statistics.median(durees), 1),
            "reference_ms": round(statistics.median(references), 1),
            "requetes": len(requetes.captured_queries),
            "sql_ms": round(sql_ms, 1),
        }
        ligne["ratio"] = round(ligne["mediane_ms"] / ligne["reference_ms"], 1)
        if page["sql"]:
            ligne["sql_main_ms"] = round(
                mediane_ms(
                    lambda page=page: executer_sql(page["sql"], page["params"]), repetitions
                ),
                1,
            )
            with CaptureQueriesContext(connection) as requetes_fragment:
                client.get(page["url"], HTTP_HX_REQUEST="true")
            sql_liste = sql_de_la_liste_ms(requetes_fragment.captured_queries, formes_reference)
            ligne["sql_liste_ms"] = round(sql_liste, 1)
            ligne["ratio_sql"] = round(sql_liste / max(ligne["sql_main_ms"], 0.1), 1)
        print(
            f"{ligne['page'][:45]:45} {ligne['statut']} {ligne['mediane_ms']:8.1f} ms "
            f"×{ligne['ratio']:<6} {ligne['requetes']:3} req. SQL {ligne['sql_ms']:7.1f} ms"
            + (
                f" (liste {ligne['sql_liste_ms']} ms, main {ligne['sql_main_ms']} ms, "
                f"×{ligne['ratio_sql']})"
                if page["sql"]
                else ""
            ),
            flush=True,
        )
        lignes.append(ligne)
    return lignes


def mesurer_traitements(choix: dict, repetitions_taches: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dossiers.parcours.renouvellement import signaler_renouvellements
    from dossiers.suivi.echeances import signaler_actions_echues
    from reporting.indicateurs import freins_leves_par_domaine, indicateurs_sollicitations

    dep = choix["departement"]
    fin = timezone.localdate()
    debut = fin - dt.timedelta(days=365)
    params = {"dep": dep.pk, "debut": debut, "fin": fin}
    mesures = [
        ("Tâche signaler_actions_echues", signaler_actions_echues, SQL_ACTIONS_ECHUES, True),
        ("Tâche signaler_renouvellements", signaler_renouvellements, SQL_RENOUVELLEMENTS, True),
        (
            "Indicateur freins_leves_par_domaine",
            lambda: freins_leves_par_domaine(dep, debut, fin),
            SQL_FREINS_LEVES,
            False,
        ),
        (
            "Indicateur indicateurs_sollicitations",
            lambda: indicateurs_sollicitations(dep, debut, fin),
            SQL_SOLLICITATIONS_INDICATEURS,
            False,
        ),
    ]
    lignes = []
    for nom, fonction, sql, ecrit in mesures:
        appel = dans_une_transaction_annulee(fonction) if ecrit else fonction
        reference = (
            dans_une_transaction_annulee(lambda sql=sql: executer_sql(sql, params))
            if ecrit
            else (lambda sql=sql: executer_sql(sql, params))
        )
        repetitions = repetitions_taches if ecrit else REPETITIONS
        with CaptureQueriesContext(connection) as requetes:
            duree = mediane_ms(appel, repetitions)
        ref = mediane_ms(reference, repetitions)
        ligne = {
            "traitement": nom,
            "mediane_ms": round(duree, 1),
            "sql_main_ms": round(ref, 1),
            "ratio": round(duree / max(ref, 0.1), 1),
            "requetes": len(requetes.captured_queries) // repetitions,
            "repetitions": repetitions,
        }
        print(
            f"{nom:45} {duree:9.1f} ms (SQL à la main {ref:.1f} ms, ×{ligne['ratio']}) "
            f"{ligne['requetes']} req.",
            flush=True,
        )
        lignes.append(ligne)
    return lignes


def volumes() -> dict[str, int]:
    from django.db import connection

    tables = [
        "dossiers_demandeur",
        "dossiers_dossier",
        "dossiers_affectation",
        "diagnostics_diagnostic",
        "diagnostics_frein",
        "dossiers_note",
        "dossiers_rendezvous",
        "dossiers_action",
        "dossiers_evenementjournal",
        "dossiers_sollicitation",
        "accompagnement_user",
    ]
    with connection.cursor() as curseur:
        resultat = {}
        for table in tables:
            curseur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — noms de tables fixés dans le code, aucune saisie
            resultat[table] = curseur.fetchone()[0]
    return resultat


def tableau(resultat: dict) -> str:
    lignes = [
        f"Mesure du {resultat['date']} — {resultat['volumes']['dossiers_demandeur']} demandeurs, "
        f"{resultat['volumes']['dossiers_evenementjournal']} événements du journal ; "
        f"machine : {resultat['machine']['processeurs']} cœurs, charge "
        f"{resultat['machine']['charge_debut']} au début, {resultat['machine']['charge_fin']} "
        f"à la fin ; vue de référence : {resultat['reference_ms']} ms (médiane).",
        "",
        "| page | rôle | médiane | × référence | requêtes | SQL | × SQL à la main (liste / main) |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in resultat["pages"]:
        ratio_sql = (
            f"×{p['ratio_sql']} ({p.get('sql_liste_ms', p['sql_ms'])} ms / {p['sql_main_ms']} ms)"
            if "ratio_sql" in p
            else ""
        )
        statut = "" if p["statut"] == 200 else f" (HTTP {p['statut']})"
        lignes.append(
            f"| {p['page']}{statut} | {p['role']} | {p['mediane_ms']} ms | ×{p['ratio']} | "
            f"{p['requetes']} | {p['sql_ms']} ms | {ratio_sql} |"
        )
    lignes += [
        "",
        "| tâche ou indicateur | médiane | SQL à la main | × | requêtes |",
        "|---|---|---|---|---|",
    ]
    for t in resultat["traitements"]:
        lignes.append(
            f"| {t['traitement']} | {t['mediane_ms']} ms | {t['sql_main_ms']} ms | ×{t['ratio']} "
            f"| {t['requetes']} |"
        )
    return "\n".join(lignes)


def ecrire_readme(texte: str, section: str = "pages") -> None:
    """Remplace, dans bench/README.md, le texte entre `<!-- section:debut -->` et
    `<!-- section:fin -->` (ajoutés à la fin s'ils manquent)."""
    contenu = README.read_text(encoding="utf-8")
    debut, fin = f"<!-- {section}:debut -->", f"<!-- {section}:fin -->"
    if debut in contenu and fin in contenu:
        avant, reste = contenu.split(debut, 1)
        _, apres = reste.split(fin, 1)
        contenu = f"{avant}{debut}\n{texte}\n{fin}{apres}"
    else:
        contenu += f"\n{debut}\n{texte}\n{fin}\n"
    README.write_text(contenu, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Mesure des pages à l'échelle d'un département.")
    parser.add_argument("--departement", default="25")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument(
        "--repetitions-taches", type=int, default=1, help="tâches quotidiennes (lentes)"
    )
    parser.add_argument(
        "--sortie", type=Path, help=f"fichier de résultat (défaut : {RESULTATS}, sauf avec --pages)"
    )
    parser.add_argument("--sans-readme", action="store_true")
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="TEXTE",
        help="ne mesurer que les pages dont le nom contient l'un de ces textes (sans casse) ; "
        "sans les tâches ni les indicateurs, et sans réécrire le README",
    )
    args = parser.parse_args()
    preparer_django()
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # le client de test, sans toucher à la base
    charge_debut = os.getloadavg()[0]
    with override_settings(ROOT_URLCONF="bench.urls"):
        choix = choisir(args.departement)
        lignes_pages = mesurer_pages(choix, args.repetitions, args.pages)
        traitements = [] if args.pages else mesurer_traitements(choix, args.repetitions_taches)
    resultat = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "volumes": volumes(),
        "reference_ms": round(statistics.median(p["reference_ms"] for p in lignes_pages), 1),
        "pages": lignes_pages,
        "traitements": traitements,
        "machine": {
            "python": platform.python_version(),
            "systeme": platform.platform(),
            "processeurs": os.cpu_count(),
            "charge_debut": round(charge_debut, 1),
            "charge_fin": round(os.getloadavg()[0], 1),
        },
    }
    # Un sous-ensemble (--pages) n'écrase pas la référence versionnée, sauf --sortie explicite.
    sortie = args.sortie or (None if args.pages else RESULTATS)
    if sortie is not None:
        sortie.parent.mkdir(parents=True, exist_ok=True)
        sortie.write_text(json.dumps(resultat, ensure_ascii=False, indent=2) + "\n", "utf-8")
    texte = tableau(resultat)
    print(texte)
    if not (args.sans_readme or args.pages):
        ecrire_readme(texte)


if __name__ == "__main__":
    main()
