"""Render a stack offline: the Kubernetes objects `pulumi up` would send, as YAML, like `helm template`.

The objects come from running the project's own program under mocks (evaluation.evaluate), so render has
no second code path that could drift from what the component registers. What this module adds is what the
Pulumi CLI would otherwise do: read Pulumi.yaml and the stack file into the config the program sees, and
what a reader needs: a deterministic order, redacted secrets and YAML.
"""

import contextlib
import json
import re
import runpy
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pulumi
import yaml

from .evaluation import Evaluation, RecordingMocks, evaluate
from .spec import InvalidSpec

Manifest = dict[str, Any]

# Helm's install order (pkg/releaseutil/kind_sorter.go): objects come out in an order `kubectl apply`
# can create them in. Kinds not listed follow, by kind.
PATCH_ANNOTATION = "pulumi.com/patchForce"  # on the objects the program patches rather than creates
KIND_ORDER = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
    "DaemonSet", "Pod", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
    "CronJob", "IngressClass", "Ingress", "APIService",
)  # fmt: skip


class RenderError(Exception):
    """A render that cannot proceed; the message tells the user what to change, on one line."""


@dataclass(frozen=True)
class Project:
    """The parts of Pulumi.yaml that decide what a stack's program sees."""

    name: str
    program: Path
    stack_config_dir: Path
    config: dict[str, Any]
    """Project-level config values (Pulumi.yaml `config:`), already namespaced."""
    declarations: dict[str, Mapping[str, Any]]
    """The project's own config keys (not namespaced) that Pulumi.yaml declares with a mapping: type, default..."""

    def stack_file(self, stack: str) -> Path:
        """Where the stack's config lives: `<stackConfigDir or .>/Pulumi.<stack>.yaml`."""
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """The stacks that have a stack file: all that render can know of without a Pulumi backend."""
        files = self.stack_config_dir.glob("Pulumi.*.yaml")
        return sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in files)


def qualify(key: str, project: str) -> str:
    """A config key with its namespace: keys without one belong to the project, as in Pulumi."""
    return key if ":" in key else f"{project}:{key}"


def load_project(directory: Path) -> Project:
    """Read `directory`/Pulumi.yaml; RenderError if it is missing or not a Python project."""
    path = directory / "Pulumi.yaml"
    if not path.is_file():
        raise RenderError(f"{path} not found: pass --project-dir with the folder that holds Pulumi.yaml")
    document = _yaml_mapping(path)
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise RenderError(f"{path}: 'name' is missing")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise RenderError(f"{path}: runtime is {runtime_name!r}; render runs Python programs only")
    main = directory / str(document.get("main") or ".")
    program = main / "__main__.py" if main.is_dir() else main
    if not program.is_file():
        raise RenderError(f"{path}: the program {program} does not exist")
    declared = document.get("config") or {}
    return Project(
        name=name,
        program=program,
        stack_config_dir=directory / str(document.get("stackConfigDir") or "."),
        config=project_config(declared, name),
        declarations={
            key.removeprefix(f"{name}:"): declaration
            for key, declaration in declared.items()
            if isinstance(declaration, Mapping) and qualify(key, name).startswith(f"{name}:")
        },
    )


def project_config(declarations: Mapping[str, Any], project: str) -> dict[str, Any]:
    """Values set in Pulumi.yaml `config:`: a plain value is a default, a mapping gives `value` or `default`."""
    values: dict[str, Any] = {}
    for key, declaration in declarations.items():
        if not isinstance(declaration, Mapping):
            values[qualify(key, project)] = declaration
        elif "value" in declaration or "default" in declaration:
            values[qualify(key, project)] = declaration.get("value", declaration.get("default"))
    return values


