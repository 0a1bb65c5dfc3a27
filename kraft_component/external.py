"""Access from outside Kubernetes: a Service per broker, each broker advertised under its own host.

Clients bootstrap from any broker and then connect to each partition leader by the address that broker
advertises, so every broker needs an address of its own: `hostPattern` with its node ID, pointing at its
LoadBalancer (port 9095) or at the nodes (its own node port, `nodePortBase + 1 + node ID`).
"""

from . import listeners, naming
from .manifests import Manifest, common_labels, service_ports, with_template
from .spec import ClusterSpec, External, ExternalType, ObjectMetadata, PoolSpec


def settings(spec: ClusterSpec) -> External:
    """The external listener's settings (only called when it is configured)."""
    assert spec.listeners.external is not None, "only called with kraft:cluster.listeners.external set"
    return spec.listeners.external


def node_port_offset(spec: ClusterSpec) -> int:
    """A broker's node port minus its node ID; the bootstrap Service has `nodePortBase` itself."""
    return settings(spec).node_port_base + 1


def hosts(spec: ClusterSpec) -> list[str]:
    """Every external DNS name: each broker's and the bootstrap host, for the certificate."""
    if spec.listeners.external is None:
        return []
    pattern = settings(spec).host_pattern
    brokers = [
        naming.external_host(pattern, node_id) for pool in spec.pools if pool.is_broker for node_id in pool.node_ids()
    ]
    bootstrap = settings(spec).bootstrap_host
    return brokers + ([bootstrap] if bootstrap else [])


def _service(
    spec: ClusterSpec, name: str, namespace: str, selector: dict[str, str], node_port: int, *, given: ObjectMetadata
) -> Manifest:
    """An external Service: `listeners.external.annotations` and the template's (`given`) metadata."""
    external = settings(spec)
    (port,) = service_ports((listeners.EXTERNAL,))
    service_spec: Manifest = {"type": external.type.value, "selector": selector, "ports": [port]}
    if external.type is ExternalType.NODE_PORT:
        port["nodePort"] = node_port
    else:
        service_spec["loadBalancerSourceRanges"] = list(external.source_ranges)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": with_template(
            {
                "name": name,
                "namespace": namespace,
                "labels": common_labels(spec),
                "annotations": dict(external.annotations),
            },
            given,
        ),
        "spec": service_spec,
    }


def broker_service(spec: ClusterSpec, pool: PoolSpec, ordinal: int, namespace: str) -> Manifest:
    """The Service of one broker pod: selects exactly that pod."""
    pod = naming.pod_name(naming.statefulset_name(spec.name, pool.name), ordinal)
    selector = naming.pool_selector_labels(spec.name, pool.name) | {naming.POD_NAME_LABEL: pod}
    node_port = node_port_offset(spec) + pool.first_node_id + ordinal
    given = spec.pod_template(pool).service
    return _service(spec, naming.external_service_name(pod), namespace, selector, node_port, given=given)


def bootstrap_service(spec: ClusterSpec, namespace: str) -> Manifest:
    """The Service external clients bootstrap from: every broker."""
    selector = naming.cluster_labels(spec.name) | {naming.BROKER_LABEL: "true"}
    name = naming.external_bootstrap_service_name(spec.name)
    return _service(spec, name, namespace, selector, settings(spec).node_port_base, given=spec.template.service)
