"""The Job that makes every controller of a dynamic quorum a voter (KIP-853 `add-controller`).

A controller added after creation starts as an observer; it votes only once the active controller accepts
its AddRaftVoter request. The Job does that for each controller of the pool that is not yet a voter, once it
has caught up, and succeeds at once for a controller that already votes, so re-running it is harmless.
"""

from . import naming
from .kafka_config import quorum_bootstrap_servers
from .manifests import Manifest, common_labels
from .spec import ClusterSpec
from .statefulset import (
    NETWORK_POLICY_CHECKOV_SKIP,
    UID_CHECKOV_SKIP,
    checkov_skip_annotations,
    container_security_context,
    image_checkov_skips,
    node_volumes,
    pod_security_context,
)

MAX_CATCH_UP_LAG = 100  # metadata records an observer may trail the leader by and count as caught up
POLL_SECONDS = 10
DEADLINE_SECONDS = 3600
BACKOFF_LIMIT = 6
HEAP = "-Xms128m -Xmx256m"  # kafka-metadata-quorum.sh is an AdminClient: a small heap is plenty
RESOURCES = {"requests": {"cpu": "100m", "memory": "384Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}}


def pod_labels(spec: ClusterSpec) -> dict[str, str]:
    """Labels of the Job's pod: not the cluster's pod labels, so no Service or PodDisruptionBudget selects it."""
    return common_labels(spec) | {"app.kubernetes.io/name": "kafka-add-controllers"}


def environment(spec: ClusterSpec, namespace: str) -> list[Manifest]:
    """What add-controllers.sh reads: the controller pool, where the quorum is, the Secret's files."""
    (pool,) = spec.controller_pools
    values = {
        "KRAFT_STATEFULSET": naming.statefulset_name(spec.name, pool.name),
        "KRAFT_NODE_ID_OFFSET": str(pool.first_node_id),
        "KRAFT_REPLICAS": str(pool.replicas),
        "KRAFT_TEMPLATE": f"{naming.CONFIG_MOUNT}/{naming.pool_template_key(pool.name)}",
        "KRAFT_BOOTSTRAP_CONTROLLERS": quorum_bootstrap_servers(spec, namespace),
        "KRAFT_CLUSTER_ID_FILE": f"{naming.SECRETS_MOUNT}/{naming.CLUSTER_ID_KEY}",
        "KRAFT_DIRECTORY_ID_DIR": naming.SECRETS_MOUNT,
        "KRAFT_DIRECTORY_ID_KEY_PREFIX": naming.DIRECTORY_ID_KEY_PREFIX,
        "KRAFT_WORK_DIR": naming.RUNTIME_MOUNT,
        "KRAFT_MAX_LAG": str(MAX_CATCH_UP_LAG),
        "KRAFT_POLL_SECONDS": str(POLL_SECONDS),
        "KAFKA_HEAP_OPTS": HEAP,
        "LOG_DIR": naming.KAFKA_LOGS_MOUNT,
    }
    return [{"name": name, "value": value} for name, value in values.items()]


def add_controllers_job(spec: ClusterSpec, namespace: str) -> Manifest:
    """The Job, with the Kafka image's tools, the nodes' volumes and a restricted, token-less pod."""
    volumes, mounts = node_volumes(spec)
    container = {
        "name": "add-controllers",
        "image": spec.image_ref,
        "imagePullPolicy": spec.image_pull_policy.value,
        "command": ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.ADD_CONTROLLERS_SCRIPT}"],
        "env": environment(spec, namespace),
        "resources": RESOURCES,
        "securityContext": container_security_context(),
        "volumeMounts": [mount for mount in mounts if mount["name"] != "data"],
    }
    skips = [UID_CHECKOV_SKIP, *image_checkov_skips(spec), NETWORK_POLICY_CHECKOV_SKIP]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": naming.add_controllers_job_name(spec.name),
            "namespace": namespace,
            "labels": common_labels(spec),
            "annotations": checkov_skip_annotations(skips),
        },
        "spec": {
            "backoffLimit": BACKOFF_LIMIT,
            "activeDeadlineSeconds": DEADLINE_SECONDS,
            "template": {
                "metadata": {"labels": pod_labels(spec)},
                "spec": {
                    "restartPolicy": "Never",
                    "enableServiceLinks": False,
                    "automountServiceAccountToken": False,
                    "securityContext": pod_security_context(),
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }
