"""La démonstration « vivante » des dossiers : ce qu'un professionnel trouve en ouvrant un
dossier suivi — plan d'action (actions à échéance et échues), notes aux trois niveaux de
confidentialité, rendez-vous passés (honorés ou non) et à venir, documents (petits PDF
générés ici), aides financières (en attente, accordée, refusée) et sollicitations de la
base de ressources dans chaque statut (l'accord de la personne enregistré avant).

Tout passe par les services (droits, journal, audit), sur des dossiers ouverts des huit
agences choisis dans un ordre fixe (clé primaire) : déterministe. Chaque capacité est
chargée une fois (idempotent : rien n'est ajouté si le département en a déjà).

Les événements récents sont écrits avec les notifications rétablies
(`notifications.retablies`) : chaque compte de démonstration trouve dans sa boîte ce que
l'application lui aurait vraiment envoyé (rendez-vous posés par l'autre membre du binôme,
documents déposés, sollicitations reçues ou répondues)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.utils import timezone

from accompagnement import demo as demo_noyau
from accompagnement import notifications
from accompagnement.models import Membership, Role
from conventions.models import ServiceRessource

from .models import (
    Affectation,
    AideFinanciere,
    Axe,
    CategorieDocument,
    CotePorteur,
    Document,
    Dossier,
    ModeRecueil,
    Presence,
    RoleAffectation,
    Sollicitation,
    StatutDossier,
    TypeRendezVous,
    VisibiliteNote,
)
from .models.sollicitations import ModeSollicitation, PreferenceContact
from .parcours import services as parcours
from .sollicitations import services as sollicitations
from .suivi import aides, documents
from .suivi import services as suivi

# Dossiers en accompagnement global suivis en plus du binôme de démonstration : deux par
# agence (les huit agences ont ainsi des fiches remplies).
SUIVIS_PAR_AGENCE = 2
# Dossiers en axe 1 suivis par le conseiller de démonstration (plan, rendez-vous).
SUIVIS_CONSEILLER = 3

OBJECTIFS_EMPLOI = [
    ("Retrouver un emploi d'aide à domicile", "Passer le titre professionnel ADVF"),
    ("Travailler dans la logistique (préparation de commandes)", "Obtenir le CACES R489"),
    ("Reprendre un emploi dans la restauration collective", "Stage d'immersion en cuisine"),
    ("Accéder à un emploi d'agent de production", "Atelier CV et simulation d'entretien"),
]
OBJECTIFS_SOCIAUX = [
    ("logement", "Accéder à un logement autonome", "Déposer une demande de logement social"),
    ("mobilite", "Se déplacer pour travailler", "Constituer le dossier d'aide au permis B"),
    ("finances", "Stabiliser le budget", "Rencontrer la conseillère en économie sociale"),
    ("famille", "Faire garder les enfants", "Inscrire les enfants à la crèche familiale"),
]
NOTES = [
    (
        VisibiliteNote.PARTAGEE,
        "Entretien de suivi : la personne est motivée, le CV est à reprendre avant l'atelier.",
    ),
    (
        VisibiliteNote.SOCIALE,
        "Retard de loyer de deux mois ; un plan d'apurement est en discussion avec le bailleur.",
    ),
    (VisibiliteNote.PRIVEE, "Penser à rappeler la CAF au sujet de la régularisation."),
]
AIDES = [
    # (montant demandé, motif, suite : None en attente, montant accordé, ou motif de refus)
    ("350.00", "Réparation du véhicule pour se rendre au travail en horaires décalés.", "350.00"),
    ("180.00", "Achat de chaussures de sécurité et d'une tenue pour la formation.", "150.00"),
    ("420.00", "Participation aux frais de garde pendant la formation CACES.", None),
    ("600.00", "Rachat d'un ordinateur portable.", "Relève de l'aide numérique de la CAF."),
    ("95.00", "Abonnement de bus Ginko pour les entretiens d'embauche.", None),
]
BESOINS = [
    ("mobilite", "Location d'un scooter pendant trois mois pour un emploi à Chalezeule."),
    ("numerique", "Ateliers d'initiation au numérique : créer son espace France Travail."),
    ("famille", "Garde d'enfant en horaires décalés pendant la formation."),
    ("finances", "Accompagnement budgétaire après un dossier de surendettement."),
    ("logement", "Recherche d'un hébergement temporaire près de l'agence d'intérim."),
    ("administratif_juridique", "Aide pour la demande de complémentaire santé solidaire."),
    ("isolement", "Participation à un groupe de remobilisation (jardin partagé)."),
]
# La suite de chaque sollicitation : tous les statuts sont atteints.
SUITES_SOLLICITATION = [
    # six du conseiller de démonstration, puis trois du Haut-Doubs
    "brouillon",
    "acceptee",
    "refusee",
    "realisee",
    "expiree",
    "envoyee",
    "envoyee",
    "a_l_etude",
    "acceptee",
]


def _moment(jour: dt.date, heure: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(jour, dt.time(heure, minute)))


def pdf_simple(titre: str, lignes: list[str]) -> bytes:
    """Un vrai PDF d'une page (texte en Helvetica, WinAnsi : les accents passent), écrit à
    la main : quelques centaines d'octets, sans WeasyPrint (trop lent pour un chargement)."""

    def echapper(texte: str) -> bytes:
        brut = texte.encode("cp1252", errors="replace")
        return brut.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    flux = b"BT /F1 16 Tf 56 780 Td (" + echapper(titre) + b") Tj ET\n"
    for rang, ligne in enumerate(lignes):
        flux += b"BT /F1 11 Tf 56 %d Td (" % (750 - 18 * rang) + echapper(ligne) + b") Tj ET\n"
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(flux) + flux + b"endstream",
    ]
    sortie = b"%PDF-1.4\n"
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n" % numero + objet + b"\nendobj\n"
    debut_xref = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    sortie += b"".join(b"%010d 00000 n \n" % p for p in positions)
    sortie += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        debut_xref,
    )
    return sortie


