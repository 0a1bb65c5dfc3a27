"""A Python language host for the pulumi CLI, in place of `pulumi-language-python`.

The Go module proxy refuses the upstream host's module (sdk/python/cmd/pulumi-language-python), so the CLI
cannot be given the real one here. This host does what the engine needs of it, the way the upstream one
does: it reports the plugins of the program's virtualenv (their `pulumi-plugin.json`), runs the program
through the Python SDK's own `pulumi-language-python-exec` script (shipped in the sdk/v3 module, copied beside
the CLI by gotools), and runs Python plugins such as provider/ (RunPlugin). It knows only the `pip` toolchain
with a `virtualenv` option (or the ambient python3); no typechecker, no debugger, no code generation.
"""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from . import plugin_server

USER_ACTIONABLE_EXIT = 32  # the exec script showed the user a message already: the engine bails quietly

# Run in the program's interpreter: every installed package that ships a resource plugin's pulumi-plugin.json.
_PLUGINS_OF_ENVIRONMENT = """
import json, importlib.metadata as md
found = []
for dist in md.distributions():
    for file in dist.files or ():
        if file.name == "pulumi-plugin.json":
            spec = json.loads(file.read_text())
            if spec.get("resource"):
                found.append({"name": spec.get("name"), "version": spec.get("version", dist.version),
                              "server": spec.get("server", "")})
print(json.dumps(found))
"""


def options_of(info: Any) -> dict[str, Any]:
    """The `runtime.options` of Pulumi.yaml (or PulumiPlugin.yaml) as a dict."""
    options: dict[str, Any] = json_format.MessageToDict(info.options) if info.HasField("options") else {}
    return options


def interpreter(root_directory: str, options: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The program's python and its environment: the `virtualenv` option (relative to the project root)
    activated as the pip toolchain does, or the ambient python3."""
    env = dict(os.environ)
    virtualenv = options.get("virtualenv")
    if not virtualenv:
        return os.environ.get("PULUMI_PYTHON_CMD", "python3"), env
    venv = Path(root_directory, virtualenv).resolve()
    python = venv / "bin" / "python"
    if not python.is_file():
        raise FileNotFoundError(f"the virtualenv option names {venv}, which has no bin/python")
    env.pop("PYTHONHOME", None)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return str(python), env


def exec_arguments(request: Any, engine_address: str) -> list[str]:
    """The exec script's command line for a RunRequest."""
    values = {
        "monitor": request.monitor_address,
        "engine": engine_address,
        "project": request.project,
        "root_directory": request.info.root_directory,
        "stack": request.stack,
        "pwd": request.pwd,
        "dry_run": str(request.dryRun).lower(),
        "parallel": str(request.parallel),
        "organization": request.organization,
    }
    flags = [part for name, value in values.items() if value for part in (f"--{name}", value)]
    return [*flags, request.info.entry_point or ".", *request.args]


def required_plugins(python: str, env: Mapping[str, str]) -> list[dict[str, str]]:
    """The resource plugins the program's environment asks for."""
    listed = subprocess.run([python, "-c", _PLUGINS_OF_ENVIRONMENT], env=env, capture_output=True, text=True,
                            check=True, timeout=120)  # fmt: skip
    plugins: list[dict[str, str]] = json.loads(listed.stdout)
    return plugins


class PythonLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The LanguageRuntime service for Python programs."""

    def __init__(self, engine_address: str, exec_script: Path) -> None:
        self.engine_address = engine_address
        self.exec_script = exec_script
        self.running: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()

    def Handshake(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method names)
        self.engine_address = request.engine_address or self.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=plugin_server.sdk_version())

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:  # noqa: N802
        python, env = interpreter(request.info.root_directory, options_of(request.info))
        packages = [
            plugin_pb2.PackageDependency(kind="resource", name=plugin["name"], version=plugin["version"],
                                         server=plugin["server"])
            for plugin in required_plugins(python, env)
        ]  # fmt: skip
        return language_pb2.GetRequiredPackagesResponse(packages=packages)

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:  # noqa: N802
        packages = self.GetRequiredPackages(request, context).packages
        return language_pb2.GetRequiredPluginsResponse(plugins=packages)

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802
        try:
            python, env = interpreter(request.info.root_directory, options_of(request.info))
        except FileNotFoundError as error:
            return language_pb2.RunResponse(error=str(error))
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        command = [python, "-u", str(self.exec_script), *exec_arguments(request, self.engine_address)]
        exit_code = self._run(command, env, request.pwd)
        if exit_code == USER_ACTIONABLE_EXIT:
            return language_pb2.RunResponse(bail=True)
        if exit_code != 0:
            return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {exit_code}")
        return language_pb2.RunResponse()

    def RunPlugin(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        """Run a Python plugin folder (its __main__.py) in its virtualenv, streaming its output."""
        python, env = interpreter(request.info.root_directory, options_of(request.info))
        env.update(entry.split("=", 1) for entry in request.env if "=" in entry)
        process = subprocess.Popen([python, "-u", request.info.program_directory, *request.args],
                                   cwd=request.pwd or None, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.extend(iter(process.stderr.readline, b"")))  # type: ignore[union-attr]
        reader.start()
        for line in iter(process.stdout.readline, b""):
            yield language_pb2.RunPluginResponse(stdout=line)
        reader.join()
        for line in errors:
            yield language_pb2.RunPluginResponse(stderr=line)
        yield language_pb2.RunPluginResponse(exitcode=process.wait())

    def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        """The virtualenvs here are made by bin/setup-venv; nothing to install."""
        yield from ()

    def About(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.AboutResponse(executable=sys.executable, version=sys.version.split()[0])

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.GetProgramDependenciesResponse()

    def Cancel(self, request: Any, context: Any) -> Any:  # noqa: N802
        with self.lock:
            for process in self.running:
                process.terminate()
        return empty_pb2.Empty()

    def _run(self, command: list[str], env: dict[str, str], cwd: str) -> int:
        """Run the program with this host's stdout and stderr, which the engine shows."""
        process = subprocess.Popen(command, env=env, cwd=cwd or None)
        with self.lock:
            self.running.add(process)
        try:
            return process.wait()
        finally:
            with self.lock:
                self.running.discard(process)


def main(exec_script: str, *argv: str) -> None:
    """`pulumi-language-python [flags] ENGINE_ADDRESS`: serve until the engine stops this process.
    `exec_script` is the Python SDK's exec script."""
    addresses = [argument for argument in argv if not argument.startswith("-")]
    host = PythonLanguageHost(addresses[-1] if addresses else "", Path(exec_script))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=plugin_server.GRPC_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    plugin_server.serve(server)
