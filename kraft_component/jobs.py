"""Jobs that run Kafka's own admin tools against the running cluster, from inside it."""

from . import naming, pod_template, pods
from .manifests import Manifest, bootstrap_servers, common_labels, with_template
from .spec import ClusterSpec
from .statefulset import node_volumes

# A tool needs far less than this heap (they run with 32 MiB); with the whole heap resident the tools measured
# at most 229 MiB, and the limit leaves 30% over that (docs/operations.md, 'Memory sizing').
TOOL_HEAP = "-Xms64m -Xmx128m"
JOB_MEMORY = "320Mi"


def admin_job(
    spec: ClusterSpec, namespace: str, name: str, task: str, command: list[str], *,
    env: dict[str, str] | None = None, volumes: list[Manifest] | None = None, mounts: list[Manifest] | None = None,
    deadline_seconds: int = 900, annotations: dict[str, str] | None = None,
) -> Manifest:  # fmt: skip
    """A Job that runs `command` once in the Kafka image, hardened like the nodes, retried on failure.
    Without `volumes` it gets admin_volumes. The cluster-level template places it, names its pull secrets and
    service account, and labels its pod, as for the nodes. `annotations` mark its pod template: a Job whose inputs
    live in the ConfigMap annotates their digest, so that changing them replaces the Job, which runs it again."""
    if volumes is None:
        volumes, mounts = admin_volumes(spec)
    variables = {
        "KAFKA_HEAP_OPTS": TOOL_HEAP,
        "LOG_DIR": naming.KAFKA_LOGS_MOUNT,
        "KRAFT_CLIENT_TEMPLATE": f"{naming.CONFIG_MOUNT}/{naming.CLIENT_PROPERTIES_KEY}",
        "KRAFT_WORK_DIR": naming.RUNTIME_MOUNT,
    } | (env or {})
    container = {
        "name": task,
        **pods.kafka_image(spec),
        "command": command,
        "env": [{"name": key, "value": value} for key, value in variables.items()],
        "resources": {
            "requests": {"cpu": "100m", "memory": JOB_MEMORY},
            "limits": {"cpu": "500m", "memory": JOB_MEMORY},
        },
        "securityContext": pods.container_security_context(),
        "volumeMounts": mounts or [],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": common_labels(spec) | {"app.kubernetes.io/component": task},
            "annotations": pods.checkov_skip_annotations(spec),
        },
        "spec": {
            "backoffLimit": 6,
            "activeDeadlineSeconds": deadline_seconds,
            "template": {
                "metadata": with_template(
                    {"labels": naming.admin_job_labels(spec.name, task)}
                    | ({"annotations": annotations} if annotations else {}),
                    spec.template.pod,
                ),
                "spec": {
                    "restartPolicy": "Never",
                    "enableServiceLinks": False,
                    "automountServiceAccountToken": False,
                    "securityContext": pods.pod_security_context(),
                    **pod_template.placement(spec.template),
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def admin_volumes(spec: ClusterSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumes, volumeMounts) of an admin Job: the nodes' config, Secrets and scratch space, no data."""
    return node_volumes(spec)


FEATURE_LEVELS_SINCE = (4, 0)  # `kafka-features.sh upgrade --metadata` is deprecated from here on


def metadata_version_job(spec: ClusterSpec, namespace: str) -> Manifest:
    """Finalise `metadata.version` at spec.metadata_version, in the form each release supports
    (scripts/metadata-version.sh)."""
    assert spec.metadata_version is not None, "only built when kraft:cluster.metadataVersion is set"
    return admin_job(
        spec, namespace, naming.metadata_version_job_name(spec.name), "metadata-version",
        ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.METADATA_VERSION_SCRIPT}"],
        env={
            "KRAFT_BOOTSTRAP_SERVERS": bootstrap_servers(spec, namespace),
            "KRAFT_METADATA_VERSION": spec.metadata_version,
            "KRAFT_FEATURE_LEVELS": str(spec.kafka_minor >= FEATURE_LEVELS_SINCE).lower(),
        },
    )  # fmt: skip
