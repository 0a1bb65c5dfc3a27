"""Peak resident memory (RSS) of Kafka's admin tools as the admin Jobs run them, and of nodes of the dev and
prod sizing under a produce load, on a real Kafka release: what the Jobs' and pools' memory limits are sized
from (README, 'Memory sizing').

Each tool runs with the admin Jobs' KAFKA_HEAP_OPTS under GNU time (its maximum resident set size), against a
one-node cluster with an authorizer, `--repeat` times; each node runs with the heap and G1 options its
StatefulSet gives it, and its peak (VmHWM) is read once `--records` records of 1 KiB have been produced with
acks=all. Both are measured again with the whole maximum heap resident (-Xms = -Xmx, -XX:+AlwaysPreTouch):
the most the JVM can reach, which is what a limit must cover.

Run: .venv/bin/python benchmarks/bench_memory.py [--version 4.4.0] [--records 1000000] [--repeat 3]
Needs Java, GNU time (/usr/bin/time) and bin/real-kafka (Kafka releases from Maven Central).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing the package

from kraft_component.jobs import JOB_MEMORY, TOOL_HEAP  # noqa: E402
from kraft_component.pod_template import heap_options, performance_options  # noqa: E402
from kraft_component.quantity import parse_quantity  # noqa: E402
from kraft_component.spec import Jvm  # noqa: E402
from tests.helpers import stack_spec  # noqa: E402
from tests.realkafka.local_nodes import Node, free_port, kafka_home, node_properties, running, single_node  # noqa: E402

MIB = 2**20
JVM_OPTS = performance_options(Jvm())  # KAFKA_JVM_PERFORMANCE_OPTS of a pool that sets none: G1
AUTHORIZER = {
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": "User:ANONYMOUS",
}
ToolArguments = Callable[[Node], list[str]]
# What the admin Jobs run (scripts/add-controllers.sh, metadata-version.sh, users.sh), and topic creation.
TOOLS: dict[str, tuple[str, ToolArguments]] = {
    "quorum describe --replication": (
        "kafka-metadata-quorum.sh", lambda n: ["--bootstrap-controller", n.controller, "describe", "--replication"]
    ),
    "quorum describe --status": (
        "kafka-metadata-quorum.sh", lambda n: ["--bootstrap-controller", n.controller, "describe", "--status"]
    ),
    "features version-mapping": (
        "kafka-features.sh", lambda n: ["--bootstrap-server", n.bootstrap, "version-mapping", "--release-version", "4.0"]
    ),
    "features describe": ("kafka-features.sh", lambda n: ["--bootstrap-server", n.bootstrap, "describe"]),
    "configs --alter (SCRAM user)": (
        "kafka-configs.sh", lambda n: [
            "--bootstrap-server", n.bootstrap, "--alter", "--entity-type", "users", "--entity-name", "orders",
            "--add-config", "SCRAM-SHA-512=[iterations=8192,password=orders-secret]",
        ],
    ),
    "acls --add": (
        "kafka-acls.sh", lambda n: [
            "--bootstrap-server", n.bootstrap, "--add", "--force", "--allow-principal", "User:orders",
            "--operation", "Read", "--topic", "orders.", "--resource-pattern-type", "prefixed",
        ],
    ),
    "topics --describe": ("kafka-topics.sh", lambda n: ["--bootstrap-server", n.bootstrap, "--describe"]),
}  # fmt: skip


@dataclass(frozen=True)
class Sizing:
    """One node of a stack's pool: its memory limit and the heap its StatefulSet derives from it."""

    name: str
    roles: str
    limit: str

    @property
    def heap(self) -> str:
        """KAFKA_HEAP_OPTS as the StatefulSet sets it, with no heap of the pool's own."""
        return heap_options(self.limit, Jvm())


def peak_rss(command: list[str], env: dict[str, str]) -> int:
    """The maximum resident set size of `command` (it must succeed), in bytes."""
    with tempfile.NamedTemporaryFile("r") as report:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command], capture_output=True, text=True, env=env,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
        return int(report.read().split()[-1]) * 1024


