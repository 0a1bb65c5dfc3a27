"""A local kind cluster with three workers in three zones, created once and reused."""

import subprocess
from pathlib import Path

ZONES = ("zone-a", "zone-b", "zone-c")


def cluster_config(zones: tuple[str, ...] = ZONES) -> str:
    """kind's cluster config: one control plane and a worker per zone, labelled like cloud nodes."""
    workers = "".join(f"  - role: worker\n    labels:\n      topology.kubernetes.io/zone: {zone}\n" for zone in zones)
    return "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n" + workers


def exists(name: str) -> bool:
    """Whether kind already runs a cluster called `name`."""
    listed = subprocess.run(["kind", "get", "clusters"], check=True, capture_output=True, text=True).stdout
    return name in listed.split()


def ensure_cluster(name: str, kubeconfig: Path) -> Path:
    """Create the cluster unless it exists, and write its kubeconfig to `kubeconfig`."""
    if not exists(name):
        subprocess.run(["kind", "create", "cluster", "--name", name, "--config", "-", "--wait", "120s"],
                       input=cluster_config(), text=True, check=True)  # fmt: skip
    kubeconfig.parent.mkdir(parents=True, exist_ok=True)
    config = subprocess.run(["kind", "get", "kubeconfig", "--name", name], check=True, capture_output=True, text=True)
    kubeconfig.write_text(config.stdout)
    return kubeconfig


def delete_cluster(name: str) -> None:
    """Delete the cluster `name`, with every volume on its nodes; nothing happens when it does not exist."""
    if exists(name):
        subprocess.run(["kind", "delete", "cluster", "--name", name], check=True)
