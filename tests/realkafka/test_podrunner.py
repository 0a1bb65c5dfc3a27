"""The pod runner against real processes: what a pod sees, probes, restarts, Jobs, rolling updates,
scaling, claims, names and Services. Shell containers, so no JVM is needed for these."""

import contextlib
import itertools
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from realtools.podrunner import Cluster, PodRunnerError, PodsNotReady, PodView, leftovers
from realtools.podrunner.images import ImageResolver
from realtools.podrunner.objects import Manifest
from tests.realkafka.workloads import (
    CONTAINER_SECURITY,
    HTTP_PORT,
    NAMESPACE,
    POD_NAME_ENV,
    SHELL_IMAGE,
    job,
    services,
    statefulset,
    web_server,
)

pytestmark = pytest.mark.realkafka

REPORT = r"""
echo "ids=$(id -u) $(id -g) $(id -G)"
echo "env=$POD_NAME $POD_IP $MEMORY_MIB $GREETING $PASSWORD"
echo "hostname=$(hostname)"
echo "secret=$(stat -L -c '%a %u %g' /creds/pw) $(cat /creds/pw)"
echo "config=$(stat -L -c '%a' /files/conf) $(cat /files/conf)"
echo "claim=$(stat -c '%a %g' /data)"
touch /data/written && echo "claim_writable=yes"
touch /written 2>/dev/null || echo "root_read_only=yes"
touch /creds/written 2>/dev/null || echo "secret_read_only=yes"
echo "awk=$(awk --help 2>&1 | head -1)"
echo "awk_binary=$(readlink -f "$(command -v awk)")"
echo "resolves=$(getent hosts probe-0.shell.runner.svc.cluster.local probe-0.shell shell | cut -d' ' -f1 | sort -u)"
echo "processes=$(ls /proc | grep -c '^[0-9]')"
"""


