#!/usr/bin/env bash
# Runs one of Kafka's admin tools against the cluster as the admin user:
#   admin.sh <tool> <arguments...>  ->  <tool> --command-config <client config> <arguments...>
# The client config is the ConfigMap's template completed with the credentials of the mounted Secrets.
#
# Environment (set by the Job): KRAFT_CLIENT_TEMPLATE, KRAFT_WORK_DIR, KAFKA_HOME (default /opt/kafka).
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

tool="${1:?usage: admin.sh <tool> <arguments...>}"
shift
config="$(client_config "${KRAFT_CLIENT_TEMPLATE:?}")"
exec "${KAFKA_HOME:-/opt/kafka}/bin/$tool" --command-config "$config" "$@"
