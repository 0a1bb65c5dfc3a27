"""The signal that a dynamic quorum has formed: a ConfigMap the component creates only once the controllers
are Ready, mounted into every controller as an optional volume.

KIP-853 names a voter by node ID and metadata directory ID, so that a controller whose disk was wiped comes
back as a new replica instead of voting as its old self with an empty log. `--initial-controllers` needs every
initial voter's directory ID before any of them is formatted, which is why the cluster-ID Secret holds
seed-derived IDs; but a controller formatted with its old ID after the quorum formed would be exactly that
amnesiac voter. So the node script reads this marker before it formats a metadata directory: while it is
absent, an initial controller formats with `--initial-controllers`; once it exists, every controller formats
with `--no-initial-controllers`, gets a random directory ID from Kafka and can only join as a new replica.

The volume is optional, so pods created before the marker exists still start; the kubelet fills it in once
the ConfigMap appears. The marker holds nothing secret, hence a ConfigMap.
"""

from . import naming
from .manifests import Manifest, common_labels
from .spec import ClusterSpec

VOLUME = "quorum"


def marker(spec: ClusterSpec, namespace: str) -> Manifest:
    """The ConfigMap whose existence means "formed"."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": naming.quorum_marker_name(spec.name),
            "namespace": namespace,
            "labels": common_labels(spec),
        },
        "data": {naming.QUORUM_FORMED_KEY: "true"},
    }


def volume(spec: ClusterSpec) -> Manifest:
    """The pod volume: empty until the marker exists."""
    config_map = {"name": naming.quorum_marker_name(spec.name), "optional": True, "defaultMode": 0o444}
    return {"name": VOLUME, "configMap": config_map}


def mount() -> Manifest:
    """Where a controller sees the marker."""
    return {"name": VOLUME, "mountPath": naming.QUORUM_MOUNT, "readOnly": True}


def formed_file() -> str:
    """The file that exists in a controller once the quorum has formed."""
    return f"{naming.QUORUM_MOUNT}/{naming.QUORUM_FORMED_KEY}"
