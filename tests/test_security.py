"""Listener protocols, TLS, SASL/SCRAM, authorization and external access: the rendered configuration, the
certificate's names, the Secrets, and the node and users scripts under real bash."""

import itertools
from pathlib import Path
from typing import Any

import javaproperties
import pytest

from kraft_component import kafka_security, listeners, naming, tls
from kraft_component.acls import acl_entries
from kraft_component.credentials import check_password_owners, parse_password
from kraft_component.evaluation import REDACTED
from kraft_component.kafka_config import pool_properties
from kraft_component.spec import InvalidSpec, parse_spec
from tests.helpers import deploy, objects, one, registration
from tests.standins import SCRAM_PASSWORDS, TLS_FILES, Pod

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SPLIT_POOLS = [
    {"name": "controllers", "roles": ["controller"], "replicas": 3},
    {"name": "brokers", "roles": ["broker"], "replicas": 3},
]
OPEN = {"authorization": {"enabled": False}}
EXTERNAL = {"type": "NodePort", "hostPattern": "b{nodeId}.kafka.example.com", "bootstrapHost": "kafka.example.com"}
USERS = [
    {
        "name": "orders",
        "acls": [
            {"resourceType": "topic", "name": "orders.", "patternType": "prefixed", "operations": ["Read", "Write"]},
            {"resourceType": "cluster", "name": "kafka-cluster", "operations": ["IdempotentWrite"]},
        ],
    }
]
SECURE: dict[str, Any] = {
    "pools": SPLIT_POOLS,
    "listeners": {"internal": "SASL_SSL", "external": EXTERNAL},
    "users": USERS,
}


def listeners_spec(client: str, internal: str, controller: str) -> dict[str, Any]:
    return {
        **OPEN,
        "pools": SPLIT_POOLS,
        "listeners": {"client": client, "internal": internal, "controller": controller},
    }


COMBINATIONS = list(itertools.product(PROTOCOLS, PROTOCOLS, ("PLAINTEXT", "SSL")))


@pytest.mark.parametrize(("client", "internal", "controller"), COMBINATIONS)
def test_every_listener_combination_is_consistent_on_every_role(client: str, internal: str, controller: str) -> None:
    spec = parse_spec(listeners_spec(client, internal, controller))
    expected_map = f"CLIENT:{client},INTERNAL:{internal},CONTROLLER:{controller}"
    protocol_of = {"CLIENT": client, "INTERNAL": internal, "CONTROLLER": controller}
    uses_tls = "SSL" in (client, internal, controller) or "SASL_SSL" in (client, internal)
    for pool in spec.pools:
        properties = pool_properties(spec, pool, "kafka")
        names = [entry.split("://")[0] for entry in properties["listeners"].split(",")]
        assert properties["listener.security.protocol.map"] == expected_map
        assert properties["controller.listener.names"] == "CONTROLLER"
        assert ("ssl.keystore.key" in properties) == uses_tls
        assert ("ssl.truststore.location" in properties) == uses_tls
        sasl_listeners = [name for name in names if protocol_of[name].startswith("SASL")]
        assert ("sasl.enabled.mechanisms" in properties) == bool(sasl_listeners)
        for name in sasl_listeners:
            jaas = properties[f"listener.name.{name.lower()}.scram-sha-512.sasl.jaas.config"]
            assert jaas.startswith("org.apache.kafka.common.security.scram.ScramLoginModule required")
            assert ('username="kraft-internal"' in jaas) == (name == "INTERNAL"), "only the broker logs in"
        if pool.is_broker:
            assert properties["inter.broker.listener.name"] == "INTERNAL"
            assert ("sasl.mechanism.inter.broker.protocol" in properties) == internal.startswith("SASL")
            assert names == ["CLIENT", "INTERNAL"]
        else:
            assert names == ["CONTROLLER"] and "inter.broker.listener.name" not in properties
        for name in names:  # the nodes' own listeners demand a certificate; the client listener never does
            required = properties.get(f"listener.name.{name.lower()}.ssl.client.auth") == "required"
            assert required == (name != "CLIENT" and protocol_of[name] == "SSL")


