#!/usr/bin/env bash
# Installs npm packages when node_modules is missing or older than package-lock.json, then compiles
# (tsc is incremental: a no-op build takes a few seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

npm run --silent build
