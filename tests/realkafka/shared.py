"""Clusters that the tier's tests share: each stack forms once per run and stays up while the tests that use it
run, one stack at a time (two cores hold one cluster's JVMs well, not two).

A test asks for a stack by its fixture (`dev_stack`, `secure_stack`, `static_stack`) and gets a RunningStack.
Tests of one stack run one after the other, after the tests that bring their own runner; a test that
disrupts its stack (kills or deletes pods) is marked `disruptive`: it runs after that stack's other tests,
and the stack must be Ready again after it, or it is discarded (the next test forms it again). Tests on a
shared stack use topics of their own.
"""

import copy
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.manifests import bootstrap_servers
from kraft_component.spec import ClusterSpec, PoolSpec, parse_spec
from realtools.podrunner import Cluster, ImageResolver, PodMeasure
from realtools.podrunner.objects import Manifest
from realtools.stacks import Rendered, StackState, render_stack, stack_cluster
from tests.realkafka.kafka import create_topic

# A node's startup-probe budget on the tier's stacks. A node restarted by its startup probe starts again from
# scratch, so on a shared 2-core machine (where a JVM has taken 3 to 5 minutes to elect a leader) it is
# generous: it bounds a wait, it does not measure one.
STARTUP_BUDGET = 600
READY_TIMEOUT = 2 * STARTUP_BUDGET + 300  # controllers, then brokers, with room to spare
READY_AGAIN_TIMEOUT = STARTUP_BUDGET  # after a disruptive test: a restart with back-off, a JVM start and the probes
JOB_TIMEOUT = 300  # an admin Job: its JVM tools and their retries
SMALL = {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
EVENTS_ON_FAILURE = 60
RERUN_ANNOTATION = "kraft/realkafka-rerun"

ROLLING = re.compile(r"^\s*[\d.]+ StatefulSet/\S+: rolling (?P<pod>\S+) to revision")
READY = re.compile(r"^\s*[\d.]+ pod (?P<pod>\S+): Ready$")


def secure_cluster() -> dict[str, Any]:
    """The prod stack (SASL_SSL clients, mutual TLS between nodes, the authorizer, two users with ACLs) with
    three dedicated controllers and three brokers sized for this machine."""
    cluster = stack_cluster("prod")
    for pool in cluster["pools"]:
        pool |= {"replicas": 3, "resources": SMALL, "storage": {"size": "1Gi"}, "startupTimeoutSeconds": STARTUP_BUDGET}
    return cluster


TAILORED_ENV = {"name": "APP_TEAM", "value": "streaming"}
TAILORED_HEAP_MIB = 384
TAILORED_FLAGS = ["-XX:+ExitOnOutOfMemoryError", "-Dkraft.realkafka=tailored"]
DATA_VOLUMES = [{"name": "data", "size": "1Gi"}, {"name": "data-b", "size": "1Gi"}]
# kafkaConfig: one key for the whole cluster, one for the pool, and one the pool sets over the cluster.
CLUSTER_OVERRIDES = {"log.retention.hours": 72, "message.max.bytes": 2097152}
POOL_OVERRIDES = {"num.replica.fetchers": 2, "message.max.bytes": 3145728}


def static_cluster() -> dict[str, Any]:
    """The dev stack (three combined nodes, PLAINTEXT) with a static quorum, two data volumes per node (JBOD),
    Kafka configuration overrides for the cluster and the pool, and a pod template: an extra variable, a smaller
    heap and extra JVM flags."""
    cluster = stack_cluster("dev")
    cluster["quorum"] = {"mode": "static"}
    cluster["kafkaConfig"] = CLUSTER_OVERRIDES
    (pool,) = cluster["pools"]
    pool["kafkaConfig"] = POOL_OVERRIDES
    pool["startupTimeoutSeconds"] = STARTUP_BUDGET
    pool["storage"] = {"volumes": DATA_VOLUMES}
    pool["template"] = {"env": [TAILORED_ENV], "jvm": {"heap": f"{TAILORED_HEAP_MIB}Mi", "extraFlags": TAILORED_FLAGS}}
    return cluster


@dataclass(frozen=True)
class StackDefinition:
    """A shared stack: the stack file it starts from and its `kraft:cluster` mapping."""

    stack: str
    cluster: Callable[[], dict[str, Any]]
    title: str


SHARED_STACKS = {  # fixture name -> stack, in the order their tests run
    "dev_stack": StackDefinition("dev", lambda: stack_cluster("dev"), "dev stack (3 combined nodes)"),
    "static_stack": StackDefinition(
        "dev",
        static_cluster,
        "static-quorum stack (3 combined nodes, two data volumes each, kafkaConfig, a pod template)",
    ),
    "secure_stack": StackDefinition(
        "prod", secure_cluster, "secure stack (3 controllers + 3 brokers, SASL_SSL, mTLS, ACLs)"
    ),
}


@dataclass(frozen=True)
class RunningStack:
    """A formed stack: its configuration, the objects it runs, and the runner that runs them."""

    name: str
    config: dict[str, Any]
    spec: ClusterSpec
    rendered: Rendered
    cluster: Cluster
    formed: list[PodMeasure]
    """Every node pod's start, Ready time and peak memory when all were first Ready."""
    state: StackState
    """The stack's state in Pulumi's place, for deploying it again."""
    topics: set[str] = field(default_factory=set)

    @property
    def bootstrap(self) -> str:
        """The client listener's bootstrap address (the `<name>-bootstrap` Service)."""
        return bootstrap_servers(self.spec, self.spec.namespace)

    def pool(self, name: str) -> PoolSpec:
        """The pool called `name`."""
        (found,) = [pool for pool in self.spec.pools if pool.name == name]
        return found

    def pods(self, pool: str) -> list[str]:
        """The pod names of a pool, by ordinal."""
        statefulset = naming.statefulset_name(self.spec.name, pool)
        return [naming.pod_name(statefulset, ordinal) for ordinal in range(self.pool(pool).replicas)]

    def pod_of(self, node_id: int) -> str:
        """The pod that runs node `node_id`."""
        for pool in self.spec.pools:
            if pool.first_node_id <= node_id < pool.first_node_id + pool.replicas:
                return self.pods(pool.name)[node_id - pool.first_node_id]
        raise KeyError(f"no pod runs node {node_id}")

    def topic(self, name: str, partitions: int, replicas: int) -> str:
        """A topic the admin created (once per stack; applications here may not create topics)."""
        if name not in self.topics:
            broker = next(pool for pool in self.spec.pools if pool.is_broker)
            create_topic(
                self.cluster, self.pods(broker.name)[0], self.spec, name, partitions=partitions, replicas=replicas
            )
            self.topics.add(name)
        return name

    def deploy(self, config: dict[str, Any]) -> "RunningStack":
        """Deploy the stack again with `config` (the workloads it changes, as a second `pulumi up` would);
        the stack as it runs now. Its admin Jobs may still be running."""
        rendered = render_stack(SHARED_STACKS[self.name].stack, config, state=self.state)
        self.cluster.apply(rendered.objects, rendered.depends_on, timeout=READY_TIMEOUT)
        return replace(self, config=config, spec=parse_spec(config), rendered=rendered)

    def job_log(self, name: str) -> str:
        """Wait for the Job `name` to complete; its log (AssertionError with it when the Job failed)."""
        status = self.cluster.wait_job(name, JOB_TIMEOUT)
        log = self.cluster.job_logs(name)
        assert status.condition == "Complete", log
        return log

    def rerun_job(self, name: str) -> str:
        """Run a Job of the stack again, unchanged (as `kubectl replace --force` would), once it is done; its log."""
        self.job_log(name)
        job = copy.deepcopy(self.rendered.one("Job", name))
        annotations = job["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})
        annotations[RERUN_ANNOTATION] = str(time.monotonic_ns())  # a new template: the runner replaces the Job
        self.cluster.apply([job])
        return self.job_log(name)

    def secret(self, name: str) -> dict[str, str]:
        """A Secret's data as the pods see it."""
        found: dict[str, str] = self.rendered.one("Secret", name)["stringData"]
        return found


def form(cluster: Cluster, rendered: Rendered, install: Callable[[Sequence[Manifest]], list[str]]) -> list[PodMeasure]:
    """Apply a stack as `pulumi up` orders it and wait for every pod to be Ready; the node pods' measures."""
    install(rendered.objects)
    cluster.apply(rendered.objects, rendered.depends_on, timeout=READY_TIMEOUT)
    cluster.wait_ready(READY_TIMEOUT)
    workloads = {obj["metadata"]["name"] for obj in rendered.objects if obj["kind"] == "StatefulSet"}
    return [m for m in cluster.measures() if m.name.rsplit("-", 1)[0] in workloads]


def rolls(events: list[str]) -> list[tuple[str, bool]]:
    """Each pod the StatefulSets rolled, in order, and whether it was Ready again before the next one rolled."""
    rolled: list[tuple[str, bool]] = []
    for event in events:
        if found := ROLLING.match(event):
            rolled.append((found["pod"], False))
        elif (found := READY.match(event)) and rolled and rolled[-1][0] == found["pod"]:
            rolled[-1] = (found["pod"], True)
    return rolled


def summary(title: str, measures: Sequence[PodMeasure]) -> str:
    """Seconds from the first process start to every pod Ready (and to each StatefulSet's last pod Ready),
    each pod's own start to Ready, and each pod's peak memory."""
    pools: dict[str, float] = {}
    for measure in measures:
        pool = measure.name.rsplit("-", 1)[0]
        pools[pool] = max(pools.get(pool, 0.0), measure.ready or float("inf"))
    stages = ", ".join(f"{pool} {ready:.0f} s" for pool, ready in pools.items())
    own = ", ".join(f"{m.name} {(m.ready or 0) - (m.started or 0):.0f} s" for m in measures)
    memory = ", ".join(f"{m.name} {m.peak_rss_bytes / 2**20:.0f} MiB" for m in measures)
    return (f"{title}: all {len(measures)} pods Ready {max(pools.values()):.0f} s after the first process started "
            f"({stages}); each pod's start to Ready: {own}; peak RSS: {memory}")  # fmt: skip


class SharedStacks:
    """The shared stacks of a run, at most one running at a time."""

    def __init__(
        self,
        images: ImageResolver,
        install: Callable[[Sequence[Manifest]], list[str]],
        measured: Callable[[str], None],
    ) -> None:
        self.images = images
        self.install = install
        self.measured = measured
        self.running: RunningStack | None = None
        self.failed: dict[str, str] = {}
        """Stacks that did not form, with why: the tests after the first fail at once with the same reason."""

    def get(self, name: str) -> RunningStack:
        """The stack `name` (a key of SHARED_STACKS), formed now unless it is the one running."""
        if self.running is not None and self.running.name == name:
            return self.running
        self.close()
        if name in self.failed:
            pytest.fail(f"{name} did not form earlier in this run:\n{self.failed[name]}", pytrace=False)
        definition = SHARED_STACKS[name]
        config = definition.cluster()
        state = StackState()
        rendered = render_stack(definition.stack, config, state=state)
        cluster = Cluster(self.images)
        try:
            formed = form(cluster, rendered, self.install)
        except BaseException as error:
            report = "\n".join([str(error), *getattr(error, "__notes__", ())])
            self.failed[name] = f"{report}\n--- what the pod runner did\n" + "\n".join(cluster.events())
            cluster.close()
            raise
        self.measured(summary(f"{definition.title}, Kafka {config['kafkaVersion']}", formed))
        self.running = RunningStack(name, config, parse_spec(config), rendered, cluster, formed, state)
        return self.running

    def after_test(self, stack: RunningStack, failed: bool, disruptive: bool) -> None:
        """Show what the runner did when a test failed; after a disruptive test, wait until the stack is
        Ready again, or discard it."""
        if failed:
            print(f"\n--- what the pod runner did (last {EVENTS_ON_FAILURE} events)", file=sys.stderr)
            print("\n".join(stack.cluster.events()[-EVENTS_ON_FAILURE:]), file=sys.stderr)
        if disruptive:
            try:
                stack.cluster.wait_ready(READY_AGAIN_TIMEOUT)
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        """Stop the running stack, if any."""
        if self.running is not None:
            running, self.running = self.running, None
            running.cluster.close()
