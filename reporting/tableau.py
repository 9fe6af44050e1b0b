"""Lectures du tableau de bord de l'animatrice et des rapports mensuels : tout est déjà
restreint au département du lecteur ; le nombre de requêtes ne dépend pas du volume."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from accompagnement.models import Membership, Structure, TypeStructure

from . import files, mensuel, perms
from .catalogue import (
    PAR_CLE,
    TRANCHES_AGE,
    TUILES,
    Indicateur,
    Mois,
    Perimetre,
    valeurs_par_mois,
)
from .models import RapportMensuel


@dataclass
class Filtres:
    mois: Mois
    territoire: Structure | None = None
    agence: Structure | None = None
    axe: str = ""

    @property
    def perimetre_args(self) -> tuple:
        return tuple(s for s in (self.territoire, self.agence) if s)

    def perimetre(self, departement) -> Perimetre:
        structures = self.perimetre_args
        return (
            Perimetre(departement, structures[0], structures[1:])
            if structures
            else Perimetre(departement)
        )

    def requete(self, **plus) -> str:
        from django.utils.http import urlencode

        d = {
            "mois": str(self.mois),
            "territoire": self.territoire.pk if self.territoire else "",
            "agence": self.agence.pk if self.agence else "",
            "axe": self.axe,
            **plus,
        }
        return urlencode({k: v for k, v in d.items() if v not in ("", None)})


def mois_par_defaut() -> Mois:
    """Le dernier mois complet."""
    return Mois.de(timezone.localdate()).precedent


def structures_du_departement(departement) -> dict[str, list[Structure]]:
    qs = Structure.objects.filter(
        departement=departement, type__in=[TypeStructure.TERRITOIRE_SOCIAL, TypeStructure.AGENCE_FT]
    ).order_by("nom")
    out = {"territoires": [], "agences": []}
    for s in qs:
        out["territoires" if s.type == TypeStructure.TERRITOIRE_SOCIAL else "agences"].append(s)
    return out


@dataclass
class Tuile:
    indicateur: Indicateur
    valeur: int | float | None
    precedent: int | float | None
    texte: str
    evolution: str
    requete: str


@dataclass
class Chiffres:
    """Les valeurs que montrent les tuiles et les graphiques : {(clé, mois): valeur}, et le
    rapport figé d'où elles viennent ({"uuid", "version", "genere_le"}), ou None si elles
    sont calculées à l'instant."""

    valeurs: dict
    rapport: dict | None = None


def _demandes(filtres: Filtres, avec_graphiques: bool) -> list[tuple[Indicateur, Mois]]:
    demandes = [(ind, m) for ind in TUILES for m in (filtres.mois, filtres.mois.precedent)]
    if avec_graphiques:
        demandes += [
            (PAR_CLE[cle], m)
            for cle in mensuel.GRAPHIQUES
            for m in mensuel.douze_mois(filtres.mois)
        ]
    return demandes


def _lire_rapport_fige(departement, filtres: Filtres) -> Chiffres | None:
    """Les chiffres publiés du mois choisi, lus dans la version courante de son rapport
    figé (une requête, seulement les valeurs, les mois précédents et les séries : pas les
    ventilations) : pour un mois complet, sur un périmètre qui a ses rapports (le
    département, un territoire ou une agence, tous les axes). None sinon (mois en cours,
    filtre d'axe, territoire et agence ensemble, pas de rapport, indicateur absent du
    rapport)."""
    structures = filtres.perimetre_args
    if filtres.axe or len(structures) > 1 or filtres.mois >= Mois.de(timezone.localdate()):
        return None
    cle = RapportMensuel.cle_de(departement.pk, structures[0].pk if structures else None)
    # Le jsonb des chiffres (ventilations comprises : des centaines de Ko pour un
    # département) est décompressé à chaque accès : deux accès, filtrés dans la base.
    with connection.cursor() as c:
        c.execute(
            """SELECT r.uuid, r.version, r.genere_le,
                      (SELECT jsonb_object_agg(
                                  e.key, jsonb_build_array(e.value -> 'valeur',
                                                           e.value -> 'precedent'))
                         FROM jsonb_each(r.chiffres -> 'indicateurs') AS e
                        WHERE e.key = ANY(%s)),
                      r.chiffres -> 'series'
                 FROM reporting_rapportmensuel r
                WHERE r.cle_perimetre = %s AND r.mois = %s
                ORDER BY r.version DESC
                LIMIT 1""",
            [[ind.cle for ind in TUILES], cle, filtres.mois.debut],
        )
        ligne = c.fetchone()
    if ligne is None:
        return None
    uuid, version, genere_le, *json_lus = ligne
    # jsonb relu en texte par le pilote (Django décode lui-même ses JSONField)
    lues, series = (json.loads(j) if isinstance(j, str) else j for j in json_lus)
    lues, series = lues or {}, series or {}
    valeurs = {}
    for ind in TUILES:
        if ind.cle not in lues:
            return None  # indicateur absent du rapport (ajouté au catalogue depuis)
        v, avant = lues[ind.cle]
        valeurs[ind.cle, filtres.mois] = v
        valeurs[ind.cle, filtres.mois.precedent] = avant
    for cle in mensuel.GRAPHIQUES:
        if cle not in series:
            return None
        for mois, _libelle, v in series[cle]:
            valeurs.setdefault((cle, Mois.depuis_texte(mois)), v)
    rapport = {"uuid": uuid, "version": version, "genere_le": genere_le}
    return Chiffres(valeurs, rapport)


