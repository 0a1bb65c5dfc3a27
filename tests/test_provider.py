"""KraftCluster as a multi-language package: the schema other languages' SDKs are generated from, and the
component the plugin constructs for them, under mocks."""

import copy
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import pulumi
import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.provider.server import ComponentInitError
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN
from pydantic.alias_generators import to_camel

from kraft_component import component, guards, hosted, record
from kraft_component.evaluation import Evaluation, evaluate
from kraft_component.spec import parse_spec
from tests.gates.offline import offline_gates

from .helpers import ROOT, deploy, tailored_config

SNAPSHOT = ROOT / "provider" / "schema.json"
YAML_EXAMPLE = ROOT / "examples" / "yaml"
TYPESCRIPT_EXAMPLE = ROOT / "examples" / "typescript"
TOKEN = "kraft:index:KraftCluster"
SPEC = {
    "profile": "production",
    "pools": [
        {"name": "controllers", "roles": ["controller"], "replicas": 3, "scheduling": {"zoneSpread": "required"}},
        {"name": "brokers", "roles": ["broker"], "replicas": 4, "storage": {"size": "50Gi"}},
    ],
    "topicDefaults": {"partitions": 6},
    "quorum": {"mode": "static"},
}
ADOPTED_ID = "MkU3OEVBNTcwNTJENDM2Qg"


