#!/usr/bin/env bash
# npm run up: install what is missing, build, start the local stack in the background, return.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash infra/bin/ensure-system-deps.sh
bash infra/bin/ensure-node-deps.sh
exec node -r ./infra/runtime/register-paths.js dist/infra/src/up.js
