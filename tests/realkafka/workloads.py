"""Small workloads for the pod runner's own tests: shell containers in the runner tests' image."""

from typing import Any

from realtools.podrunner import Image
from realtools.podrunner.images import DEFAULT_PATH
from realtools.podrunner.objects import Manifest

SHELL_IMAGE = "kraft.test/shell:1"  # this machine's userland only, as uid 1000: the runner's own tests
NAMESPACE = "runner"
LABELS = {"app": "shell"}
SECURITY = {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000,
            "fsGroupChangePolicy": "OnRootMismatch"}  # fmt: skip
CONTAINER_SECURITY = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                      "capabilities": {"drop": ["ALL"]}}  # fmt: skip


def pod_spec(script: str, **container: Any) -> Manifest:
    """A pod spec whose one container runs `script` with bash, hardened like the component's pods, with a
    scratch emptyDir at /work."""
    volumes = [{"name": "work", "emptyDir": {}}, *container.pop("volumes", [])]
    mounts = [{"name": "work", "mountPath": "/work"}, *container.pop("volumeMounts", [])]
    return {
        "enableServiceLinks": False,
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": container.pop("grace", 5),
        "securityContext": SECURITY,
        "restartPolicy": container.pop("restartPolicy", "Always"),
        "containers": [
            {
                "name": "main",
                "image": SHELL_IMAGE,
                "command": ["/bin/bash", "-c", script],
                "securityContext": CONTAINER_SECURITY,
                "volumeMounts": mounts,
                **container,
            }
        ],
        "volumes": volumes,
    }


def statefulset(
    name: str, script: str, replicas: int = 1, claims: tuple[str, ...] = ("data",), **container: Any
) -> Manifest:
    """A Parallel StatefulSet of `replicas` shell pods, each with its claims mounted at /<claim>."""
    mounts = [{"name": claim, "mountPath": f"/{claim}"} for claim in claims]
    container["volumeMounts"] = [*container.get("volumeMounts", []), *mounts]
    labels = LABELS | {"set": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "serviceName": "shell",
            "replicas": replicas,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec(script, **container)},
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": claim},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
                for claim in claims
            ],
        },
    }


def job(name: str, script: str, backoff_limit: int = 6, deadline: int | None = None) -> Manifest:
    """A Job running `script` once (restartPolicy Never)."""
    spec: Manifest = {"backoffLimit": backoff_limit, "template": {"spec": pod_spec(script, restartPolicy="Never")}}
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": NAMESPACE}, "spec": spec}


def services(port: int = 8080) -> list[Manifest]:
    """A headless Service `shell` publishing every pod, and a ClusterIP Service `web` of the Ready ones."""
    ports = [{"name": "http", "port": port, "targetPort": "http"}]
    return [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "shell", "namespace": NAMESPACE},
         "spec": {"clusterIP": "None", "publishNotReadyAddresses": True, "selector": LABELS, "ports": ports}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": NAMESPACE},
         "spec": {"type": "ClusterIP", "selector": LABELS, "ports": ports}},
    ]  # fmt: skip


def web_server(port: int = 8080) -> str:
    """A script that serves its pod's name over HTTP (busybox httpd) and stays in the foreground."""
    return f'mkdir -p /work/www && echo "$POD_NAME" > /work/www/name && exec busybox httpd -f -p {port} -h /work/www'


POD_NAME_ENV = {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
HTTP_PORT = [{"name": "http", "containerPort": 8080}]


def shell_image(reference: str) -> Image:
    """The runner tests' image: this machine's /usr, nothing else, running as uid 1000."""
    return Image(reference, paths={}, env={"PATH": DEFAULT_PATH}, uid=1000, gid=1000, user="appuser",
                 home="/home/appuser")  # fmt: skip
