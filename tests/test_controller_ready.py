"""scripts/controller-ready.sh, the readiness probe of controller-only nodes, run under real bash as the
probe of the real StatefulSet runs it, against the server.properties the node's entrypoint wrote."""

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import stack_spec
from tests.standins import Pod

SEGMENT = "00000000000000000000.log"
QUORUM_STATE_V0: dict[str, Any] = {
    "clusterId": "",
    "leaderId": 1,
    "leaderEpoch": 3,
    "votedId": -1,
    "appliedOffset": 0,
    "currentVoters": [{"voterId": 0}, {"voterId": 1}, {"voterId": 2}],
    "data_version": 0,
}
QUORUM_STATE_V1: dict[str, Any] = {
    "leaderId": 1,
    "leaderEpoch": 3,
    "votedId": -1,
    "votedDirectoryId": "AAAAAAAAAAAAAAAAAAAAAA",
    "data_version": 1,
}


@pytest.fixture
def controller(tmp_path: Path) -> Pod:
    """A controller-only node of the staging stack whose entrypoint has written server.properties and
    started Kafka a minute ago."""
    pod = Pod(tmp_path, stack_spec("staging"), "controllers", 1)
    start = pod.start()
    assert start.returncode == 0, start.stderr
    kafka_started(pod, seconds_ago=60)
    return pod


def kafka_started(pod: Pod, seconds_ago: float) -> None:
    """Date the node script's mark of the Kafka start `seconds_ago`."""
    marker = Path(pod.environment["KRAFT_JVM_STARTED_FILE"])
    assert marker.read_text().strip().isdigit(), "the node script writes its process ID, which Kafka keeps"
    moment = time.time() - seconds_ago
    os.utime(marker, (moment, moment))


def stale_after(pod: Pod) -> int:
    """KRAFT_METADATA_STALE_SECONDS as the StatefulSet sets it."""
    return int(pod.environment["KRAFT_METADATA_STALE_SECONDS"])


def partition(metadata_dir: Path) -> Path:
    """The metadata log partition Kafka keeps in a metadata log directory."""
    folder = metadata_dir / "__cluster_metadata-0"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_quorum_state(metadata_dir: Path, state: dict[str, Any]) -> None:
    """quorum-state as Kafka's FileQuorumStateStore writes it (compact JSON)."""
    (partition(metadata_dir) / "quorum-state").write_text(json.dumps(state, separators=(",", ":")))


def write_segment(metadata_dir: Path, age_seconds: float, name: str = SEGMENT) -> None:
    """A metadata log segment last written `age_seconds` ago."""
    segment = partition(metadata_dir) / name
    segment.write_bytes(b"\0" * 64)
    modified = time.time() - age_seconds
    os.utime(segment, (modified, modified))


def following(pod: Pod, metadata_dir: Path | None = None) -> None:
    """The state of a controller that knows the leader and replicates the log."""
    write_quorum_state(metadata_dir or pod.log_dirs[0], QUORUM_STATE_V0)
    write_segment(metadata_dir or pod.log_dirs[0], age_seconds=1)


def ready(pod: Pod) -> bool:
    """Run the readiness probe of the manifest; a failing probe must say why."""
    done = pod.probe("readinessProbe")
    assert done.returncode == 0 or "not ready" in done.stdout, (done.stdout, done.stderr)
    return done.returncode == 0


def test_the_probe_is_this_script(controller: Pod) -> None:
    command = controller.container["readinessProbe"]["exec"]["command"]
    assert command[-1].endswith("/controller-ready.sh")


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(QUORUM_STATE_V0, id="data-version-0"),
        pytest.param(QUORUM_STATE_V1, id="data-version-1"),
        pytest.param(QUORUM_STATE_V0 | {"leaderId": 0}, id="leader-0"),
    ],
)
def test_ready_when_the_leader_is_known_and_the_log_moves(controller: Pod, state: dict[str, Any]) -> None:
    write_quorum_state(controller.log_dirs[0], state)
    write_segment(controller.log_dirs[0], age_seconds=1)

    assert ready(controller)


