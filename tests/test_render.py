"""`python -m kraft_component render`: what it prints, where it writes, what it hides and when it refuses."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kraft_component.__main__ import main
from kraft_component.evaluation import REDACTED
from kraft_component.render import (
    RenderError,
    evaluate_project,
    has_declared_type,
    kubernetes_objects,
    load_project,
    one_line,
    render,
    wire_config,
)
from kraft_component.stack import CLUSTER_KEY
from tests.helpers import ROOT, STACKS, evaluate_stack

STACK_PROGRAM = "from kraft_component.stack import run\n\nrun()\n"
CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"


def write_project(
    folder: Path,
    stacks: dict[str, dict[str, Any]] | None = None,
    program: str = STACK_PROGRAM,
    **settings: Any,
) -> Path:
    """A Pulumi project in `folder`: Pulumi.yaml, its program, and `Pulumi.<stack>.yaml` per stack config."""
    document = {"name": "kraft", "runtime": "python", **settings}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(document))
    main_folder = folder / str(settings.get("main", "."))
    main_folder.mkdir(parents=True, exist_ok=True)
    (main_folder / "__main__.py").write_text(program)
    for stack, config in (stacks or {}).items():
        (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return folder


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m kraft_component render ...`, in process."""
    code = main(["render", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_content(objects: list[dict[str, Any]]) -> list[str]:
    """Objects as canonical JSON, sorted: equal lists hold the same objects in any order."""
    return sorted(json.dumps(obj, sort_keys=True) for obj in objects)


def test_stream_is_every_object_in_install_order_and_the_same_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    code, first, _ = cli(capsys, "--stack", "prod", "--project-dir", ROOT)
    _, second, _ = cli(capsys, "--stack", "prod", "--project-dir", ROOT)
    documents = list(yaml.safe_load_all(first))
    assert code == 0
    assert first == second
    assert documents == render(ROOT, "prod")
    kinds = [document["kind"] for document in documents]
    assert kinds == [
        "Namespace", "NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget", "PodDisruptionBudget",
        "Secret", "Secret", "Secret", "Secret", "ConfigMap", "ConfigMap", "Service", "Service", "StatefulSet",
        "StatefulSet", "Job", "Job", "Job",
    ]  # fmt: skip


@pytest.mark.parametrize("stack", STACKS)
def test_render_is_exactly_what_the_stack_program_registers(stack: str) -> None:
    assert by_content(render(ROOT, stack, show_secrets=True)) == by_content(
        evaluate_stack(stack).kubernetes_objects(show_secrets=True)
    )


def test_the_project_folder_defaults_to_the_current_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    _, output, _ = cli(capsys, "--stack", "dev")
    assert list(yaml.safe_load_all(output)) == render(ROOT, "dev")


def test_out_writes_one_file_per_object_in_install_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, printed, _ = cli(capsys, "--stack", "staging", "--project-dir", ROOT, "--out", out)
    files = sorted(out.iterdir())
    assert code == 0
    assert printed.split() == [str(path) for path in files]
    assert [yaml.safe_load(path.read_text()) for path in files] == render(ROOT, "staging")
    assert files[0].name == "01-namespace-kafka.yaml"
    assert files[-1].name == "21-certificate-kafka-tls.yaml"  # kinds without a Helm rank come last


def test_out_refuses_a_directory_with_files_in_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "stale.yaml").write_text("kind: ConfigMap\n")
    code, printed, error = cli(capsys, "--stack", "dev", "--project-dir", ROOT, "--out", tmp_path)
    assert (code, printed) == (1, "")
    assert error == f"kraft render: --out {tmp_path} is not an empty directory; remove it or choose another\n"


def secret_values(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The stringData of the cluster-ID Secret."""
    secret = next(obj for obj in objects if obj["kind"] == "Secret")
    data: dict[str, Any] = secret["stringData"]
    return data


def test_secrets_are_redacted_in_place_unless_shown(capsys: pytest.CaptureFixture[str]) -> None:
    _, redacted, _ = cli(capsys, "--stack", "dev", "--project-dir", ROOT)
    _, shown, _ = cli(capsys, "--stack", "dev", "--project-dir", ROOT, "--show-secrets")
    cluster_id = secret_values(list(yaml.safe_load_all(shown)))["cluster-id"]
    redacted_values = secret_values(list(yaml.safe_load_all(redacted)))
    assert "cluster-id" in redacted_values
    assert set(redacted_values.values()) == {REDACTED}
    assert len(cluster_id) == 22
    assert cluster_id not in redacted
    assert REDACTED not in shown


def test_an_encrypted_value_is_never_invented(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_project(tmp_path, {"prod": {"kraft:clusterId": {"secure": "v1:Zm9vYmFy"}}})
    code, printed, error = cli(capsys, "--stack", "prod", "--project-dir", tmp_path)
    assert (code, printed) == (1, "")
    assert error == (
        "kraft render: kraft:clusterId is encrypted (secure:) and cannot be decrypted without the Pulumi CLI; "
        "pass --config kraft:clusterId=<value> to render with it\n"
    )


def test_config_supplies_an_encrypted_value_which_stays_secret(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_project(tmp_path, {"prod": {"kraft:cluster": {}, "kraft:clusterId": {"secure": "v1:Zm9vYmFy"}}})
    given = f"kraft:clusterId={CLUSTER_ID}"
    _, redacted, _ = cli(capsys, "--stack", "prod", "--project-dir", tmp_path, "--config", given)
    _, shown, _ = cli(capsys, "--stack", "prod", "--project-dir", tmp_path, "--config", given, "--show-secrets")
    assert CLUSTER_ID not in redacted
    assert secret_values(list(yaml.safe_load_all(shown)))["cluster-id"] == CLUSTER_ID


def test_an_encrypted_value_inside_an_object_is_named_by_its_path(tmp_path: Path) -> None:
    write_project(tmp_path, {"dev": {"kraft:cluster": {"pools": [{"name": {"secure": "v1:eA=="}}]}}})
    with pytest.raises(RenderError, match=r"^kraft:cluster\.pools\[0\]\.name is encrypted .* --config kraft:cluster="):
        render(tmp_path, "dev")


def names(objects: list[dict[str, Any]], kind: str) -> list[str]:
    """The names of the objects of one kind."""
    return [obj["metadata"]["name"] for obj in objects if obj["kind"] == kind]


POOLS = ["brokers", "controllers"]  # the StatefulSets of the default pools, by name, in install order


def test_keys_without_a_namespace_belong_to_the_project(tmp_path: Path) -> None:
    stacks = {"dev": {"cluster": {"name": "events"}}}
    kraft = write_project(tmp_path / "kraft", stacks)
    other = write_project(tmp_path / "other", stacks, name="other")
    assert names(render(kraft, "dev"), "StatefulSet") == [f"events-{pool}" for pool in POOLS]
    with pytest.raises(RenderError, match=r"^kraft:cluster: not set"):
        render(other, "dev")  # other:cluster is not kraft:cluster


def test_config_overrides_the_stack_file(tmp_path: Path) -> None:
    write_project(tmp_path, {"dev": {"kraft:cluster": {"name": "events"}}})
    objects = render(tmp_path, "dev", {"kraft:cluster": '{"name": "orders"}'})
    assert names(objects, "StatefulSet") == [f"orders-{pool}" for pool in POOLS]


def test_project_config_is_a_default_that_the_stack_file_overrides(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"prod": {"kraft:cluster": {"name": "orders"}}, "dev": {}},
        config={"kraft:cluster": {"value": {"name": "events"}}},
    )
    assert names(render(tmp_path, "dev"), "StatefulSet") == [f"events-{pool}" for pool in POOLS]
    assert names(render(tmp_path, "prod"), "StatefulSet") == [f"orders-{pool}" for pool in POOLS]


def test_stack_files_are_read_from_the_stack_config_dir(tmp_path: Path) -> None:
    write_project(tmp_path, stackConfigDir="stacks")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"kraft:cluster": {"name": "x"}}}))
    assert names(render(tmp_path, "dev"), "StatefulSet") == [f"x-{pool}" for pool in POOLS]


def test_an_unknown_stack_is_refused_naming_the_stacks_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, error = cli(capsys, "--stack", "prdo", "--project-dir", ROOT)
    assert (code, printed) == (1, "")
    assert error == (
        f"kraft render: no stack 'prdo': {ROOT / 'stacks' / 'Pulumi.prdo.yaml'} does not exist; the stacks of this "
        "project: dev, prod, staging (a stack without config has a file with `config: {}`)\n"
    )


def test_a_project_without_stack_files_has_no_stacks(tmp_path: Path) -> None:
    write_project(tmp_path)
    with pytest.raises(RenderError, match=r"the stacks of this project: none"):
        render(tmp_path, "dev")


def test_a_stack_of_the_example_program_renders_its_own_namespace() -> None:
    objects = render(ROOT / "examples" / "own-namespace", "dev")
    assert names(objects, "Namespace") == ["streaming"]
    assert names(objects, "StatefulSet") == ["events-brokers", "events-controllers"]


@pytest.mark.parametrize(
    ("stack_config", "message"),
    [
        ({}, "Stack 'dev' is missing configuration value 'cluster'"),
        ({"kraft:cluster": None}, "Stack 'dev' with configuration key 'cluster' must be of type 'object'"),
        ({"kraft:cluster": "events"}, "Stack 'dev' with configuration key 'cluster' must be of type 'object'"),
        ({"cluster": ["events"]}, "Stack 'dev' with configuration key 'cluster' must be of type 'object'"),
    ],
)
def test_the_keys_pulumi_yaml_declares_are_checked_as_pulumi_checks_them(
    tmp_path: Path, stack_config: dict[str, Any], message: str
) -> None:
    write_project(tmp_path, {"dev": stack_config}, config={"cluster": {"type": "object"}})
    with pytest.raises(RenderError) as refused:
        render(tmp_path, "dev")
    assert str(refused.value) == message


def test_a_declared_key_given_with_config_is_set(tmp_path: Path) -> None:
    write_project(tmp_path, {"dev": {}}, config={"cluster": {"type": "object"}})
    assert names(render(tmp_path, "dev", {"kraft:cluster": "{}"}), "StatefulSet") == [f"kafka-{pool}" for pool in POOLS]


@pytest.mark.parametrize(
    ("value", "declared", "accepted"),
    [
        ({}, "object", True), ([], "object", False), ("x", "object", False), (None, "object", False),
        ([1], "array", True), ({}, "array", False),
        ("x", "string", True), (3, "string", True), (None, "string", False), ({}, "string", False),
        (3, "integer", True), ("-3", "integer", True), (3.5, "integer", False), ("three", "integer", False),
        (True, "boolean", True), ("false", "boolean", True), ("yes", "boolean", False),
    ],
)  # fmt: skip
def test_declared_types_accept_what_pulumi_accepts(value: Any, declared: str, accepted: bool) -> None:
    assert has_declared_type(value, declared) is accepted


# What Pulumi's project schema (sdk/go/common/workspace/project.json, 3.274) allows in a config declaration.
DECLARATION_KEYS = {"type", "items", "description", "secret", "default", "value"}
DECLARED_TYPES = {"string", "integer", "boolean", "array", "object"}


def test_pulumi_yaml_declares_the_required_stack_key_as_pulumi_allows() -> None:
    declarations = load_project(ROOT).declarations
    assert set(declarations) == {CLUSTER_KEY.removeprefix("kraft:")}, "the one key every stack must set"
    for declaration in declarations.values():
        assert set(declaration) <= DECLARATION_KEYS
        assert declaration["type"] in DECLARED_TYPES
        assert "default" not in declaration and "value" not in declaration, "required: a stack must say its cluster"


def test_the_program_runs_as_the_named_project_and_stack_from_its_main_folder(tmp_path: Path) -> None:
    program = (
        "import pulumi\nimport pulumi_kubernetes as k8s\n\n"
        "k8s.core.v1.ConfigMap('c', metadata={'name': f'{pulumi.get_project()}-{pulumi.get_stack()}'},\n"
        "                      data={'cwd': open('data.txt').read()})\n"
    )
    write_project(tmp_path, {"qa": {}}, name="demo", main="src", program=program)
    (tmp_path / "src" / "data.txt").write_text("found")
    [config_map] = render(tmp_path, "qa")
    assert config_map["metadata"]["name"] == "demo-qa"
    assert config_map["data"] == {"cwd": "found"}


def test_invalid_config_fails_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    pools = [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 0, "colour": "blue"}]
    write_project(tmp_path, {"dev": {"kraft:cluster": {"pools": pools}}})
    completed = subprocess.run(
        [sys.executable, "-m", "kraft_component", "render", "--stack", "dev", "--project-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr.startswith(
        "kraft render: invalid configuration: kraft:cluster.pools[0].replicas: Input should be greater than or equal "
        "to 1; kraft:cluster.pools[0].colour: unknown key; allowed keys here: "
    )
    assert completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr


def test_config_that_is_not_json_fails_with_pulumis_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, error = cli(capsys, "--stack", "dev", "--project-dir", ROOT, "--config", "kraft:cluster=pools: []")
    assert code == 1
    assert error == "kraft render: Configuration 'kraft:cluster' value 'pools: []' is not a valid 'JSON object'\n"


def test_invalid_component_args_in_a_program_fail_with_their_key_path(tmp_path: Path) -> None:
    program = (
        "from kraft_component import KraftCluster, KraftClusterArgs\n\n"
        "KraftCluster('k', KraftClusterArgs({'pools': [{'name': 'n', 'roles': ['broker'], 'replicas': 0}]}))\n"
    )
    write_project(tmp_path, {"dev": {}}, program=program)
    with pytest.raises(RenderError, match=r"^invalid configuration: KraftClusterArgs\.spec\.pools\[0\]\.replicas: "):
        render(tmp_path, "dev")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({}, "Pulumi.yaml not found: pass --project-dir with the folder that holds Pulumi.yaml"),
        ({"runtime": "nodejs"}, "Pulumi.yaml: runtime is 'nodejs'; render runs Python programs only"),
    ],
)
def test_a_folder_that_is_not_a_python_project_is_refused(
    tmp_path: Path, setup: dict[str, Any], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if setup:
        write_project(tmp_path, None, STACK_PROGRAM, **setup)
    code, _, error = cli(capsys, "--stack", "dev", "--project-dir", tmp_path)
    assert code == 1
    assert error.startswith("kraft render: ") and error.rstrip().endswith(message)


def test_config_options_must_be_key_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, error = cli(capsys, "--stack", "dev", "--project-dir", ROOT, "--config", "kraft:cluster")
    assert (code, error) == (1, "kraft render: --config 'kraft:cluster' is not key=value\n")


def test_the_number_of_pulumi_resources_does_not_grow_with_the_brokers() -> None:
    project = load_project(ROOT)
    counts, replicas = set(), []
    for brokers in (3, 30, 300):
        pools = [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": brokers},
        ]
        config, secret_keys = wire_config(project, {"kraft:cluster": {"pools": pools}}, {})
        evaluation = evaluate_project(project, "dev", config, secret_keys)
        counts.add(len(evaluation.registrations))
        replicas += [obj["spec"]["replicas"] for obj in kubernetes_objects(evaluation) if obj["kind"] == "StatefulSet"]
    assert len(counts) == 1, counts
    assert sorted(replicas) == [3, 3, 3, 3, 30, 300]


def test_one_line_joins_the_problems_of_a_message() -> None:
    assert one_line("invalid configuration:\n  a: x\n  b: y") == "invalid configuration: a: x; b: y"
    assert one_line("just this") == "just this"
