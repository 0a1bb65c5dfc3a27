"""NetworkPolicies: every port of a node closed but to the cluster's own pods, the client port also open to
the configured peers, the metrics port open to the scrapers and nothing else, the external port open when there
is an external listener, and no ingress at all to the admin Jobs."""

from typing import Any

from . import jmx_exporter, listeners, naming
from .manifests import Manifest, common_labels
from .spec import ClusterSpec, Peer


def own_pods(spec: ClusterSpec) -> Manifest:
    """The nodes and the admin Jobs of this cluster, as one label selector."""
    names = [naming.cluster_labels(spec.name)["app.kubernetes.io/name"], naming.ADMIN_NAME]
    return {
        "matchLabels": {"app.kubernetes.io/instance": spec.name},
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": names}],
    }


def _peer(peer: Peer) -> Manifest:
    selected: dict[str, Any] = {}
    if peer.namespace_labels is not None:
        selected["namespaceSelector"] = {"matchLabels": dict(peer.namespace_labels)}
    if peer.pod_labels is not None:
        selected["podSelector"] = {"matchLabels": dict(peer.pod_labels)}
    return selected


def _ports(opened: tuple[listeners.Listener, ...]) -> list[Manifest]:
    return [{"protocol": "TCP", "port": listener.port} for listener in opened]


def _from(peers: list[Peer], ports: list[Manifest]) -> list[Manifest]:
    """A rule that admits `peers` to `ports`; none when there are no peers (an empty `from` admits everyone)."""
    return [{"from": [_peer(peer) for peer in peers], "ports": ports}] if peers else []


def _policy(spec: ClusterSpec, namespace: str, subject: str, pods: Manifest, ingress: list[Manifest]) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": naming.network_policy_name(spec.name, subject),
            "namespace": namespace,
            "labels": common_labels(spec),
        },
        "spec": {"podSelector": pods, "policyTypes": ["Ingress"], "ingress": ingress},
    }


def nodes_policy(spec: ClusterSpec, namespace: str) -> Manifest:
    """Ingress to every node: all listeners from the cluster's own pods, the client port from the peers."""
    internal = tuple(listener for listener in listeners.for_cluster(spec) if listener is not listeners.EXTERNAL)
    rules = [{"from": [{"podSelector": own_pods(spec)}], "ports": _ports(internal)}]
    rules += _from(spec.network.clients_from, _ports((listeners.CLIENT,)))
    if spec.metrics.enabled:
        rules += _from(spec.metrics.scrape_from, [{"protocol": "TCP", "port": jmx_exporter.PORT}])
    if spec.listeners.external is not None:
        # From any source: behind a load balancer or node port the client's address is often rewritten, so
        # listeners.external.sourceRanges is enforced by the load balancer, and TLS by the listener.
        rules.append({"ports": _ports((listeners.EXTERNAL,))})
    return _policy(spec, namespace, "nodes", {"matchLabels": naming.cluster_labels(spec.name)}, rules)


def admin_policy(spec: ClusterSpec, namespace: str) -> Manifest:
    """No ingress to the admin Jobs' pods: they only connect out."""
    return _policy(spec, namespace, "admin", {"matchLabels": naming.admin_labels(spec.name)}, [])
