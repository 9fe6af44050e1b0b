"""Catalogue de situations d'accès, pour les tests qui comparent une règle de droits en
Python (`niveau_acces`, `peut_lire_note`…) à sa traduction SQL (`visibles_par`,
`lisibles_par`…). Tout est généré à partir des constantes ci-dessous et construit une
fois par module de test (fixture `catalogue_acces`, portée « module »), en écritures
directes : les services, avec leurs contrôles, leur audit et leur journal, rendraient le
test lent, et les droits ne lisent que l'état du dossier et ses affectations.

Deux départements (« ici », « ailleurs »), chacun avec deux agences, deux territoires et
une direction. Rattachements : chaque rôle professionnel dans chaque agence (conseiller,
conseiller dédié) ou chaque territoire (travailleur social, correspondant insertion),
l'animatrice (en agence et en direction), l'administrateur ; les mêmes personnes ont un
rattachement dans chacun des deux départements (un rattachement ne voit rien de l'autre
département, même si la personne y tient des places). Dossiers : chaque statut et chaque
axe (`ETATS`) × chaque paire (agence, territoire) × un groupe de huit dossiers, où chacun
des huit professionnels a tour à tour une place tenue (close à la date de clôture pour un
dossier clos), une place quittée (`date_fin` posée avant), le dossier qu'il a orienté, ou
aucun lien."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from accompagnement.models import Membership, Role
from accompagnement.referentiels import DomaineFrein
from conventions.models import ServiceRessource, StructureRessource
from dossiers.models import (
    Affectation,
    Axe,
    CategorieDocument,
    Document,
    Dossier,
    EvenementJournal,
    ModeSollicitation,
    MotifSortie,
    Note,
    PeriodeOrientation,
    RoleAffectation,
    Sollicitation,
    StatutDossier,
    StatutSollicitation,
    TypeEvenement,
    Visibilite,
    VisibiliteNote,
)
from tests.accompagnement.factories import DepartementFactory, StructureFactory, UserFactory
from tests.dossiers.factories import DemandeurFactory, DossierFactory

DEPARTEMENTS = ("ici", "ailleurs")
NUMEROS = (1, 2)  # deux agences et deux territoires par département
STRUCTURES = {  # nom → type (trait de StructureFactory)
    **{f"{type_}{n}": type_ for type_ in ("agence", "territoire") for n in NUMEROS},
    "direction": "direction",
}

# Rôle professionnel → (type de structure, place qu'il tient dans un dossier).
PROFESSIONNELS = {
    Role.CONSEILLER: ("agence", RoleAffectation.CONSEILLER),
    Role.CONSEILLER_DEDIE: ("agence", RoleAffectation.CONSEILLER_DEDIE),
    Role.TRAVAILLEUR_SOCIAL: ("territoire", RoleAffectation.TRAVAILLEUR_SOCIAL),
    Role.CORRESPONDANT_INSERTION: ("territoire", RoleAffectation.REFERENT_SOCIAL),
}
PROS = [(role, f"{type_}{n}") for role, (type_, _) in PROFESSIONNELS.items() for n in NUMEROS]
COORDINATION = [
    (Role.ANIMATRICE, "agence1"),
    (Role.ANIMATRICE, "direction"),
    (Role.ADMINISTRATEUR, "direction"),
]

# (statut, axe) : chaque statut, chaque axe de l'accompagnement, la clôture après un axe 1
# (l'agence garde l'accès complet) et après un axe 2 (l'agence n'a plus que le statut).
ETATS = [
    (StatutDossier.A_ORIENTER, ""),
    (StatutDossier.DIAGNOSTIC, ""),
    (StatutDossier.ACCOMPAGNEMENT, Axe.RESSOURCES_SOCIALES),
    (StatutDossier.ACCOMPAGNEMENT, Axe.ACCOMPAGNEMENT_GLOBAL),
    (StatutDossier.ACCOMPAGNEMENT, Axe.SOCIAL_EXCLUSIF),
    (StatutDossier.CLOS, Axe.RESSOURCES_SOCIALES),
    (StatutDossier.CLOS, Axe.ACCOMPAGNEMENT_GLOBAL),
]
RATTACHEMENTS = [(n, n) for n in NUMEROS]  # (n° de l'agence, n° du territoire) du dossier

PLACE, PLACE_QUITTEE, ORIENTE, AUCUN = "place tenue", "place quittée", "orienté", "aucun lien"
# Le k-ième dossier d'un groupe donne au i-ième professionnel le lien LIENS[(i + k) % 8] :
# dans chaque groupe, chaque professionnel a chaque lien une fois, et chaque dossier n'a
# qu'une place ouverte et qu'un orienteur.
LIENS = (PLACE, PLACE_QUITTEE, ORIENTE, AUCUN, AUCUN, AUCUN, AUCUN, AUCUN)
assert len(LIENS) == len(PROS)


def cle(role: str, structure: str, departement: str) -> str:
    return f"{role}@{structure}/{departement}"


# Les clés des rattachements, connues sans base : de quoi paramétrer les tests.
CLES = [cle(r, s, dep) for dep in DEPARTEMENTS for r, s in PROS + COORDINATION]


@dataclass
class Catalogue:
    memberships: dict[str, Membership]
    dossiers: list[Dossier]  # affectations préchargées, `libelle` et `dep` posés
    liens: dict[tuple[str, int], str]  # (clé du rattachement, pk du dossier) → lien

    def decrire(self, cle_membership: str, dossier: Dossier) -> str:
        return f"{dossier.libelle} [{self.liens.get((cle_membership, dossier.pk), AUCUN)}]"

    def ecart(self, cle_membership: str, attendus: set[int], obtenus: set[int]) -> str:
        """Le message d'échec : les dossiers sur lesquels Python et SQL divergent."""
        par_pk = {d.pk: d for d in self.dossiers}

        def liste(pks):
            return "".join(
                f"\n  - {self.decrire(cle_membership, par_pk[pk])}" for pk in sorted(pks)
            )

        return (
            f"{cle_membership} — selon la fonction de droit seulement :"
            f"{liste(attendus - obtenus)}\n— selon le queryset seulement :"
            f"{liste(obtenus - attendus)}"
        )


