"""Our Node.js language host, offline: the runner's command line and environment, the plugins found in
node_modules, linking a generated SDK into package.json, and the service over gRPC."""

import json
import sys
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from realtools import langhost, langhost_nodejs, prerequisites
from realtools.prerequisites import MissingPrerequisite


def run_request(**fields: Any) -> SimpleNamespace:
    info = SimpleNamespace(root_directory="/p", program_directory="/p/app", entry_point="")
    defaults = {
        "monitor_address": "127.0.0.1:1", "organization": "", "project": "kraft", "stack": "dev", "dryRun": False,
        "parallel": 16, "info": info, "args": [], "config": {}, "configSecretKeys": [],
    }  # fmt: skip
    return SimpleNamespace(**(defaults | fields))


def test_an_update_names_every_field_and_leaves_empty_ones_out() -> None:
    assert langhost_nodejs.run_arguments(run_request(), "/run.js", "127.0.0.1:2") == [
        "/run.js", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "kraft",
        "--root-directory", "/p", "--stack", "dev", "--pwd", "/p/app", "--parallel", "16", ".",
    ]  # fmt: skip


def test_a_preview_is_a_bare_dry_run_flag_and_the_entry_point_and_arguments_come_last() -> None:
    info = SimpleNamespace(root_directory="", program_directory="/p", entry_point="index.ts")
    request = run_request(dryRun=True, organization="org", info=info, args=["a", "b"])
    assert langhost_nodejs.run_arguments(request, "/run.js", "") == [
        "/run.js", "--monitor", "127.0.0.1:1", "--organization", "org", "--project", "kraft", "--stack", "dev",
        "--pwd", "/p", "--dry-run", "--parallel", "16", "index.ts", "a", "b",
    ]  # fmt: skip


def test_the_runner_gets_the_config_and_compiles_typescript_unless_told_not_to() -> None:
    request = run_request(config={"kraft:cluster": '{"name":"a"}'}, configSecretKeys=["kraft:clusterId"])
    env = langhost_nodejs.run_environment(request, {})
    assert json.loads(env["PULUMI_CONFIG"]) == {"kraft:cluster": '{"name":"a"}'}
    assert json.loads(env["PULUMI_CONFIG_SECRET_KEYS"]) == ["kraft:clusterId"]
    assert env["PULUMI_NODEJS_TYPESCRIPT"] == "true" and "PULUMI_NODEJS_TSCONFIG_PATH" not in env
    for off in (False, "false"):
        assert langhost_nodejs.run_environment(request, {"typescript": off})["PULUMI_NODEJS_TYPESCRIPT"] == "false"
    options = {"tsconfig": "tsconfig.prod.json"}
    assert langhost_nodejs.run_environment(request, options)["PULUMI_NODEJS_TSCONFIG_PATH"] == "tsconfig.prod.json"


def write_package(folder: Path, manifest: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(manifest))


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """A program whose node_modules hold resource packages of each kind, a linked SDK and a few that do not
    count."""
    modules = tmp_path / "node_modules"
    write_package(tmp_path, {"name": "app", "pulumi": {"resource": True, "name": "not-in-node-modules"}})
    write_package(modules / "@pulumi" / "pulumi", {"name": "@pulumi/pulumi", "version": "3.270.0"})
    write_package(modules / "@pulumi" / "random", {"name": "@pulumi/random", "version": "4.21.4",
                                                    "pulumi": {"resource": True}})  # fmt: skip
    write_package(modules / "@acme" / "thing", {"name": "@acme/thing", "version": "1.0.0",
                                                "pulumi": {"resource": True, "name": "acme", "version": "2.0.0",
                                                           "server": "https://example.invalid"}})  # fmt: skip
    write_package(tmp_path / "sdks" / "kraft", {"name": "@pulumi/kraft", "version": "0.1.0",
                                                "pulumi": {"resource": True, "name": "kraft", "version": "0.1.0"}})  # fmt: skip
    (modules / "@pulumi" / "kraft").symlink_to(tmp_path / "sdks" / "kraft")
    (modules / "@pulumi" / "loop").symlink_to(modules)  # a cycle is walked once
    (modules / "broken").mkdir()
    (modules / "broken" / "package.json").write_text("{not json")
    return tmp_path


def test_the_plugins_are_the_resource_packages_inside_node_modules_each_once(program: Path) -> None:
    found = sorted(langhost_nodejs.required_packages(program), key=lambda plugin: plugin["name"])
    assert found == [
        {"name": "acme", "version": "v2.0.0", "server": "https://example.invalid"},
        {"name": "kraft", "version": "v0.1.0", "server": ""},
        {"name": "random", "version": "v4.21.4", "server": ""},
    ]


