"""The real-Pulumi tier's tools: a folder for PATH (the CLI, its language hosts, the control plane's
binaries) and the resource plugins, which `pulumi plugin install --file` puts into a PULUMI_HOME.

The plugin versions follow the Python packages of the virtualenv that runs this code (constraints.txt pins
them), and installed plugins are chosen by version, so the engine runs exactly the plugin each SDK asks for.
"""

import importlib.metadata
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import gotools

ROOT = Path(__file__).resolve().parents[1]
# Our own plugins, run by the Python of this virtualenv: the module whose main() serves each. The
# upstream Python host and the random and tls providers are not served by the Go module proxy.
LAUNCHED = {
    "pulumi-language-python": "realtools.langhost_python",
    "pulumi-language-nodejs": "realtools.langhost_nodejs",
    "pulumi-resource-random": "realtools.standins.random_provider",
    "pulumi-resource-tls": "realtools.standins.tls_provider",
}
# The tool in the tools folder each language host is given as its first argument: the Python SDK's exec
# script, the Node.js code generator.
HOST_TOOLS = {
    "pulumi-language-python": "pulumi-language-python-exec",
    "pulumi-language-nodejs": "pulumi-codegen-nodejs",
}
# The plugins `pulumi plugin install` puts into a PULUMI_HOME: (kind, name) -> the Python package whose
# release each must match; their executables are named pulumi-<kind>-<name>. (A Python language host
# counts as bundled with the CLI and is found on PATH.)
PLUGINS = {
    ("resource", "kubernetes"): "pulumi_kubernetes",
    ("resource", "random"): "pulumi_random",
    ("resource", "tls"): "pulumi_tls",
}


def plugin_file(kind: str, name: str) -> str:
    return f"pulumi-{kind}-{name}"


@dataclass(frozen=True)
class Tools:
    """Where the tools are: `bin` goes first on PATH; each plugin by (kind, name), with its version."""

    bin: Path
    plugins: dict[tuple[str, str], tuple[str, Path]]


def sdk_versions() -> dict[str, str]:
    """The installed release of each Pulumi SDK package."""
    return {name: importlib.metadata.version(name) for name in ("pulumi", "pulumi_kubernetes")}


def go_tools() -> dict[str, gotools.GoTool]:
    """Every Go tool of the tier, at the versions that match the installed SDKs, by name."""
    versions = sdk_versions()
    tools = [
        gotools.pulumi_cli(versions["pulumi"]),
        gotools.etcd(),
        gotools.kwok(),
        gotools.kubernetes(),
        gotools.kubernetes_provider(versions["pulumi_kubernetes"]),
        gotools.pulumi_yaml(),
        gotools.pulumi_codegen_nodejs(),
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


def assemble(target: Path, names: Iterable[str] | None = None, log: Callable[[str], None] = print) -> Tools:
    """`target` filled with the Go tools `names` (every one by default; built first where missing), linked,
    and the launchers of our plugins: `target/bin` for PATH, `target/plugins` for `pulumi plugin install`."""
    folders = {"bin": target / "bin", "plugins": target / "plugins"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    installable = {plugin_file(*plugin) for plugin in PLUGINS}
    tools = go_tools()
    for tool in (tools[name] for name in (tools if names is None else names)):
        for binary in gotools.build(tool, log).iterdir():
            link = folders["plugins" if binary.name in installable else "bin"] / binary.name
            link.unlink(missing_ok=True)
            link.symlink_to(binary)
    for name, module in LAUNCHED.items():
        extra = (str(folders["bin"] / HOST_TOOLS[name]),) if name in HOST_TOOLS else ()
        script = folders["plugins" if name in installable else "bin"] / name
        script.write_text(launcher(module, *extra))
        script.chmod(0o755)
    plugins = {
        plugin: (importlib.metadata.version(package), folders["plugins"] / plugin_file(*plugin))
        for plugin, package in PLUGINS.items()
    }
    return Tools(folders["bin"], {plugin: found for plugin, found in plugins.items() if found[1].exists()})
