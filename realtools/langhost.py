"""What our language hosts for the pulumi CLI share (realtools/langhost_python.py, langhost_nodejs.py).

The Go module proxy refuses the modules of the upstream Python and Node.js hosts (sdk/python/cmd/... and
sdk/nodejs/cmd/...), so the CLI gets hosts of ours. This is the part that does not depend on the language: the
engine's address, running a program with the host's own output (which the engine shows), streaming a command's
output back to the engine, and stopping what runs when the engine cancels.
"""

import queue
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent import futures
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from . import plugin_server

USER_ACTIONABLE_EXIT = 32  # the program showed the user a message already: the engine bails quietly


def options_of(info: Any) -> dict[str, Any]:
    """The `runtime.options` of Pulumi.yaml (or PulumiPlugin.yaml) as a dict."""
    options: dict[str, Any] = json_format.MessageToDict(info.options) if info.HasField("options") else {}
    return options


def flags(values: Mapping[str, str]) -> list[str]:
    """`--name value` for each value that is not empty, in order."""
    return [part for name, value in values.items() if value for part in (f"--{name}", value)]


def run_response(exit_code: int) -> Any:
    """What the engine is told of a program that exited with `exit_code`."""
    if exit_code == USER_ACTIONABLE_EXIT:
        return language_pb2.RunResponse(bail=True)
    if exit_code != 0:
        return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {exit_code}")
    return language_pb2.RunResponse()


def required_packages_response(plugins: Iterable[Mapping[str, str]]) -> Any:
    """The GetRequiredPackagesResponse for resource plugins given by name, version and server."""
    packages = [
        plugin_pb2.PackageDependency(kind="resource", name=plugin["name"], version=plugin["version"],
                                     server=plugin["server"])
        for plugin in plugins
    ]  # fmt: skip
    return language_pb2.GetRequiredPackagesResponse(packages=packages)


class Streamed:
    """A command whose output is read as it comes: iterating yields each line with whether it came from
    stderr; `exit_code` waits for the command to end."""

    def __init__(self, command: list[str], env: Mapping[str, str], cwd: str) -> None:
        self.process = subprocess.Popen(command, cwd=cwd or None, env=dict(env), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip

    def __iter__(self) -> Iterator[tuple[bytes, bool]]:
        lines: queue.Queue[tuple[bytes, bool] | None] = queue.Queue()

        def forward(pipe: IO[bytes], is_stderr: bool) -> None:
            for line in iter(pipe.readline, b""):
                lines.put((line, is_stderr))
            lines.put(None)

        pipes = ((self.process.stdout, False), (self.process.stderr, True))
        for pipe in pipes:
            threading.Thread(target=forward, args=pipe, daemon=True).start()
        open_pipes = len(pipes)
        while open_pipes:
            line = lines.get()
            if line is None:
                open_pipes -= 1
            else:
                yield line

    @property
    def exit_code(self) -> int:
        return self.process.wait()


class ProgramHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The LanguageRuntime service without its language: subclasses give GetPluginInfo, GetRequiredPackages,
    Run and what else their language offers."""

    def __init__(self, engine_address: str) -> None:
        self.engine_address = engine_address
        self.running: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()

    def Handshake(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method names)
        self.engine_address = request.engine_address or self.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:  # noqa: N802
        packages = self.GetRequiredPackages(request, context).packages  # type: ignore[union-attr]
        return language_pb2.GetRequiredPluginsResponse(plugins=packages)

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.GetProgramDependenciesResponse()

    def Cancel(self, request: Any, context: Any) -> Any:  # noqa: N802
        with self.lock:
            for process in self.running:
                process.terminate()
        return empty_pb2.Empty()

    def run_program(self, command: list[str], env: Mapping[str, str], cwd: str) -> Any:
        """Run a program with this host's stdout and stderr, which the engine shows; the RunResponse."""
        process = subprocess.Popen(command, env=dict(env), cwd=cwd or None)
        with self.lock:
            self.running.add(process)
        try:
            return run_response(process.wait())
        finally:
            with self.lock:
                self.running.discard(process)


def main(host: Callable[[str], ProgramHost], argv: tuple[str, ...]) -> None:
    """`pulumi-language-<name> [flags] ENGINE_ADDRESS`: serve `host(engine address)` until the engine stops
    this process."""
    addresses = [argument for argument in argv if not argument.startswith("-")]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=plugin_server.GRPC_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host(addresses[-1] if addresses else ""), server)
    plugin_server.serve(server)
