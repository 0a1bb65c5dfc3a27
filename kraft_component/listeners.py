"""The listeners every node opens, by role."""

from dataclasses import dataclass

from .spec import PoolSpec


@dataclass(frozen=True)
class Listener:
    """A Kafka listener and the container port that carries it."""

    name: str
    port: int
    port_name: str
    security_protocol: str = "PLAINTEXT"


CLIENT = Listener("CLIENT", 9092, "client")
CONTROLLER = Listener("CONTROLLER", 9093, "controller")
INTERNAL = Listener("INTERNAL", 9094, "internal")
ALL = (CLIENT, INTERNAL, CONTROLLER)


def for_pool(pool: PoolSpec) -> tuple[Listener, ...]:
    """Brokers open the client and inter-broker listeners; controllers open the controller listener only."""
    return ((CLIENT, INTERNAL) if pool.is_broker else ()) + ((CONTROLLER,) if pool.is_controller else ())