def construire() -> Catalogue:
    aujourd_hui = timezone.localdate()
    debut, quittee, cloture = (aujourd_hui - dt.timedelta(days=j) for j in (90, 30, 10))
    personnes = {(r, s): UserFactory() for r, s in PROS + COORDINATION}
    memberships, structures, departements = {}, {}, {}
    for dep in DEPARTEMENTS:
        departement = departements[dep] = DepartementFactory()
        for nom, type_ in STRUCTURES.items():
            structures[dep, nom] = StructureFactory(
                departement=departement, nom=f"{nom} {dep}", **{type_: True}
            )
        for role, nom in PROS + COORDINATION:
            memberships[cle(role, nom, dep)] = Membership.objects.create(
                user=personnes[role, nom], structure=structures[dep, nom], role=role
            )

    affectations, periodes, liens, reperes = [], [], {}, {}
    for dep in DEPARTEMENTS:
        animatrice = personnes[Role.ANIMATRICE, "direction"]
        for statut, axe in ETATS:
            clos = statut == StatutDossier.CLOS
            for n_agence, n_territoire in RATTACHEMENTS:
                for k in range(len(LIENS)):
                    lien_de = {pro: LIENS[(i + k) % len(LIENS)] for i, pro in enumerate(PROS)}
                    dossier = DossierFactory(
                        demandeur=DemandeurFactory(departement=departements[dep]),
                        departement=departements[dep],
                        agence=structures[dep, f"agence{n_agence}"],
                        territoire=structures[dep, f"territoire{n_territoire}"],
                        statut=statut,
                        axe_courant=axe,
                        oriente_par=next(
                            personnes[p] for p, lien in lien_de.items() if lien == ORIENTE
                        ),
                        date_orientation=debut - dt.timedelta(days=10),
                        date_diagnostic=None if statut == StatutDossier.A_ORIENTER else debut,
                        date_entree=debut if axe else None,
                        date_cloture=cloture if clos else None,
                        motif_sortie=MotifSortie.EMPLOI_DURABLE if clos else "",
                    )
                    reperes[dossier.pk] = (
                        dep,
                        f"dossier {dep}, agence{n_agence} et territoire{n_territoire}, "
                        f"{StatutDossier(statut).label}{f' (axe {axe})' if axe else ''}, n° {k}",
                    )
                    if axe:
                        periodes.append(
                            PeriodeOrientation(
                                dossier=dossier,
                                axe=axe,
                                date_debut=debut,
                                date_fin=cloture if clos else None,
                                motif="Catalogue",
                                decide_par=animatrice,
                            )
                        )
                    for (role, nom), lien in lien_de.items():
                        for dep_m in DEPARTEMENTS:
                            liens[cle(role, nom, dep_m), dossier.pk] = lien
                        if lien not in (PLACE, PLACE_QUITTEE):
                            continue
                        fin = quittee if lien == PLACE_QUITTEE else (cloture if clos else None)
                        affectations.append(
                            Affectation(
                                dossier=dossier,
                                role=PROFESSIONNELS[role][1],
                                professionnel=personnes[role, nom],
                                structure=structures[dep, nom],
                                date_debut=debut,
                                date_fin=fin,
                                affecte_par=animatrice,
                            )
                        )
    Affectation.objects.bulk_create(affectations)
    PeriodeOrientation.objects.bulk_create(periodes)
    dossiers = list(
        Dossier.objects.filter(departement__in=departements.values())
        .select_related("departement")
        .prefetch_related("affectations")
        .order_by("pk")
    )
    for dossier in dossiers:
        dossier.dep, dossier.libelle = reperes[dossier.pk]
    return Catalogue(memberships, dossiers, liens)