def report(text: str) -> dict[str, str]:
    """`key=value` lines as a mapping."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_a_pod_sees_its_volumes_environment_user_and_names(cluster: Cluster) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": NAMESPACE},
              "stringData": {"password": "s3cret", "unused": "x"}}  # fmt: skip
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "files", "namespace": NAMESPACE},
              "data": {"conf": "a=1"}}  # fmt: skip
    pod = statefulset(
        "probe", "exec sleep infinity",
        env=[
            POD_NAME_ENV,
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "MEMORY_MIB", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
            {"name": "GREETING", "value": "hello-$(POD_NAME)"},
            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
        ],
        resources={"limits": {"memory": "256Mi", "cpu": "1"}},
        volumes=[
            {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o440,
                                         "items": [{"key": "password", "path": "pw", "mode": 0o400}]}},
            {"name": "files", "configMap": {"name": "files", "defaultMode": 0o444}},
        ],
        volumeMounts=[{"name": "creds", "mountPath": "/creds", "readOnly": True},
                      {"name": "files", "mountPath": "/files", "readOnly": True}],
    )  # fmt: skip
    cluster.apply([secret, config, *services(), pod])
    cluster.wait_ready(60)
    result = cluster.exec("probe-0", ["/bin/bash", "-c", REPORT])
    seen = report(result.stdout)
    ip = cluster.pod_ip("probe-0")

    assert seen["ids"] == "1000 1000 1000"  # runAsUser, runAsGroup, and fsGroup as a supplementary group
    assert seen["env"] == f"probe-0 {ip} 256 hello-probe-0 s3cret"
    assert seen["hostname"] == "probe-0"
    assert seen["secret"] == "440 0 1000 s3cret"  # the item's 0400, readable by the fsGroup as the kubelet makes it
    assert seen["config"] == "444 a=1"
    assert seen["claim"] == "2775 1000"  # a fresh claim handed to the fsGroup (setgid, group rwx)
    assert seen["claim_writable"] == "yes"
    assert seen["root_read_only"] == "yes"
    assert seen["secret_read_only"] == "yes"
    assert seen["awk"].startswith("BusyBox") and seen["awk_binary"] == "/usr/bin/busybox", seen  # the image's awk
    assert seen["resolves"] == ip  # its own name, short and long, and the headless Service's
    assert int(seen["processes"]) < 10  # its own PID namespace: the container, this shell and its children


def test_probes_gate_readiness_and_a_failed_liveness_probe_restarts_the_container(cluster: Cluster) -> None:
    pod = statefulset(
        "probed", "rm -f /work/dead; echo container started; exec sleep infinity", claims=(),
        startupProbe={"exec": {"command": ["test", "-f", "/work/up"]}, "periodSeconds": 1, "failureThreshold": 120},
        readinessProbe={"exec": {"command": ["test", "-f", "/work/ready"]}, "periodSeconds": 1, "failureThreshold": 1},
        livenessProbe={"exec": {"command": ["test", "!", "-f", "/work/dead"]}, "periodSeconds": 1, "failureThreshold": 2},
        grace=2,
    )  # fmt: skip
    cluster.apply([pod])
    _wait(lambda: _running(cluster, "probed-0"), 30)
    cluster.exec("probed-0", ["touch", "/work/ready"])
    time.sleep(3)
    assert not _ready(cluster, "probed-0"), "Ready before the startup probe passed"

    cluster.exec("probed-0", ["touch", "/work/up"])
    cluster.wait_ready(20)
    cluster.exec("probed-0", ["rm", "/work/ready"])
    _wait(lambda: not _ready(cluster, "probed-0"), 10)
    cluster.exec("probed-0", ["touch", "/work/ready"])
    cluster.wait_ready(10)

    cluster.exec("probed-0", ["touch", "/work/dead"])
    _wait(lambda: _view(cluster, "probed-0").restarts == 1, 40)  # killed, then restarted after a 10 s back-off
    cluster.wait_ready(30)  # the emptyDir outlives the container: /work/up and /work/ready are still there
    assert "container started" in cluster.logs("probed-0", previous=True)
    assert "liveness probe failed 2 times" in "\n".join(cluster.events())


def test_a_pod_that_cannot_start_shows_its_own_log(cluster: Cluster) -> None:
    cluster.apply([statefulset("broken", "echo 'fatal: the volume belongs to another cluster'; exit 1", claims=())])
    with pytest.raises(PodsNotReady, match="fatal: the volume belongs to another cluster"):
        cluster.wait_ready(8)


def test_a_missing_secret_keeps_the_pod_from_starting_and_says_so(cluster: Cluster) -> None:
    pod = statefulset("orphan", "exec sleep infinity", claims=(),
                      volumes=[{"name": "creds", "secret": {"secretName": "absent"}}],
                      volumeMounts=[{"name": "creds", "mountPath": "/creds"}])  # fmt: skip
    cluster.apply([pod])
    with pytest.raises(PodsNotReady, match="Secret absent does not exist"):
        cluster.wait_ready(5)


def init_container(name: str, script: str) -> Manifest:
    """An init container of the shell image running `script` with the pod's /work."""
    return {"name": name, "image": SHELL_IMAGE, "command": ["/bin/bash", "-c", script],
            "securityContext": CONTAINER_SECURITY, "volumeMounts": [{"name": "work", "mountPath": "/work"}]}  # fmt: skip


def test_init_containers_run_in_order_to_completion_before_the_container(cluster: Cluster) -> None:
    pod = statefulset("staged", "cat /work/stages; exec sleep infinity", claims=())
    pod["spec"]["template"]["spec"]["initContainers"] = [
        init_container("first", "echo first >> /work/stages"),
        init_container("second", 'test -s /work/stages && echo "second as $(id -u)" >> /work/stages'),
    ]
    failing = job("init-fails", "echo the container ran", backoff_limit=0)
    failing["spec"]["template"]["spec"]["initContainers"] = [init_container("broken", "echo broken; exit 3")]
    cluster.apply([pod, failing])
    cluster.wait_ready(60)
    failed = cluster.wait_job("init-fails", 60)

    assert cluster.logs("staged-0").split() == ["first", "second", "as", "1000"]
    assert failed.condition == "Failed"
    assert "broken" in cluster.job_logs("init-fails")  # the init container's output, where it stopped
    assert "the container ran" not in cluster.job_logs("init-fails")


