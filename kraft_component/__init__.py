"""kraft: Apache Kafka in KRaft mode on Kubernetes, as a Pulumi component.

The public names are imported on first use: the engine's process that runs the deployment record's provider
imports this package to unpickle the provider, and must not pay for the component, pulumi_kubernetes and the
spec's models, which it never uses.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .component import KraftCluster, KraftClusterArgs
    from .computed import PROVIDER_COMPUTED
    from .spec import ClusterSpec, InvalidSpec, PoolSpec, Role, parse_spec

_MODULE_OF = {
    "KraftCluster": "component",
    "KraftClusterArgs": "component",
    "PROVIDER_COMPUTED": "computed",
    "ClusterSpec": "spec",
    "InvalidSpec": "spec",
    "PoolSpec": "spec",
    "Role": "spec",
    "parse_spec": "spec",
}

__all__ = [
    "PROVIDER_COMPUTED",
    "ClusterSpec",
    "InvalidSpec",
    "KraftCluster",
    "KraftClusterArgs",
    "PoolSpec",
    "Role",
    "parse_spec",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module when first asked for (then kept in the package's namespace)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value
    return value
