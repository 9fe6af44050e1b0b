"""Écriture d'un changement sur un dossier. Tous les services qui modifient un dossier
(parcours, suivi, sollicitations, diagnostic, bilan) passent par `modification_du_dossier` :
verrou du dossier, dernière activité, trace d'audit et événement du journal, dans une
seule transaction. `journaliser` seul sert aux événements qui ne modifient pas le dossier
(échéance signalée par le système, export, fiche de la personne mise à jour)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from accompagnement import audit
from accompagnement.models import ActionAudit, EvenementAudit, Membership, User

from .models import Dossier, EvenementJournal, TypeEvenement, Visibilite


def journaliser(
    *,
    dossier: Dossier,
    type: TypeEvenement,
    auteur,
    resume: str,
    objet: models.Model | None = None,
    date: dt.date | None = None,
    visibilite: Visibilite = Visibilite.PARTAGEE,
) -> EvenementJournal:
    return EvenementJournal.objects.create(
        dossier=dossier,
        type=type,
        auteur=auteur,
        resume=resume[:300],
        date_effet=date or timezone.localdate(),
        visibilite=visibilite,
        objet_type=objet._meta.label_lower if objet is not None else "",
        objet_id=str(getattr(objet, "uuid", None) or getattr(objet, "pk", ""))
        if objet is not None
        else "",
    )


class Modification:
    """Une modification en cours : le dossier relu verrouillé et l'acteur (un rattachement ;
    None seulement pour le système et le partenaire qui répond par son lien signé)."""

    def __init__(self, dossier: Dossier, par: Membership | None):
        self.dossier = dossier
        self.par = par
        self.activite_notee = False
        self.auditee = False

    @property
    def auteur(self) -> User | None:
        """L'utilisateur qui agit, tel que l'audit et le journal l'enregistrent."""
        return self.par.user if self.par is not None else None

    def noter_activite(self, **champs) -> None:
        """Dernière activité et version (+1) du dossier, et les champs donnés (statut…), en
        une requête ; le dossier de la modification est relu pour ces champs."""
        champs.update(derniere_activite=timezone.now(), version=F("version") + 1)
        Dossier.objects.filter(pk=self.dossier.pk).update(**champs)
        self.dossier.refresh_from_db(fields=list(champs))
        self.activite_notee = True

    def auditer(
        self, action: ActionAudit, objet: models.Model | None = None, **details: Any
    ) -> EvenementAudit:
        """La trace d'audit : sur le dossier par défaut ; sur un autre objet, les détails
        nomment le dossier."""
        if objet is None:
            objet = self.dossier
        elif not isinstance(objet, Dossier):
            details = {"dossier": str(self.dossier.uuid), **details}
        self.auditee = True
        return audit.enregistrer(
            action=action,
            acteur=self.auteur,
            departement=self.dossier.departement,
            objet=objet,
            details=details,
        )

    def journaliser(
        self,
        type: TypeEvenement,
        resume: str,
        *,
        objet: models.Model | None = None,
        date: dt.date | None = None,
        visibilite: Visibilite = Visibilite.PARTAGEE,
    ) -> EvenementJournal:
        """L'événement du journal du dossier, signé par l'acteur."""
        return journaliser(
            dossier=self.dossier,
            type=type,
            auteur=self.auteur,
            resume=resume,
            objet=objet,
            date=date,
            visibilite=visibilite,
        )


@contextmanager
def modification_du_dossier(
    dossier: Dossier, par: Membership | None, *, activite: bool = True
) -> Iterator[Modification]:
    """Le seul chemin d'écriture d'un changement sur un dossier :

        with modification_du_dossier(dossier, par) as m:
            ...  # vérifications (m.dossier est à jour et verrouillé), écritures
            m.auditer(ActionAudit.CREATION, objet)
            m.journaliser(TypeEvenement.NOTE, "Note ajoutée par …", objet=objet)

    À l'entrée : transaction et dossier relu verrouillé (SELECT … FOR UPDATE) ; deux
    écritures simultanées sur un même dossier passent l'une après l'autre, la seconde voit
    l'état laissé par la première. À la sortie sans erreur : dernière activité et version
    du dossier avancées (sauf `activite=False` : une étape du partenaire ou du système, qui
    ne compte pas comme suivi) ; une trace d'audit est exigée. Une erreur annule tout."""
    with transaction.atomic():
        verrouille = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("departement", "demandeur")
            .get(pk=dossier.pk)
        )
        modification = Modification(verrouille, par)
        yield modification
        if not modification.auditee:
            raise RuntimeError("Une modification du dossier laisse une trace d'audit.")
        if activite and not modification.activite_notee:
            modification.noter_activite()