def test_a_third_party_package_without_a_plugin_name_is_refused(tmp_path: Path) -> None:
    write_package(tmp_path / "node_modules" / "@acme" / "x", {"name": "@acme/x", "pulumi": {"resource": True}})
    with pytest.raises(ValueError, match=r"'@acme/x' needs `pulumi.name`"):
        langhost_nodejs.required_packages(tmp_path)


def test_link_adds_the_sdk_as_a_file_dependency_with_its_scripts_allowed(tmp_path: Path) -> None:
    write_package(tmp_path, {"name": "app", "main": "index.ts", "dependencies": {"@pulumi/pulumi": "3.270.0"}})
    write_package(tmp_path / "sdks" / "kraft", {"name": "@pulumi/kraft"})
    assert langhost_nodejs.link(tmp_path, tmp_path / "sdks" / "kraft") == "@pulumi/kraft"
    assert json.loads((tmp_path / "package.json").read_text()) == {
        "name": "app",
        "main": "index.ts",
        "dependencies": {"@pulumi/pulumi": "3.270.0", "@pulumi/kraft": "file:sdks/kraft"},
        "allowScripts": {"file:sdks/kraft": True},
    }


def test_the_import_hint_names_the_package_in_camel_case() -> None:
    assert langhost_nodejs.import_line("kraft", "@pulumi/kraft") == 'import * as kraft from "@pulumi/kraft";'
    assert langhost_nodejs.import_line("my-pkg", "@acme/my-pkg") == 'import * as myPkg from "@acme/my-pkg";'


def test_only_npm_installs() -> None:
    assert langhost_nodejs.npm_install({"packagemanager": "npm"}) == ["npm", "install", "--loglevel=error"]
    assert langhost_nodejs.npm_install({"production": True})[-1] == "--production"
    with pytest.raises(ValueError, match="'yarn': this host knows only npm"):
        langhost_nodejs.npm_install({"packagemanager": "yarn"})


def test_an_exit_code_becomes_bail_an_error_or_success() -> None:
    assert langhost.run_response(langhost.USER_ACTIONABLE_EXIT).bail
    assert langhost.run_response(3).error == "program exited with non-zero exit code: 3"
    assert langhost.run_response(0) == language_pb2.RunResponse()


def test_a_streamed_command_yields_both_outputs_then_its_exit_code() -> None:
    script = "import sys; print('out', flush=True); print('err', file=sys.stderr); sys.exit(4)"
    output = langhost.Streamed([sys.executable, "-c", script], {}, "")
    assert sorted(output) == [(b"err\n", True), (b"out\n", False)]
    assert output.exit_code == 4


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Any]:
    """The host served on a loopback port, and a client of it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(
        langhost_nodejs.NodeLanguageHost("", tmp_path / "no-codegen"), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield language_pb2_grpc.LanguageRuntimeStub(channel)
    server.stop(0)


def test_the_engine_gets_the_plugins_and_links_the_sdk_over_grpc(host: Any, program: Path) -> None:
    info = language_pb2.ProgramInfo(root_directory=str(program), program_directory=str(program), entry_point=".")
    packages = host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info)).packages
    assert {(package.kind, package.name, package.version) for package in packages} == {
        ("resource", "acme", "v2.0.0"), ("resource", "kraft", "v0.1.0"), ("resource", "random", "v4.21.4"),
    }  # fmt: skip
    dependency = language_pb2.LinkRequest.LinkDependency(
        package=plugin_pb2.PackageDependency(name="kraft"), path="sdks/kraft"
    )
    linked = host.Link(language_pb2.LinkRequest(info=info, packages=[dependency]))
    assert linked.import_instructions == 'import * as kraft from "@pulumi/kraft";'
    assert json.loads((program / "package.json").read_text())["dependencies"] == {"@pulumi/kraft": "file:sdks/kraft"}


def test_a_missing_code_generator_is_named(host: Any, tmp_path: Path) -> None:
    request = language_pb2.GeneratePackageRequest(directory=str(tmp_path), schema='{"name": "kraft"}')
    with pytest.raises(grpc.RpcError) as refused:
        host.GeneratePackage(request)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no-codegen is not built (bin/real-tools builds it)" in refused.value.details()


@pytest.mark.parametrize(("version", "usable"), [("v20.20.2", True), ("v22.1.0", True), ("v18.19.0", False)])
def test_node_must_be_20_or_newer_with_npm(
    version: str, usable: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for tool in ("node", "npm"):
        (tmp_path / tool).write_text(f"#!/bin/sh\necho {version}\n")
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    if usable:
        assert prerequisites.node() == str(tmp_path / "node")
    else:
        with pytest.raises(MissingPrerequisite, match=r"is Node.js v18\.19\.0; examples/typescript needs 20"):
            prerequisites.node()
    (tmp_path / "npm").unlink()
    with pytest.raises(MissingPrerequisite, match="'npm' is not on PATH"):
        prerequisites.node()
