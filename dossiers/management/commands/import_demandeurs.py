"""Import des demandeurs d'un département depuis un fichier CSV ou XLSX.

À blanc par défaut : affiche l'aperçu et les erreurs sans rien écrire. `--wet-run` écrit
(tout ou rien) et garde la correspondance des colonnes pour le département.

    python manage.py import_demandeurs demandeurs.xlsx --departement 25
    python manage.py import_demandeurs demandeurs.csv --departement 25 \\
        --colonnes "nom=Patronyme,identifiant_ft=N° demandeur" --wet-run
    python manage.py import_demandeurs demandeurs.csv --departement 25 --wet-run \\
        --ouvrir-dossiers --par animatrice@example.org
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accompagnement import fichiers
from accompagnement.exceptions import ErreurMetier
from accompagnement.models import Departement, Membership, Role
from dossiers.imports.champs import CHAMPS, TAILLE_MAX, ErreurFichier
from dossiers.imports.fichier import DECOUPER, lire_fichier
from dossiers.imports.services import (
    LIBELLES_ACTION,
    Action,
    analyser,
    appliquer_import,
    enregistrer_correspondance,
    proposer_correspondance,
)

LARGEUR_BARRE = 30


def lire_colonnes(option: str) -> dict[str, str]:
    """« nom=Patronyme,prenom=Prénom » → {"nom": "Patronyme", "prenom": "Prénom"}."""
    colonnes = {}
    for morceau in filter(None, (m.strip() for m in option.split(","))):
        champ, egal, entete = morceau.partition("=")
        champ = champ.strip()
        if not egal or not champ:
            raise CommandError(f"--colonnes : « {morceau} » n'est pas de la forme champ=En-tête.")
        if champ not in CHAMPS:
            raise CommandError(
                f"--colonnes : champ inconnu « {champ} ». Champs possibles : {', '.join(CHAMPS)}."
            )
        colonnes[champ] = entete.strip()
    return colonnes


class Command(BaseCommand):
    help = "Importe les demandeurs d'un fichier CSV ou XLSX (à blanc sauf --wet-run)."

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier .csv ou .xlsx")
        parser.add_argument(
            "--departement", required=True, help="code INSEE du département (ex. 25, 2A)"
        )
        parser.add_argument(
            "--colonnes",
            default="",
            help='correspondance à imposer, « champ=En-tête,… » (ex. "nom=Patronyme")',
        )
        parser.add_argument(
            "--wet-run", action="store_true", help="écrit réellement (sinon : à blanc)"
        )
        parser.add_argument(
            "--accepter-partiel",
            action="store_true",
            help="importe les lignes valides et rapporte les rejetées (sinon : tout ou rien)",
        )
        parser.add_argument(
            "--ouvrir-dossiers",
            action="store_true",
            help="ouvre aussi le dossier (à orienter) des personnes situées par leur agence "
            "ou la commune d'un territoire ; exige --par",
        )
        parser.add_argument(
            "--par",
            default="",
            metavar="COURRIEL",
            help="courriel du professionnel du département au nom de qui les dossiers sont "
            "ouverts (l'animatrice)",
        )

    def handle(self, *args, fichier, departement, colonnes, wet_run, accepter_partiel, **options):
        verbosite = options["verbosity"]
        dep = Departement.objects.filter(code_insee=departement.upper()).first()
        if dep is None:
            raise CommandError(f"Aucun département de code INSEE « {departement} ».")
        ouvrir_dossiers = options["ouvrir_dossiers"]
        par = self._professionnel(options["par"], dep) if ouvrir_dossiers else None
        tableau = self._lire(Path(fichier))
        correspondance = proposer_correspondance(tableau.entetes, dep) | lire_colonnes(colonnes)
        self.stdout.write(f"Fichier : {tableau.nom_fichier} — {len(tableau.lignes)} lignes")
        if tableau.encodage:
            self.stdout.write(f"Encodage détecté : {tableau.libelle_encodage}")
        self.stdout.write(f"Département : {dep}")
        self.stdout.write("Correspondance des colonnes :")
        for champ, entete in correspondance.items():
            self.stdout.write(f"  {CHAMPS[champ].libelle} ← « {entete} »")
        try:
            analyse = analyser(
                tableau, departement=dep, correspondance=correspondance, progression=self._barre
            )
        except ErreurFichier as exc:
            raise CommandError(f"{exc.message} Rien n'a été importé.") from exc
        finally:
            self.stderr.write("")
        if verbosite >= 2:
            for ligne in analyse.lignes:
                if ligne.action != Action.ERREUR:
                    detail = ", ".join(ligne.libelles_changements)
                    self.stdout.write(
                        f"  Ligne {ligne.numero} : {LIBELLES_ACTION[ligne.action]} — "
                        f"{ligne.brut.get('nom', '')} {ligne.brut.get('prenom', '')}"
                        + (f" ({detail})" if detail else "")
                    )
        self.stdout.write(
            f"Analyse : {len(analyse.creations)} création(s), {len(analyse.mises_a_jour)} mise(s) "
            f"à jour, {len(analyse.inchangees)} inchangée(s), {len(analyse.en_erreur)} ligne(s) "
            "en erreur."
        )
        for ligne in analyse.avec_avertissement:
            for avertissement in ligne.avertissements:
                self.stdout.write(self.style.WARNING(f"  Ligne {ligne.numero} : {avertissement}"))
        if not analyse.applicable:
            for message in analyse.messages_erreur():
                self.stderr.write(f"  {message}")
            if not accepter_partiel or not analyse.applicable_en_partie:
                raise CommandError(
                    f"{len(analyse.en_erreur)} ligne(s) en erreur : rien n'a été importé. "
                    "Corrigez le fichier puis relancez (ou --accepter-partiel pour importer "
                    "les lignes valides)."
                )
            self.stdout.write(
                self.style.WARNING(
                    f"Import partiel : {len(analyse.en_erreur)} ligne(s) rejetée(s), les "
                    f"{len(analyse.lignes) - len(analyse.en_erreur)} autres seront importées."
                )
            )
        if not wet_run:
            self.stdout.write(
                self.style.WARNING("À blanc : rien n'a été écrit. Relancez avec --wet-run.")
            )
            return
        try:
            with transaction.atomic():
                resume = appliquer_import(
                    analyse=analyse,
                    par=par,
                    accepter_partiel=accepter_partiel,
                    ouvrir_dossiers=ouvrir_dossiers,
                )
                enregistrer_correspondance(departement=dep, colonnes=correspondance, par=None)
        except ErreurMetier as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Import terminé : {resume.crees} créée(s), {resume.mis_a_jour} mise(s) à jour, "
                f"{resume.inchanges} inchangée(s)"
                + (f", {len(resume.rejetees)} ligne(s) rejetée(s)" if resume.rejetees else "")
                + (f", {resume.dossiers_ouverts} dossier(s) ouvert(s)." if ouvrir_dossiers else ".")
            )
        )

    def _professionnel(self, courriel: str, departement) -> Membership:
        """Le rattachement actif, dans le département, de qui ouvre les dossiers."""
        if not courriel:
            raise CommandError("--ouvrir-dossiers exige --par COURRIEL (l'animatrice).")
        rattachement = (
            Membership.objects.actifs()
            .filter(user__email__iexact=courriel, structure__departement=departement)
            .exclude(role=Role.ADMINISTRATEUR)
            .select_related("user", "structure")
            .order_by("pk")
            .first()
        )
        if rattachement is None:
            raise CommandError(
                f"--par : aucun professionnel « {courriel} » dans le département {departement}."
            )
        return rattachement

    def _lire(self, chemin: Path):
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        try:
            with chemin.open("rb") as flux:
                contenu = fichiers.lire_flux(
                    flux, taille_max=TAILLE_MAX, taille=chemin.stat().st_size, conseil=DECOUPER
                )
            return lire_fichier(contenu, chemin.name)
        except ErreurFichier as exc:
            raise CommandError(exc.message) from exc

    def _barre(self, fait: int, total: int) -> None:
        pleins = LARGEUR_BARRE * fait // total if total else LARGEUR_BARRE
        barre = "#" * pleins + " " * (LARGEUR_BARRE - pleins)
        self.stderr.write(f"\r[{barre}] {fait}/{total}", ending="")
        self.stderr.flush()
