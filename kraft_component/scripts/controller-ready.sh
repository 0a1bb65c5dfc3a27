#!/usr/bin/env bash
# Readiness of a controller-only node: it knows the quorum leader and its copy of the metadata log is
# moving. The active controller appends a record at least every metadata.max.idle.interval.ms (500 ms
# by default) and every voter replicates it, so a log untouched for longer than
# KRAFT_METADATA_STALE_SECONDS means this controller stopped following the quorum, even while its port
# still accepts connections.
set -euo pipefail

not_ready() {
  echo "not ready: $*"
  exit 1
}

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

props="${KRAFT_SERVER_PROPERTIES:?}"
stale_after="${KRAFT_METADATA_STALE_SECONDS:-30}"
[[ -f "$props" ]] || not_ready "$props is not written yet"
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

newest=0
for segment in "$partition"/*.log; do
  [[ -f "$segment" ]] || continue
  modified="$(stat -c %Y "$segment")"
  ((modified > newest)) && newest="$modified"
done
age=$(($(date +%s) - newest))
((age <= stale_after)) || not_ready "the metadata log has not moved for ${age}s (leader $leader)"
