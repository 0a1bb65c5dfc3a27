"""Issue 10, defect 5, on real Kafka: the controller readiness probe reflects the live state. Three
controller-only nodes form a quorum; one is killed and started again while its peers are down, so it follows
nobody although its quorum-state still names the old leader: the probe must not report it Ready until it
follows a leader again."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from kraft_component.spec import DEFAULT_KAFKA_VERSION
from kraft_component.statefulset import METADATA_STALE_SECONDS
from tests.helpers import ROOT
from tests.realkafka.local_nodes import formatted, free_port, kafka_home, started

pytestmark = pytest.mark.realkafka

PROBE = ROOT / "kraft_component" / "scripts" / "controller-ready.sh"
FOLLOW_TIMEOUT = 120


def controller_properties(node_id: int, port: int, voters: str, data: Path) -> str:
    """A controller-only node of a static quorum on 127.0.0.1."""
    return (
        f"process.roles=controller\nnode.id={node_id}\ncontroller.quorum.voters={voters}\n"
        f"controller.listener.names=CONTROLLER\nlisteners=CONTROLLER://127.0.0.1:{port}\n"
        f"listener.security.protocol.map=CONTROLLER:PLAINTEXT\nlog.dirs={data}\n"
    )


def mark_start(config: Path) -> Path:
    """What the node script does just before it execs Kafka: rewrite the start file."""
    marker = config.parent / "kafka-started"
    marker.write_text(f"{os.getpid()}\n")
    return marker


def probe(config: Path) -> "subprocess.CompletedProcess[str]":
    """The readiness probe as the StatefulSet runs it, against this node's files."""
    env = os.environ | {
        "KRAFT_SERVER_PROPERTIES": str(config),
        "KRAFT_JVM_STARTED_FILE": str(config.parent / "kafka-started"),
        "KRAFT_METADATA_STALE_SECONDS": str(METADATA_STALE_SECONDS),
    }
    return subprocess.run(["/bin/bash", str(PROBE)], capture_output=True, text=True, env=env, timeout=30, check=False)


def wait_ready(config: Path) -> None:
    deadline = time.monotonic() + FOLLOW_TIMEOUT
    while (result := probe(config)).returncode != 0:
        assert time.monotonic() < deadline, f"never Ready: {result.stdout}"
        time.sleep(1)


@contextmanager
def peers(home: Path, configs: list[Path], ports: list[int]) -> Iterator[None]:
    """Controllers 1 and 2 running."""
    with ExitStack() as stack:
        for node in (1, 2):
            mark_start(configs[node])
            stack.enter_context(started(home, configs[node], ports[node]))
        yield


def test_a_restarted_controller_is_ready_only_once_it_follows_a_leader_again(tmp_path: Path) -> None:
    home = kafka_home(DEFAULT_KAFKA_VERSION)
    release = ".".join(DEFAULT_KAFKA_VERSION.split(".")[:2])
    ports = [free_port() for _ in range(3)]
    voters = ",".join(f"{node}@127.0.0.1:{port}" for node, port in enumerate(ports))
    folders = [tmp_path / f"c{node}" for node in range(3)]
    configs = [
        formatted(home, folder, controller_properties(node, ports[node], voters, folder / "data"), release)
        for node, folder in enumerate(folders)
    ]
    quorum_state = folders[0] / "data" / "__cluster_metadata-0" / "quorum-state"

    with peers(home, configs, ports):
        mark_start(configs[0])
        with started(home, configs[0], ports[0]) as (pid, _):
            wait_ready(configs[0])
            os.kill(pid, signal.SIGKILL)  # its peers stop after it: quorum-state keeps a live leader

    mark_start(configs[0])
    with started(home, configs[0], ports[0]):
        alone = []
        deadline = time.monotonic() + METADATA_STALE_SECONDS + 10
        while time.monotonic() < deadline:
            alone.append(probe(configs[0]))
            time.sleep(2)
        stale_leader = '"leaderId":-1' not in quorum_state.read_text()

        with peers(home, configs, ports):
            wait_ready(configs[0])

    assert stale_leader, "Kafka kept the old leader in quorum-state while it followed nobody"
    assert [result.returncode for result in alone if result.returncode == 0] == [], alone
    assert any("has not moved since Kafka started" in result.stdout for result in alone), alone
