"""The real-Pulumi tier's tools in one folder for PATH: the Go builds, and the launchers of our own plugins.

The plugin versions follow the Python packages of the virtualenv that runs this code (constraints.txt pins
them), so the engine finds exactly the plugin each SDK asks for.
"""

import importlib.metadata
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from . import gotools

ROOT = Path(__file__).resolve().parents[1]
# Our own plugins, in the Python of this virtualenv: the module and the function that serves each.
LAUNCHED = {
    "pulumi-language-python": "realtools.langhost",
    "pulumi-resource-random": "realtools.standins.random_provider",
    "pulumi-resource-tls": "realtools.standins.tls_provider",
}


def sdk_versions() -> dict[str, str]:
    """The installed release of each Pulumi SDK package."""
    return {name: importlib.metadata.version(name) for name in ("pulumi", "pulumi_kubernetes")}


def go_tools() -> dict[str, gotools.GoTool]:
    """Every Go tool of the tier, at the versions that match the installed SDKs, by name."""
    versions = sdk_versions()
    tools = [
        gotools.pulumi_cli(versions["pulumi"]),
        gotools.pulumi_yaml(),
        gotools.kubernetes_provider(versions["pulumi_kubernetes"]),
        gotools.etcd(),
        gotools.kubernetes(),
        gotools.kwok(),
    ]
    return {tool.name: tool for tool in tools}


# What a Python program against the control plane needs; the YAML host only serves YAML programs.
PYTHON_PROGRAMS = ("pulumi", "pulumi-resource-kubernetes", "etcd", "kubernetes", "kwok")


def launcher(module: str, *arguments: str) -> str:
    """A shell script that runs `module.main(...)` in this virtualenv's Python, with the repository
    importable but nothing added to the environment its children inherit."""
    code = f"import sys; sys.path.insert(0, sys.argv.pop(1)); from {module} import main; main(*sys.argv[1:])"
    fixed = " ".join(shlex.quote(argument) for argument in arguments)
    return (
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c {shlex.quote(code)} {shlex.quote(str(ROOT))} {fixed} "$@"\n'
    )


def assemble(target: Path, names: Iterable[str] | None = None, log: Callable[[str], None] = print) -> Path:
    """`target` filled with the Go tools `names` (every one by default; built first where missing), linked,
    and the launchers of our plugins. Returns `target`, the folder to put first on PATH."""
    target.mkdir(parents=True, exist_ok=True)
    tools = go_tools()
    for tool in (tools[name] for name in (tools if names is None else names)):
        for binary in gotools.build(tool, log).iterdir():
            link = target / binary.name
            link.unlink(missing_ok=True)
            link.symlink_to(binary)
    for name, module in LAUNCHED.items():
        extra = (str(target / "pulumi-language-python-exec"),) if name == "pulumi-language-python" else ()
        script = target / name
        script.write_text(launcher(module, *extra))
        script.chmod(0o755)
    return target
