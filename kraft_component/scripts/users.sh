#!/usr/bin/env bash
# Creates or updates every application user's SCRAM-SHA-512 credentials and adds its ACLs, as the admin
# user. Both are idempotent: re-running sets the same password again and adds ACLs that already exist.
#
# Environment (set by the Job):
#   KRAFT_BOOTSTRAP_SERVERS  the client listener's bootstrap address
#   KRAFT_USERS_DIR          one file per user, named after it, holding its password
#   KRAFT_ACLS               one kafka-acls.sh call per line, its arguments separated by tabs
#   KRAFT_CLIENT_TEMPLATE, KRAFT_WORK_DIR, KAFKA_HOME (default /opt/kafka)
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_BOOTSTRAP_SERVERS:?}" "${KRAFT_USERS_DIR:?}" "${KRAFT_ACLS:?}"
bin="${KAFKA_HOME:-/opt/kafka}/bin"
config="$(client_config "${KRAFT_CLIENT_TEMPLATE:?}")"

for file in "$KRAFT_USERS_DIR"/*; do
  [[ -f "$file" ]] || continue
  user="${file##*/}"
  password="$(<"$file")"
  "$bin/kafka-configs.sh" --bootstrap-server "$KRAFT_BOOTSTRAP_SERVERS" --command-config "$config" --alter \
    --entity-type users --entity-name "$user" --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]"
  echo "kraft: SCRAM-SHA-512 credentials of $user are set"
done

while IFS=$'\t' read -ra arguments; do
  ((${#arguments[@]})) || continue
  "$bin/kafka-acls.sh" --bootstrap-server "$KRAFT_BOOTSTRAP_SERVERS" --command-config "$config" --add --force \
    "${arguments[@]}"
done <"$KRAFT_ACLS"
echo "kraft: every declared ACL is in place"
