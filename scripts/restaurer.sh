#!/usr/bin/env bash
# Restauration d'une sauvegarde de scripts/sauvegarder.sh dans une base VIDE et un dossier
# de fichiers vide : docs/sauvegarde.md.
#
#   DATABASE_URL=postgres://…/base_neuve MEDIA_ROOT=/app/var/media scripts/restaurer.sh DOSSIER
#
# Refuse une base qui a déjà des tables, ou un MEDIA_ROOT qui a déjà des fichiers : on ne
# mélange jamais une sauvegarde avec des données vivantes. Vérifie les sommes SHA-256 avant
# de toucher à quoi que ce soit ; s'arrête à la première erreur de pg_restore.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL est obligatoire (la base neuve, créée vide : createdb …)}"
: "${MEDIA_ROOT:?MEDIA_ROOT est obligatoire (dossier des fichiers déposés)}"
source="${1:?Usage : scripts/restaurer.sh DOSSIER_DE_SAUVEGARDE}"

for f in base.dump media.tar.gz SHA256SUMS; do
  [ -f "$source/$f" ] || { echo "Fichier manquant : $source/$f" >&2; exit 2; }
done
(cd "$source" && sha256sum --check --quiet SHA256SUMS) \
  || { echo "Sommes de contrôle fausses : sauvegarde abîmée, rien n'est restauré." >&2; exit 2; }

tables="$(psql "$DATABASE_URL" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "La base cible a déjà $tables tables : restaurez dans une base neuve (createdb)." >&2
  exit 3
fi
mkdir -p "$MEDIA_ROOT"
if [ -n "$(find "$MEDIA_ROOT" -mindepth 1 -print -quit)" ]; then
  echo "MEDIA_ROOT ($MEDIA_ROOT) n'est pas vide : restaurez dans un dossier vide." >&2
  exit 3
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$source/base.dump"
tar -C "$MEDIA_ROOT" -xzf "$source/media.tar.gz"
echo "Restauration terminée depuis $source." >&2
