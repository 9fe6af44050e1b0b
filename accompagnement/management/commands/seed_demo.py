"""Crée (ou met à jour) le département de démonstration. Idempotent : deux exécutions
donnent exactement les mêmes données.

Chaque chargement inscrit sa version (l'empreinte du code et des données de démonstration)
en commentaire de la base : `seed_demo --si-necessaire` (lancé par `make run`) ne fait rien
si la démonstration de cette version y est déjà, sans rien relire ni réécrire."""

import hashlib
import importlib
import importlib.util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from accompagnement import demo, notifications, services
from accompagnement.models import Departement, Notification, Structure, TypeStructure, User

PERMISSIONS_COORDINATION = [
    "view_departement",
    "change_departement",
    "view_structure",
    "add_structure",
    "change_structure",
    "view_user",
    "add_user",
    "change_user",
    "view_membership",
    "add_membership",
    "change_membership",
    "view_evenementaudit",
    # Tentatives de connexion (django-axes) des comptes du département : voir, débloquer.
    "view_accessattempt",
    "delete_accessattempt",
    # Conventions de partenariat et avenants (application conventions).
    *(
        f"{action}_{modele}"
        for modele in ("convention", "partie", "signataire", "engagement", "moyen")
        for action in ("view", "add", "change", "delete")
    ),
    "view_avenant",
    "add_avenant",
    # Effectifs (postes des conventions) et exemplaires signés (ajout seul).
    *(f"{action}_effectif" for action in ("view", "add", "change", "delete")),
    "view_documentsigne",
    "add_documentsigne",
    *(f"{a}_{m}" for m in ("seance", "participant") for a in ("view", "add", "change", "delete")),
]

PREFIXE_VERSION = "accompagnement-demo:"


def _modules_demo() -> list[str]:
    """Les modules `<app>.demo` des applications installées, dans l'ordre des applications."""
    return [
        f"{config.name}.demo"
        for config in apps.get_app_configs()
        if importlib.util.find_spec(f"{config.name}.demo") is not None
    ]


def version_demo(*, minimal: bool) -> str:
    """Empreinte de ce que chargerait seed_demo : cette commande, les modules de
    démonstration (`demo*.py`) et les fichiers `fixtures/` de leurs applications, le mot
    de passe."""
    fichiers = [Path(__file__)]
    for nom in _modules_demo():
        module = Path(importlib.util.find_spec(nom).origin)
        # Le module et ses compagnons (`demo_conventions.py`, `demo_vivante.py`…).
        fichiers += sorted(module.parent.glob("demo*.py"))
        fichiers += sorted((module.parent / "fixtures").glob("**/*"))
    empreinte = hashlib.sha256(f"{minimal}|{settings.DEMO_MOT_DE_PASSE}".encode())
    for fichier in fichiers:
        if fichier.is_file():
            empreinte.update(fichier.name.encode() + fichier.read_bytes())
    return empreinte.hexdigest()[:16] + ("-minimal" if minimal else "")


def version_chargee() -> str | None:
    """La version de démonstration inscrite dans la base courante, s'il y en a une."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        (commentaire,) = cursor.fetchone()
    if commentaire and commentaire.startswith(PREFIXE_VERSION):
        return commentaire.removeprefix(PREFIXE_VERSION)
    return None


def inscrire_version(version: str) -> bool:
    """Inscrit la version en commentaire de la base (COMMENT ON DATABASE : disparaît avec
    elle). Sans droit sur la base (propriétaire autre), rien n'est inscrit."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            nom = connection.ops.quote_name(cursor.fetchone()[0])
            # version : hexadécimal et « -minimal » seulement, rien à échapper.
            cursor.execute(f"COMMENT ON DATABASE {nom} IS '{PREFIXE_VERSION}{version}'")
    except DatabaseError:
        return False
    return True


def _souhaiter_bienvenue() -> None:
    """Un message d'accueil dans la boîte de chaque compte de démonstration (une fois)."""
    deja = set(
        Notification.objects.filter(
            destinataire__email__in=[c.email for c in demo.COMPTES_DEMO], titre=demo.BIENVENUE
        ).values_list("destinataire__email", flat=True)
    )
    for compte in demo.COMPTES_DEMO:
        if compte.email in deja:
            continue
        textes = [demo.ACCUEIL_PAR_ROLE[role] for _, role in compte.rattachements]
        notifications.envoyer(
            destinataires=User.objects.filter(email=compte.email),
            sujet=demo.BIENVENUE,
            texte=" ".join(textes),
            lien="/",
        )


