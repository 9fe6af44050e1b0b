#!/usr/bin/env python
"""Point d'entrée des commandes d'administration Django."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accompagnement.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 — force le chargement pour valider la configuration
    except ImproperlyConfigured as exc:
        # Une configuration invalide doit se lire en une ligne, pas dans une pile d'appels.
        sys.stderr.write(f"Configuration invalide : {exc}\n")
        sys.exit(2)
    import django

    django.setup()
    from accompagnement.historique import contexte_systeme

    # Toute écriture d'une commande (import, shell, démonstration) est attribuée dans
    # l'historique à la commande et au compte système qui la lance (décision 27).
    with contexte_systeme("commande", nom=" ".join(sys.argv[1:2])):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
