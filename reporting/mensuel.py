"""Le contenu d'un rapport mensuel : les chiffres à figer (catalogue), leurs comparaisons
(mois précédent, même mois l'an dernier), les séries sur 12 mois et les graphiques SVG
écrits côté serveur, identiques dans la page et dans le PDF (WeasyPrint lit le SVG en
ligne)."""

from __future__ import annotations

import json

from django.utils.html import escape
from django.utils.safestring import mark_safe

from accompagnement.models import Departement, Structure, TypeStructure

from .catalogue import CATALOGUE, PAR_CLE, Mois, Perimetre
from .models import RapportMensuel

# Les chiffres clés (tuiles, page 1 du PDF) et les graphiques sur 12 mois.
CLES_PRINCIPALES = [
    "file_active",
    "entrees",
    "sorties_axe",
    "sorties",
    "taux_sorties_positives",
    "part_entree_21_jours",
]
GRAPHIQUES = ["file_active", "entrees", "sorties"]
VENTILATIONS_PAR_PROFESSIONNEL = ("conseiller_dedie", "travailleur_social")
ABREVIATIONS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def perimetres(departement: Departement) -> list[Perimetre]:
    """Le département, puis chacun de ses territoires et de ses agences actifs."""
    structures = Structure.objects.filter(
        departement=departement,
        actif=True,
        type__in=[TypeStructure.TERRITOIRE_SOCIAL, TypeStructure.AGENCE_FT],
    ).order_by("type", "nom")
    return [Perimetre(departement)] + [Perimetre(departement, s) for s in structures]


def douze_mois(mois: Mois) -> list[Mois]:
    serie, m = [], mois
    for _ in range(12):
        serie.append(m)
        m = m.precedent
    return serie[::-1]


def _portee(perimetre: Perimetre):
    return None if perimetre.structure is None else (perimetre.niveau, perimetre.structure.pk)


