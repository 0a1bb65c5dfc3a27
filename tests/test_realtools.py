"""The real tiers' support code, offline: wrapper modules, the language host's command line, the stand-in
providers' resources, and the control plane's objects."""

import datetime
import json
import os
import string
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from kubernetes.dynamic.resource import ResourceField

from realtools import cache, cloud, controlplane, gotools, langhost_python, processes
from realtools.prerequisites import MissingPrerequisite
from realtools.standins import provider, random_provider, tls_provider

PKG_GO_MOD = """module github.com/pulumi/pulumi/pkg/v3

go 1.26.6

replace github.com/pulumi/pulumi/sdk/v3 => ../sdk

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

require (
\tgithub.com/pulumi/pulumi/sdk/v3 v3.274.0
\tgithub.com/blang/semver v3.5.1+incompatible // indirect
)
"""
KUBERNETES_GO_MOD = """module k8s.io/kubernetes

require (
\tk8s.io/api v0.0.0
\tk8s.io/client-go v0.0.0
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/sample-controller => ./staging/src/k8s.io/sample-controller // never required
)
"""


def test_a_local_replace_becomes_the_published_module_and_a_fork_is_restated() -> None:
    assert gotools.replace_lines(PKG_GO_MOD, "v3.274.0") == [
        "github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v3.274.0",
        "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
    ]


def test_staging_modules_are_replaced_by_their_releases_and_unrequired_ones_dropped() -> None:
    assert gotools.replace_lines(KUBERNETES_GO_MOD, "v0.37.2") == [
        "k8s.io/api => k8s.io/api v0.37.2",
        "k8s.io/client-go => k8s.io/client-go v0.37.2",
    ]


def test_the_wrapper_requires_each_upstream_and_imports_only_upstream_mains() -> None:
    tool = gotools.kubernetes_provider("4.25.0")
    go_mod = gotools.go_mod(tool, ["a => b v1", "a => b v1"])
    assert "\tgithub.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199\n" in go_mod
    assert go_mod.count("a => b v1") == 1
    assert gotools.tools_go(tool).count('_ "') == 0  # its main is ours, from realtools/gomain
    assert '_ "k8s.io/kubernetes/cmd/kube-apiserver"' in gotools.tools_go(gotools.kubernetes())


def test_a_kubernetes_provider_release_without_a_served_module_is_named() -> None:
    with pytest.raises(MissingPrerequisite, match=r"pulumi-kubernetes 4\.34\.2: .*constraints\.txt"):
        gotools.kubernetes_provider("4.34.2")


def test_the_kubernetes_binaries_report_their_release() -> None:
    flags = " ".join(gotools.kubernetes().ldflags)
    assert f"k8s.io/component-base/version.gitVersion=v{gotools.KUBERNETES}" in flags


def test_the_exec_script_gets_every_field_of_the_run_request() -> None:
    request = SimpleNamespace(
        monitor_address="127.0.0.1:1", project="kraft", stack="dev", pwd="/p", dryRun=True, parallel=8,
        organization="", info=SimpleNamespace(root_directory="/p", entry_point="."), args=["x"],
    )  # fmt: skip
    assert langhost_python.exec_arguments(request, "127.0.0.1:2") == [
        "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "kraft", "--root_directory", "/p",
        "--stack", "dev", "--pwd", "/p", "--dry_run", "true", "--parallel", "8", ".", "x",
    ]  # fmt: skip


def test_the_virtualenv_option_is_relative_to_the_project_root(tmp_path: Any) -> None:
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").touch()
    python, env = langhost_python.interpreter(str(tmp_path), {"virtualenv": "venv"})
    assert python == str(tmp_path / "venv" / "bin" / "python")
    assert env["VIRTUAL_ENV"] == str(tmp_path / "venv")
    assert env["PATH"].startswith(str(tmp_path / "venv" / "bin"))
    with pytest.raises(FileNotFoundError, match="no bin/python"):
        langhost_python.interpreter(str(tmp_path), {"virtualenv": "missing"})