def test_authorization_runs_on_every_node_with_the_nodes_and_admins_as_super_users() -> None:
    spec = parse_spec({"pools": SPLIT_POOLS, "authorization": {"superUsers": ["ops"]}})
    for pool in spec.pools:
        properties = pool_properties(spec, pool, "kafka")
        assert properties["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        assert properties["super.users"].split(";") == [
            "User:CN=kafka-node", "User:kraft-internal", "User:kraft-admin", "User:ops"
        ]  # fmt: skip
    unauthorized = parse_spec(listeners_spec("PLAINTEXT", "PLAINTEXT", "PLAINTEXT"))
    assert "authorizer.class.name" not in pool_properties(unauthorized, unauthorized.pools[0], "k")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"listeners": {"client": "PLAINTEXT"}}, "kraft:cluster.listeners.client: PLAINTEXT gives its clients no identity"),
        ({"listeners": {"internal": "PLAINTEXT"}}, "kraft:cluster.listeners.internal: PLAINTEXT"),
        ({"listeners": {"controller": "PLAINTEXT"}}, "allowed with authorization.enabled: SSL"),
        ({"listeners": {"controller": "SASL_SSL"}}, "kraft:cluster.listeners.controller: Input should be 'PLAINTEXT' or 'SSL'"),
        ({**listeners_spec("SSL", "SSL", "SSL"), "users": [{"name": "app"}]}, "kraft:cluster.users: need a SASL listener"),
        ({**OPEN, "users": [{"name": "app", "acls": USERS[0]["acls"]}]}, "users[0].acls: need authorization.enabled"),
        ({"users": [{"name": "kraft-admin"}]}, "is reserved for the cluster itself"),
        ({"users": [{"name": "a"}, {"name": "a"}]}, "kraft:cluster.users[0].name: 'a' is declared twice"),
        ({"tls": {"source": "certManager"}}, "kraft:cluster.tls.issuer: is required with source certManager"),
        ({"listeners": {"external": {**EXTERNAL, "protocol": "SASL_PLAINTEXT"}}}, "allowed for the external listener: SSL, SASL_SSL"),
        ({"listeners": {"external": {"hostPattern": "kafka.example.com"}}}, "must contain {nodeId} exactly once"),
        ({"listeners": {"external": {**EXTERNAL, "nodePortBase": 32700}}, "pools": SPLIT_POOLS}, "allowed: 30000-32664"),
        ({"users": [{"name": "a", "acls": [{"resourceType": "cluster", "name": "x", "operations": ["Alter"]}]}]}, "always named 'kafka-cluster'"),
    ],
)  # fmt: skip
def test_insecure_or_inconsistent_settings_are_refused_naming_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSpec) as refused:
        parse_spec(data)
    assert message in str(refused.value)


def advertised_hosts(pod_properties: dict[str, str]) -> list[str]:
    return [entry.split("://")[1].rsplit(":", 1)[0] for entry in pod_properties["advertised.listeners"].split(",")]


def every_pod_config(tmp_path: Path, data: dict[str, Any]) -> list[dict[str, str]]:
    """The server.properties each pod of the cluster starts with, filled in by the real bootstrap script."""
    spec = parse_spec(data)
    configs = []
    for pool in spec.pools:
        for ordinal in range(pool.replicas):
            start = Pod(tmp_path / f"{pool.name}-{ordinal}", spec, pool.name, ordinal).start()
            assert start.started is not None, start.stderr
            configs.append(start.started)
    return configs


@pytest.mark.parametrize("source", ["generated", "certManager"])
def test_the_certificate_covers_every_advertised_host_and_the_bootstrap_service(tmp_path: Path, source: str) -> None:
    issuer: dict[str, Any] = {"issuer": {"name": "ca"}} if source == "certManager" else {}
    data: dict[str, Any] = {**SECURE, "tls": {"source": source, **issuer}}
    evaluation = deploy(data)
    if source == "generated":
        names = registration(evaluation, "CertRequest", "kafka-tls-request").inputs["dnsNames"]
    else:
        names = one(evaluation, "Certificate")["spec"]["dnsNames"]
    hosts = {host for config in every_pod_config(tmp_path, data) for host in advertised_hosts(config)}
    hosts |= {"kafka-bootstrap.kafka.svc.cluster.local", "kafka-bootstrap.kafka", "kafka.example.com"}
    assert {f"b{node}.kafka.example.com" for node in (100, 101, 102)} <= hosts
    assert [host for host in hosts if not any(tls.covers(name, host) for name in names)] == []


