"""The listeners every node opens, by role, and the security protocol of each."""

from dataclasses import dataclass

from .spec import ClusterSpec, PoolSpec, Protocol

SCRAM_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class Listener:
    """A Kafka listener and the container port that carries it."""

    name: str
    port: int
    port_name: str


CLIENT = Listener("CLIENT", 9092, "client")
CONTROLLER = Listener("CONTROLLER", 9093, "controller")
INTERNAL = Listener("INTERNAL", 9094, "internal")
EXTERNAL = Listener("EXTERNAL", 9095, "external")


def for_cluster(spec: ClusterSpec) -> tuple[Listener, ...]:
    """Every listener some node of the cluster opens."""
    return (CLIENT, INTERNAL, CONTROLLER) + ((EXTERNAL,) if spec.listeners.external else ())


def for_pool(spec: ClusterSpec, pool: PoolSpec) -> tuple[Listener, ...]:
    """Brokers open the client, inter-broker and external listeners; controllers the controller listener only
    (Kafka refuses a controller listener on a broker-only node and any other on a controller-only node)."""
    broker = tuple(listener for listener in for_cluster(spec) if listener is not CONTROLLER)
    return (broker if pool.is_broker else ()) + ((CONTROLLER,) if pool.is_controller else ())


def spec_key(listener: Listener) -> str:
    """The `kraft:cluster` key that sets the listener's security protocol."""
    return f"listeners.{listener.port_name}"


def protocol(spec: ClusterSpec, listener: Listener) -> str:
    """The listener's `listener.security.protocol.map` entry."""
    return dict(zip(for_cluster(spec), spec.listeners.protocols, strict=True))[listener].value


def uses_tls(spec: ClusterSpec, listener: Listener) -> bool:
    """Whether the listener encrypts with the cluster's certificate."""
    return Protocol(protocol(spec, listener)).uses_tls


def uses_sasl(spec: ClusterSpec, listener: Listener) -> bool:
    """Whether the listener's clients log in with SCRAM."""
    return Protocol(protocol(spec, listener)).uses_sasl


def requires_client_certificate(spec: ClusterSpec, listener: Listener) -> bool:
    """The nodes' own TLS listeners (controller, inter-broker) authenticate peers by certificate."""
    return listener in (CONTROLLER, INTERNAL) and protocol(spec, listener) == "SSL"