def test_a_random_id_is_its_bytes_in_every_encoding() -> None:
    identity, outputs = random_provider.random_id({"byteLength": 16.0})
    assert outputs["b64Url"] == identity and len(identity) == 22
    data = bytes.fromhex(outputs["hex"])
    assert len(data) == 16 and int(outputs["dec"]) == int.from_bytes(data, "big")


def test_a_password_has_its_length_and_only_the_enabled_classes() -> None:
    inputs = random_provider.PASSWORD_DEFAULTS | {"length": 32.0, "special": False, "minNumeric": 5.0}
    _, outputs = random_provider.random_password(inputs)
    password = outputs["result"]
    assert len(password) == 32 and set(password) <= set(string.ascii_letters + string.digits)
    assert sum(character.isdigit() for character in password) >= 5
    assert random_provider.random_password(inputs)[1]["result"] != password


def test_every_changed_or_unknown_input_forces_a_replacement() -> None:
    old = {"length": 32.0, "special": False}
    assert provider.changed_inputs(old, dict(old), set()) == []
    assert provider.changed_inputs(old, {"length": 16.0, "special": False}, set()) == ["length"]
    assert provider.changed_inputs(old, {"length": provider.UNKNOWN, "special": False}, set()) == ["length"]
    assert provider.changed_inputs(old, {"length": 16.0, "special": False}, {"length"}) == []


def test_a_locally_signed_certificate_chains_to_its_self_signed_ca() -> None:
    _, ca_key = tls_provider.private_key({"algorithm": "ECDSA", "ecdsaCurve": "P256"})
    _, ca = tls_provider.self_signed_cert({
        "privateKeyPem": ca_key["privateKeyPem"], "subject": {"commonName": "test CA"}, "isCaCertificate": True,
        "validityPeriodHours": 24.0, "allowedUses": ["cert_signing"],
    })  # fmt: skip
    _, node_key = tls_provider.private_key({"algorithm": "ECDSA", "ecdsaCurve": "P256"})
    _, request = tls_provider.cert_request({
        "privateKeyPem": node_key["privateKeyPem"], "subject": {"commonName": "kafka-node"},
        "dnsNames": ["*.kafka-headless.kafka.svc.cluster.local"],
    })  # fmt: skip
    _, signed = tls_provider.locally_signed_cert({
        "certRequestPem": request["certRequestPem"], "caPrivateKeyPem": ca_key["privateKeyPem"],
        "caCertPem": ca["certPem"], "validityPeriodHours": 48.0, "allowedUses": ["server_auth", "client_auth"],
    })  # fmt: skip
    certificate = x509.load_pem_x509_certificate(signed["certPem"].encode())
    authority = x509.load_pem_x509_certificate(ca["certPem"].encode())
    certificate.verify_directly_issued_by(authority)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["*.kafka-headless.kafka.svc.cluster.local"]
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert "BEGIN PRIVATE KEY" in node_key["privateKeyPemPkcs8"] and "BEGIN EC PRIVATE KEY" in node_key["privateKeyPem"]


def test_a_certificate_is_due_inside_its_early_renewal_window() -> None:
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=10)
    state = {"validityEndTime": end.isoformat().replace("+00:00", "Z")}
    assert not tls_provider.due_for_renewal(state | {"earlyRenewalHours": 5.0})
    assert tls_provider.due_for_renewal(state | {"earlyRenewalHours": 11.0})


def test_fake_nodes_spread_over_three_zones_with_distinct_hostnames() -> None:
    nodes = [controlplane.node(index, controlplane.ZONES[index % 3]) for index in range(6)]
    labels = [node["metadata"]["labels"] for node in nodes]
    assert {label["topology.kubernetes.io/zone"] for label in labels} == set(controlplane.ZONES)
    assert len({label["kubernetes.io/hostname"] for label in labels}) == 6


