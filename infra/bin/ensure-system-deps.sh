#!/usr/bin/env bash
# Installs the Debian packages the local stack and the tests run on, when any is missing:
# redis-server, clickhouse-server (Debian 12: 18.16), librdkafka-dev + gcc + pkg-config (to build
# the Kafka mock launcher), zookeeper (Debian 12: 3.8, coordinating the two-server ClickHouse cluster
# of libs/clickhouse's cluster tests; pulls a Java runtime when none is there). Idempotent: does
# nothing, not even `apt-get update`, when all are there.
set -euo pipefail

# command name -> Debian package; a command already on the machine (however installed) is enough.
declare -A packages_by_command=(
  [redis-server]=redis-server
  [clickhouse-server]=clickhouse-server
  [gcc]=gcc
  [pkg-config]=pkg-config
)

missing=()
for command in "${!packages_by_command[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$command" ]]; then
    # Current official ClickHouse packages ship one `clickhouse` binary instead; it will do.
    if [[ "$command" == clickhouse-server ]] && command -v clickhouse >/dev/null 2>&1; then continue; fi
    missing+=("${packages_by_command[$command]}")
  fi
done
if ! pkg-config --exists rdkafka 2>/dev/null; then missing+=(librdkafka-dev); fi
# The zookeeper package puts no command on PATH: infra/src/clickhouse-cluster.ts runs its jars with java.
if [[ ! -f /usr/share/java/zookeeper.jar ]] || ! command -v java >/dev/null 2>&1; then missing+=(zookeeper); fi

if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

echo "Installing missing system packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

# clickhouse-server's maintainer script starts the system service. We never use that instance (the
# stack runs its own with its own config and data dir), so forbid service starts during the install
# unless the machine already has a policy.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  added_policy=true
fi
cleanup() { if [[ "$added_policy" == true ]]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
