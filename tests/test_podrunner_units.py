"""The pod runner's pure parts, without root or processes: how it reads manifests (and refuses what it would
ignore), resolves environments, lays out volumes, names pods, counts probe results and builds the
commands that start containers. tests/realkafka/test_podrunner.py runs the same against real processes."""

import ipaddress
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kraft_component.evaluation import Evaluation
from realtools.podrunner import env, network, objects, sandbox, volumes
from realtools.podrunner.objects import Probe, Unsupported
from realtools.podrunner.probes import ProbeCounter, Verdict
from tests.helpers import evaluate_config, one, stack_config
from tests.helpers import objects as of_kind
from tests.realkafka.workloads import job, statefulset

FACTS = env.PodFacts(name="kafka-0", namespace="kafka", ip="10.200.0.7", labels={"app": "kafka"},
                     annotations={"note": "x"}, uid="u-1", node_name="node", host_ip="10.200.0.1")  # fmt: skip
NODE = env.NodeCapacity(cpu=Decimal(2), memory=Decimal(24 * 2**30))


def evaluate_stack(stack: str) -> Evaluation:
    """A stack as rendered, without the metrics agent's init container, which the runner does not emulate yet."""
    config = stack_config(stack)
    config["kraft:cluster"]["metrics"] = {"enabled": False}
    return evaluate_config(config)


def test_every_rendered_workload_of_the_stacks_is_emulated() -> None:
    for stack in ("dev", "staging", "prod"):
        evaluation = evaluate_stack(stack)
        for manifest in of_kind(evaluation, "StatefulSet", show_secrets=True):
            spec = objects.parse_statefulset(manifest)
            assert spec.parallel and spec.claims == ("data",)
        for manifest in of_kind(evaluation, "Job", show_secrets=True):
            assert objects.parse_job(manifest).backoff_limit == 6


def test_probes_get_kubernetes_defaults_and_named_ports() -> None:
    sts = objects.parse_statefulset(one(evaluate_stack("prod"), "StatefulSet", "kafka-controllers"))
    container = sts.template.container
    assert container.startup is not None and container.startup.action == "tcp"
    assert container.port(container.startup.port) == 9093
    readiness = container.readiness
    assert readiness == Probe("exec", command=("/bin/bash", "/etc/kraft/controller-ready.sh"), period=5, timeout=5,
                              failure_threshold=3)  # fmt: skip
    assert container.identity.uid == 1000 and container.identity.groups == (1000,)
    assert container.identity.read_only_root and container.identity.drop_all_capabilities


@pytest.mark.parametrize(
    ("field", "value", "refusal"),
    [
        ("envFrom", [{"secretRef": {"name": "x"}}], "envFrom"),
        ("lifecycle", {"preStop": {"exec": {"command": ["true"]}}}, "lifecycle"),
        ("livenessProbe", {"httpGet": {"port": 80}}, "httpGet"),
    ],
)
def test_container_fields_it_would_ignore_are_refused(field: str, value: Any, refusal: str) -> None:
    with pytest.raises(Unsupported, match=refusal):
        objects.parse_statefulset(statefulset("odd", "true", **{field: value}))


def test_pod_fields_it_would_ignore_are_refused() -> None:
    manifest = statefulset("odd", "true")
    init = {"name": "i", "image": "x", "command": ["true"], "readinessProbe": {"exec": {"command": ["true"]}}}
    manifest["spec"]["template"]["spec"]["initContainers"] = [init]  # Kubernetes allows no probes on them
    with pytest.raises(Unsupported, match=r"initContainers\[i\].*readinessProbe"):
        objects.parse_statefulset(manifest)
    manifest = statefulset("odd", "true")
    del manifest["spec"]["template"]["spec"]["enableServiceLinks"]  # Kubernetes' default is true
    with pytest.raises(Unsupported, match="enableServiceLinks"):
        objects.parse_statefulset(manifest)
    with pytest.raises(Unsupported, match="restartPolicy Always"):
        manifest = job("odd", "true")
        manifest["spec"]["template"]["spec"]["restartPolicy"] = "Always"
        objects.parse_job(manifest)


