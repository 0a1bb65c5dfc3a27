"""Stand-in for pulumi-resource-tls: PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert."""

import datetime
import hashlib
import ipaddress
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .provider import ImmutableProvider, Kind, Properties, serve

CURVES: dict[str, ec.EllipticCurve] = {
    "P224": ec.SECP224R1(), "P256": ec.SECP256R1(), "P384": ec.SECP384R1(), "P521": ec.SECP521R1(),
}  # fmt: skip
KEY_USAGES = {
    "digital_signature": "digital_signature", "content_commitment": "content_commitment",
    "key_encipherment": "key_encipherment", "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement", "cert_signing": "key_cert_sign", "crl_signing": "crl_sign",
    "encipher_only": "encipher_only", "decipher_only": "decipher_only",
}  # fmt: skip
EXTENDED_USAGES = {
    "server_auth": ExtendedKeyUsageOID.SERVER_AUTH, "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "code_signing": ExtendedKeyUsageOID.CODE_SIGNING, "email_protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timestamping": ExtendedKeyUsageOID.TIME_STAMPING, "ocsp_signing": ExtendedKeyUsageOID.OCSP_SIGNING,
    "any_extended": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}  # fmt: skip
SUBJECT_FIELDS = {
    "commonName": NameOID.COMMON_NAME, "organization": NameOID.ORGANIZATION_NAME,
    "organizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME, "country": NameOID.COUNTRY_NAME,
    "locality": NameOID.LOCALITY_NAME, "province": NameOID.STATE_OR_PROVINCE_NAME,
    "postalCode": NameOID.POSTAL_CODE, "serialNumber": NameOID.SERIAL_NUMBER,
}  # fmt: skip
PEM = serialization.Encoding.PEM
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def _pem(data: bytes) -> str:
    return data.decode()


def _load_key(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey), type(key)
    return key


def _algorithm(key: Any) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ECDSA"
    return "RSA" if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) else "ED25519"


def private_key(inputs: Properties) -> tuple[str, Properties]:
    """A new key of the requested algorithm, in every encoding the provider outputs."""
    algorithm = inputs["algorithm"]
    key: PrivateKey
    if algorithm == "ECDSA":
        key = ec.generate_private_key(CURVES[inputs.get("ecdsaCurve", "P224")])
    elif algorithm == "RSA":
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(inputs.get("rsaBits", 2048)))
    else:
        key = ed25519.Ed25519PrivateKey.generate()
    none = serialization.NoEncryption()
    traditional = (
        serialization.PrivateFormat.PKCS8 if algorithm == "ED25519" else serialization.PrivateFormat.TraditionalOpenSSL
    )
    public = key.public_key()
    public_der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    openssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    outputs = {
        "privateKeyPem": _pem(key.private_bytes(PEM, traditional, none)),
        "privateKeyPemPkcs8": _pem(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, none)),
        "privateKeyOpenssh": _pem(key.private_bytes(PEM, serialization.PrivateFormat.OpenSSH, none)),
        "publicKeyPem": _pem(public.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
        "publicKeyOpenssh": openssh + "\n",
        "publicKeyFingerprintMd5": ":".join(
            f"{b:02x}" for b in hashlib.md5(public_der, usedforsecurity=False).digest()
        ),
        "publicKeyFingerprintSha256": "SHA256:" + hashlib.sha256(public_der).hexdigest(),
    }
    return hashlib.sha1(public_der, usedforsecurity=False).hexdigest(), outputs


def subject(inputs: Properties) -> x509.Name:
    """The subject of a request or certificate from the `subject` input."""
    given = inputs.get("subject") or {}
    attributes = [
        x509.NameAttribute(oid, str(given[field])) for field, oid in SUBJECT_FIELDS.items() if given.get(field)
    ]
    attributes += [x509.NameAttribute(NameOID.STREET_ADDRESS, street) for street in given.get("streetAddresses", [])]
    return x509.Name(attributes)


def alternative_names(inputs: Properties) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in inputs.get("dnsNames", [])]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in inputs.get("ipAddresses", [])]
    return names + [x509.UniformResourceIdentifier(uri) for uri in inputs.get("uris", [])]


def _validity(inputs: Properties) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return start, start + datetime.timedelta(hours=float(inputs["validityPeriodHours"]))


