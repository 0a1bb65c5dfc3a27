"""Issue 10, defect 4: the metadata-version Job finalises metadata.version in the form each release line
supports, on real Kafka: a single node formatted at the previous release's metadata version, the Job's own
container command run against it, then `kafka-features.sh describe`."""

from pathlib import Path

import pytest

from kraft_component.jobs import metadata_version_job
from kraft_component.spec import parse_spec
from tests.realkafka.local_nodes import finalized_levels, kafka_home, single_node
from tests.standins import Pod

pytestmark = pytest.mark.realkafka

# release line -> (the release that runs, the metadata version it was formatted at, the one to finalise)
RELEASES = {
    "3.9": ("3.9.2", "3.8", "3.9"),
    "4.0": ("4.0.2", "3.9", "4.0"),
    "4.1": ("4.1.2", "4.0", "4.1"),
    "4.2": ("4.2.2", "4.1", "4.2"),
    "4.3": ("4.3.1", "4.2", "4.3"),
    "4.4": ("4.4.0", "4.3", "4.4"),
}


@pytest.mark.parametrize("line", RELEASES)
def test_the_job_finalises_metadata_version_and_nothing_else(tmp_path: Path, line: str) -> None:
    version, formatted_at, target = RELEASES[line]
    home = kafka_home(version)
    spec = parse_spec(
        {
            "profile": "development",
            "kafkaVersion": version,
            "metadataVersion": target,
            "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
            "authorization": {"enabled": False},
        }
    )
    job = Pod(tmp_path / "job", spec, spec.pools[0].name, 0, workload=metadata_version_job(spec, "kafka"), log_dirs=[])
    (tmp_path / "node").mkdir()
    with single_node(home, tmp_path / "node", formatted_at) as node:
        before = finalized_levels(node)
        runs = [
            job.start(env={"KAFKA_HOME": str(home), "KRAFT_BOOTSTRAP_SERVERS": node.bootstrap})
            for _ in range(2)  # a replaced Job runs again on a finalised cluster
        ]
        after = finalized_levels(node)

    assert [run.returncode for run in runs] == [0, 0], [run.stdout + run.stderr for run in runs]
    assert before["metadata.version"].startswith(f"{formatted_at}-IV")
    assert after["metadata.version"].startswith(f"{target}-IV"), after
    assert after.get("kraft.version") == before.get("kraft.version") == "0", "a static quorum stays static"
    assert "deprecated" not in runs[0].stdout + runs[0].stderr
