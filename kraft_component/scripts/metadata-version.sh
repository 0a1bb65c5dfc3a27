#!/usr/bin/env bash
# Finalises metadata.version at KRAFT_METADATA_VERSION (a release such as 4.3, or 4.3-IV0), as the admin
# user, and only metadata.version: `upgrade --release-version` would also raise kraft.version and turn a
# static quorum dynamic (KAFKA-21426). Kafka 3.9 takes `upgrade --metadata <version>`; from 4.0 that flag is
# deprecated, and the supported form is `upgrade --feature metadata.version=<level>` with the level that Kafka
# itself maps the release to (`version-mapping --release-version`). Upgrading to the current level changes
# nothing, so the Job may run again.
#
# Environment (set by the Job): KRAFT_BOOTSTRAP_SERVERS, KRAFT_METADATA_VERSION, KRAFT_FEATURE_LEVELS (true
# from Kafka 4.0: upgrade by feature level), KRAFT_CLIENT_TEMPLATE, KRAFT_WORK_DIR, KAFKA_HOME (default
# /opt/kafka).
set -euo pipefail

# shellcheck source=properties.sh
source "${BASH_SOURCE[0]%/*}/properties.sh"

: "${KRAFT_BOOTSTRAP_SERVERS:?}" "${KRAFT_METADATA_VERSION:?}" "${KRAFT_FEATURE_LEVELS:?}"
config="$(client_config "${KRAFT_CLIENT_TEMPLATE:?}")"
features=("${KAFKA_HOME:-/opt/kafka}/bin/kafka-features.sh" --bootstrap-server "$KRAFT_BOOTSTRAP_SERVERS"
  --command-config "$config")

if [[ "$KRAFT_FEATURE_LEVELS" != true ]]; then
  "${features[@]}" upgrade --metadata "$KRAFT_METADATA_VERSION"
  exit
fi
mapping="$("${features[@]}" version-mapping --release-version "$KRAFT_METADATA_VERSION")"
[[ "$mapping" =~ (^|$'\n')metadata\.version=([0-9]+) ]] ||
  { echo "kraft: version-mapping printed no metadata.version for $KRAFT_METADATA_VERSION: $mapping" >&2 && exit 1; }
level="${BASH_REMATCH[2]}"
echo "kraft: metadata.version $KRAFT_METADATA_VERSION is feature level $level"
"${features[@]}" upgrade --feature "metadata.version=$level"
