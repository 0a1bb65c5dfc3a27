"""A Node.js language host for the pulumi CLI, in place of `pulumi-language-nodejs`.

The Go module proxy refuses the upstream host's module (sdk/nodejs/cmd/pulumi-language-nodejs), so the CLI
gets this one. It does what the engine asks of a Node host, the way the upstream one does: it runs the program
through the npm `@pulumi/pulumi`'s own runner (`@pulumi/pulumi/cmd/run`, which compiles TypeScript with
ts-node), reports the resource plugins of the program's node_modules (their package.json `pulumi` section),
installs dependencies with npm, and, for `pulumi package add`, generates an SDK through Pulumi's own Node.js
code generator (the `pulumi-codegen-nodejs` tool, realtools/gomain/codegen-nodejs) and links it into the
program's package.json. It knows only npm; no yarn, pnpm or bun, no debugger, no closure packing.
"""

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc
from pulumi.runtime.proto import language_pb2, plugin_pb2

from . import gotools, langhost

RUN_SCRIPT = "@pulumi/pulumi/cmd/run"
NOT_INSTALLED = "It looks like the Pulumi SDK has not been installed. Have you run pulumi install?"
PACKAGE_MANAGERS = ("", "auto", "npm")  # the `packagemanager` runtime options this host serves
CODEGEN_TIMEOUT = 300
ERROR_TAIL = 4000  # characters of a failed command's stderr passed back to the engine


def run_arguments(request: Any, run_script: str, engine_address: str) -> list[str]:
    """The arguments of `node` after its own options for a RunRequest: the runner, its flags (empty ones
    left out, `--dry-run` a bare flag), the entry point and the program's arguments."""
    values = {
        "monitor": request.monitor_address,
        "engine": engine_address,
        "organization": request.organization,
        "project": request.project,
        "root-directory": request.info.root_directory,
        "stack": request.stack,
        "pwd": request.info.program_directory,
    }
    dry_run = ["--dry-run"] if request.dryRun else []
    return [
        run_script, *langhost.flags(values), *dry_run, "--parallel", str(request.parallel),
        request.info.entry_point or ".", *request.args,
    ]  # fmt: skip


def run_environment(request: Any, options: Mapping[str, Any]) -> dict[str, str]:
    """What the runner reads from its environment: the stack's config and its secret keys, and whether (and
    with which tsconfig) to compile TypeScript, on unless the `typescript` runtime option is false."""
    env = {
        "PULUMI_CONFIG": json.dumps(dict(request.config)),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys)),
        "PULUMI_NODEJS_TYPESCRIPT": "false" if str(options.get("typescript", True)).lower() == "false" else "true",
    }
    if tsconfig := options.get("tsconfig"):
        env["PULUMI_NODEJS_TSCONFIG_PATH"] = str(tsconfig)
    return env


