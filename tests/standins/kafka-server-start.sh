#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-server-start.sh: records its arguments in $KAFKA_HOME/record, keeps a
# copy of the properties file it was given in $KAFKA_HOME/started.properties, and exits 0.
set -euo pipefail
# shellcheck source=standin.sh
source "${BASH_SOURCE[0]%/*}/standin.sh"
if (($# < 1)); then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
  exit 1
fi
[[ -f "$1" ]] || {
  echo "$1 (No such file or directory)" >&2
  exit 1
}
cp "$1" "$home/started.properties"