class _Titulaires:
    """Les rattachements du département, pour retrouver sous quel rôle un professionnel
    tient sa place dans un dossier (l'acteur des services est un rattachement)."""

    def __init__(self, departement):
        self.par_user_structure = {
            (m.user_id, m.structure_id): m
            for m in Membership.objects.actifs()
            .filter(structure__departement=departement)
            .select_related("user", "structure__departement")
        }

    def places(self, dossier: Dossier) -> dict[str, Membership]:
        """Place → rattachement de son titulaire (affectations ouvertes préchargées)."""
        return {
            a.role: self.par_user_structure[(a.professionnel_id, a.structure_id)]
            for a in dossier.affectations_ouvertes
        }


def _dossiers(departement, **filtres):
    return (
        Dossier.objects.filter(departement=departement, **filtres)
        .select_related("demandeur", "agence", "territoire", "departement")
        .prefetch_related(
            Prefetch(
                "affectations",
                queryset=Affectation.objects.filter(date_fin__isnull=True),
                to_attr="affectations_ouvertes",
            )
        )
        .order_by("pk")
    )


def _binomes(departement, titulaires: _Titulaires, cd_demo: Membership) -> list[tuple]:
    """Les dossiers en axe 2 à faire vivre, dans cet ordre : quatre du conseiller dédié de
    démonstration, deux du compte « multi », puis deux par agence."""
    multi = f"multi@{demo_noyau.DOMAINE}"
    groupes: list[list] = [[], [], []]
    par_agence: dict[int, int] = defaultdict(int)
    for dossier in _dossiers(
        departement, statut=StatutDossier.ACCOMPAGNEMENT, axe_courant=Axe.ACCOMPAGNEMENT_GLOBAL
    ):
        places = titulaires.places(dossier)
        cd = places.get(RoleAffectation.CONSEILLER_DEDIE)
        ts = places.get(RoleAffectation.TRAVAILLEUR_SOCIAL)
        if cd is None or ts is None:
            continue
        if cd.user_id == cd_demo.user_id:
            if len(groupes[0]) < 4:
                groupes[0].append((dossier, places))
        elif ts.user.email == multi:
            if len(groupes[1]) < 2:
                groupes[1].append((dossier, places))
        elif par_agence[dossier.agence_id] < SUIVIS_PAR_AGENCE:
            par_agence[dossier.agence_id] += 1
            groupes[2].append((dossier, places))
    return [*groupes[0], *groupes[1], *groupes[2]]


