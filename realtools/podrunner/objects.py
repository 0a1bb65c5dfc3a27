"""Typed views of the Kubernetes objects the runner acts on, and the fields it refuses.

The runner takes plain manifests (what `render` prints, or what an API server returns). Every field that
would change what a kubelet or controller does is either emulated or refused here with a message naming
it, so a manifest never runs with a field silently ignored. Fields that only matter to a scheduler or to
admission (spread constraints, node selectors, seccomp, service accounts) are accepted and documented as
not emulated in docs/real-kafka.md.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Manifest = dict[str, Any]


class PodRunnerError(Exception):
    """The runner cannot do what was asked; the message says why."""


class Unsupported(PodRunnerError):
    """A manifest asks for something the runner does not emulate."""


# Pod and container fields the runner emulates, or that only a scheduler or admission reads.
POD_FIELDS = frozenset({
    "containers", "initContainers", "volumes", "restartPolicy", "securityContext", "terminationGracePeriodSeconds",
    "enableServiceLinks", "automountServiceAccountToken", "hostname", "subdomain",
    "topologySpreadConstraints", "nodeSelector", "affinity", "tolerations", "priorityClassName",
    "serviceAccountName", "schedulerName", "dnsPolicy",
})  # fmt: skip
CONTAINER_FIELDS = frozenset({
    "name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "ports", "resources",
    "startupProbe", "livenessProbe", "readinessProbe", "securityContext", "volumeMounts",
    "terminationMessagePath", "terminationMessagePolicy",
})  # fmt: skip
# Kubernetes allows no probes on init containers; a `restartPolicy` (a sidecar) is not emulated.
INIT_CONTAINER_FIELDS = CONTAINER_FIELDS - {"startupProbe", "livenessProbe", "readinessProbe"}
VOLUME_SOURCES = frozenset({"configMap", "secret", "projected", "emptyDir", "persistentVolumeClaim"})
PROBE_FIELDS = frozenset({
    "tcpSocket", "exec", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold",
    "failureThreshold", "terminationGracePeriodSeconds",
})  # fmt: skip


def _refuse_unknown(where: str, given: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise Unsupported(f"{where}: {', '.join(unknown)} not emulated by the pod runner")


@dataclass(frozen=True)
class Probe:
    """A startup, liveness or readiness probe, with Kubernetes' defaults resolved."""

    action: Literal["tcp", "exec"]
    port: int | str = 0
    command: tuple[str, ...] = ()
    initial_delay: float = 0
    period: float = 10
    timeout: float = 1
    success_threshold: int = 1
    failure_threshold: int = 3
    termination_grace: float | None = None


def parse_probe(where: str, manifest: Mapping[str, Any] | None) -> Probe | None:
    """A probe manifest as a Probe; Unsupported for httpGet and gRPC probes."""
    if manifest is None:
        return None
    _refuse_unknown(where, manifest, PROBE_FIELDS)
    if "tcpSocket" in manifest:
        action: Literal["tcp", "exec"] = "tcp"
    elif "exec" in manifest:
        action = "exec"
    else:
        raise Unsupported(f"{where}: a probe without tcpSocket or exec")
    grace = manifest.get("terminationGracePeriodSeconds")
    return Probe(
        action,
        port=manifest["tcpSocket"]["port"] if action == "tcp" else 0,
        command=tuple(manifest["exec"]["command"]) if action == "exec" else (),
        initial_delay=float(manifest.get("initialDelaySeconds", 0)),
        period=float(manifest.get("periodSeconds", 10)),
        timeout=float(manifest.get("timeoutSeconds", 1)),
        success_threshold=int(manifest.get("successThreshold", 1)),
        failure_threshold=int(manifest.get("failureThreshold", 3)),
        termination_grace=float(grace) if grace is not None else None,
    )


@dataclass(frozen=True)
class Mount:
    """A volumeMount."""

    volume: str
    path: str
    read_only: bool


@dataclass(frozen=True)
class Identity:
    """Who a container's process runs as, and what it may do."""

    uid: int | None
    gid: int | None
    groups: tuple[int, ...]
    non_root: bool
    read_only_root: bool
    no_new_privileges: bool
    drop_all_capabilities: bool


@dataclass(frozen=True)
class Container:
    """One container of a pod."""

    name: str
    image: str
    command: tuple[str, ...]
    args: tuple[str, ...]
    working_dir: str | None
    env: tuple[Manifest, ...]
    ports: dict[str, int]
    mounts: tuple[Mount, ...]
    resources: Manifest
    startup: Probe | None
    liveness: Probe | None
    readiness: Probe | None
    identity: Identity

    def port(self, port: int | str) -> int:
        """A probe's or Service's target port: a number, or the name of a container port."""
        if isinstance(port, int):
            return port
        if port.isdigit():
            return int(port)
        if port not in self.ports:
            raise PodRunnerError(f"container {self.name} has no port named {port!r}")
        return self.ports[port]


