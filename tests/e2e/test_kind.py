"""The end-to-end flow on kind: one stack, deployed, disrupted, grown, upgraded and destroyed, in order.

Needs docker (engine running), kind, kubectl and the pulumi CLI; without them every step skips and says
which are missing. Run it with bin/test-e2e (docs/testing.md, "End-to-end tests on kind").
"""

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from kraft_component import manifests, naming
from kraft_component.kafka_config import quorum_bootstrap_servers
from kraft_component.spec import ClusterSpec, parse_cluster_id, parse_spec
from kraft_component.stack import CONFIG_NAMESPACE
from localdev import kind, tools
from localdev import stack as local_stack

from . import checks, kafka_cli, topology
from .kube import Kube, wait_for

pytestmark = pytest.mark.e2e

CLUSTER = "kraft-e2e"  # kind cluster of its own: `kind delete cluster --name kraft-e2e` removes everything
STACK = "e2e"
STATE_DIR = local_stack.ROOT / ".pulumi-state-e2e"  # state, project copy and kubeconfig; wiped at the start
TOPIC = "e2e"
PID_FILE = "/tmp/producer.pid"
RATE = 20  # messages per second while pods are deleted
READY_TIMEOUT = 900


@dataclass
class Flow:
    """The deployed stack, kubectl into its namespace, and every message acknowledged so far."""

    stack: auto.Stack
    kube: Kube
    scratch: Path
    config: dict[str, Any] = field(default_factory=topology.cluster_config)
    acknowledged: set[str] = field(default_factory=set)

    @property
    def spec(self) -> ClusterSpec:
        """The spec of the configuration deployed last."""
        return parse_spec(self.config)

    @property
    def bootstrap(self) -> str:
        """Where clients bootstrap from, as the naming code has it."""
        return manifests.bootstrap_servers(self.spec, topology.NAMESPACE)

    def deploy(self, config: dict[str, Any]) -> auto.UpResult:
        """Set `kraft:cluster` to `config` and `pulumi up`."""
        local_stack.set_object_config(self.stack, f"{CONFIG_NAMESPACE}:cluster", config)
        result = self.stack.up(on_output=print)
        self.config = config
        return result

    def kafka_pods(self) -> dict[str, checks.Pod]:
        """The cluster's Kafka pods, by name."""
        return self.kube.pods(naming.cluster_labels(self.spec.name))

    def wait_ready(self) -> None:
        """Wait until every pod of the spec exists, is Ready and is not being deleted."""
        expected = topology.cluster_pods(self.spec)
        wait_for(lambda: ", ".join(checks.unavailable(self.kafka_pods(), expected)) or None, READY_TIMEOUT)

    def client(self, command: list[str]) -> str:
        """Run a Kafka tool in the client pod (producers and consumers; one JVM at a time fits its memory)."""
        return self.kube.exec(topology.CLIENT_POD, command)

    def admin(self, command: list[str]) -> str:
        """Run a Kafka tool in the admin pod (topics and the quorum)."""
        return self.kube.exec(topology.ADMIN_POD, command)

    def quorum(self) -> kafka_cli.QuorumStatus:
        """The quorum as the controllers describe it."""
        controllers = quorum_bootstrap_servers(self.spec, topology.NAMESPACE)
        return kafka_cli.quorum_status_of(self.admin(kafka_cli.quorum_status(controllers)))

    def wait_replicated(self) -> None:
        """Wait until every partition of the topic has all its replicas in sync."""
        command = kafka_cli.under_replicated(self.bootstrap, TOPIC)
        wait_for(lambda: self.admin(command).strip() or None, READY_TIMEOUT)

    def assert_nothing_lost(self) -> None:
        """Read the topic from the beginning: every acknowledged message must be there."""
        consumed = self.client(kafka_cli.consume(self.bootstrap, TOPIC)).splitlines()
        missing = kafka_cli.lost(self.acknowledged, consumed)
        assert not missing, f"{len(missing)} of {len(self.acknowledged)} acknowledged messages lost: {missing[:20]}"

    def start_producer(self, batch: int) -> subprocess.Popen[str]:
        """Produce batch `batch` at RATE messages/s from the client pod until stop_producer, once it has had a
        first message acknowledged."""
        command = kafka_cli.produce(self.bootstrap, TOPIC, batch, count=RATE * 3600, throughput=RATE)
        output, errors = self.scratch / f"producer-{batch}.out", self.scratch / f"producer-{batch}.err"
        with output.open("w") as stdout, errors.open("w") as stderr:
            process = self.kube.exec_in_background(
                topology.CLIENT_POD, kafka_cli.in_background(command, PID_FILE), stdout, stderr
            )

        def silent() -> str | None:
            if kafka_cli.producer_report(output.read_text()).acknowledged:
                return None
            return f"no acknowledgement yet; stderr: {errors.read_text()[-2000:]}"

        wait_for(silent, timeout=120, interval=2)
        return process

    def stop_producer(self, process: subprocess.Popen[str], batch: int) -> kafka_cli.ProducerReport:
        """Stop the producer, wait for its last reports, and count what it had acknowledged."""
        try:
            self.client(kafka_cli.stop(PID_FILE))
            process.wait(timeout=300)
        finally:
            process.kill()
        report = kafka_cli.producer_report((self.scratch / f"producer-{batch}.out").read_text())
        self.acknowledged |= report.acknowledged
        return report


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    """A fresh kind cluster (three workers in three zones) and an empty `e2e` stack of this program, created
    with the same code as bin/dev-up; skipped, naming the missing tools, where they are not installed."""
    reason = checks.skip_reason(tools.missing(checks.TOOLS))
    if reason is not None:
        pytest.skip(reason)
    kind.delete_cluster(CLUSTER)  # volumes left by an earlier run belong to another cluster ID
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    kubeconfig = kind.ensure_cluster(CLUSTER, STATE_DIR / f"{CLUSTER}.kubeconfig")
    kube = Kube(kubeconfig, topology.NAMESPACE)
    kube.wait("Ready", "nodes", "--all", timeout=300)
    project = local_stack.project_copy(STATE_DIR / "project")
    stack = local_stack.select(STACK, kubeconfig, work_dir=project, state_dir=STATE_DIR)
    return Flow(stack, kube, tmp_path_factory.mktemp("e2e"))


