class ErreurMetier(Exception):
    """Refus d'une règle métier : le message, en français, est montré tel quel à l'utilisateur."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccesRefuse(ErreurMetier):
    """L'acteur n'a pas le droit d'écrire ici. Chaque service d'écriture vérifie le droit
    de son acteur ; les vues, qui vérifient avant pour choisir quoi afficher, répondent 403."""


class ConflitEdition(ErreurMetier):
    """Quelqu'un a enregistré la même chose entre la lecture et l'enregistrement (les vues
    répondent 409)."""


def exiger_droit(autorise: bool, message: str) -> None:
    """Dans un service : lève AccesRefuse si le droit (une fonction de `perms.py`) est refusé."""
    if not autorise:
        raise AccesRefuse(message)
