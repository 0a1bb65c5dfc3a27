"""KraftCluster through the kraft plugin (provider/), the path a YAML or TypeScript program takes: the engine
asks the plugin to construct the component. It creates the same objects as the Python stack program, and
the deployment record's guards hold there too. The TypeScript program (examples/typescript) gets its SDK from
`pulumi package add`, through our Node.js language host and Pulumi's Node.js code generator."""

import copy
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from kraft_component import naming, record
from localdev.stack import ROOT
from realtools import kubeapi, prerequisites, toolset
from realtools.controlplane import ControlPlane
from realtools.prerequisites import MissingPrerequisite, cache_root
from realtools.toolset import Tools

from .cli import Pulumi, Result
from .conftest import unavailable
from .stacks import Deployment, assert_refused, delete_namespaces, key, live_versions

pytestmark = pytest.mark.realpulumi

STACK = "dev"
CLUSTER_ID = "q1Sh-9_ISia_zwGINzRvyQ"  # adopted by every program, so that no generated ID differs
REMOTE_PROGRAM = Path(__file__).parent / "programs" / "remote"
YAML_EXAMPLE = ROOT / "examples" / "yaml"
TYPESCRIPT_EXAMPLE = ROOT / "examples" / "typescript"
# npm's download cache beside the tools (kept between runs), and none of its network extras.
NPM_SETTINGS = {"update_notifier": "false", "fund": "false", "audit": "false"}
# How npm says it could not reach its registry.
NPM_UNREACHABLE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT")
# What the API server or a controller sets on an object (the Job controller labels its pods with its uid).
SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")
JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")
# Digests that differ between any two deployments: of the ConfigMap, whose text names the namespace, and of
# the generated certificates.
DIGESTS = (naming.CONFIG_CHECKSUM_ANNOTATION, naming.TLS_REVISION_ANNOTATION)


def kraft_plugin(scratch: Path) -> Path:
    """provider/ as `pulumi package add` takes it, its virtualenv (PulumiPlugin.yaml's `venv`) this one."""
    plugin = scratch / "kraft-plugin"
    shutil.copytree(ROOT / "provider", plugin)
    (plugin / "venv").symlink_to(sys.prefix)
    return plugin


def example() -> dict[str, Any]:
    """examples/yaml's program."""
    program: dict[str, Any] = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    return program


def example_spec(namespace: str) -> dict[str, Any]:
    """The cluster of examples/yaml, in `namespace`: what every program here deploys."""
    (cluster,) = example()["resources"].values()
    spec: dict[str, Any] = copy.deepcopy(cluster["properties"]["spec"])
    spec["namespace"] = namespace
    return spec


def configure(deployment: Deployment, spec: dict[str, Any]) -> None:
    """A Python program's stack config for `spec`, with the adopted cluster ID."""
    deployment.pulumi.set_config(deployment.project, STACK, {"kraft:cluster": spec, "kraft:clusterId": CLUSTER_ID})


def remote_project(folder: Path, plugin: Path) -> Path:
    """A Python project running programs/remote with the kraft package from `plugin`."""
    folder.mkdir()
    shutil.copyfile(REMOTE_PROGRAM / "__main__.py", folder / "__main__.py")
    settings = {
        "name": "kraft-remote",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": sys.prefix}},
        "packages": {"kraft": str(plugin)},
    }
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(settings))
    return folder


def write_yaml_program(folder: Path, plugin: Path, spec: dict[str, Any]) -> None:
    """examples/yaml in `folder`, with the kraft package from `plugin`, `spec` as its cluster and the adopted
    cluster ID."""
    program = example()
    program["packages"]["kraft"] = str(plugin)
    (cluster,) = program["resources"].values()
    cluster["properties"] = {"spec": spec, "clusterId": CLUSTER_ID}
    folder.mkdir(exist_ok=True)
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))


@dataclass(frozen=True)
class Program:
    """A program's stack, the namespace it deploys into, and how to give it another spec (a stack config,
    or the YAML program's text)."""

    deployment: Deployment
    namespace: str
    respec: Callable[[dict[str, Any]], None]


def comparable(live: dict[str, Any], namespace: str) -> dict[str, Any]:
    """An object as the API server has it, without what the server sets, its namespace replaced by `NS` and
    a Secret's values by their keys (generated passwords and certificates differ), the DIGESTS left out."""
    obj = without({field: value for field, value in live.items() if field != "status"}, (*JOB_UID_LABELS, *DIGESTS))
    obj["metadata"] = {field: value for field, value in obj["metadata"].items() if field not in SERVER_SET}
    if obj["kind"] == "Secret":
        obj["data"] = sorted(obj.get("data") or {})
    if obj["kind"] == "Service":
        obj["spec"] = {field: value for field, value in obj["spec"].items() if not field.startswith("clusterIP")}
    text: dict[str, Any] = json.loads(json.dumps(obj).replace(namespace, "NS"))
    return text


