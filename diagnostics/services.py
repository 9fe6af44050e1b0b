"""Écritures du diagnostic partagé. Chaque volet est protégé par un verrouillage optimiste
(numéro de révision comparé à l'enregistrement) ; un diagnostic partagé est en lecture
seule : le modifier, c'est en ouvrir une nouvelle version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accompagnement.exceptions import ConflitEdition, ErreurMetier, exiger_droit
from accompagnement.models import ActionAudit, Membership, User
from accompagnement.referentiels import DomaineFrein
from dossiers.journal import Modification, modification_du_dossier
from dossiers.models import Axe, Dossier, RoleAffectation, StatutDossier, TypeEvenement
from dossiers.parcours import services as dossiers_services
from dossiers.prescriptions import services as prescriptions

from . import perms
from .models import (
    BESOINS_PROFESSIONNELS,
    ORDRE_IMPACT,
    SITUATIONS,
    Capacite,
    DecisionOrientation,
    Diagnostic,
    EvaluationBesoin,
    Frein,
    Impact,
    ModeInformation,
    Presence,
    StatutFrein,
)
from .recommandation import recommander_diagnostic

CHAMPS_EMPLOI = (
    "situation_pro",
    "anciennete_inscription",
    "dernier_emploi",
    "fin_dernier_emploi",
    "niveau_qualification",
    "formation",
    "metiers",
    "type_contrat",
    "temps_travail",
    "rayon_mobilite_km",
    "permis_b",
    "vehicule",
    "besoins",
    "capacite_recherche",
    "commentaire_emploi",
)
CHAMPS_FREIN = ("presence", "impact", "situations", "commentaire", "statut", "statut_le")
REFUS_EMPLOI = "Le volet emploi est tenu par un professionnel France Travail qui suit le dossier."
REFUS_SOCIAL = "Le volet social est tenu par un professionnel du social qui suit le dossier."


@contextmanager
def _modification(
    diagnostic: Diagnostic, par: Membership
) -> Iterator[tuple[Modification, Diagnostic]]:
    """La modification du dossier du diagnostic (verrou, activité, audit, journal) et le
    diagnostic relu sous ce verrou."""
    with modification_du_dossier(diagnostic.dossier, par) as m:
        diagnostic = Diagnostic.objects.get(pk=diagnostic.pk)
        diagnostic.dossier = m.dossier
        yield m, diagnostic


def _exiger_brouillon(diagnostic: Diagnostic) -> None:
    if diagnostic.dossier.est_clos:
        raise ErreurMetier("Ce dossier est clos : son diagnostic n'est plus modifiable.")
    if diagnostic.est_partage:
        raise ErreurMetier(
            "Ce diagnostic est partagé (validé par les deux professionnels) : il n'est plus modifiable. "
            "Ouvrez une nouvelle version pour le faire évoluer."
        )


@transaction.atomic
def demarrer(*, dossier: Dossier, par: Membership) -> Diagnostic:
    """Nouvelle version : la première part de zéro, les suivantes reprennent la
    précédente (volet emploi et freins) ; l'information de la personne est à refaire."""
    with modification_du_dossier(dossier, par) as m:
        dossier = m.dossier
        if dossier.est_clos:
            raise ErreurMetier("Ce dossier est clos : on n'y ouvre plus de diagnostic.")
        precedent = dossier.diagnostics.order_by("-numero").first()
        if precedent is not None and not precedent.est_partage:
            raise ErreurMetier(
                f"Le diagnostic v{precedent.numero} est en cours : terminez-le d'abord."
            )
        exiger_droit(
            perms.peut_demarrer(par, dossier),
            "Vous ne pouvez pas ouvrir de diagnostic sur ce dossier.",
        )
        diagnostic = Diagnostic(
            dossier=dossier,
            numero=(precedent.numero + 1) if precedent else 1,
            precedent=precedent,
            cree_par=par.user,
        )
        if precedent is not None:
            for champ in CHAMPS_EMPLOI:
                setattr(diagnostic, champ, getattr(precedent, champ))
        diagnostic.save()
        anciens = {f.domaine: f for f in precedent.freins.all()} if precedent else {}
        Frein.objects.bulk_create(
            [
                Frein(
                    diagnostic=diagnostic,
                    domaine=domaine,
                    **(
                        {c: getattr(anciens[domaine], c) for c in CHAMPS_FREIN}
                        if domaine in anciens
                        else {}
                    ),
                )
                for domaine in DomaineFrein.values
            ]
        )
        if dossier.statut == StatutDossier.A_ORIENTER:
            dossiers_services.demarrer_diagnostic(dossier=dossier, par=par)
        prescriptions.noter_diagnostic(dossier=dossier)  # délai prescription → diagnostic
        m.auditer(ActionAudit.CREATION, diagnostic)
        m.journaliser(
            TypeEvenement.DIAGNOSTIC,
            f"Diagnostic partagé v{diagnostic.numero} ouvert par {par.user}",
            objet=diagnostic,
        )
    return diagnostic


