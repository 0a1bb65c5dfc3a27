"""Kubernetes objects of a cluster as plain camelCase manifests: pure functions of the spec and namespace.

Only a leaf may be a Pulumi Input (the cluster ID); everything else is plain data.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from . import directory_ids, jmx_exporter, kafka_security, listeners, logging_config, naming
from .acls import acl_table
from .kafka_config import pool_properties, quorum_bootstrap_servers, render_properties
from .scripts import script
from .spec import ClusterSpec, ObjectMetadata, PoolSpec, Volume
from .topic_tables import config_table, topic_table

Manifest = dict[str, Any]
# ConfigMap files only the admin Jobs read: changing them never rolls a node.
ADMIN_FILES = frozenset({
    naming.ADD_CONTROLLERS_SCRIPT, naming.METADATA_VERSION_SCRIPT, naming.USERS_SCRIPT, naming.ACLS_KEY,
    naming.CLIENT_PROPERTIES_KEY, naming.CONTROLLER_CLIENT_PROPERTIES_KEY,
    naming.TOPICS_SCRIPT, naming.TOPICS_KEY, naming.TOPIC_CONFIGS_KEY,
})  # fmt: skip


def common_labels(spec: ClusterSpec) -> dict[str, str]:
    """Labels on every object of the cluster."""
    return {
        **naming.cluster_labels(spec.name),
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "kraft",
    }


def _metadata(spec: ClusterSpec, name: str, namespace: str, **extra_labels: str) -> Manifest:
    return {"name": name, "namespace": namespace, "labels": common_labels(spec) | extra_labels}


def with_template(metadata: Manifest, given: ObjectMetadata) -> Manifest:
    """`metadata` with a template's labels and annotations added. The template never holds a key kraft selects
    on or reads (the spec refuses them), so it only adds keys or relabels kraft's descriptive ones."""
    merged = {**metadata, "labels": metadata.get("labels", {}) | given.labels}
    annotations = metadata.get("annotations", {}) | given.annotations
    return merged | ({"annotations": annotations} if annotations or "annotations" in metadata else {})


def namespace(spec: ClusterSpec) -> Manifest:
    """The namespace, enforcing the restricted Pod Security Standard the pods are built to meet."""
    levels = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": spec.namespace, "labels": common_labels(spec) | levels},
    }


def secret_data(
    spec: ClusterSpec, cluster_id: str, directory_id_seed: str | None, scram_passwords: Mapping[str, str]
) -> dict[str, str]:
    """The cluster-ID Secret's keys: the cluster ID, the passwords of the bootstrapped SCRAM users (by user)
    and, in a dynamic quorum, each controller's metadata directory ID (derived from `directory_id_seed`)."""
    entries = directory_ids.secret_entries(spec, directory_id_seed) if directory_id_seed is not None else {}
    passwords = {naming.scram_password_key(user): password for user, password in scram_passwords.items()}
    return {naming.CLUSTER_ID_KEY: cluster_id, **passwords, **entries}


