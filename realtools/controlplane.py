"""A Kubernetes control plane on loopback, for the real-Pulumi tier.

Real: etcd, kube-apiserver (TLS, client certificates, RBAC, the default admission plugins including Pod
Security), kube-controller-manager (every default controller: StatefulSets, Jobs, namespaces, garbage
collection, volume binding, service accounts) and kube-scheduler, all built from the Go module proxy.
Not real: there are no kubelets. kwok plays the nodes (fake Node objects in three zones, kept alive with
leases) and moves scheduled pods to Running and Ready, and Job pods to Succeeded, without running any
container; probes are not run. No volume exists either: a provisioner loop here plays the external
provisioner and resizer of the test StorageClass: it creates a PersistentVolume (a hostPath that nothing
mounts) for each claim, which the controller manager binds, and when a bound claim asks for more, it grows
the volume and reports the claim's new capacity, as a driver that expands online would.
Nothing listens anywhere but 127.0.0.1, and Service and pod IPs are only data: no proxy routes them.
"""

import contextlib
import ssl
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes.client import ApiClient

from kraft_component.quantity import parse_quantity

from . import kubeapi, pki, processes
from .processes import Service, free_port, wait_until

ZONES = ("zone-a", "zone-b", "zone-c")
NODES_PER_ZONE = 2
NODE_CAPACITY = {"cpu": "32", "memory": "128Gi", "pods": "110"}
STORAGE_CLASS = "kraft-test"
PROVISIONER = "kraft.test/loopback"
SERVICE_CIDR = "10.96.0.0/24"  # Service IPs the API server hands out; nothing routes them
START_TIMEOUT = 180
PROVISION_INTERVAL = 0.5


@dataclass
class ControlPlane:
    """A running control plane: its kubeconfig, its processes, and the API client of its admin."""

    folder: Path
    kubeconfig: Path
    services: list[Service] = field(default_factory=list)
    provisioner: "Provisioner | None" = None

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

    def stop(self) -> None:
        """Stop the provisioner and every process, the last started first."""
        if self.provisioner is not None:
            self.provisioner.stop()
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


def storage_class() -> dict[str, Any]:
    """The default StorageClass: expandable, bound at once by the provisioner loop, volumes retained."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER,
        "allowVolumeExpansion": True,
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "Immediate",
    }


def volume_for(claim: Any, folder: Path) -> dict[str, Any]:
    """The PersistentVolume the provisioner loop makes for a claim: pre-bound to it, of the size it asks."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": f"pvc-{claim.metadata.uid}",
            "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER},
        },
        "spec": {
            "capacity": {"storage": claim.spec.resources.requests.storage},
            "accessModes": list(claim.spec.accessModes),
            "storageClassName": STORAGE_CLASS,
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": claim.metadata.namespace, "name": claim.metadata.name, "uid": claim.metadata.uid},
            "hostPath": {"path": str(folder / claim.metadata.uid), "type": "DirectoryOrCreate"},
        },
    }


def grown(claim: Any, volume: Any) -> str | None:
    """The size a bound claim asks for when it is more than its volume has, else None."""
    asked = claim.spec.resources.requests.storage
    return asked if parse_quantity(asked) > parse_quantity(volume.spec.capacity.storage) else None


class Provisioner:
    """Creates a volume for each pending claim of the test StorageClass and grows a volume whose claim asks
    for more, as an external provisioner and resizer would."""

    def __init__(self, api: ApiClient, folder: Path) -> None:
        self.claims = kubeapi.resource(api, "v1", "PersistentVolumeClaim")
        self.volumes = kubeapi.resource(api, "v1", "PersistentVolume")
        self.folder = folder
        self.stopped = threading.Event()
        self.errors: list[Exception] = []
        self.thread = threading.Thread(target=self._loop, name="provisioner", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(PROVISION_INTERVAL):
            try:
                self.provision()
            except Exception as error:  # kept and raised at stop: a test must not pass over a broken loop
                self.errors.append(error)
                return

    def provision(self) -> None:
        """One pass: a volume for every pending claim of the class that has none yet, and every bound claim's
        volume grown to what it asks."""
        volumes = {volume.metadata.name: volume for volume in self.volumes.get().items}
        for claim in self.claims.get().items:
            if claim.spec.storageClassName != STORAGE_CLASS:
                continue
            volume = volumes.get(f"pvc-{claim.metadata.uid}")
            if volume is None and claim.status.phase == "Pending":
                self.volumes.create(body=volume_for(claim, self.folder))
            elif volume is not None and claim.status.phase == "Bound" and (size := grown(claim, volume)):
                self.volumes.patch(name=volume.metadata.name, body={"spec": {"capacity": {"storage": size}}})
                self.claims.status.patch(
                    name=claim.metadata.name, namespace=claim.metadata.namespace,
                    body={"status": {"capacity": {"storage": size}}}, content_type="application/merge-patch+json",
                )  # fmt: skip

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
        if self.errors:
            raise RuntimeError(f"the provisioner loop failed: {self.errors[0]!r}")


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
        kubeapi.create(api, storage_class())
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
        plane.provisioner = Provisioner(api, folder / "volumes")
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