def _verifier_emploi(champs: dict) -> None:
    inconnus = set(champs) - set(CHAMPS_EMPLOI)
    if inconnus:
        raise ErreurMetier(f"Champs inconnus : {', '.join(sorted(inconnus))}.")
    for metier in champs.get("metiers", []):
        if not isinstance(metier, dict) or not str(metier.get("libelle", "")).strip():
            raise ErreurMetier(
                "Chaque métier recherché a un libellé (et, si possible, un code ROME)."
            )
        code = str(metier.get("code_rome", "")).strip().upper()
        if code and not (len(code) == 5 and code[0].isalpha() and code[1:].isdigit()):
            raise ErreurMetier(
                f"Code ROME invalide : « {code} » (une lettre et quatre chiffres, ex. K1302)."
            )
    for cle, valeur in champs.get("besoins", {}).items():
        if cle not in BESOINS_PROFESSIONNELS or valeur not in EvaluationBesoin.values:
            raise ErreurMetier(f"Évaluation de besoin invalide : {cle} = {valeur}.")
    fin = champs.get("fin_dernier_emploi")
    if fin and fin > timezone.localdate():
        raise ErreurMetier("La fin du dernier emploi ne peut pas être dans le futur.")


@transaction.atomic
def enregistrer_emploi(
    *, diagnostic: Diagnostic, par: Membership, revision: int, **champs
) -> Diagnostic:
    """Enregistre le volet emploi si personne ne l'a modifié depuis la lecture (`revision`)."""
    with _modification(diagnostic, par) as (m, diagnostic):
        _exiger_brouillon(diagnostic)
        if diagnostic.emploi_valide:
            raise ErreurMetier(
                "Le volet emploi est validé : il n'est plus modifiable dans cette version."
            )
        exiger_droit(perms.peut_editer_emploi(par, diagnostic), REFUS_EMPLOI)
        _verifier_emploi(champs)
        if "metiers" in champs:
            champs["metiers"] = [
                {
                    "code_rome": str(metier.get("code_rome", "")).strip().upper(),
                    "libelle": str(metier["libelle"]).strip(),
                }
                for metier in champs["metiers"]
            ]
        mis_a_jour = Diagnostic.objects.filter(pk=diagnostic.pk, revision_emploi=revision).update(
            revision_emploi=F("revision_emploi") + 1, **champs
        )
        if not mis_a_jour:
            raise ConflitEdition(
                "Le volet emploi a été enregistré par quelqu'un d'autre pendant votre saisie : rien n'a été "
                "écrasé. Rechargez la page pour voir sa version, puis reportez vos modifications."
            )
        m.auditer(ActionAudit.MODIFICATION, diagnostic, volet="emploi", champs=sorted(champs))
        diagnostic.refresh_from_db()
    return diagnostic


def _verifier_frein(domaine: str, valeurs: dict) -> dict:
    presence = valeurs.get("presence", Presence.NON_ABORDE)
    if presence not in Presence.values:
        raise ErreurMetier(f"{DomaineFrein(domaine).label} : présence invalide.")
    propres = {
        "presence": presence,
        "situations": [s for s in valeurs.get("situations", []) if str(s).strip()],
        "commentaire": valeurs.get("commentaire", "").strip(),
        "impact": "",
        "statut": "",
        "statut_le": None,
    }
    if presence == Presence.PRESENT:
        impact = valeurs.get("impact", "")
        if impact not in Impact.values:
            raise ErreurMetier(
                f"{DomaineFrein(domaine).label} : précisez l'impact du frein (fort, moyen, sans impact)."
            )
        statut = valeurs.get("statut") or StatutFrein.IDENTIFIE
        if statut not in StatutFrein.values:
            raise ErreurMetier(f"{DomaineFrein(domaine).label} : statut invalide.")
        statut_le = valeurs.get("statut_le") or timezone.localdate()
        if statut_le > timezone.localdate():
            raise ErreurMetier(
                f"{DomaineFrein(domaine).label} : la date du statut ne peut pas être dans le futur."
            )
        propres.update(impact=impact, statut=statut, statut_le=statut_le)
    inconnues = set(propres["situations"]) - set(SITUATIONS[domaine])
    if inconnues and not all(s.startswith("Autre : ") for s in inconnues):
        raise ErreurMetier(
            f"{DomaineFrein(domaine).label} : situation inconnue ({', '.join(sorted(inconnues))})."
        )
    return propres