def chiffres(
    departement, filtres: Filtres, *, avec_graphiques: bool = True, figes: bool = True
) -> Chiffres:
    """Les valeurs des tuiles (le mois et le précédent) et, si demandé, des graphiques (les
    12 mois). Un mois complet déjà figé se lit dans son rapport (`_lire_rapport_fige` :
    les chiffres publiés, une requête). Sinon, calcul à l'instant : les indicateurs de
    même source ensemble, tous leurs mois en une requête (`catalogue.valeurs_par_mois`) —
    deux requêtes pour toute la page (les périodes, les dossiers) au lieu d'une par
    indicateur et par mois."""
    if figes:
        lu = _lire_rapport_fige(departement, filtres)
        if lu is not None:
            return lu
    return Chiffres(
        valeurs_par_mois(
            _demandes(filtres, avec_graphiques),
            filtres.perimetre(departement),
            filtres.axe or None,
        )
    )


def chiffre_publie(departement, filtres: Filtres, ind: Indicateur) -> dict | None:
    """Pour la liste d'une tuile : le chiffre publié du mois dans son rapport figé
    ({"valeur", "uuid", "version", "genere_le"}), ou None si la tuile est calculée à
    l'instant (une requête)."""
    lu = _lire_rapport_fige(departement, filtres)
    if lu is None:
        return None
    return {"valeur": lu.valeurs[ind.cle, filtres.mois], **lu.rapport}


def tuiles(departement, filtres: Filtres, donnees: Chiffres | None = None) -> list[Tuile]:
    """Les tuiles du mois, avec le mois précédent (`donnees` : celles de `chiffres`)."""
    if donnees is None:
        donnees = chiffres(departement, filtres, avec_graphiques=False)
    sortie = []
    for ind in TUILES:
        v = donnees.valeurs[ind.cle, filtres.mois]
        avant = donnees.valeurs[ind.cle, filtres.mois.precedent]
        sortie.append(
            Tuile(
                ind,
                v,
                avant,
                mensuel.nombre_fr(v, ind.unite),
                mensuel.evolution(v, avant, ind.unite),
                filtres.requete(indicateur=ind.cle),
            )
        )
    return sortie


def graphiques(departement, filtres: Filtres, donnees: Chiffres | None = None) -> list[dict]:
    """Les séries sur 12 mois des indicateurs des graphiques (`donnees` : celles de
    `chiffres`)."""
    if donnees is None:
        donnees = chiffres(departement, filtres)
    series = {"indicateurs": {}, "series": {}}
    for cle in mensuel.GRAPHIQUES:
        ind = PAR_CLE[cle]
        series["indicateurs"][cle] = {"libelle": ind.libelle, "unite": ind.unite}
        series["series"][cle] = [
            [str(m), m.libelle, donnees.valeurs[cle, m]] for m in mensuel.douze_mois(filtres.mois)
        ]
    return mensuel.graphiques(series)


def files_comptees(membership: Membership) -> list[files.FileRemplie]:
    """Les files de travail de l'animatrice, avec leur nombre borné comme sur « Aujourd'hui »
    (« plus de 1 000 » au-delà, décision 71), comptées ensemble en une requête
    (`files.compter_ensemble`, décision 95)."""
    du_role = files.files_du_role(membership)
    totaux = files.compter_ensemble([(f.requete(membership), f.compte_trie) for f in du_role])
    return [files.FileRemplie(f, total, []) for f, total in zip(du_role, totaux, strict=True)]