def plugin_of(package_json: Path) -> dict[str, str] | None:
    """The resource plugin an npm package asks for (its package.json has `pulumi.resource`), or None; an
    unreadable package.json counts as none. Raises ValueError for a package the plugin cannot be named for."""
    try:
        package = json.loads(package_json.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    pulumi = package.get("pulumi") if isinstance(package, dict) else None
    if not isinstance(pulumi, dict) or not pulumi.get("resource"):
        return None
    name = pulumi.get("name") or str(package.get("name", "")).removeprefix("@pulumi/")
    if not name or "/" in name:
        raise ValueError(f"{package_json}: the npm package {package.get('name')!r} needs `pulumi.name`")
    version = str(pulumi.get("version") or package.get("version", ""))
    return {"name": name, "version": f"v{version.removeprefix('v')}", "server": pulumi.get("server", "")}


def required_packages(program_directory: Path) -> list[dict[str, str]]:
    """The resource plugins of every package in the program's node_modules trees (symbolic links followed,
    each folder walked once), each name and version once."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    walked: set[tuple[Path, bool]] = set()

    def walk(folder: Path, in_modules: bool) -> None:
        if (folder.resolve(), in_modules) in walked:
            return
        walked.add((folder.resolve(), in_modules))
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_dir():
                walk(entry, in_modules or entry.name == "node_modules")
            elif in_modules and entry.name == "package.json" and (plugin := plugin_of(entry)):
                found[plugin["name"], plugin["version"]] = plugin

    walk(program_directory, False)
    return list(found.values())


def link(program_directory: Path, sdk: Path) -> str:
    """Make the SDK folder `sdk` a `file:` dependency of the program's package.json, its install script
    allowed (npm 12 skips, and npm 11 warns about, a file: dependency's scripts not in `allowScripts`);
    the SDK's npm name."""
    name: str = json.loads((sdk / "package.json").read_text())["name"]
    specifier = f"file:{os.path.relpath(sdk, program_directory)}"
    manifest_file = program_directory / "package.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    manifest.setdefault("dependencies", {})[name] = specifier
    manifest.setdefault("allowScripts", {})[specifier] = True
    manifest_file.write_text(json.dumps(manifest, indent=2) + "\n")
    return name


def import_line(package: str, npm_name: str) -> str:
    """How a TypeScript program imports the linked package, named in camelCase."""
    head, *rest = re.split(r"[^A-Za-z0-9]+", package)
    return f'import * as {head}{"".join(part.capitalize() for part in rest)} from "{npm_name}";'


def npm_install(options: Mapping[str, Any]) -> list[str]:
    """The install command for the program's runtime options."""
    manager = str(options.get("packagemanager", ""))
    if manager not in PACKAGE_MANAGERS:
        raise ValueError(f"packagemanager {manager!r}: this host knows only npm")
    return ["npm", "install", "--loglevel=error", *(["--production"] if options.get("production") else [])]


class NodeLanguageHost(langhost.ProgramHost):
    """The LanguageRuntime service for Node.js (TypeScript and JavaScript) programs."""

    def __init__(self, engine_address: str, codegen: Path) -> None:
        super().__init__(engine_address)
        self.codegen = codegen

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=gotools.PULUMI_CLI)  # upstream reports the CLI's release

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:  # noqa: N802
        try:
            plugins = required_packages(Path(request.info.program_directory))
        except ValueError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        return langhost.required_packages_response(plugins)

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802
        program = request.info.program_directory
        resolved = subprocess.run(["node", "-e", f"process.stdout.write(require.resolve({RUN_SCRIPT!r}))"], cwd=program,
                                  capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        if resolved.returncode != 0:
            return language_pb2.RunResponse(error=NOT_INSTALLED)
        options = langhost.options_of(request.info)
        node_options = shlex.split(str(options.get("nodeargs", "")))
        command = ["node", *node_options, *run_arguments(request, resolved.stdout, self.engine_address)]
        return self.run_program(command, os.environ | run_environment(request, options), program)

    def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        try:
            command = npm_install(langhost.options_of(request.info))
        except ValueError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
        output = langhost.Streamed(command, os.environ, request.info.program_directory or request.directory)
        errors: list[bytes] = []
        for line, is_stderr in output:
            if is_stderr:
                errors.append(line)
            yield language_pb2.InstallDependenciesResponse(**{"stderr" if is_stderr else "stdout": line})
        if output.exit_code != 0:
            tail = b"".join(errors).decode(errors="replace")[-ERROR_TAIL:]
            context.abort(grpc.StatusCode.INTERNAL, f"{' '.join(command)} exited {output.exit_code}: {tail}")
        yield language_pb2.InstallDependenciesResponse(stdout=b"Finished installing dependencies\n\n")

    def GeneratePackage(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Pulumi's Node.js code generator, run by the codegen tool, writes the SDK into the directory."""
        generation = {
            "schema": json.loads(request.schema),
            "directory": request.directory,
            "loaderTarget": request.loader_target,
            "local": request.local,
            "localDependencies": dict(request.local_dependencies),
            "extraFiles": {name: base64.b64encode(data).decode() for name, data in request.extra_files.items()},
        }
        try:
            done = subprocess.run([str(self.codegen)], input=json.dumps(generation), capture_output=True, text=True,
                                  timeout=CODEGEN_TIMEOUT, check=False)  # fmt: skip
        except FileNotFoundError:
            context.abort(
                grpc.StatusCode.FAILED_PRECONDITION, f"{self.codegen} is not built (bin/real-tools builds it)"
            )
        if done.returncode != 0:
            context.abort(grpc.StatusCode.INTERNAL, done.stderr[-ERROR_TAIL:])
        return language_pb2.GeneratePackageResponse()

    def Link(self, request: Any, context: Any) -> Any:  # noqa: N802
        program = Path(request.info.program_directory)
        lines = []
        for dependency in request.packages:
            npm_name = link(program, Path(request.info.root_directory, dependency.path))
            lines.append(import_line(dependency.package.name, npm_name))
        return language_pb2.LinkResponse(import_instructions="\n".join(lines))

    def About(self, request: Any, context: Any) -> Any:  # noqa: N802
        node = shutil.which("node") or "node"
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60, check=False)
        return language_pb2.AboutResponse(executable=node, version=version.stdout.strip().removeprefix("v"),
                                          metadata={"packagemanager": "npm"})  # fmt: skip


def main(codegen: str, *argv: str) -> None:
    """`pulumi-language-nodejs [flags] ENGINE_ADDRESS`; `codegen` is the pulumi-codegen-nodejs tool."""
    langhost.main(lambda engine: NodeLanguageHost(engine, Path(codegen)), argv)
