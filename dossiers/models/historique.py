"""Historique des écritures sur les données personnelles des dossiers (décision 27) : une
table `<Modèle>Historique` par modèle, remplie par déclencheurs PostgreSQL
(accompagnement.historique). Le département et la personne de chaque ligne sont calculés
dans le déclencheur, au moment de l'écriture."""

from accompagnement.historique import suivre

from .parcours import Affectation, DemandeChangementAxe, Demandeur, Dossier, PeriodeOrientation
from .prescriptions import Prescription
from .sollicitations import Sollicitation
from .suivi import (
    Action,
    AideFinanciere,
    DemandeImportante,
    Document,
    Note,
    Objectif,
    RendezVous,
)

# Une ligne rattachée à un dossier : département et personne sont ceux du dossier.
DEPARTEMENT_DU_DOSSIER = (
    '(SELECT d."departement_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")'
)
DEMANDEUR_DU_DOSSIER = (
    '(SELECT d."demandeur_id" FROM "dossiers_dossier" d WHERE d."id" = {row}."dossier_id")'
)


def _suivre_par_dossier(modele, **options):
    return suivre(
        modele, departement=DEPARTEMENT_DU_DOSSIER, demandeur=DEMANDEUR_DU_DOSSIER, **options
    )


DemandeurHistorique = suivre(
    Demandeur,
    departement='{row}."departement_id"',
    demandeur='{row}."id"',
    # Colonnes dérivées du nom (recherche) : recalculées, sans information propre.
    exclure=("cle_identite", "texte_recherche", "recherche"),
)
DossierHistorique = suivre(
    Dossier,
    departement='{row}."departement_id"',
    demandeur='{row}."demandeur_id"',
    masquer=("motif_orientation", "commentaire_sortie"),
)
# `echeance_signalee_le` : marque technique des tâches quotidiennes (échéance déjà
# signalée), sans information sur la personne ; hors historique, la marquer ne déclenche
# pas l'écriture d'une ligne d'historique par action ou période (décision 79 : 46 000
# actions échues, 19 s de déclencheurs sur 20 pour la tâche).
SANS_MARQUE_D_ECHEANCE = ("echeance_signalee_le",)
PeriodeOrientationHistorique = _suivre_par_dossier(
    PeriodeOrientation, masquer=("motif",), exclure=SANS_MARQUE_D_ECHEANCE
)
AffectationHistorique = _suivre_par_dossier(Affectation)
DemandeChangementAxeHistorique = _suivre_par_dossier(
    DemandeChangementAxe, masquer=("motif", "motif_decision")
)
SollicitationHistorique = _suivre_par_dossier(Sollicitation, masquer=("besoin",))
ObjectifHistorique = _suivre_par_dossier(Objectif, masquer=("intitule",))
ActionHistorique = _suivre_par_dossier(
    Action, masquer=("intitule", "commentaire"), exclure=SANS_MARQUE_D_ECHEANCE
)
NoteHistorique = _suivre_par_dossier(Note, masquer=("texte",))
RendezVousHistorique = _suivre_par_dossier(RendezVous, masquer=("objet",))
DocumentHistorique = _suivre_par_dossier(Document, masquer=("nom_origine", "chemin"))
AideFinanciereHistorique = _suivre_par_dossier(
    AideFinanciere, masquer=("motif", "commentaire_decision")
)
DemandeImportanteHistorique = _suivre_par_dossier(DemandeImportante, masquer=("objet",))
PrescriptionHistorique = _suivre_par_dossier(Prescription, masquer=("motif", "motif_refus"))
