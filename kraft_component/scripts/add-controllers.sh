#!/usr/bin/env bash
# Makes every controller of a dynamic quorum's pool a voter on the disk it runs on (KIP-853), and may run any
# number of times. `describe --replication` lists each replica by node ID and directory ID; the row of a
# node ID that fetched last is the controller as it runs now. A controller that votes is left alone. One that
# is an observer is made a voter once it trails the leader by at most KRAFT_MAX_LAG records: if a voter with
# its node ID and another directory ID remains, that is its old disk, which is gone (a pod runs one metadata
# directory), so that voter is removed first (Kafka refuses a second voter with one node ID); then
# `kafka-metadata-quorum.sh add-controller` adds it. add-controller reads the controller's node ID,
# advertised controller listener and metadata directory ID from a controller config. This Job cannot mount
# the controller's volume, so it writes that config itself: the pool template completed for the pod (as
# node-bootstrap.sh does), with a metadata.log.dir of its own whose meta.properties holds the directory ID the
# quorum reports for the controller.
#
# Environment (set by the Job): KRAFT_STATEFULSET, KRAFT_NODE_ID_OFFSET, KRAFT_REPLICAS, KRAFT_TEMPLATE,
# KRAFT_BOOTSTRAP_CONTROLLERS, KRAFT_CLUSTER_ID_FILE, KRAFT_WORK_DIR, KRAFT_CONTROLLER_CLIENT_TEMPLATE (how to
# connect to the controller listener), KRAFT_MAX_LAG, KRAFT_POLL_SECONDS, KAFKA_HOME (default /opt/kafka).
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_STATEFULSET:?}" "${KRAFT_NODE_ID_OFFSET:?}" "${KRAFT_REPLICAS:?}" "${KRAFT_TEMPLATE:?}"
: "${KRAFT_BOOTSTRAP_CONTROLLERS:?}" "${KRAFT_CLUSTER_ID_FILE:?}" "${KRAFT_WORK_DIR:?}" "${KRAFT_MAX_LAG:?}"
: "${KRAFT_POLL_SECONDS:?}" "${KRAFT_CONTROLLER_CLIENT_TEMPLATE:?}"
kafka_home="${KAFKA_HOME:-/opt/kafka}"
cluster_id="$(<"$KRAFT_CLUSTER_ID_FILE")"
umask 077 # the configs hold the nodes' key
client_config="$(client_config "$KRAFT_CONTROLLER_CLIENT_TEMPLATE")"

quorum() { # quorum <command config> <arguments...>
  "$kafka_home/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$KRAFT_BOOTSTRAP_CONTROLLERS" \
    --command-config "$@"
}

replica_state() { # replica_state <node id>: "<directory id> <lag> <status> <old voter's directory id or ->" of
  # the replica with this node ID that fetched last, or nothing
  quorum "$client_config" describe --replication | awk -v id="$1" '
    $1 == id && ($7 == "Leader" || $7 == "Follower") { voter = $2 }
    $1 == id && (dir == "" || $5 + 0 > fetched) { fetched = $5 + 0; dir = $2; lag = $4; status = $7 }
    END { if (dir != "") print dir, lag, status, (voter == "" || voter == dir ? "-" : voter) }'
}

controller_config() { # controller_config <ordinal> <node id> <directory id>: write it, print its path
  local folder="$KRAFT_WORK_DIR/controller-$2"
  mkdir -p "$folder/metadata"
  # add-controller reads the controller's identity from this file and connects with it, so it also carries
  # the client settings of the controller listener
  {
    fill_template "$KRAFT_TEMPLATE" "$2" "$KRAFT_STATEFULSET-$1"
    printf 'metadata.log.dir=%s\n' "$folder/metadata"
    cat "$client_config"
  } >"$folder/controller.properties"
  printf 'version=1\ncluster.id=%s\nnode.id=%s\ndirectory.id=%s\n' "$cluster_id" "$2" "$3" \
    >"$folder/metadata/meta.properties"
  printf '%s' "$folder/controller.properties"
}

for ((ordinal = 0; ordinal < KRAFT_REPLICAS; ordinal++)); do
  node_id=$((KRAFT_NODE_ID_OFFSET + ordinal))
  while true; do
    read -r directory_id lag status old_voter <<<"$(replica_state "$node_id")" || status=""
    case "$status" in
      Leader | Follower)
        echo "kraft: controller $node_id ($directory_id) is a voter"
        break
        ;;
      Observer)
        if ((lag > KRAFT_MAX_LAG)); then
          echo "kraft: controller $node_id trails the leader by $lag records; waiting"
        elif [[ "$old_voter" != - ]]; then
          echo "kraft: controller $node_id runs on a new disk ($directory_id); removing its old voter ($old_voter)"
          quorum "$client_config" remove-controller --controller-id "$node_id" \
            --controller-directory-id "$old_voter" && continue
          echo "kraft: remove-controller $node_id ($old_voter) failed; retrying"
        else
          config="$(controller_config "$ordinal" "$node_id" "$directory_id")"
          quorum "$config" add-controller && continue
          echo "kraft: add-controller $node_id failed; retrying"
        fi
        ;;
      *) echo "kraft: controller $node_id does not fetch from the quorum yet; waiting" ;;
    esac
    sleep "$KRAFT_POLL_SECONDS"
  done
done
