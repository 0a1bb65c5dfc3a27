"""One pod as the kubelet runs it: its network namespace and volumes, its init containers run to completion
in order, its container started, probed, restarted with back-off, and stopped with its grace period."""

import asyncio
import contextlib
import os
import shutil
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kraft_component.quantity import parse_quantity

from . import env as environment
from . import network, sandbox, volumes
from .cgroups import MemoryCgroups
from .images import Image, copy_etc
from .objects import Container, PodRunnerError, PodTemplate, Probe
from .probes import ProbeCounter, Verdict

if TYPE_CHECKING:
    from .runtime import Runtime

BACKOFF_START, BACKOFF_MAX, BACKOFF_RESET = 10.0, 300.0, 600.0  # the kubelet's crash-loop back-off
SETUP_RETRY = 5.0  # how often a pod whose volumes cannot be set up is tried again
START_TIMEOUT = 30.0


@dataclass
class Measure:
    """What the runner saw of a pod: when its first container started and when it first became Ready
    (monotonic seconds), and the peak resident memory of its processes."""

    created: float
    started: float | None = None
    ready: float | None = None
    peak_rss: int = 0
    restarts: int = 0


@dataclass(frozen=True)
class Prepared:
    """What the kubelet resolves for a container before it creates it: its environment and user."""

    env: dict[str, str]
    user: sandbox.User