def liste(departement, filtres: Filtres, ind: Indicateur) -> QuerySet:
    """Les éléments que compte la tuile, pour les mêmes filtres : le nombre de la tuile est
    le nombre de lignes de cette liste."""
    return ind.unites(filtres.perimetre(departement), filtres.mois, filtres.axe or None)


def rapports_lisibles(membership: Membership) -> QuerySet:
    """Les rapports figés qu'un rattachement lit (perms.perimetres_de_rapport), sans les
    chiffres ni le PDF (chargés seulement au téléchargement)."""
    niveau = perms.perimetres_de_rapport(membership)
    if niveau is None:
        return RapportMensuel.objects.none()
    qs = RapportMensuel.objects.filter(departement_id=membership.structure.departement_id)
    if niveau == "territoire":
        qs = qs.filter(structure=membership.structure)
    return qs.select_related("structure", "genere_par").defer("pdf", "chiffres")


def versions_courantes(rapports) -> set[int]:
    """Les identifiants des versions courantes parmi les rapports donnés (une requête)."""
    cles = {(r.cle_perimetre, r.mois) for r in rapports}
    if not cles:
        return set()
    qs = RapportMensuel.objects.filter(
        cle_perimetre__in={c for c, _ in cles}, mois__in={m for _, m in cles}
    ).courants()
    return set(qs.values_list("pk", flat=True))


def page_de_rapport(rapport: RapportMensuel, cle_choisie: str) -> dict:
    """Ce que montre la page d'un rapport figé, tiré de ses seuls chiffres : familles et
    comparaisons, graphiques, ventilations de l'indicateur choisi (la file active par
    défaut) avec leur total, et les versions du même périmètre et du même mois (une
    requête)."""
    chiffres = rapport.chiffres
    vue = mensuel.presentation(chiffres)
    indicateurs = chiffres["indicateurs"]
    if cle_choisie not in indicateurs:
        cle_choisie = "file_active" if "file_active" in indicateurs else next(iter(indicateurs))
    choisi = next(i for f in vue["familles"].values() for i in f if i["cle"] == cle_choisie)
    ind = PAR_CLE.get(cle_choisie)
    additif = ind.additif if ind else False
    ventilations = []
    # Dans l'ordre des dimensions de l'indicateur (le jsonb range les clés à sa façon), les
    # tranches d'âge de la plus jeune à la plus âgée.
    ordre = list(ind.dimensions()) if ind else []
    rang_age = {code: i for i, (code, _l) in enumerate(TRANCHES_AGE)}
    for cle, v in sorted(
        choisi["ventilations"].items(),
        key=lambda c: ordre.index(c[0]) if c[0] in ordre else len(ordre),
    ):
        source = v["lignes"]
        if cle == "tranche_age":
            source = sorted(source, key=lambda ligne: rang_age.get(ligne["cle"], len(rang_age)))
        lignes = [
            {**ligne, "texte": mensuel.nombre_fr(ligne["valeur"], choisi["unite"])}
            for ligne in source
        ]
        total = sum(ligne["valeur"] or 0 for ligne in v["lignes"]) if additif else None
        ventilations.append(
            {
                "cle": cle,
                "libelle": v["libelle"],
                "lignes": lignes,
                "total": None if total is None else mensuel.nombre_fr(total, choisi["unite"]),
                "replie": cle in mensuel.VENTILATIONS_PAR_PROFESSIONNEL or len(lignes) > 30,
            }
        )
    versions = list(
        RapportMensuel.objects.filter(cle_perimetre=rapport.cle_perimetre, mois=rapport.mois)
        .order_by("version")
        .values("uuid", "version", "motif", "genere_le")
    )
    courante = versions[-1] if versions else None
    return {
        "vue": vue,
        "choisi": choisi,
        "ventilations": ventilations,
        "additif": additif,
        "versions": versions,
        "courante": courante,
        "est_courante": courante is not None and courante["uuid"] == rapport.uuid,
        "choix_indicateurs": [
            (i["cle"], i["libelle"], famille)
            for famille, liste in vue["familles"].items()
            for i in liste
        ],
    }
