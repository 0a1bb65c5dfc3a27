"""The TLS, SASL/SCRAM and authorizer properties of nodes and admin clients.

Secret material never enters a template: a value `@FILE:<path>@` names a file of a mounted Secret, and the
node scripts put that file's content in its place when they complete the template inside the pod.
"""

from . import listeners, naming
from .listeners import Listener
from .spec import ClusterSpec, PoolSpec

SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
SCRAM_ITERATIONS = 8192


def from_file(path: str) -> str:
    """A placeholder for the content of `path`, filled in by the node scripts (properties.sh)."""
    return f"@FILE:{path}@"


def secret_file(key: str) -> str:
    """Where a key of the cluster-ID Secret is mounted."""
    return f"{naming.SECRETS_MOUNT}/{key}"


def tls_file(key: str) -> str:
    """Where a key of the TLS Secret is mounted."""
    return f"{naming.TLS_MOUNT}/{key}"


def scram_jaas(user: str | None = None, password: str | None = None) -> str:
    """A SCRAM `sasl.jaas.config`: with credentials for a client, without for a listener that only verifies."""
    credentials = f' username="{user}" password="{password}"' if user is not None else ""
    return f"{SCRAM_LOGIN} required{credentials};"


def trust_properties() -> dict[str, str]:
    """Trust the CA that signed the cluster's certificate (PEM, as cert-manager and pulumi_tls write it)."""
    return {"ssl.truststore.type": "PEM", "ssl.truststore.location": tls_file(naming.TLS_CA)}


def identity_properties() -> dict[str, str]:
    """Present the nodes' certificate. Inline PEM (filled in from the Secret) takes an unencrypted PKCS#8
    key; a PEM keystore *file* would need an encrypted key and its password."""
    return {
        "ssl.keystore.type": "PEM",
        "ssl.keystore.key": from_file(tls_file(naming.TLS_KEY)),
        "ssl.keystore.certificate.chain": from_file(tls_file(naming.TLS_CERTIFICATE)),
    } | trust_properties()


def _listener_prefix(listener: Listener) -> str:
    return f"listener.name.{listener.name.lower()}"


def node_properties(spec: ClusterSpec, pool: PoolSpec) -> dict[str, dict[str, str]]:
    """A node's TLS, SCRAM and authorizer settings for the listeners it opens and connects to, by the
    `kraft:cluster` key that decides them."""
    owned = {"tls": identity_properties() if spec.listeners.uses_tls else {}}
    opened = listeners.for_pool(spec, pool)
    if any(listeners.uses_sasl(spec, listener) for listener in opened):
        owned["listeners"] = {"sasl.enabled.mechanisms": listeners.SCRAM_MECHANISM}
    for listener in opened:
        owned[listeners.spec_key(listener)] = _listener_properties(spec, listener)
    return owned | authorizer_properties(spec)


def _listener_properties(spec: ClusterSpec, listener: Listener) -> dict[str, str]:
    """Mutual TLS on the nodes' own TLS listeners; SCRAM on SASL ones (the broker logs in to its peers as the
    internal user)."""
    properties = {}
    if listeners.requires_client_certificate(spec, listener):
        properties[f"{_listener_prefix(listener)}.ssl.client.auth"] = "required"
    if listeners.uses_sasl(spec, listener):
        jaas = scram_jaas()
        if listener is listeners.INTERNAL:
            password = from_file(secret_file(naming.scram_password_key(naming.INTERNAL_USER)))
            jaas = scram_jaas(naming.INTERNAL_USER, password)
            properties["sasl.mechanism.inter.broker.protocol"] = listeners.SCRAM_MECHANISM
        properties[f"{_listener_prefix(listener)}.{listeners.SCRAM_MECHANISM.lower()}.sasl.jaas.config"] = jaas
    return properties


def super_users(spec: ClusterSpec) -> list[str]:
    """Principals allowed everything: the nodes (by certificate), the internal and admin users, and the
    configured super users."""
    names = [f"CN={naming.node_principal(spec.name)}", naming.INTERNAL_USER, naming.ADMIN_USER]
    return [f"User:{name}" for name in names + list(spec.authorization.super_users)]


def authorizer_properties(spec: ClusterSpec) -> dict[str, dict[str, str]]:
    """StandardAuthorizer on every node (controllers authorize the brokers' and admin requests too)."""
    if not spec.authorization.enabled:
        return {}
    return {
        "authorization.enabled": {"authorizer.class.name": STANDARD_AUTHORIZER},
        "authorization.superUsers": {"super.users": ";".join(super_users(spec))},
    }


def admin_client_properties(spec: ClusterSpec) -> dict[str, str]:
    """How the admin Jobs connect to the client listener: as the admin user, trusting the cluster's CA."""
    protocol = listeners.protocol(spec, listeners.CLIENT)
    properties = {"security.protocol": protocol}
    if listeners.uses_tls(spec, listeners.CLIENT):
        properties |= trust_properties()
    if listeners.uses_sasl(spec, listeners.CLIENT):
        password = from_file(secret_file(naming.scram_password_key(naming.ADMIN_USER)))
        properties |= {
            "sasl.mechanism": listeners.SCRAM_MECHANISM,
            "sasl.jaas.config": scram_jaas(naming.ADMIN_USER, password),
        }
    return properties


def controller_client_properties(spec: ClusterSpec) -> dict[str, str]:
    """How the add-controllers Job reaches the controller listener: with the nodes' certificate under SSL."""
    protocol = listeners.protocol(spec, listeners.CONTROLLER)
    return {"security.protocol": protocol} | (identity_properties() if protocol == "SSL" else {})