def test_jobs_retry_up_to_their_backoff_limit_and_stop_at_their_deadline(cluster: Cluster) -> None:
    cluster.apply([
        job("fails", "echo attempt; exit 3", backoff_limit=1),
        job("passes", "echo done"),
        job("slow", "exec sleep 300", deadline=4),
    ])  # fmt: skip
    slow = cluster.wait_job("slow", 30)
    assert (slow.condition, slow.reason.split(":")[0]) == ("Failed", "DeadlineExceeded")
    assert slow.finished is not None and slow.finished - slow.started < 15
    passes = cluster.wait_job("passes", 30)
    assert passes.condition == "Complete" and "done" in cluster.job_logs("passes")
    fails = cluster.wait_job("fails", 60)
    assert (fails.condition, fails.reason.split(":")[0]) == ("Failed", "BackoffLimitExceeded")
    assert cluster.job_logs("fails").count("attempt") == 2  # the first pod and one retry (backoffLimit 1)


def test_a_new_template_rolls_highest_ordinal_first_each_ready_before_the_next(cluster: Cluster) -> None:
    def pods(name: str, revision: str, replicas: int) -> dict[str, Any]:
        return statefulset(
            name, web_server(), replicas=replicas, claims=(), ports=HTTP_PORT,
            env=[POD_NAME_ENV, {"name": "REVISION", "value": revision}],
            readinessProbe={"tcpSocket": {"port": "http"}, "periodSeconds": 1},
        )  # fmt: skip

    cluster.apply([*services(), pods("first", "1", 3), pods("second", "1", 2)])
    cluster.wait_ready(60)
    cluster.apply(
        [pods("first", "2", 3), pods("second", "2", 2)], depends_on={"StatefulSet/second": ["StatefulSet/first"]}
    )
    cluster.wait_ready(120)

    events = cluster.events()
    rolled = [match[1] for line in events if (match := re.search(r"rolling (\S+) to revision", line))]
    assert rolled == ["first-2", "first-1", "first-0", "second-1", "second-0"]
    for earlier, later in itertools.pairwise(rolled):
        ready = _index(events, f"pod {earlier}: Ready", after=_index(events, f"rolling {earlier} "))
        assert ready < _index(events, f"rolling {later} "), f"{later} rolled before {earlier} was Ready again"


def test_scaling_deleting_and_killing_keep_each_pod_on_its_own_claim(cluster: Cluster) -> None:
    def boots(replicas: int) -> dict[str, Any]:
        return statefulset("keep", 'echo "$POD_NAME" >> /data/boots; exec sleep infinity', replicas=replicas,
                           env=[POD_NAME_ENV])  # fmt: skip

    def lines(pod: str) -> int:
        return len(cluster.exec(pod, ["cat", "/data/boots"]).stdout.splitlines())

    cluster.apply([boots(2)])
    cluster.wait_ready(60)
    cluster.apply([boots(3)])
    cluster.wait_ready(60)
    cluster.apply([boots(1)])
    _wait(lambda: sorted(view.name for view in cluster.pods()) == ["keep-0"], 30)
    cluster.apply([boots(3)])
    cluster.wait_ready(60)
    assert lines("keep-2") == 2  # its claim was retained while scaled down

    ip = cluster.pod_ip("keep-0")
    cluster.kill("keep-0")
    _wait(lambda: _view(cluster, "keep-0").restarts == 1, 40)
    cluster.wait_ready(30)
    assert (cluster.pod_ip("keep-0"), lines("keep-0")) == (ip, 2)  # the same pod, its container restarted

    ip = cluster.pod_ip("keep-1")
    cluster.delete("keep-1")
    cluster.wait_ready(60)
    assert cluster.pod_ip("keep-1") != ip and lines("keep-1") == 3  # a new pod on the same claim

    cluster.wipe_volumes("keep-2")
    cluster.wait_ready(60)
    assert lines("keep-2") == 1  # a new, empty disk