def on_the_wire(value: Any) -> Any:
    """`value` as the engine hands it to a provider: every number a float."""
    if isinstance(value, dict):
        return {key: on_the_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [on_the_wire(item) for item in value]
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def construct(inputs: dict[str, Any]) -> Evaluation:
    """What the plugin registers when a program in another language creates a KraftCluster named kafka."""
    provider = hosted.component_provider()
    return evaluate(lambda: provider.construct("kafka", TOKEN, on_the_wire(inputs), None).state)


def registered(evaluation: Evaluation) -> list[tuple[str, str, str, bool, str]]:
    """Every resource with its parent, protection and inputs, in a stable order (registration order is not)."""
    return sorted(
        (r.type, r.name, r.parent, r.protect, json.dumps(r.manifest(show_secrets=True), sort_keys=True))
        for r in evaluation.registrations
    )


def test_schema_matches_the_checked_in_snapshot() -> None:
    assert hosted.schema() == json.loads(SNAPSHOT.read_text()), (
        "the package schema changed: run bin/generate and review the difference of provider/schema.json"
    )


def test_schema_offers_kraft_cluster_with_plain_spec_and_every_output_of_the_python_component() -> None:
    resource = hosted.schema()["resources"][TOKEN]
    assert resource["isComponent"] is True
    inputs = resource["inputProperties"]
    assert set(inputs) == {"spec", "namespace", "clusterId", "userPasswords"}
    assert inputs["spec"]["plain"] is True, "the spec decides which resources exist, so it is known at preview"
    assert "plain" not in inputs["namespace"] and "plain" not in inputs["clusterId"], "both may come from resources"
    outputs = resource["properties"]
    assert set(outputs) == {to_camel(name) for name in inspect.get_annotations(component.KraftCluster)}
    assert outputs["statefulsetNames"] == {"type": "object", "additionalProperties": {"type": "string"}}


@pytest.mark.parametrize("spec", [SPEC, tailored_config()], ids=["spec", "every tailoring key"])
def test_construct_registers_what_the_python_component_registers(spec: dict[str, Any]) -> None:
    packaged, python = construct({"spec": spec}), deploy(spec)
    assert packaged.registrations[0].type == TOKEN
    assert registered(packaged) == sorted(map(as_package_record, registered(python)))


def as_package_record(registration: tuple[str, str, str, bool, str]) -> tuple[str, str, str, bool, str]:
    """A registration of the Python component as the plugin makes it: the deployment record a resource of
    the kraft package with the same inputs, not a Python dynamic resource with its serialized provider."""
    kind, name, parent, protect, inputs = registration
    if kind != "pulumi-python:dynamic:Resource":
        return registration
    plain = {key: value for key, value in json.loads(inputs).items() if key != "__provider"}
    return record.PACKAGE_TYPE, name, parent, protect, json.dumps(plain, sort_keys=True)


def test_construct_returns_the_outputs_by_their_schema_names() -> None:
    state = construct({"spec": SPEC}).resolved
    assert set(state) == set(hosted.schema()["resources"][TOKEN]["properties"])
    assert state["bootstrapServers"] == "kafka-bootstrap.kafka.svc.cluster.local:9092"
    assert state["statefulsetNames"] == {"controllers": "kafka-controllers", "brokers": "kafka-brokers"}


def test_the_cluster_id_output_stays_secret_though_the_schema_cannot_say_so() -> None:
    def cluster_id_is_secret() -> Any:
        state = hosted.component_provider().construct("kafka", TOKEN, {}, None).state
        return pulumi.Output.from_input(state["clusterId"]).is_secret()

    assert evaluate(cluster_id_is_secret).resolved is True


def test_construct_takes_namespace_and_cluster_id_like_the_python_args() -> None:
    evaluation = construct({"spec": SPEC, "namespace": "streaming", "clusterId": ADOPTED_ID})
    assert {obj["kind"] for obj in evaluation.kubernetes_objects()} >= {"StatefulSet", "Secret"}
    assert {obj["metadata"]["namespace"] for obj in evaluation.kubernetes_objects()} == {"streaming"}
    assert not [r for r in evaluation.registrations if r.type.endswith("RandomId") and r.name == "kafka-cluster-id"]
    (secret,) = [
        r for r in evaluation.registrations if r.type == "kubernetes:core/v1:Secret" and r.name == "kafka-cluster-id"
    ]
    assert secret.manifest(show_secrets=True)["stringData"]["cluster-id"] == ADOPTED_ID


def test_construct_refuses_an_invalid_spec_naming_the_key() -> None:
    spec = {"pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 3, "nodeIdOffset": -1}]}
    with pytest.raises(ComponentInitError, match=r"spec\.pools\[0\]\.nodeIdOffset: Input should be greater than"):
        construct({"spec": spec})


def test_yaml_example_uses_this_package_and_renders_objects_that_pass_the_offline_gates() -> None:
    program = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    assert (YAML_EXAMPLE / program["packages"]["kraft"] / "PulumiPlugin.yaml").is_file()
    (cluster,) = program["resources"].values()
    assert cluster["type"] == TOKEN
    outputs = hosted.schema()["resources"][TOKEN]["properties"]
    assert {re.sub(r"^\$\{events\.(\w+)\}$", r"\1", value) for value in program["outputs"].values()} <= set(outputs)
    objects = construct(cluster["properties"]).kubernetes_objects()
    assert offline_gates(objects) == []


def test_typescript_example_deploys_the_cluster_and_outputs_of_the_yaml_example() -> None:
    program = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    (cluster,) = program["resources"].values()
    source = (TYPESCRIPT_EXAMPLE / "index.ts").read_text()
    default = re.search(r"\?\? (\{\n.*?\n\});", source, re.DOTALL)
    assert default is not None, "index.ts gives examples/yaml's cluster when the stack gives none"
    assert yaml.safe_load(default[1]) == cluster["properties"]["spec"]  # a TypeScript object literal is YAML flow
    exported = set(re.findall(r"^export const (\w+) = events\.(\w+);$", source, re.MULTILINE))
    assert exported == {(name, name) for name in program["outputs"]}
    manifest = json.loads((TYPESCRIPT_EXAMPLE / "package.json").read_text())
    assert manifest["dependencies"] == {"@pulumi/pulumi": "3.270.0"}, "the SDK pinned exactly, no SDK of kraft yet"


@contextmanager
def plugin() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """provider/ started as a plugin process (its __main__.py and an engine address), as the engine starts
    it, and a gRPC client of it."""
    engine = "127.0.0.1:9"  # nothing listens there: the plugin would only send log messages to it
    process = subprocess.Popen([sys.executable, str(ROOT / "provider"), engine], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()  # the plugin's first line: the port it serves on
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.kill()
        process.wait()


def test_the_plugin_serves_the_snapshot_schema_as_the_engine_would_ask_for_it() -> None:
    with plugin() as stub:
        response = stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=30)
    assert json.loads(response.schema) == json.loads(SNAPSHOT.read_text())


RECORD_URN = f"urn:pulumi:dev::events::{TOKEN}${record.PACKAGE_TYPE}::kafka-record"


def wire_record(spec: dict[str, Any], cluster_id: str | None = ADOPTED_ID) -> struct_pb2.Struct:
    """The record of `spec` as the engine sends it to the plugin; without a cluster ID, its digest unknown
    (a first preview of a generated ID)."""
    values = guards.record(parse_spec(spec), ADOPTED_ID)
    if cluster_id is None:
        values["clusterIdSha256"] = UNKNOWN
    message = struct_pb2.Struct()
    message.update(values)
    return message


def with_brokers(**changes: Any) -> dict[str, Any]:
    """SPEC with its broker pool changed."""
    spec = copy.deepcopy(SPEC)
    spec["pools"][1].update(changes)  # type: ignore[index]
    return spec


def test_the_plugin_refuses_a_change_the_guards_refuse_and_keeps_the_record_otherwise() -> None:
    deployed = wire_record(SPEC)
    shrunk, grown = wire_record(with_brokers(storage={"size": "10Gi"})), wire_record(with_brokers(replicas=5))
    with plugin() as stub:
        refused = stub.Check(provider_pb2.CheckRequest(urn=RECORD_URN, olds=deployed, news=shrunk))
        first = stub.Check(provider_pb2.CheckRequest(urn=RECORD_URN, news=wire_record(SPEC, cluster_id=None)))
        created = stub.Create(provider_pb2.CreateRequest(urn=RECORD_URN, properties=deployed))
        unchanged = stub.Diff(provider_pb2.DiffRequest(urn=RECORD_URN, olds=deployed, news=deployed))
        growth = stub.Diff(provider_pb2.DiffRequest(urn=RECORD_URN, olds=deployed, news=grown))
    reasons = {failure.reason.split(": ")[0]: failure.reason for failure in refused.failures}
    assert set(reasons) == {"kraft:cluster.pools[1].storage", "kraft:cluster.pools[1].storage.size"}
    assert "would shrink its volume 'data' from 50Gi to 10Gi" in reasons["kraft:cluster.pools[1].storage.size"]
    assert not first.failures and first.inputs["clusterIdSha256"] == UNKNOWN
    assert created.id == guards.cluster_id_digest(ADOPTED_ID)[:16] and created.properties == deployed
    assert unchanged.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert (growth.changes, list(growth.diffs)) == (provider_pb2.DiffResponse.DIFF_SOME, ["pools"])
