"""The add-controllers Job: its script under real bash in the pod the Job manifest describes, against a
stand-in kafka-metadata-quorum.sh that keeps a quorum; and where the component registers the Job."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from kraft_component import naming
from kraft_component.quorum_jobs import add_controllers_job
from kraft_component.spec import ClusterSpec, parse_spec
from tests.helpers import deploy, objects
from tests.standins import Pod, Start

HOST = "kafka-controllers-{}.kafka-headless.kafka.svc.cluster.local:9093"
NOW = 1795973946767  # a LastFetchTimestamp: milliseconds since the epoch


def grown(controllers: int = 5, initial: int = 3) -> dict[str, object]:
    return {
        "profile": "development",
        "quorum": {"mode": "dynamic", "initialControllers": initial},
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": controllers},
            {"name": "brokers", "roles": ["broker"], "replicas": 3},
        ],
    }


@dataclass(frozen=True)
class Replica:
    """One row of `describe --replication`."""

    node: int
    status: str
    lag: int = 0
    fetched: int = NOW
    directory: str = ""

    def directory_id(self) -> str:
        """The replica's metadata directory ID: given, or one per node and status."""
        return self.directory or f"{self.status[:8]:_<8}{self.node:0>14}"

    def row(self) -> str:
        return f"{self.node} {self.directory_id()} 5000 {self.lag} {self.fetched} {self.fetched} {self.status}"


VOTERS = [Replica(0, "Leader"), Replica(1, "Follower"), Replica(2, "Follower")]


def job_pod(tmp_path: Path, spec: ClusterSpec, replicas: list[Replica]) -> Pod:
    """The Job's pod, with the stand-in quorum holding `replicas`."""
    job = add_controllers_job(spec, spec.namespace)
    pod = Pod(tmp_path, spec, "controllers", 0, workload=job, log_dirs=[])  # the Job mounts no data volume
    (pod.kafka_home / "quorum").write_text("".join(f"{replica.row()}\n" for replica in replicas))
    return pod


def run(pod: Pod) -> Start:
    start = pod.start(env={"KRAFT_POLL_SECONDS": "0"})
    assert start.returncode == 0, start.stdout + start.stderr
    return start


def added(pod: Pod) -> list[tuple[str, ...]]:
    file = pod.kafka_home / "added"
    return [tuple(line.split("\t")) for line in file.read_text().splitlines()] if file.exists() else []


def quorum_calls(start: Start, command: str) -> list[tuple[str, ...]]:
    return [call.args for call in start.tool_calls("kafka-metadata-quorum.sh") if command in call.args]


def statuses(pod: Pod) -> dict[tuple[int, str], str]:
    """(node ID, directory ID) -> status, as the stand-in quorum holds them now."""
    rows = [line.split() for line in (pod.kafka_home / "quorum").read_text().splitlines()]
    return {(int(row[0]), row[1]): row[6] for row in rows}


def test_controllers_that_joined_are_added_with_the_directory_id_the_quorum_reports(tmp_path: Path) -> None:
    spec = parse_spec(grown())
    joined = [Replica(3, "Observer", directory="Mh0bE3Yzi1z3Yzxz2Bl-9A"), Replica(4, "Observer", lag=40)]
    pod = job_pod(tmp_path, spec, VOTERS + joined)

    start = run(pod)

    assert added(pod) == [(str(r.node), r.directory_id(), f"CONTROLLER://{HOST.format(r.node)}") for r in joined]
    bootstrap = ",".join(HOST.format(node) for node in range(5))
    assert all(args[:2] == ("--bootstrap-controller", bootstrap) for args in quorum_calls(start, "add-controller"))
    assert all(args[2] == "--command-config" for args in quorum_calls(start, "add-controller"))
    assert quorum_calls(start, "remove-controller") == []


def test_running_again_when_every_controller_votes_adds_nothing(tmp_path: Path) -> None:
    spec = parse_spec(grown())
    pod = job_pod(tmp_path, spec, [*VOTERS, Replica(3, "Observer"), Replica(4, "Observer")])
    run(pod)

    again = run(pod)

    assert quorum_calls(again, "add-controller") == []
    assert "kraft: controller 4" in again.stdout and "is a voter" in again.stdout


def test_a_controller_is_added_only_once_it_has_caught_up(tmp_path: Path) -> None:
    spec = parse_spec(grown(controllers=4))
    pod = job_pod(tmp_path, spec, [*VOTERS, Replica(3, "Observer", lag=6500)])  # each describe catches up 1000

    start = run(pod)

    assert len(quorum_calls(start, "add-controller")) == 1
    assert "trails the leader by 1500 records" in start.stdout
    assert [node for node, *_ in added(pod)] == ["3"]


def test_issue_10_defect_2_a_controller_on_a_new_disk_replaces_its_old_voter_once_caught_up(tmp_path: Path) -> None:
    spec = parse_spec(grown(controllers=3))
    old = Replica(1, "Follower", lag=800, fetched=NOW - 60_000, directory="T1dEaXNrT2ZOb2RlMTAwMA")
    new = Replica(1, "Observer", lag=2500, directory="TmV3RGlza09mTm9kZTEwMA")  # describes of 0, 1 catch up
    pod = job_pod(tmp_path, spec, [VOTERS[0], old, new, VOTERS[2]])

    start = run(pod)

    removes, adds = quorum_calls(start, "remove-controller"), quorum_calls(start, "add-controller")
    assert [args[-5:] for args in removes] == [
        ("remove-controller", "--controller-id", "1", "--controller-directory-id", old.directory)
    ]
    assert added(pod) == [("1", new.directory, f"CONTROLLER://{HOST.format(1)}")]
    assert statuses(pod)[(1, new.directory)] == "Follower"
    assert statuses(pod)[(1, old.directory)] == "Observer"
    changes = [call.args[4] for call in start.tool_calls("kafka-metadata-quorum.sh") if "describe" not in call.args]
    assert changes == ["remove-controller", "add-controller"]
    assert len(adds) == 1
    assert start.stdout.index("trails the leader by 500 records") < start.stdout.index("removing its old voter")


def test_a_removed_old_disk_still_listed_as_an_observer_is_left_alone(tmp_path: Path) -> None:
    spec = parse_spec(grown(controllers=3))
    gone = Replica(1, "Observer", lag=900, fetched=NOW - 60_000, directory="T1dEaXNrT2ZOb2RlMTAwMA")
    pod = job_pod(tmp_path, spec, [VOTERS[0], Replica(1, "Follower"), gone, VOTERS[2]])

    start = run(pod)

    assert quorum_calls(start, "remove-controller") == quorum_calls(start, "add-controller") == []
    assert "kraft: controller 1 (Follower00000000000001) is a voter" in start.stdout


@pytest.mark.parametrize(
    ("spec", "present"),
    [(grown(), True), (grown(controllers=3), True), ({**grown(), "quorum": {"mode": "static"}}, False)],
    ids=["grown", "as created", "static"],
)
def test_every_dynamic_quorum_has_the_job(spec: dict[str, object], present: bool) -> None:
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
