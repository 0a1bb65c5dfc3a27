#!/usr/bin/env bash
# Starts one KRaft node: completes server.properties for this pod, checks that the data volume
# belongs to this cluster and node, formats it once, then becomes the Kafka server.
#
# Environment (set by the StatefulSet):
#   POD_NAME                 this pod's name, <statefulset>-<ordinal>
#   KRAFT_STATEFULSET        the StatefulSet name
#   KRAFT_NODE_ID_OFFSET     node.id of ordinal 0
#   KRAFT_NODE_ID_KEY        the config key that sets the offset, for error messages
#   KRAFT_TEMPLATE           the pool's server.properties template (@NODE_ID@, @POD_NAME@ to fill in)
#   KRAFT_SERVER_PROPERTIES  where the completed server.properties goes
#   KRAFT_CLUSTER_ID_FILE    the mounted cluster-ID Secret key
#   KRAFT_QUORUM_MODE        static or dynamic (KIP-853)
#   KRAFT_INITIAL_CONTROLLERS       dynamic controllers: id@host:port of the controllers at creation
#   KRAFT_DIRECTORY_ID_DIR, KRAFT_DIRECTORY_ID_KEY_PREFIX
#                            dynamic controllers: <dir>/<prefix><node id> holds an initial controller's
#                            directory ID, for forming the quorum
#   KRAFT_QUORUM_FORMED_FILE dynamic controllers: exists once the quorum has formed (the quorum marker)
#   KRAFT_JVM_STARTED_FILE   rewritten just before Kafka starts, for the readiness probe
#   KRAFT_SCRAM_USERS        users created at format time (kafka-storage --add-scram), space-separated;
#                            KRAFT_SECRETS_DIR/<user>.password holds each one's password
#   KRAFT_EXTERNAL_PORT_OFFSET      brokers on a NodePort external listener: node port minus node ID
#   KRAFT_METRICS_JAVA_AGENT, KRAFT_METRICS_AGENT_JAR
#                            with metrics: the -javaagent option for the server, and the jar it names
#   KAFKA_HOME               where Kafka is installed (default /opt/kafka)
set -euo pipefail

readonly CLUSTER_ID_KEY="kraft:clusterId (or the cluster_id argument of KraftCluster)"

fail() {
  echo "kraft: $*" >&2
  exit 1
}

scram_credentials() { # scram_credentials <user>: an --add-scram entry, the password from the Secret
  local file="${KRAFT_SECRETS_DIR:?}/$1.password" password
  [[ -f "$file" && -r "$file" ]] || fail "the cluster-ID Secret holds no password for SCRAM user $1 (key $1.password)"
  password="$(<"$file")"
  [[ "$password" =~ ^[A-Za-z0-9]+$ ]] || fail "the password of SCRAM user $1 (key $1.password) is not alphanumeric"
  printf '%s' "SCRAM-SHA-512=[name=$1,iterations=8192,password=$password]"
}

directory_id_of() { # directory_id_of <node id>: that controller's metadata directory ID, from the Secret
  local file="$KRAFT_DIRECTORY_ID_DIR/$KRAFT_DIRECTORY_ID_KEY_PREFIX$1" id
  [[ -f "$file" ]] || fail "the cluster-ID Secret holds no directory ID for node $1 (key ${file##*/})"
  id="$(<"$file")"
  [[ "$id" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]] ||
    fail "the directory ID of node $1 in ${file##*/} is not a Kafka Uuid (22 characters of base64url)"
  printf '%s' "$id"
}

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${POD_NAME:?}" "${KRAFT_STATEFULSET:?}" "${KRAFT_NODE_ID_OFFSET:?}" "${KRAFT_NODE_ID_KEY:?}"
: "${KRAFT_TEMPLATE:?}" "${KRAFT_SERVER_PROPERTIES:?}" "${KRAFT_CLUSTER_ID_FILE:?}"
kafka_home="${KAFKA_HOME:-/opt/kafka}"

ordinal="${POD_NAME#"$KRAFT_STATEFULSET"-}"
[[ "$POD_NAME" == "$KRAFT_STATEFULSET-"* && "$ordinal" =~ ^(0|[1-9][0-9]*)$ ]] ||
  fail "pod name '$POD_NAME' is not '$KRAFT_STATEFULSET-<ordinal>'"
[[ "$KRAFT_NODE_ID_OFFSET" =~ ^(0|[1-9][0-9]*)$ ]] ||
  fail "KRAFT_NODE_ID_OFFSET '$KRAFT_NODE_ID_OFFSET' is not a node ID; it comes from $KRAFT_NODE_ID_KEY"
node_id=$((KRAFT_NODE_ID_OFFSET + ordinal))

[[ -f "$KRAFT_CLUSTER_ID_FILE" && -r "$KRAFT_CLUSTER_ID_FILE" ]] ||
  fail "cannot read the cluster ID from $KRAFT_CLUSTER_ID_FILE: the cluster-ID Secret is not mounted" \
    "or lacks the key; it holds $CLUSTER_ID_KEY"
