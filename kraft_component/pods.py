"""What every pod of the cluster shares: the image, the restricted security contexts, and the checkov
findings they cause, each accepted with its reason."""

from .manifests import Manifest
from .spec import ClusterSpec, ImagePullPolicy

UID = 1000  # appuser in apache/kafka
# checkov CKV_K8S_40 asks for a uid >= 10000, so that a container user never shares a uid with a host user.
UID_CHECKOV_SKIP = "CKV_K8S_40=apache/kafka runs as its appuser (uid 1000); non-root, no escalation, no capabilities"


def kafka_image(spec: ClusterSpec) -> Manifest:
    """The container's image and pull policy."""
    return {"image": spec.image_ref, "imagePullPolicy": spec.image_pull_policy.value}


def pod_security_context() -> Manifest:
    """The restricted Pod Security Standard at pod level; volumes writable by the image's user."""
    return {
        "runAsNonRoot": True,
        "runAsUser": UID,
        "runAsGroup": UID,
        "fsGroup": UID,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> Manifest:
    """No privilege, no capabilities, nothing writable but the mounted volumes."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": UID,
        "runAsGroup": UID,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def image_checkov_skips(spec: ClusterSpec, with_agent: bool = False) -> list[str]:
    """checkov findings that the image references cause, each with why it is accepted. `with_agent`: the pod
    also runs the metrics agent's image."""
    skips = []
    if "@sha256:" not in spec.image_ref:
        skips.append("CKV_K8S_43=a Kafka release tag; pin a digest with kraft:cluster.image (name@sha256...)")
    elif with_agent and "@sha256:" not in spec.metrics.agent_image:
        skips.append("CKV_K8S_43=a release tag; pin a digest with kraft:cluster.metrics.agentImage (name@sha256...)")
    if spec.image_pull_policy is not ImagePullPolicy.ALWAYS:
        skips.append("CKV_K8S_15=release tags are not rebuilt; kraft:cluster.imagePullPolicy can choose Always")
    return skips


def checkov_skip_annotations(spec: ClusterSpec, with_agent: bool = False) -> dict[str, str]:
    """`checkov.io/skipN: CHECK_ID=reason` annotations for a workload running the Kafka image (and the metrics
    agent's image, `with_agent`)."""
    skips = [UID_CHECKOV_SKIP, *image_checkov_skips(spec, with_agent)]
    return {f"checkov.io/skip{number}": skip for number, skip in enumerate(skips, start=1)}
