"""Services: which pods a Service's name stands for, and a cluster IP that forwards to its ready pods.

A headless Service's name (and, through it, each pod's `<hostname>.<subdomain>` name) resolves to pod
addresses directly. Any other Service gets an address on the pod network where the runner accepts
connections on each Service port and forwards each one to a ready pod's target port, round robin, as
kube-proxy's userspace mode did; with no ready pod the connection is closed at once.
"""

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Sequence

from .objects import PodRunnerError, Service, ServicePort, selects
from .pod import Pod

CONNECT_TIMEOUT = 5.0
CHUNK = 64 * 1024


def endpoints(service: Service, pods: Sequence[Pod], ready_only: bool) -> list[Pod]:
    """The pods behind a Service: selected by its selector, with an address, Ready unless not asked."""
    return [
        pod
        for pod in pods
        if pod.ip and not pod.finished.is_set() and pod.namespace == service.namespace
        and selects(service.selector, pod.labels) and (pod.ready or not ready_only)
    ]  # fmt: skip


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()


class ServiceProxy:
    """The cluster IP of one Service: a listener per port, forwarding to ready endpoints."""

    def __init__(self, service: Service, address: str, ready_pods: Callable[[Service], list[Pod]]) -> None:
        self.service = service
        self.address = address
        self.ready_pods = ready_pods
        self.servers: list[asyncio.Server] = []
        self.turn = itertools.count()
        self.connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen on every Service port."""
        for port in self.service.ports:
            server = await asyncio.start_server(self._handler(port), self.address, port.port, reuse_address=True)
            self.servers.append(server)

    def _handler(self, port: ServicePort) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.connections.add(task)
            try:
                await self._forward(port, reader, writer)
            finally:
                self.connections.discard(task)
                writer.close()

        return handle

    async def _forward(self, port: ServicePort, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pods = self.ready_pods(self.service)
        if not pods:
            return
        pod = pods[next(self.turn) % len(pods)]
        try:
            target = pod.container.port(port.target)
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(pod.ip, target), CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError, PodRunnerError):
            return
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            upstream_writer.close()

    async def close(self) -> None:
        """Stop listening and drop every forwarded connection."""
        for server in self.servers:
            server.close()
        for task in list(self.connections):
            task.cancel()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
