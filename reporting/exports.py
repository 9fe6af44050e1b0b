"""Exports CSV et XLSX (openpyxl) des rapports figés et des listes de dossiers du tableau
de bord. En-têtes français, vraies dates et vrais nombres (XLSX : cellules typées, format
jj/mm/aaaa ; CSV : point-virgule, dates jj/mm/aaaa et virgule décimale, comme les lit un
tableur français), ligne d'en-tête figée et filtre automatique, une ligne par élément
compté. Pseudonymisés par défaut : ni nom, ni coordonnées, ni identifiant France Travail
sans le droit « export nominatif » (perms.peut_exporter_nominatif). Une cellule de texte
qui commence par = + - @ (ou tabulation, retour chariot) est neutralisée par une
apostrophe : aucun tableur ne l'exécute comme une formule."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from dossiers.models import Axe, MotifSortie, NiveauQualification, StatutDossier

from .catalogue import TRANCHES_AGE, Indicateur, Mois, _ans_avant

DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")


def neutraliser(valeur):
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DANGEREUX):
        return "'" + valeur
    return valeur


def pseudonyme(uuid) -> str:
    """Référence stable d'un dossier, qui ne permet pas de le retrouver sans la clé du
    serveur (HMAC-SHA-256 de son identifiant)."""
    code = hmac.new(settings.SECRET_KEY.encode(), str(uuid).encode(), hashlib.sha256)
    return "P-" + code.hexdigest()[:12].upper()


# --- Écriture ------------------------------------------------------------------------------


def _texte_csv(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Oui" if v else "Non"
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float | Decimal):
        return f"{v}".replace(".", ",")
    return str(neutraliser(v))


def ecrire_csv(entetes: list[str], lignes) -> bytes:
    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    w.writerow(entetes)
    for ligne in lignes:
        w.writerow([_texte_csv(v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")  # BOM : Excel lit l'UTF-8


def ecrire_xlsx(titre: str, entetes: list[str], lignes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = titre[:31]
    ws.append(entetes)
    for cellule in ws[1]:
        cellule.font = Font(bold=True)
    n = 1
    for ligne in lignes:
        valeurs = []
        for v in ligne:
            if isinstance(v, bool):
                v = "Oui" if v else "Non"
            elif isinstance(v, Decimal):
                v = float(v)
            valeurs.append(neutraliser(v))
        ws.append(valeurs)
        n += 1
        for cellule in ws[n]:
            if isinstance(cellule.value, dt.datetime):
                cellule.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cellule.value, dt.date):
                cellule.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    dernier = get_column_letter(max(len(entetes), 1))
    ws.auto_filter.ref = f"A1:{dernier}{max(n, 1)}"
    for i, entete in enumerate(entetes, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(len(entete) + 4, 40))
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


# --- Contenu : liste de dossiers -------------------------------------------------------------

COLONNES_PSEUDONYMES = [
    "Référence (pseudonyme)",
    "Agence",
    "Territoire",
    "Axe de l'élément",
    "Date de l'élément",
    "Statut du dossier",
    "Orienté le",
    "Entré en accompagnement le",
    "Sorti le",
    "Motif de sortie",
    "Allocataire du RSA",
    "Sexe",
    "Tranche d'âge",
    "Niveau de qualification",
]
COLONNES_NOMINATIVES = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Courriel",
    "Téléphone",
    "Identifiant France Travail",
]


def _tranche(naissance: dt.date, mois: Mois) -> str:
    for (_, libelle), ans in zip(TRANCHES_AGE, (25, 35, 45, 55), strict=False):
        if naissance > _ans_avant(mois.fin, ans):
            return libelle
    return TRANCHES_AGE[-1][1]


def elements(ind: Indicateur, qs: QuerySet) -> QuerySet:
    """Les éléments comptés d'un indicateur avec leur dossier, personne et structures :
    une requête, quel que soit le nombre de lignes."""
    p = ind.prefixe
    return qs.select_related(f"{p}demandeur", f"{p}agence", f"{p}territoire").order_by(
        f"{p}demandeur__nom", "pk"
    )


def dossier_de(ind: Indicateur, objet):
    for morceau in ind.prefixe.split("__"):
        if morceau:
            objet = getattr(objet, morceau)
    return objet


def date_element(objet):
    for champ in ("date_debut", "date_cloture", "prescrite_le", "date_demande", "envoyee_le"):
        if (v := getattr(objet, champ, None)) is not None:
            return v.date() if isinstance(v, dt.datetime) else v
    return None


def lignes_de_liste(ind: Indicateur, qs: QuerySet, mois: Mois, nominatif: bool):
    axes, statuts = dict(Axe.choices), dict(StatutDossier.choices)
    motifs, niveaux = dict(MotifSortie.choices), dict(NiveauQualification.choices)
    for objet in elements(ind, qs).iterator(chunk_size=2000):
        d = dossier_de(ind, objet)
        p = d.demandeur
        axe = getattr(objet, "axe", None) or d.axe_courant
        ligne = [
            pseudonyme(d.uuid),
            d.agence.nom if d.agence else "",
            d.territoire.nom if d.territoire else "",
            axes.get(axe, ""),
            date_element(objet),
            statuts.get(d.statut, d.statut),
            d.date_orientation,
            d.date_entree,
            d.date_cloture,
            motifs.get(d.motif_sortie, ""),
            p.rsa_allocataire,
            "Femme" if p.civilite == "mme" else "Homme",
            _tranche(p.date_naissance, mois),
            niveaux.get(p.niveau_qualification, ""),
        ]
        if nominatif:
            ligne += [p.nom, p.prenom, p.date_naissance, p.email, p.telephone, p.identifiant_ft]
        yield ligne


def entetes_de_liste(nominatif: bool) -> list[str]:
    return COLONNES_PSEUDONYMES + (COLONNES_NOMINATIVES if nominatif else [])


# --- Contenu : rapport figé --------------------------------------------------------------------

COLONNES_RAPPORT = [
    "Mois",
    "Périmètre",
    "Version",
    "Famille",
    "Indicateur",
    "Ventilation",
    "Modalité",
    "Valeur",
    "Unité",
    "Mois précédent",
    "Même mois l'an dernier",
    "Définition",
]


def lignes_de_rapport(rapport):
    c = rapport.chiffres
    mois = rapport.mois
    libelle = c["perimetre"]["libelle"]
    for ind in c["indicateurs"].values():
        commun = [mois, libelle, rapport.version, ind["famille"], ind["libelle"]]
        yield [
            *commun,
            "Total",
            "",
            ind["valeur"],
            ind["unite"],
            ind["precedent"],
            ind["an_dernier"],
            ind["definition"],
        ]
        for vent in ind["ventilations"].values():
            for ligne in vent["lignes"]:
                yield [
                    *commun,
                    vent["libelle"],
                    ligne["libelle"],
                    ligne["valeur"],
                    ind["unite"],
                    None,
                    None,
                    "",
                ]
