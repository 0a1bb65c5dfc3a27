"""What every plugin process of ours shares: the port handshake with the engine, and the gRPC limits."""

import importlib.metadata
import signal
import sys
from typing import Any

GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]  # as the engine's own channels


def sdk_version() -> str:
    """The Python SDK's release, which our own plugins report as theirs."""
    return importlib.metadata.version("pulumi")


def serve(server: Any) -> None:
    """Listen on a loopback port, tell the engine which one (the first line of stdout), and serve until the
    engine stops the process."""
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    signal.signal(signal.SIGINT, lambda *_: server.stop(0))
    server.wait_for_termination()
    sys.stdout.flush()
