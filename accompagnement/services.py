"""Écritures du noyau : toutes passent par ici (vues, commandes, admin)."""

from django.db import transaction

from . import audit
from .exceptions import ErreurMetier
from .models import (
    ROLES_PAR_TYPE_STRUCTURE,
    ActionAudit,
    Membership,
    Role,
    Structure,
    User,
)


def verifier_rattachement(*, structure: Structure, role: Role, actif: bool = True) -> None:
    """La règle d'un rattachement, la même pour le service et pour l'administration :
    le rôle doit exister dans ce type de structure (`ROLES_PAR_TYPE_STRUCTURE` : pas de
    travailleur social dans une agence France Travail, par exemple) et un rattachement
    actif exige une structure active. Lève `ErreurMetier` sinon."""
    if role not in ROLES_PAR_TYPE_STRUCTURE[structure.type]:
        raise ErreurMetier(
            f"Le rôle « {Role(role).label} » n'existe pas dans une structure de type "
            f"« {structure.get_type_display()} »."
        )
    if actif and not structure.actif:
        raise ErreurMetier(f"La structure « {structure.nom} » est désactivée.")


@transaction.atomic
def rattacher(
    *, user: User, structure: Structure, role: Role, par: User | None = None
) -> Membership:
    """Rattache `user` à `structure` avec `role` (ou réactive ce rattachement), après
    `verifier_rattachement`."""
    verifier_rattachement(structure=structure, role=role)
    membership, cree = Membership.objects.get_or_create(user=user, structure=structure, role=role)
    if not cree and membership.actif:
        return membership
    if not cree:
        membership.actif = True
        membership.save(update_fields=["actif"])
    audit.enregistrer(
        action=ActionAudit.CREATION if cree else ActionAudit.MODIFICATION,
        acteur=par,
        departement=structure.departement,
        objet=membership,
        details={"role": role, "structure": structure.nom, "utilisateur": user.email},
    )
    return membership


@transaction.atomic
def detacher(*, membership: Membership, par: User | None = None) -> Membership:
    """Désactive un rattachement (l'historique reste : rien n'est supprimé)."""
    if not membership.actif:
        raise ErreurMetier("Ce rattachement est déjà inactif.")
    membership.actif = False
    membership.save(update_fields=["actif"])
    audit.enregistrer(
        action=ActionAudit.MODIFICATION,
        acteur=par,
        departement=membership.structure.departement,
        objet=membership,
        details={"actif": False},
    )
    return membership
