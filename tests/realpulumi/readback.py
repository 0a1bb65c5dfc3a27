"""What a `pulumi up` left in the API server, as the pod runner takes it: the objects of the stack's state read
back from the server (not the provider's record of them, nor the program's), with the fields only the server
sets dropped, and the order the engine waited for them in, from the state's resource dependencies."""

from typing import Any

from kubernetes.client import ApiClient

from realtools import kubeapi
from realtools.podrunner.objects import Manifest
from realtools.stacks import Registered, Rendered, workload_dependencies

from .stacks import Deployment

RUN_KINDS = frozenset({"ConfigMap", "Secret", "Service", "StatefulSet", "Job"})
"""The kinds the pod runner acts on (it takes Namespaces, NetworkPolicies and the like without acting on them)."""
SERVER_SET_METADATA = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink")


def as_written(live: Manifest) -> Manifest:
    """An object as the API server returns it, without what only the server writes: its status and the identity,
    version and field ownership in its metadata. Everything else, defaults the server filled in included, stays."""
    written = {field: value for field, value in live.items() if field != "status"}
    written["metadata"] = {
        field: value for field, value in live["metadata"].items() if field not in SERVER_SET_METADATA
    }
    return written


def deployed_objects(api: ApiClient, deployment: Deployment) -> Rendered:
    """Every ConfigMap, Secret, Service, StatefulSet and Job of the stack's state as the API server has it, and,
    for each workload and object that waits for one, the workloads its resource depends on in the state."""
    registered: list[Registered] = []
    for resource in deployment.pulumi.export(deployment.project, deployment.stack):
        outputs: dict[str, Any] = resource.get("outputs", {})
        if resource["type"].startswith("kubernetes:") and outputs.get("kind") in RUN_KINDS:
            live = as_written(kubeapi.get(api, outputs).to_dict())
            name = resource["urn"].rsplit("::", 1)[-1]
            registered.append(Registered(resource["type"], name, live, resource.get("dependencies", [])))
    return Rendered([obj.manifest for obj in registered], workload_dependencies(registered))