def check_stack(project: Project, stack: str) -> None:
    """A stack render can see is one with a stack file: a misspelt name must not render another config."""
    stacks = project.stacks()
    if stack not in stacks:
        raise RenderError(
            f"no stack {stack!r}: {project.stack_file(stack)} does not exist; the stacks of this project: "
            f"{', '.join(stacks) or 'none'} (a stack without config has a file with `config: {{}}`)"
        )


def has_declared_type(value: Any, declared: str) -> bool:
    """Whether Pulumi accepts a stack file's value for a key Pulumi.yaml declares with `type: <declared>`
    (sdk/go/common/workspace, ValidateConfigValue): objects and arrays must be ones, scalars arrive as text."""
    if declared in ("object", "array"):
        return isinstance(value, dict if declared == "object" else list)
    if value is None or isinstance(value, dict | list):
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if declared == "integer":
        return re.fullmatch(r"-?[0-9]+", text) is not None
    return declared != "boolean" or text in ("true", "false")


def check_declared_config(
    project: Project, stack: str, config: Mapping[str, Any], overrides: Mapping[str, str]
) -> None:
    """What `pulumi up` checks before the program runs, against the keys Pulumi.yaml declares: a key without a
    default must be set, and set to a value of the declared type. The messages are Pulumi's. A --config value
    is the key's value as the program reads it, checked by the program."""
    for key, declaration in project.declarations.items():
        qualified = qualify(key, project.name)
        if "value" in declaration or "default" in declaration or qualified in overrides:
            continue
        if qualified not in config:
            raise RenderError(f"Stack '{stack}' is missing configuration value '{key}'")
        declared = declaration.get("type")
        if declared is not None and not has_declared_type(config[qualified], str(declared)):
            raise RenderError(f"Stack '{stack}' with configuration key '{key}' must be of type '{declared}'")


