"""The stack program over every stack file, the example program, and refusal of bad stack config."""

import json
import runpy
from decimal import Decimal
from typing import Any

import pulumi
import pytest
from pulumi.runtime import settings
from pulumi.runtime.stack import Stack

from kraft_component.evaluation import evaluate
from kraft_component.quantity import parse_quantity
from kraft_component.spec import QuorumMode, parse_spec
from kraft_component.stack import run

from .helpers import ROOT, STACKS, evaluate_config, evaluate_stack, objects, registration, stack_config, stack_spec

PRODUCTION_STACKS = ("staging", "prod")


def test_the_three_environments_exist() -> None:
    assert set(STACKS) == {"dev", "staging", "prod"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_evaluates_to_a_whole_cluster(stack: str) -> None:
    evaluation = evaluate_stack(stack)
    spec = stack_spec(stack)
    assert len(objects(evaluation, "StatefulSet")) == len(spec.pools)
    assert len(objects(evaluation, "PodDisruptionBudget")) == len(spec.pools)
    services = {s["metadata"]["name"] for s in objects(evaluation, "Service")}
    assert {"kafka-headless", "kafka-bootstrap"} <= services
    assert services - {"kafka-headless", "kafka-bootstrap"} == (
        {"kafka-external", *(f"kafka-brokers-{ordinal}-external" for ordinal in range(spec.broker_count))}
        if spec.listeners.external
        else set()
    )
    secrets = {s["metadata"]["name"] for s in objects(evaluation, "Secret")}
    users = {f"kafka-user-{user.name}" for user in spec.users}
    tls = {"kafka-tls"} if spec.listeners.uses_tls and spec.tls.source.value == "generated" else set()
    assert secrets == {"kafka-cluster-id", *users, *tls}


@pytest.mark.parametrize("stack", PRODUCTION_STACKS)
def test_production_stacks_use_the_secure_defaults(stack: str) -> None:
    spec = stack_spec(stack)
    defaults = parse_spec({})
    assert (spec.listeners.client, spec.listeners.internal, spec.listeners.controller) == (
        defaults.listeners.client, defaults.listeners.internal, defaults.listeners.controller,
    )  # fmt: skip
    assert spec.authorization.enabled and defaults.authorization.enabled
    assert defaults.listeners.client.value == "SASL_SSL" and defaults.listeners.controller.value == "SSL"


@pytest.mark.parametrize("stack", PRODUCTION_STACKS)
def test_production_stacks_run_dedicated_controllers_and_brokers(stack: str) -> None:
    spec = stack_spec(stack)
    assert all(len(pool.roles) == 1 for pool in spec.pools), "combined nodes are for dev only"
    assert spec.controller_count == 3
    assert spec.broker_count >= 3
    assert (spec.replication_factor, spec.min_insync_replicas) == (3, 2)


def test_dev_fits_a_laptop() -> None:
    spec = stack_spec("dev")
    memory = sum(parse_quantity(pool.resources.limits.memory) * pool.replicas for pool in spec.pools)
    storage = sum(parse_quantity(pool.storage.size) * pool.replicas for pool in spec.pools)
    assert memory <= 4 * Decimal(2) ** 30
    assert storage <= 10 * Decimal(2) ** 30


def test_stack_exports_the_cluster_outputs() -> None:
    evaluate_stack("dev")
    root = settings.get_root_resource()
    assert isinstance(root, Stack)
    assert set(root.outputs) == {
        "bootstrap_servers", "cluster_id", "namespace", "headless_service_name", "bootstrap_service_name", "statefulset_names",
        "user_secret_names", "admin_password",
    }  # fmt: skip


def test_a_user_password_comes_from_its_secret_stack_key() -> None:
    users = {"users": [{"name": "orders"}]}
    evaluation = evaluate_config({"kraft:cluster": users, "kraft:password-orders": "orders-Passw0rd.with~marks"})
    secret = registration(evaluation, "Secret", "kafka-user-orders").manifest(show_secrets=True)
    assert secret["stringData"]["password"] == "orders-Passw0rd.with~marks"
    assert not [
        r for r in evaluation.registrations if r.name == "kafka-user-orders" and r.type.endswith("RandomPassword")
    ]


def test_the_stack_adopts_a_cluster_id_from_the_secret_key() -> None:
    evaluation = evaluate_config({"kraft:cluster": {}, "kraft:clusterId": "MkU3OEVBNTcwNTJENDM2Qg"})
    assert [r.name for r in evaluation.registrations if r.type.endswith("RandomId")] == ["kafka-directory-id-seed"]
    secret = registration(evaluation, "Secret", "kafka-cluster-id")
    assert secret.manifest(show_secrets=True)["stringData"]["cluster-id"] == "MkU3OEVBNTcwNTJENDM2Qg"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"kraft:cluster": {"pools": [{"name": "n", "roles": ["broker"], "replicas": 0}]}},
            "kraft:cluster.pools[0].replicas",
        ),
        (
            {"kraft:cluster": {"kafkaVersion": "latest"}},
            "kraft:cluster.kafkaVersion: 'latest' is not a supported Kafka version; allowed: 3.9.0",
        ),
        (
            {"kraft:cluster": {}, "kraft:clusterId": "too-short"},
            "kraft:clusterId: 9 characters that are not a KRaft cluster ID",
        ),
        (
            {"kraft:cluster": {}, "kraft:clustr": {"name": "events"}},
            "kraft:clustr: unknown key; allowed keys in the kraft namespace: kraft:cluster, kraft:clusterId, "
            "kraft:password-<user> (a user declared in kraft:cluster.users)",
        ),
        ({"kraft:cluster": {}, "kraft:clusterid": "MkU3OEVBNTcwNTJENDM2Qg"}, "kraft:clusterid: unknown key"),
        ({"kraft:clustr": {}}, "kraft:clustr: unknown key"),
        ({}, "kraft:cluster: not set; give the cluster's keys (docs/configuration.md), or {} for every default"),
        ({"kraft:cluster": None}, "kraft:cluster: empty; give the cluster's keys"),
        ({"kraft:cluster": ""}, "kraft:cluster: empty; give the cluster's keys"),
        ({"kraft:cluster": "  "}, "kraft:cluster: empty; give the cluster's keys"),
        (
            {"kraft:cluster": {"users": [{"name": "orders"}]}, "kraft:password-payments": "p" * 20},
            "kraft:password-payments: passwords for undeclared users payments; declared in kraft:cluster.users: orders",
        ),
    ],
    ids=[
        "replicas",
        "version",
        "cluster ID",
        "misspelt",
        "wrong case",
        "only a misspelt cluster",
        "absent",
        "null",
        "empty",
        "blank",
        "undeclared user",
    ],
)
def test_bad_stack_config_stops_before_any_resource_exists(config: dict[str, Any], message: str) -> None:
    registered: list[Any] = []
    with pytest.raises(pulumi.RunError) as caught:
        registered = evaluate_config(config).registrations
    assert message in str(caught.value)
    assert registered == []


