"""NetworkPolicies: the nodes accept their own cluster's pods on every port and the configured peers on the
client port only; the admin Jobs accept nothing."""

from typing import Any

import pytest

from kraft_component.spec import InvalidSpec, parse_spec
from tests.gates.api_rules import selects

from .helpers import deploy, objects, one

DEDICATED = {
    "pools": [
        {"name": "controllers", "roles": ["controller"], "replicas": 3},
        {"name": "brokers", "roles": ["broker"], "replicas": 3},
    ]
}
ALL_PORTS = [{"protocol": "TCP", "port": port} for port in (9092, 9094, 9093)]


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def test_only_the_clusters_own_pods_reach_the_nodes_by_default() -> None:
    evaluation = deploy({**DEDICATED, "metadataVersion": "4.3"})
    policy = one(evaluation, "NetworkPolicy", "kafka-nodes")["spec"]
    assert policy["policyTypes"] == ["Ingress"]
    nodes = [pod_labels(s) for s in objects(evaluation, "StatefulSet")]
    jobs = [pod_labels(j) for j in objects(evaluation, "Job")]
    assert len(jobs) == 3, "metadata-version, add-controllers and users"
    assert all(selects(policy["podSelector"], labels) for labels in nodes)
    assert not any(selects(policy["podSelector"], job) for job in jobs)
    (rule,) = policy["ingress"]
    (peer,) = rule["from"]
    assert all(selects(peer["podSelector"], labels) for labels in [*nodes, *jobs])
    assert not selects(peer["podSelector"], {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": "other"})
    assert not selects(peer["podSelector"], {"app": "some-client"})
    assert "namespaceSelector" not in peer, "own pods: this namespace only"
    assert rule["ports"] == ALL_PORTS


def test_configured_peers_reach_the_client_port_only() -> None:
    peers = [
        {"namespaceLabels": {"kraft/client": "true"}},
        {"podLabels": {"app": "billing"}},
        {"namespaceLabels": {}, "podLabels": {"role": "etl"}},
    ]
    policy = one(deploy({**DEDICATED, "network": {"clientsFrom": peers}}), "NetworkPolicy", "kafka-nodes")["spec"]
    _, clients = policy["ingress"]
    assert clients["ports"] == [{"protocol": "TCP", "port": 9092}]
    assert clients["from"] == [
        {"namespaceSelector": {"matchLabels": {"kraft/client": "true"}}},
        {"podSelector": {"matchLabels": {"app": "billing"}}},
        {"namespaceSelector": {"matchLabels": {}}, "podSelector": {"matchLabels": {"role": "etl"}}},
    ]


def test_admin_jobs_accept_no_connections_and_exist_only_with_a_job() -> None:
    evaluation = deploy({**DEDICATED, "metadataVersion": "4.3"})
    policy = one(evaluation, "NetworkPolicy", "kafka-admin")["spec"]
    assert all(selects(policy["podSelector"], pod_labels(job)) for job in objects(evaluation, "Job"))
    assert not any(selects(policy["podSelector"], pod_labels(s)) for s in objects(evaluation, "StatefulSet"))
    assert (policy["policyTypes"], policy["ingress"]) == (["Ingress"], [])
    no_jobs = deploy(
        {**DEDICATED, "quorum": {"mode": "static"}, "listeners": {"client": "SSL"}, "authorization": {"enabled": False}}
    )
    assert objects(no_jobs, "Job") == []
    assert [p["metadata"]["name"] for p in objects(no_jobs, "NetworkPolicy")] == ["kafka-nodes"]


def test_a_peer_that_names_no_pods_is_refused() -> None:
    with pytest.raises(
        InvalidSpec,
        match=r"kraft:cluster.network.clientsFrom\[0\]: names no pods; allowed: namespaceLabels, podLabels or both",
    ):
        parse_spec({"network": {"clientsFrom": [{}]}})
