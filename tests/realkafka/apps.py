"""Applications on a running stack: a real client (confluent-kafka, which wraps librdkafka; tests/realkafka/
client.py) configured only from what kraft gives an application, run on the pod network as an in-cluster
application would be."""

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kraft_component import naming
from realtools.podrunner import ClientProcess
from tests.realkafka.shared import RunningStack

CLIENT = Path(__file__).with_name("client.py")
CLIENT_TIMEOUT = 300
STOP_TIMEOUT = 180
# What kraft writes into a user's Secret for Java clients (kafka_security.scram_jaas).
JAAS = re.compile(r'org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule required '
                  r'username="(?P<username>[^"]+)" password="(?P<password>[^"]+)";')  # fmt: skip


def jaas_login(jaas: str) -> tuple[str, str]:
    """The username and password of a SCRAM `sasl.jaas.config`."""
    found = JAAS.fullmatch(jaas)
    assert found is not None, f"not a SCRAM login: {jaas}"
    return found["username"], found["password"]


def user_config(stack: RunningStack, user: str, mounts: Path) -> dict[str, str]:
    """librdkafka's configuration of an application that mounts the Secret `<cluster>-user-<user>` and the CA
    of the cluster's TLS Secret (written to `mounts`, as a volume would hold it). The Secret's keys are the
    Java client's; librdkafka takes the login as sasl.username and sasl.password, so sasl.jaas.config is
    translated, and must agree with the Secret's username and password keys."""
    secret = stack.secret(naming.user_secret_name(stack.spec.name, user))
    ca = mounts / naming.TLS_CA
    ca.write_text(stack.secret(naming.tls_secret_name(stack.spec.name))[naming.TLS_CA])
    username, password = jaas_login(secret["sasl.jaas.config"])
    assert (username, password) == (secret["username"], secret["password"])
    return {
        "bootstrap.servers": secret["bootstrap.servers"],
        "security.protocol": secret["security.protocol"],
        "sasl.mechanism": secret["sasl.mechanism"],
        "sasl.username": username,
        "sasl.password": password,
        "ssl.ca.location": str(ca),
    }


@dataclass(frozen=True)
class Produced:
    """What a producer saw: each acknowledged message as (partition, offset, value), delivery errors by code
    name, and the client's own errors (e.g. _AUTHENTICATION) by code name."""

    delivered: list[tuple[int, int, str]]
    failed: dict[str, int]
    errors: list[str]

    @classmethod
    def read(cls, path: Path) -> "Produced":
        data = json.loads(path.read_text())
        return cls([tuple(entry) for entry in data["delivered"]], data["failed"], data["errors"])


class Client:
    """Runs client.py on a stack's pod network with its configuration in `workdir`."""

    def __init__(self, stack: RunningStack, config: dict[str, Any], workdir: Path) -> None:
        self.stack = stack
        self.workdir = workdir
        self.config_file = workdir / f"client-{time.monotonic_ns()}.json"
        self.config_file.write_text(json.dumps(config))

    def _start(
        self, command: str, topic: str, *arguments: str, timeout: float = CLIENT_TIMEOUT
    ) -> tuple[ClientProcess, Path]:
        out = self.workdir / f"{command}-{time.monotonic_ns()}.json"
        argv = [sys.executable, str(CLIENT), command, str(self.config_file), topic, str(out), *arguments]
        process = self.stack.cluster.start_client(argv, timeout, self.stack.spec.namespace)
        return process, out

    def _finish(self, process: ClientProcess, out: Path, timeout: float = CLIENT_TIMEOUT) -> Path:
        result = process.wait(timeout + 30)
        assert result.returncode == 0 and out.exists(), f"the client failed ({result.returncode}):\n{result.stdout}"
        return out

    def produce(self, topic: str, count: int) -> Produced:
        """Produce `count` messages with acks=all and wait for every delivery report."""
        return Produced.read(self._finish(*self._start("produce", topic, str(count))))

    @contextmanager
    def producing(self, topic: str, timeout: float = CLIENT_TIMEOUT) -> Iterator["Producing"]:
        """Produce with acks=all in the background until the block ends (at most `timeout` s), then drain."""
        stop = self.workdir / f"stop-{time.monotonic_ns()}"
        process, out = self._start("produce", topic, "0", str(stop), timeout=timeout)
        producing = Producing(out)
        try:
            yield producing
        finally:
            stop.touch()
            producing.result = Produced.read(self._finish(process, out, timeout))

    def consume(self, topic: str, group: str) -> dict[int, dict[int, str]]:
        """Every record of `topic` up to each partition's end when it started: partition -> offset -> value;
        read as a member of consumer group `group`."""
        client = Client(self.stack, json.loads(self.config_file.read_text()) | {"group.id": group}, self.workdir)
        data = json.loads(client._finish(*client._start("consume", topic)).read_text())
        assert not data["errors"], data["errors"]
        return {
            int(p): {int(offset): value for offset, value in records.items()} for p, records in data["records"].items()
        }


class Producing:
    """A producer running in the background: what it has had acknowledged so far, and at the end."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.result: Produced | None = None

    def delivered(self) -> int:
        """Messages acknowledged so far."""
        return len(Produced.read(self.out).delivered) if self.out.exists() else 0

    def wait_for(self, count: int, timeout: float = STOP_TIMEOUT) -> None:
        """Wait until at least `count` messages are acknowledged."""
        deadline = time.monotonic() + timeout
        while self.delivered() < count:
            assert time.monotonic() < deadline, (
                f"only {self.delivered()} of {count} messages acknowledged in {timeout} s"
            )
            time.sleep(1)


def read_back(produced: Produced, records: dict[int, dict[int, str]]) -> None:
    """Every acknowledged message was read back, at its partition and offset (AssertionError naming the
    first ones missing)."""
    missing = [(p, o, v) for p, o, v in produced.delivered if records.get(p, {}).get(o) != v]
    assert not missing, (
        f"{len(missing)} of {len(produced.delivered)} acknowledged messages not read back: {missing[:5]}"
    )