def test_a_changed_template_is_a_new_revision() -> None:
    first = objects.parse_statefulset(statefulset("s", "true", env=[{"name": "A", "value": "1"}]))
    second = objects.parse_statefulset(statefulset("s", "true", env=[{"name": "A", "value": "2"}]))
    assert first.template.revision != second.template.revision
    assert (
        first.template.revision
        == objects.parse_statefulset(statefulset("s", "true", env=[{"name": "A", "value": "1"}])).template.revision
    )


def test_the_environment_resolves_like_the_kubelet() -> None:
    entries: list[dict[str, Any]] = [
        {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
        {"name": "GREETING", "value": "hi $(NAME) $$(NAME) $(UNDEFINED)"},
        {"name": "MEMORY", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
        {"name": "CPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "p"}}},
        {"name": "ABSENT", "valueFrom": {"secretKeyRef": {"name": "s", "key": "q", "optional": True}}},
        {"name": "PATH", "value": "/opt/bin:$(PATH)"},
    ]
    resolved = env.environment(entries, facts=FACTS, resources={"limits": {"memory": "1536Mi", "cpu": "500m"}},
                               node=NODE, secrets={"s": {"p": "pw"}}, config_maps={}, base={"PATH": "/usr/bin"})  # fmt: skip
    assert resolved == {
        "PATH": "/opt/bin:/usr/bin", "NAME": "kafka-0", "IP": "10.200.0.7", "APP": "kafka",
        "GREETING": "hi kafka-0 $(NAME) $(UNDEFINED)", "MEMORY": "1536", "CPUS": "1", "PASSWORD": "pw",
    }  # fmt: skip
    with pytest.raises(objects.PodRunnerError, match="Secret s has no key 'missing'"):
        env.environment([{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "missing"}}}], facts=FACTS,
                        resources={}, node=NODE, secrets={"s": {}}, config_maps={}, base={})  # fmt: skip


def test_a_resource_without_a_limit_reports_the_node_capacity() -> None:
    assert env.resource_value({}, {"resource": "limits.cpu"}, NODE) == "2"
    assert env.command_line(["/bin/echo", "$(NAME)"], ["$(MISSING)"], {"NAME": "x"}) == ["/bin/echo", "x", "$(MISSING)"]


def test_secret_and_config_volumes_use_the_atomic_writer_layout_with_their_modes(tmp_path: Path) -> None:
    volume = {"name": "s", "secret": {"secretName": "s", "defaultMode": 0o440,
                                      "items": [{"key": "a", "path": "dir/a.txt", "mode": 0o400}, {"key": "b", "path": "b"}]}}  # fmt: skip
    files = volumes.volume_files(volume, {"s": {"a": b"A", "b": b"B", "c": b"C"}}, {})
    assert files == {"dir/a.txt": (b"A", 0o400), "b": (b"B", 0o440)}
    volumes.write_atomic(tmp_path / "v", files)
    assert sorted(os.listdir(tmp_path / "v"))[1:] == ["..data", "b", "dir"]
    assert os.readlink(tmp_path / "v" / "b") == "..data/b"
    assert (tmp_path / "v" / "dir" / "a.txt").read_text() == "A"
    assert (tmp_path / "v" / "dir" / "a.txt").stat().st_mode & 0o777 == 0o400


def test_a_missing_key_or_object_stops_the_volume_unless_optional() -> None:
    with pytest.raises(objects.PodRunnerError, match="Secret s has no key 'x'"):
        volumes.volume_files(
            {"name": "v", "secret": {"secretName": "s", "items": [{"key": "x", "path": "x"}]}}, {"s": {}}, {}
        )
    assert volumes.volume_files({"name": "v", "configMap": {"name": "c", "optional": True}}, {}, {}) == {}
    with pytest.raises(objects.PodRunnerError, match="redacted"):
        volumes.decoded_secret({"metadata": {"name": "s"}, "stringData": {"k": "<redacted secret>"}})


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another group needs root")
def test_fs_group_ownership_is_applied_as_the_kubelet_does(tmp_path: Path) -> None:
    claim = volumes.claim_folder(tmp_path / "claim")
    (claim / "old").write_text("x")
    (claim / "old").chmod(0o600)
    volumes.give_to_group(claim, 1000, read_only=False)
    assert (claim.stat().st_gid, claim.stat().st_mode & 0o7777) == (1000, 0o2775)
    assert ((claim / "old").stat().st_gid, (claim / "old").stat().st_mode & 0o777) == (1000, 0o660)
    assert volumes.root_matches(claim, 1000) and not volumes.root_matches(claim, 1001)


def test_hosts_files_name_pods_and_services_as_cluster_dns_would() -> None:
    names = network.pod_names("kafka-0", "kafka-headless", "kafka", "cluster.local", own_namespace="kafka")
    assert names == ("kafka-0.kafka-headless.kafka.svc.cluster.local", "kafka-0.kafka-headless.kafka.svc",
                     "kafka-0.kafka-headless.kafka", "kafka-0.kafka-headless")  # fmt: skip
    elsewhere = network.service_names("kafka-bootstrap", "kafka", "cluster.local", own_namespace="apps")
    assert "kafka-bootstrap" not in elsewhere and "kafka-bootstrap.kafka" in elsewhere
    text = network.hosts_file(network.HostEntry("10.0.0.2", ("a.b", "a")), [network.HostEntry("10.0.0.3", names)])
    assert text.splitlines()[1:] == ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
                                     "10.0.0.2\ta.b\ta", "10.0.0.3\t" + "\t".join(names)]  # fmt: skip