def valeurs_figees(departement: Departement, mois: Mois) -> dict[str, tuple]:
    """Les valeurs publiées des rapports déjà figés du mois (version courante de chaque
    périmètre), en une requête : {clé du périmètre: (valeurs du mois, valeurs de ses
    séries sur 12 mois)}, chacune {(mois, indicateur): valeur}."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """SELECT DISTINCT ON (r.cle_perimetre) r.cle_perimetre,
                      (SELECT jsonb_object_agg(e.key, e.value -> 'valeur')
                         FROM jsonb_each(r.chiffres -> 'indicateurs') AS e),
                      r.chiffres -> 'series'
                 FROM reporting_rapportmensuel r
                WHERE r.departement_id = %s AND r.mois = %s
                ORDER BY r.cle_perimetre, r.version DESC""",
            [departement.pk, mois.debut],
        )
        sortie = {}
        for cle, *json_lus in c.fetchall():
            # jsonb relu en texte par le pilote (Django décode lui-même ses JSONField)
            valeurs, series = (json.loads(j) if isinstance(j, str) else j for j in json_lus)
            de_la_serie = {
                (Mois.depuis_texte(m), indicateur): v
                for indicateur, serie in (series or {}).items()
                for m, _libelle, v in serie
            }
            sortie[cle] = ({(mois, k): v for k, v in (valeurs or {}).items()}, de_la_serie)
        return sortie


def figer_plusieurs(perimetres: list[Perimetre], mois: Mois) -> dict:
    """Les chiffres de plusieurs périmètres d'un même département pour le mois :
    {id de la structure (None pour le département): chiffres}. Une requête par indicateur
    pour tous les périmètres et toutes les ventilations (reporting/groupe.py) ; les mois de
    comparaison et des séries sont relus dans les rapports déjà figés quand ils existent,
    sinon une requête par indicateur et par mois pour tous les périmètres."""
    from . import groupe

    departement = perimetres[0].departement
    if len(perimetres) == 1:
        base, niveaux = perimetres[0], ()
        portee = {perimetres[0]: None}
    else:
        base = Perimetre(departement)
        niveaux = tuple(
            n for n in ("territoire", "agence") if any(p.niveau == n for p in perimetres)
        )
        portee = {p: _portee(p) for p in perimetres}
    cles = {
        p: RapportMensuel.cle_de(departement.pk, p.structure.pk if p.structure else None)
        for p in perimetres
    }
    cache: dict = {}
    du_mois = {ind.cle: groupe.calculer(ind, base, mois, niveaux, cache) for ind in CATALOGUE}
    # Valeurs des autres mois : {(mois, indicateur): {périmètre: valeur}}
    besoins: dict[Mois, list] = {}
    for m in (mois.precedent, mois.an_dernier):
        besoins[m] = [ind.cle for ind in CATALOGUE]
    for m in douze_mois(mois):
        if m != mois:
            besoins.setdefault(m, [])
            besoins[m] += [c for c in GRAPHIQUES if c not in besoins[m]]
    # Chiffres publiés : ceux des rapports figés de chaque mois, et les séries du rapport
    # du mois précédent (qui couvrent les 11 mois d'avant).
    publies: dict = {}
    series_publiees: dict = {}
    for m in besoins:
        for cle_p, (valeurs, de_la_serie) in valeurs_figees(departement, m).items():
            publies.setdefault(cle_p, {}).update(valeurs)
            series_publiees.setdefault(cle_p, {}).update(de_la_serie)
    for cle_p, valeurs in series_publiees.items():
        for k, v in valeurs.items():
            publies.setdefault(cle_p, {}).setdefault(k, v)
    autres: dict = {}
    for m, indicateurs in besoins.items():
        for cle in indicateurs:
            ind = PAR_CLE[cle]
            lu = {
                p: publies[cles[p]][m, cle]
                for p in perimetres
                if (m, cle) in publies.get(cles[p], {})
            }
            if len(lu) < len(perimetres):
                calcule = groupe.totaux(ind, base, m, niveaux)
                vide = groupe.valeur_vide(ind, m)
                lu = {p: lu[p] if p in lu else calcule.get(portee[p], vide) for p in perimetres}
            autres[m, cle] = lu

    def chiffres_de(p: Perimetre) -> dict:
        indicateurs = {}
        for ind in CATALOGUE:
            calcul = du_mois[ind.cle].get(portee[p])
            dims = ind.dimensions()
            indicateurs[ind.cle] = {
                "libelle": ind.libelle,
                "famille": ind.famille,
                "definition": ind.definition,
                "unite": ind.unite,
                "valeur": calcul["valeur"] if calcul else groupe.valeur_vide(ind, mois),
                "precedent": autres[mois.precedent, ind.cle][p],
                "an_dernier": autres[mois.an_dernier, ind.cle][p],
                "ventilations": {
                    cle: {
                        "libelle": dim.libelle,
                        "lignes": calcul["ventilations"].get(cle, []) if calcul else [],
                    }
                    for cle, dim in dims.items()
                },
            }
        series = {
            cle: [
                [
                    str(m),
                    m.libelle,
                    indicateurs[cle]["valeur"] if m == mois else autres[m, cle][p],
                ]
                for m in douze_mois(mois)
            ]
            for cle in GRAPHIQUES
        }
        return {
            "mois": str(mois),
            "mois_libelle": mois.libelle,
            "perimetre": {
                "niveau": p.niveau,
                "libelle": p.libelle,
                "departement": str(p.departement),
            },
            "indicateurs": indicateurs,
            "series": series,
        }

    return {p.structure.pk if p.structure else None: chiffres_de(p) for p in perimetres}


def figer(perimetre: Perimetre, mois: Mois) -> dict:
    """Tout ce que le rapport montre, en données simples (JSON) : rien n'est relu dans les
    dossiers à l'affichage."""
    return figer_plusieurs([perimetre], mois)[
        perimetre.structure.pk if perimetre.structure else None
    ]


# --- Affichage ---------------------------------------------------------------------------


def nombre_fr(valeur, unite: str = "") -> str:
    """1234.5 → « 1 234,5 » (espace fine insécable), avec l'unité ; « — » sans valeur."""
    if valeur is None:
        return "—"
    if isinstance(valeur, float) and not valeur.is_integer():
        texte = f"{valeur:,.2f}" if unite == "€" else f"{valeur:,.1f}"
    else:
        texte = f"{int(valeur):,}" if unite != "€" else f"{valeur:,.2f}"
    texte = texte.replace(",", "\u202f").replace(".", ",")
    suffixe = {"%": "\u00a0%", "€": "\u00a0€", "jours": "\u00a0j"}.get(unite, "")
    return texte + suffixe


def evolution(valeur, reference, unite: str = "") -> str:
    """Écart au mois de référence ; pour un taux, en points."""
    if valeur is None or reference is None:
        return "—"
    ecart = round(valeur - reference, 1)
    if ecart == 0:
        return "stable"
    signe = "+" if ecart > 0 else "−"
    return f"{signe}{nombre_fr(abs(ecart))}" + ("\u00a0pt" if unite == "%" else "")


