"""Metrics on real Kafka: every node of the secure stack serves the exporter rules' metrics on its named port,
scraped through the pod network as Prometheus would, with values a healthy cluster has; a broker that goes down
shows as under-replicated partitions and ISR shrinks; and every metric the alerts watch is one a node serves."""

import json
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pytest

from kraft_component import monitoring
from kraft_component.jmx_exporter import PORT_NAME
from tests.realkafka.shared import RunningStack

pytestmark = pytest.mark.realkafka

SCRAPE = """
import json, sys, urllib.request
print(json.dumps({url: urllib.request.urlopen(url, timeout=30).read().decode() for url in sys.argv[1:]}))
"""
SCRAPE_TIMEOUT = 120
DOWN_TIMEOUT = 120  # the controller fences a broker that stops heartbeating after broker.session.timeout.ms (9 s)
TOPIC = "metrics.probe"
SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
NOT_FROM_THE_AGENT = {"up", monitoring.VOLUME_USED, monitoring.VOLUME_CAPACITY}  # Prometheus's own; the kubelet's


@dataclass(frozen=True)
class Sample:
    """One line of the Prometheus text format."""

    name: str
    labels: dict[str, str]
    value: float


def parse(text: str) -> list[Sample]:
    """The samples of a scrape (comments skipped)."""
    samples = []
    for line in text.splitlines():
        found = SAMPLE.match(line)
        if found is not None:
            labels = dict(LABEL.findall(found["labels"] or ""))
            samples.append(Sample(found["name"], labels, float(found["value"])))
    return samples


def scrape(stack: RunningStack, pods: Sequence[str]) -> dict[str, list[Sample]]:
    """Each pod's metrics, fetched from a client on the pod network at the pod's address and named port."""
    ports = {
        pod: next(
            port["containerPort"]
            for port in stack.rendered.one("StatefulSet", pod.rsplit("-", 1)[0])["spec"]["template"]["spec"][
                "containers"
            ][0]["ports"]
            if port["name"] == PORT_NAME
        )
        for pod in pods
    }
    urls = {pod: f"http://{stack.cluster.pod_ip(pod)}:{ports[pod]}/metrics" for pod in pods}
    result = stack.cluster.run_client([sys.executable, "-c", SCRAPE, *urls.values()], SCRAPE_TIMEOUT,
                                      stack.spec.namespace)  # fmt: skip
    assert result.returncode == 0, result.stdout
    texts: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
    return {pod: parse(texts[url]) for pod, url in urls.items()}


def values(samples: Sequence[Sample], name: str, **labels: str) -> list[float]:
    """The values of the samples called `name` with these labels (AssertionError if there are none)."""
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert found, f"no {name}{labels or ''} in the scrape"
    return found


def value(samples: Sequence[Sample], name: str, **labels: str) -> float:
    """The value of the one sample called `name` with these labels."""
    (only,) = values(samples, name, **labels)
    return only


def node_pods(stack: RunningStack) -> tuple[list[str], list[str]]:
    """The controllers' pods and the brokers' pods."""
    controllers = [pod for pool in stack.spec.pools if pool.is_controller for pod in stack.pods(pool.name)]
    brokers = [pod for pool in stack.spec.pools if pool.is_broker for pod in stack.pods(pool.name)]
    return controllers, brokers