def _plan_et_rendez_vous(dossier, places, rang: int, aujourdhui: dt.date) -> None:
    cd = places[RoleAffectation.CONSEILLER_DEDIE]
    ts = places[RoleAffectation.TRAVAILLEUR_SOCIAL]
    depuis = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=60))
    intitule, etape = OBJECTIFS_EMPLOI[rang % len(OBJECTIFS_EMPLOI)]
    emploi = suivi.ajouter_objectif(dossier=dossier, par=cd, domaine="emploi", intitule=intitule)
    suivi.ajouter_action(
        objectif=emploi,
        par=cd,
        intitule=etape,
        cote=CotePorteur.EMPLOI,
        responsable=cd.user,
        date_debut=depuis,
        date_fin_prevue=aujourdhui + dt.timedelta(days=3 + rang % 5),
    )
    suivi.ajouter_action(
        objectif=emploi,
        par=cd,
        intitule="Relancer les trois candidatures envoyées",
        cote=CotePorteur.EMPLOI,
        responsable=cd.user,
        date_debut=depuis,
        date_fin_prevue=max(depuis, aujourdhui - dt.timedelta(days=4 + rang % 4)),  # échue
    )
    domaine, intitule, etape = OBJECTIFS_SOCIAUX[rang % len(OBJECTIFS_SOCIAUX)]
    social = suivi.ajouter_objectif(dossier=dossier, par=ts, domaine=domaine, intitule=intitule)
    suivi.ajouter_action(
        objectif=social,
        par=ts,
        intitule=etape,
        cote=CotePorteur.SOCIAL,
        responsable=ts.user,
        date_debut=depuis,
        date_fin_prevue=aujourdhui + dt.timedelta(days=1 + rang % 6),
    )
    for visibilite, texte in NOTES:
        par = cd if visibilite == VisibiliteNote.PARTAGEE else ts
        suivi.ajouter_note(dossier=dossier, par=par, texte=texte, visibilite=visibilite)
    passe = suivi.planifier_rendez_vous(
        dossier=dossier,
        par=cd,
        debut=_moment(max(depuis, aujourdhui - dt.timedelta(days=5 + rang % 7)), 9 + rang % 6),
        type=TypeRendezVous.TRIPARTITE,
        participants=[cd.user, ts.user],
        lieu=str(dossier.agence),
        objet="Point d'étape du plan d'action",
    )
    suivi.noter_presence(
        rendez_vous=passe, par=cd, presence=Presence.ABSENT if rang % 3 == 0 else Presence.PRESENT
    )
    with notifications.retablies():  # l'autre membre du binôme est prévenu
        suivi.planifier_rendez_vous(
            dossier=dossier,
            par=ts,
            debut=_moment(aujourdhui + dt.timedelta(days=rang % 4), 14 + rang % 3, 30),
            type=TypeRendezVous.INDIVIDUEL,
            participants=[ts.user, cd.user],
            lieu=str(dossier.territoire or dossier.agence),
            objet="Préparer le dossier logement et le budget",
        )


def _suivi_conseiller(conseiller: Membership, departement, aujourdhui) -> None:
    """Le conseiller de démonstration : des dossiers en axe 1 avec un plan et des rendez-vous."""
    dossiers = _dossiers(
        departement,
        statut=StatutDossier.ACCOMPAGNEMENT,
        axe_courant=Axe.RESSOURCES_SOCIALES,
        affectations__professionnel=conseiller.user,
        affectations__role=RoleAffectation.CONSEILLER,
        affectations__date_fin__isnull=True,
    )[:SUIVIS_CONSEILLER]
    for rang, dossier in enumerate(dossiers):
        depuis = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=30))
        objectif = suivi.ajouter_objectif(
            dossier=dossier,
            par=conseiller,
            domaine="emploi",
            intitule="Reprendre un emploi dans la vente",
        )
        suivi.ajouter_action(
            objectif=objectif,
            par=conseiller,
            intitule="Candidater à trois offres de vendeur ou vendeuse",
            cote=CotePorteur.EMPLOI,
            responsable=conseiller.user,
            date_debut=depuis,
            date_fin_prevue=aujourdhui + dt.timedelta(days=rang)
            if rang
            else max(depuis, aujourdhui - dt.timedelta(days=2)),
        )
        suivi.planifier_rendez_vous(
            dossier=dossier,
            par=conseiller,
            debut=_moment(aujourdhui + dt.timedelta(days=rang), 10 + rang),
            type=TypeRendezVous.INDIVIDUEL,
            participants=[conseiller.user],
            lieu=str(dossier.agence),
            objet="Entretien de suivi mensuel",
        )