@dataclass(frozen=True)
class PodTemplate:
    """A pod template (of a StatefulSet or Job): labels, annotations, its init containers and its one container."""

    labels: dict[str, str]
    annotations: dict[str, str]
    container: Container
    init_containers: tuple[Container, ...]
    """Run to completion one after the other, in order, before the container starts."""
    volumes: dict[str, Manifest]
    restart_policy: str
    fs_group: int | None
    fs_group_policy: str
    termination_grace: float
    revision: str
    """A digest of the template: a changed template is a new revision, which rolls the pods."""

    @property
    def containers(self) -> tuple[Container, ...]:
        """The init containers, then the container."""
        return (*self.init_containers, self.container)


def _identity(pod_context: Mapping[str, Any], container_context: Mapping[str, Any]) -> Identity:
    merged = {**pod_context, **container_context}
    groups = [*pod_context.get("supplementalGroups", [])]
    if pod_context.get("fsGroup") is not None:
        groups.insert(0, pod_context["fsGroup"])
    capabilities = container_context.get("capabilities") or {}
    if capabilities.get("add"):
        raise Unsupported("securityContext.capabilities.add is not emulated")
    if merged.get("privileged"):
        raise Unsupported("securityContext.privileged is not emulated")
    return Identity(
        uid=merged.get("runAsUser"),
        gid=merged.get("runAsGroup"),
        groups=tuple(groups),
        non_root=bool(merged.get("runAsNonRoot", False)),
        read_only_root=bool(container_context.get("readOnlyRootFilesystem", False)),
        no_new_privileges=container_context.get("allowPrivilegeEscalation") is False,
        drop_all_capabilities="ALL" in (capabilities.get("drop") or []),
    )


def revision(template: Mapping[str, Any]) -> str:
    """A stable digest of a pod template, like the controller-revision-hash label."""
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def parse_container(
    where: str, manifest: Mapping[str, Any], pod_context: Mapping[str, Any], *, init: bool
) -> Container:
    """A container (or an init container) of a pod spec; Unsupported names any field the runner would ignore."""
    where = f"{where}.{'initContainers' if init else 'containers'}[{manifest['name']}]"
    _refuse_unknown(where, manifest, INIT_CONTAINER_FIELDS if init else CONTAINER_FIELDS)
    mounts = []
    for mount in manifest.get("volumeMounts", []):
        _refuse_unknown(f"{where}.volumeMounts", mount, frozenset({"name", "mountPath", "readOnly"}))
        mounts.append(Mount(mount["name"], mount["mountPath"], bool(mount.get("readOnly", False))))
    container = Container(
        name=manifest["name"],
        image=manifest["image"],
        command=tuple(manifest.get("command", ())),
        args=tuple(manifest.get("args", ())),
        working_dir=manifest.get("workingDir"),
        env=tuple(manifest.get("env", ())),
        ports={port["name"]: int(port["containerPort"]) for port in manifest.get("ports", []) if "name" in port},
        mounts=tuple(mounts),
        resources=manifest.get("resources") or {},
        startup=parse_probe(f"{where}.startupProbe", manifest.get("startupProbe")),
        liveness=parse_probe(f"{where}.livenessProbe", manifest.get("livenessProbe")),
        readiness=parse_probe(f"{where}.readinessProbe", manifest.get("readinessProbe")),
        identity=_identity(pod_context, manifest.get("securityContext") or {}),
    )
    if not container.command:
        raise Unsupported(f"{where}: no command; the image's entrypoint is not known to the runner")
    return container


def parse_template(owner: str, template: Mapping[str, Any]) -> PodTemplate:
    """A pod template as a PodTemplate; Unsupported names any field the runner would ignore."""
    spec = template["spec"]
    where = f"{owner}: spec.template.spec"
    _refuse_unknown(where, spec, POD_FIELDS)
    if spec.get("enableServiceLinks", True):
        raise Unsupported(f"{where}.enableServiceLinks: Service environment variables are not emulated; set false")
    if spec.get("automountServiceAccountToken", True):
        raise Unsupported(f"{where}.automountServiceAccountToken: no API token is mounted; set false")
    containers = spec["containers"]
    if len(containers) != 1:
        raise Unsupported(f"{where}.containers: pods with one container only ({len(containers)} given)")
    volumes = {}
    for volume in spec.get("volumes", []):
        sources = set(volume) - {"name"}
        if len(sources) != 1 or not sources <= VOLUME_SOURCES:
            raise Unsupported(f"{where}.volumes[{volume['name']}]: {', '.join(sorted(sources))} not emulated")
        volumes[volume["name"]] = volume
    pod_context = spec.get("securityContext") or {}
    init_containers = tuple(
        parse_container(where, manifest, pod_context, init=True) for manifest in spec.get("initContainers", [])
    )
    return PodTemplate(
        labels=dict((template.get("metadata") or {}).get("labels") or {}),
        annotations=dict((template.get("metadata") or {}).get("annotations") or {}),
        container=parse_container(where, containers[0], pod_context, init=False),
        init_containers=init_containers,
        volumes=volumes,
        restart_policy=spec.get("restartPolicy", "Always"),
        fs_group=pod_context.get("fsGroup"),
        fs_group_policy=pod_context.get("fsGroupChangePolicy", "Always"),
        termination_grace=float(spec.get("terminationGracePeriodSeconds", 30)),
        revision=revision(template),
    )


