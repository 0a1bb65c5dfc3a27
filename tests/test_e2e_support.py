"""The end-to-end suite's logic, proven offline: its stack config and pods, the checks it makes on what it
observes, the Kafka tool commands and outputs it relies on, and that it skips cleanly without the tools."""

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import OpType

from kraft_component import guards, naming, network
from kraft_component.spec import parse_spec
from localdev import kind, tools
from tests.e2e import checks, kafka_cli, topology
from tests.e2e.kube import Kube, KubectlFailed, selector, wait_for
from tests.gates.api_rules import selects
from tests.gates.schema import SUPPORTED_KUBERNETES, client_models, openapi
from tests.helpers import ROOT, fake_tool

GROWN = parse_spec(topology.cluster_config(topology.NEW_VERSION, brokers=4))
IMAGE = "apache/kafka:4.4.0"


def pod_item(name: str, *, ready: bool = True, uid: str = "u", image: str = IMAGE, **metadata: Any) -> dict[str, Any]:
    """One item of `kubectl get pods -o json`, reduced to what the checks read."""
    return {
        "metadata": {"name": name, "uid": uid, **metadata},
        "spec": {"containers": [{"name": "kafka", "image": image}], "nodeName": f"node-of-{name}"},
        "status": {"conditions": [{"type": "Ready", "status": str(ready)}]},
    }


def pods(*items: dict[str, Any]) -> dict[str, checks.Pod]:
    return checks.pods({"items": list(items)})


# --- skipping without the tools ---------------------------------------------------------------------------


