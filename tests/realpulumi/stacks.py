"""A stack under test, and the Kubernetes objects of its state as the API server has them."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes.client import ApiClient
from kubernetes.dynamic.exceptions import NotFoundError

from realtools import kubeapi
from realtools.processes import wait_until

from .cli import Pulumi, Result

NAMESPACE_GONE_TIMEOUT = 180


@dataclass(frozen=True)
class Deployment:
    """One stack of one project copy."""

    pulumi: Pulumi
    project: Path
    stack: str

    def run(self, *arguments: str) -> Result:
        """`pulumi ARGUMENTS --stack <stack>` in the project."""
        return self.pulumi.run(self.project, *arguments, "--stack", self.stack)

    def up(self, config: dict[str, Any] | None = None, *arguments: str) -> Result:
        """`pulumi up`, with `config` as the stack's whole config first when given."""
        if config is not None:
            self.pulumi.set_config(self.project, self.stack, config)
        return self.run("up", "--yes", *arguments)

    def objects(self) -> list[dict[str, Any]]:
        """The Kubernetes objects of the stack's state: kind, apiVersion, metadata, spec as the provider recorded
        them after its last operation."""
        resources = self.pulumi.export(self.project, self.stack)
        return [resource["outputs"] for resource in resources if resource["type"].startswith("kubernetes:")]


def assert_refused(deployment: Deployment, message: str) -> None:
    """`pulumi preview` and `pulumi up` of the deployment, as its program and config now are, both fail with
    `message` (whitespace aside: the CLI wraps long lines)."""
    for command in (["preview"], ["up", "--yes"]):
        refused = deployment.run(*command)
        assert refused.returncode != 0, f"pulumi {command[0]} accepted the change: {refused.output[-3000:]}"
        assert message in " ".join(refused.output.split()), refused.output[-6000:]


def key(manifest: dict[str, Any]) -> str:
    """`Kind/namespace/name` of an object."""
    metadata = manifest["metadata"]
    return f"{manifest['kind']}/{metadata.get('namespace', '')}/{metadata['name']}"


def live_versions(api: ApiClient, objects: list[dict[str, Any]]) -> dict[str, tuple[str, str] | None]:
    """Each object's uid and resourceVersion as the API server has it now (any write changes the version),
    None when it is gone."""
    versions: dict[str, tuple[str, str] | None] = {}
    for manifest in objects:
        try:
            live = kubeapi.get(api, manifest)
        except NotFoundError:
            versions[key(manifest)] = None
        else:
            versions[key(manifest)] = (live.metadata.uid, live.metadata.resourceVersion)
    return versions


def namespaces_of(objects: list[dict[str, Any]]) -> set[str]:
    """The namespaces the objects live in, or are."""
    return {obj["metadata"]["name"] if obj["kind"] == "Namespace" else obj["metadata"]["namespace"] for obj in objects
            if obj["kind"] == "Namespace" or obj["metadata"].get("namespace")}  # fmt: skip


def delete_namespaces(api: ApiClient, names: set[str]) -> None:
    """Delete the namespaces with everything in them, and wait until they are gone."""
    namespaces = kubeapi.resource(api, "v1", "Namespace")
    for name in names:
        try:
            namespaces.delete(name=name)
        except NotFoundError:
            continue

    def remaining() -> str | None:
        left = names & {namespace.metadata.name for namespace in namespaces.get().items}
        return f"namespaces {sorted(left)} are still terminating" if left else None

    wait_until(remaining, NAMESPACE_GONE_TIMEOUT)
