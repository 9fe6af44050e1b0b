"""Écritures de l'application reporting."""

import datetime as dt
import hashlib
import time
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from accompagnement import audit
from accompagnement.exceptions import ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, Departement, Membership
from accompagnement.pdf import rendre_pdf
from conventions import lectures as conventions_lectures
from conventions.models import AxeConvention, Convention, NatureMoyen
from dossiers.journal import modification_du_dossier
from dossiers.models import Dossier, TypeEvenement

from . import exports, mensuel, perms
from . import synthese as synthese_mod
from .catalogue import Mois, Perimetre
from .models import (
    BilanParcours,
    EtatExport,
    EtatSynthese,
    ExportDiffere,
    RapportMensuel,
    SyntheseConvention,
)


@transaction.atomic
def rediger_conclusion(*, dossier: Dossier, par: Membership, conclusion: str) -> BilanParcours:
    conclusion = conclusion.strip()
    if len(conclusion) < 10:
        raise ErreurMetier("Rédigez une conclusion d'au moins quelques mots.")
    with modification_du_dossier(dossier, par) as m:
        exiger_droit(
            perms.peut_rediger_bilan(par, m.dossier),
            "Le bilan est rédigé par l'animatrice ou un professionnel qui a suivi la personne.",
        )
        bilan, cree = BilanParcours.objects.get_or_create(
            dossier=m.dossier, defaults={"conclusion": conclusion, "redige_par": par.user}
        )
        if not cree:
            bilan.conclusion, bilan.redige_par = conclusion, par.user
            bilan.save(update_fields=["conclusion", "redige_par", "modifie_le"])
        m.auditer(ActionAudit.CREATION if cree else ActionAudit.MODIFICATION, bilan)
        m.journaliser(
            TypeEvenement.CLOTURE,
            f"Conclusion du bilan {'rédigée' if cree else 'mise à jour'} par {par.user}",
            objet=bilan,
        )
    return bilan


# --- Rapports mensuels figés ---------------------------------------------------------------


def _rapport_existant(cle: str, mois, version: int):
    return RapportMensuel.objects.filter(
        cle_perimetre=cle, mois=mois.debut, version=version
    ).first()


def generer_rapport(
    *,
    perimetre: Perimetre,
    mois: Mois,
    version: int = 1,
    motif: str = "",
    par=None,
    chiffres: dict | None = None,
    pdf: tuple | None = None,
) -> RapportMensuel:
    """Calcule et fige le rapport du périmètre pour le mois, dans la version demandée.
    Idempotent : si cette version existe déjà, elle est rendue telle quelle (une tâche
    rejouée après la perte d'un worker ne crée rien de plus). `par` : l'animatrice qui
    régénère ; None pour la génération automatique (système). `chiffres` : déjà calculés
    pour plusieurs périmètres à la fois (`mensuel.figer_plusieurs`, commande mensuelle) ;
    `pdf` : (date de génération, PDF) déjà rendu de ces chiffres (`pdf_du_rapport`)."""
    structure_id = perimetre.structure.pk if perimetre.structure else None
    cle = RapportMensuel.cle_de(perimetre.departement.pk, structure_id)
    if existant := _rapport_existant(cle, mois, version):
        return existant
    motif = (motif or "").strip()
    if version > 1:
        if par is not None:
            exiger_droit(
                perms.peut_regenerer_rapport(par, perimetre.departement.pk),
                "Seule l'animatrice du département régénère un rapport mensuel.",
            )
        if not motif:
            raise ErreurMetier("Indiquez pourquoi le rapport est régénéré.")
        if not RapportMensuel.objects.filter(
            cle_perimetre=cle, mois=mois.debut, version=version - 1
        ).exists():
            raise ErreurMetier(f"La version {version - 1} de ce rapport n'existe pas.")
    debut = time.monotonic()
    if chiffres is None:
        chiffres = mensuel.figer(perimetre, mois)
    rapport = RapportMensuel(
        departement=perimetre.departement,
        structure=perimetre.structure,
        niveau=perimetre.niveau,
        cle_perimetre=cle,
        mois=mois.debut,
        version=version,
        motif=motif if version > 1 else "",
        chiffres=chiffres,
        genere_par=par.user if par is not None else None,
    )
    if pdf is not None:
        rapport.genere_le, rapport.pdf = pdf
    else:
        rapport.pdf = pdf_du_rapport(rapport)
    rapport.duree_calcul_ms = int(1000 * (time.monotonic() - debut))
    try:
        with transaction.atomic():
            rapport.save(force_insert=True)
            audit.enregistrer(
                action=ActionAudit.CREATION,
                acteur=par.user if par is not None else None,
                objet=rapport,
                departement=perimetre.departement,
                details={"mois": str(mois), "perimetre": cle, "version": version, "motif": motif},
            )
    except IntegrityError:
        # Une autre exécution de la même tâche l'a écrit entre-temps : on rend celui-là.
        if existant := _rapport_existant(cle, mois, version):
            return existant
        raise
    return rapport