def jvm_high_water_mark(pid: int) -> int:
    """VmHWM of the JVM: the process itself when the launcher exec'd Java, else its java child."""
    for candidate in [pid, *_children(pid)]:
        if Path(f"/proc/{candidate}/exe").resolve().name == "java":
            status = Path(f"/proc/{candidate}/status").read_text()
            (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no JVM at process {pid}")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def produce(home: Path, bootstrap: str, records: int) -> None:
    """`records` records of 1 KiB with acks=all, with Kafka's own ProducerPerformance."""
    topic = ["--bootstrap-server", bootstrap, "--create", "--if-not-exists", "--topic", "load", "--partitions", "6"]
    subprocess.run([str(home / "bin" / "kafka-topics.sh"), *topic], check=True, capture_output=True, timeout=300)
    command = [
        "java", "-Xmx512m", "-cp", f"{home}/libs/*", "org.apache.kafka.tools.ProducerPerformance", "--topic", "load",
        "--num-records", str(records), "--record-size", "1024", "--throughput", "-1",
        "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all", "linger.ms=5",
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=1800)


def measure_tools(node: Node, heap: str, repeat: int) -> dict[str, int]:
    """Peak RSS of each tool with KAFKA_HEAP_OPTS=`heap`, the largest of `repeat` runs."""
    env = os.environ | {"KAFKA_HEAP_OPTS": heap}
    return {
        name: max(peak_rss([str(node.home / "bin" / script), *arguments(node)], env) for _ in range(repeat))
        for name, (script, arguments) in TOOLS.items()
    }


@contextmanager
def prod_sized(
    home: Path, folder: Path, controller: Sizing, broker: Sizing, release: str, *, jvm: str
) -> Iterator[tuple[dict[str, int], str]]:
    """A controller-only and a broker-only node with the prod heaps; yields ({name: pid}, bootstrap)."""
    controller_port, broker_port = free_port(), free_port()
    voter = f"1@127.0.0.1:{controller_port}"
    with ExitStack() as stack:
        pids = {}
        for node_id, sizing, port in ((1, controller, controller_port), (2, broker, broker_port)):
            properties = node_properties(node_id, sizing.roles, broker_port, voter, folder / sizing.name / "data")
            pid, _ = stack.enter_context(
                running(home, folder / sizing.name, properties, release, port, heap=sizing.heap, jvm=jvm)
            )
            pids[sizing.name] = pid
        yield pids, f"127.0.0.1:{broker_port}"


def sizings() -> dict[str, Sizing]:
    """The memory limits of the dev and prod stacks' pools."""
    dev, prod = stack_spec("dev"), stack_spec("prod")
    return {
        "dev node": Sizing("dev node", "broker,controller", dev.pools[0].resources.limits.memory),
        "prod controller": Sizing("prod controller", "controller", prod.pools[0].resources.limits.memory),
        "prod broker": Sizing("prod broker", "broker", prod.pools[1].resources.limits.memory),
    }


def full_heap(heap: str) -> str:
    """JVM options that make the whole maximum heap resident from the start: the bound a JVM can reach."""
    maximum = next(option for option in heap.split() if option.startswith("-Xmx")).removeprefix("-Xmx")
    return f"-Xms{maximum} -Xmx{maximum} -XX:+AlwaysPreTouch"


def measure_nodes(home: Path, folder: Path, release: str, records: int, pretouch: bool) -> dict[str, int]:
    """Peak RSS of the dev node and of the prod controller and broker after `records` records."""
    nodes = sizings()
    dev = nodes["dev node"]
    jvm = f"{JVM_OPTS} -XX:+AlwaysPreTouch" if pretouch else JVM_OPTS
    with single_node(home, folder / "dev", release, heap=dev.heap, jvm=jvm) as node:
        produce(home, node.bootstrap, records)
        peaks = {dev.name: jvm_high_water_mark(node.pid)}
    controller, broker = nodes["prod controller"], nodes["prod broker"]
    with prod_sized(home, folder / "prod", controller, broker, release, jvm=jvm) as (pids, bootstrap):
        produce(home, bootstrap, records)
        return peaks | {name: jvm_high_water_mark(pids[name]) for name in (controller.name, broker.name)}


def report(title: str, rows: dict[str, tuple[int, int, str]]) -> None:
    print(f"\n{title}")
    print(f"{'':40} {'peak RSS':>9} {'full heap':>10} {'limit':>7} {'limit / full heap':>18}")
    for name, (peak, bound, limit) in rows.items():
        ratio = parse_quantity(limit) / bound
        print(f"{name:40} {peak / MIB:>8.0f}M {bound / MIB:>9.0f}M {limit:>7} {ratio:>18.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="4.4.0", help="Kafka release (default 4.4.0)")
    parser.add_argument("--records", type=int, default=1_000_000, help="records of 1 KiB produced per node")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool")
    args = parser.parse_args()
    home = kafka_home(args.version)
    release = ".".join(args.version.split(".")[:2])
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True).stderr.splitlines()[0]
    print(f"Kafka {args.version}, {java}, {args.records} records of 1 KiB per cluster (acks=all)")
    with tempfile.TemporaryDirectory() as scratch:
        with single_node(home, Path(scratch) / "tools", release, extra=AUTHORIZER) as node:
            tools = measure_tools(node, TOOL_HEAP, args.repeat)
            tools_bound = measure_tools(node, full_heap(TOOL_HEAP), args.repeat)
        nodes = measure_nodes(home, Path(scratch) / "as-run", release, args.records, pretouch=False)
        nodes_bound = measure_nodes(home, Path(scratch) / "full-heap", release, args.records, pretouch=True)
    report(f"Admin tools (KAFKA_HEAP_OPTS={TOOL_HEAP}), largest of {args.repeat} runs", {
        name: (peak, tools_bound[name], JOB_MEMORY) for name, peak in tools.items()
    })  # fmt: skip
    sizing = sizings()
    report("Nodes (heap and G1 options of their StatefulSet)", {
        f"{name} ({sizing[name].heap})": (peak, nodes_bound[name], sizing[name].limit) for name, peak in nodes.items()
    })  # fmt: skip


if __name__ == "__main__":
    main()
