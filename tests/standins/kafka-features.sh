#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-features.sh: records its arguments in $KAFKA_HOME/record (the --command-config
# file it was given is kept as $KAFKA_HOME/client.properties, since the caller may delete it). `version-mapping
# --release-version <v>` prints what Kafka 4.4.0 prints for the releases below (metadata.version=<level> (<v>)
# first, then other features); the real tool's answers for every release are proven in tests/realkafka.
set -euo pipefail
# shellcheck source=standin.sh
source "${BASH_SOURCE[0]%/*}/standin.sh"
arguments=("$@")
for ((i = 0; i < ${#arguments[@]} - 1; i++)); do
  [[ "${arguments[i]}" != --command-config ]] || cp "${arguments[i + 1]}" "$home/client.properties"
done
declare -A levels=([3.9]=21 [4.0]=25 [4.1]=27 [4.2]=29 [4.3]=30 [4.3-IV0]=30 [4.4]=33)
for ((i = 0; i < ${#arguments[@]}; i++)); do
  [[ "${arguments[i]}" == version-mapping ]] || continue
  release="${arguments[i + 2]:-}"
  [[ "${arguments[i + 1]:-}" == --release-version && -n "${levels[$release]:-}" ]] ||
    die "Unknown release version '$release'."
  printf 'metadata.version=%s (%s)\nkraft.version=1\ntransaction.version=2\n' "${levels[$release]}" "$release"
done