def pdf_du_rapport(rapport: RapportMensuel) -> bytes:
    """Le PDF d'un rapport, rendu de ses seuls chiffres figés (aucune requête) : il peut
    l'être dans un autre processus (commande mensuelle, plusieurs périmètres en parallèle)."""
    return rendre_pdf(
        "pdf/rapport_mensuel.html",
        {
            "chiffres": rapport.chiffres,
            "rapport": rapport,
            "vue": mensuel.presentation(rapport.chiffres),
        },
        base_url=settings.BASE_DIR / "static",
    )


def prochaine_version(rapport: RapportMensuel) -> int:
    return (
        RapportMensuel.objects.filter(cle_perimetre=rapport.cle_perimetre, mois=rapport.mois)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) + 1


# --- Exports différés (gros exports produits par une tâche) -------------------------------


def demander_export(
    *, par: Membership, indicateur: str, filtres: str, format_: str, nominatif: bool, lignes: int
) -> ExportDiffere:
    """Enregistre la demande d'un gros export de liste ; la tâche `produire_export` le
    produit après la transaction. Le droit est vérifié ici (et l'export nominatif aussi)."""
    exiger_droit(
        perms.peut_exporter_liste(par), "Seule l'animatrice exporte les listes du tableau de bord."
    )
    exiger_droit(
        not nominatif or perms.peut_exporter_nominatif(par),
        "L'export nominatif demande le droit « export nominatif ».",
    )
    if format_ not in ("csv", "xlsx"):
        raise ErreurMetier("Format d'export inconnu.")
    maintenant = timezone.now()
    export = ExportDiffere.objects.create(
        demandeur=par.user,
        membership=par,
        departement_id=par.structure.departement_id,
        indicateur=indicateur,
        filtres=filtres,
        format=format_,
        nominatif=nominatif,
        lignes_total=lignes,
        cree_le=maintenant,
        expire_le=maintenant + dt.timedelta(days=settings.REPORTING_EXPORT_CONSERVATION_JOURS),
    )
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par.user,
        objet=export,
        departement=export.departement,
        details={
            "export": "liste différée",
            "indicateur": indicateur,
            "filtres": filtres,
            "format": format_,
            "nominatif": nominatif,
            "lignes": lignes,
        },
    )
    return export


def produire_export(export: ExportDiffere, *, contenu, pas: int = 1000) -> ExportDiffere:
    """Écrit le fichier d'un export différé. `contenu` rend (entêtes, lignes, titre) ;
    la progression est enregistrée toutes les `pas` lignes (une requête). Idempotent : un
    export déjà prêt (tâche rejouée après la perte d'un worker) est rendu tel quel."""
    if export.etat == EtatExport.TERMINE:
        return export
    ExportDiffere.objects.filter(pk=export.pk).update(etat=EtatExport.EN_COURS, lignes_ecrites=0)
    entetes, lignes, titre = contenu(export)

    def suivre():
        n = 0
        for ligne in lignes:
            yield ligne
            n += 1
            if n % pas == 0:
                ExportDiffere.objects.filter(pk=export.pk).update(lignes_ecrites=n)
        suivre.n = n

    if export.format == "csv":
        fichier = exports.ecrire_csv(entetes, suivre())
    else:
        fichier = exports.ecrire_xlsx(titre, entetes, suivre())
    maintenant = timezone.now()
    export.etat, export.fichier, export.taille = EtatExport.TERMINE, fichier, len(fichier)
    export.lignes_ecrites = export.lignes_total = suivre.n
    export.termine_le = maintenant
    export.expire_le = maintenant + dt.timedelta(days=settings.REPORTING_EXPORT_CONSERVATION_JOURS)
    export.save(
        update_fields=[
            "etat",
            "fichier",
            "taille",
            "lignes_ecrites",
            "lignes_total",
            "termine_le",
            "expire_le",
        ]
    )
    audit.enregistrer(
        action=ActionAudit.EXPORT,
        acteur=export.demandeur,
        objet=export,
        departement=export.departement,
        details={
            "export": "liste différée produite",
            "indicateur": export.indicateur,
            "filtres": export.filtres,
            "format": export.format,
            "nominatif": export.nominatif,
            "lignes": export.lignes_total,
        },
    )
    return export