@transaction.atomic
def enregistrer_social(
    *, diagnostic: Diagnostic, par: Membership, revision: int, freins: dict[str, dict]
) -> Diagnostic:
    """Enregistre les domaines fournis du volet social (verrouillage optimiste sur le volet)."""
    with _modification(diagnostic, par) as (m, diagnostic):
        _exiger_brouillon(diagnostic)
        if diagnostic.social_valide:
            raise ErreurMetier(
                "Le volet social est validé : il n'est plus modifiable dans cette version."
            )
        exiger_droit(perms.peut_editer_social(par, diagnostic), REFUS_SOCIAL)
        propres = {
            domaine: _verifier_frein(domaine, valeurs) for domaine, valeurs in freins.items()
        }
        if not Diagnostic.objects.filter(pk=diagnostic.pk, revision_social=revision).update(
            revision_social=F("revision_social") + 1
        ):
            raise ConflitEdition(
                "Le volet social a été enregistré par quelqu'un d'autre pendant votre saisie : rien n'a été "
                "écrasé. Rechargez la page pour voir sa version, puis reportez vos modifications."
            )
        existants = {f.domaine: f for f in diagnostic.freins.filter(domaine__in=propres)}
        for domaine, valeurs in propres.items():
            for champ, valeur in valeurs.items():
                setattr(existants[domaine], champ, valeur)
        Frein.objects.bulk_update(existants.values(), CHAMPS_FREIN)
        m.auditer(ActionAudit.MODIFICATION, diagnostic, volet="social", domaines=sorted(propres))
        diagnostic.refresh_from_db()
    return diagnostic


@transaction.atomic
def enregistrer_information(
    *, diagnostic: Diagnostic, par: Membership, date: dt.date, mode: ModeInformation, accord: bool
) -> Diagnostic:
    with _modification(diagnostic, par) as (m, diagnostic):
        _exiger_brouillon(diagnostic)
        exiger_droit(
            perms.peut_informer(par, diagnostic),
            "L'information de la personne est enregistrée par un professionnel qui suit le dossier.",
        )
        if date > timezone.localdate():
            raise ErreurMetier("La date d'information ne peut pas être dans le futur.")
        if mode not in ModeInformation.values:
            raise ErreurMetier("Indiquez comment la personne a été informée.")
        diagnostic.information_le, diagnostic.information_mode, diagnostic.accord_personne = (
            date,
            mode,
            accord,
        )
        diagnostic.save(update_fields=["information_le", "information_mode", "accord_personne"])
        m.auditer(
            ActionAudit.MODIFICATION, diagnostic, information=str(date), mode=mode, accord=accord
        )
    return diagnostic


def _exiger_information(diagnostic: Diagnostic) -> None:
    if diagnostic.information_le is None or not diagnostic.information_mode:
        raise ErreurMetier(
            "Enregistrez d'abord la date et la façon dont la personne a été informée : "
            "sans cela, le diagnostic ne peut pas être validé."
        )


def _finaliser_si_partage(m: Modification, diagnostic: Diagnostic) -> None:
    if not diagnostic.est_partage:
        return
    recommandation = recommander_diagnostic(diagnostic)
    diagnostic.axe_recommande = recommandation.axe
    diagnostic.raisons_recommandation = recommandation.raisons
    diagnostic.save(update_fields=["axe_recommande", "raisons_recommandation"])
    m.journaliser(
        TypeEvenement.DIAGNOSTIC,
        f"Diagnostic v{diagnostic.numero} partagé ; recommandation : {Axe(recommandation.axe).label}",
        objet=diagnostic,
    )


