#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-metadata-quorum.sh (3.9-4.4): `describe --replication`, `add-controller` and
# `remove-controller`. It records its arguments in $KAFKA_HOME/record and keeps the quorum in
# $KAFKA_HOME/quorum, one replica a line as `describe --replication` prints it (NodeId DirectoryId
# LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status). Each describe lets every observer catch
# up by 1000 records. add-controller reads the controller config as MetadataQuorumCommand does (node.id,
# process.roles, metadata.log.dir or the first log.dirs, the directory.id of its meta.properties, the
# advertised controller listener); like the leader's AddVoterHandler it refuses a node ID that already has a
# voter and a replica that is no caught-up observer, and makes it a Follower; the endpoint goes to
# $KAFKA_HOME/added. remove-controller refuses a (node ID, directory ID) that is no voter, and leaves the
# removed replica listed as an Observer, as the leader keeps it for five minutes.
set -euo pipefail
# shellcheck source=standin.sh
source "${BASH_SOURCE[0]%/*}/standin.sh"

config=""
while (($# > 0)); do
  case "$1" in
    --bootstrap-controller) [[ -n "${2:-}" ]] || die "argument --bootstrap-controller: expected one argument" && shift 2 ;;
    --command-config) config="$2" && shift 2 ;;
    *) break ;;
  esac
done
state="$home/quorum"
case "${1:-}" in
  describe)
    [[ "${2:-}" == --replication ]] || die "describe: only --replication is implemented"
    awk '{ if ($7 == "Observer") { $4 = ($4 > 1000 ? $4 - 1000 : 0) } print }' "$state" >"$state.new"
    mv "$state.new" "$state"
    printf 'NodeId\tDirectoryId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus\n'
    tr ' ' '\t' <"$state"
    ;;
  add-controller)
    [[ -n "$config" ]] || die "You must supply the configuration file of the controller you are adding when using add-controller."
    node_id="$(value "$config" node.id)"
    [[ ",$(value "$config" process.roles)," == *,controller,* ]] ||
      die "process.roles did not contain 'controller' in configuration file."
    metadata_dir="$(value "$config" metadata.log.dir)"
    log_dirs="$(value "$config" log.dirs)"
    metadata_dir="${metadata_dir:-${log_dirs%%,*}}"
    [[ -f "$metadata_dir/meta.properties" ]] || die "Unable to read meta.properties from $metadata_dir"
    directory_id="$(value "$metadata_dir/meta.properties" directory.id)"
    listener="$(value "$config" controller.listener.names)"
    endpoint="$(value "$config" advertised.listeners | tr ',' '\n' | grep "^$listener://" || true)"
    [[ -n "$endpoint" ]] || die "Cannot find information about controller listener name: $listener"
    ! awk -v id="$node_id" '$1 == id && ($7 == "Leader" || $7 == "Follower") { found = 1 } END { exit !found }' \
      "$state" || die "org.apache.kafka.common.errors.DuplicateVoterException: The voter id for $node_id is already" \
      "part of the set of voters"
    row="$(awk -v id="$node_id" -v dir="$directory_id" '$1 == id && $2 == dir' "$state")"
    [[ "$row" == *" Observer" ]] || die "org.apache.kafka.common.errors.RequestTimedOutException: unknown replica: '$row'"
    read -r _ _ _ lag _ <<<"$row"
    ((lag <= 100)) || die "org.apache.kafka.common.errors.RequestTimedOutException: not caught up (lag $lag)"
    awk -v id="$node_id" -v dir="$directory_id" '$1 == id && $2 == dir { $7 = "Follower" } { print }' \
      "$state" >"$state.new"
    mv "$state.new" "$state"
    printf '%s\t%s\t%s\n' "$node_id" "$directory_id" "$endpoint" >>"$home/added"
    echo "Added controller $node_id with directory id $directory_id and endpoints: $endpoint"
    ;;
  remove-controller)
    [[ "${2:-}" == --controller-id && "${4:-}" == --controller-directory-id ]] ||
      die "usage: remove-controller --controller-id <id> --controller-directory-id <directory id>"
    node_id="$3" directory_id="$5"
    awk -v id="$node_id" -v dir="$directory_id" '$1 == id && $2 == dir && ($7 == "Leader" || $7 == "Follower") \
      { found = 1 } END { exit !found }' "$state" ||
      die "org.apache.kafka.common.errors.VoterNotFoundException: Cannot remove voter ReplicaKey(id=$node_id," \
        "directoryId=$directory_id) from the set of voters"
    awk -v id="$node_id" -v dir="$directory_id" '$1 == id && $2 == dir { $7 = "Observer" } { print }' \
      "$state" >"$state.new"
    mv "$state.new" "$state"
    echo "Removed  KRaft controller $node_id with directory id $directory_id"
    ;;
  *) die "kafka-metadata-quorum.sh stand-in: '${1:-}' is not implemented" ;;
esac