def graphique_barres(serie: list, titre: str, unite: str = "") -> str:
    """Un histogramme SVG de la série [[clé, libellé, valeur], …] : barres, valeurs et mois
    abrégés en texte. Dessiné à la main (pas de script, pas de style en ligne : compatible
    avec la politique de sécurité du contenu et avec WeasyPrint)."""
    largeur, hauteur, marge_bas, marge_haut = 600, 270, 50, 26
    n = max(len(serie), 1)
    pas = largeur / n
    valeurs = [v or 0 for _, _, v in serie]
    maximum = max([*valeurs, 1])
    utile = hauteur - marge_bas - marge_haut
    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" '
        f'width="100%" role="img" aria-labelledby="t-{escape(titre)[:20]}" class="graphique">',
        f"<title>{escape(titre)}</title>",
        f'<line x1="0" y1="{hauteur - marge_bas}" x2="{largeur}" y2="{hauteur - marge_bas}" '
        'stroke="#6a6a6a" stroke-width="1"/>',
    ]
    for i, (cle, _libelle, v) in enumerate(serie):
        h = utile * (v or 0) / maximum
        x = i * pas + pas * 0.15
        y = hauteur - marge_bas - h
        morceaux.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{pas * 0.7:.1f}" height="{h:.1f}" '
            'fill="#000091"/>'
        )
        morceaux.append(
            f'<text x="{x + pas * 0.35:.1f}" y="{y - 5:.1f}" font-size="17" '
            f'text-anchor="middle" fill="#161616">{escape(nombre_fr(v, unite))}</text>'
        )
        annee, numero = cle.split("-")
        court = ABREVIATIONS[int(numero) - 1]
        for ligne, texte in ((hauteur - 28, court), (hauteur - 8, annee[2:])):
            morceaux.append(
                f'<text x="{x + pas * 0.35:.1f}" y="{ligne}" font-size="16" '
                f'text-anchor="middle" fill="#3a3a3a">{escape(texte)}</text>'
            )
    morceaux.append("</svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 — chaque texte est échappé ci-dessus


def graphiques(chiffres: dict) -> list[dict]:
    """Les graphiques d'un rapport figé, chacun avec son tableau de données."""
    sortie = []
    series = chiffres.get("series", {})
    ordre = [c for c in GRAPHIQUES if c in series] + [c for c in series if c not in GRAPHIQUES]
    for cle in ordre:
        serie = series[cle]
        ind = chiffres["indicateurs"][cle]
        titre = f"{ind['libelle']} — 12 derniers mois"
        sortie.append(
            {
                "cle": cle,
                "titre": titre,
                "svg": graphique_barres(serie, titre, ind["unite"]),
                "lignes": [(libelle, nombre_fr(v, ind["unite"])) for _, libelle, v in serie],
            }
        )
    return sortie


def presentation(chiffres: dict) -> dict:
    """Le rapport figé prêt pour un gabarit : familles d'indicateurs, valeurs formatées,
    comparaisons, graphiques."""
    familles: dict[str, list] = {}
    # Dans l'ordre du catalogue (le jsonb range les clés à sa façon) ; les indicateurs
    # disparus du catalogue depuis le calcul viennent après.
    ordre = {ind.cle: i for i, ind in enumerate(CATALOGUE)}
    rangees = sorted(chiffres["indicateurs"].items(), key=lambda c: ordre.get(c[0], len(ordre)))
    for cle, ind in rangees:
        u = ind["unite"]
        familles.setdefault(ind["famille"], []).append(
            {
                "cle": cle,
                **ind,
                "texte": nombre_fr(ind["valeur"], u),
                "texte_precedent": nombre_fr(ind["precedent"], u),
                "texte_an_dernier": nombre_fr(ind["an_dernier"], u),
                "evolution": evolution(ind["valeur"], ind["precedent"], u),
                "evolution_an": evolution(ind["valeur"], ind["an_dernier"], u),
            }
        )
    principaux = [
        next(i for f in familles.values() for i in f if i["cle"] == cle)
        for cle in CLES_PRINCIPALES
        if cle in chiffres["indicateurs"]
    ]
    # Le PDF ventile la file active par structure et par profil ; la ventilation par
    # professionnel (des centaines de lignes pour un département) reste dans la page du
    # rapport et ses exports CSV et XLSX : le PDF n'en donne que le nombre de lignes.
    file_active = chiffres["indicateurs"].get("file_active", {}).get("ventilations", {})
    return {
        "familles": familles,
        "principaux": principaux,
        "graphiques": graphiques(chiffres),
        "ventilations_pdf": [
            v for cle, v in file_active.items() if cle not in VENTILATIONS_PAR_PROFESSIONNEL
        ],
        "ventilations_par_professionnel": [
            (v["libelle"], len(v["lignes"]))
            for cle, v in file_active.items()
            if cle in VENTILATIONS_PAR_PROFESSIONNEL
        ],
    }
