#!/usr/bin/env bash
# npm test (and CI): install whatever is missing, build, lint, type-check, then every test tier.
# Integration tests start their own Redis/ClickHouse/Kafka mock; e2e brings the whole stack up on
# separate ports, so neither touches a running dev stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The Nx ESLint plugin builds a project graph; a daemon would outlive the run.
export NX_DAEMON=false

bash infra/bin/ensure-system-deps.sh
bash infra/bin/ensure-node-deps.sh

echo "== lint"
# @nx/enforce-module-boundaries reads a cached project graph and silently skips itself without one
# (a fresh clone has none): compute it first so the boundaries are really enforced.
npx nx show projects >/dev/null
npx eslint --max-warnings 0 .
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== unit tests"
npx jest --selectProjects unit
echo "== integration tests"
npx jest --selectProjects integration
echo "== end-to-end tests"
npx jest --selectProjects e2e --runInBand
