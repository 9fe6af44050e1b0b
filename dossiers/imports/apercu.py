"""L'aperçu de l'import, analysé une fois et stocké (ticket #14).

L'analyse d'un fichier de 10 000 lignes prend deux secondes (lecture, conversion et
rapprochement de chaque ligne) : la page d'aperçu la refaisait à chaque page et à chaque
bascule « lignes en erreur ». Elle est désormais faite à la première visite de l'aperçu
après le choix de la correspondance, réduite à ce que la page montre (un JSON sous
MEDIA_ROOT/imports-apercus/<uuid>.json, à côté du fichier déposé et supprimé avec lui),
puis chaque page relit ce résumé. L'application refait l'analyse complète : les fiches ont
pu changer depuis l'aperçu."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.conf import settings

from dossiers.imports.champs import CHAMPS
from dossiers.imports.services import Action, Analyse, LigneAnalysee

VERSION = 1  # changer le format invalide les aperçus déjà stockés


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


@dataclass
class ApercuImport:
    """Ce que la page d'aperçu lit d'une `Analyse`, sous les mêmes noms."""

    nom_fichier: str
    libelle_encodage: str
    correspondance: dict[str, str]
    lignes: list[LigneApercu]

    def _avec(self, action: Action) -> list[LigneApercu]:
        return [ligne for ligne in self.lignes if ligne.action == action]

    @cached_property
    def creations(self) -> list[LigneApercu]:
        return self._avec(Action.CREATION)

    @cached_property
    def mises_a_jour(self) -> list[LigneApercu]:
        return self._avec(Action.MISE_A_JOUR)

    @cached_property
    def inchangees(self) -> list[LigneApercu]:
        return self._avec(Action.INCHANGE)

    @cached_property
    def en_erreur(self) -> list[LigneApercu]:
        return self._avec(Action.ERREUR)

    @cached_property
    def avec_avertissement(self) -> list[LigneApercu]:
        return [ligne for ligne in self.lignes if ligne.avertissements and not ligne.erreurs]

    @property
    def applicable(self) -> bool:
        return not self.en_erreur

    @property
    def nombre_valides(self) -> int:
        return len(self.lignes) - len(self.en_erreur)

    @property
    def applicable_en_partie(self) -> bool:
        return bool(self.en_erreur) and len(self.en_erreur) < len(self.lignes)


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
    return ApercuImport(
        nom_fichier=analyse.nom_fichier,
        libelle_encodage=analyse.libelle_encodage,
        correspondance=dict(analyse.correspondance),
        lignes=[_ligne(ligne) for ligne in analyse.lignes],
    )


# --- Stockage à côté du fichier déposé ---------------------------------------------------------


def _chemin(reference: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports-apercus" / f"{uuid.UUID(reference)}.json"


def conserver(reference: str, apercu: ApercuImport) -> None:
    chemin = _chemin(reference)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    donnees = {
        "version": VERSION,
        "nom_fichier": apercu.nom_fichier,
        "libelle_encodage": apercu.libelle_encodage,
        "correspondance": apercu.correspondance,
        # Une liste par ligne, dans l'ordre des champs : deux fois plus court qu'un objet.
        "lignes": [
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
        ],
    }
    temporaire = chemin.with_suffix(".tmp")
    temporaire.write_text(json.dumps(donnees, ensure_ascii=False, separators=(",", ":")))
    temporaire.chmod(0o600)
    temporaire.replace(chemin)


def relire(reference: str, correspondance: dict[str, str]) -> ApercuImport | None:
    """L'aperçu stocké pour ce fichier et cette correspondance, ou None (jamais analysé,
    correspondance changée depuis, format ancien, fichier purgé)."""
    try:
        donnees = json.loads(_chemin(reference).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if donnees.get("version") != VERSION or donnees.get("correspondance") != correspondance:
        return None
    return ApercuImport(
        nom_fichier=donnees["nom_fichier"],
        libelle_encodage=donnees["libelle_encodage"],
        correspondance=donnees["correspondance"],
        lignes=[LigneApercu(*valeurs) for valeurs in donnees["lignes"]],
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
