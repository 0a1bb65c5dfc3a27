"""Real Kafka for the realkafka tests: an installed release, and single KRaft nodes run as local processes.

A release comes from `bin/real-kafka install <version>` (Maven Central, cached outside the repo). Without
it, or without Java, the tests skip with the reason, and fail with it when CI is set.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

REAL_KAFKA = ROOT / "bin" / "real-kafka"
START_TIMEOUT = 120
TOOL_TIMEOUT = 120


def missing(reason: str) -> None:
    """A prerequisite is missing: fail in CI, skip elsewhere, naming it."""
    if os.environ.get("CI"):
        pytest.fail(f"realkafka tier: {reason}")
    pytest.skip(reason)


def kafka_home(version: str) -> Path:
    """Where release `version` is installed, installing it if needed."""
    if shutil.which("java") is None:
        missing("java is not on PATH (Kafka 4.x needs Java 17+)")
    if not REAL_KAFKA.is_file():
        missing(f"{REAL_KAFKA.relative_to(ROOT)} is missing: it installs Kafka releases from Maven Central")
    done = subprocess.run(
        [str(REAL_KAFKA), "install", version], capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        missing(f"bin/real-kafka install {version} failed: {done.stderr.strip()[-500:]}")
    home = subprocess.run(
        [str(REAL_KAFKA), "home", version], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    return Path(home)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tool(home: Path, script: str, *args: str, check: bool = True) -> "subprocess.CompletedProcess[str]":
    """Run one of the release's bin/ scripts, with a small heap."""
    env = os.environ | {"KAFKA_HEAP_OPTS": "-Xmx256m"}
    done = subprocess.run(
        [str(home / "bin" / script), *args], capture_output=True, text=True, env=env, timeout=TOOL_TIMEOUT, check=False
    )
    assert not check or done.returncode == 0, f"{script} {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True)
class Node:
    """A running single-node KRaft cluster (broker and controller, static quorum) on 127.0.0.1."""

    home: Path
    bootstrap: str
    log: Path


@contextmanager
def single_node(home: Path, folder: Path, release_version: str) -> Iterator[Node]:
    """A one-node cluster formatted at metadata version `release_version`; stopped on exit, also on failure."""
    port, controller_port = free_port(), free_port()
    properties = folder / "server.properties"
    properties.write_text(
        "process.roles=broker,controller\nnode.id=1\n"
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}\ncontroller.listener.names=CONTROLLER\n"
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}\n"
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n"
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
        f"log.dirs={folder / 'data'}\noffsets.topic.replication.factor=1\n"
        "transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n"
    )
    tool(home, "kafka-storage.sh", "format", "--config", str(properties), "--cluster-id=MkU3OEVBNTcwNTJENDM2Qg",
         "--release-version", release_version)  # fmt: skip
    log = folder / "server.log"
    env = os.environ | {"KAFKA_HEAP_OPTS": "-Xms256m -Xmx256m", "LOG_DIR": str(folder / "logs")}
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(home / "bin" / "kafka-server-start.sh"), str(properties)], stdout=output, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for_port(port, server, log)
        yield Node(home, f"127.0.0.1:{port}", log)
    finally:
        _stop(server)


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
    """SIGTERM, then SIGKILL after 30 s: the process is gone either way."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


FEATURE = re.compile(r"^Feature:\s*(?P<name>\S+).*\sFinalizedVersionLevel:\s*(?P<level>\S+)")


def finalized_levels(node: Node) -> dict[str, str]:
    """Feature -> finalized level as `kafka-features.sh describe` prints it (metadata.version as a release,
    such as 4.3-IV0; the others as numbers). Columns are tab-separated up to 4.2, aligned with spaces from 4.3."""
    output = tool(node.home, "kafka-features.sh", "--bootstrap-server", node.bootstrap, "describe").stdout
    return {match["name"]: match["level"] for match in map(FEATURE.match, output.splitlines()) if match}
