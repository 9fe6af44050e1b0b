"""Lectures du tableau de bord de l'animatrice et des rapports mensuels : tout est déjà
restreint au département du lecteur ; le nombre de requêtes ne dépend pas du volume."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accompagnement.models import Membership, Structure, TypeStructure

from . import files, mensuel, perms
from .catalogue import PAR_CLE, TRANCHES_AGE, TUILES, Indicateur, Mois, Perimetre
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


def tuiles(departement, filtres: Filtres) -> list[Tuile]:
    """Les tuiles du mois (deux requêtes chacune : le mois et le précédent)."""
    p = filtres.perimetre(departement)
    sortie = []
    for ind in TUILES:
        v = ind.calculer(p, filtres.mois, filtres.axe or None)
        avant = ind.calculer(p, filtres.mois.precedent, filtres.axe or None)
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


def graphiques(departement, filtres: Filtres) -> list[dict]:
    """Les séries sur 12 mois des indicateurs des graphiques (12 requêtes chacun)."""
    p = filtres.perimetre(departement)
    chiffres = {"indicateurs": {}, "series": {}}
    for cle in mensuel.GRAPHIQUES:
        ind = PAR_CLE[cle]
        chiffres["indicateurs"][cle] = {"libelle": ind.libelle, "unite": ind.unite}
        chiffres["series"][cle] = [
            [str(m), m.libelle, ind.calculer(p, m, filtres.axe or None)]
            for m in mensuel.douze_mois(filtres.mois)
        ]
    return mensuel.graphiques(chiffres)


def files_comptees(membership: Membership) -> list[tuple]:
    """Les files de travail de l'animatrice, avec leur nombre (une requête chacune)."""
    return [(f, f.requete(membership).count()) for f in files.files_du_role(membership)]


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
