"""The API server through the Kubernetes client's dynamic interface: plain objects, no typed models."""

from typing import Any

from kubernetes import config as kube_config
from kubernetes import dynamic
from kubernetes.client import ApiClient


def client(kubeconfig: str) -> ApiClient:
    """An API client of the kubeconfig's current context."""
    api: ApiClient = kube_config.new_client_from_config(config_file=kubeconfig)  # type: ignore[no-untyped-call]
    return api


def resource(api: ApiClient, api_version: str, kind: str) -> Any:
    """The dynamic resource of a kind: `.get(name=..., namespace=...)`, `.create(body=...)`, `.patch(...)`."""
    return dynamic.DynamicClient(api).resources.get(api_version=api_version, kind=kind)  # type: ignore[no-untyped-call]


def create(api: ApiClient, manifest: dict[str, Any]) -> Any:
    """Create an object from its manifest."""
    metadata = manifest["metadata"]
    return resource(api, manifest["apiVersion"], manifest["kind"]).create(
        body=manifest, namespace=metadata.get("namespace")
    )


def get(api: ApiClient, manifest: dict[str, Any]) -> Any:
    """The object a manifest names, as the API server has it (NotFoundError when it does not exist)."""
    metadata = manifest["metadata"]
    return resource(api, manifest["apiVersion"], manifest["kind"]).get(
        name=metadata["name"], namespace=metadata.get("namespace")
    )