def test_services_reach_ready_pods_only_and_headless_names_every_pod(cluster: Cluster) -> None:
    web = statefulset("web", web_server(), replicas=2, claims=(), ports=HTTP_PORT, env=[POD_NAME_ENV],
                      readinessProbe={"exec": {"command": ["test", "-f", "/work/ready"]}, "periodSeconds": 1})  # fmt: skip
    cluster.apply([*services(), web])
    _wait(lambda: _running(cluster, "web-0") and _running(cluster, "web-1"), 30)
    fetch = ["curl", "-s", "--max-time", "5", "http://web-1.shell.runner.svc.cluster.local:8080/name"]
    _wait(lambda: cluster.exec("web-0", fetch).stdout.strip() == "web-1", 15)  # not Ready, yet named

    cluster.exec("web-1", ["touch", "/work/ready"])
    _wait(lambda: _ready(cluster, "web-1"), 15)
    client = [
        sys.executable,
        "-c",
        "import urllib.request as u; print(u.urlopen('http://web:8080/name', timeout=5).read().decode())",
    ]
    answers = {cluster.run_client(client, namespace=NAMESPACE, timeout=30).stdout.strip() for _ in range(4)}
    assert answers == {"web-1"}  # the Service forwards to Ready pods only, and the short name resolves


def test_a_running_client_resolves_a_pod_created_again_to_its_new_address(cluster: Cluster) -> None:
    name = "named-0.shell.runner.svc.cluster.local"
    cluster.apply([*services(), statefulset("named", "exec sleep infinity", claims=())])
    cluster.wait_ready(30)
    old = cluster.pod_ip("named-0")
    watching = f"""address() {{ getent hosts {name} | cut -d' ' -f1; }}
        first=$(address) && echo "first=$first" && now=$first
        while [ -z "$now" ] || [ "$now" = "$first" ]; do sleep 0.2; now=$(address); done
        echo "then=$now" """
    client = cluster.start_client(["/bin/bash", "-c", watching], timeout=60, namespace=NAMESPACE)
    time.sleep(2)  # the client has seen the pod's first address

    cluster.delete("named-0")
    cluster.wait_ready(30)
    seen = report(client.wait(90).stdout)

    assert seen == {"first": old, "then": cluster.pod_ip("named-0")} and old != seen["then"], seen


def test_two_runners_alive_in_one_process_each_run_their_own_pods(cluster: Cluster, images: ImageResolver) -> None:
    """As when a real-Kafka stack kept for the session runs beside a real-Pulumi test's runner: each has its
    own pod network (bridge, namespaces, cgroups) and runs its own pod."""
    with Cluster(images) as other:
        for runner in (cluster, other):
            runner.apply([*services(), statefulset("named", "exec sleep infinity", claims=())])
            runner.wait_ready(30)
        seen = [
            runner.exec("named-0", ["ip", "-o", "-4", "addr", "show", "eth0"]).stdout for runner in (cluster, other)
        ]
        addresses = [runner.pod_ip("named-0") for runner in (cluster, other)]

    assert [f" {address}/16 " in line for address, line in zip(addresses, seen, strict=True)] == [True, True], seen
    assert addresses[0].split(".")[:2] != addresses[1].split(".")[:2]  # two pod networks, side by side


