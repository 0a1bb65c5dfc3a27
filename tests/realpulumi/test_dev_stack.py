"""The dev stack through the real engine, the real Kubernetes provider and a real API server: up, then no
diff on preview or refresh, then the teardown README's Data safety describes."""

from pathlib import Path
from typing import Any

import pytest
from kubernetes.client import ApiClient
from kubernetes.dynamic.exceptions import NotFoundError

from kraft_component import naming
from kraft_component.spec import parse_spec
from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.toolset import Tools

from .cli import Pulumi
from .stacks import kubernetes_objects, stack_config

pytestmark = pytest.mark.realpulumi

STACK = "dev"


@pytest.fixture(scope="module")
def deployed(
    control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Pulumi, Path]:
    """The dev stack after `pulumi up`."""
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("dev"))
    project = pulumi.stack_project(STACK, stack_config(STACK))
    pulumi.run(project, "up", "--yes", "--stack", STACK).check()
    return pulumi, project


def test_up_creates_every_object_and_the_statefulsets_are_ready(
    deployed: tuple[Pulumi, Path], control_plane: ControlPlane
) -> None:
    pulumi, project = deployed
    api = control_plane.api()
    objects = kubernetes_objects(pulumi.export(project))
    kinds = {manifest["kind"] for manifest in objects}
    assert {"Namespace", "Secret", "ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget"} <= kinds
    for manifest in objects:
        live = kubeapi.get(api, manifest)
        assert live.metadata.uid == manifest["metadata"]["uid"], f"{manifest['kind']} {manifest['metadata']['name']}"
    spec = parse_spec(stack_config(STACK)["kraft:cluster"])
    statefulsets = kubeapi.resource(api, "apps/v1", "StatefulSet")
    for pool in spec.pools:
        status = statefulsets.get(name=naming.statefulset_name(spec.name, pool.name), namespace=spec.namespace).status
        assert status.readyReplicas == pool.replicas == status.availableReplicas


def test_preview_and_refresh_find_no_changes(deployed: tuple[Pulumi, Path]) -> None:
    pulumi, project = deployed
    pulumi.run(project, "preview", "--expect-no-changes", "--stack", STACK).check()
    pulumi.run(project, "refresh", "--expect-no-changes", "--yes", "--stack", STACK).check()


def live_uids(api: ApiClient, objects: list[dict[str, Any]]) -> dict[str, str | None]:
    """The uid of each object as the API server has it now, None when it is gone, by kind/namespace/name."""
    uids: dict[str, str | None] = {}
    for manifest in objects:
        metadata = manifest["metadata"]
        key = f"{manifest['kind']}/{metadata.get('namespace', '')}/{metadata['name']}"
        try:
            uids[key] = kubeapi.get(api, manifest).metadata.uid
        except NotFoundError:
            uids[key] = None
    return uids


def test_destroy_stops_at_the_protected_resources(deployed: tuple[Pulumi, Path], control_plane: ControlPlane) -> None:
    pulumi, project = deployed
    objects = kubernetes_objects(pulumi.export(project))
    before = live_uids(control_plane.api(), objects)
    refused = pulumi.run(project, "destroy", "--yes", "--stack", STACK)
    assert refused.returncode != 0
    assert "protect" in refused.output, refused.output[-4000:]
    assert live_uids(control_plane.api(), objects) == before  # nothing was deleted


def test_destroy_after_unprotect_keeps_the_claims_and_the_namespace(
    deployed: tuple[Pulumi, Path], control_plane: ControlPlane
) -> None:
    pulumi, project = deployed
    spec = parse_spec(stack_config(STACK)["kraft:cluster"])
    objects = kubernetes_objects(pulumi.export(project))
    pulumi.run(project, "state", "unprotect", "--all", "--yes", "--stack", STACK).check()
    pulumi.run(project, "destroy", "--yes", "--stack", STACK).check()
    remaining = {key for key, uid in live_uids(control_plane.api(), objects).items() if uid is not None}
    assert remaining == {f"Namespace//{spec.namespace}"}
    api = control_plane.api()
    assert kubeapi.resource(api, "v1", "Namespace").get(name=spec.namespace).status.phase == "Active"
    listed = kubeapi.resource(api, "v1", "PersistentVolumeClaim").get(namespace=spec.namespace).items
    claims = {claim.metadata.name for claim in listed}
    assert claims == {
        naming.claim_name(naming.DATA_VOLUME, naming.statefulset_name(spec.name, pool.name), ordinal)
        for pool in spec.pools
        for ordinal in range(pool.replicas)
    }
