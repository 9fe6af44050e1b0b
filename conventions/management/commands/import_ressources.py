"""Import de la base de ressources sociales d'un département depuis un export
data·inclusion v1 (JSON ou CSV). Voir docs/ressources-sociales.md.

À blanc par défaut : valide le fichier, rapproche chaque structure et chaque service de la
base et affiche ce qui serait créé, mis à jour, inchangé ou rejeté, sans rien écrire.
`--wet-run` écrit. Une seule ligne rejetée et rien n'est écrit, sauf avec
`--accepter-partiel` (les lignes valides sont écrites, chaque rejet est rapporté).

    python manage.py import_ressources export.json --departement 25
    python manage.py import_ressources services.csv --departement 25 --wet-run
    python manage.py import_ressources export.json --departement 25 --wet-run --accepter-partiel
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accompagnement.exceptions import ErreurMetier
from accompagnement.models import Departement
from conventions.imports import ErreurFichier, Genre, analyser, appliquer, lire_flux

LARGEUR_BARRE = 30
REJETS_AFFICHES = 50  # au-delà, -v 2 pour tout voir


class Command(BaseCommand):
    help = "Importe des ressources sociales data·inclusion v1 (à blanc sauf --wet-run)."

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="export data·inclusion : .json ou .csv")
        parser.add_argument(
            "--departement", required=True, help="code INSEE du département (ex. 25, 2A)"
        )
        parser.add_argument(
            "--accepter-partiel",
            action="store_true",
            help="écrit les lignes valides même si d'autres sont rejetées",
        )
        parser.add_argument(
            "--wet-run", action="store_true", help="écrit réellement (sinon : à blanc)"
        )

    def handle(self, *args, fichier, departement, accepter_partiel, wet_run, **options):
        verbosite = options["verbosity"]
        dep = Departement.objects.filter(code_insee=departement.upper()).first()
        if dep is None:
            raise CommandError(f"Aucun département de code INSEE « {departement} ».")
        debut = time.monotonic()
        lot = self._lire(Path(fichier))
        self.stdout.write(
            f"Fichier : {lot.nom_fichier} ({lot.format.upper()}, {len(lot.elements)} éléments)"
        )
        self.stdout.write(f"Département : {dep}")
        analyse = analyser(lot, departement=dep, progression=self._barre)
        self._fin_barre()
        for avertissement in analyse.avertissements:
            self.stdout.write(self.style.WARNING(f"  Avertissement : {avertissement}"))
        self._compteurs("Analyse", analyse.compteurs)
        limite = None if verbosite >= 2 else REJETS_AFFICHES
        for ligne in analyse.rejets[:limite]:
            quoi = f"{ligne.genre or 'élément'} « {ligne.identifiant or '?'} »"
            self.stderr.write(f"  Rejet — {ligne.position}, {quoi} : {' '.join(ligne.erreurs)}")
        if limite and len(analyse.rejets) > limite:
            self.stderr.write(f"  … et {len(analyse.rejets) - limite} autre(s) rejet(s) (-v 2).")
        if analyse.rejets and not accepter_partiel:
            raise CommandError(
                f"{len(analyse.rejets)} élément(s) rejeté(s) : rien n'a été importé. Corrigez le "
                "fichier, ou relancez avec --accepter-partiel pour importer les éléments valides."
            )
        if not wet_run:
            self.stdout.write(
                self.style.WARNING("À blanc : rien n'a été écrit. Relancez avec --wet-run.")
            )
            return
        try:
            rapport = appliquer(
                analyse, par=None, accepter_partiel=accepter_partiel, progression=self._barre
            )
        except ErreurMetier as exc:
            raise CommandError(exc.message) from exc
        finally:
            self._fin_barre()
        duree = time.monotonic() - debut
        self.stdout.write(
            self.style.SUCCESS(
                f"Import terminé en {duree:.1f} s : structures {self._resume(rapport.structures)} ; "
                f"services {self._resume(rapport.services)}."
            )
        )
        if rapport.partiel:
            self.stdout.write(
                self.style.WARNING(f"Import partiel : {rapport.nb_rejets} élément(s) rejeté(s).")
            )

    def _lire(self, chemin: Path):
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        try:
            with chemin.open("rb") as flux:
                return lire_flux(flux, chemin.name, taille=chemin.stat().st_size)
        except ErreurFichier as exc:
            raise CommandError(f"{exc.message} Rien n'a été importé.") from exc

    def _compteurs(self, titre: str, compteurs) -> None:
        self.stdout.write(
            f"{titre} — structures : {self._resume(compteurs(Genre.STRUCTURE))} ; "
            f"services : {self._resume(compteurs(Genre.SERVICE))}."
        )

    @staticmethod
    def _resume(c: dict) -> str:
        texte = f"{c['crees']} créé(s), {c['mis_a_jour']} mis à jour, {c['inchanges']} inchangé(s)"
        return texte + (f", {c['rejetes']} rejeté(s)" if c.get("rejetes") else "")

    def _barre(self, etape: str, fait: int, total: int) -> None:
        pleins = LARGEUR_BARRE * fait // total if total else LARGEUR_BARRE
        barre = "#" * pleins + " " * (LARGEUR_BARRE - pleins)
        self.stderr.write(f"\r{etape:<10} [{barre}] {fait}/{total}", ending="")
        self.stderr.flush()
        self._barre_ouverte = True

    def _fin_barre(self) -> None:
        if getattr(self, "_barre_ouverte", False):
            self.stderr.write("")
            self._barre_ouverte = False
