"""The local-run helpers behind `bin/dev-up`: tool checks and the kind cluster shape (no tool runs here)."""

from pathlib import Path

import pytest
import yaml

from localdev import kind, tools
from localdev.__main__ import main


def test_kind_cluster_has_a_worker_per_zone() -> None:
    config = yaml.safe_load(kind.cluster_config())
    workers = [node for node in config["nodes"] if node["role"] == "worker"]
    assert [w["labels"]["topology.kubernetes.io/zone"] for w in workers] == list(kind.ZONES)
    assert [node["role"] for node in config["nodes"]].count("control-plane") == 1


def test_missing_tools_are_named_with_where_to_get_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(tools.MissingTools) as caught:
        tools.require(("docker", "kind", "pulumi"))
    message = str(caught.value)
    assert message.startswith("missing tool(s): docker, kind, pulumi")
    assert "kind.sigs.k8s.io" in message


def test_a_docker_client_without_an_engine_counts_as_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert tools.missing(("docker",)) == ["docker"]


def test_main_job_refuses_cleanly_when_tools_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["up"]) == 2
    assert "cannot run locally: missing tool(s): docker, kind, pulumi" in capsys.readouterr().err