def test_up_creates_a_ready_cluster_spread_over_the_zones(flow: Flow) -> None:
    """`pulumi up` of a new stack through the Automation API: every controller and broker becomes Ready, each
    pool runs in all three kind zones, and the stack exports the bootstrap address the naming code gives."""
    result = flow.deploy(topology.cluster_config())
    assert result.outputs["bootstrap_servers"].value == flow.bootstrap
    flow.wait_ready()
    zones = checks.node_zones(flow.kube.get("nodes"), naming.ZONE_LABEL)
    observed = flow.kafka_pods()
    for pool in (topology.CONTROLLERS, topology.BROKERS):
        placed = checks.placement(observed, zones, topology.pool_pods(flow.spec, pool))
        assert placed == sorted(kind.ZONES), f"{pool} run in zones {placed}"


def test_tool_pods_pass_the_restricted_pod_security_standard(flow: Flow) -> None:
    """The client and admin pods, hardened like the component's own Jobs, are admitted by the namespace's
    restricted Pod Security admission and start."""
    flow.kube.apply(topology.client_pod(flow.spec))
    flow.kube.apply(topology.admin_pod(flow.spec))
    flow.kube.wait("Ready", f"pod/{topology.CLIENT_POD}", f"pod/{topology.ADMIN_POD}", timeout=600)


def test_preview_and_refresh_find_no_changes(flow: Flow) -> None:
    """The deployed stack is stable: `pulumi preview` plans nothing, and `pulumi refresh` finds every object
    as Pulumi left it (no drift from fields the API server fills in)."""
    preview = flow.stack.preview(diff=True)
    assert checks.changes(preview.change_summary) == {}, preview.stdout
    refresh = flow.stack.refresh()
    summary = refresh.summary.resource_changes
    assert summary is not None and checks.changes(summary) == {}, refresh.stdout


