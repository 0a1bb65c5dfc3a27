#!/usr/bin/env bash
# Readiness of a controller-only node: it knows the quorum leader and its copy of the metadata log moves
# in this run of Kafka. The active controller appends a record at least every metadata.max.idle.interval.ms
# (500 ms by default) and every voter replicates it, so a log untouched for longer than
# KRAFT_METADATA_STALE_SECONDS means this controller stopped following the quorum, even while its port
# still accepts connections. quorum-state alone proves nothing live: Kafka keeps the leaderId of before a
# restart there, and rewrites the file on state changes while it follows nobody. So the log must also have
# been written after KRAFT_JVM_STARTED_FILE, which the node script rewrites just before Kafka starts (unset
# only in a pod of an earlier release's template, which runs this script until it rolls).
set -euo pipefail

not_ready() {
  echo "not ready: $*"
  exit 1
}

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

props="${KRAFT_SERVER_PROPERTIES:?}"
started="${KRAFT_JVM_STARTED_FILE:-}"
stale_after="${KRAFT_METADATA_STALE_SECONDS:-30}"
[[ -f "$props" ]] || not_ready "$props is not written yet"
[[ -z "$started" || -f "$started" ]] || not_ready "Kafka has not been started yet ($started is missing)"
metadata_dir="$(property "$props" metadata.log.dir)"
if [[ -z "$metadata_dir" ]]; then
  log_dirs="$(property "$props" log.dirs)"
  metadata_dir="${log_dirs%%,*}"
fi
partition="$metadata_dir/__cluster_metadata-0"

[[ -f "$partition/quorum-state" ]] || not_ready "no quorum state in $partition"
state="$(<"$partition/quorum-state")"
[[ "$state" =~ \"leaderId\":(-?[0-9]+) ]] || not_ready "no leaderId in $partition/quorum-state"
leader="${BASH_REMATCH[1]}"
((leader >= 0)) || not_ready "no quorum leader is known"

newest=""
for segment in "$partition"/*.log; do
  [[ -f "$segment" && (-z "$newest" || "$segment" -nt "$newest") ]] && newest="$segment"
done
[[ -n "$newest" ]] || not_ready "no metadata log segment in $partition"
[[ -z "$started" || "$newest" -nt "$started" ]] ||
  not_ready "the metadata log has not moved since Kafka started (leader $leader)"
age=$(($(date +%s) - $(stat -c %Y "$newest")))
((age <= stale_after)) || not_ready "the metadata log has not moved for ${age}s (leader $leader)"
