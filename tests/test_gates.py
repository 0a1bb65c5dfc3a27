"""The offline gates over the rendered objects of every stack file and every example, and proof that each
gate catches the kind of mistake it exists for."""

import copy
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest

from kraft_component.render import render
from tests.gates import Manifest, identity, is_custom_resource
from tests.gates.api_rules import api_rules
from tests.gates.checkov import (
    BINARY_VARIABLE,
    DEFAULT_BINARY,
    REQUIRE_VARIABLE,
    checkov,
    checkov_binary,
    checkov_targets,
    skip_annotations,
)
from tests.gates.crds import MissingCrds, crd_schemas, is_operator_object
from tests.gates.kafka_properties import kafka_properties
from tests.gates.schema import SUPPORTED_KUBERNETES, client_models, openapi, quantities
from tests.helpers import ROOT, STACKS, stack_config, tailored_config

# The Python examples; the YAML one goes through the package (tests/test_provider.py), with gates 1-4.
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/__main__.py"))
# Stack-independent: the prod stack after its dynamic quorum grew from 3 to 5 controllers, which adds the Job.
GROWN_QUORUM = stack_config("prod")["kraft:cluster"] | {"quorum": {"mode": "dynamic", "initialControllers": 3}}
GROWN_QUORUM["pools"] = [{**GROWN_QUORUM["pools"][0], "replicas": 5}, *GROWN_QUORUM["pools"][1:]]
GROWN_VOLUMES = stack_config("prod")["kraft:cluster"]
GROWN_VOLUMES["pools"] = [
    GROWN_VOLUMES["pools"][0],
    {**GROWN_VOLUMES["pools"][1], "storage": {"size": "2Ti", "templateSize": "1Ti"}},
]
# The prod stack with the Prometheus Operator's objects, which gate 6 checks against the operator's CRDs.
MONITORED = stack_config("prod")["kraft:cluster"]
MONITORED["metrics"] = MONITORED["metrics"] | {"podMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}
TARGETS: dict[str, tuple[Path, str, dict[str, str]]] = {
    **{f"stack-{stack}": (ROOT, stack, {}) for stack in STACKS},
    **{f"example-{example.name}": (example, "dev", {}) for example in EXAMPLES},  # each has a stack file `dev`
    "grown-dynamic-quorum": (ROOT, "prod", {"kraft:cluster": json.dumps(GROWN_QUORUM)}),
    "grown-volumes": (ROOT, "prod", {"kraft:cluster": json.dumps(GROWN_VOLUMES)}),
    "monitored": (ROOT, "prod", {"kraft:cluster": json.dumps(MONITORED)}),
    # Every tailoring key: pod templates, log levels, two data volumes of which one grown, external Services.
    "tailored": (ROOT, "prod", {"kraft:cluster": json.dumps(tailored_config())}),
}
Gate = Callable[[list[Manifest]], list[str]]


@cache
def _rendered(target: str) -> tuple[Manifest, ...]:
    project_dir, stack, overrides = TARGETS[target]
    return tuple(render(project_dir, stack, overrides))


def rendered(target: str) -> list[Manifest]:
    """A fresh copy of what `render` gives for a stack or example (callers may break it)."""
    return copy.deepcopy(list(_rendered(target)))


def find(objects: list[Manifest], kind: str, name: str) -> Manifest:
    """The object of `kind` named `name`."""
    return next(obj for obj in objects if obj["kind"] == kind and obj["metadata"]["name"] == name)


def test_every_stack_file_and_example_is_a_target() -> None:
    assert {f"stack-{path.stem.removeprefix('Pulumi.')}" for path in (ROOT / "stacks").glob("Pulumi.*.yaml")} <= set(
        TARGETS
    )
    assert EXAMPLES, "examples/*/__main__.py found nothing"


@pytest.mark.parametrize("version", SUPPORTED_KUBERNETES)
@pytest.mark.parametrize("target", TARGETS)
def test_openapi_schema(target: str, version: str) -> None:
    assert openapi(rendered(target), version) == []


@pytest.mark.parametrize("target", TARGETS)
def test_client_models_and_quantities(target: str) -> None:
    objects = rendered(target)
    assert client_models(objects) + quantities(objects) == []


@pytest.mark.parametrize("target", TARGETS)
def test_api_server_rules(target: str) -> None:
    assert api_rules(rendered(target)) == []


@pytest.mark.parametrize("target", TARGETS)
def test_kafka_properties_are_real_names(target: str) -> None:
    objects = rendered(target)
    assert kafka_properties(objects) == []
    assert any(key.endswith(".properties") for obj in objects for key in obj.get("data") or {}), "nothing checked"


@pytest.mark.parametrize("target", TARGETS)
def test_checkov_skips_carry_reasons(target: str) -> None:
    assert skip_annotations(rendered(target)) == []


@pytest.fixture(scope="module")
def operator_crds() -> None:
    """The Prometheus Operator's CRDs are at hand: a skip naming what is missing, a failure in CI."""
    try:
        crd_schemas([])
        crd_schemas([{"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor"}])
    except MissingCrds as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {missing}")
        pytest.skip(str(missing))


@pytest.mark.usefixtures("operator_crds")
@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_operator_objects_match_the_operators_crds(target: str) -> None:
    assert crd_schemas(rendered(target)) == []


@pytest.mark.usefixtures("operator_crds")
def test_the_monitored_target_has_both_operator_objects_and_the_crd_gate_catches_a_broken_one() -> None:
    objects = rendered("monitored")
    assert sorted(obj["kind"] for obj in objects if is_operator_object(obj)) == ["PodMonitor", "PrometheusRule"]
    find(objects, "PodMonitor", "kafka-metrics")["spec"]["podMetricsEndpoints"][0]["scrapeEvery"] = "30s"
    find(objects, "PrometheusRule", "kafka-alerts")["spec"]["groups"][0]["rules"][0]["for"] = 5
    assert crd_schemas(objects) == [
        "PodMonitor/kafka-metrics: spec.podMetricsEndpoints[0]: Additional properties are not allowed "
        "('scrapeEvery' was unexpected) (Prometheus Operator v0.85.0 CRD)",
        "PrometheusRule/kafka-alerts: spec.groups[0].rules[0].for: 5 is not of type 'string' "
        "(Prometheus Operator v0.85.0 CRD)",
    ]


@pytest.fixture(scope="module")
def checkov_path() -> str:
    """The checkov program; a skip naming it when absent, a failure when CI requires it."""
    binary = checkov_binary()
    if binary is None:
        message = (
            f"checkov not found ({BINARY_VARIABLE}={os.environ.get(BINARY_VARIABLE, '')!r}, "
            f"{DEFAULT_BINARY.relative_to(ROOT)}, PATH); install it with "
            "`python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov`"
        )
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{REQUIRE_VARIABLE}=1 but {message}")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def checkov_results(checkov_path: str) -> dict[str, list[str]]:
    """checkov's failures for every target, from one run (checkov takes seconds to start)."""
    return checkov_targets({target: rendered(target) for target in TARGETS}, checkov_path)


@pytest.mark.parametrize("target", TARGETS)
def test_checkov(target: str, checkov_results: dict[str, list[str]]) -> None:
    assert checkov_results[target] == []


def test_checkov_is_found_where_ci_installs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("tests.gates.checkov.DEFAULT_BINARY", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(BINARY_VARIABLE, str(tmp_path / "not-installed"))
    assert checkov_binary() is None
    monkeypatch.delenv(BINARY_VARIABLE)
    assert checkov_binary() is None
    installed = tmp_path / "checkov"
    installed.write_text("#!/bin/sh\n")
    installed.chmod(0o755)
    assert checkov_binary() == str(installed)
    monkeypatch.setenv(BINARY_VARIABLE, str(installed))
    assert checkov_binary() == str(installed)


def test_checkov_catches_a_privileged_container(checkov_path: str) -> None:
    objects = rendered("stack-prod")
    container = find(objects, "StatefulSet", "kafka-brokers")["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"] |= {"privileged": True, "allowPrivilegeEscalation": True}
    failures = checkov(objects, checkov_path)
    assert any(line.startswith("StatefulSet/kafka-brokers: ") and "CKV_K8S_16" in line for line in failures), failures


PINNED = {"image": f"apache/kafka@sha256:{'0' * 64}", "imagePullPolicy": "Always"}
PINNED_AGENT = {"agentImage": f"ghcr.io/adobe/koperator/jmx-javaagent@sha256:{'1' * 64}"}


def skipped_checks(objects: list[Manifest]) -> set[str]:
    """The check IDs the StatefulSets skip by annotation."""
    return {
        value.partition("=")[0]
        for obj in objects
        if obj["kind"] == "StatefulSet"
        for key, value in obj["metadata"].get("annotations", {}).items()
        if key.startswith("checkov.io/skip")
    }


def pinned_prod(agent: dict[str, str] = PINNED_AGENT) -> list[Manifest]:
    """The prod render with digest-pinned images (Kafka's, and the metrics agent's unless `agent` is empty) pulled
    Always."""
    prod = stack_config("prod")["kraft:cluster"]
    pinned = prod | PINNED | {"metrics": prod["metrics"] | agent}
    return render(ROOT, "prod", {"kraft:cluster": json.dumps(pinned)})


def test_image_skips_apply_only_while_their_cause_is_present() -> None:
    assert skipped_checks(rendered("stack-prod")) == {"CKV_K8S_40", "CKV_K8S_43", "CKV_K8S_15"}
    assert skipped_checks(pinned_prod()) == {"CKV_K8S_40"}
    assert skipped_checks(pinned_prod(agent={})) == {"CKV_K8S_40", "CKV_K8S_43"}, "the agent's tag is not pinned"


def test_checkov_passes_a_pinned_image_without_its_skips(checkov_path: str) -> None:
    assert checkov(pinned_prod(), checkov_path) == []


def test_a_skip_without_a_reason_is_refused() -> None:
    objects = rendered("stack-prod")
    find(objects, "StatefulSet", "kafka-brokers")["metadata"]["annotations"]["checkov.io/skip1"] = "CKV_K8S_40"
    assert skip_annotations(objects) == [
        "StatefulSet/kafka-brokers: metadata.annotations['checkov.io/skip1']: 'CKV_K8S_40' is not "
        "CHECK_ID=reason (a written reason of a few words, no other '=')"
    ]


# Each case breaks one thing in the prod render and names the gate and the failure it must produce.
def _brokers(objects: list[Manifest]) -> Manifest:
    return find(objects, "StatefulSet", "kafka-brokers")


def _broker_container(objects: list[Manifest]) -> Manifest:
    container: Manifest = _brokers(objects)["spec"]["template"]["spec"]["containers"][0]
    return container


def _set_port_name(objects: list[Manifest]) -> None:
    _broker_container(objects)["ports"][0]["name"] = "client-listener1"  # 16 characters


def _select_nothing(objects: list[Manifest]) -> None:
    find(objects, "Service", "kafka-bootstrap")["spec"]["selector"]["kraft/broker"] = "yes"


def _select_controllers_too(objects: list[Manifest]) -> None:
    del find(objects, "Service", "kafka-bootstrap")["spec"]["selector"]["kraft/broker"]


def _mismatch_statefulset_selector(objects: list[Manifest]) -> None:
    _brokers(objects)["spec"]["selector"]["matchLabels"]["kraft/pool"] = "controllers"


def _budget_for_two_pools(objects: list[Manifest]) -> None:
    del find(objects, "PodDisruptionBudget", "kafka-brokers")["spec"]["selector"]["matchLabels"]["kraft/pool"]


def _bad_quantity(objects: list[Manifest]) -> None:
    _broker_container(objects)["resources"]["limits"]["memory"] = "4Gii"


def _unknown_field(objects: list[Manifest]) -> None:
    _broker_container(objects)["imagePullPolicyy"] = "Always"


def _wrong_type(objects: list[Manifest]) -> None:
    _brokers(objects)["spec"]["replicas"] = "three"


def _misspelt_kafka_key(objects: list[Manifest]) -> None:
    find(objects, "ConfigMap", "kafka-config")["data"]["brokers.properties"] += "num.partition=3\n"


def _removed_kafka_key(objects: list[Manifest]) -> None:
    find(objects, "ConfigMap", "kafka-config")["data"]["brokers.properties"] += "zookeeper.connect=zk:2181\n"
    _broker_container(objects)["image"] = "apache/kafka:3.9.2"


def _twice_set_kafka_key(objects: list[Manifest]) -> None:
    find(objects, "ConfigMap", "kafka-config")["data"]["controllers.properties"] += "num.partitions=1\n"


def _huge_partition_count(objects: list[Manifest]) -> None:
    data = find(objects, "ConfigMap", "kafka-config")["data"]
    key = "controllers.properties"  # Kafka 4.3+ reads num.partitions in the controller role only
    data[key] = data[key].replace("num.partitions=12", "num.partitions=2147483648")


def _huge_node_ids(objects: list[Manifest]) -> None:
    variable = next(var for var in _broker_container(objects)["env"] if var["name"] == "KRAFT_NODE_ID_OFFSET")
    variable["value"] = str(2**31 - 5)  # six brokers: the last one is node 2**31


def _mount_without_volume(objects: list[Manifest]) -> None:
    volumes = _brokers(objects)["spec"]["template"]["spec"]["volumes"]
    volumes[:] = [volume for volume in volumes if volume["name"] != "tmp"]


def _probe_undeclared_port(objects: list[Manifest]) -> None:
    _broker_container(objects)["readinessProbe"]["tcpSocket"]["port"] = "clients"


def _not_headless(objects: list[Manifest]) -> None:
    headless = find(objects, "Service", "kafka-headless")["spec"]
    del headless["clusterIP"]
    headless["publishNotReadyAddresses"] = False


def _bad_names(objects: list[Manifest]) -> None:
    find(objects, "ConfigMap", "kafka-config")["metadata"]["name"] = "Kafka_Config"
    find(objects, "Service", "kafka-bootstrap")["metadata"]["namespace"] = "k" * 64


def _long_statefulset_name(objects: list[Manifest]) -> None:
    _brokers(objects)["metadata"]["name"] = "b" * 53


def _bad_enum(objects: list[Manifest]) -> None:
    _brokers(objects)["spec"]["podManagementPolicy"] = "parallel"


def _request_above_limit(objects: list[Manifest]) -> None:
    _broker_container(objects)["resources"]["requests"]["cpu"] = "8"


def _missing_file(objects: list[Manifest]) -> None:
    variable = next(var for var in _broker_container(objects)["env"] if var["name"] == "KRAFT_TEMPLATE")
    variable["value"] = "/etc/kraft/broker.properties"


def _bad_node_selector(objects: list[Manifest]) -> None:
    _brokers(objects)["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "fast ssd"}


BROKEN: dict[str, tuple[Callable[[list[Manifest]], None], Gate, str]] = {
    "16-char port name": (
        _set_port_name, api_rules,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].ports[0].name: 'client-listener1' is not an "
        "IANA_SVC_NAME",
    ),
    "service selects nothing": (_select_nothing, api_rules, "Service/kafka-bootstrap: spec.selector: selects no pods"),
    "service selects pods that do not serve it": (
        _select_controllers_too, api_rules,
        "Service/kafka-bootstrap: spec.selector: also selects pods without port 'client': StatefulSet/kafka-controllers",
    ),
    "statefulset selector": (
        _mismatch_statefulset_selector, api_rules,
        "StatefulSet/kafka-brokers: spec.selector: does not match the pod template's labels",
    ),
    "budget over two pools": (
        _budget_for_two_pools, api_rules,
        "PodDisruptionBudget/kafka-brokers: spec.selector: selects the pods of several workloads",
    ),
    "4Gii": (
        _bad_quantity, quantities,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].resources.limits.memory: '4Gii' is not a "
        "Kubernetes quantity",
    ),
    "unknown field 1.30": (
        _unknown_field, lambda objects: openapi(objects, "1.30"),
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0]: Additional properties are not allowed "
        "('imagePullPolicyy' was unexpected)",
    ),
    "unknown field 1.37": (
        _unknown_field, lambda objects: openapi(objects, "1.37"), "('imagePullPolicyy' was unexpected)"
    ),
    "unknown field models": (
        _unknown_field, client_models,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].imagePullPolicyy: Extra inputs are not permitted",
    ),
    "wrong type": (_wrong_type, client_models, "StatefulSet/kafka-brokers: spec.replicas: Input should be a valid integer"),
    "misspelt kafka key": (
        _misspelt_kafka_key, kafka_properties,
        "ConfigMap/kafka-config: data['brokers.properties']: line 26: 'num.partition' is not a Kafka 4.4.0 property",
    ),
    "key removed in 4.0": (_removed_kafka_key, kafka_properties, "'zookeeper.connect' was removed in Kafka 4.0"),
    "int out of range": (
        _huge_partition_count, kafka_properties, "'num.partitions': '2147483648' is not of type INT (a 32-bit integer)"
    ),
    "node id out of range": (
        _huge_node_ids, kafka_properties, "line 2: 'node.id': '2147483648' is not of type INT (a 32-bit integer)"
    ),
    "key set twice": (_twice_set_kafka_key, kafka_properties, "'num.partitions' is set twice"),
    "mount without volume": (
        _mount_without_volume, api_rules,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].volumeMounts[6].name: 'tmp' is neither a volume "
        "nor a volumeClaimTemplate",
    ),
    "probe port": (
        _probe_undeclared_port, api_rules,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].readinessProbe.tcpSocket.port: 'clients' names "
        "no port of container 'kafka'",
    ),
    "not headless": (
        _not_headless, api_rules, "StatefulSet/kafka-brokers: spec.serviceName: Service 'kafka-headless' is not headless"
    ),
    "not publishing": (_not_headless, api_rules, "does not set publishNotReadyAddresses: true"),
    "name syntax": (_bad_names, api_rules, "ConfigMap/Kafka_Config: metadata.name: 'Kafka_Config' is not a DNS-1123"),
    "namespace length": (_bad_names, api_rules, "Service/kafka-bootstrap: metadata.namespace: 'kkkk"),
    "statefulset name length": (_long_statefulset_name, api_rules, "the controller-revision-hash label allows 52"),
    "enum": (
        _bad_enum, api_rules,
        "StatefulSet/kafka-brokers: spec.podManagementPolicy: 'parallel' is not one of OrderedReady, Parallel",
    ),
    "requests above limits": (
        _request_above_limit, api_rules,
        "StatefulSet/kafka-brokers: spec.template.spec.containers[0].resources.requests.cpu: 8 is above limits.cpu (4)",
    ),
    "file not in configmap": (
        _missing_file, api_rules, "/etc/kraft/broker.properties is not a key under /etc/kraft"
    ),
    "template not in configmap": (
        _missing_file, kafka_properties, "/etc/kraft/broker.properties is no rendered ConfigMap key"
    ),
    "label value": (
        _bad_node_selector, api_rules,
        "StatefulSet/kafka-brokers: spec.template.spec.nodeSelector.disk: 'fast ssd' is not a label value",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN)
