"""Installs from Maven Central run Kafka: the releases whose logging backend differs from the newest's (3.9's
reload4j, 4.0's log4j2 that no POM names) format a node, start it and answer its tools, logging through the
backend the install added. The newest release does the same in every scenario of the tier."""

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from realtools import kafka_install
from realtools.prerequisites import MissingPrerequisite
from tests.realkafka.kafka import parse_quorum_status
from tests.realkafka.pods import unavailable

pytestmark = pytest.mark.realkafka

START_TIMEOUT = 240


def free_port() -> int:
    """A TCP port nothing listens on, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("version", ["3.9.0", "4.0.0"])
def test_an_install_formats_starts_and_serves_a_node(
    version: str, java: Path, tmp_path: Path, measured: Callable[[str], None]
) -> None:
    try:
        home = kafka_install.install(version)
    except MissingPrerequisite as error:
        unavailable(f"Kafka {version}: {error}")
    client, controller = free_port(), free_port()
    properties = tmp_path / "server.properties"
    properties.write_text(
        f"process.roles=broker,controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=127.0.0.1:{controller}\n"
        f"listeners=PLAINTEXT://127.0.0.1:{client},CONTROLLER://127.0.0.1:{controller}\n"
        "controller.listener.names=CONTROLLER\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
        f"log.dirs={tmp_path / 'data'}\noffsets.topic.replication.factor=1\n"
    )
    env = {
        "JAVA_HOME": str(java),
        "PATH": "/usr/bin:/bin",
        "LOG_DIR": str(tmp_path / "logs"),
        "KAFKA_HEAP_OPTS": "-Xmx256m",
    }
    tool = subprocess.run(
        [home / "bin" / "kafka-storage.sh", "random-uuid"], env=env, capture_output=True, text=True, check=True
    )
    cluster_id = tool.stdout.strip().splitlines()[-1]
    subprocess.run([home / "bin" / "kafka-storage.sh", "format", "-c", properties, "-t", cluster_id, "--standalone"],
                   env=env, capture_output=True, text=True, check=True)  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    started = time.monotonic()
    server = subprocess.Popen(
        [home / "bin" / "kafka-server-start.sh", properties], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = started + START_TIMEOUT
        while "Transition from STARTING to STARTED" not in (tmp_path / "server.log").read_text():
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(1)
        measured(
            f"Kafka {version}, one combined node outside any pod: serving {time.monotonic() - started:.0f} s after start"
        )
        status = subprocess.run(
            [home / "bin" / "kafka-metadata-quorum.sh", "--bootstrap-server", f"127.0.0.1:{client}", "describe", "--status"],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        assert parse_quorum_status(status.stdout).leader == 1
        assert "INFO" in (tmp_path / "server.log").read_text()  # the server logs through the install's backend
        assert "INFO" not in status.stdout + status.stderr  # and the tools through tools-log4j2 (warnings only)
    finally:
        server.terminate()
        server.wait(60)
        log.close()