def without(value: Any, keys: tuple[str, ...]) -> Any:
    """`value` with every mapping entry named one of `keys` left out, at any depth."""
    if isinstance(value, dict):
        return {field: without(item, keys) for field, item in value.items() if field not in keys}
    if isinstance(value, list):
        return [without(item, keys) for item in value]
    return value


def live_objects(deployment: Deployment, control_plane: ControlPlane) -> dict[str, dict[str, Any]]:
    """The stack's Kubernetes objects as the API server has them, comparable, by `Kind/NS/name`."""
    api = control_plane.api()
    found = {}
    for manifest in deployment.objects():
        namespace = manifest["metadata"].get("namespace") or manifest["metadata"]["name"]
        live = kubeapi.get(api, manifest).to_dict()
        found[key(comparable(manifest, namespace))] = comparable(live, namespace)
    return found


@pytest.fixture(scope="module")
def pulumi(control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Pulumi:
    return Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("languages"))


@pytest.fixture(scope="module")
def plugin(pulumi: Pulumi) -> Path:
    return kraft_plugin(pulumi.scratch)


@pytest.fixture(scope="module")
def namespaces(control_plane: ControlPlane) -> Iterator[set[str]]:
    """The namespaces the module's programs deploy into, deleted at its end."""
    names: set[str] = set()
    yield names
    delete_namespaces(control_plane.api(), names)


def deploy(namespaces: set[str], program: Program) -> Program:
    """`pulumi up` of the example's cluster in the program's namespace."""
    namespaces.add(program.namespace)
    program.respec(example_spec(program.namespace))
    program.deployment.up().check()
    return program


@pytest.fixture(scope="module")
def python(pulumi: Pulumi, namespaces: set[str]) -> Program:
    """The example's cluster through the Python stack program."""
    deployment = Deployment(pulumi, pulumi.stack_project(STACK, {}), STACK)
    return deploy(namespaces, Program(deployment, "from-python", partial(configure, deployment)))


@pytest.fixture(scope="module")
def remote(pulumi: Pulumi, plugin: Path, namespaces: set[str]) -> Program:
    """The example's cluster through a Python program that has the kraft plugin construct it."""
    folder = remote_project(pulumi.scratch / "remote", plugin)
    pulumi.run(folder, "stack", "init", STACK).check()
    deployment = Deployment(pulumi, folder, STACK)
    return deploy(namespaces, Program(deployment, "from-remote", partial(configure, deployment)))


@pytest.fixture(scope="module")
def yaml_program(pulumi: Pulumi, plugin: Path, namespaces: set[str]) -> Program:
    """examples/yaml through the YAML language host (built or reused first) and the kraft plugin."""
    try:
        toolset.assemble(
            pulumi.tools.bin.parent, ["pulumi-language-yaml"], log=lambda line: print(line, file=sys.__stderr__)
        )
    except MissingPrerequisite as error:
        unavailable(str(error))
    folder = pulumi.scratch / "yaml"
    write_yaml_program(folder, plugin, example_spec("from-yaml"))
    pulumi.run(folder, "stack", "init", STACK).check()
    deployment = Deployment(pulumi, folder, STACK)
    return deploy(namespaces, Program(deployment, "from-yaml", partial(write_yaml_program, folder, plugin)))


@dataclass(frozen=True)
class AddedPackage:
    """A copy of examples/typescript after `pulumi package add` of the kraft plugin, and what the CLI printed."""

    folder: Path
    plugin: Path
    added: Result


@pytest.fixture(scope="module")
def typescript_sdk(pulumi: Pulumi, plugin: Path) -> AddedPackage:
    """examples/typescript with the kraft SDK that `pulumi package add` generated, linked and installed
    (Pulumi's Node.js code generator built or reused first; the packages from the npm registry)."""
    try:
        prerequisites.node()
        toolset.assemble(
            pulumi.tools.bin.parent, ["pulumi-codegen-nodejs"], log=lambda line: print(line, file=sys.__stderr__)
        )
    except MissingPrerequisite as error:
        unavailable(str(error))
    pulumi.env |= {f"npm_config_{name}": value for name, value in NPM_SETTINGS.items()}
    pulumi.env["npm_config_cache"] = str(cache_root() / "npm")
    folder = pulumi.scratch / "typescript"
    shutil.copytree(TYPESCRIPT_EXAMPLE, folder, ignore=shutil.ignore_patterns("node_modules", "sdks", "bin"))
    added = pulumi.run(folder, "package", "add", str(plugin))
    if added.returncode != 0 and any(code in added.output for code in NPM_UNREACHABLE):
        unavailable(f"npm install could not reach the npm registry:\n{added.output[-2000:]}")
    return AddedPackage(folder, plugin, added.check())


