"""The component under the plain mocks of Pulumi's testing guide, as a user's own unit tests run it.

Those mocks echo every resource's inputs back as its outputs, so whatever only a provider computes (a RandomId's
value, a RandomPassword, the tls keys and certificates) stays unset. The component must still register every
object, with the values it knows for real and PROVIDER_COMPUTED where a provider would compute one.
"""

from typing import Any

import pulumi
import pytest

from kraft_component import PROVIDER_COMPUTED, KraftCluster, KraftClusterArgs
from kraft_component.evaluation import Evaluation, evaluate
from tests.gates.offline import offline_gates

from .helpers import STACKS, EchoMocks, evaluate_config, evaluate_stack, stack_config

CONTROLLERS = {"name": "controllers", "roles": ["controller"], "replicas": 3}
BROKERS = {"name": "brokers", "roles": ["broker"], "replicas": 3}
EXTERNAL = {"type": "NodePort", "protocol": "SASL_SSL", "hostPattern": "kafka-{nodeId}.example.com"}
SPECS: dict[str, dict[str, Any]] = {
    "defaults (SASL over generated TLS)": {},
    "plain text": {
        "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
        "authorization": {"enabled": False},
    },
    "cert-manager": {"tls": {"source": "certManager", "issuer": {"name": "internal-ca"}}},
    "users and ACLs": {
        "users": [{"name": "orders", "acls": [{"resourceType": "topic", "name": "orders", "operations": ["Read"]}]}]
    },
    "external listeners": {"listeners": {"external": EXTERNAL}},
    "grown volumes": {"pools": [CONTROLLERS, {**BROKERS, "storage": {"size": "50Gi", "templateSize": "20Gi"}}]},
    "dynamic quorum, grown": {"quorum": {"initialControllers": 3}, "pools": [{**CONTROLLERS, "replicas": 5}, BROKERS]},
    "static quorum": {"quorum": {"mode": "static"}},
    "metadata version": {"metadataVersion": "4.3"},
}


def plain(program: Any) -> Evaluation:
    return evaluate(program, mocks=EchoMocks())


def cluster(spec: dict[str, Any]) -> KraftCluster:
    return KraftCluster("kafka", KraftClusterArgs(spec))


def outputs(component: KraftCluster) -> pulumi.Output[dict[str, Any]]:
    names = ("bootstrap_servers", "cluster_id", "statefulset_names", "user_secret_names", "admin_password")
    return pulumi.Output.all(**{name: getattr(component, name) for name in names})


def registered(evaluation: Evaluation) -> list[tuple[str, str]]:
    return sorted((r.type, r.name) for r in evaluation.registrations)


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS)
def test_every_spec_registers_what_it_registers_under_computing_mocks(spec: dict[str, Any]) -> None:
    echoed = plain(lambda: outputs(cluster(spec)))
    assert registered(echoed) == registered(evaluate(lambda: cluster(spec)))
    objects = echoed.kubernetes_objects(show_secrets=True)
    assert offline_gates(objects) == []
    secrets = [obj["stringData"] for obj in objects if obj["kind"] == "Secret"]
    assert all(isinstance(value, str) for data in secrets for value in data.values())


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS)
def test_known_outputs_are_real_and_computed_ones_are_named_placeholders(spec: dict[str, Any]) -> None:
    resolved = plain(lambda: outputs(cluster(spec))).resolved
    assert resolved["bootstrap_servers"] == "kafka-bootstrap.kafka.svc.cluster.local:9092"
    assert resolved["statefulset_names"] == {
        pool.get("name", "?"): f"kafka-{pool.get('name')}" for pool in spec.get("pools", [CONTROLLERS, BROKERS])
    }
    assert resolved["user_secret_names"] == {
        user["name"]: f"kafka-user-{user['name']}" for user in spec.get("users", [])
    }
    assert resolved["cluster_id"] == resolved["admin_password"] == PROVIDER_COMPUTED


def test_an_adopted_cluster_id_is_used_as_given() -> None:
    adopted = "MkU3OEVBNTcwNTJENDM2Qg"
    resolved = plain(lambda: outputs(KraftCluster("kafka", KraftClusterArgs({}, cluster_id=adopted)))).resolved
    assert resolved["cluster_id"] == adopted


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_evaluates_under_plain_mocks(stack: str) -> None:
    assert registered(evaluate_config(stack_config(stack), mocks=EchoMocks())) == registered(evaluate_stack(stack))