def _documents(binomes, aujourdhui: dt.date) -> None:
    for rang, (dossier, places) in enumerate(binomes[:12]):
        cd = places[RoleAffectation.CONSEILLER_DEDIE]
        ts = places[RoleAffectation.TRAVAILLEUR_SOCIAL]
        personne = dossier.demandeur
        cer = pdf_simple(
            "Contrat d'engagements réciproques",
            [
                f"Personne accompagnée : {personne.prenom} {personne.nom}",
                f"Signé le {aujourdhui - dt.timedelta(days=20 + rang):%d/%m/%Y}",
                "Engagements : suivre l'atelier CV, rencontrer la conseillère budget.",
                "Document fictif de démonstration.",
            ],
        )
        with notifications.retablies():
            documents.deposer_document(
                dossier=dossier,
                par=cd,
                fichier=ContentFile(cer, name=f"cer-{personne.nom.lower()}.pdf"),
                categorie=CategorieDocument.CONTRAT,
            )
        justificatif = pdf_simple(
            "Attestation de droits CAF",
            [
                f"Allocataire : {personne.prenom} {personne.nom}",
                f"Situation au {aujourdhui - dt.timedelta(days=3 + rang):%d/%m/%Y} : RSA socle.",
                "Document fictif de démonstration.",
            ],
        )
        with notifications.retablies():
            documents.deposer_document(
                dossier=dossier,
                par=ts,
                fichier=ContentFile(justificatif, name="attestation-caf.pdf"),
                categorie=CategorieDocument.JUSTIFICATIF,
            )
        if rang % 2 == 0:
            courrier = pdf_simple(
                "Courrier du bailleur",
                [
                    "Objet : proposition d'un plan d'apurement de la dette locative.",
                    "Montant restant dû : 1 234,56 €, en douze mensualités.",
                    "Document fictif de démonstration.",
                ],
            )
            documents.deposer_document(
                dossier=dossier,
                par=ts,
                fichier=ContentFile(courrier, name="courrier-bailleur.pdf"),
                categorie=CategorieDocument.COURRIER,
                confidentiel=True,
            )


def _aides(binomes, aujourdhui: dt.date) -> None:
    for rang, ((dossier, places), (montant, motif, suite)) in enumerate(
        zip(binomes, AIDES * 3, strict=False)
    ):
        ts = places[RoleAffectation.TRAVAILLEUR_SOCIAL]
        demande_le = max(dossier.date_orientation, aujourdhui - dt.timedelta(days=25 - rang))
        aide = aides.demander_aide(
            dossier=dossier,
            par=ts,
            montant_demande=Decimal(montant),
            motif=motif,
            date_demande=demande_le,
        )
        if suite is None:
            continue
        accorder = suite[0].isdigit()
        aides.decider_aide(
            aide=aide,
            par=ts,
            accorder=accorder,
            montant_accorde=Decimal(suite) if accorder else None,
            date_decision=min(aujourdhui, demande_le + dt.timedelta(days=8)),
            commentaire="" if accorder else suite,
        )


