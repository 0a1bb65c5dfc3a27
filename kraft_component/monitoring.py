"""Objects of the Prometheus Operator, opt-in: a PodMonitor that scrapes every node, and a PrometheusRule with
the alerts a Kafka cluster needs.

Every series the PodMonitor collects carries `namespace` and two labels it adds from the pods' own: `kraft_cluster`
(the cluster's name) and `kraft_pool`. The alerts select on them, so they fire for this cluster only.
"""

from . import jmx_exporter, naming
from .manifests import Manifest, common_labels
from .spec import ClusterSpec, PoolSpec

API_VERSION = "monitoring.coreos.com/v1"
CLUSTER_LABEL = "kraft_cluster"
POOL_LABEL = "kraft_pool"
# Where the PodMonitor reads those labels: Prometheus's Kubernetes discovery names each pod label
# __meta_kubernetes_pod_label_<name with every other character made '_'>.
_DISCOVERED = {
    CLUSTER_LABEL: "__meta_kubernetes_pod_label_app_kubernetes_io_instance",
    POOL_LABEL: "__meta_kubernetes_pod_label_kraft_pool",
}
# kubelet's volume statistics (scraped by every kube-prometheus setup): Kafka has no metric of its disk space.
VOLUME_USED, VOLUME_CAPACITY = "kubelet_volume_stats_used_bytes", "kubelet_volume_stats_capacity_bytes"


def _metadata(name: str, spec: ClusterSpec, namespace: str, labels: dict[str, str]) -> Manifest:
    return {
        "name": name,
        "namespace": namespace,
        "labels": common_labels(spec) | labels,
    }


def pod_monitor(spec: ClusterSpec, namespace: str) -> Manifest:
    """Scrape the metrics port of every node of the cluster."""
    monitor = spec.metrics.pod_monitor
    relabelings = [
        {"action": "replace", "sourceLabels": [source], "targetLabel": target} for target, source in _DISCOVERED.items()
    ]
    endpoint = {"port": jmx_exporter.PORT_NAME, "path": "/metrics", "interval": monitor.interval}
    return {
        "apiVersion": API_VERSION,
        "kind": "PodMonitor",
        "metadata": _metadata(naming.pod_monitor_name(spec.name), spec, namespace, dict(monitor.labels)),
        "spec": {
            "selector": {"matchLabels": naming.cluster_labels(spec.name)},
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": [endpoint | {"relabelings": relabelings}],
        },
    }


def selector(spec: ClusterSpec, namespace: str, **labels: str) -> str:
    """A PromQL label selector of this cluster's series, narrowed by `labels`."""
    matchers = {"namespace": namespace, CLUSTER_LABEL: spec.name} | labels
    return "{" + ", ".join(f'{key}="{value}"' for key, value in matchers.items()) + "}"


def _alert(name: str, expr: str, *, wait: str, severity: str, summary: str, description: str) -> Manifest:
    """An alert that fires once `expr` has held for `wait`."""
    return {
        "alert": name,
        "expr": expr,
        "for": wait,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def _pool_down(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> Manifest:
    """Fewer nodes of a pool answer scrapes than it has replicas (a pod down, pending or not serving)."""
    pods = selector(spec, namespace, **{POOL_LABEL: pool.name})
    role = "controller" if pool.is_controller else "broker"
    return _alert(
        f"Kafka{role.capitalize()}Down",
        f"sum(up{pods}) < {pool.replicas} or absent(up{pods})",
        wait="5m",
        severity="critical" if pool.is_controller else "warning",
        summary=f"A {role} of pool {pool.name} is down",
        description=f"Fewer than {pool.replicas} pods of {naming.statefulset_name(spec.name, pool.name)} in {namespace} serve "
        "metrics: a node is down, not scheduled, or restarting.",
    )


def alerts(spec: ClusterSpec, namespace: str) -> list[Manifest]:
    """The alerting rules of the cluster."""
    of_cluster = selector(spec, namespace)
    on = f"by ({CLUSTER_LABEL}, namespace)"
    claims = "|".join(
        f"{volume.name}-{naming.statefulset_name(spec.name, pool.name)}"
        for pool in spec.pools
        for volume in pool.storage.data_volumes
    )  # each data volume's claims are <volume>-<statefulset>-<ordinal>
    volumes = f'{{namespace="{namespace}", persistentvolumeclaim=~"({claims})-[0-9]+"}}'
    threshold = spec.metrics.prometheus_rule.disk_usage_percent
    return [
        _alert(
            "KafkaUnderReplicatedPartitions",
            f"sum by ({CLUSTER_LABEL}, namespace, pod) (kafka_server_under_replicated_partitions{of_cluster}) > 0",
            wait="5m", severity="warning", summary="Partitions are under-replicated",
            description="{{ $labels.pod }} leads {{ $value }} partitions with fewer in-sync replicas than replicas: a broker is "
            "down or cannot keep up.",
        ),
        _alert(
            "KafkaUnderMinIsrPartitions",
            f"sum by ({CLUSTER_LABEL}, namespace, pod) (kafka_server_under_min_isr_partitions{of_cluster}) > 0",
            wait="1m", severity="critical", summary="Partitions are below min.insync.replicas",
            description="{{ $labels.pod }} leads {{ $value }} partitions below min.insync.replicas: acks=all writes to them fail.",
        ),
        _alert(
            "KafkaOfflinePartitions",
            f"max {on} (kafka_controller_offline_partitions{of_cluster}) > 0",
            wait="1m", severity="critical", summary="Partitions have no leader",
            description="{{ $value }} partitions have no leader: they can be neither written nor read.",
        ),
        _alert(
            "KafkaNoActiveController",
            f"sum {on} (kafka_controller_active_controller_count{of_cluster}) < 1"
            f" or absent(kafka_controller_active_controller_count{of_cluster})",
            wait="1m", severity="critical", summary="No active controller",
            description="No controller is active: the cluster cannot change its metadata (leaders, topics, brokers).",
        ),
        _alert(
            "KafkaMultipleActiveControllers",
            f"sum {on} (kafka_controller_active_controller_count{of_cluster}) > 1",
            wait="1m", severity="critical", summary="More than one active controller",
            description="{{ $value }} controllers claim to be active at once.",
        ),
        _alert(
            "KafkaNoQuorumLeader",
            f'sum {on} (kafka_raft_current_state{selector(spec, namespace, state="leader")}) < 1'
            f' or absent(kafka_raft_current_state{selector(spec, namespace, state="leader")})',
            wait="1m", severity="critical", summary="The KRaft quorum has no leader",
            description="No controller leads the metadata quorum: a majority of controllers is down or cannot reach each other.",
        ),
        *(_pool_down(spec, pool, namespace) for pool in spec.pools),
        _alert(
            "KafkaDiskUsageHigh",
            f"100 * {VOLUME_USED}{volumes} / {VOLUME_CAPACITY}{volumes} > {threshold}",
            wait="5m", severity="warning", summary=f"A Kafka data volume is more than {threshold}% full",
            description="{{ $labels.persistentvolumeclaim }} is {{ $value | humanize }}% full; grow it (docs/operations.md, 'Growing volumes') "
            "or shorten retention before it fills up.",
        ),
    ]  # fmt: skip


def prometheus_rule(spec: ClusterSpec, namespace: str) -> Manifest:
    """The alerts as a PrometheusRule."""
    rule = spec.metrics.prometheus_rule
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": _metadata(naming.prometheus_rule_name(spec.name), spec, namespace, dict(rule.labels)),
        "spec": {"groups": [{"name": f"kraft-{spec.name}", "rules": alerts(spec, namespace)}]},
    }