def secret(
    spec: ClusterSpec, name: str, namespace: str, data: Any, secret_type: str = "Opaque", **extra_labels: str
) -> Manifest:
    """A Secret of the cluster (`data` may be a secret Output)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(spec, name, namespace, **extra_labels),
        "type": secret_type,
        "stringData": data,
    }


def cluster_id_secret(spec: ClusterSpec, namespace: str, data: Any) -> Manifest:
    """The Secret the nodes read the cluster ID, directory IDs and SCRAM passwords from."""
    return secret(spec, naming.cluster_id_secret_name(spec.name), namespace, data)


def config_data(spec: ClusterSpec, namespace: str) -> dict[str, str]:
    """The ConfigMap's files: the scripts, one server.properties template per pool, and what the admin Jobs
    read (their client config templates and the users' ACLs)."""
    shipped = [naming.BOOTSTRAP_SCRIPT, naming.CONTROLLER_READY_SCRIPT, naming.PROPERTIES_LIBRARY]
    files = {naming.CLIENT_PROPERTIES_KEY: render_properties(kafka_security.admin_client_properties(spec))}
    files |= logging_config.files(spec)
    if spec.metadata_version is not None:
        shipped.append(naming.METADATA_VERSION_SCRIPT)
    if spec.is_dynamic_quorum:
        shipped.append(naming.ADD_CONTROLLERS_SCRIPT)
        controller_client = kafka_security.controller_client_properties(spec)
        files[naming.CONTROLLER_CLIENT_PROPERTIES_KEY] = render_properties(controller_client)
    if spec.manages_users:
        shipped.append(naming.USERS_SCRIPT)
        files[naming.ACLS_KEY] = acl_table(spec)
    if spec.manages_topics:
        shipped.append(naming.TOPICS_SCRIPT)
        files[naming.TOPICS_KEY], files[naming.TOPIC_CONFIGS_KEY] = topic_table(spec), config_table(spec)
    if spec.metrics.enabled:
        files[jmx_exporter.RULES_KEY] = jmx_exporter.exporter_config()
    scripts = {name: script(name) for name in shipped}
    templates = {
        naming.pool_template_key(pool.name): render_properties(pool_properties(spec, pool, namespace))
        for pool in spec.pools
    }
    return scripts | files | templates


def config_map(spec: ClusterSpec, namespace: str) -> Manifest:
    """The ConfigMap mounted at naming.CONFIG_MOUNT in every node."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(spec, naming.config_map_name(spec.name), namespace),
        "data": config_data(spec, namespace),
    }


def _pool_files(spec: ClusterSpec, pool: PoolSpec) -> set[str]:
    """The ConfigMap keys only some pools read: a pool's template and logging file."""
    return {naming.pool_template_key(pool.name), logging_config.logging_file(spec, pool)}


def pool_config_checksum(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> str:
    """A digest of everything a pool's nodes read at start: changing it rolls the pool. Except the dynamic
    quorum's bootstrap servers: a node uses them only to find the quorum, then follows the voters in the
    metadata log, so growing or shrinking the controller pool rolls no running node. Every list holds
    ordinal 0, which every pool size keeps, and a node that restarts reads the current list."""
    data = config_data(spec, namespace)
    others = set().union(*(_pool_files(spec, other) for other in spec.pools)) - _pool_files(spec, pool)
    controllers = quorum_bootstrap_servers(spec, namespace) if spec.is_dynamic_quorum else None
    digest = hashlib.sha256()
    for key in sorted(data.keys() - others - ADMIN_FILES):
        value = data[key].replace(controllers, "<controllers>") if controllers else data[key]
        digest.update(f"{key}\0{value}\0".encode())
    return digest.hexdigest()


def pod_disruption_budget(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> Manifest:
    """At most one pod of a pool down by voluntary disruption (drains, upgrades) at a time."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(spec, naming.statefulset_name(spec.name, pool.name), namespace),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": naming.pool_selector_labels(spec.name, pool.name)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def service_ports(opened: tuple[listeners.Listener, ...]) -> list[Manifest]:
    return [
        {"name": listener.port_name, "port": listener.port, "targetPort": listener.port_name, "protocol": "TCP"}
        for listener in opened
    ]


def _service(
    spec: ClusterSpec, name: str, namespace: str, selector: dict[str, str], opened: tuple[listeners.Listener, ...],
    **service_spec: Any,
) -> Manifest:  # fmt: skip
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": with_template(_metadata(spec, name, namespace), spec.template.service),
        "spec": {**service_spec, "selector": selector, "ports": service_ports(opened)},
    }


def headless_service(spec: ClusterSpec, namespace: str) -> Manifest:
    """Gives every pod its DNS name, ready or not: quorum members must find each other before they are ready."""
    name = naming.headless_service_name(spec.name)
    selector = naming.cluster_labels(spec.name)
    opened = listeners.for_cluster(spec)
    return _service(spec, name, namespace, selector, opened, clusterIP="None", publishNotReadyAddresses=True)


def bootstrap_service(spec: ClusterSpec, namespace: str) -> Manifest:
    """The address clients bootstrap from: the client port of ready brokers only."""
    name = naming.bootstrap_service_name(spec.name)
    selector = naming.cluster_labels(spec.name) | {naming.BROKER_LABEL: "true"}
    return _service(spec, name, namespace, selector, (listeners.CLIENT,), type="ClusterIP")


def bootstrap_servers(spec: ClusterSpec, namespace: str) -> str:
    """What clients inside the cluster put in `bootstrap.servers`."""
    host = naming.service_fqdn(naming.bootstrap_service_name(spec.name), namespace, spec.cluster_domain)
    return f"{host}:{listeners.CLIENT.port}"


def claim_growth_patch(spec: ClusterSpec, pool: PoolSpec, volume: Volume, ordinal: int, namespace: str) -> Manifest:
    """A server-side-apply patch that grows one data claim of a pool to its volume's `size`, beyond the claim
    template (which Kubernetes never lets change). The StatefulSet controller created the claim, so the
    patch forces ownership of the storage request."""
    statefulset = naming.statefulset_name(spec.name, pool.name)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": naming.claim_name(volume.name, statefulset, ordinal),
            "namespace": namespace,
            "annotations": {"pulumi.com/patchForce": "true"},
        },
        "spec": {"resources": {"requests": {"storage": volume.size}}},
    }