def test_the_suite_skips_every_step_naming_each_missing_tool(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no docker, kind, kubectl or pulumi on this PATH
    command = [sys.executable, "-m", "pytest", "-m", "e2e", "tests/e2e", "-rs", "-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    reasons = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 8, done.stdout
    assert all(line.endswith("missing or not running here: docker, kind, kubectl, pulumi") for line in reasons)


def test_skip_reason_names_only_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tool(tmp_path, "kubectl", "exit 0")
    fake_tool(tmp_path, "docker", "exit 1")  # a client without an engine
    monkeypatch.setenv("PATH", str(tmp_path))
    assert checks.skip_reason(tools.missing(checks.TOOLS)) == (
        "end-to-end tests need docker, kind, kubectl, pulumi; missing or not running here: docker, kind, pulumi"
    )
    for tool in ("docker", "kind", "pulumi"):
        fake_tool(tmp_path, tool, "exit 0")
    assert checks.skip_reason(tools.missing(checks.TOOLS)) is None


# --- what is deployed -------------------------------------------------------------------------------------


def test_the_stack_config_is_a_production_topology_sized_for_kind() -> None:
    spec = parse_spec(topology.cluster_config())
    assert (spec.profile.value, spec.kafka_version, spec.image_ref) == ("production", "4.3.1", "apache/kafka:4.3.1")
    assert [(pool.name, [role.value for role in pool.roles], pool.replicas) for pool in spec.pools] == [
        ("controllers", ["controller"], 3),
        ("brokers", ["broker"], 3),
    ]
    brokers = topology.pool(spec, topology.BROKERS)
    assert brokers.scheduling.zone_spread.value == "required"
    assert all(pool.resources.limits.memory == "1Gi" and pool.storage.size == "1Gi" for pool in spec.pools)
    assert (spec.replication_factor, spec.min_insync_replicas) == (3, 2)


def test_every_change_of_the_flow_passes_the_deployment_guards() -> None:
    steps = [
        topology.cluster_config(),
        topology.cluster_config(brokers=4),
        topology.cluster_config(topology.NEW_VERSION, brokers=4),
    ]
    records = [guards.record(parse_spec(config), "A" * 22) for config in steps]
    assert [guards.refusals(old, new) for old, new in itertools.pairwise(records)] == [[], []]


def test_pod_names_roll_order_and_claims_follow_the_naming_code() -> None:
    assert topology.cluster_pods(GROWN) == [
        "kafka-controllers-0", "kafka-controllers-1", "kafka-controllers-2",
        "kafka-brokers-0", "kafka-brokers-1", "kafka-brokers-2", "kafka-brokers-3",
    ]  # fmt: skip
    assert topology.roll_order(GROWN) == [
        "kafka-controllers-2", "kafka-controllers-1", "kafka-controllers-0",
        "kafka-brokers-3", "kafka-brokers-2", "kafka-brokers-1", "kafka-brokers-0",
    ]  # fmt: skip
    assert topology.controller_pod(GROWN, 1) == "kafka-controllers-1"
    assert topology.claims(GROWN)[0] == "data-kafka-brokers-0"
    assert len(topology.claims(GROWN)) == 7


def test_tool_pods_are_valid_and_meet_the_restricted_pod_security_standard() -> None:
    spec = parse_spec(topology.cluster_config())
    tool_pods = [topology.client_pod(spec), topology.admin_pod(spec)]
    assert [problem for version in SUPPORTED_KUBERNETES for problem in openapi(tool_pods, version)] == []
    assert client_models(tool_pods) == []
    for pod in tool_pods:
        context = pod["spec"]["securityContext"]
        assert (context["runAsNonRoot"], context["seccompProfile"]) == (True, {"type": "RuntimeDefault"})
        (container,) = pod["spec"]["containers"]
        assert container["image"] == spec.image_ref
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert all(set(volume) == {"name", "emptyDir"} for volume in pod["spec"]["volumes"])
        assert {"name": "LOG_DIR", "value": naming.TMP_MOUNT} in container["env"]


def admitted_ports(policy: dict[str, Any], labels: dict[str, str]) -> set[int]:
    """The ports a NetworkPolicy opens to a pod of its own namespace with `labels`."""
    return {
        port["port"]
        for rule in policy["spec"]["ingress"]
        if any("podSelector" in peer and selects(peer["podSelector"], labels) for peer in rule["from"])
        for port in rule["ports"]
    }


def test_the_client_reaches_only_the_client_port_and_the_admin_pod_every_port() -> None:
    spec = parse_spec(topology.cluster_config())
    policy = network.nodes_policy(spec, topology.NAMESPACE)
    client, admin = topology.client_pod(spec), topology.admin_pod(spec)
    assert admitted_ports(policy, client["metadata"]["labels"]) == {9092}
    assert admitted_ports(policy, admin["metadata"]["labels"]) == {9092, 9093, 9094}
    for pod in (client, admin):
        assert not selects({"matchLabels": naming.cluster_labels(spec.name)}, pod["metadata"]["labels"])


# --- checks of what the flow observes -----------------------------------------------------------------------


def test_pods_are_read_from_kubectl_json() -> None:
    deleting = pod_item("kafka-brokers-1", deletionTimestamp="2026-01-01T00:00:00Z")
    observed = pods(pod_item("kafka-brokers-0", uid="a"), deleting, pod_item("kafka-brokers-2", ready=False))
    assert observed["kafka-brokers-0"] == checks.Pod(
        name="kafka-brokers-0", uid="a", image=IMAGE, ready=True, deleting=False, node="node-of-kafka-brokers-0"
    )
    assert observed["kafka-brokers-1"].deleting
    expected = ["kafka-brokers-0", "kafka-brokers-1", "kafka-brokers-2", "kafka-brokers-3"]
    assert checks.unavailable(observed, expected) == ["kafka-brokers-1", "kafka-brokers-2", "kafka-brokers-3"]


def test_a_pod_with_a_new_uid_was_replaced() -> None:
    before = pods(pod_item("a", uid="1"), pod_item("b", uid="2"))
    after = pods(pod_item("a", uid="1"), pod_item("b", uid="3"), pod_item("c", uid="4"))
    assert checks.replaced(before, after) == ["b"]


def test_pods_are_placed_by_their_nodes_zones() -> None:
    nodes = {"items": [
        {"metadata": {"name": f"node-of-p{i}", "labels": {naming.ZONE_LABEL: zone}}}
        for i, zone in enumerate(kind.ZONES)
    ] + [{"metadata": {"name": "control-plane", "labels": {}}}]}  # fmt: skip
    zones = checks.node_zones(nodes, naming.ZONE_LABEL)
    assert zones == {"node-of-p0": "zone-a", "node-of-p1": "zone-b", "node-of-p2": "zone-c"}
    observed = pods(pod_item("p2"), pod_item("p0"), pod_item("p1"))
    assert checks.placement(observed, zones, ["p0", "p1", "p2"]) == sorted(kind.ZONES)
    assert checks.placement(observed, zones, ["p0", "p9"]) == ["?", "zone-a"]


ORDER = ["c-1", "c-0", "b-1", "b-0"]


def roll(*steps: dict[str, tuple[str, bool]]) -> list[dict[str, checks.Pod]]:
    """Observations from {pod: (image, ready)}; pods not named keep the old image and are Ready."""
    return [
        pods(*(pod_item(name, image=step.get(name, ("old", True))[0], ready=step.get(name, ("old", True))[1])
               for name in ORDER if step.get(name) != ("gone", False)))
        for step in steps
    ]  # fmt: skip


def test_an_ordered_roll_one_pod_at_a_time_passes() -> None:
    observations = roll(
        {},
        {"c-1": ("gone", False)},
        {"c-1": (IMAGE, False)},
        {"c-1": (IMAGE, True), "c-0": ("old", False)},
        {"c-1": (IMAGE, True), "c-0": (IMAGE, True)},
        {"c-1": (IMAGE, True), "c-0": (IMAGE, True), "b-1": (IMAGE, False)},
        {"c-1": (IMAGE, True), "c-0": (IMAGE, True), "b-1": (IMAGE, True), "b-0": (IMAGE, True)},
    )
    assert checks.roll_problems(observations, ORDER, IMAGE) == []


def test_brokers_before_controllers_is_reported() -> None:
    observations = roll({}, {"b-1": (IMAGE, True)}, {"b-1": (IMAGE, True), "c-1": (IMAGE, True)})
    problems = checks.roll_problems(observations, ORDER, IMAGE)
    assert problems == [
        f"never seen running {IMAGE}: c-0, b-0",
        "rolled in the order b-1, c-1; expected c-1, c-0, b-1, b-0",
    ]


def test_two_pods_down_or_replaced_together_are_reported() -> None:
    observations = roll({}, {"c-1": (IMAGE, False), "c-0": (IMAGE, False)})
    assert checks.roll_problems(observations, ORDER[:2], IMAGE) == [
        "rolled together: c-1, c-0",
        "observation 1: c-1, c-0 unavailable at once",
    ]


def test_only_changes_other_than_same_count() -> None:
    assert checks.changes({OpType.SAME: 14}) == {}
    assert checks.changes({OpType("same"): 13, OpType.UPDATE: 1, OpType.DELETE: 0}) == {"update": 1}


def test_names_of_a_listing() -> None:
    assert checks.names({"items": [{"metadata": {"name": "b"}}, {"metadata": {"name": "a"}}]}) == ["a", "b"]
    assert checks.names({"items": []}) == []


# --- Kafka tools ------------------------------------------------------------------------------------------


PRODUCER_OUTPUT = """\
{"timestamp":1,"name":"startup_complete"}
[2026-01-01 00:00:00,000] WARN [Producer clientId=producer-1] Connection to node 100 could not be established.
{"timestamp":2,"name":"producer_send_success","key":null,"value":"2.0","topic":"e2e","partition":0,"offset":0}
{"timestamp":3,"name":"producer_send_error","key":null,"value":"2.1","topic":"e2e","exception":"class org.apache.kafka.common.errors.NotLeaderOrFollowerException","message":"x"}
{"timestamp":4,"name":"producer_send_success","key":null,"value":"2.2","topic":"e2e","partition":1,"offset":0}
{"timestamp":5,"name":"shutdown_complete"}
{"timestamp":6,"name":"tool_data","sent":3,"acked":2,"target_throughput":20,"avg_throughput":1.5}
"""


def test_the_producer_report_counts_acknowledged_and_failed_sends() -> None:
    report = kafka_cli.producer_report(PRODUCER_OUTPUT)
    assert report == kafka_cli.ProducerReport(acknowledged=frozenset({"2.0", "2.2"}), failed=1)


def test_lost_messages_are_the_acknowledged_ones_not_consumed_in_send_order() -> None:
    acknowledged = {"1.0", "1.1", "1.10", "1.2", "2.0"}
    assert kafka_cli.lost(acknowledged, ["1.0", "1.1", "2.0", "9.9"]) == ["1.2", "1.10"]
    assert kafka_cli.lost(acknowledged, sorted(acknowledged)) == []


def test_the_quorum_status_names_the_leader_and_its_epoch() -> None:
    output = (
        "ClusterId:              MkU3OEVBNTcwNTJENDM2Qg\n"
        "LeaderId:               1\n"
        "LeaderEpoch:            7\n"
        "HighWatermark:          1516\n"
        "MaxFollowerLag:         0\n"
        "MaxFollowerLagTimeMs:   0\n"
        'CurrentVoters:          [{"id": 0, "directoryId": "x", "endpoints": ["CONTROLLER://kafka-controllers-0:9093"]}]\n'
        "CurrentObservers:       []\n"
    )
    assert kafka_cli.quorum_status_of(output) == kafka_cli.QuorumStatus(leader=1, epoch=7)
    with pytest.raises(ValueError, match="no LeaderEpoch line"):
        kafka_cli.quorum_status_of("LeaderId: 1\n")


def test_tool_commands_use_the_flags_of_kafka_4() -> None:
    produce = kafka_cli.produce("b:9092", "e2e", batch=2, count=10, throughput=20)
    assert produce[0] == "/opt/kafka/bin/kafka-verifiable-producer.sh"
    assert " ".join(produce[1:]) == (
        "--bootstrap-server b:9092 --topic e2e --max-messages 10 --throughput 20 --acks -1 --value-prefix 2"
    )
    consume = kafka_cli.consume("b:9092", "e2e")
    assert " ".join(consume[1:]) == "--bootstrap-server b:9092 --topic e2e --from-beginning --timeout-ms 30000"
    quorum = kafka_cli.quorum_status("c0:9093,c1:9093")
    assert " ".join(quorum[1:]) == "--bootstrap-controller c0:9093,c1:9093 describe --status"
    assert " ".join(kafka_cli.create_topic("b:9092", "e2e", 3, 3)[1:]) == (
        "--bootstrap-server b:9092 --create --if-not-exists --topic e2e --partitions 3 --replication-factor 3"
    )
    assert kafka_cli.under_replicated("b:9092", "e2e")[-1] == "--under-replicated-partitions"


def test_a_background_command_is_stopped_through_its_pid_file(tmp_path: Path) -> None:
    pid_file = str(tmp_path / "it's.pid")  # quoting survives a quote in the path
    started = subprocess.Popen(kafka_cli.in_background(["sleep", "30"], pid_file))
    deadline = time.monotonic() + 10
    while not Path(pid_file).exists() or not Path(pid_file).read_text().strip():
        assert time.monotonic() < deadline, "the pid file was never written"
        time.sleep(0.01)
    subprocess.run(kafka_cli.stop(pid_file), check=True)
    assert started.wait(timeout=10) == 128 + 15  # the shell reports its child's SIGTERM


# --- kubectl ----------------------------------------------------------------------------------------------


def test_kubectl_runs_with_the_kind_kubeconfig_in_the_namespace(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_tool(tmp_path, "kubectl", 'echo "$@"')
    monkeypatch.setenv("PATH", str(tmp_path))
    kube = Kube(tmp_path / "kubeconfig", "kafka")
    assert kube.exec("e2e-client", ["true"]).split() == [
        "--kubeconfig", str(tmp_path / "kubeconfig"), "--namespace", "kafka", "exec", "e2e-client", "--", "true",
    ]  # fmt: skip
    assert selector({"a": "1", "b": "2"}) == "a=1,b=2"


def test_a_failing_kubectl_names_the_command_and_its_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tool(tmp_path, "kubectl", 'echo "pods \\"x\\" not found" >&2; exit 1')
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KubectlFailed, match=r'kubectl delete pod x --wait=true --timeout=300s exited 1: pods "x"'):
        Kube(tmp_path / "kubeconfig", "kafka").delete_pod("x")


def test_watching_collects_pod_observations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    listing = '{"items": [{"metadata": {"name": "p", "uid": "u"}, "spec": {"containers": [{"image": "i"}]}}]}'
    fake_tool(tmp_path, "kubectl", f"echo '{listing}'")
    monkeypatch.setenv("PATH", str(tmp_path))
    with Kube(tmp_path / "kubeconfig", "kafka").watching({"app": "kafka"}, interval=0.01) as observations:
        deadline = time.monotonic() + 10
        while len(observations) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert observations[0] == {"p": checks.Pod(name="p", uid="u", image="i", ready=False, deleting=False, node=None)}


def test_wait_for_returns_once_the_problem_is_gone_and_fails_with_the_last_one() -> None:
    answers = iter(["starting", KubectlFailed("not reachable"), None])

    def problem() -> str | None:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    wait_for(problem, timeout=10, interval=0)
    with pytest.raises(AssertionError, match="still after 0s: not ready"):
        wait_for(lambda: "not ready", timeout=0, interval=0)
