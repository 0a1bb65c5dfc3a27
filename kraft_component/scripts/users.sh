#!/usr/bin/env bash
# Makes the cluster's users and ACLs what the config declares, as the admin user, for the users kraft manages:
# sets every declared user's SCRAM-SHA-512 credentials, removes the credentials of retired users (once declared,
# no longer), adds the declared ACLs that are missing and removes every other ACL of a declared or retired user.
# Users and ACLs of principals kraft never declared (the bootstrapped users, anything made by hand) are never
# touched. Running it again finds nothing to add or remove.
#
# Environment (set by the Job):
#   KRAFT_BOOTSTRAP_SERVERS  the client listener's bootstrap address
#   KRAFT_USERS_DIR          one file per declared user, named after it, holding its password
#   KRAFT_ACLS               the declared ACL entries, one per line: resource type, resource name, pattern type,
#                            principal, host, operation, permission, tab-separated, as kafka-acls.sh lists them
#   KRAFT_RETIRED_USERS      users kraft declared before and no longer does, space-separated
#   KRAFT_CLIENT_TEMPLATE, KRAFT_WORK_DIR, KAFKA_HOME (default /opt/kafka)
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_BOOTSTRAP_SERVERS:?}" "${KRAFT_USERS_DIR:?}" "${KRAFT_ACLS:?}"
bin="${KAFKA_HOME:-/opt/kafka}/bin"
config="$(client_config "${KRAFT_CLIENT_TEMPLATE:?}")"

admin() { # admin <tool> <arguments...>: one of Kafka's admin tools, as the admin user
  local tool="$1"
  shift
  "$bin/$tool" --bootstrap-server "$KRAFT_BOOTSTRAP_SERVERS" --command-config "$config" "$@"
}

acl_arguments() { # acl_arguments <entry fields...>: the kafka-acls.sh arguments that name exactly one entry
  local type="$1" name="$2" pattern="$3" principal="$4" host="$5" operation="$6" permission="${7,,}"
  local resource
  case "$type" in
    TOPIC) resource=(--topic "$name") ;;
    GROUP) resource=(--group "$name") ;;
    CLUSTER) resource=(--cluster) ;;
    TRANSACTIONAL_ID) resource=(--transactional-id "$name") ;;
    DELEGATION_TOKEN) resource=(--delegation-token "$name") ;;
    USER) resource=(--user-principal "$name") ;;
    *) echo "kraft: unknown ACL resource type $type" >&2 && return 1 ;;
  esac
  # kafka-acls.sh reads operations in Pascal case or upper case without underscores (IDEMPOTENTWRITE)
  arguments=(--"$permission"-principal "$principal" --"$permission"-host "$host" --operation "${operation//_/}"
    "${resource[@]}" --resource-pattern-type "${pattern,,}")
}

declared=()
for file in "$KRAFT_USERS_DIR"/*; do
  [[ -f "$file" ]] && declared+=("${file##*/}")
done
read -ra retired <<<"${KRAFT_RETIRED_USERS:-}"

for user in "${declared[@]}"; do
  password="$(<"$KRAFT_USERS_DIR/$user")"
  admin kafka-configs.sh --alter --entity-type users --entity-name "$user" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]"
  echo "kraft: SCRAM-SHA-512 credentials of $user are set"
done

if ((${#retired[@]})); then
  while IFS= read -r line; do # SCRAM credential configs for user-principal '<user>' are <mechanism>=iterations=<n>, ...
    [[ "$line" =~ ^SCRAM\ credential\ configs\ for\ user-principal\ \'(.+)\'\ are\ (.*)$ ]] || continue
    user="${BASH_REMATCH[1]}" mechanisms="${BASH_REMATCH[2]}"
    [[ " ${retired[*]} " == *" $user "* ]] || continue
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
      [[ "$mechanisms" == *"$mechanism="* ]] || continue
      admin kafka-configs.sh --alter --entity-type users --entity-name "$user" --delete-config "$mechanism"
      echo "kraft: removed the $mechanism credentials of $user, who is no longer declared"
    done
  done < <(admin kafka-configs.sh --describe --entity-type users)
fi

declare -A wanted=() found=()
declared_entries=()
while IFS= read -r entry; do
  [[ -n "$entry" && -z "${wanted[$entry]:-}" ]] || continue
  wanted["$entry"]=1
  declared_entries+=("$entry")
done <"$KRAFT_ACLS"
principals=()
for user in "${declared[@]}" "${retired[@]}"; do
  principals+=(--principal "User:$user")
done
existing=()
if ((${#principals[@]})); then
  resource=""
  while IFS= read -r line; do # as kafka-acls.sh --list prints them
    if [[ "$line" =~ ^Current\ ACLs\ for\ resource\ \`ResourcePattern\(resourceType=([A-Z_]+),\ name=(.*),\ patternType=([A-Z]+)\)\`:$ ]]; then
      resource="${BASH_REMATCH[1]}"$'\t'"${BASH_REMATCH[2]}"$'\t'"${BASH_REMATCH[3]}"
    elif [[ -n "$resource" && "$line" =~ ^[[:space:]]+\(principal=(.+),\ host=(.+),\ operation=([A-Z_]+),\ permissionType=([A-Z]+)\)$ ]]; then
      entry="$resource"$'\t'"${BASH_REMATCH[1]}"$'\t'"${BASH_REMATCH[2]}"$'\t'"${BASH_REMATCH[3]}"$'\t'"${BASH_REMATCH[4]}"
      [[ -z "${found[$entry]:-}" ]] && existing+=("$entry")
      found["$entry"]=1
    fi
  done < <(admin kafka-acls.sh --list "${principals[@]}")
fi

change_acl() { # change_acl <--add|--remove> <entry> <what was done>: add or remove exactly one ACL entry
  local fields
  IFS=$'\t' read -ra fields <<<"$2"
  acl_arguments "${fields[@]}"
  admin kafka-acls.sh "$1" --force "${arguments[@]}"
  echo "kraft: $3 the ACL ${fields[*]}"
}

for entry in "${existing[@]}"; do
  [[ -n "${wanted[$entry]:-}" ]] || change_acl --remove "$entry" "removed (no longer declared)"
done
for entry in "${declared_entries[@]}"; do
  [[ -n "${found[$entry]:-}" ]] || change_acl --add "$entry" added
done
echo "kraft: the users and ACLs are as declared"