def _times(start: datetime.datetime, end: datetime.datetime) -> Properties:
    return {
        "validityStartTime": start.isoformat().replace("+00:00", "Z"),
        "validityEndTime": end.isoformat().replace("+00:00", "Z"),
        "readyForRenewal": False,
    }


def _certificate(
    inputs: Properties, *, name: x509.Name, public_key: Any, issuer: x509.Name, signer: PrivateKey,
    names: list[x509.GeneralName],
) -> tuple[x509.Certificate, Properties]:  # fmt: skip
    start, end = _validity(inputs)
    uses = inputs.get("allowedUses", [])
    key_usage = {flag: False for flag in KEY_USAGES.values()} | {KEY_USAGES[u]: True for u in uses if u in KEY_USAGES}
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=bool(inputs.get("isCaCertificate")), path_length=None), critical=True)
    )  # fmt: skip
    if any(key_usage.values()):
        builder = builder.add_extension(x509.KeyUsage(**key_usage), critical=True)
    extended = [EXTENDED_USAGES[u] for u in uses if u in EXTENDED_USAGES]
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if inputs.get("setSubjectKeyId"):
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    digest = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    certificate = builder.sign(signer, digest)
    return certificate, {"certPem": _pem(certificate.public_bytes(PEM))} | _times(start, end)


def self_signed_cert(inputs: Properties) -> tuple[str, Properties]:
    key = _load_key(inputs["privateKeyPem"])
    name = subject(inputs)
    certificate, outputs = _certificate(
        inputs, name=name, public_key=key.public_key(), issuer=name, signer=key, names=alternative_names(inputs)
    )
    return str(certificate.serial_number), outputs | {"keyAlgorithm": _algorithm(key)}


def cert_request(inputs: Properties) -> tuple[str, Properties]:
    key = _load_key(inputs["privateKeyPem"])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject(inputs))
    if names := alternative_names(inputs):
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    digest = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    pem = _pem(builder.sign(key, digest).public_bytes(PEM))
    return hashlib.sha1(pem.encode(), usedforsecurity=False).hexdigest(), {
        "certRequestPem": pem,
        "keyAlgorithm": _algorithm(key),
    }


def locally_signed_cert(inputs: Properties) -> tuple[str, Properties]:
    request = x509.load_pem_x509_csr(inputs["certRequestPem"].encode())
    ca_key = _load_key(inputs["caPrivateKeyPem"])
    ca = x509.load_pem_x509_certificate(inputs["caCertPem"].encode())
    try:
        names = list(request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        names = []
    certificate, outputs = _certificate(
        inputs, name=request.subject, public_key=request.public_key(), issuer=ca.subject, signer=ca_key, names=names
    )
    return str(certificate.serial_number), outputs | {"caKeyAlgorithm": _algorithm(ca_key)}


def due_for_renewal(state: Properties) -> bool:
    """Inside the early-renewal window (or expired): the Terraform provider plans a replacement."""
    end = state.get("validityEndTime")
    if not end:
        return False
    window = datetime.timedelta(hours=float(state.get("earlyRenewalHours", 0)))
    return datetime.datetime.now(datetime.UTC) >= datetime.datetime.fromisoformat(end) - window


CERTIFICATE_DEFAULTS = {"earlyRenewalHours": 0, "isCaCertificate": False, "setSubjectKeyId": False}
KINDS = {
    "tls:index/privateKey:PrivateKey": Kind(defaults={"ecdsaCurve": "P224", "rsaBits": 2048}, make=private_key),
    "tls:index/selfSignedCert:SelfSignedCert": Kind(
        defaults=CERTIFICATE_DEFAULTS | {"setAuthorityKeyId": False}, make=self_signed_cert, due=due_for_renewal
    ),
    "tls:index/certRequest:CertRequest": Kind(defaults={}, make=cert_request),
    "tls:index/locallySignedCert:LocallySignedCert": Kind(
        defaults=CERTIFICATE_DEFAULTS, make=locally_signed_cert, due=due_for_renewal
    ),
}


def main(*_arguments: str) -> None:
    """Serve the stand-in (the engine passes its address, which a provider without callbacks ignores)."""
    serve(ImmutableProvider("tls", "pulumi_tls", KINDS))
