"""Pulumi stacks of this project on a local file backend, through the Automation API."""

import os
from pathlib import Path

from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = ROOT / ".pulumi-state"


def workspace_env(kubeconfig: Path) -> dict[str, str]:
    """A local file backend, the kind cluster's kubeconfig, and a passphrase for local secrets."""
    STATE_DIR.mkdir(exist_ok=True)
    return {
        "PULUMI_BACKEND_URL": STATE_DIR.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", ""),
        "KUBECONFIG": str(kubeconfig),
    }


def select(stack: str, kubeconfig: Path, work_dir: Path = ROOT) -> auto.Stack:
    """The stack `stack` of the program in `work_dir`, created on first use."""
    options = auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=workspace_env(kubeconfig))
    return auto.create_or_select_stack(stack_name=stack, work_dir=str(work_dir), opts=options)
