"""Pods as local processes: runs the StatefulSets and Jobs of rendered Kubernetes objects the way a kubelet
and the controllers would, on this machine (see docs/real-kafka.md for what is emulated and what is not)."""

from .cluster import ClientProcess, Cluster, PodMeasure, PodsNotReady, PodView, check_machine
from .controllers import JobStatus
from .images import Image, ImageResolver, kafka_images
from .objects import PodRunnerError, Unsupported

__all__ = [
    "ClientProcess", "Cluster", "Image", "ImageResolver", "JobStatus", "PodMeasure", "PodRunnerError", "PodView",
    "PodsNotReady", "Unsupported", "check_machine", "kafka_images",
]  # fmt: skip