def test_acknowledged_messages_are_consumed(flow: Flow) -> None:
    """A client admitted by network.clientsFrom creates a topic with three replicas; every message it sends
    with acks=all is acknowledged and read back."""
    spec = flow.spec
    flow.admin(kafka_cli.create_topic(flow.bootstrap, TOPIC, spec.topic_defaults.partitions, spec.replication_factor))
    flow.wait_replicated()
    report = kafka_cli.producer_report(flow.client(kafka_cli.produce(flow.bootstrap, TOPIC, batch=1, count=1000)))
    flow.acknowledged |= report.acknowledged
    assert (len(report.acknowledged), report.failed) == (1000, 0)
    flow.assert_nothing_lost()


def test_losing_the_active_controller_and_a_broker_loses_no_acknowledged_message(flow: Flow) -> None:
    """While the client keeps producing with acks=all, the active controller's pod is deleted (a new leader is
    elected), then a broker's pod: both come back Ready, the topic is fully replicated again, and every
    message acknowledged before, during and after is still there."""
    spec = flow.spec
    producer = flow.start_producer(batch=2)
    try:
        before = flow.quorum()
        flow.kube.delete_pod(topology.controller_pod(spec, before.leader))
        wait_for(lambda: None if flow.quorum().epoch > before.epoch else "no new quorum leader yet", timeout=300)
        flow.wait_ready()
        flow.kube.delete_pod(topology.pool_pods(spec, topology.BROKERS)[0])
        flow.wait_ready()
        flow.wait_replicated()
    finally:
        report = flow.stop_producer(producer, batch=2)
    assert report.acknowledged, f"nothing acknowledged while pods were deleted ({report.failed} sends failed)"
    assert flow.quorum().leader >= 0
    flow.assert_nothing_lost()


def test_growing_the_broker_pool_restarts_no_running_pod(flow: Flow) -> None:
    """One more broker replica: the new broker becomes Ready and every running pod is left alone (growing a
    pool changes no configuration, so nothing rolls)."""
    before = flow.kafka_pods()
    flow.deploy(topology.cluster_config(brokers=4))
    flow.wait_ready()
    after = flow.kafka_pods()
    assert checks.replaced(before, after) == []
    assert sorted(after) == sorted(topology.cluster_pods(flow.spec))


def test_a_version_change_rolls_controllers_before_brokers_one_pod_at_a_time(flow: Flow) -> None:
    """A new kafkaVersion replaces every pod: the controllers first, then the brokers, each pool from its
    highest ordinal down, the next pod only once the previous is Ready (never two unavailable at once), and
    no acknowledged message is lost."""
    with flow.kube.watching(naming.cluster_labels(flow.spec.name)) as observations:
        flow.deploy(topology.cluster_config(topology.NEW_VERSION, brokers=4))
    spec = flow.spec
    assert checks.roll_problems(observations, topology.roll_order(spec), spec.image_ref) == []
    flow.wait_ready()
    flow.wait_replicated()
    flow.assert_nothing_lost()


def test_destroy_after_unprotect_keeps_the_volumes(flow: Flow) -> None:
    """The teardown of docs/operations.md, "Data safety and teardown": note the cluster ID, `pulumi state unprotect --all`,
    `pulumi destroy`. Every StatefulSet is gone; every data volume claim stays, to be adopted with that ID."""
    cluster_id = parse_cluster_id(flow.stack.outputs()["cluster_id"].value)
    workspace = flow.stack.workspace
    unprotect = ["state", "unprotect", "--all", "--yes", "--stack", flow.stack.name]
    workspace.pulumi_command.run(unprotect, workspace.work_dir, workspace.env_vars)
    flow.stack.destroy(on_output=print)
    assert checks.names(flow.kube.get("statefulsets")) == []
    kept = checks.names(flow.kube.get("persistentvolumeclaims"))
    assert set(topology.claims(flow.spec)) <= set(kept), f"claims left: {kept}"
    print(f"the volumes belong to cluster ID {cluster_id}")
