"""An infrastructure program that creates its own namespace and puts a KRaft cluster in it.

The namespace name reaches the component as an Output, so the cluster waits for the namespace.
"""

import pulumi
import pulumi_kubernetes as k8s

from kraft_component import KraftCluster, KraftClusterArgs

namespace = k8s.core.v1.Namespace(
    "streaming",
    metadata={
        "name": "streaming",
        "labels": {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        },
    },
    opts=pulumi.ResourceOptions(retain_on_delete=True),
)

cluster = KraftCluster(
    "events",
    KraftClusterArgs(
        spec={
            "name": "events",
            "pools": [
                {"name": "controllers", "roles": ["controller"], "replicas": 3},
                {"name": "brokers", "roles": ["broker"], "replicas": 3, "storage": {"size": "50Gi"}},
            ],
        },
        namespace=namespace.metadata.name,
    ),
)

pulumi.export("bootstrap_servers", cluster.bootstrap_servers)
pulumi.export("namespace", cluster.namespace)
