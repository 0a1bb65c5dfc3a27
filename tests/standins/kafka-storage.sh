#!/usr/bin/env bash
# Stand-in for Kafka's bin/kafka-storage.sh, `format` only. It records its arguments in $KAFKA_HOME/record
# and behaves like Kafka's Formatter (3.9-4.3): it reads node.id and log.dirs (plus metadata.log.dir)
# from the config, refuses a directory formatted for another cluster or node even with
# --ignore-formatted, refuses any formatted directory without it, and writes meta.properties
# (version=1, cluster.id, node.id, directory.id) into every unformatted directory, creating it.
# Quorum flags as in StorageTool and Formatter (3.9-4.3): at most one of --standalone,
# --no-initial-controllers and --initial-controllers; none of them with controller.quorum.voters; a
# controller without voters needs one; the metadata directory of a node listed in --initial-controllers
# gets that entry's directory ID, every other directory a random one. --add-scram (-S) takes entries in
# ScramParser's form, `SCRAM-SHA-256|SCRAM-SHA-512=[name=<user>,password=<password>(,iterations=<n>)]`,
# iterations within 4096-16384, and writes each user to $KAFKA_HOME/scram, as the bootstrap records would.
# Options are parsed as argparse4j parses them: a value follows as `--name value`, `--name=value` or
# `-xvalue`, and a separate value that starts with '-' is read as an option ("expected one argument").
set -euo pipefail
# shellcheck source=standin.sh
source "${BASH_SOURCE[0]%/*}/standin.sh"

[[ "${1:-}" == format ]] || die "kafka-storage.sh stand-in: only 'format' is implemented, got '${1:-}'"
shift
config="" cluster_id="" ignore_formatted=0 quorum_flag="" initial_controllers="" scram=()
quorum_option() { # the mutually exclusive group of StorageTool's format parser
  [[ -z "$quorum_flag" ]] || die "kafka-storage: error: argument $1: not allowed with argument $quorum_flag"
  quorum_flag="$1"
}
while (($# > 0)); do
  option="$1" value=""
  case "$option" in
    --*=*) value="${option#*=}" option="${option%%=*}" && shift ;;
    -[ctIS]?*) value="${option:2}" option="${option:0:2}" && shift ;;
    -c | --config | -t | --cluster-id | -I | --initial-controllers | -S | --add-scram)
      [[ $# -ge 2 && "$2" != -* ]] || die "kafka-storage: error: argument $option: expected one argument"
      value="$2" && shift 2
      ;;
    *) shift ;;
  esac
  case "$option" in
    -c | --config) config="$value" ;;
    -t | --cluster-id) cluster_id="$value" ;;
    -g | --ignore-formatted) ignore_formatted=1 ;;
    -s | --standalone) quorum_option "--standalone/-s" ;;
    -N | --no-initial-controllers) quorum_option "--no-initial-controllers/-N" ;;
    -I | --initial-controllers) quorum_option "--initial-controllers/-I" && initial_controllers="$value" ;;
    -S | --add-scram) scram+=("$value") ;;
    *) die "kafka-storage: error: unrecognized arguments: '$option'" ;;
  esac
done
[[ -n "$config" ]] || die "kafka-storage: error: argument --config/-c is required"
[[ -n "$cluster_id" ]] || die "kafka-storage: error: argument --cluster-id/-t is required"
[[ -f "$config" ]] || die "Error: $config (No such file or directory)"

for entry in "${scram[@]}"; do
  [[ "$entry" =~ ^SCRAM-SHA-(256|512)=\[(.*)\]$ ]] || die "Invalid --add-scram entry '$entry'"
  fields=",${BASH_REMATCH[2]}," user="" password=""
  [[ "$fields" =~ ,name=([^,]+), ]] && user="${BASH_REMATCH[1]}"
  [[ "$fields" =~ ,password=([^,]+), ]] && password="${BASH_REMATCH[1]}"
  [[ -n "$user" && -n "$password" ]] || die "You must supply 'name' and 'password' to add-scram"
  if [[ "$fields" =~ ,iterations=([0-9]+), ]]; then
    ((BASH_REMATCH[1] >= 4096 && BASH_REMATCH[1] <= 16384)) || die "Invalid number of iterations"
  fi
  printf '%s\n' "$user" >>"$home/scram"
