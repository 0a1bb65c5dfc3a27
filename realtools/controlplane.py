"""A Kubernetes control plane on loopback, for the real-Pulumi tier.

Real: etcd, kube-apiserver (TLS, client certificates, RBAC, the default admission plugins including Pod
Security), kube-controller-manager (every default controller: StatefulSets, Jobs, namespaces, garbage
collection, volume binding, service accounts) and kube-scheduler, all built from the Go module proxy.
Not real: there are no kubelets. kwok plays the nodes (fake Node objects in three zones, kept alive with
leases) and moves scheduled pods to Running and Ready, and Job pods to Succeeded, without running any
container; probes are not run. What a cloud runs beside a control plane (a volume provisioner and resizer,
load balancers) is played by realtools.cloud.
Nothing listens anywhere but 127.0.0.1, and Service and pod IPs are only data: no proxy routes them.
"""

import contextlib
import ssl
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes.client import ApiClient
from kubernetes.dynamic.exceptions import ConflictError

from . import cloud, kubeapi, pki, processes
from .processes import Service, free_port, wait_until

ZONES = ("zone-a", "zone-b", "zone-c")
NODES_PER_ZONE = 2
NODE_CAPACITY = {"cpu": "32", "memory": "128Gi", "pods": "110"}
SERVICE_CIDR = "10.96.0.0/24"  # Service IPs the API server hands out; nothing routes them
START_TIMEOUT = 180


@dataclass
class ControlPlane:
    """A running control plane: its kubeconfig, its processes, and the API client of its admin."""

    folder: Path
    kubeconfig: Path
    services: list[Service] = field(default_factory=list)
    stand_ins: cloud.Cloud | None = None

    def api(self) -> ApiClient:
        """A client of the API server as its admin."""
        return kubeapi.client(str(self.kubeconfig))

    def peak_rss_mib(self) -> dict[str, int]:
        """Each process's peak resident memory so far."""
        return {service.name: service.peak_rss_mib() for service in self.services}

    def check_alive(self) -> None:
        """RuntimeError naming each process that exited, with the end of its log."""
        dead = [service for service in self.services if not service.alive()]
        if dead:
            raise RuntimeError("\n".join(f"{service.name} exited:\n{service.tail()}" for service in dead))

    def alive_and(self, condition: Callable[[], str | None]) -> Callable[[], str | None]:
        """`condition` for wait_until, failing at once when a process of the plane exited."""

        def check() -> str | None:
            self.check_alive()
            return condition()

        return check

    def install_crds(self, paths: Iterable[Path]) -> None:
        """Create the CustomResourceDefinitions of each file (keeping any that exist), and wait until they are
        served."""
        api = self.api()
        names = []
        for path in paths:
            for crd in filter(None, yaml.safe_load_all(path.read_text())):
                with contextlib.suppress(ConflictError):
                    kubeapi.create(api, crd)
                names.append(crd["metadata"]["name"])
        definitions = kubeapi.resource(api, "apiextensions.k8s.io/v1", "CustomResourceDefinition")
        wait_until(self.alive_and(lambda: _established(definitions, names)), START_TIMEOUT)

    def stop(self) -> None:
        """Stop the cloud's stand-ins and every process, the last started first."""
        if self.stand_ins is not None:
            self.stand_ins.stop()
        for service in reversed(self.services):
            service.stop()


