#!/usr/bin/env bash
# Makes every controller of a dynamic quorum's pool a voter (KIP-853), and may run any number of times:
# a controller that already votes is left alone; one that does not is added with
# `kafka-metadata-quorum.sh add-controller` once it follows the leader, as an observer, within
# KRAFT_MAX_LAG records. add-controller reads the controller's node ID, advertised controller listener and
# metadata directory ID from a controller config. This Job cannot mount the controller's volume, so it
# writes that config itself: the pool template completed for the pod (as node-bootstrap.sh does), with a
# metadata.log.dir of its own whose meta.properties holds the directory ID from the Secret, which is the
# one the controller was formatted with.
#
# Environment (set by the Job): KRAFT_STATEFULSET, KRAFT_NODE_ID_OFFSET, KRAFT_REPLICAS, KRAFT_TEMPLATE,
# KRAFT_BOOTSTRAP_CONTROLLERS, KRAFT_CLUSTER_ID_FILE, KRAFT_DIRECTORY_ID_DIR, KRAFT_DIRECTORY_ID_KEY_PREFIX,
# KRAFT_WORK_DIR, KRAFT_CONTROLLER_CLIENT_TEMPLATE (how to connect to the controller listener), KRAFT_MAX_LAG,
# KRAFT_POLL_SECONDS, KAFKA_HOME (default /opt/kafka).
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_STATEFULSET:?}" "${KRAFT_NODE_ID_OFFSET:?}" "${KRAFT_REPLICAS:?}" "${KRAFT_TEMPLATE:?}"
: "${KRAFT_BOOTSTRAP_CONTROLLERS:?}" "${KRAFT_CLUSTER_ID_FILE:?}" "${KRAFT_DIRECTORY_ID_DIR:?}"
: "${KRAFT_DIRECTORY_ID_KEY_PREFIX:?}" "${KRAFT_WORK_DIR:?}" "${KRAFT_MAX_LAG:?}" "${KRAFT_POLL_SECONDS:?}"
: "${KRAFT_CONTROLLER_CLIENT_TEMPLATE:?}"
kafka_home="${KAFKA_HOME:-/opt/kafka}"
cluster_id="$(<"$KRAFT_CLUSTER_ID_FILE")"
umask 077 # the configs hold the nodes' key
client_config="$(client_config "$KRAFT_CONTROLLER_CLIENT_TEMPLATE")"

quorum() { # quorum <command config> <arguments...>
  "$kafka_home/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$KRAFT_BOOTSTRAP_CONTROLLERS" \
    --command-config "$@"
}

replica_state() { # replica_state <node id> <directory id>: "<Leader|Follower|Observer> <lag>", or nothing
  quorum "$client_config" describe --replication | awk -v id="$1" -v dir="$2" '$1 == id && $2 == dir { print $7, $4 }'
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
  directory_id="$(<"$KRAFT_DIRECTORY_ID_DIR/$KRAFT_DIRECTORY_ID_KEY_PREFIX$node_id")"
  config="$(controller_config "$ordinal" "$node_id" "$directory_id")"
  while true; do
    read -r status lag <<<"$(replica_state "$node_id" "$directory_id")" || status=""
    case "$status" in
      Leader | Follower)
        echo "kraft: controller $node_id ($directory_id) is a voter"
        break
        ;;
      Observer)
        if ((lag <= KRAFT_MAX_LAG)); then
          quorum "$config" add-controller || echo "kraft: add-controller $node_id failed; retrying"
        else
          echo "kraft: controller $node_id trails the leader by $lag records; waiting"
        fi
        ;;
      *) echo "kraft: controller $node_id ($directory_id) does not fetch from the quorum yet; waiting" ;;
    esac
    sleep "$KRAFT_POLL_SECONDS"
  done
done
