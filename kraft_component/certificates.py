"""A CA and the nodes' certificate, generated with pulumi_tls when no cert-manager issues them."""

import hashlib

import pulumi
import pulumi_tls as tls_provider

from . import naming, tls
from .computed import provider_computed
from .spec import ClusterSpec

CA_USES = ["cert_signing", "crl_signing", "digital_signature"]
NODE_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]


def _key(name: str, opts: pulumi.ResourceOptions) -> tls_provider.PrivateKey:
    return tls_provider.PrivateKey(name, algorithm=tls.KEY_ALGORITHM, ecdsa_curve=tls.KEY_CURVE, opts=opts)


class GeneratedCertificate:
    """A self-signed CA (ten years) and a node certificate it signs. `pulumi up` inside the node
    certificate's early-renewal window re-issues it, which changes `revision` and rolls the nodes."""

    secret_data: pulumi.Output[dict[str, str]]
    """The TLS Secret's keys (secret)."""
    revision: pulumi.Output[str]
    """A digest of the node certificate."""

    def __init__(
        self, name: str, spec: ClusterSpec, dns_names: pulumi.Input[list[str]], opts: pulumi.ResourceOptions
    ) -> None:
        hours = tls.HOURS_PER_DAY
        ca_key = _key(f"{name}-ca-key", opts)
        ca = tls_provider.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=ca_key.private_key_pem,
            subject=tls_provider.SelfSignedCertSubjectArgs(common_name=f"{spec.name} CA", organization="kraft"),
            is_ca_certificate=True,
            validity_period_hours=tls.CA_VALIDITY_DAYS * hours,
            allowed_uses=CA_USES,
            opts=opts,
        )
        node_key = _key(f"{name}-key", opts)
        request = tls_provider.CertRequest(
            f"{name}-request",
            private_key_pem=node_key.private_key_pem,
            subject=tls_provider.CertRequestSubjectArgs(common_name=naming.node_principal(spec.name)),
            dns_names=dns_names,
            opts=opts,
        )
        certificate = tls_provider.LocallySignedCert(
            f"{name}-certificate",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            ca_cert_pem=ca.cert_pem,
            validity_period_hours=spec.tls.validity_days * hours,
            early_renewal_hours=spec.tls.renew_before_days * hours,
            allowed_uses=NODE_USES,
            opts=opts,
        )
        node_pem, ca_pem = provider_computed(certificate.cert_pem), provider_computed(ca.cert_pem)
        self.secret_data = pulumi.Output.secret(
            pulumi.Output.all(provider_computed(node_key.private_key_pem_pkcs8), node_pem, ca_pem).apply(
                lambda pems: tls.tls_secret_data(*pems)
            )
        )
        self.revision = node_pem.apply(lambda pem: hashlib.sha256(pem.encode()).hexdigest()[:16])
