"""Kafka's own tools run inside the cluster's pods, as an operator would with `kubectl exec`, and what
their output means."""

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kraft_component import naming
from kraft_component.jobs import TOOL_HEAP
from kraft_component.kafka_config import controller_endpoints
from kraft_component.manifests import bootstrap_servers
from kraft_component.spec import ClusterSpec, parse_spec
from realtools.podrunner import Cluster

TOOL_TIMEOUT = 180
ATTEMPTS = 3
ASKS = 3  # times the quorum is asked of every pod while their answers differ
LOG_DIRS = ("kafka-run-class.sh", "org.apache.kafka.tools.LogDirsCommand")  # kafka-log-dirs.sh, not installed
# A node's environment is for its server: the server's log4j configuration (INFO to the console), its heap,
# its JVM flags and `-name kafkaServer`. A tool run beside it gets Kafka's own tool defaults instead, and
# the admin Jobs' heap, as an operator's `kubectl exec` should.
TOOL_ENVIRONMENT = (
    f"unset KAFKA_LOG4J_OPTS KAFKA_JVM_PERFORMANCE_OPTS KAFKA_OPTS EXTRA_ARGS && export KAFKA_HEAP_OPTS='{TOOL_HEAP}'"
)


def as_admin(tool: Sequence[str], *arguments: str) -> list[str]:
    """A command that runs a Kafka tool (its script in bin/, and the script's own arguments) as the admin
    user, with the client config the admin Jobs build from the ConfigMap's template and the mounted Secrets
    (the node's own properties.sh does the filling in)."""
    script, *launcher = tool
    command = shlex.join([f"{naming.KAFKA_HOME}/bin/{script}", *launcher])
    script_text = (
        f"source {naming.CONFIG_MOUNT}/{naming.PROPERTIES_LIBRARY} && {TOOL_ENVIRONMENT} && "
        f'KRAFT_WORK_DIR=$(mktemp -d) && config="$(client_config {naming.CONFIG_MOUNT}/{naming.CLIENT_PROPERTIES_KEY})" && '
        f'exec {command} --command-config "$config" {shlex.join(arguments)}'
    )
    return ["/bin/bash", "-c", script_text]


def admin_tool(cluster: Cluster, pod: str, tool: Sequence[str], *arguments: str) -> str:
    """Run a Kafka tool in `pod` as the admin user; its output (AssertionError with the last one when it fails
    ATTEMPTS times). Every call here is idempotent, so a call that timed out while a busy machine delayed the
    quorum or a broker is simply made again."""
    for _ in range(ATTEMPTS):
        result = cluster.exec(pod, as_admin(tool, *arguments), timeout=TOOL_TIMEOUT)
        if result.returncode == 0:
            return result.stdout
    raise AssertionError(f"{' '.join(tool)} {' '.join(arguments)} failed {ATTEMPTS} times in {pod}:\n{result.stdout}")


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
    output = admin_tool(cluster, pod, ["kafka-metadata-quorum.sh"], "--bootstrap-server",
                        bootstrap_servers(spec, spec.namespace), "describe", "--status")  # fmt: skip
    return parse_quorum_status(output)


def expected_voters(spec: ClusterSpec) -> dict[int, list[str]]:
    """Every controller's node ID and the endpoint it advertises on the controller listener."""
    endpoints = controller_endpoints(spec, spec.namespace)
    return {node: [f"CONTROLLER://{endpoint}"] for node, endpoint in endpoints.items()}


def agreed_status(cluster: Cluster, spec: ClusterSpec, pods: Sequence[str]) -> list[QuorumStatus]:
    """The quorum as each pod's tools see it, asked again while an election falls between two answers."""
    for _ in range(ASKS):
        statuses = [quorum_status(cluster, pod, spec) for pod in pods]
        if len({(status.leader, status.epoch) for status in statuses}) == 1:
            break
    return statuses


FEATURE = re.compile(r"^Feature:\s*(?P<name>\S+).*\sFinalizedVersionLevel:\s*(?P<level>\S+)")


def parse_feature_levels(output: str) -> dict[str, str]:
    """Feature -> finalized level as `kafka-features.sh describe` prints it (metadata.version as a release,
    such as 4.3-IV0; the others as numbers). Columns are tab-separated up to 4.2, aligned with spaces from 4.3."""
    return {match["name"]: match["level"] for match in map(FEATURE.match, output.splitlines()) if match}


