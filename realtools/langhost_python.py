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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import language_pb2, plugin_pb2

from . import langhost, plugin_server

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
    return [*langhost.flags(values), request.info.entry_point or ".", *request.args]


def required_plugins(python: str, env: Mapping[str, str]) -> list[dict[str, str]]:
    """The resource plugins the program's environment asks for."""
    listed = subprocess.run([python, "-c", _PLUGINS_OF_ENVIRONMENT], env=env, capture_output=True, text=True,
                            check=True, timeout=120)  # fmt: skip
    plugins: list[dict[str, str]] = json.loads(listed.stdout)
    return plugins


class PythonLanguageHost(langhost.ProgramHost):
    """The LanguageRuntime service for Python programs."""

    def __init__(self, engine_address: str, exec_script: Path) -> None:
        super().__init__(engine_address)
        self.exec_script = exec_script

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=plugin_server.sdk_version())

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:  # noqa: N802
        python, env = interpreter(request.info.root_directory, langhost.options_of(request.info))
        return langhost.required_packages_response(required_plugins(python, env))

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802
        try:
            python, env = interpreter(request.info.root_directory, langhost.options_of(request.info))
        except FileNotFoundError as error:
            return language_pb2.RunResponse(error=str(error))
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        command = [python, "-u", str(self.exec_script), *exec_arguments(request, self.engine_address)]
        return self.run_program(command, env, request.pwd)

    def RunPlugin(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        """Run a Python plugin folder (its __main__.py) in its virtualenv, streaming its output."""
        python, env = interpreter(request.info.root_directory, langhost.options_of(request.info))
        env.update(entry.split("=", 1) for entry in request.env if "=" in entry)
        command = [python, "-u", request.info.program_directory, *request.args]
        output = langhost.Streamed(command, env, request.pwd)
        for line, is_stderr in output:
            yield (
                language_pb2.RunPluginResponse(stderr=line)
                if is_stderr
                else language_pb2.RunPluginResponse(stdout=line)
            )
        yield language_pb2.RunPluginResponse(exitcode=output.exit_code)

    def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        """The virtualenvs here are made by bin/setup-venv; nothing to install."""
        yield from ()

    def About(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.AboutResponse(executable=sys.executable, version=sys.version.split()[0])


def main(exec_script: str, *argv: str) -> None:
    """`pulumi-language-python [flags] ENGINE_ADDRESS`; `exec_script` is the Python SDK's exec script."""
    langhost.main(lambda engine: PythonLanguageHost(engine, Path(exec_script)), argv)