class Command(BaseCommand):
    help = "Crée le département de démonstration et un compte par rôle (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Autorise la démo même si DEMO_AUTORISEE est faux (jamais en production).",
        )
        parser.add_argument(
            "--minimal",
            action="store_true",
            help="Seulement le département, ses structures et les comptes (sans dossiers).",
        )
        parser.add_argument(
            "--sans-comptes",
            action="store_true",
            help=(
                "Seulement les données des applications (dossiers…) : le département, ses "
                "structures et les comptes sont déjà là (`--minimal`). Aucune ligne de compte "
                "n'est verrouillée : on se connecte pendant le chargement (make run)."
            ),
        )
        parser.add_argument(
            "--si-necessaire",
            action="store_true",
            help="Ne fait rien si la démonstration de cette version est déjà chargée (make run).",
        )

    def handle(
        self,
        *args,
        force=False,
        minimal=False,
        si_necessaire=False,
        sans_comptes=False,
        **options,
    ):
        if not (settings.DEMO_AUTORISEE or force):
            raise CommandError(
                "Données de démonstration refusées : DEMO_AUTORISEE est faux (production ?). "
                "Utilisez --force si vous êtes sûr de vous."
            )
        version = version_demo(minimal=minimal)
        if si_necessaire and version_chargee() == version:
            self.stdout.write(
                f"Démonstration déjà chargée (version {version}) : rien à faire "
                "(`python manage.py seed_demo` la recharge)."
            )
            return
        # Une seule transaction : « prêt » n'est écrit qu'une fois tout validé (le banc de
        # démarrage et `make run` s'y fient).
        with transaction.atomic():
            if sans_comptes:
                departement = Departement.objects.filter(code_insee=demo.CODE_DEPARTEMENT).first()
                if departement is None:
                    raise CommandError("Chargez d'abord les comptes : seed_demo --minimal.")
            else:
                departement = self.comptes()
            self.applications(departement, minimal=minimal)
            _souhaiter_bienvenue()
            inscrire_version(version)
        self.stdout.write(self.style.SUCCESS(f"Département de démonstration prêt : {departement}"))
        self.stdout.write(f"Mot de passe de tous les comptes : {settings.DEMO_MOT_DE_PASSE}")
        for compte in demo.COMPTES_DEMO:
            roles = ", ".join(f"{role.label} ({s})" for s, role in compte.rattachements)
            self.stdout.write(f"  {compte.email:<40} {roles}")

    def comptes(self) -> Departement:
        """Le département, ses structures, le groupe de coordination et les comptes."""
        departement, _ = Departement.objects.update_or_create(
            code_insee=demo.CODE_DEPARTEMENT, defaults={"nom": demo.NOM_DEPARTEMENT, "actif": True}
        )
        structures = {}
        lots = [
            (demo.AGENCES, TypeStructure.AGENCE_FT),
            (demo.TERRITOIRES, TypeStructure.TERRITOIRE_SOCIAL),
            ([demo.DIRECTION], TypeStructure.DIRECTION_INSERTION),
        ]
        for liste, type_ in lots:
            for nom, commune in liste:
                structures[nom], _ = Structure.objects.update_or_create(
                    departement=departement,
                    nom=nom,
                    defaults={"type": type_, "commune": commune, "actif": True},
                )

        groupe, _ = Group.objects.get_or_create(name="Coordination départementale")
        groupe.permissions.set(Permission.objects.filter(codename__in=PERMISSIONS_COORDINATION))

        # Un seul hachage pour tous les comptes de démo (sinon plusieurs secondes par compte).
        mot_de_passe = make_password(settings.DEMO_MOT_DE_PASSE)
        comptes = [
            (c.email, c.prenom, c.nom, c.rattachements, c.staff) for c in demo.COMPTES_DEMO
        ] + [
            (email, prenom, nom, ((structure, role),), False)
            for email, prenom, nom, structure, role in demo.professionnels_generes()
        ]
        for email, prenom, nom, rattachements, staff in comptes:
            user, cree = User.objects.get_or_create(
                email=email,
                defaults={
                    "prenom": prenom,
                    "nom": nom,
                    "is_staff": staff,
                    "password": mot_de_passe,
                },
            )
            if not cree:
                user.prenom, user.nom, user.is_staff, user.is_active = prenom, nom, staff, True
                user.password = mot_de_passe
                user.save(update_fields=["prenom", "nom", "is_staff", "is_active", "password"])
            if staff:
                user.groups.add(groupe)
            for nom_structure, role in rattachements:
                services.rattacher(user=user, structure=structures[nom_structure], role=role)
        self.stdout.write(f"{len(structures)} structures, {len(comptes)} comptes.")
        return departement

    def applications(self, departement: Departement, *, minimal: bool) -> None:
        # Chaque application peut compléter la démo (module `<app>/demo.py`, fonction
        # `charger(departement=…)` idempotente) : le noyau n'importe aucune application
        # métier, le sens des dépendances est respecté.
        for nom in _modules_demo():
            config = apps.get_containing_app_config(nom)
            if minimal or config.name == "accompagnement":
                continue
            module = importlib.import_module(nom)
            if hasattr(module, "charger"):
                with notifications.suspendues():
                    resume = module.charger(departement=departement)
                self.stdout.write(f"{config.verbose_name} : {resume}")
