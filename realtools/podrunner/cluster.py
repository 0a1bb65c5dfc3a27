"""The runner's API: a Kubernetes cluster of one machine whose pods are local processes.

    with Cluster(kafka_images(java_home())) as cluster:
        cluster.apply(objects)                      # what `render` produces, with secrets shown
        cluster.wait_ready(timeout=300)             # every StatefulSet rolled out, every pod Ready
        cluster.exec("kafka-nodes-0", ["/opt/kafka/bin/kafka-topics.sh", ...])

Every call is bounded by a timeout. `close()` (or leaving the `with`) stops every process, network
namespace, address, cgroup and mount the runner made, and removes its temporary folder.
"""

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from ..prerequisites import MissingPrerequisite, command
from . import leftovers, sandbox
from .controllers import JobStatus
from .images import ImageResolver
from .objects import Manifest, PodRunnerError
from .pod import Measure, Pod
from .runtime import Runtime

T = TypeVar("T")
LOG_TAIL = 80  # lines of a pod's log in a failure message
TOOLS = {
    "ip": "for the pods' network namespaces (apt-get install iproute2)",
    "unshare": "for the pods' own namespaces (util-linux)",
    "nsenter": "to run probes and commands inside pods (util-linux)",
    "setpriv": "to run containers as their user (util-linux)",
    "chroot": "to give each container its own root (coreutils)",
}


class PodsNotReady(PodRunnerError):
    """Pods did not become Ready in time; the message holds each one's status and log."""


def check_machine() -> None:
    """MissingPrerequisite naming what this machine lacks to run pods."""
    if os.geteuid() != 0:
        raise MissingPrerequisite("the pod runner needs root (network namespaces, mounts, other users)")
    for name, purpose in TOOLS.items():
        command(name, purpose)


@dataclass(frozen=True)
class PodView:
    """A pod as `kubectl get pod -o wide` shows it."""

    name: str
    owner: str
    phase: str
    ready: bool
    restarts: int
    ip: str
    message: str


@dataclass(frozen=True)
class PodMeasure:
    """What the runner measured of a pod (seconds from the runner's first container start)."""

    name: str
    started: float | None
    ready: float | None
    peak_rss_bytes: int
    restarts: int


