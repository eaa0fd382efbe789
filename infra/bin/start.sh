#!/usr/bin/env bash
# npm start: `up`, then follow every log in the foreground; Ctrl-C stops the whole stack.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash infra/bin/up.sh

stopping=false
stop_stack() {
  if [[ "$stopping" == true ]]; then return; fi
  stopping=true
  if [[ -n "${tail_pid:-}" ]]; then kill "$tail_pid" 2>/dev/null || true; fi
  echo
  bash infra/bin/down.sh
}
trap stop_stack INT TERM EXIT

logs_dir="${FAULTLINE_HOME:-.faultline}/logs"
echo "Following ${logs_dir}/*.log (Ctrl-C stops Faultline)"
tail -n 0 -F "$logs_dir"/*.log &
tail_pid=$!
wait "$tail_pid" || true
