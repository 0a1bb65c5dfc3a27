"""How the JMX exporter's Java agent reaches the Kafka container, which the official image does not carry.

An init container copies the agent jar from `metrics.agentImage` into an emptyDir; the node script adds
`-javaagent:<jar>=<port>:<rules>` to KAFKA_OPTS for the server alone (not for `kafka-storage.sh format`, which
runs in the same container first and would start a second agent on the same port).
"""

from . import pods
from .jmx_exporter import AGENT_JAR, AGENT_MOUNT, PORT, PORT_NAME, java_agent_option
from .manifests import Manifest
from .spec import ClusterSpec

AGENT_VOLUME = "metrics-agent"


def environment(spec: ClusterSpec) -> dict[str, str]:
    """What the node script reads to start the agent with the server (nothing when metrics are off)."""
    if not spec.metrics.enabled:
        return {}
    return {"KRAFT_METRICS_AGENT_JAR": AGENT_JAR, "KRAFT_METRICS_JAVA_AGENT": java_agent_option()}


def volumes(spec: ClusterSpec) -> tuple[list[Manifest], list[Manifest]]:
    """(volumes, the Kafka container's mounts): the emptyDir the init container fills, read-only for Kafka."""
    if not spec.metrics.enabled:
        return [], []
    return (
        [{"name": AGENT_VOLUME, "emptyDir": {"sizeLimit": "16Mi"}}],
        [{"name": AGENT_VOLUME, "mountPath": AGENT_MOUNT, "readOnly": True}],
    )


def container_ports(spec: ClusterSpec) -> list[Manifest]:
    """The metrics port of the Kafka container."""
    return [{"name": PORT_NAME, "containerPort": PORT, "protocol": "TCP"}] if spec.metrics.enabled else []


def init_containers(spec: ClusterSpec) -> list[Manifest]:
    """The init container that copies the agent jar from `metrics.agentImage` into the shared emptyDir."""
    if not spec.metrics.enabled:
        return []
    return [
        {
            "name": AGENT_VOLUME,
            "image": spec.metrics.agent_image,
            "imagePullPolicy": spec.image_pull_policy.value,
            "command": ["cp", spec.metrics.agent_jar_path, AGENT_JAR],
            "resources": {
                "requests": {"cpu": "10m", "memory": "16Mi"},
                "limits": {"cpu": "100m", "memory": "32Mi"},
            },
            "securityContext": pods.container_security_context(),
            "volumeMounts": [{"name": AGENT_VOLUME, "mountPath": AGENT_MOUNT}],
        }
    ]
