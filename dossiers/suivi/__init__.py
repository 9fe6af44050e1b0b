"""Suivi du parcours : plan d'action, notes, rendez-vous, documents, aides."""