def test_the_pod_network_takes_a_subnet_nothing_else_uses() -> None:
    used = [
        ipaddress.IPv4Network("10.200.0.0/16"),
        ipaddress.IPv4Network("10.0.0.0/8"),
        ipaddress.IPv4Network("0.0.0.0/0"),
    ]
    assert str(network.free_subnet(used[:1])) == "10.201.0.0/16"
    with pytest.raises(objects.PodRunnerError, match="no free private subnet"):
        network.free_subnet(used[1:])


def test_probe_results_count_in_a_row() -> None:
    counter = ProbeCounter(Probe("tcp", port=1, success_threshold=2, failure_threshold=3))
    assert [counter.record(ok) for ok in (True, False, False, True, True, False, False, False)] == [
        Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.PASSED,
        Verdict.UNDECIDED, Verdict.UNDECIDED, Verdict.FAILED,
    ]  # fmt: skip


def test_the_container_start_builds_its_root_then_becomes_its_user() -> None:
    launch = sandbox.Launch(
        root=Path("/s/root"), etc=Path("/s/etc"), hostname="kafka-0", read_only_root=True,
        binds=(sandbox.Bind(Path("/cache/kafka/4.3.1"), "/opt/kafka", True), sandbox.Bind(Path("/s/v/logs"), "/opt/kafka/logs", False)),
        user=sandbox.User(1000, 1000, (1000,), no_new_privileges=True, drop_all_capabilities=True),
        env={"A": "x y"}, argv=("/bin/bash", "/etc/kraft/node-bootstrap.sh"), workdir="/", started=Path("/s/started"),
        cgroup=Path("/sys/fs/cgroup/memory/kraft-1/kafka-0"),
    )  # fmt: skip
    lines = sandbox.setup_script(launch).splitlines()
    kafka = lines.index("mkdir -p ./opt/kafka && mount --bind /cache/kafka/4.3.1 ./opt/kafka")
    assert lines[kafka + 1] == "mount -o remount,bind,ro ./opt/kafka"
    assert lines[kafka + 2] == "mkdir -p ./opt/kafka/logs && mount --bind /s/v/logs ./opt/kafka/logs"
    assert lines.index("mount -o remount,ro /s/root") < lines.index(
        "echo $$ > /sys/fs/cgroup/memory/kraft-1/kafka-0/cgroup.procs"
    )
    assert lines[-1] == (
        "exec /usr/sbin/chroot /s/root /usr/bin/setpriv --reuid=1000 --regid=1000 --pdeathsig=KILL --groups=1000 "
        "--no-new-privs "
        "--inh-caps=-all --ambient-caps=-all --bounding-set=-all -- /usr/bin/env -i -C / 'A=x y' /bin/bash "
        "/etc/kraft/node-bootstrap.sh"
    )
    with pytest.raises(ValueError, match="cannot be passed"):
        sandbox.run_as(launch.user, {"A=B": "x"}, ["true"])
