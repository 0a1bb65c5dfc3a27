"""Shared test helpers: evaluate the component or a stack under mocks and pick objects out of the result."""

import json
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from kraft_component import KraftCluster, KraftClusterArgs
from kraft_component.evaluation import Evaluation, Registration, evaluate
from kraft_component.spec import ClusterSpec, parse_spec
from kraft_component.stack import run

ROOT = Path(__file__).resolve().parents[1]
STACKS = sorted(
    path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


class EchoMocks(Mocks):
    """The mocks of Pulumi's testing guide: a resource's outputs are its inputs, calls return nothing."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", args.inputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def stack_config(stack: str) -> dict[str, Any]:
    """The `config:` mapping of stacks/Pulumi.<stack>.yaml."""
    document = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    config: dict[str, Any] = document["config"]
    return config


def stack_spec(stack: str) -> ClusterSpec:
    """The validated spec of a stack file."""
    return parse_spec(stack_config(stack)["kraft:cluster"])


def evaluate_config(config: dict[str, Any], mocks: Mocks | None = None) -> Evaluation:
    """Run the stack program with `config` (values as in a stack file) under mocks (evaluate's, unless given)."""
    wire = {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
    return evaluate(run, wire, mocks=mocks)


def evaluate_stack(stack: str) -> Evaluation:
    """Run the stack program of stacks/Pulumi.<stack>.yaml under mocks."""
    return evaluate_config(stack_config(stack))


def deploy(spec: dict[str, Any] | ClusterSpec | None = None, **args: Any) -> Evaluation:
    """Evaluate one KraftCluster built from `spec` and extra KraftClusterArgs."""
    return evaluate(lambda: KraftCluster("kafka", KraftClusterArgs(spec, **args)))


def objects(evaluation: Evaluation, kind: str, show_secrets: bool = False) -> list[dict[str, Any]]:
    """The Kubernetes objects of one kind, in registration order."""
    return [obj for obj in evaluation.kubernetes_objects(show_secrets) if obj["kind"] == kind]


def one(evaluation: Evaluation, kind: str, name: str | None = None) -> dict[str, Any]:
    """The single object of `kind` (named `name`, if given)."""
    found = [obj for obj in objects(evaluation, kind) if name is None or obj["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {[o['metadata']['name'] for o in found]}"
    return found[0]


def registration(evaluation: Evaluation, type_suffix: str, name: str) -> Registration:
    """The single registered resource of a type (by the end of its token) and logical name."""
    found = [r for r in evaluation.registrations if r.type.endswith(type_suffix) and r.name == name]
    assert len(found) == 1, [(r.type, r.name) for r in evaluation.registrations]
    return found[0]


def fake_tool(folder: Path, name: str, script: str) -> None:
    """A stand-in command `name` in `folder` that runs the shell `script` (put `folder` on PATH)."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def tailored_config() -> dict[str, Any]:
    """The prod stack's kraft:cluster with every tailoring key set: a cluster-level pod template and log levels,
    the controllers' and brokers' own over them, and brokers with two data volumes, the second grown."""
    config: dict[str, Any] = stack_config("prod")["kraft:cluster"]
    controllers, brokers = config["pools"]
    config["template"] = {
        "tolerations": [{"key": "dedicated", "value": "kafka", "effect": "NoSchedule"}],
        "nodeAffinity": {
            "preferred": [
                {
                    "weight": 50,
                    "preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["nvme"]}]},
                }
            ]
        },
        "priorityClassName": "kafka-critical",
        "imagePullSecrets": ["registry-credentials"],
        "serviceAccountName": "kafka",
        "pod": {"labels": {"team": "streaming"}, "annotations": {"sidecar.istio.io/inject": "false"}},
        "statefulSet": {"labels": {"app.kubernetes.io/part-of": "payments"}},
        "service": {"annotations": {"example.com/owner": "streaming"}},
        "jvm": {"extraFlags": ["-XX:+ExitOnOutOfMemoryError"]},
    }
    config["logging"] = {"loggers": {"kafka.controller": "DEBUG"}}
    controllers |= {
        "template": {"terminationGracePeriodSeconds": 120, "jvm": {"gc": "ZGC"}},
        "logging": {"root": "WARN"},
    }
    brokers |= {
        "storage": {
            "volumes": [
                {"name": "data", "size": "1Ti"},
                {"name": "data-b", "size": "2Ti", "templateSize": "1Ti", "storageClass": "fast-ssd"},
            ]
        },
        "template": {
            "tolerations": [
                {"key": "kafka-broker", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ],
            "nodeAffinity": {
                "required": [
                    {
                        "matchExpressions": [
                            {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["m6i.4xlarge"]},
                            {"key": "example.com/generation", "operator": "Gt", "values": ["5"]},
                        ]
                    }
                ]
            },
            "podAntiAffinity": {
                "required": [
                    {"labelSelector": {"matchLabels": {"app": "zookeeper"}}, "topologyKey": "kubernetes.io/hostname"}
                ],
                "preferred": [
                    {
                        "weight": 10,
                        "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
                            "topologyKey": "topology.kubernetes.io/zone",
                            "namespaces": ["other"],
                        },
                    }
                ],
            },
            "env": [{"name": "TZ", "value": "UTC"}],
            "jvm": {"heap": "6Gi", "extraFlags": ["-Xlog:gc*:stdout"]},
            "service": {"labels": {"exposure": "external"}},
        },
        "logging": {"loggers": {"kafka.request.logger": "WARN"}},
    }
    config["listeners"] = config["listeners"] | {
        "external": {"type": "NodePort", "hostPattern": "kafka-{nodeId}.example.com"}
    }
    return config