def test_every_node_serves_the_rules_metrics_with_healthy_values(secure_stack: RunningStack) -> None:
    controllers, brokers = node_pods(secure_stack)
    topic = secure_stack.topic(TOPIC, 3, 3)
    scrapes = scrape(secure_stack, [*controllers, *brokers])

    # one active controller across the controllers, the same quorum leader and epoch on every node
    assert sum(value(scrapes[pod], "kafka_controller_active_controller_count") for pod in controllers) == 1
    assert sum(value(scrapes[pod], "kafka_controller_offline_partitions") for pod in controllers) == 0
    leaders = {value(scrapes[pod], "kafka_raft_current_leader") for pod in [*controllers, *brokers]}
    epochs = {value(scrapes[pod], "kafka_raft_current_epoch") for pod in [*controllers, *brokers]}
    assert len(leaders) == 1 and len(epochs) == 1, (leaders, epochs)
    leader = int(leaders.pop())
    assert leader in {node for pool in secure_stack.spec.pools if pool.is_controller
                      for node in range(pool.first_node_id, pool.first_node_id + pool.replicas)}  # fmt: skip
    states = {pod: {s.labels["state"] for s in scrapes[pod] if s.name == "kafka_raft_current_state"} for pod in scrapes}
    assert sorted(state for pod in controllers for state in states[pod]) == ["follower", "follower", "leader"], states
    assert all(states[pod] == {"observer"} for pod in brokers), states
    for pod in controllers:
        assert value(scrapes[pod], "kafka_raft_voters") == len(controllers)
        lag = value(scrapes[pod], "kafka_raft_high_watermark") - value(scrapes[pod], "kafka_raft_log_end_offset")
        assert abs(lag) < 1000, f"{pod}: high watermark and log end {lag} records apart"
    for pod in brokers:
        samples = scrapes[pod]
        assert value(samples, "kafka_server_under_replicated_partitions") == 0
        assert value(samples, "kafka_server_under_min_isr_partitions") == 0
        assert value(samples, "kafka_server_partitions") >= 3  # each broker holds a replica of every probe partition
        assert value(samples, "kafka_log_offline_directories") == 0
        # requests: counts by type, and latencies in seconds (not milliseconds)
        assert sum(values(samples, "kafka_network_requests_total")) > 0
        assert sum(values(samples, "kafka_network_requests_total", request="Fetch")) > 0  # replication
        latencies = values(samples, "kafka_network_request_total_time_seconds", request="Fetch")
        assert all(0 <= latency < 60 for latency in latencies), latencies
        assert value(samples, "kafka_server_isr_shrinks_total") >= 0
        sizes = values(samples, "kafka_log_size_bytes", topic=topic)
        assert len(sizes) == 3 and all(size >= 0 for size in sizes), sizes
        assert value(samples, "kafka_broker_metadata_last_applied_record_offset") > 0
    for pod in [*controllers, *brokers]:
        samples = scrapes[pod]
        heap = value(samples, "jvm_memory_used_bytes", area="heap")
        assert 1 << 20 < heap <= value(samples, "jvm_memory_max_bytes", area="heap"), f"{pod}: heap {heap}"
        assert sum(values(samples, "jvm_gc_collection_seconds_count")) > 0, f"{pod}: no garbage collection yet"


def test_the_alerts_watch_only_metrics_the_nodes_serve(secure_stack: RunningStack) -> None:
    """A PrometheusRule expression that names a metric no node serves would never fire (or always, under
    `absent`): each metric the alerts select is in a real scrape of a controller or a broker."""
    controllers, brokers = node_pods(secure_stack)
    served = {s.name for samples in scrape(secure_stack, [controllers[0], brokers[0]]).values() for s in samples}
    rules = monitoring.prometheus_rule(secure_stack.spec, secure_stack.spec.namespace)
    expressions = [rule["expr"] for group in rules["spec"]["groups"] for rule in group["rules"]]
    watched = {name for expression in expressions for name in SELECTOR.findall(expression)}

    assert watched - NOT_FROM_THE_AGENT, expressions
    assert sorted(watched - NOT_FROM_THE_AGENT - served) == []


def under_replicated(scrapes: Mapping[str, Sequence[Sample]]) -> float:
    """Under-replicated partitions, summed over the brokers scraped."""
    return sum(value(samples, "kafka_server_under_replicated_partitions") for samples in scrapes.values())


@pytest.mark.disruptive
def test_a_broker_down_shows_as_under_replicated_partitions(secure_stack: RunningStack) -> None:
    """In KRaft the controller takes a fenced broker out of the ISR, so the leaders' own ISR-shrink counters
    need not move: the under-replicated count is the signal (the alert's)."""
    _, brokers = node_pods(secure_stack)
    secure_stack.topic(TOPIC, 3, 3)
    down, *up = brokers
    before = scrape(secure_stack, up)
    assert under_replicated(before) == 0

    secure_stack.cluster.kill(down)  # SIGKILL: the controller fences it once its session times out
    deadline = time.monotonic() + DOWN_TIMEOUT
    while (now := scrape(secure_stack, up)) and under_replicated(now) == 0:
        assert time.monotonic() < deadline, f"no under-replicated partition {DOWN_TIMEOUT} s after {down} went down"
        time.sleep(1)

    assert under_replicated(now) > 0
