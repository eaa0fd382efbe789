#!/usr/bin/env bash
# Builds the Kafka mock launcher (infra/kafka-mock/mock-cluster.c) against Debian's librdkafka-dev.
# Usage: build-kafka-mock.sh [output]   (default: .faultline/bin/kafka-mock). Rebuilds only when the
# source is newer than the binary. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/../.."

source_file=infra/kafka-mock/mock-cluster.c
output=${1:-.faultline/bin/kafka-mock}

if [[ ! -x "$output" || "$source_file" -nt "$output" ]]; then
  if ! pkg-config --exists rdkafka; then
    echo "librdkafka-dev is missing (infra/bin/ensure-system-deps.sh installs it)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$output")"
  # Build to a temporary name and rename, so a concurrent start never runs a half-written binary.
  tmp="$output.tmp.$$"
  # shellcheck disable=SC2046  # pkg-config output is meant to split into flags
  gcc -O2 -Wall -o "$tmp" "$source_file" $(pkg-config --cflags --libs rdkafka)
  mv -f "$tmp" "$output"
fi
echo "$output"
