"""The cluster's certificate: which names it covers, and the objects that issue it.

One certificate serves every listener of every node. Its names cover every host a node advertises or a
client dials: each pod through a wildcard of the headless Service (so growing a pool never re-issues it),
the bootstrap Service by every name it resolves as, and each external host. Its common name is the nodes'
principal on the mutual-TLS listeners.
"""

from typing import Any

from . import external, naming
from .manifests import Manifest, common_labels, secret
from .spec import ClusterSpec

KEY_ALGORITHM = "ECDSA"
KEY_CURVE = "P256"
CA_VALIDITY_DAYS = 3650
HOURS_PER_DAY = 24
CERTIFICATE_USAGES = ("digital signature", "key encipherment", "server auth", "client auth")
CERTIFICATE_TYPE = ("cert-manager.io/v1", "Certificate")  # (apiVersion, kind) of the cert-manager Certificate


def dns_names(spec: ClusterSpec, namespace: str) -> list[str]:
    """Every DNS name the certificate covers."""
    domain = spec.cluster_domain
    pods = f"*.{naming.headless_service_name(spec.name)}.{namespace}.svc.{domain}"
    bootstrap = naming.bootstrap_service_name(spec.name)
    services = [
        bootstrap,
        f"{bootstrap}.{namespace}",
        f"{bootstrap}.{namespace}.svc",
        f"{bootstrap}.{namespace}.svc.{domain}",
    ]
    return [pods, *services, *external.hosts(spec)]


def covers(san: str, host: str) -> bool:
    """Whether a certificate name matches a host as TLS clients check it (RFC 6125: a wildcard stands for
    exactly one whole left-most label)."""
    if not san.startswith("*."):
        return san.lower() == host.lower()
    label, _, rest = host.partition(".")
    return bool(label) and rest.lower() == san[2:].lower()


def certificate(spec: ClusterSpec, namespace: str) -> Manifest:
    """A cert-manager Certificate that keeps the TLS Secret issued and renewed. The key is PKCS#8, the form
    Kafka's PEM support reads, and rotated with every renewal."""
    assert spec.tls.issuer is not None, "a certManager source always names its issuer"
    api_version, kind = CERTIFICATE_TYPE
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "name": naming.tls_secret_name(spec.name),
            "namespace": namespace,
            "labels": common_labels(spec),
        },
        "spec": {
            "secretName": naming.tls_secret_name(spec.name),
            "secretTemplate": {"labels": common_labels(spec)},
            "commonName": naming.node_principal(spec.name),
            "dnsNames": dns_names(spec, namespace),
            "duration": f"{spec.tls.validity_days * HOURS_PER_DAY}h",
            "renewBefore": f"{spec.tls.renew_before_days * HOURS_PER_DAY}h",
            "privateKey": {"algorithm": KEY_ALGORITHM, "size": 256, "encoding": "PKCS8", "rotationPolicy": "Always"},
            "usages": list(CERTIFICATE_USAGES),
            "issuerRef": {"group": "cert-manager.io", "kind": spec.tls.issuer.kind.value, "name": spec.tls.issuer.name},
        },
    }


def tls_secret(spec: ClusterSpec, namespace: str, *, data: Any) -> Manifest:
    """The Secret of a generated certificate, in the layout cert-manager writes (`data` may be an Output)."""
    return secret(spec, naming.tls_secret_name(spec.name), namespace, data, "kubernetes.io/tls")


def tls_secret_data(key_pem: str, certificate_pem: str, ca_pem: str) -> dict[str, str]:
    """The TLS Secret's keys."""
    return {naming.TLS_KEY: key_pem, naming.TLS_CERTIFICATE: certificate_pem, naming.TLS_CA: ca_pem}