@transaction.atomic
def valider_emploi(*, diagnostic: Diagnostic, par: Membership) -> Diagnostic:
    with _modification(diagnostic, par) as (m, diagnostic):
        _exiger_brouillon(diagnostic)
        _exiger_information(diagnostic)
        if diagnostic.emploi_valide:
            raise ErreurMetier("Le volet emploi est déjà validé.")
        exiger_droit(perms.peut_editer_emploi(par, diagnostic), REFUS_EMPLOI)
        if not diagnostic.situation_pro or not diagnostic.capacite_recherche:
            raise ErreurMetier(
                "Avant de valider, renseignez au moins la situation professionnelle et la capacité à "
                "engager une recherche d'emploi."
            )
        diagnostic.emploi_valide_par, diagnostic.emploi_valide_le = par.user, timezone.now()
        diagnostic.save(update_fields=["emploi_valide_par", "emploi_valide_le"])
        m.auditer(ActionAudit.MODIFICATION, diagnostic, validation="emploi")
        _finaliser_si_partage(m, diagnostic)
    return diagnostic


@transaction.atomic
def valider_social(*, diagnostic: Diagnostic, par: Membership) -> Diagnostic:
    with _modification(diagnostic, par) as (m, diagnostic):
        _exiger_brouillon(diagnostic)
        _exiger_information(diagnostic)
        if diagnostic.social_valide:
            raise ErreurMetier("Le volet social est déjà validé.")
        exiger_droit(perms.peut_editer_social(par, diagnostic), REFUS_SOCIAL)
        freins = list(diagnostic.freins.all())
        if all(f.presence == Presence.NON_ABORDE for f in freins):
            raise ErreurMetier("Avant de valider, évaluez au moins un domaine du volet social.")
        sans_impact = [f.get_domaine_display() for f in freins if f.est_present and not f.impact]
        if sans_impact:
            raise ErreurMetier(f"Précisez l'impact des freins : {', '.join(sans_impact)}.")
        diagnostic.social_valide_par, diagnostic.social_valide_le = par.user, timezone.now()
        diagnostic.save(update_fields=["social_valide_par", "social_valide_le"])
        m.auditer(ActionAudit.MODIFICATION, diagnostic, validation="social")
        _finaliser_si_partage(m, diagnostic)
    return diagnostic