def load_stack_config(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a stack file."""
    config = _yaml_mapping(path).get("config") or {}
    if not isinstance(config, Mapping):
        raise RenderError(f"{path}: 'config' must be a mapping of keys to values")
    return dict(config)


def _yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise RenderError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from None
    if not isinstance(document, dict):
        raise RenderError(f"{path} must hold a YAML mapping")
    return document


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """`key=value` strings (the --config options) as a mapping; the last assignment of a key wins."""
    parsed: dict[str, str] = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key:
            raise RenderError(f"--config {assignment!r} is not key=value")
        parsed[key] = value
    return parsed


def _encrypted_paths(value: Any, path: str) -> Iterator[str]:
    """The key paths inside `value` that hold a `secure:` (encrypted) value."""
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            yield path
            return
        for key, item in value.items():
            yield from _encrypted_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _encrypted_paths(item, f"{path}[{index}]")


def _wire_value(value: Any) -> str:
    """A config value as the engine hands it to the program: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def wire_config(
    project: Project, stack_config: Mapping[str, Any], overrides: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(config, secret keys) as the program would receive them from `pulumi up`.

    Project values, then the stack file, then --config. An encrypted (`secure:`) value needs the Pulumi CLI
    to decrypt, so it must be supplied with --config; the key then stays a secret.
    """
    merged = {qualify(key, project.name): value for key, value in {**project.config, **stack_config}.items()}
    given = {qualify(key, project.name): value for key, value in overrides.items()}
    secret_keys = sorted(key for key, value in merged.items() if next(_encrypted_paths(value, key), None))
    for key in secret_keys:
        if key not in given:
            path = next(_encrypted_paths(merged[key], key))
            raise RenderError(
                f"{path} is encrypted (secure:) and cannot be decrypted without the Pulumi CLI; "
                f"pass --config {key}=<value> to render with it"
            )
    config = {key: _wire_value(value) for key, value in merged.items()} | given
    return config, secret_keys


@contextlib.contextmanager
def _program_context(project: Project) -> Iterator[None]:
    """Run as the Pulumi language host does: in the program's folder, importable from it."""
    folder = str(project.program.parent.resolve())
    sys.path.insert(0, folder)
    try:
        with contextlib.chdir(folder):
            yield
    finally:
        sys.path.remove(folder)


def run_program(path: str) -> None:
    """Run a Pulumi program file as the language host does, as `__main__`."""
    runpy.run_path(path, run_name="__main__")


def evaluate_project(
    project: Project, stack: str, config: dict[str, str], secret_keys: list[str], mocks: RecordingMocks | None = None
) -> Evaluation:
    """Run the project's program under mocks, as `pulumi up --stack <stack>` would (no preview)."""
    program = str(project.program.resolve())
    with _program_context(project):
        return evaluate(
            partial(run_program, program),
            config,
            project=project.name,
            stack=stack,
            secret_keys=secret_keys,
            mocks=mocks,
        )


def sort_key(obj: Manifest) -> tuple[int, str, str, str]:
    """Install order by kind, then namespace and name; patches of existing objects last."""
    kind = str(obj.get("kind", ""))
    metadata = obj.get("metadata") or {}
    if PATCH_ANNOTATION in (metadata.get("annotations") or {}):
        rank = len(KIND_ORDER) + 1
    else:
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return rank, kind, str(metadata.get("namespace", "")), str(metadata.get("name", ""))


def kubernetes_objects(evaluation: Evaluation, show_secrets: bool = False) -> list[Manifest]:
    """The Kubernetes objects of an evaluation in install order, secrets redacted unless asked for."""
    return sorted(evaluation.kubernetes_objects(show_secrets), key=sort_key)


def render(
    project_dir: Path, stack: str, overrides: Mapping[str, str] | None = None, show_secrets: bool = False
) -> list[Manifest]:
    """The Kubernetes objects `pulumi up --stack <stack>` of the project in `project_dir` would send.

    Raises RenderError with a one-line message for anything the user must fix (config, files).
    """
    project = load_project(project_dir)
    check_stack(project, stack)
    stack_config = load_stack_config(project.stack_file(stack))
    given = {qualify(key, project.name): value for key, value in (overrides or {}).items()}
    check_declared_config(
        project, stack, {qualify(key, project.name): value for key, value in stack_config.items()}, given
    )
    config, secret_keys = wire_config(project, stack_config, given)
    try:
        evaluation = evaluate_project(project, stack, config, secret_keys)
    except (InvalidSpec, pulumi.RunError) as error:
        raise RenderError(one_line(str(error))) from None
    return kubernetes_objects(evaluation, show_secrets)


def one_line(message: str) -> str:
    """A multi-line message (one problem per line) as one line, problems separated by '; '."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {'; '.join(lines[1:])}"
    return "; ".join(lines)


YAML_WIDTH = 1 << 16  # never fold a long line (JVM options, quorum voters) across lines


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings (scripts, properties files), so they read as files."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(obj: Manifest) -> str:
    """One object as a YAML document, keys sorted."""
    return yaml.dump(
        obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=YAML_WIDTH
    )


def to_yaml_stream(objects: Sequence[Manifest]) -> str:
    """Every object in one multi-document YAML stream."""
    return "".join(f"---\n{to_yaml(obj)}" for obj in objects)


def file_names(objects: Sequence[Manifest]) -> list[str]:
    """`NN-<kind>-<name>.yaml` per object: the number keeps install order in a directory listing."""
    width = max(2, len(str(len(objects))))
    return [
        f"{index:0{width}d}-{str(obj['kind']).lower()}-{obj['metadata']['name']}.yaml"
        for index, obj in enumerate(objects, start=1)
    ]


def write_files(objects: Sequence[Manifest], directory: Path) -> list[Path]:
    """One file per object in `directory`, which must be empty or absent (stale files would be applied)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise RenderError(f"--out {directory} is not an empty directory; remove it or choose another")
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in file_names(objects)]
    for path, obj in zip(paths, objects, strict=True):
        path.write_text(to_yaml(obj), encoding="utf-8")
    return paths