def fixture_catalogue(*remplir):
    """Une fixture de portée « module » : le catalogue, construit une fois (puis complété
    par chaque fonction de `remplir`) dans une transaction annulée à la fin du module."""

    @pytest.fixture(scope="module")
    def catalogue_acces(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            catalogue = construire()
            for fonction in remplir:
                fonction(catalogue)
            yield catalogue
            transaction.set_rollback(True)

    return catalogue_acces


# --- Ce que chaque capacité range dans les dossiers du catalogue ----------------------------


def _auteurs(catalogue: Catalogue, dossier: Dossier) -> dict[str, object]:
    """Qui a un lien avec le dossier (dans son département) : l'auteur de ses écrits."""
    return {
        catalogue.liens[cle(role, nom, dossier.dep), dossier.pk]: catalogue.memberships[
            cle(role, nom, dossier.dep)
        ].user
        for role, nom in PROS
        if catalogue.liens[cle(role, nom, dossier.dep), dossier.pk] != AUCUN
    }


def ajouter_sollicitations(catalogue: Catalogue) -> None:
    """Sur chaque dossier : une sollicitation directe, et une adressée à chacun des deux
    correspondants insertion du département (celui du territoire du dossier, et celui de
    l'autre territoire : le dossier a pu en changer depuis l'envoi)."""
    maintenant = timezone.now()
    services, sollicitations = {}, []
    for dep in DEPARTEMENTS:
        departement = catalogue.memberships[cle(Role.ANIMATRICE, "direction", dep)].departement
        structure = StructureRessource.objects.create(
            departement=departement,
            source="test",
            identifiant=f"structure-{uuid.uuid4()}",
            nom="Association du catalogue",
            date_maj=timezone.localdate(),
        )
        services[dep] = ServiceRessource.objects.create(
            departement=departement,
            structure=structure,
            source="test",
            identifiant=f"service-{uuid.uuid4()}",
            nom="Crèche du catalogue",
            date_maj=timezone.localdate(),
            thematiques=["famille--garde-denfants"],
            courriel="creche@catalogue.test",
        )
    for dossier in catalogue.dossiers:
        correspondants = [
            catalogue.memberships[cle(Role.CORRESPONDANT_INSERTION, f"territoire{n}", dossier.dep)]
            for n in NUMEROS
        ]
        for correspondant in [None, *correspondants]:
            sollicitations.append(
                Sollicitation(
                    dossier=dossier,
                    service=services[dossier.dep],
                    domaine=DomaineFrein.FAMILLE,
                    besoin="Garde d'enfant le matin",
                    mode=ModeSollicitation.CORRESPONDANT
                    if correspondant
                    else ModeSollicitation.DIRECT,
                    correspondant=correspondant,
                    statut=StatutSollicitation.ENVOYEE,
                    auteur=dossier.oriente_par,
                    envoyee_le=maintenant,
                    echeance=maintenant + dt.timedelta(days=15),
                )
            )
    catalogue.sollicitations = Sollicitation.objects.bulk_create(sollicitations)


def ajouter_notes_et_documents(catalogue: Catalogue) -> None:
    """Sur chaque dossier : une note partagée, une sociale, une privée de qui y tient la
    place et une de qui l'a quittée ; un document ordinaire et un confidentiel."""
    notes, documents = [], []
    for dossier in catalogue.dossiers:
        auteurs = _auteurs(catalogue, dossier)
        for visibilite, auteur in (
            (VisibiliteNote.PARTAGEE, auteurs[ORIENTE]),
            (VisibiliteNote.SOCIALE, auteurs[PLACE]),
            (VisibiliteNote.PRIVEE, auteurs[PLACE]),
            (VisibiliteNote.PRIVEE, auteurs[PLACE_QUITTEE]),
        ):
            notes.append(Note(dossier=dossier, auteur=auteur, visibilite=visibilite, texte="Note"))
        for confidentiel in (False, True):
            identifiant = uuid.uuid4()
            documents.append(
                Document(
                    uuid=identifiant,
                    dossier=dossier,
                    categorie=CategorieDocument.JUSTIFICATIF,
                    nom_origine="justificatif.pdf",
                    type_mime="application/pdf",
                    taille=1024,
                    empreinte="0" * 64,
                    chemin=f"documents/catalogue/{identifiant}",
                    confidentiel=confidentiel,
                    depose_par=auteurs[PLACE],
                )
            )
    catalogue.notes = Note.objects.bulk_create(notes)
    catalogue.documents = Document.objects.bulk_create(documents)


def ajouter_journal(catalogue: Catalogue) -> None:
    """Sur chaque dossier : un événement partagé et un événement social."""
    evenements = [
        EvenementJournal(
            dossier=dossier,
            type=TypeEvenement.NOTE,
            auteur=dossier.oriente_par,
            resume=f"Événement {visibilite} du dossier {dossier.pk}",
            visibilite=visibilite,
        )
        for dossier in catalogue.dossiers
        for visibilite in (Visibilite.PARTAGEE, Visibilite.SOCIALE)
    ]
    catalogue.evenements = EvenementJournal.objects.bulk_create(evenements)
