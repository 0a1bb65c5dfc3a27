"""Every shipped stack and example through the real engine, the real Kubernetes provider and a real API
server: `pulumi up`, then no diff on preview or refresh, then the teardown of docs/operations.md's 'Data
safety and teardown'."""

from collections.abc import Iterator

import pytest

from localdev.stack import ROOT
from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.toolset import Tools
from tests.helpers import stack_config

from .cli import Pulumi
from .stacks import Deployment, delete_namespaces, key, live_versions, namespaces_of

pytestmark = pytest.mark.realpulumi

# name -> (project folder, stack, the stack's config); the stacks share their namespace, so one runs at a time
SHIPPED = {
    "dev": (ROOT, "dev"),
    "staging": (ROOT, "staging"),
    "prod": (ROOT, "prod"),
    "examples/own-namespace": (ROOT / "examples" / "own-namespace", "dev"),
}
NEEDS_CRDS = {"staging": "cert_manager_crds"}  # tls.source: certManager registers a cert-manager Certificate


@pytest.fixture(scope="module", params=SHIPPED)
def deployed(
    request: pytest.FixtureRequest,
    control_plane: ControlPlane,
    real_tools: Tools,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """The stack after `pulumi up`; its namespaces are deleted afterwards, so that the next stack starts clean."""
    name = request.param
    if name in NEEDS_CRDS:
        request.getfixturevalue(NEEDS_CRDS[name])
    source, stack = SHIPPED[name]
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("stack"))
    config = stack_config(stack) if source == ROOT else {}
    deployment = Deployment(pulumi, pulumi.stack_project(stack, config, source), stack)
    namespaces: set[str] = set()  # kept from after `up`: the tests' destroy empties the state
    try:
        result = deployment.up()
        namespaces = namespaces_of(deployment.objects())
        result.check()
        yield deployment
    finally:
        delete_namespaces(control_plane.api(), namespaces | namespaces_of(deployment.objects()))


def test_up_creates_every_object_and_waits_for_the_workloads(deployed: Deployment, control_plane: ControlPlane) -> None:
    api = control_plane.api()
    objects = deployed.objects()
    kinds = {manifest["kind"] for manifest in objects}
    assert {"Namespace", "Secret", "ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget"} <= kinds
    for manifest in objects:
        live = kubeapi.get(api, manifest)
        assert live.metadata.uid == manifest["metadata"]["uid"], key(manifest)
        if manifest["kind"] == "StatefulSet":
            assert live.status.readyReplicas == live.spec.replicas == live.status.availableReplicas, key(manifest)
        if manifest["kind"] == "Job":
            assert live.status.succeeded == 1, key(manifest)
        if manifest["kind"] == "Service" and manifest["spec"]["type"] == "LoadBalancer":
            assert live.status.loadBalancer.ingress, key(manifest)


def test_preview_and_refresh_find_no_changes(deployed: Deployment) -> None:
    deployed.run("preview", "--expect-no-changes", "--diff").check()
    deployed.run("refresh", "--expect-no-changes", "--yes", "--diff").check()


def test_destroy_stops_at_the_protected_resources(deployed: Deployment, control_plane: ControlPlane) -> None:
    objects = deployed.objects()
    before = live_versions(control_plane.api(), objects)
    refused = deployed.run("destroy", "--yes")
    assert refused.returncode != 0
    assert "protect" in refused.output, refused.output[-4000:]
    assert live_versions(control_plane.api(), objects) == before  # nothing was deleted or changed


def test_destroy_after_unprotect_keeps_the_claims_and_the_namespace(
    deployed: Deployment, control_plane: ControlPlane
) -> None:
    objects = deployed.objects()
    statefulsets = [manifest for manifest in objects if manifest["kind"] == "StatefulSet"]
    deployed.run("state", "unprotect", "--all", "--yes").check()
    deployed.run("destroy", "--yes").check()
    api = control_plane.api()
    remaining = {name for name, version in live_versions(api, objects).items() if version is not None}
    (namespace,) = namespaces_of(objects)
    assert remaining == {f"Namespace//{namespace}"}
    assert kubeapi.resource(api, "v1", "Namespace").get(name=namespace).status.phase == "Active"
    claims = kubeapi.resource(api, "v1", "PersistentVolumeClaim").get(namespace=namespace).items
    assert {claim.metadata.name for claim in claims} == {
        f"{template['metadata']['name']}-{statefulset['metadata']['name']}-{ordinal}"
        for statefulset in statefulsets
        for template in statefulset["spec"]["volumeClaimTemplates"]
        for ordinal in range(statefulset["spec"]["replicas"])
    }