def test_a_volume_is_made_for_its_claim_at_the_size_it_asks(tmp_path: Any) -> None:
    claim = json.loads(
        json.dumps({"metadata": {"uid": "u1", "namespace": "kafka", "name": "data-kafka-nodes-0"},
                    "spec": {"resources": {"requests": {"storage": "2Gi"}}, "accessModes": ["ReadWriteOnce"]}}),
        object_hook=lambda fields: SimpleNamespace(**fields),
    )  # fmt: skip
    volume = cloud.volume_for(claim, tmp_path)
    assert volume["spec"]["claimRef"] == {"namespace": "kafka", "name": "data-kafka-nodes-0", "uid": "u1"}
    assert volume["spec"]["capacity"] == {"storage": "2Gi"}
    assert volume["spec"]["storageClassName"] == cloud.STORAGE_CLASS


def test_a_bound_claim_that_asks_for_more_grows_its_volume() -> None:
    def objects(claim_size: str, volume_size: str) -> tuple[Any, Any]:
        claim = SimpleNamespace(
            spec=SimpleNamespace(resources=SimpleNamespace(requests=SimpleNamespace(storage=claim_size)))
        )
        volume = SimpleNamespace(spec=SimpleNamespace(capacity=SimpleNamespace(storage=volume_size)))
        return claim, volume

    assert cloud.grown(*objects("4Gi", "2Gi")) == "4Gi"
    assert cloud.grown(*objects("2048Mi", "2Gi")) is None
    assert cloud.grown(*objects("1Gi", "2Gi")) is None


def resource_fields(value: Any) -> Any:
    """An object as the dynamic client returns it: attribute access, None for a missing field."""
    if isinstance(value, dict):
        return ResourceField({key: resource_fields(item) for key, item in value.items()})  # type: ignore[no-untyped-call]
    if isinstance(value, list):
        return [resource_fields(item) for item in value]
    return value


def test_a_load_balancer_awaits_an_address_until_it_has_one() -> None:
    def service(kind: str, status: dict[str, Any]) -> Any:
        return resource_fields({"spec": {"type": kind}, "status": status})

    assert cloud.awaits_address(service("LoadBalancer", {}))
    assert cloud.awaits_address(service("LoadBalancer", {"loadBalancer": {}}))
    assert not cloud.awaits_address(service("LoadBalancer", {"loadBalancer": {"ingress": [{"ip": "127.0.1.1"}]}}))
    assert not cloud.awaits_address(service("ClusterIP", {"loadBalancer": {}}))
    assert not cloud.awaits_address(service("NodePort", {}))


def test_a_cache_entry_appears_only_once_complete_and_is_built_once(tmp_path: Path) -> None:
    final = tmp_path / "tools" / "tool-1.0"
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / ".tool-1.0-killed").mkdir()  # left by a build that was killed
    with pytest.raises(RuntimeError), cache.entry(final) as scratch:
        assert scratch is not None
        (scratch / "half").write_text("")
        raise RuntimeError("the build failed")
    assert not final.exists()
    with cache.entry(final) as scratch:
        assert scratch is not None and not final.exists()
        (scratch / "whole").write_text("")
    assert [path.name for path in final.iterdir()] == ["whole"]
    with cache.entry(final) as scratch:
        assert scratch is None  # another build made it meanwhile
    assert sorted(path.name for path in (tmp_path / "tools").iterdir()) == [".tool-1.0.lock", "tool-1.0"]


def test_a_bounded_command_past_its_time_is_killed_with_its_children(tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    command = ["bash", "-c", f"sleep 300 & echo $! > {child}; wait"]
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run_bounded(command, cwd=tmp_path, env=dict(os.environ), timeout=1)
    state = Path(f"/proc/{child.read_text().strip()}/stat")
    assert not state.exists() or state.read_text().split(") ")[1].startswith("Z"), "the child outlived the timeout"
    done = processes.run_bounded(["bash", "-c", "echo out; echo err >&2; exit 3"], tmp_path, dict(os.environ), 10)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
