"""Kafka's own command-line tools as the flow runs them in a pod, and what their output means.

Flags checked against the apache/kafka 4.x tool sources: VerifiableProducer (`--bootstrap-server`,
`--topic`, `--max-messages`, `--throughput`, `--acks`, `--value-prefix`; one JSON object per line,
`producer_send_success` once a send is acknowledged), ConsoleConsumer (`--from-beginning`, `--timeout-ms`:
exits 0 once no record arrives for that long, one value per line), MetadataQuorumCommand
(`--bootstrap-controller ... describe --status` prints `LeaderId:` and `LeaderEpoch:` lines) and TopicCommand.
"""

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from kraft_component import naming

ACKS_ALL = "-1"  # acks=all: the leader waits for every in-sync replica (at least min.insync.replicas)
_STATUS_FIELD = r"^{}:\s+(-?\d+)\s*$"


def tool(script: str) -> str:
    """The path of a Kafka script in the apache/kafka image."""
    return f"{naming.KAFKA_HOME}/bin/{script}"


def create_topic(bootstrap: str, topic: str, partitions: int, replication_factor: int) -> list[str]:
    """Create `topic` unless it exists (the cluster does not create topics on first use)."""
    return [
        tool("kafka-topics.sh"), "--bootstrap-server", bootstrap, "--create", "--if-not-exists", "--topic", topic,
        "--partitions", str(partitions), "--replication-factor", str(replication_factor),
    ]  # fmt: skip


def under_replicated(bootstrap: str, topic: str) -> list[str]:
    """List the partitions of `topic` that miss an in-sync replica (no output: fully replicated)."""
    return [tool("kafka-topics.sh"), "--bootstrap-server", bootstrap, "--describe", "--topic", topic,
            "--under-replicated-partitions"]  # fmt: skip


def produce(bootstrap: str, topic: str, batch: int, count: int, throughput: int = -1) -> list[str]:
    """Send `count` values `<batch>.<n>` with acks=all, one JSON report per send (at most `throughput`/s)."""
    return [
        tool("kafka-verifiable-producer.sh"), "--bootstrap-server", bootstrap, "--topic", topic,
        "--max-messages", str(count), "--throughput", str(throughput), "--acks", ACKS_ALL,
        "--value-prefix", str(batch),
    ]  # fmt: skip


def consume(bootstrap: str, topic: str, timeout_ms: int = 30_000) -> list[str]:
    """Print every value of `topic` from the beginning, one per line; stop after `timeout_ms` without one."""
    return [tool("kafka-console-consumer.sh"), "--bootstrap-server", bootstrap, "--topic", topic,
            "--from-beginning", "--timeout-ms", str(timeout_ms)]  # fmt: skip


def quorum_status(controllers: str) -> list[str]:
    """Describe the metadata quorum, asking the controllers (`host:port,...`) directly."""
    return [tool("kafka-metadata-quorum.sh"), "--bootstrap-controller", controllers, "describe", "--status"]


def in_background(command: list[str], pid_file: str) -> list[str]:
    """Run `command` in the background of a shell that records its process ID in `pid_file` and waits for it
    (the Kafka scripts `exec` the JVM, so that ID is the JVM's)."""
    return ["/bin/sh", "-c", f"{shlex.join(command)} & echo $! > {shlex.quote(pid_file)}; wait $!"]


def stop(pid_file: str) -> list[str]:
    """SIGTERM the process recorded in `pid_file`: the producer flushes, reports, and exits."""
    return ["/bin/sh", "-c", f'kill "$(cat {shlex.quote(pid_file)})"']


@dataclass(frozen=True)
class ProducerReport:
    """What a verifiable producer said: the values acknowledged, and how many sends failed."""

    acknowledged: frozenset[str]
    failed: int


def producer_report(output: str) -> ProducerReport:
    """Read a verifiable producer's stdout; lines that are not JSON objects (log lines) are ignored."""
    events = []
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return ProducerReport(
        acknowledged=frozenset(str(e["value"]) for e in events if e.get("name") == "producer_send_success"),
        failed=sum(e.get("name") == "producer_send_error" for e in events),
    )


@dataclass(frozen=True)
class QuorumStatus:
    """The active controller's node ID (-1: none) and the epoch it leads in (each election raises it)."""

    leader: int
    epoch: int


def quorum_status_of(output: str) -> QuorumStatus:
    """Read the `LeaderId:` and `LeaderEpoch:` lines of `describe --status`."""
    values = {}
    for field in ("LeaderId", "LeaderEpoch"):
        match = re.search(_STATUS_FIELD.format(field), output, re.MULTILINE)
        if match is None:
            raise ValueError(f"no {field} line in: {output!r}")
        values[field] = int(match[1])
    return QuorumStatus(leader=values["LeaderId"], epoch=values["LeaderEpoch"])


def lost(acknowledged: Iterable[str], consumed: Iterable[str]) -> list[str]:
    """Acknowledged values that were not consumed, in send order (`<batch>.<n>`)."""
    missing = set(acknowledged) - set(consumed)
    return sorted(missing, key=lambda value: tuple(int(part) for part in value.split(".")))
