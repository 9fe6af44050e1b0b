"""Fiche du dossier : la seule page qui assemble plusieurs capacités, par leurs `lectures`."""