def test_ready_just_inside_the_staleness_limit(controller: Pod) -> None:
    following(controller)
    write_segment(controller.log_dirs[0], age_seconds=stale_after(controller) - 5)

    assert ready(controller)


def test_issue_10_defect_5_after_a_restart_not_ready_until_the_log_moves_again(controller: Pod) -> None:
    following(controller)  # quorum-state keeps the leader of before the restart; the log moved a second ago
    kafka_started(controller, seconds_ago=0)  # the container restarted: Kafka follows nobody yet

    assert not ready(controller)
    write_quorum_state(controller.log_dirs[0], QUORUM_STATE_V1)  # Kafka rewrites it on state changes, stale
    assert not ready(controller)

    write_segment(controller.log_dirs[0], age_seconds=-1)  # a record from the leader arrived

    assert ready(controller)


def test_not_ready_before_kafka_started(controller: Pod) -> None:
    following(controller)
    Path(controller.environment["KRAFT_JVM_STARTED_FILE"]).unlink()

    assert not ready(controller)


def test_a_pod_of_an_earlier_template_is_judged_by_the_log_s_age_alone(controller: Pod) -> None:
    following(controller)
    kafka_started(controller, seconds_ago=0)

    done = controller.probe("readinessProbe", env={"KRAFT_JVM_STARTED_FILE": ""})

    assert done.returncode == 0, done.stdout


def test_not_ready_before_server_properties_exist(controller: Pod) -> None:
    following(controller)
    Path(controller.environment["KRAFT_SERVER_PROPERTIES"]).unlink()

    assert not ready(controller)


def test_not_ready_without_quorum_state(controller: Pod) -> None:
    write_segment(controller.log_dirs[0], age_seconds=1)

    assert not ready(controller)


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(QUORUM_STATE_V0 | {"leaderId": -1}, id="no-leader"),
        pytest.param({k: v for k, v in QUORUM_STATE_V0.items() if k != "leaderId"}, id="no-leaderId-field"),
    ],
)
def test_not_ready_without_a_known_leader(controller: Pod, state: dict[str, Any]) -> None:
    write_quorum_state(controller.log_dirs[0], state)
    write_segment(controller.log_dirs[0], age_seconds=1)

    assert not ready(controller)


def test_not_ready_when_the_metadata_log_is_stale(controller: Pod) -> None:
    write_quorum_state(controller.log_dirs[0], QUORUM_STATE_V0)
    write_segment(controller.log_dirs[0], age_seconds=stale_after(controller) + 10)

    assert not ready(controller)


def test_not_ready_without_a_log_segment(controller: Pod) -> None:
    write_quorum_state(controller.log_dirs[0], QUORUM_STATE_V0)

    assert not ready(controller)


@pytest.mark.parametrize(("first_age", "last_age"), [(1, 3600), (3600, 1)], ids=["newest-first", "newest-last"])
def test_the_newest_segment_decides(controller: Pod, first_age: int, last_age: int) -> None:
    write_quorum_state(controller.log_dirs[0], QUORUM_STATE_V0)
    write_segment(controller.log_dirs[0], first_age, name="00000000000000000000.log")
    write_segment(controller.log_dirs[0], last_age, name="00000000000000004096.log")

    assert ready(controller)


def test_a_separate_metadata_log_dir_is_where_the_quorum_is_read(controller: Pod, tmp_path: Path) -> None:
    metadata_dir = tmp_path / "metadata"
    server_properties = Path(controller.environment["KRAFT_SERVER_PROPERTIES"])
    with server_properties.open("a") as properties:
        properties.write(f"metadata.log.dir={metadata_dir}\n")
    following(controller)  # in log.dirs, where Kafka no longer keeps the metadata log

    assert not ready(controller)

    following(controller, metadata_dir)

    assert ready(controller)