def purger_exports_expires(maintenant=None) -> int:
    """Supprime les exports différés dont la conservation est échue (tâche quotidienne)."""
    qs = ExportDiffere.objects.expires(maintenant)
    par_departement = dict(
        qs.order_by()
        .values_list("departement")
        .annotate(n=Count("pk"))
        .values_list("departement", "n")
    )
    if not par_departement:
        return 0
    qs.delete()
    for departement_id, n in par_departement.items():
        audit.enregistrer(
            action=ActionAudit.SUPPRESSION,
            departement=Departement.objects.get(pk=departement_id),
            details={"export": "exports différés expirés supprimés", "nombre": n},
        )
    return sum(par_departement.values())


# --- Synthèse PDF d'une convention (décision 61) ------------------------------------------

# Au-delà, une génération « en attente » ou « en cours » est tenue pour perdue (worker
# arrêté sans redonner le message) : elle passe en échec et une nouvelle demande repart.
# Largement au-delà de la limite de temps de la tâche (3 min) et de ses reprises.
SYNTHESE_ABANDONNEE_APRES = dt.timedelta(minutes=30)
MESSAGE_SYNTHESE_ABANDONNEE = (
    "La génération a été interrompue sans se terminer ; aucun fichier n'a été enregistré. "
    "Une nouvelle version a été demandée."
)

MESSAGE_ECHEC_SYNTHESE = (
    "La synthèse n'a pas pu être produite ; aucun fichier n'a été enregistré. Relancez la "
    "génération ; si l'échec se répète, signalez-le à l'administrateur."
)


