"""Kafka's own tools run inside the cluster's pods, as an operator would with `kubectl exec`, and what
their output means."""

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from kraft_component import naming
from kraft_component.manifests import bootstrap_servers
from kraft_component.spec import ClusterSpec, parse_spec
from realtools.podrunner import Cluster

TOOL_TIMEOUT = 180


def as_admin(tool: str, *arguments: str) -> list[str]:
    """A command that runs a Kafka tool as the admin user, with the client config the admin Jobs build from
    the ConfigMap's template and the mounted Secrets (the node's own properties.sh does the filling in)."""
    script = (
        f"source {naming.CONFIG_MOUNT}/{naming.PROPERTIES_LIBRARY} && KRAFT_WORK_DIR=$(mktemp -d) && "
        f'config="$(client_config {naming.CONFIG_MOUNT}/{naming.CLIENT_PROPERTIES_KEY})" && '
        f'exec {naming.KAFKA_HOME}/bin/{tool} --command-config "$config" {shlex.join(arguments)}'
    )
    return ["/bin/bash", "-c", script]


@dataclass(frozen=True)
class QuorumStatus:
    """What `kafka-metadata-quorum describe --status` reports."""

    leader: int
    epoch: int
    voters: dict[int, list[str]]
    """Voter node ID -> its advertised controller endpoints."""
    observers: set[int]


def parse_quorum_status(output: str) -> QuorumStatus:
    """The `Key: value` lines of `describe --status` (other lines, such as log lines, are ignored)."""
    fields = dict(re.findall(r"^(\w+):\s+(.*?)\s*$", output, re.MULTILINE))
    missing = {"LeaderId", "LeaderEpoch", "CurrentVoters", "CurrentObservers"} - fields.keys()
    if missing:
        raise AssertionError(f"describe --status printed no {', '.join(sorted(missing))}:\n{output}")
    voters: list[dict[str, Any]] = json.loads(fields["CurrentVoters"])
    observers: list[dict[str, Any]] = json.loads(fields["CurrentObservers"])
    return QuorumStatus(
        leader=int(fields["LeaderId"]),
        epoch=int(fields["LeaderEpoch"]),
        voters={voter["id"]: voter.get("endpoints", []) for voter in voters},
        observers={observer["id"] for observer in observers},
    )


def quorum_status(cluster: Cluster, pod: str, spec: ClusterSpec) -> QuorumStatus:
    """The quorum as the brokers report it, asked from `pod` as the admin user."""
    command = as_admin("kafka-metadata-quorum.sh", "--bootstrap-server", bootstrap_servers(spec, spec.namespace),
                       "describe", "--status")  # fmt: skip
    result = cluster.exec(pod, command, timeout=TOOL_TIMEOUT)
    assert result.returncode == 0, f"kafka-metadata-quorum.sh failed in {pod}:\n{result.stdout}"
    return parse_quorum_status(result.stdout)


def spec_of(cluster_config: dict[str, Any]) -> ClusterSpec:
    """The validated spec of a `kraft:cluster` mapping."""
    return parse_spec(cluster_config)
