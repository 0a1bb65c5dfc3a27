"""Real Kafka nodes run as plain local processes on 127.0.0.1, without the pod runner: for checks of Kafka's own
tools and files (the metadata-version Job's forms, the controller readiness probe, the memory benchmark),
and the node script of a stand-in pod (tests/standins) with the release's own kafka-storage.
Releases come from realtools.kafka_install (`bin/real-kafka`); without them or Java the tests skip naming what
is missing, and fail so in CI (tests/realkafka/pods.py)."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from realtools import kafka_install
from realtools.prerequisites import MissingPrerequisite, java_home
from tests.realkafka.kafka import parse_feature_levels
from tests.realkafka.pods import unavailable
from tests.standins import Pod

START_TIMEOUT = 180
TOOL_TIMEOUT = 180
CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"
SMALL_HEAP = "-Xms256m -Xmx256m"


def kafka_home(version: str) -> Path:
    """Where release `version` is installed, installing it if needed."""
    try:
        java_home()
        return kafka_install.install(version)
    except MissingPrerequisite as error:
        unavailable(f"Kafka {version}: {error}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tool(
    home: Path, script: str, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> "subprocess.CompletedProcess[str]":
    """Run one of the release's bin/ scripts (with a small heap unless `env` sets one)."""
    variables = os.environ | {"KAFKA_HEAP_OPTS": "-Xmx256m"} | (env or {})
    done = subprocess.run(
        [str(home / "bin" / script), *args], capture_output=True, text=True, env=variables, timeout=TOOL_TIMEOUT,
        check=False,
    )  # fmt: skip
    assert not check or done.returncode == 0, f"{script} {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def use_real_storage_tool(pod: Pod, home: Path) -> None:
    """Make a stand-in pod's kafka-storage.sh the release's own; kafka-server-start.sh stays the stand-in, so
    the node script formats for real and stops where Kafka would start."""
    storage = pod.kafka_home / "bin" / "kafka-storage.sh"
    storage.write_text(f'#!/usr/bin/env bash\nexec "{home}/bin/kafka-storage.sh" "$@"\n')


@dataclass(frozen=True)
class Node:
    """A running KRaft node on 127.0.0.1."""

    home: Path
    pid: int
    bootstrap: str
    """`host:port` of its client listener (a controller-only node: of its controller listener)."""
    controller: str
    """`host:port` of the quorum's controller listener."""
    log: Path


def node_properties(
    node_id: int, roles: str, port: int, voter: str, data: Path, *, extra: dict[str, str] | None = None
) -> str:
    """server.properties of a node of a static quorum of one voter, `<id>@<host>:<port>`; a broker listens
    on 127.0.0.1:`port`."""
    opened = {"controller": f"CONTROLLER://{voter.partition('@')[2]}", "broker": f"PLAINTEXT://127.0.0.1:{port}"}
    properties = {
        "process.roles": roles,
        "node.id": str(node_id),
        "controller.quorum.voters": voter,
        "controller.listener.names": "CONTROLLER",
        "listeners": ",".join(opened[role] for role in roles.split(",")),
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data),
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
    }
    if "broker" in roles:
        properties["advertised.listeners"] = opened["broker"]
    return "".join(f"{key}={value}\n" for key, value in (properties | (extra or {})).items())


def formatted(home: Path, folder: Path, properties: str, release_version: str) -> Path:
    """Write `folder`/server.properties and format its log directories at `release_version`; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "server.properties"
    config.write_text(properties)
    tool(home, "kafka-storage.sh", "format", "--config", str(config), f"--cluster-id={CLUSTER_ID}",
         "--release-version", release_version)  # fmt: skip
    return config


@contextmanager
def started(
    home: Path, config: Path, port: int, *, heap: str = SMALL_HEAP, jvm: str | None = None
) -> Iterator[tuple[int, Path]]:
    """Run Kafka with `config` until `port` opens; yields (pid, log: server.log beside the config). Stopped
    on exit (SIGTERM, then SIGKILL), also on failure."""
    log = config.parent / "server.log"
    env = os.environ | {"KAFKA_HEAP_OPTS": heap, "LOG_DIR": str(config.parent / "logs")}
    if jvm is not None:
        env["KAFKA_JVM_PERFORMANCE_OPTS"] = jvm
    with log.open("a") as output:
        server = subprocess.Popen(
            [str(home / "bin" / "kafka-server-start.sh"), str(config)], stdout=output, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for_port(port, server, log)
        yield server.pid, log
    finally:
        _stop(server)


@contextmanager
def running(
    home: Path, folder: Path, properties: str, release_version: str, port: int, *, heap: str = SMALL_HEAP,
    jvm: str | None = None,
) -> Iterator[tuple[int, Path]]:  # fmt: skip
    """A node formatted in `folder` at `release_version` and started (see started)."""
    config = formatted(home, folder, properties, release_version)
    with started(home, config, port, heap=heap, jvm=jvm) as process:
        yield process


@contextmanager
def single_node(
    home: Path, folder: Path, release_version: str, *, extra: dict[str, str] | None = None, heap: str = SMALL_HEAP,
    jvm: str | None = None,
) -> Iterator[Node]:  # fmt: skip
    """A one-node cluster (broker and controller, static quorum) formatted at metadata version
    `release_version`."""
    port, controller_port = free_port(), free_port()
    voter = f"1@127.0.0.1:{controller_port}"
    properties = node_properties(1, "broker,controller", port, voter, folder / "data", extra=extra)
    with running(home, folder, properties, release_version, port, heap=heap, jvm=jvm) as (pid, log):
        yield Node(home, pid, f"127.0.0.1:{port}", f"127.0.0.1:{controller_port}", log)


def _wait_for_port(port: int, server: "subprocess.Popen[bytes]", log: Path) -> None:
    """A broker opens its client port once it has caught up and is unfenced."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"Kafka exited with {server.returncode}:\n{log.read_text()[-3000:]}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"Kafka did not open 127.0.0.1:{port} in {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


def _stop(server: "subprocess.Popen[bytes]") -> None:
    """SIGTERM, then SIGKILL after 60 s: the process is gone either way."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def finalized_levels(node: Node) -> dict[str, str]:
    """Feature -> finalized level as `kafka-features.sh describe` prints it (parse_feature_levels)."""
    output = tool(node.home, "kafka-features.sh", "--bootstrap-server", node.bootstrap, "describe").stdout
    return parse_feature_levels(output)
