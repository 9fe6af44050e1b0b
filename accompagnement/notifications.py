"""Notifications aux professionnels : une boîte de réception dans l'application et, par
courriel, un résumé quotidien (Celery beat) plutôt qu'un message par événement. Une
décision qui concerne directement quelqu'un lui est envoyée aussitôt (`immediat=True`).

Tout est écrit dans la transaction de l'événement : si l'écriture échoue, rien ne part."""

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import CategorieNotification, Membership, Notification

_suspendues: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_suspendues", default=False
)
_sans_courriel: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_sans_courriel", default=False
)
PREFIXE_SUJET = "[Accompagnement global]"


@contextlib.contextmanager
def suspendues() -> Iterator[None]:
    """Aucune notification dans ce bloc : chargements de démonstration, reprises de données
    (des centaines d'événements passés qui ne concernent plus personne aujourd'hui)."""
    jeton = _suspendues.set(True)
    try:
        yield
    finally:
        _suspendues.reset(jeton)


def suspendues_ici() -> bool:
    """Vrai dans un bloc `suspendues()` : les tâches qui écrivent leurs notifications en SQL
    (échéances) le consultent pour rester soumises à la même règle."""
    return _suspendues.get()


@contextlib.contextmanager
def retablies() -> Iterator[None]:
    """Les notifications à nouveau écrites dans un bloc `suspendues`, dans la boîte de
    réception seulement (aucun courriel) : les événements récents d'une démonstration, qui
    concernent encore quelqu'un aujourd'hui."""
    jeton, sans_courriel = _suspendues.set(False), _sans_courriel.set(True)
    try:
        yield
    finally:
        _suspendues.reset(jeton)
        _sans_courriel.reset(sans_courriel)


def url_absolue(lien: str) -> str:
    return f"{settings.URL_PUBLIQUE.rstrip('/')}{lien}" if lien else ""


def sortis(user_ids: Iterable[int]) -> set[int]:
    """Les comptes sortis : des rattachements, aucun d'actif (structure et département
    actifs compris). Ils ne reçoivent plus rien par courriel — ni résumé, ni envoi
    immédiat — et ne lisent plus leur boîte (`StructureCouranteMiddleware`). Un compte sans
    aucun rattachement (super-utilisateur, compte technique) n'est pas « sorti »."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    rattaches = set(
        Membership.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    actifs = set(
        Membership.objects.actifs().filter(user_id__in=rattaches).values_list("user_id", flat=True)
    )
    return rattaches - actifs


def _courriel(destinataire, sujet: str, texte: str) -> None:
    from .taches import envoyer_ou_journaliser
    from .tasks import envoyer_courriel

    adresse, user_id = destinataire.email, destinataire.pk
    corps = f"Bonjour {destinataire.prenom},\n\n{texte}\n\n— Accompagnement global"

    def partir():
        # Vérifié au départ (après validation), pas pendant l'événement : sans requête de
        # plus dans la transaction du service.
        if not sortis([user_id]):
            # Broker injoignable : journalisé, la page répond (la notification reste dans
            # la boîte de réception).
            envoyer_ou_journaliser(envoyer_courriel, f"{PREFIXE_SUJET} {sujet}", corps, [adresse])

    transaction.on_commit(partir)


def envoyer(
    *,
    destinataires: Iterable,
    sujet: str,
    texte: str = "",
    lien: str = "",
    categorie: CategorieNotification = CategorieNotification.AUTRE,
    immediat: bool = False,
) -> list[Notification]:
    if _suspendues.get():
        return []
    uniques = {u.pk: u for u in destinataires if u is not None and u.is_active and u.email}
    if not uniques:
        return []
    maintenant = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                destinataire=u,
                categorie=categorie,
                titre=sujet[:200],
                texte=texte,
                lien=lien,
                envoyee_le=maintenant if immediat else None,
            )
            for u in uniques.values()
        ]
    )
    if immediat and not _sans_courriel.get():
        for u in uniques.values():
            _courriel(u, sujet, f"{texte}\n\n{url_absolue(lien)}".strip())
    return notifications


def envoyer_en_masse(
    messages: Iterable[tuple], *, categorie: CategorieNotification
) -> list[Notification]:
    """Les notifications de tâches quotidiennes, en un seul INSERT quel que soit leur nombre :
    `messages` donne des (destinataires, sujet, texte, lien). Mêmes règles qu'`envoyer`
    (comptes actifs avec courriel, un destinataire une fois par message) ; jamais de
    courriel immédiat (elles entrent dans le résumé)."""
    if _suspendues.get():
        return []
    a_creer = []
    for destinataires, sujet, texte, lien in messages:
        uniques = {u.pk: u for u in destinataires if u is not None and u.is_active and u.email}
        a_creer += [
            Notification(
                destinataire=u, categorie=categorie, titre=sujet[:200], texte=texte, lien=lien
            )
            for u in uniques.values()
        ]
    return Notification.objects.bulk_create(a_creer) if a_creer else []


@transaction.atomic
def envoyer_resumes() -> int:
    """Un courriel par destinataire regroupant ses notifications pas encore envoyées.
    Idempotent : une notification n'entre que dans un seul résumé."""
    a_envoyer = (
        Notification.objects.a_resumer()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("destinataire")
        .order_by("destinataire_id", "cree_le")
    )
    par_destinataire = defaultdict(list)
    for notification in a_envoyer:
        par_destinataire[notification.destinataire].append(notification)
    maintenant = timezone.now()
    # Un compte sorti ne reçoit plus de résumé ; ses notifications restent « à envoyer »
    # (sans courriel, elles ne sont pas marquées envoyées).
    exclus = sortis(u.pk for u in par_destinataire)
    for destinataire in [u for u in par_destinataire if u.pk in exclus]:
        del par_destinataire[destinataire]
    for destinataire, notifications in par_destinataire.items():
        if not (destinataire.is_active and destinataire.email):
            continue
        lignes = [
            f"• {n.cree_le:%d/%m/%Y} — {n.get_categorie_display()} : {n.titre}"
            + (f"\n  {url_absolue(n.lien)}" if n.lien else "")
            for n in notifications
        ]
        nombre = len(notifications)
        _courriel(
            destinataire,
            f"{nombre} nouveauté{'s' if nombre > 1 else ''} dans vos dossiers",
            "Voici ce qui s'est passé depuis votre dernier résumé :\n\n"
            + "\n".join(lignes)
            + f"\n\nVotre boîte de réception : {url_absolue('/notifications/')}",
        )
    Notification.objects.filter(
        pk__in=[n.pk for liste in par_destinataire.values() for n in liste]
    ).update(envoyee_le=maintenant)
    return len(par_destinataire)