def _sollicitations(
    conseiller_demo: Membership, departement, titulaires, aujourdhui: dt.date
) -> None:
    """Des sollicitations via le correspondant insertion du territoire, dans chaque statut,
    sur des dossiers en axe 1 (le conseiller en demande l'appui) : celles du conseiller de
    démonstration d'abord, puis d'autres agences (le compte « multi » est correspondant du
    Haut-Doubs)."""
    services_ressources = list(
        ServiceRessource.objects.filter(departement=departement, actif=True).order_by("pk")[:40]
    )
    correspondants = defaultdict(list)
    for m in titulaires.par_user_structure.values():
        if m.role == Role.CORRESPONDANT_INSERTION:
            correspondants[m.structure_id].append(m)
    for liste in correspondants.values():
        liste.sort(
            key=lambda m: (
                m.user.email != f"correspondant@{demo_noyau.DOMAINE}",
                m.user.email != f"multi@{demo_noyau.DOMAINE}",
                m.user.email,
            )
        )
    du_conseiller, haut_doubs = [], []
    for dossier in _dossiers(
        departement,
        statut=StatutDossier.ACCOMPAGNEMENT,
        axe_courant=Axe.RESSOURCES_SOCIALES,
        territoire__isnull=False,
    ):
        conseiller = titulaires.places(dossier).get(RoleAffectation.CONSEILLER)
        if conseiller is None:
            continue
        if conseiller.user_id == conseiller_demo.user_id:
            du_conseiller.append(dossier)
        elif dossier.territoire.nom == demo_noyau.TERRITOIRES[2][0]:  # Haut-Doubs : « multi »
            haut_doubs.append(dossier)
    dossiers = du_conseiller[:6] + haut_doubs[:3]
    maintenant = timezone.now()
    for rang, (dossier, suite) in enumerate(zip(dossiers, SUITES_SOLLICITATION, strict=False)):
        conseiller = titulaires.places(dossier)[RoleAffectation.CONSEILLER]
        correspondant = correspondants[dossier.territoire_id][0]
        personne = dossier.demandeur
        # Les coordonnées ne partent qu'avec l'accord de la personne, enregistré avant.
        parcours.enregistrer_information(
            dossier=dossier,
            par=conseiller,
            information_le=aujourdhui - dt.timedelta(days=15),
            information_mode=ModeRecueil.ORAL,
            accord_le=aujourdhui - dt.timedelta(days=15),
            accord_mode=ModeRecueil.ORAL,
        )
        domaine, besoin = BESOINS[rang % len(BESOINS)]
        with notifications.retablies():
            sollicitation = sollicitations.creer_sollicitation(
                dossier=dossier,
                service=services_ressources[rang % len(services_ressources)],
                domaine=domaine,
                besoin=besoin,
                mode=ModeSollicitation.CORRESPONDANT,
                par=conseiller,
                preference_contact=PreferenceContact.TELEPHONE,
                coordonnees_contact=personne.telephone or personne.email,
                correspondant=correspondant,
                envoyer=suite != "brouillon",
            )
            if suite in ("a_l_etude", "acceptee", "refusee", "realisee"):
                sollicitation = sollicitations.prendre_a_l_etude(
                    sollicitation=sollicitation, par=correspondant
                )
            if suite in ("acceptee", "realisee"):
                sollicitation = sollicitations.accepter(
                    sollicitation=sollicitation,
                    par=correspondant,
                    precisions="Premier rendez-vous proposé la semaine prochaine.",
                )
            elif suite == "refusee":
                sollicitation = sollicitations.refuser(
                    sollicitation=sollicitation,
                    par=correspondant,
                    motif="Plus de place ce mois-ci : inscription sur la liste d'attente proposée.",
                )
            if suite == "realisee":
                sollicitations.marquer_realisee(sollicitation=sollicitation, par=conseiller)
        if suite == "expiree":
            # Envoyée il y a longtemps, restée sans réponse : la tâche quotidienne l'expire.
            delai = dt.timedelta(days=sollicitation.delai_jours)
            Sollicitation.objects.filter(pk=sollicitation.pk).update(
                envoyee_le=maintenant - delai - dt.timedelta(days=2),
                echeance=maintenant - dt.timedelta(days=2),
                relance_prevue_le=None,
            )
            sollicitation.refresh_from_db()
            sollicitations.expirer(sollicitation=sollicitation, maintenant=maintenant)


def charger(
    *, departement, aujourdhui: dt.date, conseiller: Membership, cd_demo: Membership
) -> None:
    """`conseiller`, `cd_demo` : les comptes de démonstration du conseiller de l'agence et
    du conseiller dédié."""
    titulaires = _Titulaires(departement)
    if not Document.objects.filter(dossier__departement=departement).exists():
        binomes = _binomes(departement, titulaires, cd_demo)
        for rang, (dossier, places) in enumerate(binomes):
            if not dossier.objectifs.exists():
                _plan_et_rendez_vous(dossier, places, rang, aujourdhui)
        _suivi_conseiller(conseiller, departement, aujourdhui)
        _documents(binomes, aujourdhui)
    if not AideFinanciere.objects.filter(dossier__departement=departement).exists():
        _aides(_binomes(departement, titulaires, cd_demo), aujourdhui)
    if not Sollicitation.objects.filter(dossier__departement=departement).exists():
        _sollicitations(conseiller, departement, titulaires, aujourdhui)
