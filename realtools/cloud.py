"""What a cloud's controllers do beside a control plane, played by one loop for the loopback control plane.

Volumes: the external provisioner and resizer of the test StorageClass. For each pending claim it creates a
PersistentVolume pre-bound to it (a hostPath that nothing mounts), which the controller manager's binder binds;
when a bound claim asks for more, it grows the volume and reports the claim's new capacity, as a driver that
expands online would.
Load balancers: the service controller of a cloud provider. A Service of type LoadBalancer gets an ingress
address in its status, from 127.0.1.0/24, which nothing listens on or routes: it is only data.
"""

import ipaddress
import threading
from pathlib import Path
from typing import Any

from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from kraft_component.quantity import parse_quantity

from . import kubeapi

STORAGE_CLASS = "kraft-test"
PROVISIONER = "kraft.test/loopback"
LOAD_BALANCER_ADDRESSES = ipaddress.ip_network("127.0.1.0/24")
INTERVAL = 0.5
RACES = (404, 409)  # an object deleted, or changed, between a pass's list and its write: the next pass retries


def storage_class() -> dict[str, Any]:
    """The default StorageClass: expandable, bound at once by the provisioner, volumes retained."""
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
    """The PersistentVolume the provisioner makes for a claim: pre-bound to it, of the size it asks."""
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


def awaits_address(service: Any) -> bool:
    """Whether a Service is a load balancer that has no ingress address yet."""
    status = service.status.loadBalancer if service.status else None
    return bool(service.spec.type == "LoadBalancer" and not (status and status.ingress))


class Cloud:
    """The loop that provisions and grows volumes and gives load balancers their addresses."""

    def __init__(self, api: ApiClient, folder: Path) -> None:
        self.claims = kubeapi.resource(api, "v1", "PersistentVolumeClaim")
        self.volumes = kubeapi.resource(api, "v1", "PersistentVolume")
        self.services = kubeapi.resource(api, "v1", "Service")
        self.folder = folder
        self.addresses = LOAD_BALANCER_ADDRESSES.hosts()
        self.stopped = threading.Event()
        self.errors: list[Exception] = []
        self.thread = threading.Thread(target=self._loop, name="cloud", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(INTERVAL):
            try:
                self.provision()
                self.balance()
            except ApiException as error:
                if error.status not in RACES:
                    self.errors.append(error)
                    return
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

    def balance(self) -> None:
        """One pass: an ingress address for every load balancer Service without one."""
        for service in self.services.get().items:
            if awaits_address(service):
                self.services.status.patch(
                    name=service.metadata.name, namespace=service.metadata.namespace,
                    body={"status": {"loadBalancer": {"ingress": [{"ip": str(next(self.addresses))}]}}},
                    content_type="application/merge-patch+json",
                )  # fmt: skip

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
        if self.errors:
            raise RuntimeError(f"the cloud's stand-in loop failed: {self.errors[0]!r}")
