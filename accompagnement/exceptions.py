class ErreurMetier(Exception):
    """Refus d'une règle métier : le message, en français, est montré tel quel à l'utilisateur."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