def test_the_example_composes_the_component_into_its_own_namespace() -> None:
    evaluation = evaluate(lambda: runpy.run_path(str(ROOT / "examples" / "own-namespace" / "__main__.py")) and None)
    (namespace,) = objects(evaluation, "Namespace")
    names = {obj["metadata"]["namespace"] for obj in evaluation.kubernetes_objects() if obj["kind"] != "Namespace"}
    assert names == {namespace["metadata"]["name"]}
    namespace_urn = next(r for r in evaluation.registrations if r.type.endswith("Namespace")).name
    statefulsets = [r for r in evaluation.registrations if r.type.endswith("StatefulSet")]
    assert all(any(urn.endswith(f"::{namespace_urn}") for urn in r.depends_on) for r in statefulsets)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_chooses_its_quorum_mode_explicitly(stack: str) -> None:
    assert stack_config(stack)["kraft:cluster"]["quorum"]["mode"] in {mode.value for mode in QuorumMode}


def test_other_namespaces_belong_to_their_providers() -> None:
    config = {"kraft:cluster": {}, "kubernetes:context": "kind-kraft-dev", "pulumi:tags": {"team": "data"}}
    assert objects(evaluate_config(config), "StatefulSet")


def test_an_empty_mapping_deploys_every_default() -> None:
    names = {obj["metadata"]["name"] for obj in objects(evaluate_config({"kraft:cluster": {}}), "StatefulSet")}
    assert names == {"kafka-controllers", "kafka-brokers"}


def test_the_engines_config_is_checked_like_the_mocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The language host hands the program its config in PULUMI_CONFIG; a misspelt key there is refused too."""
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"kraft:cluster": "{}", "kraft:clustr": "{}"}))
    with pytest.raises(pulumi.RunError, match=r"kraft:clustr: unknown key"):
        evaluate(run)