@pytest.fixture(scope="module")
def typescript_program(pulumi: Pulumi, typescript_sdk: AddedPackage, namespaces: set[str]) -> Program:
    """examples/typescript through our Node.js language host and the kraft plugin, its cluster and ID from
    the stack config (`kraft:cluster`, `kraft:clusterId`) as the remote Python program's."""
    pulumi.run(typescript_sdk.folder, "stack", "init", STACK).check()
    deployment = Deployment(pulumi, typescript_sdk.folder, STACK)
    return deploy(namespaces, Program(deployment, "from-typescript", partial(configure, deployment)))


PROGRAMS = {
    "python program, remote component": "remote",
    "examples/yaml": "yaml_program",
    "examples/typescript, generated SDK": "typescript_program",
}


@pytest.fixture(params=PROGRAMS)
def through_plugin(request: pytest.FixtureRequest) -> Program:
    program: Program = request.getfixturevalue(PROGRAMS[request.param])
    return program


def test_the_plugin_creates_what_the_python_program_creates(
    through_plugin: Program, python: Program, control_plane: ControlPlane
) -> None:
    expected = live_objects(python.deployment, control_plane)
    created = live_objects(through_plugin.deployment, control_plane)
    assert sorted(created) == sorted(expected)
    differing = [f"{name}{path}" for name, obj in expected.items() for path in differences(obj, created[name])]
    assert not differing, "\n".join(differing)


def test_a_guard_stops_preview_and_up_through_the_plugin(through_plugin: Program, control_plane: ControlPlane) -> None:
    deployment = through_plugin.deployment
    spec = example_spec(through_plugin.namespace)
    shrunk = copy.deepcopy(spec)
    shrunk["pools"][1]["storage"] = {"size": "10Gi"}
    state = deployment.pulumi.export(deployment.project, STACK)
    types = {resource["type"] for resource in state}
    assert record.PACKAGE_TYPE in types and "pulumi-python:dynamic:Resource" not in types, "the plugin keeps the record"
    objects = deployment.objects()
    before = live_versions(control_plane.api(), objects)
    message = "kraft:cluster.pools[1].storage.size: pool 'brokers' would shrink its volume 'data' from 50Gi to 10Gi"
    through_plugin.respec(shrunk)
    try:
        assert_refused(deployment, message)
    finally:
        through_plugin.respec(spec)
    assert live_versions(control_plane.api(), objects) == before
    assert deployment.pulumi.export(deployment.project, STACK) == state


def differences(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """The paths at which two JSON values differ, with both values."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for field in expected.keys() | actual.keys():
            yield from differences(expected.get(field), actual.get(field), f"{path}.{field}")
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(left, right, f"{path}[{index}]")
    elif expected != actual:
        yield f"{path}: {expected!r} != {actual!r}"


def test_package_add_generates_links_and_builds_the_typescript_sdk(typescript_sdk: AddedPackage) -> None:
    folder = typescript_sdk.folder
    sdk = json.loads((folder / "sdks" / "kraft" / "package.json").read_text())
    assert (sdk["name"], sdk["version"]) == ("@pulumi/kraft", "0.1.0")
    assert sdk["pulumi"] == {"resource": True, "name": "kraft", "version": "0.1.0"}
    assert (folder / "sdks" / "kraft" / "bin" / "index.js").is_file(), "the SDK's install script compiled it"
    assert (folder / "sdks" / "kraft" / "bin" / "index.d.ts").is_file()
    assert (folder / "node_modules" / "@pulumi" / "kraft").resolve() == (folder / "sdks" / "kraft").resolve()
    manifest = json.loads((folder / "package.json").read_text())
    assert manifest["dependencies"] == {"@pulumi/pulumi": "3.270.0", "@pulumi/kraft": "file:sdks/kraft"}
    assert manifest["allowScripts"] == {"file:sdks/kraft": True}
    assert yaml.safe_load((folder / "Pulumi.yaml").read_text())["packages"] == {"kraft": str(typescript_sdk.plugin)}
    assert 'import * as kraft from "@pulumi/kraft";' in typescript_sdk.added.output