@transaction.atomic
def demander_synthese(
    *, convention: Convention, par: Membership, aujourd_hui: dt.date | None = None
) -> tuple[SyntheseConvention, bool]:
    """Enregistre la demande d'une nouvelle version de la synthèse ; rend (synthèse, créée).
    Une demande faite pendant qu'une génération est en attente ou en cours rend celle-ci
    (une seule génération) : la convention est verrouillée le temps de la vérification, et
    la base refuse de toute façon une seconde génération en cours (contrainte partielle).
    La vue enfile la tâche après la transaction."""
    exiger_droit(
        perms.peut_generer_synthese(par, convention),
        "Seule l'animatrice du département génère la synthèse de ses conventions.",
    )
    Convention.objects.select_for_update().filter(pk=convention.pk).first()
    SyntheseConvention.objects.de_la_convention(convention).en_cours().filter(
        demandee_le__lt=timezone.now() - SYNTHESE_ABANDONNEE_APRES
    ).update(etat=EtatSynthese.ECHEC, erreur=MESSAGE_SYNTHESE_ABANDONNEE)
    if en_cours := SyntheseConvention.objects.de_la_convention(convention).en_cours().first():
        return en_cours, False
    precedente = (
        SyntheseConvention.objects.de_la_convention(convention)
        .values_list("version", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            synthese = SyntheseConvention.objects.create(
                convention=convention,
                departement_id=convention.departement_id,
                version=(precedente or 0) + 1,
                date_reference=aujourd_hui or timezone.localdate(),
                demandee_par=par.user,
            )
    except IntegrityError:
        # Une autre demande est passée entre-temps (contrainte partielle) : c'est elle.
        if en_cours := SyntheseConvention.objects.de_la_convention(convention).en_cours().first():
            return en_cours, False
        raise
    audit.enregistrer(
        action=ActionAudit.CREATION,
        acteur=par.user,
        objet=synthese,
        departement=convention.departement,
        details={
            "synthese": "demandée",
            "convention": str(convention.uuid),
            "version": synthese.version,
        },
    )
    return synthese, True


def contexte_synthese(synthese: SyntheseConvention, chiffres: dict) -> dict:
    """Ce que le gabarit PDF de la synthèse montre : la convention et sa version en vigueur
    à la date de référence, le réalisé formaté."""
    convention = conventions_lectures.convention_detaillee(
        synthese.convention.departement, synthese.convention.uuid
    )
    avenants = list(convention.avenants.all())
    version = conventions_lectures.version_en_vigueur(
        convention, synthese.date_reference, avenants=avenants
    )
    axes = dict(AxeConvention.choices)
    return {
        "synthese": synthese,
        "convention": convention,
        "version": version,
        "axes": [axes.get(a, a) for a in version["axes"]],
        "postes": [m for m in version["moyens"] if m["nature"] == NatureMoyen.POSTE],
        "financements": [m for m in version["moyens"] if m["nature"] == NatureMoyen.FINANCEMENT],
        "etp_total": sum(
            (m["etp"] for m in version["moyens"] if m["nature"] == NatureMoyen.POSTE and m["etp"]),
            start=Decimal(0),
        ),
        "montant_total": sum(
            (m["montant"] for m in version["moyens"] if m["montant"] is not None),
            start=Decimal(0),
        ),
        "avenants": avenants,
        "chiffres": chiffres,
        "vue": synthese_mod.presentation(chiffres, version),
        "maintenant": timezone.now(),
    }


def calculer_synthese(synthese: SyntheseConvention) -> tuple[dict, bytes]:
    """Les chiffres du réalisé et le PDF, en mémoire (rien n'est écrit)."""
    convention = synthese.convention
    version = conventions_lectures.version_en_vigueur(convention, synthese.date_reference)
    chiffres = synthese_mod.realise(convention, version, synthese.date_reference)
    pdf = rendre_pdf(
        "pdf/synthese_convention.html",
        contexte_synthese(synthese, chiffres),
        base_url=settings.BASE_DIR / "static",
    )
    return chiffres, pdf


def produire_synthese(synthese: SyntheseConvention) -> SyntheseConvention:
    """Calcule et rend la synthèse, puis range le fichier et marque la version prête.
    Idempotent : une synthèse prête (tâche redonnée après la perte d'un worker) est rendue
    telle quelle. Le PDF est entièrement rendu en mémoire avant toute écriture : un rendu
    qui échoue ne laisse aucun fichier ; un fichier rangé dont la ligne ne peut pas être
    validée est supprimé."""
    if synthese.etat in (EtatSynthese.PRETE, EtatSynthese.ECHEC):
        return synthese
    SyntheseConvention.objects.filter(pk=synthese.pk).update(etat=EtatSynthese.EN_COURS)
    debut = time.monotonic()
    chiffres, pdf = calculer_synthese(synthese)
    chemin = f"syntheses/{synthese.departement.code_insee}/{synthese.uuid}"
    if default_storage.exists(chemin):  # reste d'une exécution interrompue avant la validation
        default_storage.delete(chemin)
    ecrit = default_storage.save(chemin, ContentFile(pdf))
    try:
        if ecrit != chemin:
            raise ErreurMetier("Le fichier de la synthèse n'a pas pu être rangé.")
        with transaction.atomic():
            synthese.etat, synthese.chiffres, synthese.chemin = EtatSynthese.PRETE, chiffres, chemin
            synthese.taille, synthese.empreinte = len(pdf), hashlib.sha256(pdf).hexdigest()
            synthese.genere_le, synthese.erreur = timezone.now(), ""
            synthese.duree_ms = int(1000 * (time.monotonic() - debut))
            synthese.save(
                update_fields=[
                    "etat",
                    "chiffres",
                    "chemin",
                    "taille",
                    "empreinte",
                    "genere_le",
                    "erreur",
                    "duree_ms",
                ]
            )
            audit.enregistrer(
                action=ActionAudit.CREATION,
                acteur=synthese.demandee_par,
                objet=synthese,
                departement=synthese.departement,
                details={
                    "synthese": "produite",
                    "convention": str(synthese.convention.uuid),
                    "version": synthese.version,
                    "taille": synthese.taille,
                },
            )
    except BaseException:
        default_storage.delete(ecrit)
        raise
    return synthese


def marquer_synthese_en_echec(synthese_id: int, message: str = MESSAGE_ECHEC_SYNTHESE) -> None:
    SyntheseConvention.objects.filter(pk=synthese_id).exclude(etat=EtatSynthese.PRETE).update(
        etat=EtatSynthese.ECHEC, erreur=message[:300], genere_le=None
    )
