#!/usr/bin/env bash
# Makes the declared topics exist as declared, as the admin user: creates the missing ones with their configs,
# adds partitions, sets the declared configs that differ and removes the config keys kraft set before and no
# longer declares (keys set by hand are left alone), and deletes retired topics when asked to. A topic whose
# partitions or replication factor cannot become the declared ones stops the Job with the key that says so.
# Running it again finds nothing to change.
#
# Environment (set by the Job):
#   KRAFT_BOOTSTRAP_SERVERS      the client listener's bootstrap address
#   KRAFT_TOPICS                 one declared topic per line: name, partitions, replication factor, the index of
#                                its kraft:cluster.topics entry, tab-separated
#   KRAFT_TOPIC_CONFIGS          one declared config per line: topic, key, value, tab-separated
#   KRAFT_RETIRED_TOPIC_CONFIGS  lines of topic and key (tab-separated) that kraft set before and no longer declares
#   KRAFT_RETIRED_TOPICS         topics to delete (declared before, no longer; topicsDeletePolicy delete), space-separated
#   KRAFT_CLIENT_TEMPLATE, KRAFT_WORK_DIR, KAFKA_HOME (default /opt/kafka)
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_BOOTSTRAP_SERVERS:?}" "${KRAFT_TOPICS:?}" "${KRAFT_TOPIC_CONFIGS:?}"
bin="${KAFKA_HOME:-/opt/kafka}/bin"
config="$(client_config "${KRAFT_CLIENT_TEMPLATE:?}")"
properties="${KRAFT_WORK_DIR:?}/topic.properties"

admin() { # admin <tool> <arguments...>: one of Kafka's admin tools, as the admin user
  local tool="$1"
  shift
  "$bin/$tool" --bootstrap-server "$KRAFT_BOOTSTRAP_SERVERS" --command-config "$config" "$@"
}

fail() {
  echo "kraft: $*" >&2
  exit 1
}

exactly() { # exactly <topic>: the --topic argument that matches this topic alone (kafka-topics.sh takes a regex)
  printf '%s' "${1//./\\.}"
}

escaped() { # escaped <value>: a value as a line of a Java properties file reads it back
  local value="${1//\\/\\\\}"
  printf '%s' "${value/#[[:space:]]/\\ }"
}

declare -A partitions=() factors=() current=() declared=() retired_keys=()
while IFS= read -r line; do # Topic: <name>	TopicId: <id>	PartitionCount: <n>	ReplicationFactor: <n>	Configs: ...
  [[ "$line" =~ ^Topic:\ ([^[:space:]]+)[[:space:]].*PartitionCount:\ ([0-9]+)[[:space:]]+ReplicationFactor:\ ([0-9]+) ]] ||
    continue
  partitions["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
  factors["${BASH_REMATCH[1]}"]="${BASH_REMATCH[3]}"
done < <(admin kafka-topics.sh --describe --exclude-internal)

topic=""
while IFS= read -r line; do # Dynamic configs for topic <name> are:
  #                             <key>=<value> sensitive=<bool> synonyms={...}
  if [[ "$line" =~ ^Dynamic\ configs\ for\ topic\ (.+)\ are:$ ]]; then
    topic="${BASH_REMATCH[1]}"
  elif [[ -n "$topic" && "$line" =~ ^\ \ ([^=]+)=(.*)\ sensitive=(true|false)\ synonyms=\{.*\}$ ]]; then
    current["$topic"$'\t'"${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
  fi
done < <(admin kafka-configs.sh --describe --entity-type topics)

for topic in ${KRAFT_RETIRED_TOPICS:-}; do
  [[ -n "${partitions[$topic]:-}" ]] || continue
  admin kafka-topics.sh --delete --topic "$(exactly "$topic")"
  echo "kraft: deleted topic $topic, which is no longer declared (topicsDeletePolicy: delete)"
done
while IFS=$'\t' read -r topic key value; do
  [[ -n "$topic" ]] && declared["$topic"$'\t'"$key"]="$value"
done <"$KRAFT_TOPIC_CONFIGS"
while IFS=$'\t' read -r topic key; do
  [[ -n "$topic" ]] && retired_keys["$topic"$'\t'"$key"]=1
done <<<"${KRAFT_RETIRED_TOPIC_CONFIGS:-}"

while IFS=$'\t' read -r topic wanted_partitions factor index; do
  [[ -n "$topic" ]] || continue
  key="kraft:cluster.topics[$index]"
  if [[ -z "${partitions[$topic]:-}" ]]; then
    settings=()
    for entry in "${!declared[@]}"; do
      [[ "$entry" == "$topic"$'\t'* ]] && settings+=(--config "${entry#*$'\t'}=${declared[$entry]}")
    done
    admin kafka-topics.sh --create --if-not-exists --topic "$topic" --partitions "$wanted_partitions" \
      --replication-factor "$factor" "${settings[@]}"
    echo "kraft: created topic $topic ($wanted_partitions partitions, $factor replicas, $((${#settings[@]} / 2)) configs)"
    continue
  fi
  ((factors[$topic] == factor)) ||
    fail "$key.replicationFactor: topic $topic has ${factors[$topic]} replicas in the cluster, the config says" \
      "$factor. Set it to ${factors[$topic]}, or reassign the partitions with kafka-reassign-partitions.sh first" \
      "(docs/topics-and-users.md, 'Changing the replication factor')."
  ((partitions[$topic] <= wanted_partitions)) ||
    fail "$key.partitions: topic $topic has ${partitions[$topic]} partitions in the cluster, the config says" \
      "$wanted_partitions; Kafka cannot take partitions away. Set it to ${partitions[$topic]} or more."
  if ((partitions[$topic] < wanted_partitions)); then
    admin kafka-topics.sh --alter --topic "$(exactly "$topic")" --partitions "$wanted_partitions"
    echo "kraft: topic $topic grew from ${partitions[$topic]} to $wanted_partitions partitions"
  fi
  : >"$properties"
  changed=() removed=()
  for entry in "${!declared[@]}"; do
    [[ "$entry" == "$topic"$'\t'* ]] || continue
    [[ "${current[$entry]-}" == "${declared[$entry]}" && -n "${current[$entry]+set}" ]] && continue
    printf '%s=%s\n' "${entry#*$'\t'}" "$(escaped "${declared[$entry]}")" >>"$properties"
    changed+=("${entry#*$'\t'}")
  done
  for entry in "${!retired_keys[@]}"; do
    [[ "$entry" == "$topic"$'\t'* && -n "${current[$entry]+set}" ]] && removed+=("${entry#*$'\t'}")
  done
  alter=()
  ((${#changed[@]})) && alter+=(--add-config-file "$properties")
  ((${#removed[@]})) && alter+=(--delete-config "$(IFS=,; printf '%s' "${removed[*]}")")
  if ((${#alter[@]})); then
    admin kafka-configs.sh --alter --entity-type topics --entity-name "$topic" "${alter[@]}"
    echo "kraft: topic $topic: set ${changed[*]:-nothing}; removed ${removed[*]:-nothing}"
  fi
done <"$KRAFT_TOPICS"

echo "kraft: the topics are as declared"
