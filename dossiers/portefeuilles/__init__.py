"""Portefeuilles : mon portefeuille, dossiers du département, charges des professionnels, leurs filtres."""
