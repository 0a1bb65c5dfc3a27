"""realtools.stacks and realtools.certificates: stacks rendered for the real tiers carry certificates a TLS
peer accepts, and the order in which `pulumi up` waits for the workloads."""

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kraft_component import naming
from kraft_component.render import RenderError
from realtools.stacks import Rendered, StackState, render_stack, stack_cluster
from tests.standins import DASH_CLUSTER_ID


def test_the_generated_certificate_is_real_signed_by_the_ca_and_names_every_pod() -> None:
    rendered = render_stack("prod")
    data = rendered.one("Secret", naming.tls_secret_name("kafka"))["stringData"]
    authority = x509.load_pem_x509_certificate(data[naming.TLS_CA].encode())
    certificate = x509.load_pem_x509_certificate(data[naming.TLS_CERTIFICATE].encode())
    key = serialization.load_pem_private_key(data[naming.TLS_KEY].encode(), password=None)

    certificate.verify_directly_issued_by(authority)
    assert data[naming.TLS_KEY].startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, which Kafka's PEM support reads
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.public_key().public_numbers() == certificate.public_key().public_numbers()  # type: ignore[union-attr]
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kafka-node"
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "*.kafka-headless.kafka.svc.cluster.local" in names.get_values_for_type(x509.DNSName)
    uses = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH} <= set(uses)
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_workloads_wait_for_what_they_depend_on_as_pulumi_orders_them() -> None:
    assert render_stack("prod").depends_on == {
        "StatefulSet/kafka-controllers": [],
        "StatefulSet/kafka-brokers": ["StatefulSet/kafka-controllers"],
        "Job/kafka-users": ["StatefulSet/kafka-brokers", "StatefulSet/kafka-controllers"],
        "Job/kafka-topics": ["StatefulSet/kafka-brokers", "StatefulSet/kafka-controllers"],
        "Job/kafka-add-controllers": ["StatefulSet/kafka-controllers"],
        "ConfigMap/kafka-quorum": ["StatefulSet/kafka-controllers"],  # the marker: once the quorum has formed
    }
    assert render_stack("dev").depends_on == {
        "StatefulSet/kafka-nodes": [],
        "Job/kafka-add-controllers": ["StatefulSet/kafka-nodes"],
        "ConfigMap/kafka-quorum": ["StatefulSet/kafka-nodes"],
    }


def test_a_cluster_config_replaces_the_stack_files() -> None:
    rendered = render_stack(
        "dev",
        {
            "name": "other",
            "profile": "development",
            "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
            "authorization": {"enabled": False},
            "pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": 1}],
        },
    )
    assert {obj["metadata"]["name"] for obj in rendered.objects if obj["kind"] == "StatefulSet"} == {"other-nodes"}


def test_other_config_keys_reach_the_program() -> None:
    rendered = render_stack("dev", config={"kraft:clusterId": DASH_CLUSTER_ID})
    assert rendered.one("Secret", naming.cluster_id_secret_name("kafka"))["stringData"][naming.CLUSTER_ID_KEY] == (
        DASH_CLUSTER_ID
    )


def test_a_stack_rendered_again_with_its_state_is_what_a_second_pulumi_up_applies() -> None:
    """The same certificates, so no node pod changes; a user removed from the config is still kraft's, so the
    users Job revokes it; and a refused change is refused as at preview."""
    state = StackState()
    cluster = stack_cluster("prod")
    first = render_stack("prod", cluster, state=state)
    second = render_stack("prod", cluster | {"users": cluster["users"][:1]}, state=state)

    def objects(rendered: Rendered) -> dict[tuple[str, str], Any]:
        return {(obj["kind"], obj["metadata"]["name"]): obj for obj in rendered.objects}

    before, after = objects(first), objects(second)
    changed = {key for key in before.keys() & after.keys() if before[key] != after[key]}
    assert changed == {("ConfigMap", "kafka-config"), ("Job", "kafka-users")}
    assert set(before) - set(after) == {("Secret", naming.user_secret_name("kafka", "audit-reader"))}
    job = after[("Job", naming.users_job_name("kafka"))]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "KRAFT_RETIRED_USERS", "value": "audit-reader"} in job["env"]
    fewer = cluster | {"topics": [{**cluster["topics"][0], "partitions": 6}]}
    with pytest.raises(RenderError, match=r"topics\[0\]\.partitions"):
        render_stack("prod", fewer, state=state)
