"""kraft: Apache Kafka in KRaft mode on Kubernetes, as a Pulumi component."""

from .component import KraftCluster, KraftClusterArgs
from .spec import ClusterSpec, InvalidSpec, PoolSpec, Role, parse_spec

__all__ = ["ClusterSpec", "InvalidSpec", "KraftCluster", "KraftClusterArgs", "PoolSpec", "Role", "parse_spec"]
