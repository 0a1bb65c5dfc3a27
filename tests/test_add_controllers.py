"""The add-controllers Job: its script under real bash in the pod the Job manifest describes, against a
stand-in kafka-metadata-quorum.sh that keeps a quorum; and where the component registers the Job."""

from pathlib import Path

import pytest

from kraft_component import naming
from kraft_component.quorum_jobs import add_controllers_job
from kraft_component.spec import ClusterSpec, parse_spec
from tests.helpers import deploy, objects
from tests.standins import Pod, Start

HOST = "kafka-controllers-{}.kafka-headless.kafka.svc.cluster.local:9093"


def grown(controllers: int = 5, initial: int = 3) -> dict[str, object]:
    return {
        "profile": "development",
        "quorum": {"mode": "dynamic", "initialControllers": initial},
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": controllers},
            {"name": "brokers", "roles": ["broker"], "replicas": 3},
        ],
    }


def job_pod(tmp_path: Path, spec: ClusterSpec, quorum: dict[int, tuple[str, int]]) -> Pod:
    """The Job's pod, with the stand-in quorum holding each node's (status, lag) under its Secret directory ID."""
    job = add_controllers_job(spec, spec.namespace)
    pod = Pod(tmp_path, spec, "controllers", 0, workload=job, log_dirs=[])  # the Job mounts no data volume
    ids = pod.directory_ids()
    rows = [f"{node} {ids[node]} 5000 {lag} 1 1 {status}" for node, (status, lag) in quorum.items()]
    (pod.kafka_home / "quorum").write_text("".join(f"{row}\n" for row in rows))
    return pod


def run(pod: Pod) -> Start:
    start = pod.start(env={"KRAFT_POLL_SECONDS": "0"})
    assert start.returncode == 0, start.stdout + start.stderr
    return start


def added(pod: Pod) -> list[tuple[str, ...]]:
    file = pod.kafka_home / "added"
    return [tuple(line.split("\t")) for line in file.read_text().splitlines()] if file.exists() else []


def adds(start: Start) -> list[tuple[str, ...]]:
    return [call.args for call in start.tool_calls("kafka-metadata-quorum.sh") if "add-controller" in call.args]


VOTERS = {0: ("Leader", 0), 1: ("Follower", 0), 2: ("Follower", 0)}


def test_controllers_that_joined_are_added_with_their_own_identity(tmp_path: Path) -> None:
    spec = parse_spec(grown())
    pod = job_pod(tmp_path, spec, VOTERS | {3: ("Observer", 0), 4: ("Observer", 40)})
    ids = pod.directory_ids()

    start = run(pod)

    assert added(pod) == [(str(node), ids[node], f"CONTROLLER://{HOST.format(node)}") for node in (3, 4)]
    bootstrap = ",".join(HOST.format(node) for node in range(5))
    assert all(args[:2] == ("--bootstrap-controller", bootstrap) for args in adds(start))
    assert all(args[2] == "--command-config" and args[-1] == "add-controller" for args in adds(start))


def test_running_again_when_every_controller_votes_adds_nothing(tmp_path: Path) -> None:
    spec = parse_spec(grown())
    pod = job_pod(tmp_path, spec, VOTERS | {3: ("Observer", 0), 4: ("Observer", 0)})
    run(pod)

    again = run(pod)

    assert adds(again) == []
    assert "kraft: controller 4" in again.stdout and "is a voter" in again.stdout


def test_a_controller_is_added_only_once_it_has_caught_up(tmp_path: Path) -> None:
    spec = parse_spec(grown(controllers=4))
    pod = job_pod(tmp_path, spec, VOTERS | {3: ("Observer", 6500)})  # each describe catches up 1000

    start = run(pod)

    assert len(adds(start)) == 1
    assert "trails the leader by 1500 records" in start.stdout
    assert [node for node, *_ in added(pod)] == ["3"]


@pytest.mark.parametrize(
    ("spec", "present"),
    [(grown(), True), (grown(controllers=3), False), ({**grown(), "quorum": {"mode": "static"}}, False)],
    ids=["grown", "as created", "static"],
)
def test_the_job_exists_only_while_controllers_joined_after_creation(spec: dict[str, object], present: bool) -> None:
    evaluation = deploy(spec)
    jobs = [job["metadata"]["name"] for job in objects(evaluation, "Job")]
    assert (naming.add_controllers_job_name("kafka") in jobs) is present
    assert ("add-controllers.sh" in objects(evaluation, "ConfigMap")[0]["data"]) is present


def test_the_job_runs_after_the_controllers_and_is_replaced_delete_first() -> None:
    evaluation = deploy(grown())
    (job,) = [r for r in evaluation.registrations if r.name == "kafka-add-controllers"]
    assert job.delete_before_replace
    assert {"kafka-controllers", "kafka-cluster-id", "kafka-config"} <= {u.rsplit("::", 1)[1] for u in job.depends_on}
    template = job.manifest()["spec"]["template"]
    assert template["spec"]["automountServiceAccountToken"] is False
    assert template["metadata"]["labels"]["app.kubernetes.io/name"] != "kafka", "Services would select the Job's pod"
