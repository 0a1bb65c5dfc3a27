"""Stacks rendered for the real tiers: the objects `render` produces (secrets shown, certificates real),
and the order in which `pulumi up` would wait for the workloads."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kraft_component.evaluation import Evaluation
from kraft_component.render import (
    RenderError,
    evaluate_project,
    kubernetes_objects,
    load_project,
    load_stack_config,
    wire_config,
)

from .certificates import RealTlsMocks
from .podrunner.objects import Manifest

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = {"kubernetes:apps/v1:StatefulSet": "StatefulSet", "kubernetes:batch/v1:Job": "Job"}


@dataclass(frozen=True)
class Rendered:
    """A stack's objects and, for each workload and each object that waits for one (`Kind/name`), the
    workloads Pulumi waits for before it."""

    objects: list[Manifest]
    depends_on: dict[str, list[str]]

    def one(self, kind: str, name: str) -> Manifest:
        """The object of `kind` called `name`."""
        (found,) = [obj for obj in self.objects if obj["kind"] == kind and obj["metadata"]["name"] == name]
        return found


def dependencies(evaluation: Evaluation) -> dict[str, list[str]]:
    """`Kind/name` of each StatefulSet and Job, and of every other object that waits for one (a dynamic quorum's
    marker waits for the controllers) -> the StatefulSets and Jobs its resource depends on, read from the
    resource dependencies the program registered (URNs end in `<type>::<logical name>`)."""
    names: dict[str, str] = {}
    for registration in evaluation.registrations:
        if registration.type in WORKLOADS:
            name = registration.manifest()["metadata"]["name"]
            names[f"{registration.type}::{registration.name}"] = f"{WORKLOADS[registration.type]}/{name}"
    found: dict[str, list[str]] = {}
    for registration in evaluation.registrations:
        if not registration.is_kubernetes_object:
            continue
        waits_for = sorted(names[suffix] for urn in registration.depends_on if (suffix := urn.split("$")[-1]) in names)
        manifest = registration.manifest()
        if registration.type in WORKLOADS or waits_for:
            found[f"{manifest['kind']}/{manifest['metadata']['name']}"] = waits_for
    return found


def render_stack(
    stack: str, cluster: Mapping[str, Any] | None = None, project_dir: Path = ROOT, *,
    config: Mapping[str, str] | None = None,
) -> Rendered:  # fmt: skip
    """The objects `render --stack <stack> --show-secrets` prints, with real certificates; `cluster`, if
    given, replaces the stack file's `kraft:cluster`, and `config` sets other keys (`kraft:clusterId`)."""
    project = load_project(project_dir)
    overrides = ({"kraft:cluster": json.dumps(cluster)} if cluster is not None else {}) | dict(config or {})
    wired, secret_keys = wire_config(project, load_stack_config(project.stack_file(stack)), overrides)
    try:
        evaluation = evaluate_project(project, stack, wired, secret_keys, mocks=RealTlsMocks())
    except Exception as error:
        raise RenderError(str(error)) from error
    return Rendered(kubernetes_objects(evaluation, show_secrets=True), dependencies(evaluation))


def stack_cluster(stack: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """The `kraft:cluster` mapping of a stack file."""
    value: dict[str, Any] = load_stack_config(load_project(project_dir).stack_file(stack))["kraft:cluster"]
    return value
