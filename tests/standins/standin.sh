# Sourced by the stand-in Kafka tools: records the call in $KAFKA_HOME/record (and the KAFKA_OPTS it ran with
# in $KAFKA_HOME/kafka-opts) and gives die and value.
home="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
(
  IFS=$'\t'
  printf '%s\n' "${0##*/}	$*"
) >>"$home/record"
printf '%s\t%s\n' "${0##*/}" "${KAFKA_OPTS:-}" >>"$home/kafka-opts"

die() {
  echo "$*" >&2
  exit 1
}

value() { # value <file> <key>: the value of the last <key>= line, as java.util.Properties keeps it
  awk -v key="$2" 'index($0, key "=") == 1 { found = substr($0, length(key) + 2) } END { print found }' "$1"
}