@dataclass(frozen=True)
class StatefulSet:
    """What the StatefulSet controller acts on."""

    name: str
    namespace: str
    service_name: str
    replicas: int
    parallel: bool
    selector: dict[str, str]
    template: PodTemplate
    claims: tuple[str, ...]
    """The volumeClaimTemplates' names; each pod gets the claim `<name>-<pod>`."""


def parse_statefulset(manifest: Manifest) -> StatefulSet:
    """A StatefulSet manifest; Unsupported for OnDelete updates and partitions."""
    name = manifest["metadata"]["name"]
    spec = manifest["spec"]
    strategy = spec.get("updateStrategy") or {"type": "RollingUpdate"}
    if strategy.get("type") != "RollingUpdate" or strategy.get("rollingUpdate"):
        raise Unsupported(f"StatefulSet/{name}: spec.updateStrategy {strategy} (only a plain RollingUpdate)")
    selector = spec["selector"]
    if set(selector) != {"matchLabels"}:
        raise Unsupported(f"StatefulSet/{name}: spec.selector with matchExpressions")
    return StatefulSet(
        name=name,
        namespace=manifest["metadata"].get("namespace", "default"),
        service_name=spec["serviceName"],
        replicas=int(spec.get("replicas", 1)),
        parallel=spec.get("podManagementPolicy", "OrderedReady") == "Parallel",
        selector=dict(selector["matchLabels"]),
        template=parse_template(f"StatefulSet/{name}", spec["template"]),
        claims=tuple(claim["metadata"]["name"] for claim in spec.get("volumeClaimTemplates", [])),
    )


@dataclass(frozen=True)
class Job:
    """What the Job controller acts on (one pod at a time, one completion)."""

    name: str
    namespace: str
    backoff_limit: int
    deadline: float | None
    template: PodTemplate


def parse_job(manifest: Manifest) -> Job:
    """A Job manifest; Unsupported for parallel Jobs."""
    name = manifest["metadata"]["name"]
    spec = manifest["spec"]
    if int(spec.get("parallelism", 1)) != 1 or int(spec.get("completions", 1)) != 1:
        raise Unsupported(f"Job/{name}: parallelism and completions other than 1")
    template = parse_template(f"Job/{name}", spec["template"])
    if template.restart_policy not in ("Never", "OnFailure"):
        raise Unsupported(f"Job/{name}: restartPolicy {template.restart_policy}")
    deadline = spec.get("activeDeadlineSeconds")
    return Job(
        name=name,
        namespace=manifest["metadata"].get("namespace", "default"),
        backoff_limit=int(spec.get("backoffLimit", 6)),
        deadline=float(deadline) if deadline is not None else None,
        template=template,
    )


@dataclass(frozen=True)
class ServicePort:
    """A Service port and the container port it targets (a number or a port name)."""

    name: str
    port: int
    target: int | str


@dataclass(frozen=True)
class Service:
    """A Service: a name that resolves to the pods its selector picks."""

    name: str
    namespace: str
    headless: bool
    publish_not_ready: bool
    selector: dict[str, str]
    ports: tuple[ServicePort, ...] = field(default=())


def parse_service(manifest: Manifest) -> Service:
    """A Service manifest. NodePort and LoadBalancer Services are reachable by their cluster IP only."""
    spec = manifest["spec"]
    return Service(
        name=manifest["metadata"]["name"],
        namespace=manifest["metadata"].get("namespace", "default"),
        headless=spec.get("clusterIP") == "None",
        publish_not_ready=bool(spec.get("publishNotReadyAddresses", False)),
        selector=dict(spec.get("selector") or {}),
        ports=tuple(
            ServicePort(port.get("name", ""), int(port["port"]), port.get("targetPort", port["port"]))
            for port in spec.get("ports", [])
        ),
    )


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether a matchLabels selector picks an object with `labels` (an empty selector picks nothing)."""
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def key(manifest: Manifest) -> str:
    """`Kind/name`, how the runner names an object (within one namespace)."""
    return f"{manifest['kind']}/{manifest['metadata']['name']}"
