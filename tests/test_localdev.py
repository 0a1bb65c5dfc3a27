"""The local-run helpers behind `bin/dev-up`: tool checks and the kind cluster shape (no tool runs here)."""

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import yaml
from pulumi import automation as auto

from localdev import kind, stack, tools
from localdev.__main__ import main
from tests.helpers import fake_tool


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
    fake_tool(tmp_path, "docker", "echo 'Cannot connect to the Docker daemon' >&2\nexit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert tools.missing(("docker",)) == ["docker"]


def test_main_job_refuses_cleanly_when_tools_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["up"]) == 2
    assert "cannot run locally: missing tool(s): docker, kind, pulumi" in capsys.readouterr().err


def fake_kind(folder: Path, clusters: str) -> Path:
    """A stand-in `kind` (shell builtins only: PATH holds nothing else) that lists `clusters`, records every
    call in kind.log and the config it is given in config.yaml, and prints a kubeconfig naming the cluster."""
    log = folder / "kind.log"
    script = f"""echo "$*" >> {log}
case "$1 $2" in
  "get clusters") printf '{clusters}' ;;
  "get kubeconfig") echo "kubeconfig of $4" ;;
  "create cluster") while IFS= read -r line; do echo "$line"; done > {folder / "config.yaml"} ;;
esac"""
    fake_tool(folder, "kind", script)
    return log


def test_a_missing_cluster_is_created_with_a_worker_per_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = fake_kind(tmp_path, "other\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    kubeconfig = kind.ensure_cluster("kraft-e2e", tmp_path / "state" / "kraft-e2e.kubeconfig")
    assert kubeconfig.read_text() == "kubeconfig of kraft-e2e\n"
    assert log.read_text().splitlines() == [
        "get clusters",
        "create cluster --name kraft-e2e --config - --wait 120s",
        "get kubeconfig --name kraft-e2e",
    ]
    assert (tmp_path / "config.yaml").read_text() == kind.cluster_config()


def test_an_existing_cluster_is_reused_and_deleted_on_request(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = fake_kind(tmp_path, "kraft-dev\\nkraft-e2e\\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    kind.ensure_cluster("kraft-e2e", tmp_path / "kubeconfig")
    kind.delete_cluster("kraft-e2e")
    kind.delete_cluster("absent")
    assert log.read_text().splitlines() == [
        "get clusters",
        "get kubeconfig --name kraft-e2e",
        "get clusters",
        "delete cluster --name kraft-e2e",
        "get clusters",
    ]


def test_each_state_dir_is_its_own_file_backend(tmp_path: Path) -> None:
    env = stack.workspace_env(tmp_path / "kubeconfig", state_dir=tmp_path / "e2e" / "state")
    assert env["PULUMI_BACKEND_URL"] == (tmp_path / "e2e" / "state").as_uri()
    assert (tmp_path / "e2e" / "state").is_dir()
    assert env["KUBECONFIG"] == str(tmp_path / "kubeconfig")


def test_a_project_copy_runs_this_program_with_its_stack_files_beside_it(tmp_path: Path) -> None:
    copy = stack.project_copy(tmp_path / "project")
    project = yaml.safe_load((copy / "Pulumi.yaml").read_text())
    original = yaml.safe_load((stack.ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == original["name"] and project["runtime"]["name"] == original["runtime"]["name"]
    assert "stackConfigDir" not in project, "stack files stay in the copy, not in stacks/"
    assert project["runtime"]["options"]["virtualenv"] == str(stack.ROOT / ".venv")
    assert (copy / "__main__.py").read_text() == (stack.ROOT / "__main__.py").read_text()


def test_a_copy_of_an_example_runs_its_program_in_the_repository_virtualenv(tmp_path: Path) -> None:
    example = stack.ROOT / "examples" / "own-namespace"
    copy = stack.project_copy(tmp_path / "project", example)
    project = yaml.safe_load((copy / "Pulumi.yaml").read_text())
    assert project["name"] == "kraft-own-namespace"
    assert project["runtime"]["options"]["virtualenv"] == str(stack.ROOT / ".venv")
    assert (copy / "__main__.py").read_text() == (example / "__main__.py").read_text()
    assert not list(copy.glob("Pulumi.*.yaml")), "the example's own stack files stay where they are"


def dev_up(tmp_path: Path, *tools: tuple[str, str]) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run a copy of bin/dev-up whose bin/setup-venv only leaves a mark, with PATH holding python3, dirname and
    stand-ins for `tools` (name, script); return the run and the mark's path."""
    repo = tmp_path / "repo"
    for copied in ("bin/dev-up", "localdev/__init__.py", "localdev/tools.py"):
        (repo / copied).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(stack.ROOT / copied, repo / copied)
    fake_tool(repo / "bin", "setup-venv", f": > {repo / 'built'}")  # shell builtins only
    commands = tmp_path / "path"
    commands.mkdir()
    (commands / "python3").symlink_to(Path(sys.executable).resolve())  # the interpreter itself, not a shim
    (commands / "dirname").symlink_to(str(shutil.which("dirname")))
    for name, script in tools:
        fake_tool(commands, name, script)
    run = subprocess.run(
        ["/bin/bash", str(repo / "bin" / "dev-up")],
        env={"PATH": str(commands)},
        capture_output=True,
        text=True,
        check=False,
    )
    return run, repo / "built"


def test_dev_up_names_every_missing_tool_before_building_anything(tmp_path: Path) -> None:
    run, built = dev_up(tmp_path, ("kind", "exit 0"), ("docker", "exit 1"))  # a docker client without an engine
    assert run.returncode == 2
    assert "kraft: cannot run locally: missing tool(s): pulumi, docker" in run.stderr
    assert "pulumi.com/docs/install" in run.stderr
    assert not built.exists(), "nothing is built before the tools are there"


def test_dev_up_builds_the_virtualenv_once_the_tools_are_there(tmp_path: Path) -> None:
    run, built = dev_up(tmp_path, ("docker", "exit 0"), ("kind", "exit 0"), ("pulumi", "exit 0"))
    assert built.exists(), run.stderr


class _Workspace:
    """The two stack-settings calls of a Pulumi workspace, on a dict of settings by stack."""

    def __init__(self, settings: dict[str, auto.StackSettings]) -> None:
        self.settings = settings

    def stack_settings(self, stack_name: str) -> auto.StackSettings:
        if stack_name not in self.settings:
            raise FileNotFoundError(stack_name)
        return self.settings[stack_name]

    def save_stack_settings(self, stack_name: str, settings: auto.StackSettings) -> None:
        self.settings[stack_name] = settings


@pytest.mark.parametrize("existing", [True, False], ids=["stack file", "no stack file yet"])
def test_structured_config_is_saved_as_an_object_next_to_the_stacks_settings(existing: bool) -> None:
    workspace = _Workspace({"e2e": auto.StackSettings(encryption_salt="v1:salt", config={"kubernetes:context": "x"})})
    if not existing:
        workspace.settings.clear()
    local = SimpleNamespace(name="e2e", workspace=workspace)
    stack.set_object_config(cast(auto.Stack, local), "kraft:cluster", {"name": "events"})
    saved = workspace.settings["e2e"]
    assert saved.config is not None and saved.config["kraft:cluster"] == {"name": "events"}, "an object, not text"
    if existing:
        assert (saved.encryption_salt, saved.config["kubernetes:context"]) == ("v1:salt", "x")
