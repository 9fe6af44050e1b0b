"""Import des demandeurs (CSV, XLSX) : lecture, correspondance des colonnes, aperçu, écriture en masse."""