def kubeconfig(server: str, ca: Path, user: pki.Issued) -> dict[str, Any]:
    """A kubeconfig of one user of the control plane (files referenced by path)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kraft-test", "cluster": {"server": server, "certificate-authority": str(ca)}}],
        "users": [{"name": "user", "user": {"client-certificate": str(user.certificate), "client-key": str(user.key)}}],
        "contexts": [{"name": "kraft-test", "context": {"cluster": "kraft-test", "user": "user"}}],
        "current-context": "kraft-test",
    }


def node(index: int, zone: str) -> dict[str, Any]:
    """A fake node for kwok, in `zone`."""
    name = f"kwok-node-{index}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": zone,
                "type": "kwok",
            },
        },
        "status": {"allocatable": NODE_CAPACITY, "capacity": NODE_CAPACITY},
    }


def _established(definitions: Any, names: list[str]) -> str | None:
    for name in names:
        conditions = definitions.get(name=name).status.conditions or ()
        if not any(condition.type == "Established" and condition.status == "True" for condition in conditions):
            return f"CustomResourceDefinition {name} is not established"
    return None


def _ready(url: str, context: ssl.SSLContext) -> str | None:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return None if response.status == 200 else f"{url} answered {response.status}"
    except OSError as error:
        return f"{url}: {error}"


def _nodes_ready(api: ApiClient) -> str | None:
    nodes = kubeapi.resource(api, "v1", "Node").get().items
    ready = [n for n in nodes if any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or ())]
    expected = len(ZONES) * NODES_PER_ZONE
    return None if len(ready) == expected else f"{len(ready)} of {expected} nodes Ready"


def _default_service_account(api: ApiClient) -> str | None:
    accounts = kubeapi.resource(api, "v1", "ServiceAccount").get(namespace="default").items
    return None if any(account.metadata.name == "default" for account in accounts) else "no default ServiceAccount"


def start(tools: Path, folder: Path) -> ControlPlane:
    """Start the control plane with the binaries in `tools`, state and logs in `folder`. Stops what it started
    when a part fails to come up."""
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    ca = pki.Authority(folder)
    issue = ca.issue
    loopback = ("127.0.0.1", "localhost")
    api_hosts = (*loopback, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                 "kubernetes.default.svc.cluster.local", "10.96.0.1")  # fmt: skip
    certificates = {
        "etcd": issue("etcd", "etcd", hosts=loopback),
        "etcd-client": issue("apiserver-etcd-client", "kube-apiserver"),
        "apiserver": issue("apiserver", "kube-apiserver", hosts=api_hosts),
        "admin": issue("admin", "kraft-admin", organizations=("system:masters",)),
        "kube-controller-manager": issue("controller-manager", "system:kube-controller-manager"),
        "kube-scheduler": issue("scheduler", "system:kube-scheduler"),
        "kwok": issue("kwok", "kwok", organizations=("system:masters",)),
    }
    service_account = pki.signing_key_pair(folder)
    etcd_port, etcd_peer_port, api_port = free_port(), free_port(), free_port()
    server = f"https://127.0.0.1:{api_port}"
    configs = {}
    for user in ("admin", "kube-controller-manager", "kube-scheduler", "kwok"):
        configs[user] = folder / f"{user}.kubeconfig"
        configs[user].write_text(yaml.safe_dump(kubeconfig(server, ca.path, certificates[user])))
    plane = ControlPlane(folder, configs["admin"])
    try:
        etcd_url = f"https://127.0.0.1:{etcd_port}"
        peer_url = f"http://127.0.0.1:{etcd_peer_port}"
        plane.services.append(processes.start("etcd", [
            str(tools / "etcd"), "--name", "kraft", "--data-dir", str(folder / "etcd"),
            "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
            "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
            "--initial-cluster", f"kraft={peer_url}",
            "--cert-file", str(certificates["etcd"].certificate), "--key-file", str(certificates["etcd"].key),
            "--client-cert-auth", "--trusted-ca-file", str(ca.path),
            "--unsafe-no-fsync", "--log-level", "warn",
        ], logs))  # fmt: skip
        plane.services.append(processes.start("kube-apiserver", [
            str(tools / "kube-apiserver"),
            "--etcd-servers", etcd_url, "--etcd-cafile", str(ca.path),
            "--etcd-certfile", str(certificates["etcd-client"].certificate),
            "--etcd-keyfile", str(certificates["etcd-client"].key),
            "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", str(api_port),
            "--tls-cert-file", str(certificates["apiserver"].certificate),
            "--tls-private-key-file", str(certificates["apiserver"].key),
            "--client-ca-file", str(ca.path), "--authorization-mode", "RBAC",
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file", str(service_account.certificate),
            "--service-account-signing-key-file", str(service_account.key),
            "--service-cluster-ip-range", SERVICE_CIDR, "--endpoint-reconciler-type", "none",
            "--cert-dir", str(folder / "apiserver"), "--profiling=false", "--v", "1",
        ], logs))  # fmt: skip
        context = ssl.create_default_context(cafile=str(ca.path))
        context.load_cert_chain(certificates["admin"].certificate, certificates["admin"].key)
        wait_until(plane.alive_and(lambda: _ready(f"{server}/readyz", context)), START_TIMEOUT)
        api = plane.api()
        for index in range(len(ZONES) * NODES_PER_ZONE):
            kubeapi.create(api, node(index, ZONES[index % len(ZONES)]))
        kubeapi.create(api, cloud.storage_class())
        plane.services.append(processes.start("kube-controller-manager", [
            str(tools / "kube-controller-manager"), "--kubeconfig", str(configs["kube-controller-manager"]),
            "--service-account-private-key-file", str(service_account.key), "--root-ca-file", str(ca.path),
            "--use-service-account-credentials", "--leader-elect=false", "--secure-port", "0",
            "--cluster-signing-cert-file", str(ca.path), "--cluster-signing-key-file", str(folder / "ca.key"),
            "--controllers", "*,-nodeipam", "--v", "1",
        ], logs))  # fmt: skip
        plane.services.append(processes.start("kube-scheduler", [
            str(tools / "kube-scheduler"), "--kubeconfig", str(configs["kube-scheduler"]),
            "--leader-elect=false", "--secure-port", "0", "--v", "1",
        ], logs))  # fmt: skip
        plane.services.append(processes.start("kwok", [
            str(tools / "kwok"), "--kubeconfig", str(configs["kwok"]), "--config", str(tools / "kwok-stages.yaml"),
            "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
            "--node-ip", "127.0.0.1", "--node-lease-duration-seconds", "40", "--server-address", "",
        ], logs))  # fmt: skip
        wait_until(plane.alive_and(lambda: _nodes_ready(api)), START_TIMEOUT)
        wait_until(plane.alive_and(lambda: _default_service_account(api)), START_TIMEOUT)
        plane.stand_ins = cloud.Cloud(api, folder / "volumes")
    except BaseException:
        plane.stop()
        raise
    return plane


@contextlib.contextmanager
def running(tools: Path, folder: Path) -> Iterator[ControlPlane]:
    """A control plane for the duration of the block, stopped afterwards whatever happens."""
    plane = start(tools, folder)
    try:
        yield plane
    finally:
        plane.stop()
