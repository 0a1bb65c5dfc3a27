"""What the end-to-end flow deploys: the stack config, the pods it expects, and its own tool pods."""

from typing import Any

from kraft_component import jobs, naming
from kraft_component.manifests import Manifest
from kraft_component.spec import ClusterSpec, PoolSpec

NAMESPACE = "kafka"
OLD_VERSION = "4.3.1"  # deployed first
NEW_VERSION = "4.4.0"  # rolled out in the upgrade step
CONTROLLERS = "controllers"
BROKERS = "brokers"
CLIENT_LABELS = {"kraft-e2e/client": "true"}  # admitted to the client port by network.clientsFrom
CLIENT_POD = "e2e-client"
ADMIN_POD = "e2e-admin"  # labelled like the admin Jobs, which reach every port of the nodes (the quorum's too)
_SMALL = {
    "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    "storage": {"size": "1Gi"},
    "startupTimeoutSeconds": 300,
}


def cluster_config(kafka_version: str = OLD_VERSION, brokers: int = 3) -> dict[str, Any]:
    """`kraft:cluster`: three dedicated controllers and a broker pool spread over the kind zones, production
    rules, sized for a laptop."""
    return {
        "name": "kafka",
        "profile": "production",
        "namespace": NAMESPACE,
        "kafkaVersion": kafka_version,
        "quorum": {"mode": "dynamic"},
        "network": {"clientsFrom": [{"podLabels": CLIENT_LABELS}]},
        # The tool pods speak plain Kafka; the secure listeners are proven offline (tests/test_security.py).
        "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
        "authorization": {"enabled": False},
        "pools": [
            {"name": CONTROLLERS, "roles": ["controller"], "replicas": 3, **_SMALL},
            {"name": BROKERS, "roles": ["broker"], "replicas": brokers, "scheduling": {"zoneSpread": "required"},
             **_SMALL},
        ],
    }  # fmt: skip


def pool(spec: ClusterSpec, name: str) -> PoolSpec:
    """The pool called `name`."""
    return next(candidate for candidate in spec.pools if candidate.name == name)


def pool_pods(spec: ClusterSpec, name: str) -> list[str]:
    """The pods of a pool, by ordinal."""
    statefulset = naming.statefulset_name(spec.name, name)
    return [naming.pod_name(statefulset, ordinal) for ordinal in range(pool(spec, name).replicas)]


def cluster_pods(spec: ClusterSpec) -> list[str]:
    """Every Kafka pod of the cluster."""
    return [pod for each in spec.pools for pod in pool_pods(spec, each.name)]


def roll_order(spec: ClusterSpec) -> list[str]:
    """The order a template change replaces pods in: controller pools first (the broker StatefulSets wait for
    them), and within a pool from the highest ordinal down, as a StatefulSet rolling update does."""
    pools = sorted(spec.pools, key=lambda each: not each.is_controller)
    return [pod for each in pools for pod in reversed(pool_pods(spec, each.name))]


def controller_pod(spec: ClusterSpec, node_id: int) -> str:
    """The pod of the controller with `node_id`."""
    owner = next(each for each in spec.controller_pools if node_id in each.node_ids())
    return naming.pod_name(naming.statefulset_name(spec.name, owner.name), node_id - owner.first_node_id)


def claims(spec: ClusterSpec) -> list[str]:
    """The data PersistentVolumeClaims of every pod."""
    return sorted(
        naming.claim_name(volume.name, naming.statefulset_name(spec.name, each.name), ordinal)
        for each in spec.pools
        for volume in each.storage.data_volumes
        for ordinal in range(each.replicas)
    )


def tool_pod(spec: ClusterSpec, name: str, labels: dict[str, str]) -> Manifest:
    """A long-running pod with Kafka's tools, hardened exactly like the admin Jobs (restricted Pod Security
    Standard), to `kubectl exec` the tools in."""
    scratch = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]  # no Secrets: these pods speak plain Kafka
    job = jobs.admin_job(
        spec, NAMESPACE, name, "tools", ["sleep", "86400"], env={"LOG_DIR": naming.TMP_MOUNT},
        volumes=scratch, mounts=[{"name": "tmp", "mountPath": naming.TMP_MOUNT}],
    )  # fmt: skip
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": job["spec"]["template"]["spec"],
    }


def client_pod(spec: ClusterSpec) -> Manifest:
    """The producer and consumer's pod: a client from network.clientsFrom, not one of the cluster's own."""
    return tool_pod(spec, CLIENT_POD, CLIENT_LABELS)


def admin_pod(spec: ClusterSpec) -> Manifest:
    """The pod that asks the controllers about the quorum, with the admin Jobs' labels."""
    return tool_pod(spec, ADMIN_POD, naming.admin_job_labels(spec.name, "e2e"))
