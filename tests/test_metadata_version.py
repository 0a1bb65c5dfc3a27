"""The metadata-version Job: its script under real bash in the pod the Job manifest describes, with the
stand-in kafka-features.sh; tests/realkafka/test_metadata_version.py proves the forms on each release."""

from pathlib import Path

import pytest

from kraft_component.jobs import metadata_version_job
from kraft_component.spec import parse_spec
from tests.standins import Call, Pod


def run_job(tmp_path: Path, kafka_version: str, metadata_version: str) -> list[Call]:
    """Run the Job's container once; the kafka-features.sh calls it made."""
    spec = parse_spec({"profile": "development", "kafkaVersion": kafka_version, "metadataVersion": metadata_version})
    job = metadata_version_job(spec, spec.namespace)
    pod = Pod(tmp_path, spec, spec.pools[0].name, 0, workload=job, log_dirs=[])
    start = pod.start()
    assert start.returncode == 0, start.stdout + start.stderr
    return start.tool_calls("kafka-features.sh")


def subcommand(call: Call) -> list[str]:
    """The arguments after the connection options every call shares."""
    assert call.args[:2] == ("--bootstrap-server", "kafka-bootstrap.kafka.svc.cluster.local:9092"), call
    assert call.args[2] == "--command-config", call
    return list(call.args[4:])


@pytest.mark.parametrize(
    ("kafka_version", "metadata_version", "level"),
    [("4.0.2", "4.0", "25"), ("4.3.1", "4.3", "30"), ("4.3.1", "4.3-IV0", "30"), ("4.3.1", "3.9", "21")],
)
def test_issue_10_defect_4_from_kafka_4_0_the_level_comes_from_version_mapping_and_only_metadata_version_moves(
    tmp_path: Path, kafka_version: str, metadata_version: str, level: str
) -> None:
    calls = [subcommand(call) for call in run_job(tmp_path, kafka_version, metadata_version)]

    assert calls == [
        ["version-mapping", "--release-version", metadata_version],
        ["upgrade", "--feature", f"metadata.version={level}"],
    ]


def test_kafka_3_9_upgrades_with_its_metadata_flag(tmp_path: Path) -> None:
    calls = [subcommand(call) for call in run_job(tmp_path, "3.9.2", "3.9")]

    assert calls == [["upgrade", "--metadata", "3.9"]]
