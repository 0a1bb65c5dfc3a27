"""Every tailoring key (pod templates, log levels, two data volumes) against the real API server: each object of
the tailored render passes the server's validation and admission in a server-side dry run, and each way the
offline gate says the server refuses a broken pod-template field, the server refuses it too."""

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from kraft_component.render import PATCH_ANNOTATION
from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.stacks import render_stack
from tests.gates import Manifest
from tests.helpers import tailored_config
from tests.test_gates import TAILORED_BROKEN

pytestmark = pytest.mark.realpulumi

NAMESPACE = "kraft-tailored"
# Custom resources whose definitions this control plane does not serve (the offline gates check them).
NOT_SERVED = {"monitoring.coreos.com/v1", "cert-manager.io/v1"}
# The offline gate refuses these, and the server takes them: Kubernetes accepts any printable environment
# variable name since 1.34 and only warns about a name set twice; kraft refuses both before anything is sent.
STRICTER_THAN_THE_SERVER = {"env name", "env twice"}


def is_patch(manifest: Manifest) -> bool:
    """A patch of an object that exists (a claim the StatefulSet made, grown): `pulumi up` applies it to that
    object, as test_growth.py proves; there is nothing here to create."""
    return PATCH_ANNOTATION in manifest["metadata"].get("annotations", {})


def dry_run(api: ApiClient, manifest: Manifest) -> Any:
    """The server's answer to creating `manifest`, validated and admitted but not stored."""
    kind = kubeapi.resource(api, manifest["apiVersion"], manifest["kind"])
    return kind.create(body=manifest, namespace=manifest["metadata"].get("namespace"), dry_run="All")


@pytest.fixture(scope="module")
def api(control_plane: ControlPlane) -> ApiClient:
    return control_plane.api()


@pytest.fixture(scope="module")
def tailored(api: ApiClient) -> Iterator[list[Manifest]]:
    """The tailored render in a namespace of its own, which exists for the module's tests."""
    objects = [
        obj
        for obj in render_stack("prod", tailored_config() | {"namespace": NAMESPACE}).objects
        if obj["apiVersion"] not in NOT_SERVED and not is_patch(obj)
    ]
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    kubeapi.create(api, namespace)
    try:
        yield [obj for obj in objects if obj["kind"] != "Namespace"]
    finally:
        kubeapi.resource(api, "v1", "Namespace").delete(name=NAMESPACE)


def test_every_tailored_object_passes_the_api_server(api: ApiClient, tailored: list[Manifest]) -> None:
    refused = {}
    for obj in tailored:
        try:
            dry_run(api, obj)
        except ApiException as error:
            refused[f"{obj['kind']}/{obj['metadata']['name']}"] = error.body
    assert not refused
    kinds = {obj["kind"] for obj in tailored}
    assert {"StatefulSet", "Service", "Job", "ConfigMap", "Secret", "NetworkPolicy"} <= kinds


@pytest.mark.parametrize("case", sorted(TAILORED_BROKEN))
def test_the_api_server_refuses_what_the_gate_refuses(case: str, api: ApiClient, tailored: list[Manifest]) -> None:
    broken = copy.deepcopy(tailored)
    TAILORED_BROKEN[case][0](broken)
    changed = [obj for obj, original in zip(broken, tailored, strict=True) if obj != original]
    assert len(changed) == 1
    if case in STRICTER_THAN_THE_SERVER:
        dry_run(api, changed[0])
        return
    with pytest.raises(ApiException) as refusal:
        dry_run(api, changed[0])
    assert refusal.value.status == 422, refusal.value.body