done

node_id="$(value "$config" node.id)"
[[ "$node_id" =~ ^[0-9]+$ ]] || die "Invalid value '$node_id' for configuration node.id"
[[ -n "$(value "$config" process.roles)" ]] || die "The kafka configuration file appears to be for a legacy cluster."
log_dirs="$(value "$config" log.dirs)"
[[ -n "$log_dirs" ]] || log_dirs="$(value "$config" log.dir)"
[[ -n "$log_dirs" ]] || die "No log directories found in the configuration."
metadata_dir="$(value "$config" metadata.log.dir)"
IFS=, read -ra dirs <<<"$log_dirs"
[[ -z "$metadata_dir" || ",$log_dirs," == *",$metadata_dir,"* ]] || dirs+=("$metadata_dir") # a set, as in Kafka
metadata_dir="${metadata_dir:-${dirs[0]}}"

roles="$(value "$config" process.roles)"
if [[ -n "$(value "$config" controller.quorum.voters)" ]]; then
  [[ -z "$quorum_flag" ]] || die "You cannot specify controller.quorum.voters and format the node with" \
    "--initial-controllers or --standalone. If you want to use dynamic quorum, please remove" \
    "controller.quorum.voters and specify controller.quorum.bootstrap.servers instead."
elif [[ ",$roles," == *,controller,* && -z "$quorum_flag" ]]; then
  die "Because controller.quorum.voters is not set on this controller, you must specify one of the" \
    "following: --standalone, --initial-controllers, or --no-initial-controllers."
fi
[[ "$quorum_flag" != --standalone/-s ]] || die "kafka-storage.sh stand-in: --standalone is not implemented"
voter_directory_id=""
if [[ -n "$initial_controllers" ]]; then
  IFS=, read -ra voters <<<"$initial_controllers"
  for voter in "${voters[@]}"; do
    [[ "$voter" =~ ^([0-9]+)@[^@:]+:[0-9]+:([A-Za-z0-9_-]{22})$ ]] ||
      die "Failed to parse --initial-controllers entry '$voter': expected id@host:port:directoryId"
    [[ "${BASH_REMATCH[1]}" == "$node_id" ]] && voter_directory_id="${BASH_REMATCH[2]}"
  done
fi

unformatted=()
formatted=()
for dir in "${dirs[@]}"; do
  meta="$dir/meta.properties"
  if [[ ! -f "$meta" ]]; then
    unformatted+=("$dir")
    continue
  fi
  found_cluster="$(value "$meta" cluster.id)"
  found_node="$(value "$meta" node.id)"
  [[ "$found_cluster" == "$cluster_id" ]] ||
    die "Invalid cluster.id in: $meta. Expected $cluster_id, but read $found_cluster"
  [[ "$found_node" == "$node_id" ]] ||
    die "Stored node id $found_node doesn't match previous node id $node_id in $meta."
  formatted+=("$dir")
done
if ((${#formatted[@]} > 0 && ignore_formatted == 0)); then
  die "Log directory ${formatted[0]} is already formatted. Use --ignore-formatted to ignore this directory" \
    "and format the others."
fi
if ((${#unformatted[@]} == 0)); then
  echo "All of the log directories are already formatted."
  exit 0
fi
for dir in "${unformatted[@]}"; do
  mkdir -p "$dir"
  directory_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  [[ "$dir" == "$metadata_dir" && -n "$voter_directory_id" ]] && directory_id="$voter_directory_id"
  printf '#\n#%s\nnode.id=%s\ndirectory.id=%s\nversion=1\ncluster.id=%s\n' \
    "$(date)" "$node_id" "$directory_id" "$cluster_id" >"$dir/meta.properties"
  echo "Formatting $dir with metadata.version 4.3-IV0."
done