def test_gate_catches(case: str) -> None:
    breaks, gate, expected = BROKEN[case]
    objects = rendered("stack-prod")
    assert gate(objects) == [], "the unbroken render must pass the gate"
    breaks(objects)
    failures = gate(objects)
    assert any(expected in line for line in failures), failures


@pytest.mark.parametrize("version", SUPPORTED_KUBERNETES)
def test_gate_1_gives_the_verdict_of_kubernetes_validate(version: str) -> None:
    candidates = [obj for target in TARGETS for obj in rendered(target) if not is_custom_resource(obj)]
    for breaks in (_unknown_field, _wrong_type, _drop_container_name):
        objects = rendered("stack-prod")
        breaks(objects)
        candidates.append(_brokers(objects))
    verdicts = []
    for obj in candidates:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError:
            verdicts.append((identity(obj), False, openapi([obj], version) == []))
        else:
            verdicts.append((identity(obj), True, openapi([obj], version) == []))
    assert [(name, valid) for name, valid, _ in verdicts] == [(name, passed) for name, _, passed in verdicts]
    assert [valid for _, valid, _ in verdicts].count(False) == 3


def _drop_container_name(objects: list[Manifest]) -> None:
    del _broker_container(objects)["name"]


def test_the_schema_misses_what_the_other_gates_catch() -> None:
    """Why gates 2 and 3 exist: the strict schema accepts `4Gii`, a 16-character port name and a bad enum."""
    objects = rendered("stack-prod")
    for breaks in (_bad_quantity, _set_port_name, _bad_enum):
        breaks(objects)
    assert [openapi(objects, version) for version in SUPPORTED_KUBERNETES] == [[], []]
    assert quantities(objects) and api_rules(objects)