class Cluster:
    """Pods of StatefulSets and Jobs run as local processes; see the module docstring."""

    def __init__(self, images: ImageResolver, state_dir: Path | None = None) -> None:
        check_machine()
        for leftover in leftovers.sweep():
            print(f"pod runner: removed {leftover} of a runner that is gone", file=sys.stderr)
        self._own_state = state_dir is None
        prefix = f"{leftovers.STATE_PREFIX}{os.getpid()}-"
        self.state = Path(tempfile.mkdtemp(prefix=prefix)) if state_dir is None else state_dir
        self.state.chmod(0o755)  # containers run as other users and need to reach their volumes
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pod runner", daemon=True)
        self._thread.start()
        self.runtime = Runtime(self.state / "runtime", images, leftovers.claim_id())
        self._closed = False
        try:
            self._call(self.runtime.start(), 60)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        if self._closed:
            coroutine.close()
            raise PodRunnerError("the cluster is closed")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def _on_loop(self, function: Any, *arguments: Any) -> Any:
        async def call() -> Any:
            return function(*arguments)

        return self._call(call(), 30)

    # objects

    def apply(
        self, objects: Sequence[Manifest], depends_on: Mapping[str, Sequence[str]] | None = None, timeout: float = 900
    ) -> None:
        """Apply objects as `kubectl apply` would, with controllers acting on them. An object with entries in
        `depends_on` (`Kind/name` -> `StatefulSet/<name>`s and `Job/<name>`s) is applied only once those are
        done (rolled out and Ready, or complete), as `pulumi up` orders dependent resources; the call returns
        when every object is applied (wait_ready and wait_job wait for the last workloads). When a dependency is
        never done, the error names each pod that is not Ready, with its log."""
        try:
            self._call(self.runtime.apply(list(objects), dict(depends_on or {}), timeout), timeout + 30)
        except PodRunnerError as error:
            error.add_note(self._on_loop(self._not_ready_report, self._on_loop(self._controllers, None), timeout))
            raise

    def wait_ready(self, timeout: float, statefulsets: Sequence[str] | None = None) -> float:
        """Wait until every StatefulSet (or those named) is rolled out with every pod Ready; return the
        seconds waited. PodsNotReady names each pod that is not, with its log."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            controllers = self._on_loop(self._controllers, statefulsets)
            if all(self._on_loop(lambda c: c.rolled_out, controller) for controller in controllers):
                return time.monotonic() - started
            if time.monotonic() > deadline:
                raise PodsNotReady(self._on_loop(self._not_ready_report, controllers, timeout))
            time.sleep(0.5)

    def _controllers(self, names: Sequence[str] | None) -> list[Any]:
        runtime = self.runtime
        if names is None:
            return list(runtime.statefulsets.values())
        missing = [name for name in names if name not in runtime.statefulsets]
        if missing:
            raise PodRunnerError(f"no StatefulSet {', '.join(missing)}")
        return [runtime.statefulsets[name] for name in names]

    def _not_ready_report(self, controllers: Sequence[Any], timeout: float) -> str:
        lines = [f"pods not Ready within {timeout:.0f} s:"]
        for controller in controllers:
            for ordinal in range(controller.spec.replicas):
                pod = controller.pods.get(ordinal)
                if pod is None:
                    lines.append(f"  {controller.pod_name(ordinal)}: not created")
                elif not pod.ready or pod.template.revision != controller.spec.template.revision:
                    lines += [f"  {pod.describe()}", *_log_section(pod)]
        return "\n".join(lines)

    def wait_job(self, name: str, timeout: float) -> JobStatus:
        """Wait until a Job is complete or failed; return its status (PodRunnerError on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            status: JobStatus = self._on_loop(lambda: self.runtime.jobs[name].status)
            if status.condition is not None:
                return status
            if time.monotonic() > deadline:
                logs = self._on_loop(status.logs)
                raise PodRunnerError(f"Job/{name} did not finish within {timeout:.0f} s\n{logs}")
            time.sleep(0.5)

    # pods

    def pods(self) -> list[PodView]:
        """Every pod that exists now."""

        def views() -> list[PodView]:
            return [
                PodView(pod.name, pod.owner, pod.phase, pod.ready, pod.measure.restarts, pod.ip, pod.message)
                for pod in self.runtime.pods
                if not pod.finished.is_set()
            ]

        result: list[PodView] = self._on_loop(views)
        return result

    def pod_ip(self, name: str) -> str:
        """A pod's address."""
        return str(self._on_loop(lambda: self.runtime.pod(name).ip))

    def exec(
        self, pod: str, argv: Sequence[str], timeout: float = 120, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in a pod's container, as `kubectl exec` would: its namespaces, root, user and
        environment. Output is stdout and stderr together; exit code -9 after `timeout` seconds."""

        async def run() -> subprocess.CompletedProcess[str]:
            run = self.runtime.pod(pod).running()
            argv_ = sandbox.exec_command(run.pid, run.launch.user, run.launch.env, argv)
            return await self.runtime.run_command(argv_, timeout, stdin)

        return self._call(run(), timeout + 30)

    def kill(self, pod: str) -> None:
        """SIGKILL a pod's container (as an OOM kill or a crash would); its restart policy restarts it."""
        self._on_loop(lambda: self.runtime.pod(pod).kill_container())

    def delete(self, pod: str, grace: float | None = 0, timeout: float = 180) -> None:
        """Delete a pod (grace 0: SIGKILL at once, None: its own grace period); a StatefulSet recreates it
        on its own claims, with a new address."""

        async def delete() -> None:
            await self.runtime.pod(pod).delete(grace)
            self.runtime.changed()

        self._call(delete(), timeout)

    def wipe_volumes(self, pod: str, timeout: float = 180) -> None:
        """Delete a StatefulSet pod and empty its claims before it is recreated: a lost disk replaced by
        a new, empty one."""

        async def wipe() -> None:
            target = self.runtime.pod(pod)
            target.wipe_claims = True
            await target.delete(0)

        self._call(wipe(), timeout)

    def logs(self, pod: str, previous: bool = False) -> str:
        """A pod's container output (the previous container's, after a restart)."""
        return str(self._on_loop(lambda: self.runtime.pod(pod).log_text(previous)))

    def job_logs(self, name: str) -> str:
        """Every attempt's output of a Job."""
        return str(self._on_loop(lambda: self.runtime.jobs[name].status.logs()))  # noqa: PLW0108 (evaluated on the loop)

    def measures(self) -> list[PodMeasure]:
        """Start, Ready and peak memory of every pod the runner ran (pods replaced keep their own line)."""

        def collect() -> list[PodMeasure]:
            starts = [pod.measure.started for pod in self.runtime.pods if pod.measure.started is not None]
            origin = min(starts) if starts else time.monotonic()
            return [_measure(pod.name, pod.measure, origin) for pod in self.runtime.pods]

        result: list[PodMeasure] = self._on_loop(collect)
        return result

    def events(self) -> list[str]:
        """What the runner did, in order, with seconds since it started."""

        def collect() -> list[str]:
            events = self.runtime.events
            origin = events[0].at if events else 0.0
            return [f"{event.at - origin:8.1f} {event.text}" for event in events]

        result: list[str] = self._on_loop(collect)
        return result

    @property
    def memory_limits_enforced(self) -> bool:
        """Whether containers run in memory cgroups limited to their memory limits."""
        return self.runtime.cgroups.enforced

    # clients

    def start_client(
        self,
        argv: Sequence[str],
        timeout: float = 600,
        namespace: str = "default",
        env: Mapping[str, str] | None = None,
    ) -> "ClientProcess":
        """Start a program of this machine in a pod-like sandbox: its own address on the pod network and the
        pods' and Services' names in its /etc/hosts (as seen from `namespace`); killed after `timeout` s."""
        pids: queue.Queue[int] = queue.Queue()

        async def run() -> subprocess.CompletedProcess[str]:
            netns, etc = await self.runtime.add_client(namespace)
            try:
                command = sandbox.client_command(netns, etc, argv)
                variables = {**os.environ, **(env or {})}
                return await self.runtime.run_command(command, timeout, env=variables, started=pids.put)
            finally:
                await self.runtime.remove_client(netns)

        future = asyncio.run_coroutine_threadsafe(run(), self._loop)
        return ClientProcess(future, pids.get(timeout=60))

    def run_client(
        self,
        argv: Sequence[str],
        timeout: float = 300,
        namespace: str = "default",
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """start_client, then wait for it to end."""
        return self.start_client(argv, timeout, namespace, env).wait(timeout + 30)

    # end

    def close(self) -> None:
        """Stop everything the runner started and remove what it made; safe to call twice."""
        if self._closed:
            return
        try:
            if self._loop.is_running():
                self._call(self.runtime.close(), 120)
            leftovers.release_id(self.runtime.id)  # its names are free once its network and cgroups are gone
        finally:
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            if self._own_state:
                shutil.rmtree(self.state, ignore_errors=True)


@dataclass(frozen=True)
class ClientProcess:
    """A program started with Cluster.start_client."""

    future: "concurrent.futures.Future[subprocess.CompletedProcess[str]]"
    pid: int

    def signal(self, number: int = signal.SIGTERM) -> None:
        """Signal the program (its process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, number)

    def wait(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """Its exit code and output (stdout and stderr together), once it ends."""
        return self.future.result(timeout)


def _log_section(pod: Pod) -> list[str]:
    lines = []
    init = pod.initializing()
    if init is not None:
        lines += [f"    --- init container {init} of {pod.name} (last {LOG_TAIL} lines)"]
        lines += [f"    {line}" for line in pod.log_text(tail=LOG_TAIL, container=init).splitlines()]
    if pod.starts() > 1:
        lines += [f"    --- previous container of {pod.name} (last {LOG_TAIL} lines)"]
        lines += [f"    {line}" for line in pod.log_text(previous=True, tail=LOG_TAIL).splitlines()]
    lines += [f"    --- log of {pod.name} (last {LOG_TAIL} lines)"]
    lines += [f"    {line}" for line in pod.log_text(tail=LOG_TAIL).splitlines()]
    return lines


def _measure(name: str, measure: Measure, origin: float) -> PodMeasure:
    return PodMeasure(
        name=name,
        started=None if measure.started is None else measure.started - origin,
        ready=None if measure.ready is None else measure.ready - origin,
        peak_rss_bytes=measure.peak_rss,
        restarts=measure.restarts,
    )
