#!/usr/bin/env bash
# Installe les paquets Debian dont l'application a besoin (WeasyPrint ; pour les tests :
# Chromium et poppler). En root : apt-get ; sinon : la liste des paquets à installer.
# Usage : scripts/deps-systeme.sh run|test
set -euo pipefail
profil=${1:-run}

manquants=()
lib() { ldconfig -p 2>/dev/null | grep -q "$1" || manquants+=("$2"); }
bin() { command -v "$1" >/dev/null 2>&1 || manquants+=("$2"); }

# WeasyPrint : Pango, HarfBuzz subset (sans lui, PDF 3× plus lents) et une police.
lib 'libpango-1.0.so.0' libpango-1.0-0
lib 'libpangoft2-1.0.so.0' libpangoft2-1.0-0
lib 'libharfbuzz-subset.so.0' libharfbuzz-subset0
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || manquants+=(fonts-dejavu-core)
if [ "$profil" = test ]; then
  bin chromium chromium
  bin pdftoppm poppler-utils
fi

[ ${#manquants[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation des paquets système : ${manquants[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${manquants[@]}" >/dev/null
else
  echo "Paquets système manquants : ${manquants[*]}" >&2
  echo "Installez-les (Debian/Ubuntu) : sudo apt-get install --no-install-recommends ${manquants[*]}" >&2
  exit 1
fi