def test_the_grown_volumes_target_renders_claim_patches() -> None:
    claims = [obj for obj in rendered("grown-volumes") if obj["kind"] == "PersistentVolumeClaim"]
    assert [claim["metadata"]["name"] for claim in claims] == [f"data-kafka-brokers-{i}" for i in range(6)]
    objects = rendered("grown-volumes")
    assert objects[-len(claims) :] == claims, "patches of claims come after the StatefulSets that create them"


def test_the_grown_quorum_target_renders_the_add_controllers_job() -> None:
    job = find(rendered("grown-dynamic-quorum"), "Job", "kafka-add-controllers")
    assert job["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    assert not [
        obj
        for target in TARGETS
        if target != "grown-dynamic-quorum"
        for obj in rendered(target)
        if obj["kind"] == "Job" and obj["metadata"]["name"] == "kafka-add-controllers"
    ]


# Each case breaks one tailoring field in the tailored render, the way the API server would refuse it.
def _broker_pod(objects: list[Manifest]) -> Manifest:
    pod: Manifest = _brokers(objects)["spec"]["template"]["spec"]
    return pod


def _node_term(objects: list[Manifest]) -> Manifest:
    affinity = _broker_pod(objects)["affinity"]["nodeAffinity"]
    term: Manifest = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    return term


