#!/usr/bin/env bash
# Stand-in for kafka-features.sh: records its arguments in $KAFKA_HOME/record; the --command-config file
# it was given is kept as $KAFKA_HOME/client.properties, since the caller may delete it.
set -euo pipefail
# shellcheck source=standin.sh
source "${BASH_SOURCE[0]%/*}/standin.sh"
arguments=("$@")
for ((i = 0; i < ${#arguments[@]} - 1; i++)); do
  [[ "${arguments[i]}" != --command-config ]] || cp "${arguments[i + 1]}" "$home/client.properties"
done
