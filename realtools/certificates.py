"""Real keys and certificates under Pulumi's mocks: what the pulumi_tls provider would compute from the
inputs the component gives it (key algorithm, subject, names, validity, uses), so rendered objects carry
certificates a real Kafka accepts. The provider itself is exercised by the real-Pulumi tier."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pulumi.runtime.mocks import MockResourceArgs

from kraft_component.evaluation import RecordingMocks, reveal

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
CURVES: dict[str, ec.EllipticCurve] = {
    "P224": ec.SECP224R1(),
    "P256": ec.SECP256R1(),
    "P384": ec.SECP384R1(),
    "P521": ec.SECP521R1(),
}
KEY_USES = {
    "digital_signature": "digital_signature", "content_commitment": "content_commitment",
    "key_encipherment": "key_encipherment", "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement", "cert_signing": "key_cert_sign", "crl_signing": "crl_sign",
}  # fmt: skip
EXTENDED_USES = {"server_auth": ExtendedKeyUsageOID.SERVER_AUTH, "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH}
BACKDATE = datetime.timedelta(minutes=5)  # clock skew between the machine that signs and the ones that check


def new_key(algorithm: str, curve: str, rsa_bits: int) -> PrivateKey:
    """A private key as tls.PrivateKey makes it (ECDSA on a named curve, or RSA)."""
    if algorithm == "ECDSA":
        return ec.generate_private_key(CURVES[curve])
    if algorithm == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    raise ValueError(f"key algorithm {algorithm} is not supported here")


def key_outputs(key: PrivateKey) -> dict[str, str]:
    """tls.PrivateKey's PEM outputs."""
    traditional = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "privateKeyPem": traditional.decode(),
        "privateKeyPemPkcs8": pkcs8.decode(),
        "publicKeyPem": public.decode(),
    }


def load_key(pem: str) -> PrivateKey:
    """A PEM private key."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def subject(fields: Mapping[str, Any] | None) -> x509.Name:
    """A certificate subject from tls's subject block (commonName, organization, ...)."""
    names = {
        "commonName": NameOID.COMMON_NAME, "organization": NameOID.ORGANIZATION_NAME,
        "organizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME, "country": NameOID.COUNTRY_NAME,
        "locality": NameOID.LOCALITY_NAME, "province": NameOID.STATE_OR_PROVINCE_NAME,
    }  # fmt: skip
    return x509.Name(
        [x509.NameAttribute(names[key], str(value)) for key, value in (fields or {}).items() if key in names and value]
    )


def _uses(builder: x509.CertificateBuilder, uses: Sequence[str], is_ca: bool) -> x509.CertificateBuilder:
    flags = {flag: False for flag in KEY_USES.values()} | {"encipher_only": False, "decipher_only": False}
    flags |= {KEY_USES[use]: True for use in uses if use in KEY_USES}
    builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    extended = [EXTENDED_USES[use] for use in uses if use in EXTENDED_USES]
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
    return builder.add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)


def certificate(
    *, subject_name: x509.Name, issuer: x509.Name, public_key: Any, signer: PrivateKey, hours: float,
    uses: Sequence[str], is_ca: bool, dns_names: Sequence[str] = (),
) -> str:  # fmt: skip
    """A signed certificate in PEM."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + datetime.timedelta(hours=hours))
    )
    builder = _uses(builder, uses, is_ca)
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    return builder.sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def tls_outputs(kind: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    """The outputs a tls resource of `kind` (its type token) computes from its (revealed) inputs."""
    if kind == "tls:index/privateKey:PrivateKey":
        key = new_key(str(inputs["algorithm"]), str(inputs.get("ecdsaCurve", "P224")), int(inputs.get("rsaBits", 2048)))
        return key_outputs(key)
    if kind == "tls:index/selfSignedCert:SelfSignedCert":
        key = load_key(inputs["privateKeyPem"])
        name = subject(inputs.get("subject"))
        pem = certificate(
            subject_name=name, issuer=name, public_key=key.public_key(), signer=key,
            hours=float(inputs["validityPeriodHours"]), uses=inputs.get("allowedUses", []),
            is_ca=bool(inputs.get("isCaCertificate")), dns_names=inputs.get("dnsNames", []),
        )  # fmt: skip
        return {"certPem": pem}
    if kind == "tls:index/certRequest:CertRequest":
        key = load_key(inputs["privateKeyPem"])
        builder = x509.CertificateSigningRequestBuilder().subject_name(subject(inputs.get("subject")))
        if inputs.get("dnsNames"):
            alternative = x509.SubjectAlternativeName([x509.DNSName(name) for name in inputs["dnsNames"]])
            builder = builder.add_extension(alternative, critical=False)
        request = builder.sign(key, hashes.SHA256())
        return {"certRequestPem": request.public_bytes(serialization.Encoding.PEM).decode()}
    if kind == "tls:index/locallySignedCert:LocallySignedCert":
        request = x509.load_pem_x509_csr(inputs["certRequestPem"].encode())
        authority = x509.load_pem_x509_certificate(inputs["caCertPem"].encode())
        try:
            alternatives = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns_names: list[str] = alternatives.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            dns_names = []
        pem = certificate(
            subject_name=request.subject, issuer=authority.subject, public_key=request.public_key(),
            signer=load_key(inputs["caPrivateKeyPem"]), hours=float(inputs["validityPeriodHours"]),
            uses=inputs.get("allowedUses", []), is_ca=bool(inputs.get("isCaCertificate")), dns_names=dns_names,
        )  # fmt: skip
        return {"certPem": pem}
    return {}


class RealTlsMocks(RecordingMocks):
    """RecordingMocks whose tls resources compute real keys and certificates."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        identifier, outputs = super().new_resource(args)
        return identifier, outputs | tls_outputs(args.typ, reveal(args.inputs, show_secrets=True))