def _anti_affinity(objects: list[Manifest]) -> Manifest:
    affinity: Manifest = _broker_pod(objects)["affinity"]["podAntiAffinity"]
    return affinity


TAILORED_BROKEN: dict[str, tuple[Callable[[list[Manifest]], None], str]] = {
    "exists with a value": (
        lambda objects: _broker_pod(objects)["tolerations"][1].update(value="x"),
        "spec.template.spec.tolerations[1].value: must be empty when operator is Exists",
    ),
    "no key but equal": (
        lambda objects: _broker_pod(objects)["tolerations"][0].pop("key"),
        "spec.template.spec.tolerations[0].operator: must be Exists when key is empty",
    ),
    "seconds without NoExecute": (
        lambda objects: _broker_pod(objects)["tolerations"][1].update(effect="NoSchedule"),
        "spec.template.spec.tolerations[1].effect: must be NoExecute when tolerationSeconds is set",
    ),
    "effect": (
        lambda objects: _broker_pod(objects)["tolerations"][0].update(effect="NoSchedul"),
        "spec.template.spec.tolerations[0].effect: 'NoSchedul' is not one of NoExecute, NoSchedule, PreferNoSchedule",
    ),
    "gt takes one value": (
        lambda objects: _node_term(objects)["matchExpressions"][1]["values"].append("7"),
        "nodeSelectorTerms[0].matchExpressions[1].values: must be a single value when operator is Gt",
    ),
    "in takes values": (
        lambda objects: _node_term(objects)["matchExpressions"][0].update(values=[]),
        "nodeSelectorTerms[0].matchExpressions[0].values: must be non-empty when operator is In",
    ),
    "gt on pods": (
        lambda objects: _anti_affinity(objects)["preferredDuringSchedulingIgnoredDuringExecution"][0][
            "podAffinityTerm"
        ]["labelSelector"]["matchExpressions"][0].update(operator="Gt", values=["1"]),
        "labelSelector.matchExpressions[0].operator: 'Gt' is not one of DoesNotExist, Exists, In, NotIn",
    ),
    "topology key": (
        lambda objects: _anti_affinity(objects)["requiredDuringSchedulingIgnoredDuringExecution"][0].update(
            topologyKey=""
        ),
        "requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: required: label key",
    ),
    "weight": (
        lambda objects: _anti_affinity(objects)["preferredDuringSchedulingIgnoredDuringExecution"][0].update(
            weight=101
        ),
        "preferredDuringSchedulingIgnoredDuringExecution[0].weight: 101 is outside 1..100",
    ),
    "priority class": (
        lambda objects: _broker_pod(objects).update(priorityClassName="Kafka_Critical"),
        "spec.template.spec.priorityClassName: 'Kafka_Critical' is not a DNS-1123 subdomain",
    ),
    "env name": (
        lambda objects: _broker_container(objects)["env"][-1].update(name="1TZ"),
        "'1TZ' is not a valid env var name",
    ),
    "env twice": (
        lambda objects: _broker_container(objects)["env"][-1].update(name="KAFKA_HEAP_OPTS"),
        "'KAFKA_HEAP_OPTS' is set twice",
    ),
}


@pytest.mark.parametrize("case", TAILORED_BROKEN)
def test_gate_catches_a_broken_pod_template_field(case: str) -> None:
    breaks, expected = TAILORED_BROKEN[case]
    objects = rendered("tailored")
    breaks(objects)
    failures = api_rules(objects)
    assert any(expected in line for line in failures), failures


def test_the_tailored_target_sets_every_pod_template_field() -> None:
    pod = _broker_pod(rendered("tailored"))
    placed = {"tolerations", "affinity", "priorityClassName", "imagePullSecrets", "serviceAccountName"}
    assert placed <= pod.keys()
    assert set(pod["affinity"]) == {"nodeAffinity", "podAntiAffinity"}
    claims = [claim["metadata"]["name"] for claim in _brokers(rendered("tailored"))["spec"]["volumeClaimTemplates"]]
    assert claims == ["data", "data-b"]