@transaction.atomic
def decider(
    *,
    diagnostic: Diagnostic,
    par: Membership,
    axe: Axe,
    motif: str = "",
    date: dt.date | None = None,
    accord_personne: bool = False,
    conseiller: User | None = None,
    professionnel_social: User | None = None,
    affectations: dict[str, Membership] | None = None,
) -> DecisionOrientation:
    """Décision conjointe sur un diagnostic partagé. Dans la même transaction : les places
    demandées sont pourvues (binôme, référent social), puis le dossier entre sur l'axe
    (première orientation), y reste (renouvellement) ou en change."""
    with _modification(diagnostic, par) as (m, diagnostic):
        date = date or timezone.localdate()
        if not diagnostic.est_partage:
            raise ErreurMetier(
                "La décision se prend sur un diagnostic partagé (validé par les deux professionnels)."
            )
        if DecisionOrientation.objects.filter(diagnostic=diagnostic).exists():
            raise ErreurMetier("Une décision a déjà été prise sur ce diagnostic.")
        exiger_droit(
            perms.peut_decider(par, diagnostic, deja_decide=False),
            "La décision conjointe revient à un professionnel du binôme ou à l'animatrice.",
        )
        if axe not in Axe.values:
            raise ErreurMetier("Choisissez un axe.")
        if axe != diagnostic.axe_recommande and not motif.strip():
            raise ErreurMetier(
                f"L'axe décidé diffère de la recommandation ({Axe(diagnostic.axe_recommande).label}) : "
                "le motif est obligatoire."
            )
        dossier = diagnostic.dossier
        for place, membership in (affectations or {}).items():
            tenue = dossier.affectations.ouvertes().filter(role=place).first()
            if tenue is None or tenue.professionnel_id != membership.user_id:
                dossiers_services.affecter(
                    dossier=dossier,
                    place=RoleAffectation(place),
                    professionnel=membership,
                    par=par,
                    date=date,
                    verifier_droit=False,  # la décision conjointe pourvoit les places
                )
        dossier.refresh_from_db()
        libelle_motif = (
            motif.strip() or f"Décision conjointe sur le diagnostic v{diagnostic.numero}"
        )
        if not dossier.axe_courant:
            dossiers_services.orienter(
                dossier=dossier,
                axe=axe,
                par=par,
                motif=libelle_motif,
                accord_personne=accord_personne,
                conseiller=conseiller,
                professionnel_social=professionnel_social,
                date=date,
            )
        elif dossier.axe_courant != axe:
            demande = dossiers_services.demander_changement_axe(
                dossier=dossier, axe=axe, motif=libelle_motif, par=par, verifier_droit=False
            )
            dossiers_services.decider_changement_axe(
                demande=demande,
                accepter=True,
                motif=libelle_motif,
                par=par,
                accord_personne=accord_personne,
                date=date,
                conseiller=conseiller,
                professionnel_social=professionnel_social,
                verifier_droit=False,  # demande et décision d'un même geste, conjoint
            )
        if axe in dossiers_services.AXES_SOCIAUX:
            # Déjà fait par l'entrée sur l'axe ; aussi quand l'axe est confirmé (données
            # antérieures à la règle du relais).
            dossiers_services.relayer_place_conseiller(
                m, date=date, motif=f"Décision conjointe : {Axe(axe).label}"
            )
        # La demande d'entrée en cours est terminée ; son prescripteur voit l'issue.
        prescriptions.terminer(dossier=dossier, axe=axe, par=par, date=date)
        decision = DecisionOrientation.objects.create(
            diagnostic=diagnostic,
            axe=axe,
            axe_recommande=diagnostic.axe_recommande,
            motif=motif.strip(),
            date=date,
            decide_par=par.user,
            accord_personne=accord_personne,
            conseiller=conseiller,
            professionnel_social=professionnel_social,
        )
        m.auditer(ActionAudit.CREATION, decision, axe=axe, axe_recommande=diagnostic.axe_recommande)
        m.journaliser(
            type=TypeEvenement.ORIENTATION,
            date=date,
            resume=f"Décision conjointe (diagnostic v{diagnostic.numero}) : {Axe(axe).label}"
            + ("" if axe == diagnostic.axe_recommande else " (écart à la recommandation, motivé)"),
            objet=decision,
        )
    return decision


# --- Comparaison de versions et progrès -----------------------------------------------------


@dataclass
class Comparaison:
    leves: list[str] = field(default_factory=list)
    nouveaux: list[str] = field(default_factory=list)
    aggraves: list[str] = field(default_factory=list)
    ameliores: list[str] = field(default_factory=list)
    persistants: list[str] = field(default_factory=list)
    capacite_avant: str = ""
    capacite_apres: str = ""

    @property
    def capacite_a_change(self) -> bool:
        return self.capacite_avant != self.capacite_apres


def comparer(ancien: Diagnostic, nouveau: Diagnostic) -> Comparaison:
    """Ce qui a bougé entre deux versions : freins levés (présents puis absents, ou statut
    « levé »), nouveaux, aggravés ou atténués (impact), et la capacité à rechercher."""
    avant = {f.domaine: f for f in ancien.freins.all()}
    apres = {f.domaine: f for f in nouveau.freins.all()}
    resultat = Comparaison(
        capacite_avant=ancien.capacite_recherche, capacite_apres=nouveau.capacite_recherche
    )
    for domaine in DomaineFrein.values:
        a, n = avant.get(domaine), apres.get(domaine)
        etait = a is not None and a.pese
        est = n is not None and n.pese
        if etait and not est:
            resultat.leves.append(domaine)
        elif est and not etait:
            resultat.nouveaux.append(domaine)
        elif etait and est:
            ecart = ORDRE_IMPACT[n.impact] - ORDRE_IMPACT[a.impact]
            (
                resultat.aggraves
                if ecart > 0
                else resultat.ameliores
                if ecart < 0
                else resultat.persistants
            ).append(domaine)
    return resultat


__all__ = [
    "Capacite",
    "Comparaison",
    "ConflitEdition",
    "comparer",
    "decider",
    "demarrer",
    "enregistrer_emploi",
    "enregistrer_information",
    "enregistrer_social",
    "valider_emploi",
    "valider_social",
]
