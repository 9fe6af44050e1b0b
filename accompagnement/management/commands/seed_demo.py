"""Crée (ou met à jour) le département de démonstration. Idempotent : deux exécutions
donnent exactement les mêmes données."""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accompagnement import demo, notifications, services
from accompagnement.models import Departement, Structure, TypeStructure, User

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
]


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

    @transaction.atomic
    def handle(self, *args, force=False, minimal=False, **options):
        if not (settings.DEMO_AUTORISEE or force):
            raise CommandError(
                "Données de démonstration refusées : DEMO_AUTORISEE est faux (production ?). "
                "Utilisez --force si vous êtes sûr de vous."
            )
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

        # Chaque application peut compléter la démo (module `<app>/demo.py`, fonction
        # `charger(departement=…)` idempotente) : le noyau n'importe aucune application
        # métier, le sens des dépendances est respecté.
        for config in apps.get_app_configs():
            nom = f"{config.name}.demo"
            if minimal or config.name == "accompagnement" or importlib.util.find_spec(nom) is None:
                continue
            module = importlib.import_module(nom)
            if hasattr(module, "charger"):
                with notifications.suspendues():
                    resume = module.charger(departement=departement)
                self.stdout.write(f"{config.verbose_name} : {resume}")

        self.stdout.write(self.style.SUCCESS(f"Département de démonstration prêt : {departement}"))
        self.stdout.write(f"{len(structures)} structures, {len(comptes)} comptes.")
        self.stdout.write(f"Mot de passe de tous les comptes : {settings.DEMO_MOT_DE_PASSE}")
        for compte in demo.COMPTES_DEMO:
            roles = ", ".join(f"{role.label} ({s})" for s, role in compte.rattachements)
            self.stdout.write(f"  {compte.email:<40} {roles}")