def feature_levels(cluster: Cluster, pod: str, spec: ClusterSpec) -> dict[str, str]:
    """The cluster's finalized feature levels, asked from `pod` as the admin user."""
    output = admin_tool(cluster, pod, ["kafka-features.sh"], "--bootstrap-server",
                        bootstrap_servers(spec, spec.namespace), "describe")  # fmt: skip
    return parse_feature_levels(output)


@dataclass(frozen=True)
class Replica:
    """One row of `kafka-metadata-quorum describe --replication`."""

    node: int
    directory: str
    lag: int
    status: str

    @property
    def votes(self) -> bool:
        return self.status in ("Leader", "Follower")


def replication(cluster: Cluster, pod: str, spec: ClusterSpec) -> list[Replica]:
    """The quorum's replicas (voters and observers, each with its metadata directory ID) as the brokers
    report them, asked from `pod` as the admin user."""
    output = admin_tool(cluster, pod, ["kafka-metadata-quorum.sh"], "--bootstrap-server",
                        bootstrap_servers(spec, spec.namespace), "describe", "--replication")  # fmt: skip
    rows = [line.split() for line in output.splitlines()]
    return [Replica(int(row[0]), row[1], int(row[3]), row[6]) for row in rows if len(row) == 7 and row[0].isdigit()]


def voters(replicas: list[Replica]) -> dict[int, str]:
    """Node ID -> metadata directory ID of every voter."""
    return {replica.node: replica.directory for replica in replicas if replica.votes}


def create_topic(cluster: Cluster, pod: str, spec: ClusterSpec, topic: str, *, partitions: int, replicas: int) -> None:
    """Create a topic as the admin user (applications here may not)."""
    admin_tool(cluster, pod, ["kafka-topics.sh"], "--bootstrap-server", bootstrap_servers(spec, spec.namespace),
               "--create", "--if-not-exists", "--topic", topic, "--partitions", str(partitions), "--replication-factor", str(replicas))  # fmt: skip


def log_dirs(cluster: Cluster, pod: str, spec: ClusterSpec, topic: str) -> dict[int, dict[str, dict[str, int]]]:
    """What every broker reports of its log directories (`kafka-log-dirs --describe`): broker -> log
    directory -> partition of `topic` -> its size in bytes. A directory with an error fails the call."""
    output = admin_tool(cluster, pod, LOG_DIRS, "--bootstrap-server", bootstrap_servers(spec, spec.namespace),
                        "--describe", "--topic-list", topic)  # fmt: skip
    (line,) = [line for line in output.splitlines() if line.startswith("{")]
    report: dict[int, dict[str, dict[str, int]]] = {}
    for broker in json.loads(line)["brokers"]:
        for directory in broker["logDirs"]:
            assert directory["error"] is None, f"broker {broker['broker']}: {directory}"
            sizes = {partition["partition"]: partition["size"] for partition in directory["partitions"]}
            report.setdefault(broker["broker"], {})[directory["logDir"]] = sizes
    return report


@dataclass(frozen=True)
class BrokerConfig:
    """One entry of `kafka-configs --describe --all`: the value in effect and where it comes from (the source of
    its strongest synonym, e.g. STATIC_BROKER_CONFIG for server.properties, DEFAULT_CONFIG for Kafka's default)."""

    value: str
    source: str


DESCRIBED = re.compile(r"^\s+(?P<name>[\w.-]+)=(?P<value>.*) sensitive=(true|false) synonyms=\{(?P<source>\w+)?", re.M)


def broker_config(cluster: Cluster, pod: str, spec: ClusterSpec, node_id: int) -> dict[str, BrokerConfig]:
    """Every configuration of broker `node_id` as it reports it (`kafka-configs --describe --all`)."""
    output = admin_tool(cluster, pod, ["kafka-configs.sh"], "--bootstrap-server", bootstrap_servers(spec, spec.namespace),
                        "--describe", "--all", "--entity-type", "brokers", "--entity-name", str(node_id))  # fmt: skip
    described = {m["name"]: BrokerConfig(m["value"], m["source"] or "") for m in DESCRIBED.finditer(output)}
    assert described, f"kafka-configs described nothing:\n{output}"
    return described


def spec_of(cluster_config: dict[str, Any]) -> ClusterSpec:
    """The validated spec of a `kraft:cluster` mapping."""
    return parse_spec(cluster_config)