cluster_id="$(<"$KRAFT_CLUSTER_ID_FILE")"
[[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] ||
  fail "the cluster ID in $KRAFT_CLUSTER_ID_FILE is not 22 characters of base64url; set $CLUSTER_ID_KEY"

umask 077 # server.properties holds the key and passwords read from the Secrets
mkdir -p "${KRAFT_SERVER_PROPERTIES%/*}"
fill_template "$KRAFT_TEMPLATE" "$node_id" "$POD_NAME" >"$KRAFT_SERVER_PROPERTIES"

log_dirs="$(property "$KRAFT_SERVER_PROPERTIES" log.dirs)"
[[ -n "$log_dirs" ]] || fail "$KRAFT_TEMPLATE sets no log.dirs"

# Kafka keeps meta.properties in every log directory and in metadata.log.dir, when that is another one.
IFS=, read -ra dirs <<<"$log_dirs"
metadata_dir="$(property "$KRAFT_SERVER_PROPERTIES" metadata.log.dir)"
[[ -z "$metadata_dir" || ",$log_dirs," == *",$metadata_dir,"* ]] || dirs+=("$metadata_dir")
metadata_dir="${metadata_dir:-${dirs[0]}}" # where Kafka keeps the metadata log, as KafkaConfig decides

# A dynamic-quorum controller formats a new metadata directory in one of two ways. Until the quorum has
# formed (no quorum marker yet), an initial controller passes --initial-controllers with every initial
# voter's directory ID from the Secret, its own included, so the voters know each other before any runs.
# Once it has formed, every new metadata directory is formatted with --no-initial-controllers and keeps the
# random directory ID Kafka gives it: a controller whose disk was wiped comes back as a new replica (an
# observer), never as the voter it was with an empty log (KIP-853). The add-controllers Job, or Kafka's own
# auto-join from 4.2 on, then replaces the old voter with it.
# A pod without KRAFT_QUORUM_FORMED_FILE was made from the template of an earlier release, for a cluster
# that already ran: its quorum has formed (the ConfigMap's scripts change before the pods roll).
dynamic_controller=0 initial=0 entries=()
roles="$(property "$KRAFT_SERVER_PROPERTIES" process.roles)"
if [[ "${KRAFT_QUORUM_MODE:-static}" == dynamic && ",$roles," == *,controller,* ]]; then
  : "${KRAFT_INITIAL_CONTROLLERS:?}"
  dynamic_controller=1 forming=0
  [[ -z "${KRAFT_QUORUM_FORMED_FILE:-}" || -e "$KRAFT_QUORUM_FORMED_FILE" ]] || forming=1
  IFS=, read -ra entries <<<"$KRAFT_INITIAL_CONTROLLERS"
  for entry in "${entries[@]}"; do
    voter="${entry%%@*}"
    [[ "$voter" =~ ^(0|[1-9][0-9]*)$ ]] || fail "KRAFT_INITIAL_CONTROLLERS entry '$entry' is not id@host:port"
    ((forming == 0 || voter != node_id)) || initial=1
  done
fi

unformatted=0
metadata_unformatted=0
for dir in "${dirs[@]}"; do
  mkdir -p "$dir"
  meta="$dir/meta.properties"
  if [[ ! -f "$meta" ]]; then
    unformatted=$((unformatted + 1))
    [[ "$dir" == "$metadata_dir" ]] && metadata_unformatted=1
    continue
  fi
  found_cluster="$(property "$meta" cluster.id)"
  found_node="$(property "$meta" node.id)"
  [[ "$found_cluster" == "$cluster_id" ]] ||
    fail "$meta belongs to cluster '$found_cluster', not to this one. To keep this volume's data," \
      "set $CLUSTER_ID_KEY to '$found_cluster'; to discard it, delete the PersistentVolumeClaim of $POD_NAME."
  [[ "$found_node" == "$node_id" ]] ||
    fail "$meta belongs to node $found_node, but $POD_NAME is node $node_id. Set $KRAFT_NODE_ID_KEY" \
      "back to the offset that gave this volume node $found_node; node IDs must never move between volumes."
done

if ((unformatted > 0)); then
  echo "kraft: formatting $unformatted unformatted log director(ies) of node $node_id"
  quorum_flags=()
  if ((dynamic_controller && metadata_unformatted && initial)); then
    echo "kraft: node $node_id is an initial controller of a quorum that has not formed yet"
    voters=""
    for entry in "${entries[@]}"; do
      directory_id="$(directory_id_of "${entry%%@*}")"
      voters+="${voters:+,}$entry:$directory_id"
    done
    quorum_flags=(--initial-controllers "$voters")
  elif ((dynamic_controller)); then
    ((metadata_unformatted == 0)) ||
      echo "kraft: node $node_id gets a new metadata directory and joins the quorum as a new replica"
    quorum_flags=(--no-initial-controllers)
  fi
  scram_flags=() # the admin and inter-broker users exist from the first metadata record on
  for user in ${KRAFT_SCRAM_USERS:-}; do
    credentials="$(scram_credentials "$user")"
    scram_flags+=(--add-scram "$credentials")
  done
  # --cluster-id=<id>: one base64url ID in 64 starts with '-', which a separate argument would be read as
  "$kafka_home/bin/kafka-storage.sh" format --config "$KRAFT_SERVER_PROPERTIES" \
    --cluster-id="$cluster_id" --ignore-formatted "${quorum_flags[@]}" "${scram_flags[@]}"
fi

if [[ -n "${KRAFT_METRICS_JAVA_AGENT:-}" ]]; then # the server's JVM only, not the tools run above
  [[ -r "${KRAFT_METRICS_AGENT_JAR:?}" ]] ||
    fail "the metrics agent $KRAFT_METRICS_AGENT_JAR is missing; the init container copies it from" \
      "kraft:cluster.metrics.agentImage (path kraft:cluster.metrics.agentJarPath)"
  export KAFKA_OPTS="${KAFKA_OPTS:+$KAFKA_OPTS }$KRAFT_METRICS_JAVA_AGENT"
fi

echo "kraft: starting node $node_id ($POD_NAME)"
[[ -z "${KRAFT_JVM_STARTED_FILE:-}" ]] || printf '%s\n' "$$" >"$KRAFT_JVM_STARTED_FILE" # kept through exec
exec "$kafka_home/bin/kafka-server-start.sh" "$KRAFT_SERVER_PROPERTIES"
