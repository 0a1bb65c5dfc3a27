"""The shipped stacks' config, and the Kubernetes objects a stack's state holds."""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def stack_config(stack: str) -> dict[str, Any]:
    """The `config:` of a shipped stack file."""
    config: dict[str, Any] = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


def kubernetes_objects(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Kubernetes objects of a stack's state: kind, apiVersion and metadata as the provider recorded them."""
    return [resource["outputs"] for resource in resources if resource["type"].startswith("kubernetes:")]