class ContainerRun:
    """One start of a container: a process tree in its own namespaces."""

    def __init__(self, container: Container, launch: sandbox.Launch, netns: str, script: Path, log: Path) -> None:
        self.container = container
        self.launch = launch
        self.netns = netns
        self.script = script
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.pid = 0
        """The container's first process (PID 1 of its namespace), as this machine numbers it."""
        self.pid_namespace = ""
        self.started = time.monotonic()
        self.exit_code: int | None = None
        self.killed = False
        """Whether the runner sent SIGKILL (the kubelet knows it killed a container; see wait)."""

    async def start(self) -> None:
        """Start the process; return once the container's root is in place (or it exited trying)."""
        self.script.write_text(sandbox.setup_script(self.launch))
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *sandbox.launch_command(self.netns, self.script),
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not self.launch.started.exists():
            if self.process.returncode is not None or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.02)
        with contextlib.suppress(OSError):  # a container that ended at once has no process left to find
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            self.pid = int(children[0]) if children else 0
            self.pid_namespace = os.readlink(f"/proc/{self.pid}/ns/pid") if self.pid else ""

    async def wait(self) -> int:
        """The container's exit code (128 + the signal that ended it). util-linux 2.38's `unshare --fork`
        exits 1 when its child dies of a signal, so a SIGKILL is only known as such when the runner sent it
        or the memory cgroup counted an OOM kill."""
        assert self.process is not None
        code = await self.process.wait()
        if code == 1 and (self.killed or MemoryCgroups.oom_killed(self.launch.cgroup)):
            code = -signal.SIGKILL
        self.exit_code = 128 - code if code < 0 else code
        return self.exit_code

    def signal(self, number: int) -> None:
        """Send a signal to the container's first process."""
        if self.pid and self.exit_code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def kill(self) -> None:
        """SIGKILL the container (its first process, and so its whole PID namespace)."""
        self.killed = True
        self.signal(signal.SIGKILL)
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def stop(self, grace: float) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds, as the kubelet stops a container."""
        if self.process is None or self.process.returncode is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
        except TimeoutError:
            self.kill()
            await self.process.wait()


class Pod:
    """A pod of a StatefulSet or Job, from creation to deletion."""

    def __init__(
        self, runtime: "Runtime", name: str, namespace: str, template: PodTemplate, images: Mapping[str, Image], *,
        owner: str, hostname: str | None = None, subdomain: str | None = None, claims: Mapping[str, Path] | None = None,
    ) -> None:  # fmt: skip
        self.runtime = runtime
        self.name = name
        self.namespace = namespace
        self.template = template
        self.images = dict(images)
        """Image reference -> the image, for every container of the pod."""
        self.owner = owner
        self.hostname = hostname
        self.subdomain = subdomain
        self.claims = dict(claims or {})
        self.serial = runtime.next_serial()
        self.uid = f"{runtime.id}-{self.serial}"
        self.dir = runtime.state / "pods" / f"{name}-{self.serial}"
        self.netns = f"kraft-{runtime.id}-{self.serial}"
        self.veth = f"kv{runtime.id.hex}{self.serial:05x}"
        self.ip = ""
        self.phase = "Pending"
        self.message = "waiting to start"
        self.ready = False
        self.terminating = False
        self.etc = {
            reference: self.dir / ("etc" if reference == template.container.image else f"etc-{index}")
            for index, reference in enumerate(self.images)
        }
        """Image reference -> the pod's /etc for its containers (each with the pod's hosts file)."""
        self.prepared: dict[str, Prepared] = {}
        """Container name -> its environment and user, once the pod is set up."""
        self.run: ContainerRun | None = None
        """The container running now (an init container, or the container), or the last one that ran."""
        self.logs: dict[str, list[Path]] = {}
        """Container name -> the output of each of its starts."""
        self._starts = 0
        self.measure = Measure(created=time.monotonic())
        self.finished = asyncio.Event()
        self._wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.volume_paths: dict[str, Path] = {}
        self.wipe_claims = False
        """Empty the pod's claims when it ends, before a controller can replace it (a lost disk)."""

    @property
    def labels(self) -> dict[str, str]:
        """The pod's labels."""
        return self.template.labels

    @property
    def container(self) -> Container:
        """The pod's one container."""
        return self.template.container

    def start(self) -> None:
        """Begin the pod's life (the kubelet picking it up)."""
        self.task = asyncio.get_running_loop().create_task(self._life(), name=f"pod {self.name}")

    def describe(self) -> str:
        """One line of status, as `kubectl get pod` would sum it up."""
        state = "Ready" if self.ready else self.message
        return f"{self.name} ({self.phase}, {state}, {self.measure.restarts} restarts, ip {self.ip or '-'})"

    async def _life(self) -> None:
        try:
            await self._run_containers()
        except Exception as error:  # the runner's own failure: visible, and a failed pod to its controller
            self.phase, self.message = "Failed", f"pod runner error: {error!r}"
            self.runtime.record(f"pod {self.name}: {self.message}")
        finally:
            self._set_ready(False)
            await asyncio.shield(self._teardown())

    async def _run_containers(self) -> None:
        """Set the pod up, run its init containers, then start its container again and again as its restart
        policy says."""
        await self._setup()
        if not await self._initialize():
            return
        backoff = BACKOFF_START
        while not self.terminating:
            run = await self._start_container(self.container)
            probing = asyncio.get_running_loop().create_task(self._probe(run))
            code = await self._ended(run)
            probing.cancel()
            self._set_ready(False)
            if self.terminating:
                break
            policy = self.template.restart_policy
            if policy == "Never" or (policy == "OnFailure" and code == 0):
                self.phase = "Succeeded" if code == 0 else "Failed"
                self.message = f"exited {code}"
                break
            if time.monotonic() - run.started > BACKOFF_RESET:
                backoff = BACKOFF_START
            self.message = f"CrashLoopBackOff: exited {code}, restarting in {backoff:.0f} s"
            self.runtime.record(f"pod {self.name}: container exited {code}; restarting in {backoff:.0f} s")
            await self._sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            self.measure.restarts += 1

    async def _initialize(self) -> bool:
        """Run each init container to completion, in order; a failed one starts again after a back-off unless
        the restart policy is Never, which fails the pod. True once every one has succeeded."""
        count = len(self.template.init_containers)
        for index, container in enumerate(self.template.init_containers):
            backoff = BACKOFF_START
            while not self.terminating:
                self.message = f"Init:{index}/{count}"
                code = await self._ended(await self._start_container(container))
                if code == 0 or self.terminating:
                    break
                if self.template.restart_policy == "Never":
                    self.phase, self.message = "Failed", f"Init:Error: init container {container.name} exited {code}"
                    self.runtime.record(f"pod {self.name}: {self.message}")
                    return False
                self.message = f"Init:CrashLoopBackOff: {container.name} exited {code}, restarting in {backoff:.0f} s"
                self.runtime.record(
                    f"pod {self.name}: init container {container.name} exited {code}; restarting in {backoff:.0f} s"
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        return not self.terminating

    async def _ended(self, run: ContainerRun) -> int:
        """Wait for a container to end; its exit code, with an OOM kill recorded and its cgroup released."""
        code = await run.wait()
        if MemoryCgroups.oom_killed(run.launch.cgroup):
            self.runtime.record(f"pod {self.name}: OOMKilled (over its memory limit)")
        self.runtime.cgroups.release(run.launch.cgroup)
        return code

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the pod is deleted."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _setup(self) -> None:
        """The pod sandbox: its address, /etc and volumes; retried while a volume cannot be set up."""
        self.dir.mkdir(parents=True)
        self.ip = self.runtime.bridge.allocate_pod_address()
        await asyncio.to_thread(network.add_pod_namespace, self.runtime.bridge, self.netns, self.veth, self.ip)
        for reference, etc in self.etc.items():
            await asyncio.to_thread(copy_etc, self.runtime.etc_template(self.images[reference]), etc)
        self.runtime.changed()  # its hosts file, and its name in everyone else's
        while not self.terminating:
            try:
                self._prepare()
                return
            except PodRunnerError as error:
                self.message = f"ContainerCreating: {error}"
                self.runtime.record(f"pod {self.name}: {error}")
                await self._sleep(SETUP_RETRY)

    def _prepare(self) -> None:
        """Environments, users and volumes: what the kubelet resolves before it creates the containers."""
        template = self.template
        secrets, config_maps = self.runtime.secret_data(self.namespace), self.runtime.config_map_data(self.namespace)
        self.prepared = {
            container.name: self._prepare_container(container, secrets, config_maps)
            for container in template.containers
        }
        volume_dir = self.dir / "volumes"
        self.volume_paths = {}
        for name, volume in template.volumes.items():
            if (volume_dir / name).exists():
                self.volume_paths[name] = volume_dir / name
                continue
            claim = self.claims.get(volume.get("persistentVolumeClaim", {}).get("claimName", ""))
            self.volume_paths[name] = volumes.prepare(
                volume, volume_dir / name, claim=claim, fs_group=template.fs_group,
                fs_group_policy=template.fs_group_policy, secrets=secrets, config_maps=config_maps,
            )  # fmt: skip
        missing = [m.volume for c in template.containers for m in c.mounts if m.volume not in self.volume_paths]
        if missing:
            raise PodRunnerError(f"volumeMounts name volumes that do not exist: {', '.join(missing)}")

    def _prepare_container(
        self, container: Container, secrets: Mapping[str, Mapping[str, bytes]],
        config_maps: Mapping[str, Mapping[str, bytes]],
    ) -> Prepared:  # fmt: skip
        """A container's user (its security context over its image's) and environment."""
        image, identity = self.images[container.image], container.identity
        uid = identity.uid if identity.uid is not None else image.uid
        if identity.non_root and uid == 0:
            raise PodRunnerError(f"container {container.name} has runAsNonRoot and would run as root (uid 0)")
        gid = identity.gid if identity.gid is not None else (image.gid if uid == image.uid else 0)
        user = sandbox.User(uid, gid, identity.groups, identity.no_new_privileges, identity.drop_all_capabilities)
        facts = environment.PodFacts(
            name=self.name, namespace=self.namespace, ip=self.ip, labels=self.labels,
            annotations=self.template.annotations, uid=self.uid, node_name=self.runtime.node_name,
            host_ip=self.runtime.bridge.gateway,
        )  # fmt: skip
        base = image.env | {"HOSTNAME": self.hostname or self.name}
        base.setdefault("HOME", image.home if uid == image.uid else "/")
        env = environment.environment(
            container.env, facts=facts, resources=container.resources, node=self.runtime.capacity,
            secrets={name: {key: value.decode() for key, value in data.items()} for name, data in secrets.items()},
            config_maps={name: {key: value.decode() for key, value in data.items()} for name, data in config_maps.items()},
            base=base,
        )  # fmt: skip
        return Prepared(env, user)

    def _launch(self, container: Container, number: int) -> sandbox.Launch:
        image, prepared = self.images[container.image], self.prepared[container.name]
        binds = [sandbox.Bind(source, target, True) for target, source in image.paths.items()]
        for mount in sorted(container.mounts, key=lambda item: item.path.count("/")):
            source = self.volume_paths[mount.volume]
            read_only = mount.read_only or not any(kind in self.template.volumes[mount.volume]
                                                   for kind in ("emptyDir", "persistentVolumeClaim"))  # fmt: skip
            binds.append(sandbox.Bind(source, mount.path, read_only))
        limit = (container.resources.get("limits") or {}).get("memory")
        run_dir = self.dir / f"run-{number}"
        run_dir.mkdir()
        (run_dir / "root").mkdir()
        return sandbox.Launch(
            root=run_dir / "root",
            etc=self.etc[container.image],
            binds=tuple(binds),
            hostname=self.hostname or self.name,
            read_only_root=container.identity.read_only_root,
            user=prepared.user,
            env=prepared.env,
            argv=tuple(environment.command_line(container.command, container.args, prepared.env)),
            workdir=container.working_dir or "/",
            started=run_dir / "started",
            cgroup=self.runtime.cgroups.create(
                f"{self.name}-{self.serial}-{number}", int(parse_quantity(str(limit))) if limit else None
            ),
        )

    async def _start_container(self, container: Container) -> ContainerRun:
        number = self._starts
        self._starts += 1
        log = self.dir / f"{container.name}-{number}.log"
        self.logs.setdefault(container.name, []).append(log)
        launch = self._launch(container, number)
        run = ContainerRun(container, launch, self.netns, self.dir / f"run-{number}" / "setup.sh", log)
        self.run = run
        await run.start()
        if self.measure.started is None:
            self.measure.started = run.started
        if container is self.container:
            self.phase = "Running"
            self.message = "Running, not ready"
            self.runtime.record(f"pod {self.name}: container started (ip {self.ip})")
        else:
            self.runtime.record(f"pod {self.name}: init container {container.name} started (ip {self.ip})")
        return run

    def _set_ready(self, ready: bool) -> None:
        if ready == self.ready:
            return
        self.ready = ready
        if ready and self.measure.ready is None:
            self.measure.ready = time.monotonic()
        self.runtime.record(f"pod {self.name}: {'Ready' if ready else 'not Ready'}")
        self.runtime.changed()

    async def check(self, probe: Probe, run: ContainerRun) -> tuple[bool, str]:
        """Run a probe once: tcpSocket from this machine to the pod's address, exec inside the container."""
        if probe.action == "tcp":
            port = self.container.port(probe.port)
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(self.ip, port), probe.timeout)
            except (OSError, TimeoutError) as error:
                return False, f"tcp {self.ip}:{port}: {error or 'timed out'}"
            writer.close()
            return True, ""
        result = await self.runtime.run_command(
            sandbox.exec_command(run.pid, run.launch.user, run.launch.env, probe.command), probe.timeout
        )
        output = result.stdout.strip()[-500:]
        return result.returncode == 0, f"exec {' '.join(probe.command)}: exit {result.returncode}: {output}"

    async def _probe(self, run: ContainerRun) -> None:
        """The container's probes on their schedules: startup first, then liveness and readiness together."""
        container = self.container
        if container.startup is not None and not await self._until_decided(container.startup, run, "startup"):
            return
        liveness = container.liveness
        await asyncio.gather(
            self._readiness(run), *([self._until_decided(liveness, run, "liveness")] if liveness else [])
        )

    async def _until_decided(self, probe: Probe, run: ContainerRun, kind: str) -> bool:
        """Probe until the thresholds decide; on failure restart the container. True once a startup probe
        passes (a liveness probe only ends by failing)."""
        counter = ProbeCounter(probe)
        await asyncio.sleep(max(0.0, run.started + probe.initial_delay - time.monotonic()))
        while True:
            ok, message = await self.check(probe, run)
            verdict = counter.record(ok, message)
            if verdict is Verdict.PASSED and kind == "startup":
                return True
            if verdict is Verdict.FAILED:
                self.message = f"{kind} probe failed {probe.failure_threshold} times: {message}"
                self.runtime.record(f"pod {self.name}: {self.message}; killing the container")
                grace = (
                    probe.termination_grace if probe.termination_grace is not None else self.template.termination_grace
                )
                await run.stop(float(grace))
                return False
            await asyncio.sleep(probe.period)

    async def _readiness(self, run: ContainerRun) -> None:
        probe = self.container.readiness
        if probe is None:
            self._set_ready(True)
            return
        counter = ProbeCounter(probe)
        await asyncio.sleep(max(0.0, run.started + probe.initial_delay - time.monotonic()))
        while True:
            ok, message = await self.check(probe, run)
            verdict = counter.record(ok, message)
            if verdict is Verdict.PASSED:
                self._set_ready(True)
            elif verdict is Verdict.FAILED:
                if self.ready:
                    self.runtime.record(f"pod {self.name}: readiness probe failed: {message}")
                self.message = f"readiness probe failing: {message}"
                self._set_ready(False)
            await asyncio.sleep(probe.period)

    async def delete(self, grace: float | None = None) -> None:
        """Delete the pod: stop its container within `grace` seconds (its own grace period if None)."""
        self.terminating = True
        self._wake.set()
        if self.run is not None:
            await self.run.stop(self.template.termination_grace if grace is None else grace)
        if self.task is not None:
            await asyncio.shield(self.finished.wait())

    def running(self) -> ContainerRun:
        """The container's current run (not an init container's); PodRunnerError if it is not running."""
        run = self.run
        if run is None or run.container is not self.container or not run.pid or run.exit_code is not None:
            raise PodRunnerError(f"pod {self.name} has no running container")
        return run

    def kill_container(self) -> None:
        """SIGKILL the running container; the pod restarts it by its restart policy."""
        run = self.running()
        self.runtime.record(f"pod {self.name}: container killed (SIGKILL)")
        run.kill()

    async def _teardown(self) -> None:
        if self.run is not None:
            self.run.kill()
            if self.run.process is not None:
                await self.run.process.wait()
            self.runtime.cgroups.release(self.run.launch.cgroup)
        await asyncio.to_thread(network.delete_pod_namespace, self.netns, self.veth)
        if self.wipe_claims:
            for claim in self.claims.values():
                await asyncio.to_thread(shutil.rmtree, claim, True)
            self.runtime.record(f"pod {self.name}: claims emptied ({', '.join(p.name for p in self.claims.values())})")
        if self.phase in ("Pending", "Running"):
            self.phase = "Terminated"
        self.finished.set()
        self.runtime.changed()

    def log_text(self, previous: bool = False, tail: int | None = None, container: str | None = None) -> str:
        """The output of a container's current (or previous) start: the pod's container, or the one named."""
        logs = self.logs.get(container or self.container.name, [])
        index = -2 if previous else -1
        if len(logs) < (2 if previous else 1):
            return ""
        text = logs[index].read_text(errors="replace")
        return "\n".join(text.splitlines()[-tail:]) if tail else text

    def starts(self, container: str | None = None) -> int:
        """How often a container (the pod's container, or the one named) has started."""
        return len(self.logs.get(container or self.container.name, []))

    def initializing(self) -> str | None:
        """The init container that has not (yet) succeeded, if the pod's container never started."""
        if self.starts() or not self.run:
            return None
        return self.run.container.name

    def sample_memory(self, resident: Mapping[str, int]) -> None:
        """Record the resident memory of the container's processes (`resident`: bytes per PID namespace)."""
        if self.run is not None and self.run.exit_code is None and self.run.pid_namespace:
            self.measure.peak_rss = max(self.measure.peak_rss, resident.get(self.run.pid_namespace, 0))
