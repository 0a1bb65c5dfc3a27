"""kraft: Apache Kafka in KRaft mode on Kubernetes, as a Pulumi component."""

from .component import KraftCluster, KraftClusterArgs
from .computed import PROVIDER_COMPUTED
from .spec import ClusterSpec, InvalidSpec, PoolSpec, Role, parse_spec

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
