#!/usr/bin/env bash
# npm run down: stop every process the local stack started. Needs only the compiled stack scripts.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -f dist/infra/src/down.js ]]; then
  if [[ ! -d node_modules ]]; then bash infra/bin/ensure-node-deps.sh; else npm run --silent build; fi
fi
exec node -r ./infra/runtime/register-paths.js dist/infra/src/down.js
