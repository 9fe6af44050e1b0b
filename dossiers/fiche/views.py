"""Fiche du dossier : la seule page qui assemble les sections de plusieurs capacités,
chacune par son module `lectures`."""

from __future__ import annotations

from django.shortcuts import render

from accompagnement import audit
from accompagnement.decorators import membership_requis
from accompagnement.models import ActionAudit
from dossiers.models import (
    Dossier,
    EvenementJournal,
    StatutDemande,
)
from dossiers.parcours import perms
from dossiers.parcours.lectures import dossier_visible
from dossiers.parcours.renouvellement import renouvellement_du
from dossiers.prescriptions.lectures import pour_la_fiche as prescriptions_de_la_fiche
from dossiers.sollicitations.lectures import pour_la_fiche
from dossiers.suivi.lectures import contexte_fiche


@membership_requis
def fiche(request, uuid):
    dossier = dossier_visible(request, uuid)
    m = request.membership
    niveau = perms.niveau_acces(m, dossier)
    audit.enregistrer(
        action=ActionAudit.LECTURE, request=request, objet=dossier, details={"niveau": niveau}
    )
    affectations = list(dossier.affectations.all())
    demandes = list(dossier.demandes_changement.all())
    en_attente = next((d for d in demandes if d.statut == StatutDemande.EN_ATTENTE), None)
    autres = (
        Dossier.objects.visibles_par(m)
        .filter(demandeur_id=dossier.demandeur_id)
        .exclude(pk=dossier.pk)
        .only("uuid", "statut", "date_orientation", "date_cloture", "motif_sortie")
    )
    courante = next((p for p in dossier.periodes.all() if p.date_fin is None), None)
    journal = (
        EvenementJournal.objects.filter(dossier=dossier)
        .lisibles_par(m)
        .select_related("auteur")[:15]
        if niveau == perms.Niveau.COMPLET
        else []
    )
    return render(
        request,
        "dossiers/fiche/fiche.html",
        {
            "dossier": dossier,
            "demandeur": dossier.demandeur,
            "complet": niveau == perms.Niveau.COMPLET,
            "affectations_ouvertes": [a for a in affectations if a.date_fin is None],
            "affectations": affectations,
            "periodes": list(dossier.periodes.all()),
            "demandes": demandes,
            "demande_en_attente": en_attente,
            "autres_dossiers": autres,
            "journal": journal,
            # Même règle que la tâche quotidienne qui signale l'échéance.
            "renouvellement_du": renouvellement_du(courante),
            "periode_courante": courante,
            "suivi": contexte_fiche(m, dossier) if niveau == perms.Niveau.COMPLET else None,
            # Diagnostic partagé (application diagnostics) : par la relation inverse, sans
            # importer diagnostics (sens des dépendances) ; une requête.
            "diagnostic_courant": dossier.diagnostics.select_related("decision")
            .order_by("-numero")
            .first()
            if niveau == perms.Niveau.COMPLET
            else None,
            "sollicitations": pour_la_fiche(m, dossier) if niveau == perms.Niveau.COMPLET else None,
            # Demandes d'entrée : aussi au prescripteur qui n'a plus que le statut.
            "prescriptions": prescriptions_de_la_fiche(m, dossier),
            "peut": {
                "modifier": perms.peut_modifier_demandeur(m, dossier),
                "diagnostic": perms.peut_orienter(m, dossier) and dossier.statut == "a_orienter",
                "orienter": perms.peut_orienter(m, dossier),
                "affecter": perms.peut_affecter(m, dossier),
                "demander": perms.peut_demander_changement_axe(m, dossier) and en_attente is None,
                "decider": en_attente is not None
                and perms.peut_decider_changement_axe(m, en_attente),
                "cloturer": perms.peut_cloturer(m, dossier),
                "rouvrir": perms.peut_rouvrir(m, dossier)
                and not any(a.statut != "clos" for a in autres),
            },
        },
    )
