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
# `npm run lint` computes the Nx project graph first: @nx/enforce-module-boundaries silently skips
# itself without a cached one (a fresh clone has none).
npm run --silent lint
echo "== typecheck"
npm run --silent typecheck
echo "== unit tests"
npx jest --selectProjects unit
echo "== integration tests"
npx jest --selectProjects integration
echo "== end-to-end tests"
npx jest --selectProjects e2e --runInBand
echo "== chaos tests"
# Faults of issue 6 (SIGTERM, Kafka down, kill -9) against a stack of their own (.faultline/chaos).
npx jest --selectProjects chaos --runInBand
