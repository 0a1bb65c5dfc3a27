"""Stacks rendered for the real tiers: the objects `render` produces (secrets shown, certificates real),
and the order in which `pulumi up` would wait for the workloads. A stack rendered again with its StackState is
what a second `pulumi up` would apply: the same keys and certificates, and the deployment record checked by
its own provider against the deployed one (so a user or topic removed from the config is still kraft's)."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pulumi.runtime.mocks import MockResourceArgs

from kraft_component.evaluation import SECRET_SIGNATURE, Evaluation, resource_key
from kraft_component.record import GuardProvider
from kraft_component.render import (
    RenderError,
    evaluate_project,
    kubernetes_objects,
    load_project,
    load_stack_config,
    wire_config,
)
from kraft_component.wire import whole_numbers

from .certificates import RealTlsMocks
from .podrunner.objects import Manifest

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = {"kubernetes:apps/v1:StatefulSet": "StatefulSet", "kubernetes:batch/v1:Job": "Job"}
DYNAMIC = "pulumi-python:dynamic:Resource"  # the deployment record (kraft_component.record)
PLAIN_SECRET = "__secret__"  # marks a secret value in plain_program's JSON


class StackState(RealTlsMocks):
    """A stack's state across renders, as Pulumi keeps it between two `pulumi up`s: a tls resource keeps the key
    or certificate it was first given (the real tiers never change what they are made from), and the deployment
    record is the one its provider's `check` accepts against the deployed record (RenderError if it refuses)."""

    def __init__(self) -> None:
        self.outputs: dict[tuple[str, str], dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        key = (args.typ, args.name)
        if args.typ.startswith("tls:") and key in self.outputs:
            return f"{args.name}-id", self.outputs[key]
        identifier, outputs = super().new_resource(args)
        if args.typ == DYNAMIC and key in self.outputs:
            checked = GuardProvider().check(self.outputs[key], outputs)
            if checked.failures:
                raise RenderError("; ".join(str(failure.reason) for failure in checked.failures))
            outputs = dict(checked.inputs or {})
        if args.typ.startswith("tls:") or args.typ == DYNAMIC:
            self.outputs[key] = outputs
        return identifier, outputs


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


class Registered(NamedTuple):
    """A Kubernetes object as the engine knows it: its resource's type token and logical name, the object, and
    the URNs of the resources it depends on (a program's registration, or a resource of a stack's state)."""

    type: str
    name: str
    manifest: Manifest
    depends_on: Sequence[str]


def workload_dependencies(objects: Iterable[Registered]) -> dict[str, list[str]]:
    """`Kind/name` of each StatefulSet and Job, and of every other object that waits for one (a dynamic quorum's
    marker waits for the controllers) -> the StatefulSets and Jobs its resource depends on (URNs end in
    `<type>::<logical name>`)."""
    objects = list(objects)
    names = {f"{obj.type}::{obj.name}": f"{WORKLOADS[obj.type]}/{obj.manifest['metadata']['name']}"
             for obj in objects if obj.type in WORKLOADS}  # fmt: skip
    found: dict[str, list[str]] = {}
    for obj in objects:
        waits_for = sorted(names[suffix] for urn in obj.depends_on if (suffix := urn.split("$")[-1]) in names)
        if obj.type in WORKLOADS or waits_for:
            found[f"{obj.manifest['kind']}/{obj.manifest['metadata']['name']}"] = waits_for
    return found


def dependencies(evaluation: Evaluation) -> dict[str, list[str]]:
    """workload_dependencies of the resources the program registered."""
    return workload_dependencies(
        Registered(registration.type, registration.name, registration.manifest(), registration.depends_on)
        for registration in evaluation.registrations
        if registration.is_kubernetes_object
    )


def render_stack(
    stack: str,
    cluster: Mapping[str, Any] | None = None,
    project_dir: Path = ROOT,
    state: StackState | None = None,
    *,
    config: Mapping[str, str] | None = None,
) -> Rendered:
    """The objects `render --stack <stack> --show-secrets` prints, with real certificates; `cluster`, if
    given, replaces the stack file's `kraft:cluster`, `config` sets other keys (`kraft:clusterId`), and
    `state`, if given, is the stack's state, kept from the previous render and updated by this one."""
    evaluation = evaluate_stack(stack, cluster, project_dir, state, config=config)
    return Rendered(kubernetes_objects(evaluation, show_secrets=True), dependencies(evaluation))


def evaluate_stack(
    stack: str,
    cluster: Mapping[str, Any] | None = None,
    project_dir: Path = ROOT,
    state: StackState | None = None,
    *,
    config: Mapping[str, str] | None = None,
) -> Evaluation:
    """What the stack's program registers, as `render_stack` renders it (its arguments alike)."""
    project = load_project(project_dir)
    overrides = ({"kraft:cluster": json.dumps(cluster)} if cluster is not None else {}) | dict(config or {})
    wired, secret_keys = wire_config(project, load_stack_config(project.stack_file(stack)), overrides)
    try:
        return evaluate_project(project, stack, wired, secret_keys, mocks=state or RealTlsMocks())
    except Exception as error:
        raise RenderError(str(error)) from error


def plain_program(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The Kubernetes objects of `evaluation` as a plain pulumi_kubernetes program registers them
    (benchmarks/plain_kubernetes reads this list): for each, its typed resource class, its arguments with
    every secret marked (`{PLAIN_SECRET: value}`), and the resource options the component gave it, its
    dependencies on the other objects by logical name. No component, random, tls or record resource: their
    values are literals, as a program that had them from elsewhere would write them."""
    objects = [registration for registration in evaluation.registrations if registration.is_kubernetes_object]
    kubernetes = {(registration.type, registration.name) for registration in objects}
    return [
        {
            "type": registration.type,
            "name": registration.name,
            "args": {key: _marked(value) for key, value in registration.inputs.items()},
            "options": {
                "protect": registration.protect,
                "delete_before_replace": registration.delete_before_replace,
                "retain_on_delete": registration.retain_on_delete,
                "depends_on": sorted(
                    name for kind, name in map(resource_key, registration.depends_on) if (kind, name) in kubernetes
                ),
                "ignore_changes": list(registration.ignore_changes),
                "custom_timeouts": registration.custom_timeouts,
            },
        }
        for registration in objects
    ]


def _marked(value: Any) -> Any:
    """A registered input as JSON, each secret as `{PLAIN_SECRET: value}`."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE) is not None and "value" in value:
            return {PLAIN_SECRET: _marked(value["value"])}
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item) for item in value]
    return whole_numbers(value)


def stack_cluster(stack: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """The `kraft:cluster` mapping of a stack file."""
    value: dict[str, Any] = load_stack_config(load_project(project_dir).stack_file(stack))["kraft:cluster"]
    return value
