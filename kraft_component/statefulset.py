"""The StatefulSet of a pool: pod template, probes, JVM sizing, storage and scheduling."""

import math
from typing import Any

from . import listeners, metrics, naming, pod_template, pods, quorum_marker
from .kafka_config import initial_controllers
from .logging_config import log4j_opts
from .manifests import Manifest, common_labels, pool_config_checksum, with_template
from .spec import ClusterSpec, ExternalType, PoolSpec, Spread

STARTUP_PROBE_PERIOD = 10
METADATA_STALE_SECONDS = 30
_WHEN_UNSATISFIABLE = {Spread.REQUIRED: "DoNotSchedule", Spread.PREFERRED: "ScheduleAnyway"}


def pod_labels(spec: ClusterSpec, pool: PoolSpec) -> dict[str, str]:
    """Labels of a pool's pods: the pool selector plus the roles, which the Services select on."""
    roles = {naming.BROKER_LABEL: str(pool.is_broker).lower(), naming.CONTROLLER_LABEL: str(pool.is_controller).lower()}
    return common_labels(spec) | naming.pool_selector_labels(spec.name, pool.name) | roles


def _tcp(port_name: str) -> Manifest:
    return {"tcpSocket": {"port": port_name}}


def probes(pool: PoolSpec) -> Manifest:
    """Startup covers log recovery; liveness means the JVM answers; readiness means the node does its job:
    a broker opens its client port only once it has caught up and is unfenced, a controller is ready
    once it knows the quorum leader and follows the metadata log."""
    serving_port = listeners.CLIENT if pool.is_broker else listeners.CONTROLLER
    alive_port = listeners.CONTROLLER if pool.is_controller else listeners.INTERNAL
    if pool.is_broker:
        readiness: Manifest = _tcp(listeners.CLIENT.port_name)
    else:
        readiness = {"exec": {"command": ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.CONTROLLER_READY_SCRIPT}"]}}
    return {
        "startupProbe": _tcp(serving_port.port_name)
        | {
            "periodSeconds": STARTUP_PROBE_PERIOD,
            "timeoutSeconds": 5,
            "failureThreshold": math.ceil(pool.startup_timeout_seconds / STARTUP_PROBE_PERIOD),
        },
        "livenessProbe": _tcp(alive_port.port_name) | {"periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 6},
        "readinessProbe": readiness | {"periodSeconds": 5, "timeoutSeconds": 5, "failureThreshold": 3},
    }


def is_dynamic_controller(spec: ClusterSpec, pool: PoolSpec) -> bool:
    """Whether the pool's nodes vote in a dynamic (KIP-853) quorum, and so read the quorum marker."""
    return spec.is_dynamic_quorum and pool.is_controller


def quorum_environment(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> dict[str, str]:
    """How a node formats its metadata directory: the quorum mode and, for a dynamic controller, the
    initial controllers (`id@host:port`; their directory IDs stay in the Secret, read from files) and where
    the quorum marker appears once the quorum has formed."""
    values = {"KRAFT_QUORUM_MODE": spec.quorum.mode.value}
    if is_dynamic_controller(spec, pool):
        values["KRAFT_INITIAL_CONTROLLERS"] = initial_controllers(spec, namespace)
        values["KRAFT_DIRECTORY_ID_DIR"] = naming.SECRETS_MOUNT
        values["KRAFT_DIRECTORY_ID_KEY_PREFIX"] = naming.DIRECTORY_ID_KEY_PREFIX
        values["KRAFT_QUORUM_FORMED_FILE"] = quorum_marker.formed_file()
    return values


def environment(spec: ClusterSpec, pool: PoolSpec, pool_index: int, namespace: str) -> list[Manifest]:
    """What the node bootstrap script and Kafka's launcher read (never a secret value), then the template's."""
    template = spec.pod_template(pool)
    values = {
        "KRAFT_STATEFULSET": naming.statefulset_name(spec.name, pool.name),
        "KRAFT_NODE_ID_OFFSET": str(pool.first_node_id),
        "KRAFT_NODE_ID_KEY": f"kraft:cluster.pools[{pool_index}].nodeIdOffset",
        "KRAFT_TEMPLATE": f"{naming.CONFIG_MOUNT}/{naming.pool_template_key(pool.name)}",
        "KRAFT_SERVER_PROPERTIES": naming.SERVER_PROPERTIES,
        "KRAFT_CLUSTER_ID_FILE": f"{naming.SECRETS_MOUNT}/{naming.CLUSTER_ID_KEY}",
        "KRAFT_METADATA_STALE_SECONDS": str(METADATA_STALE_SECONDS),
        "KRAFT_JVM_STARTED_FILE": naming.JVM_STARTED,
        "KAFKA_HEAP_OPTS": pod_template.heap_options(pool.resources.limits.memory, template.jvm),
        "KAFKA_JVM_PERFORMANCE_OPTS": pod_template.performance_options(template.jvm),
        "KAFKA_LOG4J_OPTS": log4j_opts(spec, pool),
        "LOG_DIR": naming.KAFKA_LOGS_MOUNT,
        "EXTRA_ARGS": "-name kafkaServer",  # no -loggc: no GC log files growing in the container
        **quorum_environment(spec, pool, namespace),
        "KRAFT_SECRETS_DIR": naming.SECRETS_MOUNT,
        "KRAFT_SCRAM_USERS": " ".join(naming.BOOTSTRAPPED_USERS),
        **metrics.environment(spec),
    }
    external = spec.listeners.external
    if pool.is_broker and external is not None and external.type is ExternalType.NODE_PORT:
        values["KRAFT_EXTERNAL_PORT_OFFSET"] = str(external.node_port_base + 1)
    pod_name: Manifest = {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    own = [pod_name] + [{"name": name, "value": value} for name, value in values.items()]
    return own + pod_template.environment(template)


def node_volumes(spec: ClusterSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumes, volumeMounts) besides the data volumes: config, secrets and certificate read-only; scratch
    space exactly where Kafka writes."""
    scratch = {"runtime": naming.RUNTIME_MOUNT, "kafka-logs": naming.KAFKA_LOGS_MOUNT, "tmp": naming.TMP_MOUNT}
    volumes: list[Manifest] = [
        {"name": "config", "configMap": {"name": naming.config_map_name(spec.name), "defaultMode": 0o444}},
        {
            "name": "cluster-id",
            "secret": {"secretName": naming.cluster_id_secret_name(spec.name), "defaultMode": 0o440},
        },
    ] + [{"name": name, "emptyDir": {"sizeLimit": "256Mi"}} for name in scratch]
    read_only = {"config": naming.CONFIG_MOUNT, "cluster-id": naming.SECRETS_MOUNT}
    if spec.listeners.uses_tls:
        volumes.append(
            {"name": "tls", "secret": {"secretName": naming.tls_secret_name(spec.name), "defaultMode": 0o440}}
        )
        read_only["tls"] = naming.TLS_MOUNT
    mounts = [{"name": name, "mountPath": path, "readOnly": True} for name, path in read_only.items()]
    mounts += [{"name": name, "mountPath": path} for name, path in scratch.items()]
    return volumes, mounts


def pod_volumes(spec: ClusterSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumes, the Kafka container's mounts) of a node: node_volumes and the metrics agent's."""
    volumes, mounts = node_volumes(spec)
    agent_volumes, agent_mounts = metrics.volumes(spec)
    return volumes + agent_volumes, mounts + agent_mounts


def _spread(spec: ClusterSpec, pool: PoolSpec) -> list[Manifest]:
    selector = {"matchLabels": naming.pool_selector_labels(spec.name, pool.name)}
    domains = {naming.HOST_LABEL: pool.scheduling.host_spread}
    if pool.scheduling.zone is None:  # a pool pinned to one zone has nothing to spread across
        domains = {naming.ZONE_LABEL: pool.scheduling.zone_spread} | domains
    return [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": _WHEN_UNSATISFIABLE[spread], "labelSelector": selector}
        for key, spread in domains.items()
    ]


def pool_volumes(spec: ClusterSpec, pool: PoolSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumes, the Kafka container's mounts) of a pool's pods: pod_volumes, and the quorum marker in
    dynamic controllers."""
    volumes, mounts = pod_volumes(spec)
    if is_dynamic_controller(spec, pool):
        return [*volumes, quorum_marker.volume(spec)], [*mounts, quorum_marker.mount()]
    return volumes, mounts


def container(spec: ClusterSpec, pool: PoolSpec, pool_index: int, namespace: str) -> Manifest:
    """The Kafka container: runs the node bootstrap script, which execs the Kafka server."""
    _, mounts = pool_volumes(spec, pool)
    data = [
        {"name": volume.name, "mountPath": naming.volume_mount(volume.name)} for volume in pool.storage.data_volumes
    ]
    resources = pool.resources
    return {
        "name": "kafka",
        **pods.kafka_image(spec),
        "command": ["/bin/bash", f"{naming.CONFIG_MOUNT}/{naming.BOOTSTRAP_SCRIPT}"],
        "ports": [
            {"name": listener.port_name, "containerPort": listener.port, "protocol": "TCP"}
            for listener in listeners.for_pool(spec, pool)
        ]
        + metrics.container_ports(spec),
        "env": environment(spec, pool, pool_index, namespace),
        "resources": {
            "requests": {"cpu": resources.requests.cpu, "memory": resources.requests.memory},
            "limits": {"cpu": resources.limits.cpu, "memory": resources.limits.memory},
        },
        **probes(pool),
        "securityContext": pods.container_security_context(),
        "volumeMounts": data + mounts,
    }


def claim_templates(spec: ClusterSpec, pool: PoolSpec) -> list[Manifest]:
    """One claim template per data volume, at the size the pool was created with."""
    templates = []
    for volume in pool.storage.data_volumes:
        claim_spec: Manifest = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": volume.claim_template_size}},
        }
        if volume.storage_class:
            claim_spec["storageClassName"] = volume.storage_class
        labels = naming.pool_selector_labels(spec.name, pool.name)
        templates.append({"metadata": {"name": volume.name, "labels": labels}, "spec": claim_spec})
    return templates


def statefulset(
    spec: ClusterSpec, pool: PoolSpec, pool_index: int, namespace: str, tls_revision: str | None = None
) -> Manifest:
    """A pool's StatefulSet. Pods start in parallel (a quorum needs its peers up) and keep their volumes.
    A new `tls_revision` (a re-issued generated certificate) rolls the pool; the StatefulSet's own metadata
    never does."""
    name = naming.statefulset_name(spec.name, pool.name)
    template = spec.pod_template(pool)
    volumes, _ = pool_volumes(spec, pool)
    labels = pod_labels(spec, pool)
    pod_spec: dict[str, Any] = {
        "enableServiceLinks": False,
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": pod_template.grace_period(template),
        "securityContext": pods.pod_security_context(),
        "topologySpreadConstraints": _spread(spec, pool),
        **pod_template.placement(template),
        **({"initContainers": init} if (init := metrics.init_containers(spec)) else {}),
        "containers": [container(spec, pool, pool_index, namespace)],
        "volumes": volumes,
    }
    zone = {naming.ZONE_LABEL: pool.scheduling.zone} if pool.scheduling.zone else {}
    if pool.scheduling.node_selector or zone:
        pod_spec["nodeSelector"] = dict(pool.scheduling.node_selector) | zone
    pod_annotations = {naming.CONFIG_CHECKSUM_ANNOTATION: pool_config_checksum(spec, pool, namespace)} | (
        {naming.TLS_REVISION_ANNOTATION: tls_revision} if tls_revision else {}
    )
    metadata = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": pods.checkov_skip_annotations(spec, with_agent=spec.metrics.enabled),
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": with_template(metadata, template.stateful_set),
        "spec": {
            "serviceName": naming.headless_service_name(spec.name),
            "replicas": pool.replicas,
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "RollingUpdate"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "selector": {"matchLabels": naming.pool_selector_labels(spec.name, pool.name)},
            "template": {
                "metadata": with_template({"labels": labels, "annotations": pod_annotations}, template.pod),
                "spec": pod_spec,
            },
            "volumeClaimTemplates": claim_templates(spec, pool),
        },
    }
