#!/usr/bin/env bash
# Installs npm packages when node_modules is missing or older than package-lock.json, then compiles
# (tsc is incremental: a no-op build takes a few seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # Not `npm ci`: chdb lists optional per-platform packages that were never published (only
  # linux-x64 exists), so no lock file can satisfy ci's strict check. `npm install` installs the
  # locked versions, skips the missing optional ones and leaves package-lock.json unchanged.
  echo "Installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
fi

npm run --silent build
