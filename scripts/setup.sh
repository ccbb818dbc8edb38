#!/usr/bin/env bash
# Installs whatever is missing: Debian packages, the virtualenv and its pinned packages, npm assets.
# Idempotent: each step is skipped when its stamp is newer than its inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES="postgresql-15 postgresql-15-postgis-3 postgresql-15-postgis-3-scripts gdal-bin poppler-utils redis-server
  cgi-mapserver mapserver-bin chromium libnss3-tools gettext nodejs npm wrk zbar-tools fonts-dejavu-core
  libpango-1.0-0 libpangoft2-1.0-0
  python3-qgis qgis-providers"
# Pango for WeasyPrint (commission PDFs; DejaVu Sans has the Arabic glyphs). QGIS's Python bindings and providers
# (OAPIF, WMS/WMTS, vector tiles) for the headless client test (tests/clients): the `qgis` desktop app is not needed.
missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# nodejs/npm may come from elsewhere (nvm, NodeSource): only ask apt for them when the commands are absent.
command -v node >/dev/null && missing="${missing/ nodejs/}"
command -v npm >/dev/null && missing="${missing/ npm/}"
if [ -n "${missing// /}" ]; then
  echo "setup: installing Debian packages:$missing"
  $SUDO apt-get update -q -o DPkg::Lock::Timeout=120
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 $missing
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
  PY="$(scripts/find-python.sh)"
  echo "setup: creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.stamp ] || [ requirements.txt -nt .venv/.stamp ] || [ requirements-dev.txt -nt .venv/.stamp ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c 'import django, shapely, pyogrio, psycopg'  # fail here if the install failed
  touch .venv/.stamp
fi

if [ ! -f node_modules/.stamp ] || [ package.json -nt node_modules/.stamp ] || [ package-lock.json -nt node_modules/.stamp ]; then
  echo "setup: installing npm assets"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.stamp
fi
mkdir -p web/static/vendor/maplibre-gl
cp -u node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css web/static/vendor/maplibre-gl/
# PDF.js (the plan viewer): the library, its worker, the standard fonts and character maps of plans that do not embed
# theirs, the wasm image decoders (JPEG 2000, JBIG2 scans); all served from our static files.
mkdir -p web/static/vendor/pdfjs
cp -u node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs web/static/vendor/pdfjs/
cp -ru node_modules/pdfjs-dist/standard_fonts node_modules/pdfjs-dist/cmaps node_modules/pdfjs-dist/wasm web/static/vendor/pdfjs/

# Apache ECharts (the open-data dashboard's charts): the "common" build (line, bar, pie, the usual components),
# canvas renderer; no eval, so the strict CSP suffices.
mkdir -p web/static/vendor/echarts
cp -u node_modules/echarts/dist/echarts.common.min.js web/static/vendor/echarts/

po_files="$(find locale web parcels gis_core -name '*.po' 2>/dev/null || true)"
if [ -n "$po_files" ]; then
  if [ ! -f var/.messages.stamp ] || [ -n "$(find locale web parcels gis_core -name '*.po' -newer var/.messages.stamp 2>/dev/null)" ]; then
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0
    touch var/.messages.stamp
  fi
fi