def test_objects_it_cannot_emulate_are_refused_before_anything_runs(cluster: Cluster) -> None:
    pod = statefulset("odd", "true", claims=(), envFrom=[{"secretRef": {"name": "x"}}])
    with pytest.raises(PodRunnerError, match="envFrom not emulated"):
        cluster.apply([pod])
    assert cluster.pods() == []


def _view(cluster: Cluster, name: str) -> PodView:
    (view,) = [view for view in cluster.pods() if view.name == name]
    return view


def _running(cluster: Cluster, name: str) -> bool:
    return any(view.name == name and view.phase == "Running" for view in cluster.pods())


def _ready(cluster: Cluster, name: str) -> bool:
    return any(view.name == name and view.ready for view in cluster.pods())


def _wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(0.5)


def _index(events: list[str], text: str, after: int = -1) -> int:
    return next(i for i, line in enumerate(events) if i > after and text in line)


def leftovers_of(pid: int) -> list[str]:
    """Network namespaces, bridges, cgroups and folders named after a runner's process."""
    found = [line.split()[0] for line in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
             check=True).stdout.splitlines() if line.startswith(f"kraft-{pid}-")]  # fmt: skip
    bridges = subprocess.run(["ip", "-o", "link", "show", "type", "bridge"], capture_output=True, text=True, check=True)
    found += [f"bridge krb{pid:06x}" for line in bridges.stdout.splitlines() if f"krb{pid:06x}" in line]
    found += [str(path) for path in Path("/sys/fs/cgroup/memory").glob(f"kraft-{pid}-*")]
    found += [str(path) for path in Path(tempfile.gettempdir()).glob(f"kraft-pods-{pid}-*")]
    return found


def processes_running(marker: str) -> list[str]:
    """Processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                found.append(entry.name)
    return found


RUNNER = """
import sys, time
from realtools.podrunner import Cluster
from tests.realkafka.workloads import shell_image, statefulset
cluster = Cluster(shell_image)
cluster.apply([statefulset("left", "exec sleep " + str(31330 + 7), replicas=2)])  # not in this command line
cluster.wait_ready(60)
print("ready", flush=True)
if sys.stdin.readline().strip() == "close":
    cluster.close()
    print("closed", flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("ending", ["close", "kill -9"])
def test_nothing_is_left_running_or_behind_when_the_runner_ends(ending: str) -> None:
    runner = subprocess.Popen([sys.executable, "-c", RUNNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).parents[2])  # fmt: skip
    try:
        assert runner.stdout is not None and runner.stdin is not None
        assert runner.stdout.readline().strip() == "ready"
        _wait(lambda: len(processes_running("sleep 31337")) == 2, 10)
        assert leftovers_of(runner.pid)
        if ending == "close":
            runner.stdin.write("close\n")
            runner.stdin.flush()
            assert runner.stdout.readline().strip() == "closed"
        else:
            runner.kill()
            runner.wait(10)
            _wait(lambda: not processes_running("sleep 31337"), 10)  # the containers die with the runner
            removed = leftovers.sweep()  # what the next runner does first
            assert removed
        assert processes_running("sleep 31337") == []
        assert leftovers_of(runner.pid) == []
    finally:
        runner.kill()
        runner.wait(10)


def test_a_container_over_its_memory_limit_is_oom_killed_and_restarted(cluster: Cluster) -> None:
    if not cluster.memory_limits_enforced:
        pytest.skip("this machine has no memory cgroup hierarchy the runner may use")
    hog = "echo starting; exec python3 -c 'import time; block = bytearray(256 * 2**20); time.sleep(600)'"
    cluster.apply([statefulset("hog", hog, claims=(), resources={"limits": {"memory": "64Mi"}})])
    _wait(lambda: any("pod hog-0: OOMKilled (over its memory limit)" in line for line in cluster.events()), 30)
    assert any("pod hog-0: container exited 137" in line for line in cluster.events())  # 128 + SIGKILL
