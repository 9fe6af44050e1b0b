#!/usr/bin/env bash
# Sauvegarde de la base (pg_dump, format personnalisé -Fc) et des fichiers déposés (MEDIA_ROOT)
# dans un dossier daté : docs/sauvegarde.md.
#
#   DATABASE_URL=postgres://… MEDIA_ROOT=/app/var/media scripts/sauvegarder.sh [DOSSIER]
#
# Produit DOSSIER/AAAAMMJJ-HHMMSS/{base.dump,media.tar.gz,SHA256SUMS} et écrit ce chemin en
# dernière ligne. Rien n'est modifié dans la base : pg_dump lit un instantané cohérent,
# l'application peut rester en marche.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL est obligatoire (postgres://utilisateur:motdepasse@hôte:port/base)}"
: "${MEDIA_ROOT:?MEDIA_ROOT est obligatoire (dossier des fichiers déposés)}"
racine="${1:-${SAUVEGARDE_DOSSIER:-./sauvegardes}}"
horodatage="$(date -u +%Y%m%d-%H%M%S)"
cible="${racine%/}/${horodatage}"
umask 077  # données personnelles : lisibles du seul propriétaire
mkdir -p "$cible"

# Sans propriétaires ni droits : la restauration se fait sous le rôle de l'application.
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$cible/base.dump" "$DATABASE_URL"

if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$cible/media.tar.gz" .
else
  echo "MEDIA_ROOT ($MEDIA_ROOT) n'existe pas : archive des fichiers vide." >&2
  tar -czf "$cible/media.tar.gz" -T /dev/null
fi

(cd "$cible" && sha256sum base.dump media.tar.gz > SHA256SUMS)
echo "Sauvegarde écrite : base $(du -h "$cible/base.dump" | cut -f1), fichiers $(du -h "$cible/media.tar.gz" | cut -f1)." >&2
echo "$cible"
