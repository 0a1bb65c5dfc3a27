"""The runner's state on its event loop: the stored objects, the pods, the controllers, the pod network
and the names pods resolve; `apply` as an API server plus controllers would act on a set of objects."""

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import network, objects, services, volumes
from .cgroups import MemoryCgroups
from .controllers import JobController, StatefulSetController
from .env import NodeCapacity
from .images import Image, ImageResolver, copy_etc, prepare_etc
from .leftovers import RunnerId
from .objects import Manifest, PodRunnerError, PodTemplate, Unsupported
from .pod import Pod

CLUSTER_DOMAIN = "cluster.local"
# Kinds stored and accepted but not acted on: nothing here enforces network policies or disruption budgets.
ACCEPTED_KINDS = frozenset({"Namespace", "NetworkPolicy", "PodDisruptionBudget", "PersistentVolumeClaim"})
WORKLOAD_KINDS = frozenset({"StatefulSet", "Job"})
SAMPLE_PERIOD = 1.0


@dataclass(frozen=True)
class Event:
    """Something the runner did or saw, with the monotonic time it happened."""

    at: float
    text: str


def resident_by_pid_namespace() -> dict[str, int]:
    """The resident memory (bytes) of every process of this machine, summed per PID namespace."""
    totals: dict[str, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            namespace = os.readlink(f"/proc/{entry.name}/ns/pid")
            status = Path(f"/proc/{entry.name}/status").read_text()
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                totals[namespace] = totals.get(namespace, 0) + int(match[1]) * 1024
    return totals


def memory_total() -> Decimal:
    """This machine's memory, the capacity a resourceFieldRef reports without a limit."""
    match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return Decimal(int(match[1]) * 1024) if match else Decimal(0)


class Runtime:
    """Everything the runner runs, on one asyncio loop."""

    def __init__(self, state: Path, images: ImageResolver, runner_id: RunnerId) -> None:
        self.state = state
        self.images = images
        self.id = runner_id
        self.bridge = network.Bridge(f"krb{runner_id.hex}", network.free_subnet(network.used_networks()))
        self.cgroups = MemoryCgroups(f"kraft-{runner_id}")
        self.capacity = NodeCapacity(cpu=Decimal(os.cpu_count() or 1), memory=memory_total())
        self.node_name = socket.gethostname()
        self.config_maps: dict[tuple[str, str], Manifest] = {}
        self.secrets: dict[tuple[str, str], Manifest] = {}
        self.services: dict[tuple[str, str], objects.Service] = {}
        self.proxies: dict[tuple[str, str], services.ServiceProxy] = {}
        self.pods: list[Pod] = []
        self.statefulsets: dict[str, StatefulSetController] = {}
        self.jobs: dict[str, JobController] = {}
        self.events: list[Event] = []
        self.clients: dict[str, tuple[str, Path]] = {}
        """Client sandboxes: name -> (namespace, hosts file)."""
        self._serial = 0
        self._etc_templates: dict[str, Path] = {}
        self._hosts_written: dict[Path, str] = {}
        self._changed = asyncio.Event()
        self._sampler: asyncio.Task[None] | None = None

    # bookkeeping

    def next_serial(self) -> int:
        """A number no other pod or sandbox of this runner has."""
        self._serial += 1
        return self._serial

    def record(self, text: str) -> None:
        """Note an event (kept for failure messages and timings)."""
        self.events.append(Event(time.monotonic(), text))

    def changed(self) -> None:
        """Something changed that names, Services or controllers depend on."""
        self.refresh_names()
        self._changed.set()

    async def wait_changed(self, timeout: float) -> None:
        """Wait until something changes, at most `timeout` seconds."""
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def start(self) -> None:
        """Create the pod network and start sampling memory."""
        (self.state / "pods").mkdir(parents=True)
        (self.state / "claims").mkdir()
        await asyncio.to_thread(self.bridge.create)
        self._sampler = asyncio.get_running_loop().create_task(self._sample_forever())

    async def close(self) -> None:
        """Stop every controller, pod, Service address and the pod network."""
        if self._sampler is not None:
            self._sampler.cancel()
        for statefulset in self.statefulsets.values():
            await statefulset.stop()
        for job in self.jobs.values():
            await job.stop()
        for pod in self.pods:
            pod.terminating = True
            if pod.run is not None:
                pod.run.kill()
        for pod in self.pods:
            if pod.task is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.shield(pod.finished.wait()), 30)
        for proxy in self.proxies.values():
            await proxy.close()
        for netns, _ in self.clients.values():
            await asyncio.to_thread(network.delete_pod_namespace, netns, "")
        await asyncio.to_thread(self.bridge.delete)
        await asyncio.to_thread(self.cgroups.close)

    # objects

    def etc_template(self, image: Image) -> Path:
        """The /etc of an image, prepared once per runner."""
        if image.reference not in self._etc_templates:
            path = self.state / "images" / f"etc-{len(self._etc_templates)}"
            path.parent.mkdir(exist_ok=True)
            prepare_etc(image, path)
            self._etc_templates[image.reference] = path
        return self._etc_templates[image.reference]

    def secret_data(self, namespace: str) -> dict[str, dict[str, bytes]]:
        """Every Secret of a namespace, decoded, by name."""
        return {name: volumes.decoded_secret(m) for (ns, name), m in self.secrets.items() if ns == namespace}

    def config_map_data(self, namespace: str) -> dict[str, dict[str, bytes]]:
        """Every ConfigMap of a namespace, by name."""
        return {name: volumes.config_map_data(m) for (ns, name), m in self.config_maps.items() if ns == namespace}

    def claim_path(self, namespace: str, claim: str) -> Path:
        """The folder that holds a claim's data, kept for the runner's whole life."""
        return self.state / "claims" / namespace / claim

    def create_pod(
        self, name: str, namespace: str, template: PodTemplate, *, owner: str, hostname: str | None = None,
        subdomain: str | None = None, claims: dict[str, Path] | None = None,
    ) -> Pod:  # fmt: skip
        """Create a pod and let it start."""
        if any(pod.name == name and not pod.finished.is_set() for pod in self.pods):
            raise PodRunnerError(f"pod {name} already exists")
        images = {container.image: self.images(container.image) for container in template.containers}
        pod = Pod(self, name, namespace, template, images, owner=owner, hostname=hostname, subdomain=subdomain,
                  claims=claims)  # fmt: skip
        self.pods.append(pod)
        self.record(f"pod {name}: created by {owner}")
        pod.start()
        return pod

    def pod(self, name: str) -> Pod:
        """The live pod called `name` (the newest, if it was replaced)."""
        for pod in reversed(self.pods):
            if pod.name == name and not pod.finished.is_set():
                return pod
        raise PodRunnerError(f"no pod {name}; pods: {', '.join(self.live_pod_names())}")

    def live_pod_names(self) -> list[str]:
        """Names of the pods that exist now."""
        return [pod.name for pod in self.pods if not pod.finished.is_set()]

    def validate(self, manifests: Sequence[Manifest]) -> None:
        """Refuse the whole set before anything changes if one object asks for what is not emulated."""
        for manifest in manifests:
            kind = manifest.get("kind")
            if kind == "StatefulSet":
                objects.parse_statefulset(manifest)
            elif kind == "Job":
                objects.parse_job(manifest)
            elif kind == "Service":
                objects.parse_service(manifest)
            elif kind == "Secret":
                volumes.decoded_secret(manifest)
            elif kind not in ("ConfigMap", *ACCEPTED_KINDS):
                raise Unsupported(f"{objects.key(manifest)}: kind {kind} is not emulated")

    async def apply(
        self, manifests: Sequence[Manifest], depends_on: Mapping[str, Sequence[str]], timeout: float
    ) -> None:
        """Store ConfigMaps, Secrets and Services, then create or update the workloads, each object with
        entries in `depends_on` (`Kind/name` -> the workloads' `Kind/name`s, within the set) only once those
        are done, as Pulumi orders dependent resources (a dynamic quorum's marker ConfigMap waits for the
        controllers); return once every object is applied."""
        self.validate(manifests)
        ordered = {
            objects.key(m): m for m in manifests if m["kind"] in WORKLOAD_KINDS or depends_on.get(objects.key(m))
        }
        for manifest in manifests:
            if objects.key(manifest) not in ordered:
                await self._store(manifest)
        waits_for = {name: [d for d in depends_on.get(name, ()) if d in ordered] for name in ordered}
        applied: set[str] = set()
        deadline = time.monotonic() + timeout
        while len(applied) < len(ordered):
            for name, manifest in ordered.items():
                if name not in applied and all(d in applied and self.done(d) for d in waits_for[name]):
                    if manifest["kind"] in WORKLOAD_KINDS:
                        self._apply_workload(manifest)
                    else:
                        await self._store(manifest)
                    applied.add(name)
            if len(applied) == len(ordered):
                break
            if time.monotonic() > deadline:
                waiting = {n: waits_for[n] for n in ordered if n not in applied}
                raise PodRunnerError(f"objects still waiting for their dependencies after {timeout:.0f} s: {waiting}")
            await self.wait_changed(1.0)
        self.changed()

    async def _store(self, manifest: Manifest) -> None:
        """Keep a ConfigMap or Secret for the volumes of pods started from now on; route a Service."""
        where = (manifest["metadata"].get("namespace", "default"), manifest["metadata"]["name"])
        if manifest["kind"] == "ConfigMap":
            self.config_maps[where] = manifest
        elif manifest["kind"] == "Secret":
            self.secrets[where] = manifest
        elif manifest["kind"] == "Service":
            await self._apply_service(objects.parse_service(manifest))

    def done(self, name: str) -> bool:
        """Whether a workload is done: a StatefulSet rolled out and Ready, a Job complete (PodRunnerError if
        it failed)."""
        kind, _, short = name.partition("/")
        if kind == "StatefulSet":
            return short in self.statefulsets and self.statefulsets[short].rolled_out
        job = self.jobs.get(short)
        if job is not None and job.status.condition == "Failed":
            raise PodRunnerError(f"Job/{short} failed: {job.status.reason}\n{job.status.logs()}")
        return job is not None and job.status.condition == "Complete"

    def _apply_workload(self, manifest: Manifest) -> None:
        if manifest["kind"] == "StatefulSet":
            spec = objects.parse_statefulset(manifest)
            if spec.name in self.statefulsets:
                self.statefulsets[spec.name].update(spec)
            else:
                self.statefulsets[spec.name] = StatefulSetController(self, spec)
                self.statefulsets[spec.name].start()
            return
        job = objects.parse_job(manifest)
        existing = self.jobs.get(job.name)
        if existing is not None and existing.spec.template.revision == job.template.revision:
            return  # an unchanged Job is left as it is, finished or not
        if existing is not None:
            self.record(f"Job/{job.name}: template changed; replacing the Job")
            asyncio.get_running_loop().create_task(existing.stop())
        self.jobs[job.name] = JobController(self, job)
        self.jobs[job.name].start()

    async def _apply_service(self, service: objects.Service) -> None:
        where = (service.namespace, service.name)
        old = self.proxies.pop(where, None)
        address = old.address if old is not None else None
        if old is not None:
            await old.close()
        self.services[where] = service
        if not service.headless:
            if address is None:
                address = await asyncio.to_thread(self.bridge.add_service_address)
            proxy = services.ServiceProxy(service, address, self.ready_endpoints)
            await proxy.start()
            self.proxies[where] = proxy
        self.changed()

    def ready_endpoints(self, service: objects.Service) -> list[Pod]:
        """The Ready pods a Service forwards to."""
        return services.endpoints(service, self.pods, ready_only=True)

    # names

    def host_entries(self, namespace: str) -> list[network.HostEntry]:
        """What cluster DNS would answer, as hosts-file entries, for a pod in `namespace`."""
        entries = []
        for (service_namespace, name), service in sorted(self.services.items()):
            names = network.service_names(name, service_namespace, CLUSTER_DOMAIN, namespace)
            if not service.headless:
                proxy = self.proxies.get((service_namespace, name))
                if proxy is not None:
                    entries.append(network.HostEntry(proxy.address, names))
                continue
            for pod in services.endpoints(service, self.pods, ready_only=not service.publish_not_ready):
                entries.append(network.HostEntry(pod.ip, names))
                if pod.hostname and pod.subdomain == name:
                    pod_names = network.pod_names(pod.hostname, name, service_namespace, CLUSTER_DOMAIN, namespace)
                    entries.append(network.HostEntry(pod.ip, pod_names))
        return entries

    def refresh_names(self) -> None:
        """Rewrite every pod's and client's hosts file whose content changed (atomically, by rename)."""
        by_namespace: dict[str, list[network.HostEntry]] = {}
        targets: list[tuple[Path, network.HostEntry | None, str]] = []
        for pod in self.pods:
            if pod.finished.is_set():
                continue
            fqdn = (f"{pod.hostname}.{pod.subdomain}.{pod.namespace}.svc.{CLUSTER_DOMAIN}"
                    if pod.subdomain else pod.name)  # fmt: skip
            own: network.HostEntry | None = network.HostEntry(
                pod.ip, (fqdn, pod.hostname or pod.name) if pod.subdomain else (pod.name,)
            )
            targets += [(etc / "hosts", own, pod.namespace) for etc in pod.etc.values() if etc.is_dir()]
        for namespace, hosts in self.clients.values():
            targets.append((hosts, None, namespace))
        for path, own, namespace in targets:
            if namespace not in by_namespace:
                by_namespace[namespace] = self.host_entries(namespace)
            content = network.hosts_file(
                own, [e for e in by_namespace[namespace] if own is None or e.names != own.names]
            )
            if self._hosts_written.get(path) != content:
                temporary = path.with_name(".hosts.new")
                temporary.write_text(content)
                temporary.chmod(0o644)
                temporary.rename(path)
                self._hosts_written[path] = content

    # processes

    async def run_command(
        self, argv: Sequence[str], timeout: float, stdin: bytes | None = None, env: Mapping[str, str] | None = None,
        started: Callable[[int], None] | None = None,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        """Run a command of this machine in a process group of its own (`started` learns its ID); after
        `timeout` seconds the group is killed and the output so far returned with exit code -9."""
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True, env=env,
        )  # fmt: skip
        if started is not None:
            started(process.pid)
        try:
            output, _ = await asyncio.wait_for(process.communicate(stdin), timeout)
            code = process.returncode
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            output, _ = await process.communicate()
            code = -9
        assert code is not None
        return subprocess.CompletedProcess(list(argv), code, output.decode(errors="replace"), "")

    async def _sample_forever(self) -> None:
        while True:
            resident = await asyncio.to_thread(resident_by_pid_namespace)
            for pod in self.pods:
                pod.sample_memory(resident)
            await asyncio.sleep(SAMPLE_PERIOD)

    async def add_client(self, namespace: str) -> tuple[str, Path]:
        """A client sandbox's network namespace on the pod network, and its /etc: this machine's, whose hosts
        file the runner rewrites as pods come and go (a pod created again has a new address)."""
        serial = self.next_serial()
        netns = f"kraft-{self.id}-client-{serial}"
        veth = f"kv{self.id.hex}{serial:05x}"
        address = self.bridge.allocate_pod_address()
        await asyncio.to_thread(network.add_pod_namespace, self.bridge, netns, veth, address)
        etc = self.state / "clients" / f"{serial}" / "etc"
        etc.parent.mkdir(parents=True)
        await asyncio.to_thread(copy_etc, Path("/etc"), etc)
        self.clients[netns] = (namespace, etc / "hosts")
        self.refresh_names()
        return netns, etc

    async def remove_client(self, netns: str) -> None:
        """Remove a client sandbox's network namespace."""
        self.clients.pop(netns, None)
        await asyncio.to_thread(network.delete_pod_namespace, netns, "")
