"""L'aperçu de l'import, analysé une fois et stocké (ticket #14).

L'analyse d'un fichier de 10 000 lignes prend deux secondes (lecture, conversion et
rapprochement de chaque ligne) : la page d'aperçu la refaisait à chaque page et à chaque
bascule « lignes en erreur ». Elle est désormais faite à la première visite de l'aperçu
après le choix de la correspondance, réduite à ce que la page montre (sous
MEDIA_ROOT/imports-apercus/<uuid>.json, une ligne JSON par ligne du tableur, à côté du
fichier déposé et supprimé avec lui), puis chaque page relit ce résumé et n'en décode que
ses cent lignes. L'application refait l'analyse complète : les fiches ont
pu changer depuis l'aperçu."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.conf import settings

from dossiers.imports.champs import CHAMPS
from dossiers.imports.services import Action, Analyse, LigneAnalysee, LignesParAction

VERSION = 2  # changer le format invalide les aperçus déjà stockés


@dataclass
class LigneApercu:
    numero: int
    personne: str
    date_naissance: str
    identifiant_ft: str
    action: str
    detail: str
    erreurs: list[str] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)


class LignesStockees(Sequence):
    """Des lignes de l'aperçu stocké, décodées à la demande : une page n'en lit que cent
    (le fichier garde une ligne JSON par ligne du tableur)."""

    def __init__(self, brutes: list[str], indices: list[int] | None = None):
        self.brutes = brutes
        self.indices = indices

    def __len__(self) -> int:
        return len(self.brutes) if self.indices is None else len(self.indices)

    def _une(self, position: int) -> LigneApercu:
        rang = position if self.indices is None else self.indices[position]
        return LigneApercu(*json.loads(self.brutes[rang]))

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self._une(i) for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._une(position)


@dataclass
class ApercuImport(LignesParAction):
    """Ce que la page d'aperçu lit d'une `Analyse`, sous les mêmes noms : des séquences
    de lignes (longueur sans décodage, lignes décodées à la demande)."""

    nom_fichier: str
    libelle_encodage: str
    correspondance: dict[str, str]
    lignes: Sequence[LigneApercu]
    par_action: dict[str, list[int]] = field(default_factory=dict)
    avertis: list[int] = field(default_factory=list)

    def _avec(self, action: Action) -> Sequence[LigneApercu]:
        indices = self.par_action.get(str(action), [])
        if isinstance(self.lignes, LignesStockees):
            return LignesStockees(self.lignes.brutes, indices)
        return [self.lignes[i] for i in indices]

    @cached_property
    def avec_avertissement(self) -> list[LigneApercu]:
        return [self.lignes[i] for i in self.avertis]


def _detail(ligne: LigneAnalysee) -> str:
    if ligne.erreurs:
        return ""
    if ligne.existant is None:
        return "Nouvelle fiche"
    return ", ".join(CHAMPS[c].libelle for c in ligne.changements) or "Déjà à jour"


def _ligne(ligne: LigneAnalysee) -> LigneApercu:
    naissance = ligne.valeurs.get("date_naissance")
    return LigneApercu(
        numero=ligne.numero,
        personne=f"{ligne.brut.get('nom', '').upper()} {ligne.brut.get('prenom', '')}".strip(),
        date_naissance=(
            f"{naissance:%d/%m/%Y}" if naissance else ligne.brut.get("date_naissance", "")
        ),
        identifiant_ft=ligne.brut.get("identifiant_ft", ""),
        action=str(ligne.action),
        detail=_detail(ligne),
        erreurs=list(ligne.erreurs),
        avertissements=[] if ligne.erreurs else list(ligne.avertissements),
    )


def resumer(analyse: Analyse) -> ApercuImport:
    lignes = [_ligne(ligne) for ligne in analyse.lignes]
    par_action: dict[str, list[int]] = {}
    for rang, ligne in enumerate(lignes):
        par_action.setdefault(ligne.action, []).append(rang)
    return ApercuImport(
        nom_fichier=analyse.nom_fichier,
        libelle_encodage=analyse.libelle_encodage,
        correspondance=dict(analyse.correspondance),
        lignes=lignes,
        par_action=par_action,
        avertis=[rang for rang, ligne in enumerate(lignes) if ligne.avertissements],
    )


# --- Stockage à côté du fichier déposé ---------------------------------------------------------


def _chemin(reference: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports-apercus" / f"{uuid.UUID(reference)}.json"


def conserver(reference: str, apercu: ApercuImport) -> None:
    """Une première ligne JSON (en-tête : fichier, correspondance, rangs des lignes par
    résultat), puis une ligne JSON par ligne du tableur, dans l'ordre des champs."""
    chemin = _chemin(reference)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    entete = {
        "version": VERSION,
        "nom_fichier": apercu.nom_fichier,
        "libelle_encodage": apercu.libelle_encodage,
        "correspondance": apercu.correspondance,
        "par_action": apercu.par_action,
        "avertis": apercu.avertis,
    }
    lignes = [entete] + [
        [
            ligne.numero,
            ligne.personne,
            ligne.date_naissance,
            ligne.identifiant_ft,
            ligne.action,
            ligne.detail,
            ligne.erreurs,
            ligne.avertissements,
        ]
        for ligne in apercu.lignes
    ]
    temporaire = chemin.with_suffix(".tmp")
    temporaire.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in lignes)
    )
    temporaire.chmod(0o600)
    temporaire.replace(chemin)


def relire(reference: str, correspondance: dict[str, str]) -> ApercuImport | None:
    """L'aperçu stocké pour ce fichier et cette correspondance, ou None (jamais analysé,
    correspondance changée depuis, format ancien, fichier purgé). Seul l'en-tête est
    décodé ici ; les lignes le sont page par page."""
    try:
        entete, *brutes = _chemin(reference).read_text().split("\n")
        donnees = json.loads(entete)
    except (FileNotFoundError, ValueError):
        return None
    if donnees.get("version") != VERSION or donnees.get("correspondance") != correspondance:
        return None
    return ApercuImport(
        nom_fichier=donnees["nom_fichier"],
        libelle_encodage=donnees["libelle_encodage"],
        correspondance=donnees["correspondance"],
        lignes=LignesStockees(brutes),
        par_action=donnees["par_action"],
        avertis=donnees["avertis"],
    )


def supprimer(reference: str | None) -> None:
    if reference:
        with contextlib.suppress(ValueError):  # référence altérée : rien à supprimer
            _chemin(reference).unlink(missing_ok=True)


def purger_anciens(age: int) -> int:
    dossier = Path(settings.MEDIA_ROOT) / "imports-apercus"
    if not dossier.is_dir():
        return 0
    limite, supprimes = time.time() - age, 0
    for chemin in dossier.iterdir():
        if chemin.is_file() and chemin.stat().st_mtime < limite:
            chemin.unlink(missing_ok=True)
            supprimes += 1
    return supprimes