def test_a_wildcard_name_covers_exactly_one_left_most_label() -> None:
    assert tls.covers("*.kafka-headless.ns.svc.cluster.local", "kafka-0.kafka-headless.ns.svc.cluster.local")
    assert not tls.covers("*.kafka-headless.ns.svc.cluster.local", "a.b.kafka-headless.ns.svc.cluster.local")
    assert not tls.covers("*.kafka-headless.ns.svc.cluster.local", "kafka-headless.ns.svc.cluster.local")
    assert tls.covers("Kafka.Example.com", "kafka.example.com") and not tls.covers("kafka.example.com", "x.example.com")


def test_a_cert_manager_certificate_is_pkcs8_for_kafka_and_signed_by_the_named_issuer() -> None:
    spec = parse_spec({"tls": {"source": "certManager", "issuer": {"kind": "Issuer", "name": "team-ca"}}})
    certificate = tls.certificate(spec, "ns")
    assert certificate["spec"]["secretName"] == naming.tls_secret_name("kafka")
    assert certificate["spec"]["privateKey"]["encoding"] == "PKCS8", "Kafka's PEM support reads PKCS#8 keys only"
    assert certificate["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "Issuer", "name": "team-ca"}
    assert certificate["spec"]["commonName"] == "kafka-node", "the nodes' principal in super.users"
    assert {"server auth", "client auth"} <= set(certificate["spec"]["usages"])
    assert (certificate["spec"]["duration"], certificate["spec"]["renewBefore"]) == ("8760h", "720h")


def test_a_generated_certificate_lives_a_year_renews_early_and_its_digest_marks_every_pod_template() -> None:
    evaluation = deploy(SECURE)
    signed = registration(evaluation, "LocallySignedCert", "kafka-tls-certificate").inputs
    assert (signed["validityPeriodHours"], signed["earlyRenewalHours"]) == (365 * 24, 30 * 24)
    assert set(signed["allowedUses"]) >= {"server_auth", "client_auth"}
    for statefulset in objects(evaluation, "StatefulSet"):
        annotations = statefulset["spec"]["template"]["metadata"]["annotations"]
        assert len(annotations[naming.TLS_REVISION_ANNOTATION]) == 16


def test_no_secret_value_lands_outside_a_secret() -> None:
    evaluation = deploy({**SECURE, "metadataVersion": "4.3"}, cluster_id="MkU3OEVBNTcwNTJENDM2Qg")
    secrets = [r.manifest(show_secrets=True) for r in evaluation.registrations if r.is_kubernetes_object]
    values = {
        value
        for obj in secrets
        if obj["kind"] == "Secret"
        for key, value in obj["stringData"].items()
        if key
        not in (
            "username",
            "bootstrap.servers",
            "security.protocol",
            "sasl.mechanism",
            naming.TLS_CERTIFICATE,
            naming.TLS_CA,
        )
    }
    assert len(values) >= 6  # cluster ID, two SCRAM passwords, the user's password and JAAS line, the key
    elsewhere = str([obj for obj in secrets if obj["kind"] != "Secret"])
    assert [value for value in values if value in elsewhere] == []
    for obj in objects(evaluation, "Secret"):  # and redacted wherever they are printed
        assert all(value == REDACTED for key, value in obj["stringData"].items() if key in ("password", "tls.key"))


def test_each_user_gets_its_own_secret_and_acls_become_kafka_acls_calls() -> None:
    evaluation = deploy(SECURE)
    secret = registration(evaluation, "Secret", "kafka-user-orders").manifest(show_secrets=True)
    credentials = secret["stringData"]
    assert credentials["username"] == "orders" and credentials["security.protocol"] == "SASL_SSL"
    assert credentials["sasl.jaas.config"] == kafka_security.scram_jaas("orders", credentials["password"])
    assert credentials["bootstrap.servers"] == "kafka-bootstrap.kafka.svc.cluster.local:9092"
    spec = parse_spec(SECURE)
    user = spec.users[0]
    assert acl_entries(user, user.acls[0]) == [
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tREAD\tALLOW",
        "TOPIC\torders.\tPREFIXED\tUser:orders\t*\tWRITE\tALLOW",
    ]
    assert acl_entries(user, user.acls[1]) == [
        "CLUSTER\tkafka-cluster\tLITERAL\tUser:orders\t*\tIDEMPOTENT_WRITE\tALLOW"
    ]
    job = registration(evaluation, "Job", "kafka-users")
    assert {"kafka-brokers", "kafka-user-orders"} <= {urn.rsplit("::", 1)[1] for urn in job.depends_on}


def test_passwords_are_checked_and_only_for_declared_users() -> None:
    spec = parse_spec(SECURE)
    assert parse_password("orders-Passw0rd.with~marks", key="k") == "orders-Passw0rd.with~marks"
    for bad in ("short", "has,comma-and-long-enough", 'quote"and-long-enough1', "space and-long-enough"):
        with pytest.raises(InvalidSpec, match=r"kraft:password-orders: not a usable password"):
            parse_password(bad, key="kraft:password-orders")
    with pytest.raises(
        InvalidSpec, match=r"passwords for undeclared users billing; declared in kraft:cluster\.users: orders"
    ):
        check_password_owners(spec, {"billing": "x"}, key="KraftClusterArgs.user_passwords")


def test_the_node_script_bootstraps_the_scram_users_and_fills_in_tls_from_the_secrets(tmp_path: Path) -> None:
    spec = parse_spec(SECURE)
    start = Pod(tmp_path, spec, "controllers", 0).start()
    assert start.returncode == 0, start.stderr
    (format_call,) = start.formats
    entries = [format_call.args[i + 1] for i, arg in enumerate(format_call.args) if arg == "--add-scram"]
    assert entries == [
        f"SCRAM-SHA-512=[name={user},iterations=8192,password={SCRAM_PASSWORDS[user]}]" for user in SCRAM_PASSWORDS
    ]
    started_text = (tmp_path / "kafka" / "started.properties").read_text()
    java = javaproperties.loads(started_text)  # as java.util.Properties reads it: escapes undone
    assert java["ssl.keystore.key"] == TLS_FILES[naming.TLS_KEY].rstrip("\n")
    assert java["ssl.keystore.certificate.chain"] == TLS_FILES[naming.TLS_CERTIFICATE].rstrip("\n")
    assert "@FILE:" not in started_text
    broker = Pod(tmp_path / "broker", spec, "brokers", 2).start()
    assert broker.started is not None
    jaas = javaproperties.loads((tmp_path / "broker" / "kafka" / "started.properties").read_text())[
        "listener.name.internal.scram-sha-512.sasl.jaas.config"
    ]
    assert jaas == kafka_security.scram_jaas("kraft-internal", SCRAM_PASSWORDS["kraft-internal"])
    assert advertised_hosts(broker.started)[-1] == "b102.kafka.example.com"
    assert broker.started["advertised.listeners"].endswith(":31103")  # nodePortBase + 1 + node ID


def test_a_missing_secret_key_stops_the_node_naming_it(tmp_path: Path) -> None:
    pod = Pod(tmp_path, parse_spec(SECURE), "brokers", 0)
    (pod.volume_dir("tls") / naming.TLS_KEY).unlink()
    start = pod.start()
    assert start.returncode == 1 and start.server_starts == []
    assert "tls.key: its Secret is not mounted or lacks the key" in start.stderr


def test_each_broker_has_its_own_external_service_on_the_port_it_advertises() -> None:
    evaluation = deploy(SECURE)
    service = one(evaluation, "Service", "kafka-brokers-1-external")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["selector"][naming.POD_NAME_LABEL] == "kafka-brokers-1"
    assert service["spec"]["ports"][0]["nodePort"] == 31000 + 1 + 101
    assert one(evaluation, "Service", "kafka-external")["spec"]["ports"][0]["nodePort"] == 31000
    policy = one(evaluation, "NetworkPolicy", "kafka-nodes")
    assert {"ports": [{"protocol": "TCP", "port": listeners.EXTERNAL.port}]} in policy["spec"]["ingress"]
    internal_ports = [port["port"] for port in policy["spec"]["ingress"][0]["ports"]]
    assert listeners.EXTERNAL.port not in internal_ports
